"""One case under check: what every rule family reads, and where its findings go.

A family is a function taking a `CaseContext`. It reads the loaded file, the case, the policy
(through the `Index` of its lookups), today's date and the case's derived status, and reports
findings with `report`, which gives each one its rule's severity for this run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ..findings import Finding
from ..index import Index
from ..lifecycle import Status, derive
from ..loading import Document
from ..model import Case, Measure
from ..snapshot import CaseFile
from .catalogue import severity_of


class CaseContext:
    """One case file with the policy it is judged against, and the findings so far."""

    def __init__(self, loaded: CaseFile, index: Index, today: date, strict_dates: bool) -> None:
        self.loaded = loaded
        self.case: Case = loaded.case
        self.doc: Document = loaded.doc
        self.index = index
        self.policy = index.policy
        self.today = today
        self.strict = strict_dates
        self.findings: list[Finding] = []
        self.status: Status = derive(self.case, self.policy, today)

    def report(self, path: tuple[str | int, ...], rule: str, message: str) -> None:
        """Record a finding at `path` in the case file, with the rule's severity for this run."""
        self.findings.append(self.doc.finding(path, rule, message, severity_of(rule, self.strict)))

    def stage_at(self, day: date) -> int | None:
        """The stage (1 or 2) of the case's last allowed move into a stage on or before `day`."""
        stage = None
        for step in self.status.steps:
            if step.day <= day and step.allowed and step.after in ("stage-1", "stage-2"):
                stage = 1 if step.after == "stage-1" else 2
        return stage

    def measure_sets(self) -> list[tuple[tuple[str | int, ...], Sequence[Measure]]]:
        """Every set of measures in the case: by decisions, reviews and challenges."""
        sets: list[tuple[tuple[str | int, ...], Sequence[Measure]]] = [
            (("decisions", i, "measures"), d.measures) for i, d in enumerate(self.case.decisions)
        ]
        sets += [
            (("reviews", i, "measures"), r.measures)
            for i, r in enumerate(self.case.reviews)
            if r.measures
        ]
        sets += [
            (("challenges", i, "measures"), c.measures)
            for i, c in enumerate(self.case.challenges)
            if c.measures
        ]
        return sets
