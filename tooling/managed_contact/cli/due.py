"""`mcr due`: what Customer Relations must do, by category as on the dashboard, soonest first."""

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
    keystore_option,
    register_option,
    register_root,
    today_from,
    today_option,
    within_option,
)
from .seal import require_keystore


@click.command()
@within_option
@click.option(
    "--names",
    is_flag=True,
    help="Also print each customer's name (needs the keystore). Without it, only case ids: "
    "the output of a scheduled job ends up in logs.",
)
@register_option
@keystore_option
@today_option
@format_option
@handle_errors
def due(
    within: int | None,
    names: bool,
    register_dir: Path | None,
    keystore_spec: str | None,
    today: str | None,
    fmt: str,
) -> None:
    """List what is due or overdue, under a heading per category with its count, soonest first.

    The dashboard's categories: reviews, monitoring periods, deletions, activity while dormant,
    escalations awaiting stage 2, legal holds, subject access replies and open challenges.
    Cases are named by id; --names adds the customer's name, for reading, not for logs.
    """
    root = register_root(register_dir)
    day = today_from(today)
    keys = None
    if names:
        keys = require_keystore(root, keystore_spec, "for --names (names are sealed)").get
    result = run_check(root, day, keys=keys)
    if result.register.policy is None:
        fail_with(result.findings.sorted(), 0)
    window = within if within is not None else result.register.policy.periods.due_soon_days
    holds = {c.case.id: c.case.legal_holds for c in result.register.cases}
    challenges = {c.case.id: c.case.challenges for c in result.register.cases}
    items = due_items(result.statuses, day, window, holds, challenges)
    shown = (
        {c.case.id: c.case.customer.name if not c.sealed else None for c in result.register.cases}
        if names
        else None
    )
    if fmt == "json":
        click.echo(report.due_json(items, window, shown))
    else:
        click.echo(report.due_text(items, window, shown))
