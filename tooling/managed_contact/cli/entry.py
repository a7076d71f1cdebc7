"""The `mcr` console script: sets up the process, then hands over to the command line."""

from __future__ import annotations

import os


def main() -> None:
    # mcr uses no pydantic plugins; looking for them scans every installed package's entry
    # points, a noticeable share of a one-case merge-request check. An explicit setting wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from .main import main as cli

    cli()
