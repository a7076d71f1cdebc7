"""Written notice (§6, §6.1, §7): the customer is told in writing, by the right person.

Every decision, review and decided challenge is followed by a letter or email (MC320) that states
everything policy/settings.yaml requires (MC321). It comes from the service's Director or a
Senior Manager by delegation, or from the Customer Relations Team when the conduct is
council-wide or across several services (MC316). While the right to challenge is on, a letter
does not also say there is no right of appeal, unless the council allows it (MC322). A letter
dated before what it tells of is reported under MC340, which `chronology` owns.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from .rule import E, Rule

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (
    Rule(
        "MC316",
        E,
        "Letters come from the service's Director or Senior Manager, or from Customer "
        "Relations when council-wide (§6, §6.1).",
    ),
    Rule(
        "MC320",
        E,
        "Every decision, review and challenge outcome is followed by a letter (§6, §7).",
    ),
    Rule("MC321", E, "Letters state everything policy/settings.yaml requires."),
    Rule(
        "MC322",
        E,
        "While the right to challenge is on, a letter does not say there is no right of "
        "appeal, unless the council allows it (§7).",
    ),
)


def check(cx: CaseContext) -> None:
    """A letter for every decision, review and decided challenge; its contents and its sender."""
    ix = cx.index
    told = {letter.about for letter in cx.case.letters}
    subjects: list[tuple[tuple[str | int, ...], str, date]] = []
    for i, dec in enumerate(cx.case.decisions):
        subjects.append((("decisions", i), dec.id, dec.date))
    for i, rev in enumerate(cx.case.reviews):
        subjects.append((("reviews", i), rev.id, rev.date))
    for i, ch in enumerate(cx.case.challenges):
        if ch.decided is not None and ch.outcome is not None:
            subjects.append((("challenges", i), ch.id, ch.decided))
    dates = {entry_id: day for _, entry_id, day in subjects}
    for path, entry_id, _day in subjects:
        if entry_id not in told:
            cx.report(
                path,
                "MC320",
                f"{entry_id} has no letter or email recorded: the "
                "customer must be told in writing (§6, §7)",
            )
    council_wide = cx.case.scope.council_wide or len(cx.case.scope.services) > 1
    for i, letter in enumerate(cx.case.letters):
        path = ("letters", i)
        day = dates.get(letter.about)
        if day is not None and letter.date < day:
            cx.report(
                (*path, "date"),
                "MC340",
                f"letter {letter.id} is dated before {letter.about}, which it tells of",
            )
        stage = cx.stage_at(letter.date)
        missing = [c for c in ix.required_contents(stage, letter.date) if c not in letter.states]
        if missing:
            labels = "; ".join(ix.letter_contents[c].label for c in missing)
            cx.report((*path, "states"), "MC321", f"letter {letter.id} does not state: {labels}")
        contradicted = [c for c in ix.contradicted_contents(letter.date) if c in letter.states]
        for content in contradicted:
            cx.report(
                (*path, "states", letter.states.index(content)),
                "MC322",
                f"letter {letter.id} states '{content}' ({ix.letter_contents[content].label}), "
                "but the customer has a right to challenge: say how to challenge instead "
                "(policy/settings.yaml choices.no_right_of_appeal_while_challenge_on)",
            )
        action = "letter-council-wide" if council_wide else "letter-service"
        ok = ix.approves(action, [letter.sent_by], letter.date, cx.case.scope.services)
        if not ok and not council_wide:
            ok = ix.approves("letter-council-wide", [letter.sent_by], letter.date, [])
        if not ok:
            who = (
                "the Customer Relations Team (the conduct is council-wide or across "
                "several services)"
                if council_wide
                else "the service's Director or a Senior Manager by delegation"
            )
            cx.report(
                (*path, "sent_by"),
                "MC316",
                f"letter {letter.id} should come from "
                f"{who}; '{letter.sent_by}' did not hold that role on {letter.date}",
            )
