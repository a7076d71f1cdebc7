"""Safeguards (§6): what a measure must never take away.

A measure does not take away a channel that an adjustment made for the customer relies on
(MC380). Restrictions apply to one person, the customer, never to family or household (MC381):
the words that show otherwise are policy data (`household` in policy/vocabulary.yaml), looked
for as whole words, in any case, in the customer's name and aliases and in every measure's free
text (description, times, premises). A measure's advocate is not read: the customer may choose a
relative to speak for them (§6.2), which restricts nobody else. A word check is a prompt for
review, not a guarantee. The customer's statutory rights are not affected, so a decision
covering a statutory service says how the customer keeps access to it (MC382).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from .rule import E, Rule

if TYPE_CHECKING:
    from ..policy import Household
    from .context import CaseContext

RULES = (
    Rule("MC380", E, "Measures do not take away a channel an adjustment relies on."),
    Rule(
        "MC381",
        E,
        "Restrictions name one person, never family or household: a check for the words in "
        "policy/vocabulary.yaml, a prompt for review, not a guarantee.",
        needs_keys=True,
    ),
    Rule("MC382", E, "Measures touching a statutory service say how access continues."),
)

#: Said with every MC381 finding: what a word check can and cannot tell.
_PROMPT = (
    "a check for words is a prompt to review the text, not a guarantee either way (the words "
    "are `household` in policy/vocabulary.yaml)"
)
#: The measure values read for household words; the advocate may be a relative (§6.2).
_FREE_TEXT = ("description", "times", "premises")


def _normal(text: str) -> str:
    """Text as the check reads it: case folded, typographic apostrophes made plain."""
    return text.casefold().replace("\u2019", "'")


@lru_cache(maxsize=16)
def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern finding any of `phrases` as whole words, across any run of spaces. A
    phrase that starts or ends with a letter or digit must not touch another there ("son"
    is not in "Johnson"); "&" and "/" are found anywhere."""
    parts = []
    for phrase in sorted({_normal(p) for p in phrases}, key=len, reverse=True):
        body = r"\s+".join(re.escape(word) for word in phrase.split())
        if re.match(r"\w", phrase):
            body = r"(?<!\w)" + body
        if re.search(r"\w\Z", phrase):
            body += r"(?!\w)"
        parts.append(body)
    return re.compile("|".join(parts)) if parts else None


def names_more_than_one(words: Household, name: str) -> bool:
    """Whether a name or alias reads as more than one person, or as someone's relative."""
    left_out = {_normal(p) for p in words.not_in_names}
    in_names = {_normal(p) for p in words.relations} - left_out
    return _found(words, (*words.joint_name_markers, *sorted(in_names)), name)


def reaches_household(words: Household, text: str) -> bool:
    """Whether a measure's free text names family, household or others at the address."""
    return _found(words, tuple(words.relations), text)


def _found(words: Household, phrases: tuple[str, ...], text: str) -> bool:
    read = _normal(text)
    aside = _pattern(tuple(words.not_relations))
    if aside is not None:
        read = aside.sub(" ", read)
    pattern = _pattern(phrases)
    return pattern is not None and pattern.search(read) is not None


def check(cx: CaseContext) -> None:
    """Adjustments, household and statutory services against every set of measures."""
    ix = cx.index
    readable = not cx.loaded.sealed  # the household check reads the name and measures' text
    words = ix.policy.vocabulary.household
    customer = cx.case.customer
    names: list[tuple[tuple[str | int, ...], str]] = [(("customer", "name"), customer.name)]
    names += [(("customer", "aliases", k), alias) for k, alias in enumerate(customer.aliases)]
    for where, name in names:
        if readable and names_more_than_one(words, name):
            cx.report(
                where,
                "MC381",
                "this reads as more than one person, or as someone's relative: a case names "
                "one person, so open a separate case for anyone else whose own conduct meets "
                f"the policy; {_PROMPT}",
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
            for field in _FREE_TEXT:
                text = getattr(measure, field)
                if readable and text and reaches_household(words, text):
                    cx.report(
                        (*base, j, field),
                        "MC381",
                        "this names family, household or others at the address: restrictions "
                        "apply to the customer only, never to family or household members "
                        f"(§6), so reword it; {_PROMPT}",
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
