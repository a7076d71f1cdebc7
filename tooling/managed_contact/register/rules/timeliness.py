"""Timeliness (§7): reviews and deletions happen when they are due.

Reviews take place no later than every six months and are not overdue (MC350) or held late (MC351);
dormant cases are deleted 12 months after moving to dormant, unless a legal hold is open (MC352);
activity within the 12 months starts them again, activity after them does not. The periods come from
policy/periods.yaml. Overdue reviews and deletions are warnings in a normal check and errors in the
scheduled one (`strict_dates`), so an old, unrelated item never blocks someone else's merge request
but never goes unnoticed either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .rule import Rule, W

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (
    Rule("MC350", W, "Reviews are not overdue (§7); an error in the scheduled check."),
    Rule("MC351", W, "Reviews were held on time (§7)."),
    Rule("MC352", W, "Dormant cases are deleted when due (§7); an error in the scheduled check."),
)

#: Overdue reviews and deletions: errors, not warnings, in the scheduled check.
STRICT_DATE_ERRORS = ("MC350", "MC352")


def check(cx: CaseContext) -> None:
    """Late reviews, an overdue review and an overdue deletion."""
    st = cx.status
    for timing in st.reviews:
        if timing.late:
            cx.report(
                timing.path,
                "MC351",
                f"review {timing.entry} was held on "
                f"{timing.held}, after it was due on {timing.due} (§7)",
            )
    if st.next_review_due is not None and st.next_review_due < cx.today:
        days = (cx.today - st.next_review_due).days
        # Point at the decision or review the next review is due from.
        since = [s for s in st.steps if s.allowed and s.event != "challenge-upheld"][-1]
        cx.report(
            since.path,
            "MC350",
            f"review overdue by {days} day(s): the review after {since.entry} was due "
            f"on {st.next_review_due} (§7); hold the review and record it",
        )
    if st.deletion_due is not None and st.deletion_due < cx.today and not st.open_holds:
        cx.report(
            ("id",),
            "MC352",
            f"dormant case past its deletion date ({st.deletion_due}); contact after that "
            "date does not start the period again: delete the file and record it in "
            "cases/deletions.yaml, record a legal hold if it must be kept, or open a new case "
            "if the conduct has recommenced (§7)",
        )
