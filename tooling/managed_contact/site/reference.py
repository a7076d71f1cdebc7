"""The rule catalogue as a site page, generated from the code itself so it cannot drift."""

from __future__ import annotations

from ..changes.check import ALL_RULES
from ..register.rules import Rule

RULES_PAGE = "reference/rules.md"
#: How the page marks a rule that needs the keystore (`Rule.needs_keys`).
NEEDS_KEYS_MARK = "(needs the keystore)"


def rules_markdown(rules: dict[str, Rule] | None = None) -> str:
    """The rule catalogue as a Markdown table."""
    lines = [
        "# Rules",
        "",
        "Every finding names one of these rules. Errors fail `mcr check`; warnings are reported "
        "and do not, except that overdue reviews and deletions (MC350, MC352) are errors with "
        "`--strict-dates`, in the scheduled run. MC4xx rules judge a change (`mcr check --base`).",
        "",
        "Every rule runs without keys, on the sealed files as committed, except those marked "
        f"{NEEDS_KEYS_MARK}: they read personal text, so they run only where the keystore is at "
        "hand, and a check without it says which cases they skipped.",
        "",
        "| Rule | Severity | What it requires |",
        "|---|---|---|",
    ]
    for rule in sorted((rules or ALL_RULES).values(), key=lambda r: r.id):
        summary = rule.summary.replace("|", "\\|")
        if rule.needs_keys:
            summary += f" {NEEDS_KEYS_MARK}"
        lines.append(f"| {rule.id} | {rule.severity.value} | {summary} |")
    return "\n".join(lines) + "\n"


def reference_pages() -> dict[str, str]:
    """The generated reference pages the site makes itself, by their path in the site."""
    return {RULES_PAGE: rules_markdown()}
