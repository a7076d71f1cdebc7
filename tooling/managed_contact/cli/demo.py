"""`mcr demo-repo`: the demo register replayed as a repository of signed, sealed commits."""

from __future__ import annotations

from pathlib import Path

import click

from .options import (
    handle_errors,
    register_option,
    register_root,
    today_from,
    today_option,
)


@click.command("demo-repo")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@register_option
@today_option
@handle_errors
def demo_repo(directory: Path, register_dir: Path | None, today: str | None) -> None:
    """Build a git repository in DIRECTORY replaying the register's cases as signed commits.

    Fictional demo SSH keys are made for the approvers (kept in DIRECTORY/.git/demo-keys/).
    Every version is sealed with case keys kept in DIRECTORY/.git/mcr-keys/, never committed.
    The history ends with a fictional case deleted when due and its key shredded. Afterwards
    `mcr check --base <first commit>` in DIRECTORY passes on real signatures.
    """
    from ..casework.demo import make_demo

    made = make_demo(register_root(register_dir), directory, today_from(today))
    click.echo(f"built {made.path} with {made.commits} commits")
    click.echo(f"first commit: {made.first_commit}")
    if made.retiring:
        click.echo(f"deleted {made.retiring} when due, and shredded its key")
    click.echo(f"keys: {made.keystore} (outside the history: never commit them)")
    click.echo(f"check it with: mcr check --register {made.path} --base {made.first_commit}")
