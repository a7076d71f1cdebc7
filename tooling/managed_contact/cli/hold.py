"""`mcr hold`: record a legal hold on a case, or its end."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import McrError
from .options import (
    day_from,
    handle_errors,
    keystore_for,
    keystore_option,
    register_option,
    register_root,
)


@click.group()
@click.argument("case_id")
@click.pass_context
def hold(ctx: click.Context, case_id: str) -> None:
    """Record legal holds on CASE_ID: they block its deletion and the shredding of its key.

    `mcr hold CASE_ID add --reason R --reference REF --start DATE`;
    `mcr hold CASE_ID end H1 --end DATE`.
    """
    ctx.obj = case_id


@hold.command("add")
@click.pass_obj
@click.option(
    "--reason",
    type=click.Choice(
        ["ombudsman-complaint", "subject-access-request", "legal-claim", "police-matter"]
    ),
    required=True,
    help="Why the record must be kept.",
)
@click.option("--reference", required=True, help="The matter's reference (sealed in the file).")
@click.option("--start", required=True, metavar="YYYY-MM-DD", help="When the hold began.")
@register_option
@keystore_option
@handle_errors
def add(
    case_id: str,
    reason: str,
    reference: str,
    start: str,
    register_dir: Path | None,
    keystore_spec: str | None,
) -> None:
    """Record a new open legal hold on the case."""
    from ..casework.holds import add_hold

    began = day_from(start, "--start")
    root = register_root(register_dir)
    store = keystore_for(root, keystore_spec)
    key = store.get(case_id) if store is not None else None
    if key is None:
        raise McrError(f"no key for {case_id} in the keystore: the reference cannot be sealed")
    done = add_hold(root, case_id, reason, reference, began, key)
    click.echo(f"{done.file}: legal hold {done.hold} recorded ({reason}, from {start})")


@hold.command("end")
@click.pass_obj
@click.argument("hold_id")
@click.option("--end", "end", required=True, metavar="YYYY-MM-DD", help="When the hold ended.")
@register_option
@handle_errors
def end(case_id: str, hold_id: str, end: str, register_dir: Path | None) -> None:
    """Record the day the case's legal hold HOLD_ID ended."""
    from ..casework.holds import end_hold

    done = end_hold(register_root(register_dir), case_id, hold_id, day_from(end, "--end"))
    click.echo(f"{done.file}: legal hold {done.hold} ended on {end}")
