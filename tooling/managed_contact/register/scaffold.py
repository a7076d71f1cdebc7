"""`mcr new`: a new case file with the next free id and its opening facts, its key made and its
values sealed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import McrError
from ..sealing.keystore import KeyExists, Keystore
from ..sealing.text import render_scalar
from .files import write_atomic
from .personal import seal_text
from .rules import MODELINE
from .snapshot import DELETIONS_NAME

_ID = re.compile(r"MC-([0-9]{4})-([0-9]{4})")

#: A new case. No comments: a case file allows none (they could not be sealed).
TEMPLATE = """{modeline}
id: {case_id}
opened: {opened}
customer:
{customer}scope:
  council_wide: {council_wide}
  services: [{services}]
incidents: []
adjustments: []
resolution_attempts: []
decisions: []
reviews: []
letters: []
"""


@dataclass(frozen=True)
class Opening:
    """The facts a case is opened with: who the customer is, and which services it covers."""

    name: str = ""
    services: tuple[str, ...] = ()
    council_wide: bool = False
    opened: date | None = None
    aliases: tuple[str, ...] = ()
    address: str | None = None
    email: str | None = None
    phone: str | None = None
    reference: str | None = None


def _customer(opening: Opening) -> str:
    """The `customer:` mapping's lines, each value written as YAML reads it back."""
    name = render_scalar(opening.name, 4, flow=False) if opening.name else '""'
    lines = [f"  name: {name}"]
    if opening.aliases:
        lines.append("  aliases:")
        lines.extend(f"    - {render_scalar(a, 6, flow=False)}" for a in opening.aliases)
    for name in ("address", "email", "phone", "reference"):
        value = getattr(opening, name)
        if value:
            lines.append(f"  {name}: {render_scalar(value, 4, flow=False)}")
    return "".join(f"{line}\n" for line in lines)


def case_text(case_id: str, today: date, opening: Opening) -> str:
    """A new case file's text, not yet sealed."""
    return TEMPLATE.format(
        modeline=MODELINE,
        case_id=case_id,
        opened=(opening.opened or today).isoformat(),
        customer=_customer(opening),
        council_wide="true" if opening.council_wide else "false",
        services=", ".join(opening.services),
    )


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


def scaffold(
    cases_dir: Path, today: date, keystore: Keystore, opening: Opening | None = None
) -> Path:
    """Make the next free case's key in `keystore` and write its file with the `opening`
    facts, sealed; never overwrites a file or a key (KeyExists if the id already has a key)."""
    case_id = next_id(cases_dir, today.year)
    path = cases_dir / f"{case_id}.yaml"
    try:
        key = keystore.create(case_id)
    except KeyExists:
        raise KeyExists(
            f"{case_id} is the next free id, but {keystore.name} already holds a key for it: "
            "a key is the only way into every past version of its case, so no new case is "
            f"made with it. Find out whose it is (mcr keys check) before going on"
        ) from None
    text = case_text(case_id, today, opening or Opening())
    write_atomic(path, seal_text(text, f"cases/{path.name}", key), new=True)
    return path
