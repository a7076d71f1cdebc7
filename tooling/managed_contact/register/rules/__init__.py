"""The rules: everything that can be judged on one snapshot of the register.

Each rule has a stable id, a severity and a one-line summary in `CATALOGUE`; checks collect
`Finding`s and never stop at the first. Overdue reviews and deletions are warnings in a normal
check and errors with `strict_dates` (the scheduled run), so an old, unrelated item never blocks
someone else's merge request but never goes unnoticed either.

Each module of this package checks one part of the policy and declares, as `RULES`, the rules
it owns; `catalogue` gathers them, and `run` runs the checks in a fixed order.
"""

from __future__ import annotations

from .catalogue import CATALOGUE, severity_of
from .identity import MODELINE
from .policy_data import REQUIRED_APPROVALS, check_policy
from .rule import Rule
from .run import check_case, check_register

__all__ = [
    "CATALOGUE",
    "MODELINE",
    "REQUIRED_APPROVALS",
    "Rule",
    "check_case",
    "check_policy",
    "check_register",
    "severity_of",
]
