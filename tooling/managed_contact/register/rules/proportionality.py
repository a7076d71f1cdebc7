"""Proportionality (§5, §6): managed contact comes after the conduct, and after other ways.

Every decision rests on conduct on record: a dated incident on or before it, showing each kind
of conduct it relies on, and, for a decision that reopens a dormant case, one since the case went
dormant (§6, §6.1, §7; MC300). Before the first decision, adjustments to the service have been
considered (§6; MC301) and the service has tried to resolve the customer's concerns (§5; MC302).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .rule import E, Rule

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (
    Rule(
        "MC300",
        E,
        "A decision rests on conduct on record: incidents on or before it, showing the conduct "
        "it relies on (§6, §6.1); since going dormant, for a reopened case (§7).",
    ),
    Rule("MC301", E, "Adjustments were considered before the first decision (§6)."),
    Rule(
        "MC302",
        E,
        "The service tried to resolve the concerns before the first decision (§5, §6).",
    ),
)


def check(cx: CaseContext) -> None:
    """Conduct on record before every decision; adjustments and a resolution attempt before the
    first."""
    _conduct_on_record(cx)
    if not cx.case.decisions:
        return
    first = min(cx.case.decisions, key=lambda d: d.date)
    index = cx.case.decisions.index(first)
    if not any(a.date <= first.date for a in cx.case.adjustments):
        cx.report(
            ("decisions", index),
            "MC301",
            f"no adjustment to the service is recorded "
            f"on or before the first decision ({first.date}): record the adjustments "
            "considered under 'adjustments' (§6)",
        )
    if not any(a.date <= first.date for a in cx.case.resolution_attempts):
        cx.report(
            ("decisions", index),
            "MC302",
            "no attempt by the service to resolve the "
            f"customer's concerns is recorded on or before {first.date}: record it "
            "under 'resolution_attempts' (§5, §6)",
        )


def _conduct_on_record(cx: CaseContext) -> None:
    """MC300 for each decision without the incidents it rests on."""
    dormant_since = None
    for step in cx.status.steps:
        if step.allowed and step.after == "dormant":
            dormant_since = step.day
        if step.event != "decision":
            continue
        i = int(step.path[1])
        dec = cx.case.decisions[i]
        path: tuple[str | int, ...] = ("decisions", i)
        before = [x for x in cx.case.incidents if x.date <= dec.date]
        if not before:
            cx.report(
                path,
                "MC300",
                f"decision {dec.id} has no incident on or before {dec.date}: record the "
                "conduct it rests on under 'incidents' first (§6, §6.1)",
            )
            continue
        since = dormant_since if step.before == "dormant" else None
        if since is not None and not any(x.date > since for x in before):
            cx.report(
                path,
                "MC300",
                f"decision {dec.id} reopens a case dormant since {since}: record the conduct "
                "since then that it rests on under 'incidents' (§7)",
            )
            continue
        shown = {c for x in before for c in x.categories}
        for j, category in enumerate(dec.conduct):
            if category not in shown:
                cx.report(
                    (*path, "conduct", j),
                    "MC300",
                    f"decision {dec.id} relies on '{category}', which no incident on or before "
                    f"{dec.date} shows: record that incident, or leave the conduct out (§6)",
                )
