"""What a rule is: a stable id, a severity and a one-line summary of what it requires."""

from __future__ import annotations

from dataclasses import dataclass

from ..findings import Severity

E, W = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class Rule:
    """One rule: findings name it by its id, and the Rules page lists its summary."""

    id: str
    severity: Severity
    summary: str
