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
    #: The rule reads personal text, so it runs only where the case's key is at hand; a check
    #: without keys says which cases it skipped.
    needs_keys: bool = False
