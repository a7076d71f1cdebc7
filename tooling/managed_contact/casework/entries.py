"""The questions each kind of entry asks, and how an answer becomes a value of the case file.

`QUESTIONS` lists, for every kind `mcr record` writes, the values it needs in the order a person
would give them, each with its option, its question in plain words and what kind of answer it
takes. `answer` turns one answer (an option's text, or what was typed at a prompt) into the
value the case file holds, checking it against the policy data: dates are real and not in the
future; services, channels, conduct categories and measures are the policy's; a person may be
given by name or id and becomes the id, and an unknown one is met with the closest matches.
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..register.dates import parse_day
from ..register.policy import Policy
from ..register.types import ENTRY_ID_PATTERN

_ENTRY = re.compile(ENTRY_ID_PATTERN)


class BadAnswer(ValueError):
    """An answer that cannot be used; the message says what to give instead."""


@dataclass(frozen=True)
class Question:
    """One value an entry needs (or may have)."""

    field: str  # the key in the entry; "business_case.author" for a value inside another
    option: str  # the command-line option that gives it
    words: str  # the question, in plain words
    kind: str  # what answer it takes (see `answer`)
    required: bool = True
    choices: tuple[str, ...] = ()
    #: Asked only when another answer has this value: ("stage", 2).
    when: tuple[str, Any] | None = None


def _q(field: str, words: str, kind: str, **kw: Any) -> Question:
    option = kw.pop("option", "--" + field.replace("_", "-").replace(".", "-"))
    return Question(field, option, words, kind, **kw)


_DATE = "date"
QUESTIONS: dict[str, tuple[Question, ...]] = {
    "incident": (
        _q("date", "When did it happen (YYYY-MM-DD)?", _DATE),
        _q("channel", "How did the customer make contact?", "channel"),
        _q("service", "Which service was being contacted?", "service"),
        _q("categories", "Which kinds of conduct were shown?", "conduct-list"),
        _q("staff_affected", "Who was affected, by role or team?", "text"),
        _q("account", "What happened, stated as fact?", "text"),
        _q(
            "opinions",
            "Any opinion about it, as PERSON=TEXT (blank: none)?",
            "opinions",
            required=False,
            option="--opinion",
        ),
    ),
    "resolution-attempt": (
        _q("date", "When did the service try (YYYY-MM-DD)?", _DATE),
        _q("service", "Which service tried?", "service"),
        _q("description", "What did it do to resolve the concerns?", "text"),
    ),
    "adjustment": (
        _q("date", "When was the adjustment considered (YYYY-MM-DD)?", _DATE),
        _q("description", "What adjustment was considered, and why?", "text"),
        _q("outcome", "What came of it?", "choice", choices=("made", "not-suitable", "declined")),
        _q("channel", "Does it rely on one channel? (blank: no)", "channel", required=False),
    ),
    "decision": (
        _q("date", "Date of the decision (YYYY-MM-DD)?", _DATE),
        _q("stage", "Which stage is decided?", "choice", choices=("1", "2")),
        _q("decided_by", "Who decided (name or id)?", "person"),
        _q("conduct", "Which kinds of conduct does the decision rely on?", "conduct-list"),
        _q("reason", "Why is the conduct unacceptable, as told to the customer?", "text"),
        _q("measures", "", "measures", option="--measure"),
        _q("crt_notified", "When was Customer Relations notified (YYYY-MM-DD)?", _DATE),
        _q(
            "business_case.author",
            "Who wrote the business case (name or id)?",
            "person",
            when=("stage", 2),
        ),
        _q("business_case.date", "When was it completed (YYYY-MM-DD)?", _DATE, when=("stage", 2)),
        _q("business_case.summary", "Why is stage 2 justified?", "text", when=("stage", 2)),
        _q(
            "recommendation.by",
            "Who in Customer Relations recommended (name or id)?",
            "person",
            when=("stage", 2),
            option="--recommended-by",
        ),
        _q(
            "recommendation.date",
            "When was the recommendation made (YYYY-MM-DD)?",
            _DATE,
            when=("stage", 2),
        ),
        _q(
            "recommendation.outcome",
            "Did Customer Relations recommend approval or rejection?",
            "choice",
            choices=("approve", "reject"),
            when=("stage", 2),
            option="--recommendation",
        ),
        _q(
            "monitoring_months",
            "How many months of monitoring? (blank: the policy's default)",
            "int",
            required=False,
            when=("stage", 1),
        ),
        _q(
            "expires",
            "Until when does it apply (YYYY-MM-DD)? (blank: until it is reviewed)",
            "any-date",
            required=False,
            option="--expires",
        ),
        _q(
            "extreme_reason",
            "Straight to stage 2: why is the conduct extreme enough? (blank: it follows stage 1)",
            "text",
            required=False,
            when=("stage", 2),
        ),
        _q(
            "against_recommendation_reason",
            "Why is it decided against the recommendation to reject?",
            "text",
            required=False,
            when=("recommendation.outcome", "reject"),
        ),
        _q(
            "statutory_access",
            "How does the customer keep access to statutory services in scope? (blank: none "
            "in scope)",
            "text",
            required=False,
        ),
    ),
    "review": (
        _q("date", "Date of the review (YYYY-MM-DD)?", _DATE),
        _q("reviewed_by", "Who reviewed (names or ids, separated by commas)?", "people"),
        _q(
            "outcome",
            "What was decided?",
            "choice",
            choices=("continue", "escalate", "close"),
        ),
        _q("considerations", "What was considered?", "text"),
        _q(
            "extend_to",
            "To when is the arrangement extended (YYYY-MM-DD)?",
            "any-date",
            when=("outcome", "continue"),
        ),
        _q(
            "stage",
            "Continue at which stage? (blank: the one it is at)",
            "choice",
            choices=("1", "2"),
            required=False,
            when=("outcome", "continue"),
        ),
        _q(
            "measures",
            "Do the measures change from now on?",
            "measures",
            required=False,
            option="--measure",
            when=("outcome", "continue"),
        ),
    ),
    "letter": (
        _q("date", "When was it sent (YYYY-MM-DD)?", _DATE),
        _q("about", "Which decision, review or challenge does it tell of?", "entry"),
        _q("medium", "Was it a letter or an email?", "choice", choices=("letter", "email")),
        _q("sent_by", "Who signed it (name or id)?", "person"),
        _q("states", "What does it state?", "states"),
    ),
    "challenge": (
        _q("received", "When was the request received (YYYY-MM-DD)?", _DATE),
        _q("against", "Which decision or review does the customer challenge?", "entry"),
        _q("grounds", "What are the customer's grounds?", "text"),
    ),
    "challenge-outcome": (
        _q("challenge", "Which challenge was decided?", "entry"),
        _q("decided_by", "Who decided the challenge (name or id)?", "person"),
        _q("decided", "When was it decided (YYYY-MM-DD)?", _DATE),
        _q(
            "outcome",
            "What was the outcome?",
            "choice",
            choices=("upheld", "varied", "not-upheld"),
        ),
        _q("measures", "", "measures", when=("outcome", "varied"), option="--measure"),
    ),
    "police-report": (
        _q("date", "When was it reported (YYYY-MM-DD)?", _DATE),
        _q("reference", "What is the police reference?", "text"),
        _q("incidents", "Which incidents were reported (ids, separated by commas)?", "entries"),
    ),
    "legal-hold": (
        _q(
            "reason",
            "Why must the record be kept?",
            "choice",
            choices=(
                "ombudsman-complaint",
                "subject-access-request",
                "legal-claim",
                "police-matter",
            ),
        ),
        _q("start", "When did the hold begin (YYYY-MM-DD)?", _DATE),
        _q("reference", "What is the matter's reference?", "text"),
    ),
    "councillor": (
        _q("councillor", "Which councillor (name or id)?", "person"),
        _q("choice", "Did they opt in or opt out?", "choice", choices=("opt-in", "opt-out")),
        _q("date", "When did they choose (YYYY-MM-DD)?", _DATE),
    ),
    "activity": (
        _q("date", "When was the contact (YYYY-MM-DD)?", _DATE),
        _q("summary", "What happened?", "text"),
        _q(
            "considered",
            "When did Customer Relations consider reintroducing measures (YYYY-MM-DD)? "
            "(blank: not yet)",
            _DATE,
            required=False,
        ),
    ),
    "correction": (
        _q("date", "When is the correction made (YYYY-MM-DD)?", _DATE),
        _q("entry", "Which entry is corrected?", "entry"),
        _q("made_by", "Who made the correction (name or id)?", "person"),
        _q("approved_by", "Who approved it (name or id)?", "person"),
        _q("reason", "What was inaccurate?", "text"),
    ),
}

#: The kinds of value a measure carries, by its parameter name.
MEASURE_VALUES: dict[str, str] = {
    "spoc": "person",
    "channel": "channel",
    "minutes": "int",
    "calls": "int",
    "period": "period",
    "frequency": "frequency",
    "times": "text",
    "premises": "text",
    "advocate": "text",
    "description": "text",
}
PERIODS = ("day", "week", "month")
FREQUENCIES = ("weekly", "fortnightly", "monthly")
MEASURE_WORDS: dict[str, str] = {
    "spoc": "Who is the single point of contact (name or id)?",
    "channel": "Which one channel is allowed?",
    "minutes": "How many minutes per contact?",
    "calls": "How many calls are taken per period?",
    "period": "Over what period are calls counted (day, week, month)?",
    "frequency": "How often are responses sent (weekly, fortnightly, monthly)?",
    "times": "When is contact accepted (e.g. Tuesdays 10:00-12:00)?",
    "premises": "Which premises?",
    "advocate": "Which advocate does contact go through?",
    "description": "Describe the measure for staff.",
}


def options_of(kind: str) -> dict[str, Question]:
    """The questions of `kind` by their option."""
    return {q.option: q for q in QUESTIONS[kind]}


def _closest(given: str, known: Sequence[str]) -> str:
    near = difflib.get_close_matches(given, known, n=3, cutoff=0.5)
    return f"; did you mean {' or '.join(near)}?" if near else ""


def _from(given: str, ids: Sequence[str], what: str, policy_file: str) -> str:
    value = given.strip()
    if value in ids:
        return value
    raise BadAnswer(
        f"'{value}' is not one of the {what} in {policy_file}{_closest(value, ids)} "
        f"(one of: {', '.join(ids)})"
    )


def person(given: str, policy: Policy) -> str:
    """A person given by id or by name, as their id."""
    value = given.strip()
    people = policy.people.people
    for p in people:
        if value == p.id or value.casefold() == p.name.casefold():
            return p.id
    names = {p.name: p.id for p in people}
    near = difflib.get_close_matches(value, [*names, *(p.id for p in people)], n=6, cutoff=0.5)
    by_id = {p.id: p.name for p in people}
    shown: list[str] = []
    for n in near:
        text = f"{n} ({names[n]})" if n in names else f"{by_id[n]} ({n})"
        if text not in shown:
            shown.append(text)
    shown = shown[:3]
    hint = f": did you mean {' or '.join(shown)}?" if shown else ": give a name or id from it"
    raise BadAnswer(f"nobody called '{value}' is in policy/people.yaml{hint}")


def day(given: str, today: date, *, future: bool = False) -> str:
    """A date written YYYY-MM-DD, real, and (unless `future`) not after `today`."""
    value = given.strip()
    try:
        parsed = parse_day(value)
    except ValueError as exc:
        raise BadAnswer(str(exc)) from None
    if not future and parsed > today:
        raise BadAnswer(f"{value} is after today ({today}): what is recorded has happened")
    return value


def _split(given: str) -> list[str]:
    return [p.strip() for p in given.split(",") if p.strip()]


def entry_id(given: str) -> str:
    value = given.strip()
    if not _ENTRY.match(value):
        raise BadAnswer(f"give an entry id such as D1 or R2, not '{value}'")
    return value


def answer(q: Question, given: str, policy: Policy, today: date) -> Any:
    """The value an answer to `q` gives, checked against `policy` (BadAnswer if unusable)."""
    kind = q.kind
    vocabulary = policy.vocabulary
    if kind == "date":
        return day(given, today)
    if kind == "any-date":
        return day(given, today, future=True)
    if kind == "text":
        if not given.strip():
            raise BadAnswer("this cannot be left empty")
        return given.strip()
    if kind == "person":
        return person(given, policy)
    if kind == "people":
        found = [person(p, policy) for p in _split(given)]
        if not found:
            raise BadAnswer("give at least one name or id")
        return found
    if kind == "service":
        ids = [s.id for s in vocabulary.services]
        return _from(given, ids, "services", "policy/vocabulary.yaml")
    if kind == "channel":
        ids = [c.id for c in vocabulary.channels]
        return _from(given, ids, "channels", "policy/vocabulary.yaml")
    if kind == "conduct-list":
        ids = [c.id for c in vocabulary.conduct]
        found = [
            _from(c, ids, "conduct categories", "policy/vocabulary.yaml") for c in _split(given)
        ]
        if not found:
            raise BadAnswer("give at least one conduct category")
        return found
    if kind == "states":
        ids = [c.id for c in policy.settings.letter_contents]
        found = [_from(c, ids, "letter contents", "policy/settings.yaml") for c in _split(given)]
        if not found:
            raise BadAnswer("give at least one thing the letter states")
        return found
    if kind == "choice":
        value = given.strip()
        if value not in q.choices:
            raise BadAnswer(f"give one of {', '.join(q.choices)}, not '{value}'")
        return int(value) if value.isdigit() else value
    if kind == "int":
        if not given.strip().isdigit():
            raise BadAnswer(f"give a whole number, not '{given.strip()}'")
        return int(given)
    if kind == "entry":
        return entry_id(given)
    if kind == "entries":
        found = [entry_id(p) for p in _split(given)]
        if not found:
            raise BadAnswer("give at least one entry id")
        return found
    raise AssertionError(kind)  # pragma: no cover - every kind is handled above


def measure(given: str, policy: Policy, today: date) -> dict[str, Any]:
    """One measure written `ID name=value ...` (quote a value with spaces:
    `spoc spoc=liam-treadwell times="Tuesdays 10:00-12:00"`)."""
    try:
        words = shlex.split(given)
    except ValueError as exc:
        raise BadAnswer(f"cannot read the measure '{given}': {exc}") from None
    if not words:
        raise BadAnswer("give a measure id, then its values as name=value")
    catalogue = {m.id: m for m in policy.measures.measures}
    kind = catalogue.get(words[0])
    if kind is None:
        raise BadAnswer(
            f"'{words[0]}' is not a measure in policy/measures.yaml"
            f"{_closest(words[0], list(catalogue))} (one of: {', '.join(catalogue)})"
        )
    allowed = [*kind.required, *kind.optional]
    values: dict[str, Any] = {"measure": kind.id}
    for word in words[1:]:
        name, sep, raw = word.partition("=")
        if not sep or name not in allowed:
            raise BadAnswer(
                f"measure {kind.id} takes {', '.join(f'{a}=...' for a in allowed) or 'no values'}"
                f", not '{name}'"
            )
        values[name] = measure_value(name, raw, policy)
    missing = [r for r in kind.required if r not in values]
    if missing:
        raise BadAnswer(f"measure {kind.id} needs {', '.join(f'{m}=...' for m in missing)}")
    return values


def measure_value(name: str, raw: str, policy: Policy) -> Any:
    """One value of a measure, by its parameter name."""
    kind = MEASURE_VALUES.get(name, "text")
    if kind == "person":
        return person(raw, policy)
    if kind == "channel":
        return _from(
            raw, [c.id for c in policy.vocabulary.channels], "channels", "policy/vocabulary.yaml"
        )
    if kind == "int":
        if not raw.strip().isdigit():
            raise BadAnswer(f"{name} is a whole number, not '{raw}'")
        return int(raw)
    if kind in ("period", "frequency"):
        choices = PERIODS if kind == "period" else FREQUENCIES
        if raw.strip() not in choices:
            raise BadAnswer(f"{name} is one of {', '.join(choices)}, not '{raw}'")
        return raw.strip()
    if not raw.strip():
        raise BadAnswer(f"{name} cannot be left empty")
    return raw.strip()


def opinion(given: str, policy: Policy) -> dict[str, Any]:
    """An opinion written `PERSON=TEXT`."""
    who, sep, text = given.partition("=")
    if not sep or not text.strip():
        raise BadAnswer("write an opinion as PERSON=TEXT (the person's name or id)")
    return {"by": person(who, policy), "text": text.strip()}


def assemble(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Answers keyed by field ("business_case.author") as the entry's nested values."""
    values: dict[str, Any] = {}
    for name, value in flat.items():
        if value is None:
            continue
        head, _, tail = name.partition(".")
        if tail:
            values.setdefault(head, {})[tail] = value
        else:
            values[head] = value
    return values


def applies(q: Question, flat: Mapping[str, Any]) -> bool:
    """Whether `q` is asked, given the answers so far."""
    return q.when is None or flat.get(q.when[0]) == q.when[1]
