"""The order the rules run in: the families on one case, and the register as a whole.

A case's families run in a fixed order, so its findings always come out in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ..findings import Finding
from ..index import Index
from ..progress import Progress, counted
from ..snapshot import CaseFile, Register
from . import (
    challenges,
    chronology,
    councillors,
    decisions,
    early_dates,
    identity,
    letters,
    police,
    proportionality,
    register_wide,
    reviews,
    safeguards,
    text,
    timeliness,
    transitions,
    vocabulary,
)
from .context import CaseContext

#: Every family that judges one case, in the order they run.
CASE_CHECKS: tuple[Callable[[CaseContext], None], ...] = (
    identity.check,
    vocabulary.check,
    proportionality.check,
    decisions.check,
    reviews.check,
    letters.check,
    challenges.check,
    police.check,
    chronology.check,
    early_dates.check,
    transitions.check,
    timeliness.check,
    councillors.check,
    safeguards.check,
    text.check,
)


def check_case(
    loaded: CaseFile, index: Index, today: date, strict_dates: bool = False
) -> list[Finding]:
    """Every snapshot rule for one case."""
    cx = CaseContext(loaded, index, today, strict_dates)
    for check in CASE_CHECKS:
        check(cx)
    return cx.findings


def check_register(
    register: Register,
    index: Index | None,
    today: date,
    strict_dates: bool = False,
    progress: Progress | None = None,
) -> list[Finding]:
    """Register-wide rules: file names, unique ids, the deletion log; then every case."""
    findings = register_wide.check(register, index)
    if index is not None:
        for loaded in counted(register.cases, progress, "checking cases"):
            findings.extend(check_case(loaded, index, today, strict_dates))
    return findings
