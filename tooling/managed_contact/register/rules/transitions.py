"""Transitions (§6, §7): a case moves only as the lifecycle in policy/transitions.yaml allows.

The moves (into stage 1 or stage 2, to dormant, and out of dormant again) are derived from the
case's history by `lifecycle.derive`; every move the lifecycle does not allow is reported
(MC342). A dormant case is reopened only while its record may still be kept: once its deletion
has fallen due (§7, with no legal hold open), recommenced conduct is a new case (MC345).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lifecycle import DE_ESCALATION
from .rule import E, Rule

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (
    Rule(
        "MC342",
        E,
        "Only the lifecycle's transitions (policy/transitions.yaml, and a stage 2 review "
        "continuing at stage 1 where the council allows it).",
    ),
    Rule(
        "MC345",
        E,
        "A dormant case is reopened only before its deletion falls due; after it, conduct that "
        "recommences is a new case (§7).",
    ),
)


def check(cx: CaseContext) -> None:
    """Every move the case made that the lifecycle does not allow."""
    for step in cx.status.steps:
        if not step.allowed:
            before = "a new case" if step.before == "new" else step.before
            why = (
                "the council has not chosen to allow it (policy/settings.yaml "
                "choices.stage_2_review_may_continue_at_stage_1)"
                if (step.before, step.after, step.event) == DE_ESCALATION
                else "policy/transitions.yaml does not allow it"
            )
            cx.report(
                step.path,
                "MC342",
                f"{step.entry} ({step.event}) cannot move {before} to {step.after}: {why}",
            )
    for step, due in cx.status.reopened_after_deletion_due:
        cx.report(
            step.path,
            "MC345",
            f"decision {step.entry} reopens a dormant case on {step.day}, after its deletion fell "
            f"due on {due} (§7: the record should by then be deleted): open a new case for the "
            "recommenced conduct (mcr new), or record the legal hold that kept this one",
        )
