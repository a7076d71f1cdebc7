"""`mcr signers`: allowed_signers and CODEOWNERS written from the people registry."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ExitCode
from .options import (
    fail_with,
    handle_errors,
    register_option,
    register_root,
    today_from,
    today_option,
)


@click.command()
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
@handle_errors
def signers(
    output_dir: Path | None, check_only: bool, register_dir: Path | None, today: str | None
) -> None:
    """Write allowed_signers (keys with validity windows) and CODEOWNERS from the registry."""
    from ..changes.signers import signers_files, stale_files, write_files
    from ..register.snapshot import load_policy

    root = register_root(register_dir)
    policy, _, problems = load_policy(root)
    if policy is None:
        fail_with(problems, 0)
    generated = signers_files(policy, today_from(today))
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
