"""Identity: a case file is the case it says it is, and its entries can be told apart.

Not a part of the published policy but what every other rule relies on. The case id is the
file's name (MC104); entry ids are unique within the case (MC107); references (a letter's
`about`, a challenge's `against`, a police report's incidents, a correction's entry) name an
entry of the right kind (MC108); and the file starts with the schema modeline, `MODELINE`, so
that editors validate it while it is written (MC109).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..findings import Finding, format_path
from ..model import HISTORY_SECTIONS
from .rule import E, Rule, W

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (
    Rule("MC104", E, "The case id equals the file's name."),
    Rule("MC107", E, "Entry ids are unique within a case."),
    Rule("MC108", E, "References name an existing entry of the right kind."),
    Rule("MC109", W, "Case files start with the schema modeline, so editors validate."),
)

MODELINE = "# yaml-language-server: $schema=../schemas/case.schema.json"


def check(cx: CaseContext) -> None:
    """The case's id, modeline, entry ids and references."""
    _file(cx)
    _entries(cx)


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
