"""`mcr report`: the committee figures for a period, as Markdown with charts or as CSV."""

from __future__ import annotations

from pathlib import Path

import click

from ..documents.figures import report_figures, to_csv, to_markdown
from ..register.files import write_atomic
from .options import (
    day_from,
    handle_errors,
    register_option,
    register_root,
    today_from,
    today_option,
)
from .progress import progress_bar


@click.command("report")
@click.option("--from", "start", required=True, metavar="YYYY-MM-DD", help="First day.")
@click.option("--to", "end", required=True, metavar="YYYY-MM-DD", help="Last day (included).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "csv"]),
    default="markdown",
    show_default=True,
    help="Markdown with SVG charts (for a committee paper) or CSV (for a spreadsheet).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to this file (default: print it).",
)
@register_option
@today_option
@handle_errors
def report_command(
    start: str,
    end: str,
    fmt: str,
    output: Path | None,
    register_dir: Path | None,
    today: str | None,
) -> None:
    """The committee figures from --from to --to, both days included.

    Cases opened, escalated to stage 2, closed and deleted, by service and by conduct; reviews
    held on time; challenges and their outcomes; median days at each stage. Deleted cases
    count through their anonymous records. Counts below small_count_threshold
    (policy/settings.yaml) are shown as "fewer than N". Reads no personal data: no keys needed.
    """
    root = register_root(register_dir)
    with progress_bar() as bar:
        figures = report_figures(
            root, day_from(start, "--from"), day_from(end, "--to"), today_from(today), bar
        )
    if fmt == "csv":
        text = to_csv(figures)
    else:
        title = f"# Managed contact: committee figures, {figures.start} to {figures.end}\n\n"
        text = title + to_markdown(figures)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        click.echo(f"wrote {output}")
