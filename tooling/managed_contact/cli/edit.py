"""`mcr edit`: change a sealed case in your editor; it is checked and sealed again on save."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from ..casework.editing import Outcome, edit_case, editor_command, never
from ..errors import ExitCode
from ..register.findings import Finding
from . import report
from .options import (
    handle_errors,
    keystore_option,
    register_option,
    register_root,
    today_from,
    today_option,
)
from .seal import require_keystore


def _ask(findings: Sequence[Finding]) -> bool:
    click.echo(report.findings_text(findings, 1), err=True)
    return click.confirm("Edit again? (no: give up; the case stays as it was)", default=True)


@click.command()
@click.argument("case_id")
@register_option
@keystore_option
@today_option
@handle_errors
def edit(
    case_id: str, register_dir: Path | None, keystore_spec: str | None, today: str | None
) -> None:
    """Open a case in your editor ($VISUAL, else $EDITOR, else vi), unsealed.

    On save the case is checked: with errors it is not saved, and you may edit again or give
    up. A case that checks is sealed with its key and written whole. The unsealed copy lives
    in a private folder (in /dev/shm where there is one) that is removed afterwards, also if
    mcr edit is killed.
    """
    root = register_root(register_dir)
    keystore = require_keystore(root, keystore_spec, "to unseal the case")
    interactive = sys.stdin.isatty() and sys.stderr.isatty()
    result = edit_case(
        root,
        case_id,
        keystore,
        editor_command(),
        today_from(today),
        retry=_ask if interactive else never,
    )
    if result.outcome is Outcome.SAVED:
        click.echo(f"saved {result.file} (sealed)")
    elif result.outcome is Outcome.UNCHANGED:
        click.echo(f"no changes: {result.file} left as it was")
    else:
        if not interactive:
            click.echo(report.findings_text(result.findings, 1), err=True)
        click.echo(f"not saved: {result.file} is unchanged", err=True)
        sys.exit(ExitCode.FINDINGS)
