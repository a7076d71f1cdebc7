"""`mcr due`: reviews, monitoring ends and deletions due or overdue, soonest first."""

from __future__ import annotations

from pathlib import Path

import click

from ..register.check import run_check
from ..register.schedule import due_items
from . import report
from .options import (
    fail_with,
    format_option,
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
    "--within",
    type=click.IntRange(min=0),
    default=None,
    metavar="DAYS",
    help="Look this many days ahead (default: due_soon_days in policy/periods.yaml).",
)
@register_option
@keystore_option
@today_option
@format_option
@handle_errors
def due(
    within: int | None,
    register_dir: Path | None,
    keystore_spec: str | None,
    today: str | None,
    fmt: str,
) -> None:
    """List reviews, monitoring ends and deletions due or overdue, soonest first."""
    root = register_root(register_dir)
    day = today_from(today)
    result = run_check(root, day, keys=keys_for(root, keystore_spec))
    if result.register.policy is None:
        fail_with(result.findings.sorted(), 0)
    window = within if within is not None else result.register.policy.periods.due_soon_days
    items = due_items(result.statuses, day, window)
    names = {c.case.id: c.case.customer.name for c in result.register.cases}
    click.echo(report.due_json(items) if fmt == "json" else report.due_text(items, names))
