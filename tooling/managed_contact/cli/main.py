"""`mcr`, the command line: parse options, call one core function, render, pick the exit code.

Exit codes: 0 ok, 1 findings, 2 usage, 3 internal error (traceback written to a log file).
"""

from __future__ import annotations

import functools
import sys
import tempfile
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import ExitCode, McrError, UnknownCase
from ..register.check import run_check
from ..register.dates import parse_today
from ..register.schedule import due_items
from ..register.snapshot import find_root
from . import report

F = TypeVar("F", bound=Callable[..., Any])


def _handle_errors(func: F) -> F:
    """Map our errors to exit codes; anything unexpected is logged, not shown raw."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except McrError as exc:
            click.echo(f"mcr: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception:
            with tempfile.NamedTemporaryFile(
                "w", prefix="mcr-error-", suffix=".log", delete=False
            ) as log:
                traceback.print_exc(file=log)
            click.echo(
                f"mcr: internal error; details written to {log.name}. Please report it.",
                err=True,
            )
            sys.exit(ExitCode.INTERNAL)

    return wrapper  # type: ignore[return-value]


def _today(value: str | None) -> date:
    try:
        return parse_today(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--today") from None


register_option = click.option(
    "--register",
    "register_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The register directory (default: the one containing the current directory).",
)
today_option = click.option(
    "--today",
    metavar="YYYY-MM-DD",
    default=None,
    help="Judge dates as of this day (default: $MCR_TODAY, else the real date).",
)
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output for people (text) or machines (json).",
)


def _root(register_dir: Path | None, start: Path | None = None) -> Path:
    return find_root(register_dir or start or Path.cwd())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="managed-contact")
def main() -> None:
    """The Managed Contact register: check cases, see what is due, build the site."""


def reference_pages() -> dict[str, str]:
    """The pages the command line adds to the site: its own reference, from `--help`."""
    from .reference import CLI_PAGE, cli_markdown

    return {CLI_PAGE: cli_markdown(main)}


def _change_rules_epilog() -> str:
    from ..changes.check import CHANGE_CATALOGUE

    lines = ["\b", "With --base, also these rules on the change:"]
    lines += [f"  {rule.id}  {rule.summary}" for rule in CHANGE_CATALOGUE.values()]
    return "\n".join(lines)


def _signature_cache_dir(root: Path) -> Path | None:
    """Where `check --base` keeps verified signature results: `mcr-cache` in the repository's
    git directory (`.git/mcr-cache/`). Never the work tree: that holds the change under
    review, and a cache committed there could mark any commit as signed. None (no cache) if
    git cannot say where its directory is; the check itself then reports why."""
    from ..changes.git import GitError, Repository

    try:
        return Repository(root).git_path("mcr-cache")
    except GitError:
        return None


@main.command(epilog=_change_rules_epilog())
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@register_option
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
@_handle_errors
def check(
    paths: tuple[Path, ...],
    register_dir: Path | None,
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
    root = _root(register_dir, paths[0] if paths else None)
    render = report.findings_json if fmt == "json" else report.findings_text
    if base is not None:
        from ..changes.approvals import read_merge_request_approvals
        from ..changes.check import check_change

        if any(p.is_file() for p in paths):
            raise click.UsageError("--base checks what the change touches: give no case files")
        merge_request = (
            read_merge_request_approvals(approvals_file) if approvals_file is not None else None
        )
        change = check_change(
            root,
            base,
            head,
            _today(today),
            strict_dates=strict_dates,
            merge_request=merge_request,
            cache_dir=_signature_cache_dir(root),
        )
        click.echo(render(change.findings.sorted(), change.checked))
        sys.exit(ExitCode.FINDINGS if change.findings.errors else ExitCode.OK)
    if approvals_file is not None or head != "HEAD":
        raise click.UsageError("--head and --approvals go with --base")
    files = [p for p in paths if p.is_file()]
    only = files if files and len(files) == len(paths) else None
    result = run_check(root, _today(today), strict_dates=strict_dates, only=only)
    findings = result.findings.sorted()
    checked = len(result.register.case_files)
    click.echo(render(findings, checked))
    sys.exit(ExitCode.FINDINGS if result.findings.errors else ExitCode.OK)


@main.command()
@click.argument("case_id")
@register_option
@today_option
@format_option
@_handle_errors
def show(case_id: str, register_dir: Path | None, today: str | None, fmt: str) -> None:
    """Show a case's derived state, dates, measures and history, in plain words."""
    root = _root(register_dir)
    path = root / "cases" / f"{case_id}.yaml"
    if not path.is_file():
        raise UnknownCase(f"no case {case_id}: there is no cases/{case_id}.yaml")
    day = _today(today)
    result = run_check(root, day, only=[path])
    loaded = result.register.case(case_id)
    if loaded is None or result.index is None:
        click.echo(report.findings_text(result.findings.sorted(), 1), err=True)
        sys.exit(ExitCode.FINDINGS)
    status = result.statuses[case_id]
    if fmt == "json":
        import json

        click.echo(json.dumps(report.show_data(loaded.case, status, result.index, day), indent=2))
    else:
        click.echo(report.show_text(loaded.case, status, result.index, day))


@main.command()
@click.option(
    "--within",
    type=click.IntRange(min=0),
    default=None,
    metavar="DAYS",
    help="Look this many days ahead (default: due_soon_days in policy/periods.yaml).",
)
@register_option
@today_option
@format_option
@_handle_errors
def due(within: int | None, register_dir: Path | None, today: str | None, fmt: str) -> None:
    """List reviews, monitoring ends and deletions due or overdue, soonest first."""
    root = _root(register_dir)
    day = _today(today)
    result = run_check(root, day)
    if result.register.policy is None:
        click.echo(report.findings_text(result.findings.sorted(), 0), err=True)
        sys.exit(ExitCode.FINDINGS)
    window = within if within is not None else result.register.policy.periods.due_soon_days
    items = due_items(result.statuses, day, window)
    names = {c.case.id: c.case.customer.name for c in result.register.cases}
    click.echo(report.due_json(items) if fmt == "json" else report.due_text(items, names))


@main.command()
@register_option
@today_option
@_handle_errors
def new(register_dir: Path | None, today: str | None) -> None:
    """Create the next free case file, with the schema modeline, ready to fill in."""
    from ..register.scaffold import scaffold

    root = _root(register_dir)
    path = scaffold(root / "cases", _today(today))
    click.echo(f"created {path.relative_to(root).as_posix()}")


@main.command()
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the site (default: public/ in the register).",
)
@register_option
@today_option
@_handle_errors
def build(output: Path | None, register_dir: Path | None, today: str | None) -> None:
    """Build the internal site (Part A, the register, case pages, dashboard) into public/."""
    from ..site.build import build_site

    root = _root(register_dir)
    target = build_site(root, output or root / "public", _today(today), reference_pages())
    click.echo(f"site built in {target}")


@main.command()
@click.option(
    "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on."
)
@register_option
@today_option
@_handle_errors
def serve(dev_addr: str, register_dir: Path | None, today: str | None) -> None:
    """Serve the site locally with live reload while you edit cases or pages."""
    from ..site.build import serve_site

    serve_site(_root(register_dir), _today(today), dev_addr, reference_pages())


@main.command()
@click.option("--write", is_flag=True, help="Regenerate the files instead of checking them.")
@register_option
@_handle_errors
def schema(write: bool, register_dir: Path | None) -> None:
    """Check (or --write) schemas/*.schema.json against the models they come from."""
    from ..register import schema as schemas

    root = _root(register_dir)
    if write:
        for name in schemas.write(root):
            click.echo(f"wrote {name}")
        return
    stale = schemas.drift(root)
    for name in stale:
        click.echo(f"{name}: out of date with the models; run `mcr schema --write`")
    sys.exit(ExitCode.FINDINGS if stale else ExitCode.OK)


@main.command()
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write allowed_signers and CODEOWNERS (default: the register directory).",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 if the files there differ from what the registry gives.",
)
@register_option
@today_option
@_handle_errors
def signers(
    output_dir: Path | None, check_only: bool, register_dir: Path | None, today: str | None
) -> None:
    """Write allowed_signers (keys with validity windows) and CODEOWNERS from the registry."""
    from ..changes.signers import signers_files, stale_files, write_files
    from ..register.snapshot import load_policy

    root = _root(register_dir)
    policy, _, problems = load_policy(root)
    if policy is None:
        click.echo(report.findings_text(problems, 0), err=True)
        sys.exit(ExitCode.FINDINGS)
    generated = signers_files(policy, _today(today))
    for problem in generated.problems:
        click.echo(f"policy/people.yaml: error: MC408: {problem.message}", err=True)
    target = output_dir or root
    if check_only:
        stale = stale_files(generated, target)
        for name in stale:
            click.echo(f"{name}: out of date with policy/people.yaml; run `mcr signers`")
        sys.exit(ExitCode.FINDINGS if stale or generated.problems else ExitCode.OK)
    for path in write_files(generated, target):
        click.echo(f"wrote {path}")
    sys.exit(ExitCode.FINDINGS if generated.problems else ExitCode.OK)


@main.command("demo-repo")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@register_option
@_handle_errors
def demo_repo(directory: Path, register_dir: Path | None) -> None:
    """Build a git repository in DIRECTORY replaying the register's cases as signed commits.

    Fictional demo SSH keys are made for the approvers (kept in DIRECTORY/.git/demo-keys/);
    afterwards `mcr check --base <first commit>` in DIRECTORY passes on real signatures.
    """
    from ..changes.demo import build_demo

    made = build_demo(_root(register_dir), directory)
    click.echo(f"built {made.path} with {made.commits} commits")
    click.echo(f"first commit: {made.first_commit}")
    click.echo(f"check it with: mcr check --register {made.path} --base {made.first_commit}")


if __name__ == "__main__":  # pragma: no cover
    main()
