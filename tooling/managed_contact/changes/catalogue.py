"""The catalogue of change rules (MC4xx), each declared by the module of the family that
reports it, and of every rule, snapshot and change."""

from __future__ import annotations

from ..register.rules import CATALOGUE, Rule
from . import (
    deletions,
    every_commit,
    evidence,
    history,
    judging,
    new_cases,
    policy_changes,
    requirements,
    transitions,
)

#: The change rules, in id order.
CHANGE_CATALOGUE: dict[str, Rule] = {
    r.id: r
    for r in sorted(
        (
            *transitions.RULES,
            *new_cases.RULES,
            *history.RULES,
            *deletions.RULES,
            *every_commit.RULES,
            *policy_changes.RULES,
            *evidence.RULES,
            *judging.RULES,
            *requirements.RULES,
        ),
        key=lambda r: r.id,
    )
}

#: Every rule, snapshot and change, for documentation.
ALL_RULES: dict[str, Rule] = {**CATALOGUE, **CHANGE_CATALOGUE}
