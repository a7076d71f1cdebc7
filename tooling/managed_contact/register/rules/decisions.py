"""Decisions (§6, §6.1, §6.2): who may decide, and what a decision records.

A stage 1 decision is taken by a Senior Manager or above (MC310), for a monitoring period no
shorter than the default unless the council allows it (MC319). A stage 2 decision has a business
case by the Director of an affected service (MC311) and the Customer Relations Team's
recommendation (MC312), and is taken by the Director of Governance (MC313): three different people
(MC314). The Director of Governance decides: a decision against a recommendation to reject
records why, or is refused where the council has chosen so (MC318). Going straight to stage 2
records why the conduct is extreme (MC317), and the Customer Relations Team is notified of every
arrangement (MC325). Dates in a decision that run backwards are reported under MC340, which
`chronology` owns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..dates import add_months
from .rule import E, Rule

if TYPE_CHECKING:
    from ..model import Decision
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
        "A stage 2 decision has the Customer Relations Team's recommendation (§6.2).",
    ),
    Rule("MC313", E, "A stage 2 decision is taken by the Director of Governance (§6.2)."),
    Rule("MC314", E, "Stage 2: business-case author, recommender and decider are three people."),
    Rule("MC317", E, "Going straight to stage 2 records why the conduct is extreme (§6, §6.2)."),
    Rule(
        "MC318",
        E,
        "A stage 2 decision against a recommendation to reject records why; where the council "
        "has chosen so, a recommendation to reject stops it (§6.2).",
    ),
    Rule(
        "MC319",
        E,
        "A stage 1 monitoring period is not shorter than the default, unless the council "
        "allows it (§6.1).",
    ),
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
        overruled = dec.stage == 2 and rec_outcome(dec) == "reject"
        if dec.against_recommendation_reason is not None and not overruled:
            cx.report(
                (*base, "against_recommendation_reason"),
                "MC103",
                "'against_recommendation_reason' applies only to a stage 2 decision taken "
                "against a recommendation to reject",
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
            _monitoring_period(cx, i)
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
            if rec.outcome == "reject":
                _against_rejection(cx, i)
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


def rec_outcome(dec: Decision) -> str | None:
    """The Customer Relations recommendation's outcome, if the decision has one."""
    return dec.recommendation.outcome if dec.recommendation is not None else None


def _against_rejection(cx: CaseContext, i: int) -> None:
    """MC318: the Director of Governance decided although Customer Relations recommended
    rejection. The recommendation advises and the Director decides (§6.2), with the reason
    recorded, unless the council has chosen to let a rejection stop the decision."""
    dec = cx.case.decisions[i]
    base: tuple[str | int, ...] = ("decisions", i)
    if not cx.policy.settings.choices.governance_may_overrule_rejection:
        cx.report(
            (*base, "recommendation", "outcome"),
            "MC318",
            f"decision {dec.id}: the Customer Relations Team recommended rejection, and the "
            "council has chosen that a recommendation to reject stops a stage 2 decision "
            "(policy/settings.yaml choices.governance_may_overrule_rejection)",
        )
    elif not dec.against_recommendation_reason:
        cx.report(
            base,
            "MC318",
            f"decision {dec.id} goes against the Customer Relations Team's recommendation to "
            "reject: record why in 'against_recommendation_reason' (§6.2)",
        )


def _monitoring_period(cx: CaseContext, i: int) -> None:
    """MC319: a stage 1 decision sets a monitoring period shorter than the default (§6.1 gives
    a default and a right to extend it), where the council has not chosen to allow that."""
    if cx.policy.settings.choices.monitoring_may_be_shorter:
        return
    dec = cx.case.decisions[i]
    default = cx.policy.periods.monitoring_months
    short = None
    if dec.monitoring_months is not None and dec.monitoring_months < default:
        short = ("monitoring_months", f"{dec.monitoring_months} month(s)")
    elif dec.expires is not None and dec.expires < add_months(dec.date, default):
        short = ("expires", f"an end on {dec.expires}")
    if short is not None:
        key, what = short
        cx.report(
            ("decisions", i, key),
            "MC319",
            f"decision {dec.id} sets {what}, shorter than the default monitoring period of "
            f"{default} months: §6.1 allows extending it, not shortening it "
            "(policy/settings.yaml choices.monitoring_may_be_shorter)",
        )
