"""The rule catalogue as a site page, generated from the code itself so it cannot drift."""

from __future__ import annotations

from ..changes.check import ALL_RULES
from ..register.policy import Choices, Policy
from ..register.rules import Rule
from .fields import FIELDS_PAGE, fields_markdown

RULES_PAGE = "reference/rules.md"
#: How the page marks a rule that needs the keystore (`Rule.needs_keys`).
NEEDS_KEYS_MARK = "(needs the keystore)"


#: The heading of the Rules page's list of the council's choices.
CHOICES_HEADING = "## The council's choices"


def _yes(value: bool) -> str:
    return "Yes" if value else "No"


def choices_markdown(policy: Policy) -> str:
    """The choices the policy leaves to the council, with the values this register has made."""
    settings = policy.settings
    since = settings.right_to_challenge_since
    lines = [
        CHOICES_HEADING,
        "",
        "The policy leaves these to the council. Each is a setting in `policy/settings.yaml`, "
        "with the reasoning beside it; changing one, in a reviewed merge request, changes what "
        "the checks require.",
        "",
        "| The choice | This register | Default | Setting |",
        "|---|---|---|---|",
        "| May the customer ask for a decision or review outcome to be reviewed by a senior "
        f"officer not involved in it (a right to challenge)? | {_yes(settings.right_to_challenge)}"
        f" (since {since}) | Yes | `right_to_challenge` |",
    ]
    for name, field in Choices.model_fields.items():
        question = (field.description or name).replace("|", "\\|")
        now = _yes(getattr(settings.choices, name))
        lines.append(f"| {question} | {now} | {_yes(bool(field.default))} | `choices.{name}` |")
    return "\n".join(lines) + "\n"


def rules_markdown(rules: dict[str, Rule] | None = None, policy: Policy | None = None) -> str:
    """The rule catalogue as a Markdown table, and the council's choices where `policy` is
    given."""
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
    page = "\n".join(lines) + "\n"
    return page if policy is None else page + "\n" + choices_markdown(policy)


def reference_pages(policy: Policy) -> dict[str, str]:
    """The generated reference pages the site makes itself, by their path in the site."""
    return {RULES_PAGE: rules_markdown(policy=policy), FIELDS_PAGE: fields_markdown(policy)}
