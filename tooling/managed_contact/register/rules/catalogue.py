"""The catalogue of snapshot rules: every id with its severity and summary, in id order.

Each module of this package declares the rules it owns, as `RULES`, beside the code that reports
them; the catalogue gathers them all. The rules that judge a change (MC4xx) are in
`changes.check.CHANGE_CATALOGUE`.
"""

from __future__ import annotations

from ..findings import Severity
from . import (
    challenges,
    chronology,
    councillors,
    decisions,
    early_dates,
    file_kinds,
    identity,
    letters,
    police,
    policy_data,
    proportionality,
    register_wide,
    reviews,
    safeguards,
    sealed,
    text,
    timeliness,
    transitions,
    vocabulary,
    well_formed,
)
from .rule import E, Rule

_OWNED: tuple[tuple[Rule, ...], ...] = (
    well_formed.RULES,
    file_kinds.RULES,
    sealed.RULES,
    identity.RULES,
    register_wide.RULES,
    vocabulary.RULES,
    proportionality.RULES,
    decisions.RULES,
    reviews.RULES,
    letters.RULES,
    police.RULES,
    chronology.RULES,
    early_dates.RULES,
    transitions.RULES,
    timeliness.RULES,
    councillors.RULES,
    challenges.RULES,
    safeguards.RULES,
    text.RULES,
    policy_data.RULES,
)

CATALOGUE: dict[str, Rule] = {
    rule.id: rule for rule in sorted((r for rules in _OWNED for r in rules), key=lambda r: r.id)
}


def severity_of(rule: str, strict_dates: bool) -> Severity:
    """How a finding under `rule` counts: overdue reviews and deletions are errors when strict."""
    if strict_dates and rule in timeliness.STRICT_DATE_ERRORS:
        return E
    return CATALOGUE[rule].severity
