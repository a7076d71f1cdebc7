"""`mcr calendar`: the iCalendar feed of what falls due, by case id."""

from __future__ import annotations

from pathlib import Path

import click

from .options import (
    documents_missing,
    handle_errors,
    register_option,
    register_root,
    today_from,
    today_option,
)


@click.command()
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Write the feed to FILE (replaced whole, never half-written) instead of stdout.",
)
@register_option
@today_option
@handle_errors
def calendar(output: Path | None, register_dir: Path | None, today: str | None) -> None:
    """Write an iCalendar (RFC 5545) feed of what falls due, for Outlook and other calendars.

    All-day events for reviews due, stage 1 monitoring periods ending, deletions due, subject
    access replies due, and the days a stage 2 email diversion's single point of contact
    responds (on the measure's frequency, up to the review and at most due_soon_days ahead).
    Events name cases by id, in fixed words: no names, no free text, so no keys are needed.
    Each event keeps its UID when its date moves, so a subscribed calendar updates it.
    The site publishes the feed as calendar.ics, linked from the dashboard.
    """
    from ..register.files import write_atomic

    try:
        from ..documents.calendar import register_calendar
    except ModuleNotFoundError as exc:
        raise documents_missing(exc, "calendar") from None

    root = register_root(register_dir)
    feed, count = register_calendar(root, today_from(today))
    if output is None:
        click.echo(feed, nl=False)
        return
    write_atomic(output, feed.decode("utf-8"))
    click.echo(f"wrote {output}: {count} event(s)")
