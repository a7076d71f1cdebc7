"""Register values in plain words, for people: what `mcr show` prints and a subject access
report tells the customer."""

from __future__ import annotations

from .index import Index
from .model import Measure

#: What stands in for a personal value that is not shown.
WITHHELD = "sealed"


def describe_measure(measure: Measure, index: Index, *, reveal: bool = True) -> str:
    """A measure in plain words: its label and the values it carries (the personal ones as
    'sealed' unless `reveal`)."""
    kind = index.measures.get(measure.measure)
    label = kind.label if kind else measure.measure
    values = []
    if measure.spoc:
        person = index.people.get(measure.spoc)
        values.append(f"single point of contact: {person.name if person else measure.spoc}")
    if measure.channel:
        channel = index.channels.get(measure.channel)
        values.append(f"channel: {channel.label if channel else measure.channel}")
    if measure.minutes:
        values.append(f"{measure.minutes} minutes")
    if measure.calls is not None:
        values.append(f"{measure.calls} call(s) a {measure.period or 'period'}")
    if measure.frequency:
        values.append(f"responses {measure.frequency}")
    for name in ("times", "premises", "advocate", "description"):
        value = getattr(measure, name)
        if value:
            values.append(f"{name}: {value if reveal else WITHHELD}")
    return label + (f" ({'; '.join(values)})" if values else "")
