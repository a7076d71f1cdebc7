"""Councillors (§1): members can opt in or out of any managed contact arrangement.

An opt-in or opt-out names someone who was a councillor on its date (MC360), and a councillor has
one current choice per case (MC361).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .rule import E, Rule

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (
    Rule("MC360", E, "Opt-ins and opt-outs name councillors (§1)."),
    Rule("MC361", E, "A councillor has one current choice per case."),
)


def check(cx: CaseContext) -> None:
    """Each councillor's choices: a councillor on the day, one current choice each."""
    current: dict[str, int] = {}
    for i, cc in enumerate(cx.case.councillors):
        path = ("councillors", i, "councillor")
        if cc.councillor in cx.index.people and not cx.index.holds(
            cc.councillor, ["councillor"], cc.date
        ):
            cx.report(path, "MC360", f"'{cc.councillor}' was not a councillor on {cc.date}")
        if cc.withdrawn is None:
            if cc.councillor in current:
                cx.report(
                    path,
                    "MC361",
                    f"'{cc.councillor}' already has a current choice "
                    f"(councillors[{current[cc.councillor]}]): withdraw it first",
                )
            current[cc.councillor] = i
