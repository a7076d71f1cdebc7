"""`mcr check`: the snapshot rules on the register, and with --base the change rules too."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ExitCode
from ..register.check import run_check
from . import report
from .options import (
    format_option,
    handle_errors,
    keys_for,
    keystore_option,
    register_option,
    register_root,
    signature_cache_dir,
    today_from,
    today_option,
)
from .progress import progress_bar


def _change_rules_epilog() -> str:
    from ..changes.check import CHANGE_CATALOGUE

    lines = ["\b", "With --base, also these rules on the change:"]
    lines += [f"  {rule.id}  {rule.summary}" for rule in CHANGE_CATALOGUE.values()]
    return "\n".join(lines)


@click.command(epilog=_change_rules_epilog())
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@register_option
@keystore_option
@today_option
@format_option
@click.option(
    "--strict-dates",
    is_flag=True,
    help="Treat overdue reviews and deletions as errors (for the scheduled run).",
)
@click.option(
    "--base",
    "base",
    metavar="REV",
    default=None,
    help="Also judge the change from REV (a merge request's target) to --head: transitions, "
    "append-only history, deletions, policy changes and signed approvals. Only the cases "
    "the change touches are checked, as committed in --head (not the working tree).",
)
@click.option(
    "--head",
    "head",
    metavar="REV",
    default="HEAD",
    show_default=True,
    help="The revision under review (with --base).",
)
@click.option(
    "--approvals",
    "approvals_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The forge's merge-request approvals as JSON (GitLab's approvals API), mapped to "
    "people by forge_username (with --base).",
)
@handle_errors
def check(
    paths: tuple[Path, ...],
    register_dir: Path | None,
    keystore_spec: str | None,
    today: str | None,
    fmt: str,
    strict_dates: bool,
    base: str | None,
    head: str,
    approvals_file: Path | None,
) -> None:
    """Validate policy data and cases; report every finding, not just the first.

    PATHS are case files or the register directory (default: the whole register). With
    --base, PATHS may only name the register directory.
    """
    root = register_root(register_dir, paths[0] if paths else None)
    render = report.findings_json if fmt == "json" else report.findings_text
    if base is not None:
        from ..changes.approvals import read_merge_request_approvals
        from ..changes.check import check_change

        if any(p.is_file() for p in paths):
            raise click.UsageError("--base checks what the change touches: give no case files")
        merge_request = (
            read_merge_request_approvals(approvals_file) if approvals_file is not None else None
        )
        with progress_bar() as bar:
            change = check_change(
                root,
                base,
                head,
                today_from(today),
                strict_dates=strict_dates,
                merge_request=merge_request,
                cache_dir=signature_cache_dir(root),
                keys=keys_for(root, keystore_spec),
                progress=bar,
            )
        click.echo(render(change.findings.sorted(), change.checked))
        sys.exit(ExitCode.FINDINGS if change.findings.errors else ExitCode.OK)
    if approvals_file is not None or head != "HEAD":
        raise click.UsageError("--head and --approvals go with --base")
    files = [p for p in paths if p.is_file()]
    only = files if files and len(files) == len(paths) else None
    with progress_bar() as bar:
        result = run_check(
            root,
            today_from(today),
            strict_dates=strict_dates,
            only=only,
            keys=keys_for(root, keystore_spec),
            progress=bar,
        )
    findings = result.findings.sorted()
    checked = len(result.register.case_files)
    if fmt == "json":
        click.echo(report.findings_json(findings, checked, result.skipped))
    else:
        click.echo(report.findings_text(findings, checked))
    if result.skipped and fmt == "text":
        click.echo(report.skipped_text(result.skipped), err=True)
    sys.exit(ExitCode.FINDINGS if result.findings.errors else ExitCode.OK)
