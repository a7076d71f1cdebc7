"""What is due: reviews, monitoring ends, deletions and reconsiderations, soonest first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from .lifecycle import Status

Kind = Literal["review", "monitoring-end", "deletion", "reconsideration"]

_LABELS: dict[str, str] = {
    "review": "review due",
    "monitoring-end": "monitoring period ends",
    "deletion": "deletion due",
    "reconsideration": "activity while dormant: consider urgently (§7)",
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


def due_items(statuses: Mapping[str, Status], today: date, within_days: int) -> list[DueItem]:
    """Items due on or before `today + within_days`, overdue ones included, soonest first."""
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
    return sorted(items)
