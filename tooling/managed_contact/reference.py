"""Reference pages generated from the code itself, so they cannot drift: the CLI and the rules."""

from __future__ import annotations

import click

from .changes import ALL_RULES
from .rules import Rule


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


def rules_markdown(rules: dict[str, Rule] | None = None) -> str:
    """The rule catalogue as a Markdown table."""
    lines = [
        "# Rules",
        "",
        "Every finding names one of these rules. Errors fail `mcr check`; warnings are reported "
        "and do not, except that overdue reviews and deletions (MC350, MC352) are errors with "
        "`--strict-dates`, in the scheduled run. MC4xx rules judge a change (`mcr check --base`).",
        "",
        "| Rule | Severity | What it requires |",
        "|---|---|---|",
    ]
    for rule in sorted((rules or ALL_RULES).values(), key=lambda r: r.id):
        summary = rule.summary.replace("|", "\\|")
        lines.append(f"| {rule.id} | {rule.severity.value} | {summary} |")
    return "\n".join(lines) + "\n"


def reference_pages() -> dict[str, str]:
    """The generated reference pages, by their path in the site."""
    from .cli import main

    return {"reference/cli.md": cli_markdown(main), "reference/rules.md": rules_markdown()}
