"""The lifecycle: a case's state and dates, derived from its dated history.

Nothing here is stored in the case file. The history (decisions, reviews, upheld challenges) is
replayed in date order against the transitions in `policy/transitions.yaml`; each step either is
an allowed move or is reported as a `Step` with `allowed=False`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from .dates import add_months
from .model import Case, Challenge, Decision, Measure, Review
from .policy import Policy

State = Literal["new", "stage-1", "stage-2", "dormant"]

STATE_WORDS: dict[str, str] = {
    "new": "open, no decision yet",
    "stage-1": "stage 1 (warning and monitoring)",
    "stage-2": "stage 2 (managed contact)",
    "dormant": "dormant (closed)",
}
"""Each state in plain words, as the command line and the site say it."""
ACTIVE: tuple[State, ...] = ("stage-1", "stage-2")


@dataclass(frozen=True)
class Step:
    """One event in the history and the move it made."""

    day: date
    entry: str
    path: tuple[str | int, ...]
    event: str
    before: State
    after: State
    allowed: bool


@dataclass(frozen=True)
class ReviewTiming:
    """When a review was due and when it happened."""

    entry: str
    path: tuple[str | int, ...]
    due: date
    held: date

    @property
    def late(self) -> bool:
        return self.held > self.due


@dataclass
class Status:
    """A case's derived state and dates, as of the history recorded."""

    state: State = "new"
    since: date | None = None
    decision: Decision | None = None
    measures: tuple[Measure, ...] = ()
    expires: date | None = None
    next_review_due: date | None = None
    escalation_pending: bool = False
    dormant_since: date | None = None
    last_activity: date | None = None
    unconsidered_activity: date | None = None
    deletion_due: date | None = None
    open_holds: tuple[str, ...] = ()
    steps: list[Step] = field(default_factory=list)
    reviews: list[ReviewTiming] = field(default_factory=list)
    highest_stage: int = 0
    #: Decisions that reopened a dormant case after its deletion fell due: (step, due date).
    reopened_after_deletion_due: list[tuple[Step, date]] = field(default_factory=list)

    @property
    def stage(self) -> int | None:
        return {"stage-1": 1, "stage-2": 2}.get(self.state)

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


# Order of events on the same day: an escalation at review, then the decision it leads to, then
# other reviews of that decision, then challenge outcomes.
_ORDER = {"escalate": 0, "decision": 1, "review": 2, "challenge": 3}


def _events(case: Case) -> list[tuple[date, int, int, str, Decision | Review | Challenge]]:
    events: list[tuple[date, int, int, str, Decision | Review | Challenge]] = []
    for i, decision in enumerate(case.decisions):
        events.append((decision.date, _ORDER["decision"], i, "decisions", decision))
    for i, review in enumerate(case.reviews):
        kind = "escalate" if review.outcome == "escalate" else "review"
        events.append((review.date, _ORDER[kind], i, "reviews", review))
    for i, challenge in enumerate(case.challenges):
        if challenge.decided is not None and challenge.outcome in ("upheld", "varied"):
            events.append((challenge.decided, _ORDER["challenge"], i, "challenges", challenge))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    return events


#: The move the council chooses whether to allow (`stage_2_review_may_continue_at_stage_1`).
DE_ESCALATION = ("stage-2", "stage-1", "review-continue")


def _allowed(policy: Policy, before: State, after: State | str, event: str) -> bool:
    if (before, after, event) == DE_ESCALATION:
        return policy.settings.choices.stage_2_review_may_continue_at_stage_1
    return any(
        t.from_ == before and t.to == after and t.by == event
        for t in policy.transitions.transitions
    )


def derive(case: Case, policy: Policy, today: date) -> Status:
    """Replay the case's history and compute its state and dates as of `today`."""
    periods = policy.periods
    status = Status()
    anchor: date | None = None  # last decision or review: reviews run from it (§7)

    def review_due() -> date | None:
        if anchor is None:
            return None
        due = add_months(anchor, periods.review_months)
        if status.expires is not None and status.expires < due:
            due = status.expires
        return due

    for day, _, index, section, entry in _events(case):
        path: tuple[str | int, ...] = (section, index)
        before = status.state
        if isinstance(entry, Decision):
            after: State = "stage-1" if entry.stage == 1 else "stage-2"
            allowed = _allowed(policy, before, after, "decision")
            step = Step(day, entry.id, path, "decision", before, after, allowed)
            status.steps.append(step)
            if not allowed:
                continue
            if before == "dormant" and status.dormant_since is not None:
                gone_by, held = deletion_due(case, policy, status.dormant_since, day)
                if day > gone_by and not held:
                    status.reopened_after_deletion_due.append((step, gone_by))
            status.state, status.since, status.decision = after, day, entry
            status.measures = tuple(entry.measures)
            status.escalation_pending = False
            status.dormant_since = None
            if entry.expires is not None:
                status.expires = entry.expires
            elif entry.stage == 1:
                months = entry.monitoring_months or periods.monitoring_months
                status.expires = add_months(day, months)
            else:
                status.expires = None
            anchor = day
            status.highest_stage = max(status.highest_stage, entry.stage)
        elif isinstance(entry, Review):
            event = f"review-{entry.outcome}"
            if entry.outcome == "continue":
                target: State = before
                if entry.stage is not None:
                    target = "stage-1" if entry.stage == 1 else "stage-2"
            elif entry.outcome == "escalate":
                target = "stage-2"
            else:
                target = "dormant"
            allowed = _allowed(policy, before, target, event)
            status.steps.append(Step(day, entry.id, path, event, before, target, allowed))
            if not allowed:
                continue
            due = review_due()
            if due is not None:
                status.reviews.append(ReviewTiming(entry.id, path, due, day))
            anchor = day
            if entry.outcome == "continue":
                status.state = target
                if target != before:
                    status.since = day
                if entry.extend_to is not None:
                    status.expires = entry.extend_to
                else:
                    # The review continued the arrangement past the expiry it should have moved
                    # (MC344 asks for the new date): the old expiry no longer ends it, and the
                    # next review runs from this one.
                    status.expires = None
                if entry.measures is not None:
                    status.measures = tuple(entry.measures)
            elif entry.outcome == "escalate":
                status.escalation_pending = True
            else:
                status.state, status.since, status.dormant_since = "dormant", day, day
                status.expires = None
                status.escalation_pending = False
        else:
            if entry.outcome == "varied":
                if entry.measures is not None and before in ACTIVE:
                    status.measures = tuple(entry.measures)
                continue
            allowed = _allowed(policy, before, "dormant", "challenge-upheld")
            status.steps.append(
                Step(day, entry.id, path, "challenge-upheld", before, "dormant", allowed)
            )
            if allowed:
                status.state, status.since, status.dormant_since = "dormant", day, day
                status.expires = None
                status.escalation_pending = False

    if status.active:
        status.next_review_due = review_due()
    elif status.state == "dormant" and status.dormant_since is not None:
        _retention(case, policy, today, status)
    return status


def deletion_due(
    case: Case, policy: Policy, dormant_since: date, today: date
) -> tuple[date, tuple[str, ...]]:
    """When deletion of a case dormant since `dormant_since` falls due, as known on `today`,
    and the legal holds open that day (which block it).

    Deletion is due 12 months after going dormant, "if there is no further activity within
    that period" (§7): activity on or before the day deletion falls due starts the period again
    from its date; activity after it does not, and the deletion stays due. A hold that ended
    after the due date moves it to the hold's end."""
    months = policy.periods.dormant_retention_months
    due = add_months(dormant_since, months)
    activity = [i.date for i in case.incidents] + [a.date for a in case.activity]
    for day in sorted(d for d in activity if dormant_since < d <= today):
        if day <= due:
            due = add_months(day, months)
    open_holds: list[str] = []
    for hold in case.legal_holds:
        if hold.start > today:
            continue
        if hold.end is None or hold.end >= today:
            open_holds.append(hold.id)
        elif hold.start <= due and hold.end > due:
            due = hold.end
    return due, tuple(open_holds)


def _retention(case: Case, policy: Policy, today: date, status: Status) -> None:
    """The deletion date of a dormant case, its last activity and what waits to be considered."""
    assert status.dormant_since is not None
    status.deletion_due, status.open_holds = deletion_due(case, policy, status.dormant_since, today)
    later = sorted(
        d
        for d in [i.date for i in case.incidents] + [a.date for a in case.activity]
        if d > status.dormant_since
    )
    if later:
        status.last_activity = later[-1]
    waiting = [a.date for a in case.activity if a.date > status.dormant_since and not a.considered]
    if waiting:
        status.unconsidered_activity = min(waiting)
