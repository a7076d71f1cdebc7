"""Police (§6.2): violence and serious threats against staff are always reported.

Every incident with a conduct category that policy/vocabulary.yaml marks `police_report` has a
police report (MC330). A report dated before the incident is reported under MC340, which
`chronology` owns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .rule import E, Rule

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (Rule("MC330", E, "Violence and serious threats are reported to the police (§6.2)."),)


def check(cx: CaseContext) -> None:
    """A police report for every incident of violence or serious threats."""
    reported = {ref: r.date for r in cx.case.police_reports for ref in r.incidents}
    for i, inc in enumerate(cx.case.incidents):
        serious = [
            c for c in inc.categories if c in cx.index.conduct and cx.index.conduct[c].police_report
        ]
        if not serious:
            continue
        day = reported.get(inc.id)
        if day is None:
            cx.report(
                ("incidents", i),
                "MC330",
                f"incident {inc.id} records "
                f"{', '.join(serious)}: record the police report under "
                "'police_reports' (§6.2: always reported)",
            )
        elif day < inc.date:
            cx.report(
                ("incidents", i),
                "MC340",
                f"incident {inc.id} is reported to the police before it happened",
            )
