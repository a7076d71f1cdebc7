"""The `mcr` command reference, generated from the commands' own `--help` so it cannot drift.

The CLI hands this page to the site build (`site.build.build_site(..., pages=...)`): the site
never imports the command line.
"""

from __future__ import annotations

import click

CLI_PAGE = "reference/cli.md"


def cli_markdown(group: click.Group, prog: str = "mcr") -> str:
    """Every command's `--help`, as Markdown."""
    lines = [f"# `{prog}` command reference", ""]
    lines.append("Generated from the commands' own help at build time.")
    lines.append("")
    with click.Context(group, info_name=prog) as ctx:
        lines += ["```text", group.get_help(ctx), "```", ""]
        for name in sorted(group.list_commands(ctx)):
            command = group.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            with click.Context(command, info_name=name, parent=ctx) as sub:
                lines += [f"## `{prog} {name}`", "", "```text", command.get_help(sub), "```", ""]
    return "\n".join(lines)


def reference_pages(group: click.Group) -> dict[str, str]:
    """The pages the command line adds to the site: its own reference, from `--help`."""
    return {CLI_PAGE: cli_markdown(group)}
