"""Reviews (§7): who reviews an arrangement, and what a review records.

A review is held by the Customer Relations Manager and a Senior Manager (MC315); a review that
continues the arrangement gives the new expiry date (MC344); and an escalation at review is
completed by a stage 2 decision (MC343). Values that only a continuing review takes are reported
under MC103 (owned by `well_formed`), and dates out of order under MC340 (owned by
`chronology`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .rule import E, Rule, W

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (
    Rule("MC315", E, "Reviews are by the Customer Relations Manager and a Senior Manager (§7)."),
    Rule("MC343", W, "An escalation at review is completed by a stage 2 decision."),
    Rule("MC344", E, "A review that continues the arrangement gives the new expiry date (§7)."),
)


def check(cx: CaseContext) -> None:
    """Reviewers, outcomes and what each outcome needs."""
    for i, rev in enumerate(cx.case.reviews):
        if not cx.index.approves("review", rev.reviewed_by, rev.date, cx.case.scope.services):
            cx.report(
                ("reviews", i, "reviewed_by"),
                "MC315",
                f"review {rev.id} needs the "
                "Customer Relations Manager and a Senior Manager (or above), each "
                f"holding that role on {rev.date} (§7)",
            )
        if rev.outcome == "continue" and rev.extend_to is None:
            cx.report(
                ("reviews", i),
                "MC344",
                f"review {rev.id} continues the arrangement: "
                "record the new expiry or extension date in 'extend_to' (§7)",
            )
        if rev.outcome != "continue":
            for key in ("extend_to", "stage", "measures"):
                if getattr(rev, key) is not None:
                    cx.report(
                        ("reviews", i, key),
                        "MC103",
                        f"'{key}' applies only to a "
                        f"review that continues the arrangement, not '{rev.outcome}'",
                    )
        if rev.extend_to is not None and rev.extend_to <= rev.date:
            cx.report(
                ("reviews", i, "extend_to"),
                "MC340",
                f"review {rev.id}: the new expiry date must be after the review",
            )
        if rev.outcome == "escalate":
            later = [d for d in cx.case.decisions if d.stage == 2 and d.date >= rev.date]
            if not later:
                cx.report(
                    ("reviews", i),
                    "MC343",
                    f"review {rev.id} escalated the case; "
                    "record the stage 2 decision (business case, recommendation, "
                    "final decision) to complete it",
                )
