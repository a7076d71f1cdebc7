"""Safeguards (§6): what a measure must never take away.

A measure does not take away a channel that an adjustment made for the customer relies on
(MC380). Restrictions apply to one person, the customer, never to family or household (MC381).
The customer's statutory rights are not affected, so a decision covering a statutory service
says how the customer keeps access to it (MC382).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .rule import E, Rule

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (
    Rule("MC380", E, "Measures do not take away a channel an adjustment relies on."),
    Rule("MC381", E, "Restrictions name one person, never family or household.", needs_keys=True),
    Rule("MC382", E, "Measures touching a statutory service say how access continues."),
)

_HOUSEHOLD_WORDS = (" and ", " & ", "family", "household", "mr and mrs", "mr & mrs", "/")


def check(cx: CaseContext) -> None:
    """Adjustments, household and statutory services against every set of measures."""
    ix = cx.index
    readable = not cx.loaded.sealed  # the household check reads the name and descriptions
    name = f" {cx.case.customer.name.lower()} "
    if readable and any(word in name for word in _HOUSEHOLD_WORDS):
        cx.report(
            ("customer", "name"),
            "MC381",
            "a case names one person: open a separate "
            "case for anyone else whose own conduct meets the policy",
        )
    needs = {a.channel: a for a in cx.case.adjustments if a.channel and a.outcome == "made"}
    statutory = [s for s in cx.case.scope.services if s in ix.services and ix.services[s].statutory]
    for base, measures in cx.measure_sets():
        for j, measure in enumerate(measures):
            kind = ix.measures.get(measure.measure)
            if kind is None:
                continue
            lost = set(kind.blocks_channels)
            if kind.only_channel and measure.channel:
                lost |= set(needs) - {measure.channel}
            for channel in sorted(lost & set(needs)):
                adj = needs[channel]
                cx.report(
                    (*base, j),
                    "MC380",
                    f"'{measure.measure}' takes away "
                    f"{channel}, which adjustment {adj.id} relies on: change the "
                    "measure or review the adjustment",
                )
            text = f" {(measure.description or '').lower()} "
            if readable and any(
                word in text for word in ("family", "household", "partner", "relatives")
            ):
                cx.report(
                    (*base, j, "description"),
                    "MC381",
                    "restrictions apply to the customer only, never to family or household members",
                )
    for i, dec in enumerate(cx.case.decisions):
        if statutory and not dec.statutory_access:
            cx.report(
                ("decisions", i),
                "MC382",
                f"decision {dec.id} covers statutory "
                f"service(s) {', '.join(statutory)}: say in 'statutory_access' how "
                "the customer keeps access to them (§6)",
            )
