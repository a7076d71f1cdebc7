"""`mcr new`: the next free case file, its key made, ready to fill in with `mcr edit`."""

from __future__ import annotations

from pathlib import Path

import click

from ..register.snapshot import demo_keystore
from ..sealing.keystore import creating_keystore
from .options import (
    handle_errors,
    keystore_option,
    register_option,
    register_root,
    today_from,
    today_option,
)


@click.command()
@register_option
@keystore_option
@today_option
@handle_errors
def new(register_dir: Path | None, keystore_spec: str | None, today: str | None) -> None:
    """Create the next free case file and its key, with the schema modeline, sealed.

    Fill it in with 'mcr edit CASE'. Keep to what staff need to know (data minimisation).
    """
    from ..register.scaffold import scaffold

    root = register_root(register_dir)
    keystore = creating_keystore(keystore_spec, root, demo_keystore(root))
    path = scaffold(root / "cases", today_from(today), keystore)
    click.echo(
        f"created {path.relative_to(root).as_posix()}; fill it in with: mcr edit {path.stem}"
    )
