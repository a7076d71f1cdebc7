"""`mcr new`: the next free case file, ready to fill in."""

from __future__ import annotations

from pathlib import Path

import click

from .options import handle_errors, register_option, register_root, today_from, today_option


@click.command()
@register_option
@today_option
@handle_errors
def new(register_dir: Path | None, today: str | None) -> None:
    """Create the next free case file, with the schema modeline, ready to fill in."""
    from ..register.scaffold import scaffold

    root = register_root(register_dir)
    path = scaffold(root / "cases", today_from(today))
    click.echo(f"created {path.relative_to(root).as_posix()}")
