"""`mcr export`: the active arrangements as the marker a council CRM imports."""

from __future__ import annotations

from pathlib import Path

import click

from .options import (
    documents_missing,
    handle_errors,
    keys_for,
    keystore_option,
    register_option,
    register_root,
    today_from,
    today_option,
)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv"]),
    default="json",
    show_default=True,
    help="json for a CRM import (values exactly as held); csv for people opening it in a "
    "spreadsheet (a cell that would start a formula gets a leading ').",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Write to FILE (a new one readable by you only; replaced whole) instead of stdout.",
)
@register_option
@keystore_option
@today_option
@handle_errors
def export(
    fmt: str,
    output: Path | None,
    register_dir: Path | None,
    keystore_spec: str | None,
    today: str | None,
) -> None:
    """Export the active arrangements (stage 1 and stage 2) for the council's CRM.

    For each: the case id, the customer's CRM reference, the stage, the scope, the measures
    (policy labels), the single point of contact (person id and name), the allowed channel and
    the date it stands until (the next review). Machines import the JSON: it keeps every value
    as written (a reference such as +44 7700 900123 stays intact) and round-trips exactly.
    The CSV is for reading in a spreadsheet: a cell starting with =, +, -, @, a tab or a
    carriage return gets a leading ' so it cannot run as a formula, which changes the value;
    never import it.

    The reference is sealed, so the export needs the case keys; it refuses, naming them, if
    any active case cannot be opened, rather than leave a marker out. The output holds
    personal data: write it to a file, not into a log.
    """
    from ..register.files import write_atomic

    try:
        from ..documents.export import arrangements, render
    except ModuleNotFoundError as exc:
        raise documents_missing(exc, "export") from None

    root = register_root(register_dir)
    document, index = arrangements(root, today_from(today), keys_for(root, keystore_spec))
    text = render(document, index, fmt)
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomic(output, text, mode=0o600)
    click.echo(f"wrote {output}: {len(document.arrangements)} arrangement(s)")
