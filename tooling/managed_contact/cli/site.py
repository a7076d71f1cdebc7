"""`mcr build` and `mcr serve`: the internal site, with the command reference handed to it."""

from __future__ import annotations

from pathlib import Path

import click

from .options import (
    handle_errors,
    keystore_for,
    keystore_option,
    register_option,
    register_root,
    today_from,
    today_option,
)
from .progress import progress_bar
from .reference import reference_pages


def _reference() -> dict[str, str]:
    """The command reference of the `mcr` group this command runs under."""
    root = click.get_current_context().find_root().command
    assert isinstance(root, click.Group)
    return reference_pages(root)


@click.command()
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the site (default: public/ in the register).",
)
@register_option
@today_option
@keystore_option
@handle_errors
def build(
    output: Path | None, register_dir: Path | None, today: str | None, keystore_spec: str | None
) -> None:
    """Build the internal site (Part A, the register, case pages, dashboard) into public/.

    The site shows customers' names, so it is built with the case keys; without them it stops
    (exit 2) rather than publish placeholders."""
    from ..site.build import build_site

    root = register_root(register_dir)
    keystore = keystore_for(root, keystore_spec)
    with progress_bar() as bar:
        target = build_site(
            root, output or root / "public", today_from(today), _reference(), keystore, bar
        )
    click.echo(f"site built in {target}")


@click.command()
@click.option(
    "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on."
)
@register_option
@today_option
@keystore_option
@handle_errors
def serve(
    dev_addr: str, register_dir: Path | None, today: str | None, keystore_spec: str | None
) -> None:
    """Serve the site locally with live reload while you edit cases or pages."""
    from ..site.build import serve_site

    root = register_root(register_dir)
    keystore = keystore_for(root, keystore_spec)
    serve_site(root, today_from(today), dev_addr, _reference(), keystore)
