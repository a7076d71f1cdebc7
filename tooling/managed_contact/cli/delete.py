"""`mcr delete`: a case's file removed at the end of retention, or by erasure, with its record."""

from __future__ import annotations

from pathlib import Path

import click

from .options import handle_errors, register_option, register_root, today_from, today_option


@click.command()
@click.argument("case_id")
@click.option(
    "--reason",
    type=click.Choice(["retention", "erasure"]),
    required=True,
    help="retention: dormant past its deletion date (§7); erasure: a recorded erasure decision.",
)
@click.option(
    "--approved-by",
    "approved_by",
    required=True,
    metavar="PERSON",
    help="Who approved the deletion (a person id in policy/people.yaml).",
)
@register_option
@today_option
@handle_errors
def delete(
    case_id: str, reason: str, approved_by: str, register_dir: Path | None, today: str | None
) -> None:
    """Delete a case file that is due for deletion, recording anonymous statistics.

    Refuses a case under an open legal hold, and (for retention) one not yet due. The file is
    removed and its record appended to cases/deletions.yaml; commit both, and once that has
    merged, shred the case's key with `mcr keys shred`.
    """
    from ..casework.retention import delete_case

    root = register_root(register_dir)
    done = delete_case(
        root,
        case_id,
        "erasure" if reason == "erasure" else "retention",
        approved_by,
        today_from(today),
    )
    click.echo(f"deleted {done.file}; recorded in cases/deletions.yaml")
    click.echo(f"after this has merged: mcr keys shred {case_id}")
