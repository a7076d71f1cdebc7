"""Proportionality (§5, §6): managed contact comes after the service has tried other ways.

Before the first decision, adjustments to the service have been considered (§6; MC301) and the
service has tried to resolve the customer's concerns (§5; MC302).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .rule import E, Rule

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (
    Rule("MC301", E, "Adjustments were considered before the first decision (§6)."),
    Rule(
        "MC302",
        E,
        "The service tried to resolve the concerns before the first decision (§5, §6).",
    ),
)


def check(cx: CaseContext) -> None:
    """Adjustments and a resolution attempt on or before the first decision."""
    if not cx.case.decisions:
        return
    first = min(cx.case.decisions, key=lambda d: d.date)
    index = cx.case.decisions.index(first)
    if not any(a.date <= first.date for a in cx.case.adjustments):
        cx.report(
            ("decisions", index),
            "MC301",
            f"no adjustment to the service is recorded "
            f"on or before the first decision ({first.date}): record the adjustments "
            "considered under 'adjustments' (§6)",
        )
    if not any(a.date <= first.date for a in cx.case.resolution_attempts):
        cx.report(
            ("decisions", index),
            "MC302",
            "no attempt by the service to resolve the "
            f"customer's concerns is recorded on or before {first.date}: record it "
            "under 'resolution_attempts' (§5, §6)",
        )
