"""Chronology: the dates in a case are in a possible order.

No date that records something that happened is in the future (MC341), and dates run in order
(MC340): the case is opened before its first decision, reviews follow a decision, and nothing
within an entry ends before it starts. MC340 is owned here; the other families report it as
well, for the dates they already look at (decisions, reviews, letters, challenges, police
reports, and roles and keys in the policy data).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..model import Case
from .rule import E, Rule

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (
    Rule("MC340", E, "Dates are in a consistent order."),
    Rule("MC341", E, "No date is in the future."),
)

#: (section, later field, earlier field, message): dates within one entry that must not run
#: backwards.
_ORDERED_FIELDS = (
    ("activity", "considered", "date", "activity {entry.id} is considered before it happened"),
    ("legal_holds", "end", "start", "legal hold {entry.id} ends before it starts"),
    ("councillors", "withdrawn", "date", "a choice cannot be withdrawn before it was made"),
)


def check(cx: CaseContext) -> None:
    """No date in the future; the case's own dates in order."""
    for path, day in _dated(cx.case):
        if day > cx.today:
            cx.report(path, "MC341", f"{day} is in the future (today is {cx.today})")
    first = min((d.date for d in cx.case.decisions), default=None)
    if first is not None and cx.case.opened > first:
        cx.report(("opened",), "MC340", "the case is opened after its first decision")
    for i, rev in enumerate(cx.case.reviews):
        if first is None or rev.date < first:
            cx.report(("reviews", i, "date"), "MC340", f"review {rev.id} comes before any decision")
    for section, later, earlier, message in _ORDERED_FIELDS:
        for i, entry in enumerate(getattr(cx.case, section)):
            end, start = getattr(entry, later), getattr(entry, earlier)
            if end is not None and end < start:
                cx.report((section, i, later), "MC340", message.format(entry=entry))
    for i, dec in enumerate(cx.case.decisions):
        if dec.expires is not None and dec.expires <= dec.date:
            cx.report(
                ("decisions", i, "expires"),
                "MC340",
                f"decision {dec.id} expires on or before the day it is made",
            )


def _dated(case: Case) -> list[tuple[tuple[str | int, ...], date]]:
    """Every date in the case that records something that happened."""
    found: list[tuple[tuple[str | int, ...], date]] = [(("opened",), case.opened)]
    for section in (
        "incidents",
        "adjustments",
        "resolution_attempts",
        "decisions",
        "reviews",
        "letters",
        "police_reports",
        "activity",
        "corrections",
        "councillors",
    ):
        for i, entry in enumerate(getattr(case, section)):
            found.append(((section, i, "date"), entry.date))
    for i, dec in enumerate(case.decisions):
        if dec.crt_notified:
            found.append((("decisions", i, "crt_notified"), dec.crt_notified))
        if dec.business_case:
            found.append((("decisions", i, "business_case", "date"), dec.business_case.date))
        if dec.recommendation:
            found.append((("decisions", i, "recommendation", "date"), dec.recommendation.date))
    for i, ch in enumerate(case.challenges):
        found.append((("challenges", i, "received"), ch.received))
        if ch.decided:
            found.append((("challenges", i, "decided"), ch.decided))
    for i, hold in enumerate(case.legal_holds):
        found.append((("legal_holds", i, "start"), hold.start))
    for i, act in enumerate(case.activity):
        if act.considered:
            found.append((("activity", i, "considered"), act.considered))
    for i, cc in enumerate(case.councillors):
        if cc.withdrawn:
            found.append((("councillors", i, "withdrawn"), cc.withdrawn))
    return found
