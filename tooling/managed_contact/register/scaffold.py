"""`mcr new`: a new case file with the next free id, ready to fill in."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from ..errors import McrError
from .rules import MODELINE
from .snapshot import DELETIONS_NAME

_ID = re.compile(r"MC-([0-9]{4})-([0-9]{4})")

TEMPLATE = """{modeline}
# A new managed contact case. Fill in what is known; `mcr check` says what is missing.
# Fields marked PERSONAL hold personal data: keep to what staff need (data minimisation).
id: {case_id}
opened: {today}
customer:                 # PERSONAL: the one person the arrangement applies to
  name: ""
scope:
  council_wide: false
  services: []            # ids from policy/vocabulary.yaml
incidents: []
adjustments: []           # adjustments considered before any decision (§6)
resolution_attempts: []   # what the service did to resolve the concerns first (§5)
decisions: []
reviews: []
letters: []
"""


def used_ids(cases_dir: Path) -> set[str]:
    """Ids in use or ever used: case file names and ids in the deletion log (raw text scan,
    so a broken file never makes an id look free)."""
    used = {m.group(0) for p in cases_dir.iterdir() for m in [_ID.match(p.name)] if m}
    log = cases_dir / DELETIONS_NAME
    if log.is_file():
        text = log.read_text(encoding="utf-8", errors="replace")
        used.update(f"MC-{year}-{number}" for year, number in _ID.findall(text))
    return used


def next_id(cases_dir: Path, year: int) -> str:
    numbers = [int(i[8:]) for i in used_ids(cases_dir) if i[3:7] == f"{year:04d}"]
    number = max(numbers, default=0) + 1
    if number > 9999:
        raise McrError(f"no case ids left for {year}")
    return f"MC-{year:04d}-{number:04d}"


def scaffold(cases_dir: Path, today: date) -> Path:
    """Write a new case file; never overwrites an existing one."""
    case_id = next_id(cases_dir, today.year)
    path = cases_dir / f"{case_id}.yaml"
    text = TEMPLATE.format(modeline=MODELINE, case_id=case_id, today=today.isoformat())
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path
