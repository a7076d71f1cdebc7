"""`mcr demo-repo`: the demo register replayed as a repository of signed commits."""

from __future__ import annotations

from pathlib import Path

import click

from .options import handle_errors, register_option, register_root


@click.command("demo-repo")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@register_option
@handle_errors
def demo_repo(directory: Path, register_dir: Path | None) -> None:
    """Build a git repository in DIRECTORY replaying the register's cases as signed commits.

    Fictional demo SSH keys are made for the approvers (kept in DIRECTORY/.git/demo-keys/);
    afterwards `mcr check --base <first commit>` in DIRECTORY passes on real signatures.
    """
    from ..changes.demo import build_demo

    made = build_demo(register_root(register_dir), directory)
    click.echo(f"built {made.path} with {made.commits} commits")
    click.echo(f"first commit: {made.first_commit}")
    click.echo(f"check it with: mcr check --register {made.path} --base {made.first_commit}")
