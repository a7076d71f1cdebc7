"""`mcr keys`: keys and case files kept in step, and a deleted case's key shredded."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import ExitCode, McrError
from ..sealing.keystore import Keystore
from .options import (
    format_option,
    handle_errors,
    keystore_for,
    keystore_option,
    register_option,
    register_root,
    today_from,
    today_option,
)


@click.group()
def keys() -> None:
    """Check the keystore against the register, and shred the keys of deleted cases."""


def _store(root: Path, spec: str | None) -> Keystore:
    store = keystore_for(root, spec)
    if store is None:
        raise McrError("no keystore found: give one with --keystore DIR or $MCR_KEYSTORE")
    return store


@keys.command("check")
@register_option
@keystore_option
@today_option
@format_option
@handle_errors
def check(
    register_dir: Path | None, keystore_spec: str | None, today: str | None, fmt: str
) -> None:
    """Every live case has a key; every key a live or held case; shredded keys are recorded.

    Exits 1 if a case's key is lost or shredded while its file is live, or a key belongs to
    no case. A key of a deleted case is reported as due for shredding.
    """
    from ..casework.keys import check_keys

    root = register_root(register_dir)
    found = check_keys(root, _store(root, keystore_spec), today_from(today))
    if fmt == "json":
        rows = [
            {
                "file": f.file,
                "case": f.case_id,
                "level": f.level,
                "kind": f.kind,
                "message": f.message,
            }
            for f in found
        ]
        click.echo(json.dumps(rows, indent=2))
    else:
        for f in found:
            click.echo(f"{f.file}: {f.level}: {f.kind}: {f.message}")
        errors = sum(f.level == "error" for f in found)
        click.echo(f"{errors} error(s), {len(found) - errors} other finding(s)")
    if any(f.level == "error" for f in found):
        sys.exit(ExitCode.FINDINGS)


@keys.command("shred")
@click.argument("case_id")
@click.option(
    "--branch",
    default=None,
    help="A branch (local, or remote-tracking such as origin/release) the deletion must have "
    "merged into, as well as the default branch (the remote's, else main).",
)
@register_option
@keystore_option
@today_option
@handle_errors
def shred(
    case_id: str,
    branch: str | None,
    register_dir: Path | None,
    keystore_spec: str | None,
    today: str | None,
) -> None:
    """Destroy a deleted case's key: every sealed value of it, in all history, stays sealed.

    Refuses unless, on the default branch and on --branch: the case file is gone, the
    deletion log records its deletion, and no legal hold is open in its last version (which
    must load).
    """
    from ..casework.keys import shred_key

    root = register_root(register_dir)
    targets = shred_key(root, _store(root, keystore_spec), case_id, today_from(today), branch)
    click.echo(f"shredded the key of {case_id} (deletion merged into {', '.join(targets)})")
