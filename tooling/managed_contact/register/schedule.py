"""What is due: reviews, monitoring ends, deletions, reconsiderations, subject access request
deadlines (received + 1 calendar month) and open legal holds, soonest first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from .dates import add_months
from .lifecycle import Status
from .model import LegalHold

Kind = Literal[
    "review", "monitoring-end", "deletion", "reconsideration", "sar-deadline", "legal-hold"
]
#: A subject access request is answered within one calendar month of receipt (UK GDPR Art. 12).
SAR_MONTHS = 1
SAR_REASON = "subject-access-request"

_LABELS: dict[str, str] = {
    "review": "review due",
    "monitoring-end": "monitoring period ends",
    "deletion": "deletion due",
    "reconsideration": "activity while dormant: consider urgently (§7)",
    "sar-deadline": "subject access request: reply due",
    "legal-hold": "legal hold open: no deletion or shredding",
}


@dataclass(frozen=True, order=True)
class DueItem:
    """One thing that falls due for one case."""

    due: date
    case_id: str
    kind: Kind
    overdue: bool
    note: str = ""

    @property
    def label(self) -> str:
        return _LABELS[self.kind]


def sar_deadline(hold: LegalHold) -> date | None:
    """When the reply to a subject access request recorded as `hold` is due (else None)."""
    return add_months(hold.start, SAR_MONTHS) if hold.reason == SAR_REASON else None


def open_holds(holds: Sequence[LegalHold], today: date) -> list[LegalHold]:
    """The holds still open on `today`."""
    return [h for h in holds if h.start <= today and (h.end is None or h.end >= today)]


def due_items(
    statuses: Mapping[str, Status],
    today: date,
    within_days: int,
    holds: Mapping[str, Sequence[LegalHold]] | None = None,
) -> list[DueItem]:
    """Items due on or before `today + within_days`, overdue ones included, soonest first.

    With `holds` (each case's legal holds), every open hold is listed (dated from its start)
    and an open subject access request's reply deadline too."""
    horizon = today + timedelta(days=within_days)
    items: list[DueItem] = []
    for case_id, st in statuses.items():
        candidates: list[tuple[Kind, date | None, str]] = []
        if st.active:
            candidates.append(("review", st.next_review_due, ""))
            if st.state == "stage-1":
                candidates.append(("monitoring-end", st.expires, ""))
        if st.state == "dormant":
            note = f"blocked by legal hold {', '.join(st.open_holds)}" if st.open_holds else ""
            candidates.append(("deletion", st.deletion_due, note))
            if st.unconsidered_activity is not None:
                candidates.append(("reconsideration", st.unconsidered_activity, ""))
        for kind, day, note in candidates:
            if day is not None and day <= horizon:
                items.append(DueItem(day, case_id, kind, day < today and not note, note))
    for case_id, case_holds in (holds or {}).items():
        for hold in open_holds(case_holds, today):
            note = f"{hold.id}, {hold.reason}, since {hold.start}"
            items.append(DueItem(hold.start, case_id, "legal-hold", False, note))
            deadline = sar_deadline(hold)
            if deadline is not None and deadline <= horizon:
                note = f"{hold.id}, received {hold.start}"
                items.append(DueItem(deadline, case_id, "sar-deadline", deadline < today, note))
    return sorted(items)
