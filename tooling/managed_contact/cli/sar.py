"""`mcr sar`: a subject access report for one case, written to a private directory."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import McrError
from .options import (
    handle_errors,
    keystore_for,
    keystore_option,
    register_option,
    register_root,
    today_from,
    today_option,
)
from .progress import progress_bar


@click.command()
@click.argument("case_id")
@click.option(
    "--output",
    "output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The directory the report is written to (made readable by you only).",
)
@register_option
@keystore_option
@today_option
@handle_errors
def sar(
    case_id: str,
    output: Path,
    register_dir: Path | None,
    keystore_spec: str | None,
    today: str | None,
) -> None:
    """Everything held about the person of CASE_ID, now and in history, in plain words.

    Writes CASE_ID-sar.md and CASE_ID-sar.json (mode 0600) into the output directory: identity
    and contact details, every entry in date order, earlier versions, what staff see, when
    the case will be deleted, the reply deadline of a recorded request, and third-party
    items to review for redaction. Nothing personal is printed.
    """
    from ..casework.access import subject_access, write_report

    root = register_root(register_dir)
    store = keystore_for(root, keystore_spec)
    key = store.get(case_id) if store is not None else None
    if key is None:
        raise McrError(f"no key for {case_id} in the keystore: its sealed values cannot be read")
    with progress_bar() as bar:
        report = subject_access(root, case_id, key, today_from(today), bar)
    for path in write_report(report, output):
        click.echo(f"wrote {path}")
    for deadline in report.sar_deadlines:
        click.echo(f"deadline: {deadline}")
