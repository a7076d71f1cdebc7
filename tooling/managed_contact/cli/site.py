"""`mcr build` and `mcr serve`: the internal site, with the command reference handed to it."""

from __future__ import annotations

from pathlib import Path

import click

from .options import handle_errors, register_option, register_root, today_from, today_option
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
@handle_errors
def build(output: Path | None, register_dir: Path | None, today: str | None) -> None:
    """Build the internal site (Part A, the register, case pages, dashboard) into public/."""
    from ..site.build import build_site

    root = register_root(register_dir)
    target = build_site(root, output or root / "public", today_from(today), _reference())
    click.echo(f"site built in {target}")


@click.command()
@click.option(
    "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on."
)
@register_option
@today_option
@handle_errors
def serve(dev_addr: str, register_dir: Path | None, today: str | None) -> None:
    """Serve the site locally with live reload while you edit cases or pages."""
    from ..site.build import serve_site

    serve_site(register_root(register_dir), today_from(today), dev_addr, _reference())
