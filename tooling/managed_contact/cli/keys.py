"""`mcr keys`: keys and case files kept in step, a deleted case's key shredded, and an
approver's signing key enrolled in the people registry."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import ExitCode, McrError
from ..sealing.keystore import Keystore
from .options import (
    day_from,
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
    """Check the keystore against the register, shred the keys of deleted cases, and enrol an
    approver's signing key."""


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


@keys.command("enrol")
@click.argument("person")
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The person's SSH public key file (the .pub file, never the private key).",
)
@click.option(
    "--gpg",
    metavar="FINGERPRINT",
    default=None,
    help="An OpenPGP key's fingerprint, instead of an SSH key.",
)
@click.option(
    "--start", metavar="YYYY-MM-DD", default=None, help="First day the key counts (default: today)."
)
@click.option(
    "--end", metavar="YYYY-MM-DD", default=None, help="Last day the key counts (default: none)."
)
@register_option
@today_option
@handle_errors
def enrol(
    person: str,
    public_key: Path | None,
    gpg: str | None,
    start: str | None,
    end: str | None,
    register_dir: Path | None,
    today: str | None,
) -> None:
    """Add a signing key for PERSON (their id in policy/people.yaml) to the people registry.

    Writes the key and its validity window into policy/people.yaml, keeping every other line.
    The key counts once the policy owners have approved the change and it is merged. Refuses
    an unknown person, a key already registered, a file that is not a public key, and a start
    before today.
    """
    from ..casework.enrolment import enrol_key

    root = register_root(register_dir)
    done = enrol_key(
        root,
        person,
        today_from(today),
        public_key=public_key,
        gpg=gpg,
        start=day_from(start, "--start") if start is not None else None,
        end=day_from(end, "--end") if end is not None else None,
    )
    window = f"from {done.start}" + (f" to {done.end}" if done.end else "")
    click.echo(f"{done.file}: {done.type} key {done.fingerprint} added for {done.person}, {window}")
    owners = ", ".join(done.owners) or "the people whose role allows 'policy-change'"
    click.echo(
        "Next: commit it on a branch and open a merge request, e.g.\n"
        f"  git switch -c enrol-{done.person}\n"
        f"  git add {done.file}\n"
        f'  git commit -S -m "Enrol a signing key for {done.person}"\n'
        f"The policy owners ({owners}; 'policy-change' in policy/roles.yaml) approve it, and "
        "`mcr check --base <target branch>` judges it. The key counts once it is merged."
    )
