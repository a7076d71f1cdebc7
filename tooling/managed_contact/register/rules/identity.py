"""Identity: a case file is the case it says it is, and its entries can be told apart.

Not a part of the published policy but what every other rule relies on. The case id is the
file's name (MC104); entry ids are unique within the case (MC107); references (a letter's
`about`, a challenge's `against`, a police report's incidents, a correction's entry) name an
entry of the right kind (MC108); and the file starts with the schema modeline, `MODELINE`, so
that editors validate it while it is written (MC109).

Each history list numbers its own entries (MC110): an entry's id is its list's letter
(`ENTRY_PREFIX`: I for incidents, S for resolution attempts, R for reviews, …) and a number from
1, written without a leading zero, so the tool can always give the next id and a reader can tell
from `S2` alone what it names. Gaps are allowed: a number stays used once it has been in the
register, so a draft entry deleted before it was committed, or an entry removed by a recorded
correction, leaves a gap, and closing it would rename entries that history has already seen
(MC403). A number used twice is MC107; a wrong letter, a zero or a leading zero is MC110, and the
message names the exact id to use instead (the next free one in that list).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..findings import Finding, format_path
from ..model import ENTRY_PREFIX, HISTORY_SECTIONS
from .rule import E, Rule, W

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (
    Rule("MC104", E, "The case id equals the file's name."),
    Rule("MC107", E, "Entry ids are unique within a case."),
    Rule("MC108", E, "References name an existing entry of the right kind."),
    Rule("MC109", W, "Case files start with the schema modeline, so editors validate."),
    Rule(
        "MC110",
        E,
        "Entry ids are the list's letter and a number from 1 (I1, S1, R1, …), no leading zero.",
    ),
)

#: A well-formed number after the letter: 1, 2, … 10, never 0 or 01.
_NUMBER = re.compile(r"[1-9][0-9]*")

#: How each history list is named in messages, where its key does not read as words.
_LIST_WORDS = {"activity": "dormant activity entries"}

MODELINE = "# yaml-language-server: $schema=../schemas/case.schema.json"


def check(cx: CaseContext) -> None:
    """The case's id, modeline, entry ids and references."""
    _file(cx)
    _entries(cx)
    _numbering(cx)


def _file(cx: CaseContext) -> None:
    """The case id matches the file name, and the file starts with the schema modeline."""
    stem = cx.loaded.path.stem
    if cx.case.id != stem:
        cx.report(
            ("id",),
            "MC104",
            f"id '{cx.case.id}' does not match the file name "
            f"'{cx.loaded.path.name}': rename the file or fix the id",
        )
    first_line = cx.doc.first_line
    if first_line.strip() != MODELINE:
        cx.findings.append(
            Finding(
                cx.loaded.file,
                1,
                1,
                "",
                "MC109",
                W,
                f"first line should be the schema modeline '{MODELINE}'",
            )
        )


def _entries(cx: CaseContext) -> None:
    """Entry ids are unique in the case, and references name an entry of the right kind."""
    seen: dict[str, tuple[str | int, ...]] = {}
    kinds: dict[str, str] = {}
    sections = HISTORY_SECTIONS
    for section in sections:
        for i, entry in enumerate(getattr(cx.case, section)):
            path = (section, i, "id")
            if entry.id in seen:
                cx.report(
                    path,
                    "MC107",
                    f"entry id '{entry.id}' is already used at "
                    f"{format_path(seen[entry.id])}: give this entry a new id",
                )
            else:
                seen[entry.id] = path
                kinds[entry.id] = section

    def expect(path: tuple[str | int, ...], ref: str, allowed: tuple[str, ...]) -> None:
        kind = kinds.get(ref)
        if kind is None:
            cx.report(path, "MC108", f"'{ref}' is not an entry in this case")
        elif kind not in allowed:
            cx.report(
                path,
                "MC108",
                f"'{ref}' is in {kind}; expected an entry in {' or '.join(allowed)}",
            )

    for i, letter in enumerate(cx.case.letters):
        expect(("letters", i, "about"), letter.about, ("decisions", "reviews", "challenges"))
    for i, challenge in enumerate(cx.case.challenges):
        expect(("challenges", i, "against"), challenge.against, ("decisions", "reviews"))
    for i, report in enumerate(cx.case.police_reports):
        for j, ref in enumerate(report.incidents):
            expect(("police_reports", i, "incidents", j), ref, ("incidents",))
    for i, correction in enumerate(cx.case.corrections):
        expect(
            ("corrections", i, "entry"),
            correction.entry,
            tuple(s for s in sections if s != "corrections"),
        )


def entry_number(section: str, entry_id: str) -> int | None:
    """The number of `entry_id` in its list `section` (`S2` in resolution_attempts is 2), or
    None when the id is not that list's letter and a number from 1 without a leading zero."""
    letter = ENTRY_PREFIX[section]
    if entry_id.startswith(letter) and _NUMBER.fullmatch(entry_id[len(letter) :]):
        return int(entry_id[len(letter) :])
    return None


def next_entry_id(section: str, used: set[str]) -> str:
    """The next free id of a list: its letter and one more than the highest number its entries
    already carry (gaps are kept, never filled), skipping any id used elsewhere in the case."""
    letter = ENTRY_PREFIX[section]
    numbers = [n for n in (entry_number(section, i) for i in used) if n is not None]
    n = max(numbers, default=0) + 1
    while f"{letter}{n}" in used:
        n += 1
    return f"{letter}{n}"


def _numbering(cx: CaseContext) -> None:
    """Each entry's id is its list's letter and a number (MC110), with the id to use instead."""
    used = {e.id for s in HISTORY_SECTIONS for e in getattr(cx.case, s)}
    for section in HISTORY_SECTIONS:
        letter = ENTRY_PREFIX[section]
        words = _LIST_WORDS.get(section, section.replace("_", " "))
        for i, entry in enumerate(getattr(cx.case, section)):
            if entry_number(section, entry.id) is not None:
                continue
            instead = next_entry_id(section, used)
            used.add(instead)
            cx.report(
                (section, i, "id"),
                "MC110",
                f"{words} are numbered {letter}1, {letter}2, …; use the next one, {instead}, "
                f"instead of '{entry.id}' (and change any reference to it). If this entry is "
                "already in the register's history, renaming it removes it: record a "
                "correction naming it in the same change",
            )
