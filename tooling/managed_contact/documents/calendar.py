"""The calendar feed: what falls due, as an iCalendar (RFC 5545) feed Customer Relations
subscribes to in Outlook.

Every event is a whole day (``VALUE=DATE``) and says only a case id and fixed words: no name,
no free text, no measure's description, so the feed may sit on the internal site and in a
mail client. Its kinds:

* ``review``: the next review of an active case (§7);
* ``monitoring-end``: the end of a stage 1 monitoring period (§6.1);
* ``deletion``: when a dormant case is due for deletion (§7), also while a legal hold holds it;
* ``sar-deadline``: the reply to an open subject access request (`register.schedule`);
* ``response``: each day the single point of contact sends the responses of a stage 2 email
  diversion (§6.2), on the measure's frequency (weekly, fortnightly, monthly) counted from the
  day the measures in force were set (the decision, or the review or challenge that changed
  them; months clamp to the month's end, as every period does). The dates are listed from
  today up to the arrangement's review or expiry date, and no further than
  ``due_soon_days`` (policy/periods.yaml) ahead: what follows the review depends on it. Where
  the review is overdue, the arrangement stands until it is recorded, and the dates run on
  ``due_soon_days`` ahead.

Each event's UID is made of what stays when its date moves, never of the date: the case id
and the kind, as a case has one next review, one monitoring end and one deletion date at a time;
with a subject access request, its legal hold's entry id; with a response, the entry that set
the measures, the measure's place among them and the response's number counted from that
entry. A subscribed calendar then updates an event whose date moved instead of adding another.
``DTSTAMP`` is the latest day recorded in the case (midnight UTC), so an
unchanged case gives byte-for-byte the same events however often the feed is made.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Literal

from icalendar import Calendar, Event

from ..errors import ExitCode, McrError
from ..register.dates import add_months
from ..register.findings import Severity
from ..register.lifecycle import Status, derive
from ..register.model import Case, Measure
from ..register.policy import Policy
from ..register.schedule import open_holds, sar_deadline
from ..register.snapshot import Keys, Register, display, load_register

Kind = Literal["review", "monitoring-end", "deletion", "sar-deadline", "response"]

#: The measure whose responses are scheduled, and its days between responses (None: a month).
DIVERSION = "email-diversion"
FREQUENCY_DAYS: dict[str, int | None] = {"weekly": 7, "fortnightly": 14, "monthly": None}

PRODID = "-//Managed Contact register//mcr calendar//EN"
CALENDAR_NAME = "Managed Contact: what falls due"
#: The right-hand side of every UID (RFC 5545 §3.8.4.7 asks for a globally unique one).
UID_DOMAIN = "managed-contact.register"

_SUMMARY: dict[str, str] = {
    "review": "review due",
    "monitoring-end": "monitoring period ends",
    "deletion": "deletion due",
    "sar-deadline": "subject access request: reply due",
    "response": "email diversion: responses due",
}
#: Each kind's description: fixed words and ids, short enough for one unfolded line.
_DESCRIPTION: dict[str, str] = {
    "review": "Review the arrangement by this day (section 7).",
    "monitoring-end": "The stage 1 monitoring period ends (section 6.1).",
    "deletion": "Dormant: delete unless there was activity (section 7).",
    "sar-deadline": "Reply to the subject access request, hold {entry}.",
    "response": "{spoc} responds to diverted emails, {frequency}, from {entry}.",
}


class RegisterIncomplete(McrError):
    """A document would leave something out: a case file or policy data does not load."""

    exit_code = ExitCode.FINDINGS


@dataclass(frozen=True, order=True)
class DueEvent:
    """One all-day event of the feed."""

    day: date
    case_id: str
    kind: Kind
    #: The entry the event comes from, where the kind alone does not tell (a hold, a measure).
    entry: str = ""
    #: A response's number, counted from the entry that set the measures (1 is the first).
    number: int = 0
    #: The latest day recorded in the case: the event's DTSTAMP.
    stamp: date = date.min
    #: Fixed words with ids only: a hold's id, the single point of contact's person id.
    spoc: str = ""
    frequency: str = ""

    @property
    def uid(self) -> str:
        parts = [self.case_id, self.kind]
        if self.entry:
            parts.append(self.entry)
        if self.number:
            parts.append(str(self.number))
        return f"{'.'.join(parts)}@{UID_DOMAIN}"

    @property
    def summary(self) -> str:
        return f"{self.case_id}: {_SUMMARY[self.kind]}"

    @property
    def description(self) -> str:
        entry = self.entry.partition(".")[0]
        return _DESCRIPTION[self.kind].format(
            case=self.case_id, entry=entry, spoc=self.spoc, frequency=self.frequency
        )


def last_recorded(case: Case) -> date:
    """The latest day the case file records: when its events last changed."""
    days = [case.opened]
    for section in (case.incidents, case.adjustments, case.resolution_attempts, case.letters):
        days.extend(e.date for e in section)
    days.extend(e.date for e in case.decisions)
    days.extend(e.date for e in case.reviews)
    days.extend(e.date for e in case.police_reports)
    days.extend(e.date for e in case.corrections)
    for challenge in case.challenges:
        days.append(challenge.received)
        if challenge.decided is not None:
            days.append(challenge.decided)
    for hold in case.legal_holds:
        days.append(hold.start)
        if hold.end is not None:
            days.append(hold.end)
    for activity in case.activity:
        days.append(activity.date)
        if activity.considered is not None:
            days.append(activity.considered)
    for choice in case.councillors:
        days.append(choice.date)
        if choice.withdrawn is not None:
            days.append(choice.withdrawn)
    return max(days)


def measures_set(case: Case, status: Status) -> tuple[str, date] | None:
    """The entry that set the measures in force (a decision, or a review or challenge that
    changed them), and its day; None if no entry carries them."""
    allowed = {s.entry for s in status.steps if s.allowed}
    found: list[tuple[date, int, str, tuple[Measure, ...]]] = []
    for decision in case.decisions:
        if decision.id in allowed:
            found.append((decision.date, 1, decision.id, tuple(decision.measures)))
    for review in case.reviews:
        if review.id in allowed and review.measures is not None:
            found.append((review.date, 2, review.id, tuple(review.measures)))
    for challenge in case.challenges:
        if challenge.outcome == "varied" and challenge.measures and challenge.decided:
            found.append((challenge.decided, 3, challenge.id, tuple(challenge.measures)))
    for day, _, entry, measures in sorted(found, reverse=True):
        if measures == status.measures:
            return entry, day
    return None


def response_days(
    since: date, frequency: str, start: date, end: date
) -> Iterator[tuple[int, date]]:
    """The numbered response days of a frequency counted from `since`, from `start` to `end`
    (both included)."""
    step = FREQUENCY_DAYS[frequency]
    if step is not None:
        number = max(1, -(-(start - since).days // step))
        day = since + timedelta(days=number * step)
        while day <= end:
            yield number, day
            number += 1
            day = since + timedelta(days=number * step)
        return
    number = max(1, (start.year - since.year) * 12 + start.month - since.month - 1)
    while (day := add_months(since, number)) <= end:
        if day >= start:
            yield number, day
        number += 1


def case_events(case: Case, status: Status, today: date, window_days: int) -> list[DueEvent]:
    """The events of one case as of `today` (responses no more than `window_days` ahead)."""
    stamp = last_recorded(case)
    out: list[DueEvent] = []
    if status.active and status.next_review_due is not None:
        out.append(DueEvent(status.next_review_due, case.id, "review", stamp=stamp))
    if status.state == "stage-1" and status.expires is not None:
        out.append(DueEvent(status.expires, case.id, "monitoring-end", stamp=stamp))
    if status.state == "dormant" and status.deletion_due is not None:
        out.append(DueEvent(status.deletion_due, case.id, "deletion", stamp=stamp))
    for hold in open_holds(case.legal_holds, today):
        deadline = sar_deadline(hold)
        if deadline is not None:
            out.append(DueEvent(deadline, case.id, "sar-deadline", hold.id, stamp=stamp))
    if status.active:
        out.extend(_responses(case, status, today, window_days, stamp))
    return out


def _responses(
    case: Case, status: Status, today: date, window_days: int, stamp: date
) -> Iterator[DueEvent]:
    source = measures_set(case, status)
    if source is None:
        return
    entry, since = source
    horizon = today + timedelta(days=window_days)
    until = status.next_review_due or status.expires
    end = horizon if until is None or until < today else min(until, horizon)
    for place, measure in enumerate(status.measures, start=1):
        if measure.measure != DIVERSION or measure.frequency is None:
            continue
        for number, day in response_days(since, measure.frequency, today, end):
            yield DueEvent(
                day,
                case.id,
                "response",
                f"{entry}.m{place}",
                number,
                stamp,
                spoc=measure.spoc or "",
                frequency=measure.frequency,
            )


def events(
    cases: Sequence[Case], statuses: Mapping[str, Status], policy: Policy, today: date
) -> list[DueEvent]:
    """Every event of the register's cases as of `today`, soonest first."""
    window = policy.periods.due_soon_days
    out: list[DueEvent] = []
    for case in cases:
        out.extend(case_events(case, statuses[case.id], today, window))
    return sorted(out)


def _stamp(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def render(found: Sequence[DueEvent]) -> bytes:
    """The feed: an RFC 5545 calendar of the events, CRLF line endings, folded as it needs."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", CALENDAR_NAME)
    for item in found:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", _stamp(item.stamp))
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    feed: bytes = cal.to_ical()
    return feed


def calendar_feed(
    cases: Sequence[Case], statuses: Mapping[str, Status], policy: Policy, today: date
) -> bytes:
    """The feed of cases already loaded (the site's), as of `today`."""
    return render(events(cases, statuses, policy, today))


def load_whole(root: Path, what: str, keys: Keys | None = None) -> Register:
    """The register at `root`, its sealed values opened with `keys` where given, or a
    refusal (`RegisterIncomplete`) naming every case file or policy file that did not load and
    every id two case files carry: `what` (the calendar, the export) would leave them out."""
    register, findings = load_register(root, keys=keys)
    loaded = {c.path for c in register.cases}
    missing = {display(root, p) for p in register.case_files if p not in loaded}
    twice = sorted(i for i, n in Counter(c.case.id for c in register.cases).items() if n > 1)
    if register.policy is not None and not missing and not twice:
        return register
    errors = [
        f
        for f in findings
        if f.severity is Severity.ERROR and (register.policy is None or f.file in missing)
    ]
    lines = [f"  {f.location()}: {f.rule}: {f.message}" for f in errors[:10]]
    if len(errors) > 10:
        lines.append(f"  ... and {len(errors) - 10} more")
    lines.extend(f"  cases/: MC105: more than one case file carries the id {i}" for i in twice)
    raise RegisterIncomplete(
        f"{what} would leave something out: the register does not load whole; run "
        "`mcr check`:\n" + "\n".join(lines)
    )


def register_calendar(root: Path, today: date) -> tuple[bytes, int]:
    """The feed of the register at `root` as of `today`, and how many events it holds.

    Needs no keys: every date is readable in a sealed case file. Refuses (`RegisterIncomplete`)
    when a case file or policy data does not load, rather than leave its dates out."""
    # Loading and rendering build many small, acyclic objects: the cyclic collector only slows
    # them down (as in `register.check.run_check`).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        register = load_whole(root, "the calendar")
        assert register.policy is not None
        policy = register.policy
        cases = [c.case for c in register.cases]
        statuses = {case.id: derive(case, policy, today) for case in cases}
        found = events(cases, statuses, policy, today)
        return render(found), len(found)
    finally:
        if gc_was_enabled:
            gc.enable()
