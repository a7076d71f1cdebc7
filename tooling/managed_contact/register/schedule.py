"""What is due: reviews, monitoring ends, deletions, reconsiderations, escalations awaiting a
stage 2 decision, subject access request deadlines (received + 1 calendar month), open legal
holds and open challenges, soonest first; and the headings they are listed under, as on the
dashboard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from .dates import add_months
from .lifecycle import Status
from .model import Challenge, LegalHold

Kind = Literal[
    "review",
    "monitoring-end",
    "deletion",
    "reconsideration",
    "escalation",
    "sar-deadline",
    "legal-hold",
    "challenge",
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
    "escalation": "escalated at review: a stage 2 decision is awaited",
    "challenge": "challenge open: to be decided by a senior officer not involved",
}

#: The headings `mcr due` lists items under, in the dashboard's order: for each kind, the
#: heading of its overdue items and of the others ({days}: how far ahead it looks).
HEADINGS: tuple[tuple[Kind, str, str], ...] = (
    ("review", "Reviews overdue", "Reviews due within {days} days"),
    ("monitoring-end", "Monitoring periods ended", "Monitoring periods ending within {days} days"),
    ("deletion", "Deletions overdue", "Deletions due within {days} days"),
    ("reconsideration", "Activity while dormant: consider urgently (section 7)", ""),
    ("escalation", "Escalations pending: a stage 2 decision is awaited", ""),
    ("legal-hold", "Legal holds open: no deletion or shredding", ""),
    (
        "sar-deadline",
        "Subject access replies overdue",
        "Subject access replies due within {days} days",
    ),
    ("challenge", "Open challenges: awaiting a decision by a senior officer not involved", ""),
)
#: Where a deletion held back by a legal hold is listed.
BLOCKED = "Deletions held back by a legal hold"


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

    def heading(self, within_days: int) -> str:
        """The heading `mcr due` lists this item under."""
        if self.kind == "deletion" and self.note and not self.overdue:
            return BLOCKED
        for kind, overdue, soon in HEADINGS:
            if kind == self.kind:
                return overdue if self.overdue or not soon else soon.format(days=within_days)
        raise AssertionError(self.kind)  # pragma: no cover - every kind has a heading


def headings(within_days: int) -> list[str]:
    """Every heading, in the order `mcr due` lists them."""
    out: list[str] = []
    for kind, overdue, soon in HEADINGS:
        out.append(overdue)
        if soon:
            out.append(soon.format(days=within_days))
        if kind == "deletion":
            out.append(BLOCKED)
    return out


def grouped(items: Sequence[DueItem], within_days: int) -> list[tuple[str, list[DueItem]]]:
    """The items under their headings, in the headings' order; only headings with items."""
    by_heading: dict[str, list[DueItem]] = {}
    for item in items:
        by_heading.setdefault(item.heading(within_days), []).append(item)
    return [(h, by_heading[h]) for h in headings(within_days) if h in by_heading]


def open_challenges(challenges: Sequence[Challenge]) -> list[Challenge]:
    """The challenges with no outcome recorded yet."""
    return [c for c in challenges if c.outcome is None]


def escalated_on(status: Status) -> date | None:
    """The day of the review that escalated the case, while a stage 2 decision is awaited."""
    if not status.escalation_pending:
        return None
    days = [s.day for s in status.steps if s.event == "review-escalate" and s.allowed]
    return days[-1] if days else None


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
    challenges: Mapping[str, Sequence[Challenge]] | None = None,
) -> list[DueItem]:
    """Items due on or before `today + within_days`, overdue ones included, soonest first.

    With `holds` (each case's legal holds), every open hold is listed (dated from its start)
    and an open subject access request's reply deadline too; with `challenges` (each case's
    challenges), every open challenge (dated from its receipt). An escalation awaiting its
    stage 2 decision is always listed, dated from the review."""
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
        escalated = escalated_on(st)
        if escalated is not None:
            items.append(DueItem(escalated, case_id, "escalation", False, f"since {escalated}"))
    for case_id, case_holds in (holds or {}).items():
        for hold in open_holds(case_holds, today):
            note = f"{hold.id}, {hold.reason}, since {hold.start}"
            items.append(DueItem(hold.start, case_id, "legal-hold", False, note))
            deadline = sar_deadline(hold)
            if deadline is not None and deadline <= horizon:
                note = f"{hold.id}, received {hold.start}"
                items.append(DueItem(deadline, case_id, "sar-deadline", deadline < today, note))
    for case_id, case_challenges in (challenges or {}).items():
        for challenge in open_challenges(case_challenges):
            note = f"{challenge.id} against {challenge.against}, received {challenge.received}"
            items.append(DueItem(challenge.received, case_id, "challenge", False, note))
    return sorted(items)
