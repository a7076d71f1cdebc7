"""Findings: every problem the tool reports, collected before anything is rendered.

A finding says where (file, line, column, data path), which rule, how serious, and what to do.
Checks append to a `Findings` collection and never stop at the first problem; the exit code is
decided last, from what was collected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How a finding counts: errors fail a check, warnings are reported but do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem, located precisely enough for a person to fix it."""

    file: str
    line: int
    column: int
    path: str
    rule: str
    severity: Severity
    message: str

    def location(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


_KEY_LIKE = re.compile(r"[a-z][a-z0-9_-]{0,39}\Z")


def shown_key(key: str) -> bool:
    """Whether a mapping key may be shown in a finding: only one written like a field name
    (lower case, no spaces). Anything else may be a name or an address typed in the wrong
    place, and findings reach CI logs."""
    return bool(_KEY_LIKE.match(key))


def format_path(parts: Iterable[str | int]) -> str:
    """Render a data path the way people read it: `decisions[1].decided_by`."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass
class Findings:
    """An ordered, append-only collection of findings."""

    items: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.items.append(finding)

    def extend(self, findings: Iterable[Finding]) -> None:
        self.items.extend(findings)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.items if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.items if f.severity is Severity.WARNING]

    def sorted(self) -> list[Finding]:
        return sorted(set(self.items), key=lambda f: (f.file, f.line, f.column, f.rule, f.message))
