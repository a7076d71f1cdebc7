"""Finding a case by the customer's name or an alias, tolerant of spelling as a person types it.

Names are compared word by word after folding case and stripping accents and punctuation: a
word matches the same word, an initial ("J." for "Jordan"), the start of a longer word (three
letters or more), or one spelt with a letter wrong, missing, added or two letters swapped (two
such slips in a word of eight letters or more). Two names match when every word of one
matches a different word of the other, so a surname alone finds the case.

Names are sealed: a case is searched only where its key is at hand; the others are named, by
id, as not searched, never left out in silence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path

from ..errors import ExitCode, McrError
from ..sealing.tokens import CaseKey
from .lifecycle import State, derive
from .matching import match_all
from .snapshot import CASE_NAME, Keys, load_register
from .snapshot import case_paths as _case_paths

#: Letters NFKD does not take apart, written as an English keyboard would.
_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "\u0131": "i"}
)
#: Apostrophes of every shape: "O'Brien", "O\u2019Brien" and "OBrien" are one name.
_APOSTROPHES = re.compile("['`\u2018\u2019\u00b4]")
_NOT_A_LETTER = re.compile(r"[^0-9a-z]+")
#: What stands in for a sealed value that did not open (sealing.tokens.placeholder).
_PLACEHOLDER = re.compile(r"\[sealed [0-9a-f]{16}\]\Z")


class SearchError(McrError):
    """The register could not be searched (its policy data does not load)."""

    exit_code = ExitCode.FINDINGS


def words(name: str) -> tuple[str, ...]:
    """A name as the words compared: case folded, accents and apostrophes gone."""
    decomposed = unicodedata.normalize("NFKD", name.casefold().translate(_LETTERS))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return tuple(_NOT_A_LETTER.sub(" ", _APOSTROPHES.sub("", bare)).split())


def slips(a: str, b: str) -> int:
    """Letters wrong, missing, added or swapped between `a` and `b` (optimal string alignment)."""
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
    return row[len(b)]


def _allowed(length: int) -> int:
    return 0 if length < 4 else 1 if length < 8 else 2


def word_matches(a: str, b: str) -> bool:
    """Whether two words could be the same: equal, an initial, a start, or a slip or two."""
    short, long = sorted((a, b), key=len)
    if short == long or (len(short) == 1 and long.startswith(short)):
        return True
    if len(short) >= 3 and long.startswith(short):
        return True
    return slips(a, b) <= _allowed(len(short))


def _within(wanted: tuple[str, ...], offered: tuple[str, ...]) -> bool:
    """Every word of `wanted` in `offered`, where two words side by side may also be one
    ("Mc Donald" is "McDonald"); initials alone name nobody."""
    if all(len(w) == 1 for w in wanted) or all(len(w) == 1 for w in offered):
        return False
    joined = tuple(a + b for a, b in pairwise(offered))
    return match_all(wanted, offered + joined, word_matches)


def names_match(a: str, b: str) -> bool:
    """Whether names `a` and `b` could be the same person's (see the module's docstring)."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return False
    if "".join(wa) == "".join(wb):
        return True
    return _within(wa, wb) or _within(wb, wa)


@dataclass(frozen=True)
class Match:
    """A case whose customer's name or alias matches: which name matched, and how it is held."""

    case_id: str
    state: State
    name: str
    alias: bool


@dataclass(frozen=True)
class Unsearched:
    """A case that could not be searched, and why, in words a person can act on."""

    case_id: str
    why: str


@dataclass
class Search:
    """What a search found, and what it could not look in."""

    matches: list[Match] = field(default_factory=list)
    unsearched: list[Unsearched] = field(default_factory=list)
    searched: int = 0


NO_KEY = "no key"
#: Each state as a search result says it.
STATE_SHORT: dict[str, str] = {
    "new": "opened, no decision yet",
    "stage-1": "stage 1",
    "stage-2": "stage 2",
    "dormant": "dormant",
}


def listed(matches: Sequence[Match]) -> str:
    """Cases as ids and states only: "MC-2026-0003 (stage 1), MC-2025-0011 (dormant)"."""
    return ", ".join(f"{m.case_id} ({STATE_SHORT[m.state]})" for m in matches)


def find_cases(root: Path, names: Sequence[str], today: date, keys: Keys | None) -> Search:
    """Every case in the register (opened, stage 1, stage 2 or dormant) whose customer's name or
    an alias matches one of `names`, opening names with `keys`."""
    cache: dict[str, CaseKey | None] = {}

    def key(case_id: str) -> CaseKey | None:
        if case_id not in cache:
            cache[case_id] = keys(case_id) if keys is not None else None
        return cache[case_id]

    register, _ = load_register(root, keys=key if keys is not None else None)
    if register.policy is None:
        raise SearchError(
            "the policy data does not load, so no case's state can be worked out: run mcr check"
        )
    search = Search()
    loaded = {c.path.name: c for c in register.cases}
    for path in _case_paths(root):
        if not CASE_NAME.match(path.name):
            continue
        case_id = path.stem
        found = loaded.get(path.name)
        if found is None:
            search.unsearched.append(Unsearched(case_id, "the file does not load (mcr check)"))
            continue
        if key(case_id) is None:
            search.unsearched.append(Unsearched(case_id, NO_KEY))
            continue
        customer = found.case.customer
        held = [(customer.name, False), *((a, True) for a in customer.aliases)]
        if any(_PLACEHOLDER.match(n) for n, _ in held):
            search.unsearched.append(
                Unsearched(case_id, "its name does not open with its key (mcr check)")
            )
            continue
        search.searched += 1
        for name, alias in held:
            if any(names_match(wanted, name) for wanted in names):
                state = derive(found.case, register.policy, today).state
                search.matches.append(Match(case_id, state, name, alias))
                break
    return search
