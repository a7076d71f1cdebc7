"""What front-line staff do when an active case's customer gets in touch: each measure as a step,
in the words of its `front_line` in `policy/measures.yaml`, sorted by the situation it is about.

The site's case page and `mcr show` both say it in these words: the site puts the pieces in
HTML (a case's value in bold), `mcr show` prints them as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .index import Index
from .model import PERSONAL_MARK, Measure
from .policy import MeasureKind
from .words import WITHHELD

#: The three situations a front-line officer meets: key, the channel it is, the heading.
SITUATIONS: tuple[tuple[str, str, str], ...] = (
    ("phone", "telephone", "If the customer phones"),
    ("email", "email", "If the customer emails"),
    ("visit", "in-person", "If the customer visits or you meet them"),
)
#: Measure values never shown to front-line staff: they ask the Customer Relations Team.
PERSONAL_VALUES = frozenset({"advocate"})
ASK_CRT = "(ask the Customer Relations Team)"
#: The measure values that are personal data (sealed in the file).
SEALED_VALUES = frozenset(
    name
    for name, info in Measure.model_fields.items()
    if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get(PERSONAL_MARK)
)

# The fixed sentences of the case page's "What to do".
IN_ANY_CONTACT = "In any contact"
NOTHING_IN_ANY_CONTACT = "Be polite and deal with the contact as usual, within the measures below."
ALLOWED_HERE = (
    "This is the customer's allowed channel: deal with the contact, within the measures on "
    "this page."
)
NOTHING_HERE = (
    'No special measure for this: deal with it as usual, following "In any contact" above.'
)
NO_SPOC = "none: deal with the customer as usual, within the measures below"
PAST_EXPIRY = (
    "that date has passed but the review has not been recorded: keep to this arrangement until "
    "Customer Relations updates it"
)
CHALLENGE_ON = (
    "The customer can ask for the decision to be reviewed by a senior officer who was not "
    "involved in it (the right to challenge is on). Do not discuss the decision: tell them "
    "their letter explains how to ask, and pass the request to the Customer Relations Team the "
    "same day."
)
CHALLENGE_OFF = (
    "There is no right of appeal (the right to challenge is off). The customer can complain to "
    "the {lgsco}. Do not discuss the decision: pass any request to the Customer Relations Team."
)

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_SCRIPT = re.compile(r"\"([^\"]+)\"")


@dataclass(frozen=True)
class Piece:
    """A run of a step's text: the catalogue's words, or a value of the case put in (`value`)."""

    text: str
    value: bool = False


@dataclass(frozen=True)
class Step:
    """One measure, as a front-line officer reads it."""

    label: str
    text: tuple[Piece, ...]
    script: str | None = None
    after: tuple[Piece, ...] = ()
    times: str | None = None

    def plain(self) -> str:
        """The step as one line of plain text, as `mcr show` prints it."""
        out = f"{self.label}. {plain(self.text)}"
        if self.times:
            out += f" Contact times: {self.times}."
        if self.script:
            out += f' Script: "{self.script}"'
        if self.after:
            out += f" {plain(self.after)}"
        return out


@dataclass(frozen=True)
class Situation:
    key: str
    heading: str
    allowed: bool
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None


@dataclass(frozen=True)
class FrontLine:
    """What to do, for every contact and for each situation, and who and how to contact."""

    general: tuple[Step, ...]
    situations: tuple[Situation, ...]
    spocs: tuple[Contact, ...]
    allowed_channel: str | None
    blocked_channels: tuple[str, ...]

    def spoc_text(self) -> str:
        if not self.spocs:
            return NO_SPOC
        return "; ".join(f"{c.name} ({c.email})" if c.email else c.name for c in self.spocs)

    def channel_text(self) -> str:
        if self.allowed_channel:
            return f"{self.allowed_channel.lower()} only"
        if self.blocked_channels:
            return f"any channel except {', '.join(self.blocked_channels).lower()}"
        return "any channel"


def plain(pieces: Sequence[Piece]) -> str:
    return "".join(p.text for p in pieces)


def _value(measure: Measure, name: str, index: Index, reveal: bool) -> str | None:
    if name in PERSONAL_VALUES:
        return ASK_CRT if getattr(measure, name, None) else None
    if name == "spoc" and measure.spoc:
        person = index.people.get(measure.spoc)
        return person.name if person else measure.spoc
    if name == "channel" and measure.channel:
        channel = index.channels.get(measure.channel)
        return (channel.label if channel else measure.channel).lower()
    raw = getattr(measure, name, None)
    if raw is not None and name in SEALED_VALUES and not reveal:
        return WITHHELD
    return None if raw is None else str(raw)


def fill(template: str, measure: Measure, index: Index, reveal: bool = True) -> tuple[Piece, ...]:
    """The catalogue's `front_line` text with the case's values put in; a placeholder with no
    value stays as written. A template that is one placeholder is plain text, not a value."""
    out: list[Piece] = []
    last = 0
    whole = _PLACEHOLDER.fullmatch(template.strip()) is not None
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > last:
            out.append(Piece(template[last : match.start()]))
        value = _value(measure, match.group(1), index, reveal)
        if value is None:
            out.append(Piece(match.group(0)))
        else:
            out.append(Piece(value, value=not whole))
        last = match.end()
    if last < len(template):
        out.append(Piece(template[last:]))
    return tuple(out)


def step(measure: Measure, index: Index, reveal: bool = True) -> Step:
    """A measure in plain English from its catalogue entry; a quoted script is set apart."""
    kind = index.measures.get(measure.measure)
    label = kind.label if kind else measure.measure
    template = kind.front_line if kind else (measure.description or label)
    times = measure.times if reveal or measure.times is None else WITHHELD
    quoted = _SCRIPT.search(template)
    if quoted and "{" not in quoted.group(1):
        return Step(
            label=label,
            text=fill(template[: quoted.start()].rstrip(), measure, index, reveal),
            script=quoted.group(1),
            after=fill(template[quoted.end() :].strip(), measure, index, reveal),
            times=times,
        )
    return Step(label=label, text=fill(template, measure, index, reveal), times=times)


def situations_of(measure: Measure, kind: MeasureKind | None) -> frozenset[str] | None:
    """The situations a measure is about; None when it applies to every contact."""
    if kind is None:
        return None
    if kind.only_channel:
        return frozenset(key for key, channel, _ in SITUATIONS if channel != measure.channel)
    if kind.blocks_channels:
        return frozenset(key for key, channel, _ in SITUATIONS if channel in kind.blocks_channels)
    return frozenset(kind.situations) or None


def channel_label(channel: str | None, index: Index) -> str | None:
    if channel is None:
        return None
    found = index.channels.get(channel)
    return found.label if found else channel


def front_line(measures: Sequence[Measure], index: Index, *, reveal: bool = True) -> FrontLine:
    """What front-line staff do under `measures` (a case's measures in force); personal values
    of the measures as 'sealed' unless `reveal`."""
    general: list[Step] = []
    by_situation: dict[str, list[Step]] = {key: [] for key, _, _ in SITUATIONS}
    allowed: str | None = None
    blocked: list[str] = []
    spocs: dict[str, Contact] = {}
    for measure in measures:
        kind = index.measures.get(measure.measure)
        item = step(measure, index, reveal)
        where = situations_of(measure, kind)
        if where is None:
            general.append(item)
        else:
            for key in where:
                by_situation[key].append(item)
        if kind is not None and kind.only_channel and measure.channel:
            allowed = measure.channel
        if kind is not None:
            blocked.extend(c for c in kind.blocks_channels if c not in blocked)
        if measure.spoc:
            person = index.people.get(measure.spoc)
            spocs[measure.spoc] = Contact(
                person.name if person else measure.spoc, person.email if person else None
            )
    situations = tuple(
        Situation(
            key=key, heading=heading, allowed=allowed == channel, steps=tuple(by_situation[key])
        )
        for key, channel, heading in SITUATIONS
    )
    return FrontLine(
        general=tuple(general),
        situations=situations,
        spocs=tuple(spocs.values()),
        allowed_channel=channel_label(allowed, index),
        blocked_channels=tuple(channel_label(c, index) or c for c in blocked),
    )


def what_to_do(line: FrontLine) -> list[str]:
    """The case page's "What to do" as plain lines: a heading per situation, a step a line."""
    out = [f"{IN_ANY_CONTACT}:"]
    out.extend(f"- {s.plain()}" for s in line.general)
    if not line.general:
        out.append(f"- {NOTHING_IN_ANY_CONTACT}")
    for situation in line.situations:
        out.append(f"{situation.heading}:")
        if situation.allowed:
            out.append(f"- {ALLOWED_HERE}")
        out.extend(f"- {s.plain()}" for s in situation.steps)
        if not situation.steps and not situation.allowed:
            out.append(f"- {NOTHING_HERE}")
    return out
