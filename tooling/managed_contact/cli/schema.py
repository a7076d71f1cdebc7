"""`mcr schema`: the published JSON Schemas, checked or regenerated from the models."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ExitCode
from .options import handle_errors, register_option, register_root


@click.command()
@click.option("--write", is_flag=True, help="Regenerate the files instead of checking them.")
@register_option
@handle_errors
def schema(write: bool, register_dir: Path | None) -> None:
    """Check (or --write) schemas/*.schema.json against the models they come from."""
    from ..register import schema as schemas

    root = register_root(register_dir)
    if write:
        for name in schemas.write(root):
            click.echo(f"wrote {name}")
        return
    stale = schemas.drift(root)
    for name in stale:
        click.echo(f"{name}: out of date with the models; run `mcr schema --write`")
    sys.exit(ExitCode.FINDINGS if stale else ExitCode.OK)
