"""The right to challenge: a decision reviewed by a senior officer not involved in it.

The published policy gives no right of appeal (§7); policy/settings.yaml adds a right to
challenge, after the Local Government and Social Care Ombudsman's guidance. The customer may
challenge a decision, or a review outcome that keeps or raises the arrangement (continue,
escalate): both apply restrictions, and the letter telling of either says how to challenge. A
review that closes the case applies none, so it cannot be challenged (MC374). Challenges are
received only while the right is on (MC371: a challenge received before the right was turned off
stands); a challenge is decided by a senior officer (MC372)
who was not involved in what is challenged (MC370: its decider, business-case author and
recommender, or its reviewers, and the signer of its letter where the council counts that); and
a decided challenge has its decider, date and outcome together (MC373). Measures on an outcome
other than 'varied' are reported under MC103 (owned by `well_formed`), and dates out of order
under MC340 (owned by `chronology`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Decision, Review
from .rule import E, Rule

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (
    Rule("MC370", E, "A challenge is decided by an officer not involved in the decision."),
    Rule(
        "MC371",
        E,
        "Challenges are received only while the right to challenge is on: none on or after "
        "the day it was turned off.",
    ),
    Rule("MC372", E, "A challenge is decided by a senior officer."),
    Rule("MC373", E, "A decided challenge has its decider, date and outcome together."),
    Rule(
        "MC374",
        E,
        "A challenge is against a decision or a review that continued or escalated the "
        "arrangement, not one that closed it.",
    ),
)


def check(cx: CaseContext) -> None:
    """Every challenge: whether it may be recorded, who decided it and what it records."""
    ix = cx.index
    settings = cx.policy.settings
    on = settings.right_to_challenge
    decisions = {d.id: d for d in cx.case.decisions}
    reviews = {r.id: r for r in cx.case.reviews}
    signer_involved = settings.choices.letter_signer_is_involved
    for i, ch in enumerate(cx.case.challenges):
        path = ("challenges", i)
        if not on and ch.received >= settings.right_to_challenge_since:
            cx.report(
                path,
                "MC371",
                f"challenge {ch.id} is received on {ch.received}, while the right to challenge "
                f"is off (since {settings.right_to_challenge_since}, policy/settings.yaml)",
            )
        parts = [ch.decided_by is not None, ch.decided is not None, ch.outcome is not None]
        if any(parts) and not all(parts):
            cx.report(
                path,
                "MC373",
                f"challenge {ch.id}: record 'decided_by', 'decided' "
                "and 'outcome' together once it is decided",
            )
        if ch.measures is not None and ch.outcome != "varied":
            cx.report(
                (*path, "measures"),
                "MC103",
                "'measures' applies only to a varied challenge outcome",
            )
        subject = decisions.get(ch.against) or reviews.get(ch.against)
        involved: set[str] = set()
        if subject is not None:
            kind = "review" if isinstance(subject, Review) else "decision"
            if ch.received < subject.date:
                cx.report(
                    (*path, "received"),
                    "MC340",
                    f"challenge {ch.id} is received before {kind} {subject.id} was made",
                )
            involved = _involved(cx, subject, signer_involved)
            if isinstance(subject, Review) and subject.outcome == "close":
                cx.report(
                    (*path, "against"),
                    "MC374",
                    f"review {ch.against} closed the case, so it applies no restriction to "
                    "challenge: a challenge is against a decision or a review that continued or "
                    "escalated the arrangement",
                )
        if ch.decided is not None and ch.decided < ch.received:
            cx.report(
                (*path, "decided"),
                "MC340",
                f"challenge {ch.id} is decided before it was received",
            )
        if ch.decided_by is None or ch.decided is None:
            continue
        if ch.decided_by in involved:
            cx.report(
                (*path, "decided_by"),
                "MC370",
                f"'{ch.decided_by}' was involved in {ch.against}; a challenge is decided by a "
                "senior officer who was not",
            )
        if not ix.approves("challenge", [ch.decided_by], ch.decided, cx.case.scope.services):
            cx.report(
                (*path, "decided_by"),
                "MC372",
                f"'{ch.decided_by}' was not a senior officer on {ch.decided}",
            )


def _involved(cx: CaseContext, subject: Decision | Review, signer_involved: bool) -> set[str]:
    """Who took part in the decision or review `subject`: its decider, business-case author and
    recommender, or its reviewers; and, where the council counts it
    (`letter_signer_is_involved`), whoever signed a letter telling the customer of it."""
    if isinstance(subject, Review):
        people = set(subject.reviewed_by)
    else:
        people = {subject.decided_by}
        if subject.business_case:
            people.add(subject.business_case.author)
        if subject.recommendation:
            people.add(subject.recommendation.by)
    if signer_involved:
        people.update(x.sent_by for x in cx.case.letters if x.about == subject.id)
    return people
