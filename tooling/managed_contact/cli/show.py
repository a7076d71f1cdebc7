"""`mcr show`: one case's state, dates, measures and history, in plain words."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import ExitCode, UnknownCase
from ..register.check import run_check
from ..register.snapshot import CASE_NAME
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
)
from .seal import require_keystore


class NotACase(UnknownCase):
    """`mcr show` on an id no case file carries: a finding, not a usage error."""

    exit_code = ExitCode.FINDINGS


@click.command()
@click.argument("case_id")
@click.option(
    "--reveal",
    is_flag=True,
    help="Also show personal values: name, contact details, times, premises, free text "
    "(needs the keystore). Without it they show as 'sealed'.",
)
@register_option
@keystore_option
@today_option
@format_option
@handle_errors
def show(
    case_id: str,
    reveal: bool,
    register_dir: Path | None,
    keystore_spec: str | None,
    today: str | None,
    fmt: str,
) -> None:
    """Show a case's derived state, dates, measures, what front-line staff do (as the site's
    case page says it), open challenges and history, in plain words.

    Personal values show as 'sealed' unless --reveal is given. Exit 1 if CASE_ID is not a case.
    """
    root = register_root(register_dir)
    path = root / "cases" / f"{case_id}.yaml"
    if not CASE_NAME.match(path.name):
        raise NotACase(
            f"{case_id} is not a case id: case ids look like MC-2026-0001. To find a case by "
            "the customer's name, use: mcr find NAME"
        )
    if not path.is_file():
        raise NotACase(
            f"no case {case_id}: there is no cases/{case_id}.yaml (it may have been deleted at "
            "the end of retention: see cases/deletions.yaml). To find a case by the customer's "
            "name, use: mcr find NAME"
        )
    day = today_from(today)
    keys = require_keystore(root, keystore_spec, "for --reveal").get if reveal else None
    result = run_check(root, day, only=[path], keys=keys)
    loaded = result.register.case(case_id)
    if loaded is None or result.index is None:
        fail_with(result.findings.sorted(), 1)
    status = result.statuses[case_id]
    if fmt == "json":
        click.echo(
            json.dumps(
                report.show_data(loaded.case, status, result.index, day, reveal=reveal), indent=2
            )
        )
    else:
        click.echo(report.show_text(loaded.case, status, result.index, day, reveal=reveal))
