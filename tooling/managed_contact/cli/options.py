"""What every command shares: its options, finding the register, and the exit-code contract.

Exit codes: 0 ok, 1 findings, 2 usage, 3 internal error (traceback written to a log file).
"""

from __future__ import annotations

import functools
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from ..errors import ExitCode, McrError
from ..register.dates import MAX_WITHIN_DAYS, parse_day, parse_today
from ..register.findings import Finding
from ..register.snapshot import Keys, demo_keystore, find_root
from ..sealing.keystore import Keystore, open_keystore
from . import report

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
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


def fail_with(findings: Sequence[Finding], checked: int) -> NoReturn:
    """Stop with the findings that kept a command from running (on stderr) and exit 1."""
    click.echo(report.findings_text(findings, checked), err=True)
    sys.exit(ExitCode.FINDINGS)


def today_from(value: str | None) -> date:
    """The day dates are judged on: `--today`, else $MCR_TODAY, else the real date."""
    try:
        return parse_today(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--today") from None


def register_root(register_dir: Path | None, start: Path | None = None) -> Path:
    """The register directory: `--register`, else the one holding `start` or the current one."""
    return find_root(register_dir or start or Path.cwd())


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
within_option = click.option(
    "--within",
    type=click.IntRange(min=0, max=MAX_WITHIN_DAYS),
    default=None,
    metavar="DAYS",
    help=f"Look this many days ahead, at most {MAX_WITHIN_DAYS:,} (default: due_soon_days in "
    "policy/periods.yaml).",
)
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output for people (text) or machines (json).",
)
keystore_option = click.option(
    "--keystore",
    "keystore_spec",
    metavar="DIR|vault:MOUNT/PREFIX",
    default=None,
    help="Where case keys are kept: a directory, or 'vault:' for OpenBao/Vault (default: "
    "$MCR_KEYSTORE, else the register's own, in its git directory).",
)


def keystore_for(root: Path, spec: str | None) -> Keystore | None:
    """The keystore a command uses (None: there is none, and the command runs keyless)."""
    return open_keystore(spec, root, demo_keystore(root))


def keys_for(root: Path, spec: str | None) -> Keys | None:
    """The key lookup for opening sealed values, or None without a keystore."""
    found = keystore_for(root, spec)
    return found.get if found is not None else None


def signature_cache_dir(root: Path) -> Path | None:
    """Where `check --base` and `audit` keep verified signature results: `mcr-cache` in the
    repository's git directory (`.git/mcr-cache/`). Never the work tree: that holds the change under
    review, and a cache committed there could mark any commit as signed. None (no cache) if
    git cannot say where its directory is; the check itself then reports why."""
    from ..changes.git import GitError, Repository

    try:
        return Repository(root).git_path("mcr-cache")
    except GitError:
        return None


DOCUMENTS_EXTRA = "managed-contact[documents]"


def documents_missing(exc: ModuleNotFoundError, command: str) -> ModuleNotFoundError | McrError:
    """What to say when the `documents` extra is not installed (else the error as it is)."""
    if (exc.name or "").partition(".")[0] not in ("icalendar", "docx", "docxtpl"):
        return exc
    return McrError(
        f"mcr {command} needs the 'documents' extra, and {exc.name} is not installed: "
        f"pip install '{DOCUMENTS_EXTRA}'"
    )


def day_from(value: str, option: str, *, not_after: date | None = None) -> date:
    """A date option's value: written YYYY-MM-DD, real, in the register's window and (with
    `not_after`) not after that day; a usage error naming the option otherwise."""
    try:
        day = parse_day(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None
    if not_after is not None and day > not_after:
        raise click.BadParameter(f"{day} is after today ({not_after})", param_hint=option)
    return day
