"""`mcr audit`: who approved each step of a case, on what evidence, and the verdict."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ExitCode
from .options import format_option, handle_errors, register_root, signature_cache_dir
from .progress import progress_bar


@click.command()
@click.argument("case_id")
@click.option(
    "--register",
    "--repo",
    "register_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The register directory, in its git repository (default: the one containing the "
    "current directory).",
)
@click.option(
    "--rev",
    "rev",
    metavar="REV",
    default="main",
    show_default=True,
    help="The branch whose first-parent history is read: each step of it is one change.",
)
@click.option(
    "--approvals",
    "approvals_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The forge's merge-request approvals as JSON (as `mcr check --base` takes them), "
    "counted for the change that ends at --rev.",
)
@format_option
@handle_errors
def audit(
    case_id: str, register_dir: Path | None, rev: str, approvals_file: Path | None, fmt: str
) -> None:
    """The audit trail of CASE_ID: for every decision, recommendation, review, challenge
    outcome, correction and deletion, the commit that introduced it, who signed it (person,
    role, key), the forge approvals counted and the verdict the change rules gave, judged on
    the registry before the change.

    Ids, dates, commits and keys only: no personal value. Exit 1 if an entry's approval was
    refused, or CASE_ID is in no version of the history.
    """
    from ..changes.approvals import read_merge_request_approvals
    from ..documents.audit import audit_case, audit_json, audit_text

    root = register_root(register_dir)
    merge_request = (
        read_merge_request_approvals(approvals_file) if approvals_file is not None else None
    )
    with progress_bar() as bar:
        trail = audit_case(
            root,
            case_id,
            rev,
            merge_request=merge_request,
            cache_dir=signature_cache_dir(root),
            progress=bar,
        )
    click.echo(audit_json(trail) if fmt == "json" else audit_text(trail))
    refused = any(e.verdict == "refused" for e in trail.entries)
    sys.exit(ExitCode.FINDINGS if refused else ExitCode.OK)
