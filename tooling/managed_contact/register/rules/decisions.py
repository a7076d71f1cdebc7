"""Decisions (§6, §6.1, §6.2): who may decide, and what a decision records.

A stage 1 decision is taken by a Senior Manager or above (MC310). A stage 2 decision has a
business case by the Director of an affected service (MC311) and the Customer Relations Team's
recommendation to approve (MC312), and is taken by the Director of Governance (MC313): three
different people (MC314). Going straight to stage 2 records why the conduct is extreme (MC317),
and the Customer Relations Team is notified of every arrangement (MC325). Dates in a decision
that run backwards are reported under MC340, which `chronology` owns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .rule import E, Rule

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (
    Rule("MC310", E, "A stage 1 decision is taken by a Senior Manager or above (§6)."),
    Rule(
        "MC311",
        E,
        "A stage 2 decision has a business case by a Director of an affected service (§6.2).",
    ),
    Rule(
        "MC312",
        E,
        "A stage 2 decision has a Customer Relations recommendation to approve (§6.2).",
    ),
    Rule("MC313", E, "A stage 2 decision is taken by the Director of Governance (§6.2)."),
    Rule("MC314", E, "Stage 2: business-case author, recommender and decider are three people."),
    Rule("MC317", E, "Going straight to stage 2 records why the conduct is extreme (§6, §6.2)."),
    Rule("MC325", E, "Customer Relations is notified of every arrangement (§6)."),
)


def check(cx: CaseContext) -> None:
    """Approvals, separation of duties and notification for every decision the case moved by."""
    ix = cx.index
    services = cx.case.scope.services
    for step in cx.status.steps:
        if step.event != "decision":
            continue
        i = int(step.path[1])
        dec = cx.case.decisions[i]
        base: tuple[str | int, ...] = ("decisions", i)
        if dec.crt_notified is None:
            cx.report(
                base,
                "MC325",
                f"decision {dec.id}: record when Customer Relations "
                "was notified ('crt_notified', §6)",
            )
        elif dec.crt_notified < dec.date:
            cx.report(
                (*base, "crt_notified"),
                "MC340",
                f"decision {dec.id}: Customer "
                "Relations cannot be notified of an arrangement before it is decided",
            )
        if dec.stage == 1:
            if not ix.approves("decision-stage-1", [dec.decided_by], dec.date, services):
                cx.report(
                    (*base, "decided_by"),
                    "MC310",
                    f"'{dec.decided_by}' was not a "
                    f"Senior Manager or above on {dec.date}: stage 1 needs that "
                    "approval as a minimum (§6)",
                )
            continue
        if step.before in ("new", "dormant") and not dec.extreme_reason:
            start = "a new case" if step.before == "new" else "a dormant case"
            cx.report(
                base,
                "MC317",
                f"decision {dec.id} takes {start} straight to stage 2: record "
                "why the conduct is extreme in 'extreme_reason' (§6, §6.2)",
            )
        people = [dec.decided_by]
        bc, rec = dec.business_case, dec.recommendation
        if bc is None:
            cx.report(
                base,
                "MC311",
                f"stage 2 decision {dec.id} needs a business case by "
                "the Director of an affected service (§6.2)",
            )
        else:
            people.append(bc.author)
            if not ix.approves("business-case", [bc.author], bc.date, services):
                cx.report(
                    (*base, "business_case", "author"),
                    "MC311",
                    f"'{bc.author}' was "
                    f"not the Director of an affected service on {bc.date} (§6.2)",
                )
            if bc.date > dec.date:
                cx.report(
                    (*base, "business_case", "date"),
                    "MC340",
                    "the business case is dated after the decision it supports",
                )
        if rec is None:
            cx.report(
                base,
                "MC312",
                f"stage 2 decision {dec.id} needs the Customer "
                "Relations Team's recommendation (§6.2)",
            )
        else:
            people.append(rec.by)
            if not ix.approves("recommendation", [rec.by], rec.date, services):
                cx.report(
                    (*base, "recommendation", "by"),
                    "MC312",
                    f"'{rec.by}' was not in the Customer Relations Team on {rec.date} (§6.2)",
                )
            if rec.outcome != "approve":
                cx.report(
                    (*base, "recommendation", "outcome"),
                    "MC312",
                    "the Customer "
                    "Relations Team recommended rejection; a stage 2 decision needs "
                    "a recommendation to approve",
                )
            if rec.date > dec.date or (bc is not None and rec.date < bc.date):
                cx.report(
                    (*base, "recommendation", "date"),
                    "MC340",
                    "the recommendation "
                    "comes after the business case and before the decision (§6.2)",
                )
        if not ix.approves("decision-stage-2", [dec.decided_by], dec.date, services):
            cx.report(
                (*base, "decided_by"),
                "MC313",
                f"'{dec.decided_by}' was not the Director of Governance on {dec.date} (§6.2)",
            )
        if len(set(people)) != len(people):
            cx.report(
                base,
                "MC314",
                f"decision {dec.id}: the business-case author, the "
                "recommender and the Director of Governance must be three different "
                "people",
            )
