"""Build valid case data in tests without repeating a whole case file each time."""

from __future__ import annotations

import copy
from typing import Any

LETTER_STATES = [
    "behaviour",
    "impact",
    "measures",
    "contact-routes",
    "dates",
    "statutory-rights",
    "other-formats",
    "how-to-challenge",
    "lgsco",
]

BASE: dict[str, Any] = {
    "id": "MC-2026-0001",
    "opened": "2023-06-01",
    "customer": {"name": "Jordan Fictitious", "phone": "01632 960001"},
    "scope": {"council_wide": False, "services": ["council-tax"]},
    "incidents": [
        {
            "id": "I1",
            "date": "2023-06-01",
            "channel": "telephone",
            "service": "council-tax",
            "categories": ["shouting"],
            "staff_affected": "Two call handlers, Council Tax",
            "account": "Shouted at two call handlers about a closed query.",
        }
    ],
    "adjustments": [
        {
            "id": "A1",
            "date": "2023-06-02",
            "description": "Offered a weekly call.",
            "outcome": "declined",
        }
    ],
    "resolution_attempts": [
        {
            "id": "S1",
            "date": "2023-06-02",
            "service": "council-tax",
            "description": "Final-position letter.",
        }
    ],
}


def decision(entry: str, day: str, stage: int = 1, **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": entry,
        "date": day,
        "stage": stage,
        "decided_by": "hugo-barrett" if stage == 1 else "david-renshaw",
        "conduct": ["shouting"],
        "reason": "Shouting at call handlers.",
        "measures": [{"measure": "time-limits", "minutes": 15}],
        "crt_notified": day,
    }
    if stage == 2:
        found["business_case"] = {"author": "farid-qureshi", "date": day, "summary": "Needed."}
        found["recommendation"] = {"by": "ben-holloway", "date": day, "outcome": "approve"}
    found.update(extra)
    return found


def review(entry: str, day: str, outcome: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": entry,
        "date": day,
        "reviewed_by": ["amara-okafor", "hugo-barrett"],
        "outcome": outcome,
        "considerations": "Reviewed the contact since the decision.",
        **extra,
    }


def letter(entry: str, day: str, about: str, sent_by: str = "hugo-barrett") -> dict[str, Any]:
    return {
        "id": entry,
        "date": day,
        "about": about,
        "medium": "letter",
        "sent_by": sent_by,
        "states": list(LETTER_STATES),
    }


def challenge(
    entry: str,
    received: str,
    against: str = "D1",
    decided_by: str | None = None,
    decided: str | None = None,
    outcome: str = "not-upheld",
    **extra: Any,
) -> dict[str, Any]:
    """A challenge received on `received`; decided by `decided_by` on `decided`, when given."""
    found: dict[str, Any] = {
        "id": entry,
        "received": received,
        "against": against,
        "grounds": "The calls were about a new bill.",
    }
    if decided_by is not None:
        found.update(decided_by=decided_by, decided=decided, outcome=outcome)
    found.update(extra)
    return found


def case(**sections: Any) -> dict[str, Any]:
    """A valid base case with `sections` in place of its own: copies, so a test that changes the
    case it gets never changes an entry another test shares."""
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(sections))
    return data
