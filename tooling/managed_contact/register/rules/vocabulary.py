"""Vocabulary: a case uses only the words the policy data defines.

Conduct categories (§4), services and channels come from policy/vocabulary.yaml (MC201, MC203,
MC204), people from policy/people.yaml (MC205) and letter contents from policy/settings.yaml
(MC208). Measures, the special measures of §6.1 and §6.2, come from policy/measures.yaml
(MC202), each with exactly the values its catalogue entry names (MC206) and at a stage the
catalogue allows (MC207).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..model import Measure
from ..validation import person_hint
from .rule import E, Rule

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (
    Rule("MC201", E, "Conduct categories exist in policy/vocabulary.yaml."),
    Rule("MC202", E, "Measures exist in policy/measures.yaml."),
    Rule("MC203", E, "Services exist in policy/vocabulary.yaml."),
    Rule("MC204", E, "Channels exist in policy/vocabulary.yaml."),
    Rule("MC205", E, "People exist in policy/people.yaml."),
    Rule("MC206", E, "A measure carries exactly the values its catalogue entry names."),
    Rule("MC207", E, "A measure is used at a stage the catalogue allows."),
    Rule("MC208", E, "Letter contents exist in policy/settings.yaml."),
)


def check(cx: CaseContext) -> None:
    """Every category, service, channel, person, letter content and measure the case names."""
    ix = cx.index

    def known(
        path: tuple[str | int, ...],
        value: str | None,
        table: Mapping[str, object],
        rule: str,
        what: str,
        where: str,
    ) -> bool:
        if value is None or value in table:
            return True
        if rule == "MC205":
            hint = person_hint(value, names)
        else:
            hint = f"use one listed in {where}"
            close = difflib.get_close_matches(value, list(table), n=3)
            if close:
                hint += ": did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
        cx.report(path, rule, f"unknown {what} '{value}': {hint}")
        return False

    names = {pid: person.name for pid, person in ix.people.items()}

    vocab, people = "policy/vocabulary.yaml", "policy/people.yaml"
    for i, service in enumerate(cx.case.scope.services):
        known(("scope", "services", i), service, ix.services, "MC203", "service", vocab)
    for i, inc in enumerate(cx.case.incidents):
        known(("incidents", i, "channel"), inc.channel, ix.channels, "MC204", "channel", vocab)
        known(("incidents", i, "service"), inc.service, ix.services, "MC203", "service", vocab)
        for j, cat in enumerate(inc.categories):
            known(
                ("incidents", i, "categories", j),
                cat,
                ix.conduct,
                "MC201",
                "conduct category",
                vocab,
            )
        for j, op in enumerate(inc.opinions):
            known(
                ("incidents", i, "opinions", j, "by"),
                op.by,
                ix.people,
                "MC205",
                "person",
                people,
            )
    for i, adj in enumerate(cx.case.adjustments):
        known(("adjustments", i, "channel"), adj.channel, ix.channels, "MC204", "channel", vocab)
    for i, att in enumerate(cx.case.resolution_attempts):
        known(
            ("resolution_attempts", i, "service"),
            att.service,
            ix.services,
            "MC203",
            "service",
            vocab,
        )
    for i, dec in enumerate(cx.case.decisions):
        base = ("decisions", i)
        known((*base, "decided_by"), dec.decided_by, ix.people, "MC205", "person", people)
        for j, cat in enumerate(dec.conduct):
            known((*base, "conduct", j), cat, ix.conduct, "MC201", "conduct category", vocab)
        if dec.business_case:
            known(
                (*base, "business_case", "author"),
                dec.business_case.author,
                ix.people,
                "MC205",
                "person",
                people,
            )
        if dec.recommendation:
            known(
                (*base, "recommendation", "by"),
                dec.recommendation.by,
                ix.people,
                "MC205",
                "person",
                people,
            )
        _measures(cx, (*base, "measures"), dec.measures, dec.stage)
    for i, rev in enumerate(cx.case.reviews):
        for j, who in enumerate(rev.reviewed_by):
            known(("reviews", i, "reviewed_by", j), who, ix.people, "MC205", "person", people)
        if rev.measures is not None:
            stage = rev.stage or cx.stage_at(rev.date) or 1
            _measures(cx, ("reviews", i, "measures"), rev.measures, stage)
    for i, letter in enumerate(cx.case.letters):
        known(("letters", i, "sent_by"), letter.sent_by, ix.people, "MC205", "person", people)
        for j, item in enumerate(letter.states):
            known(
                ("letters", i, "states", j),
                item,
                ix.letter_contents,
                "MC208",
                "letter content",
                "policy/settings.yaml",
            )
    for i, ch in enumerate(cx.case.challenges):
        known(("challenges", i, "decided_by"), ch.decided_by, ix.people, "MC205", "person", people)
        if ch.measures is not None:
            stage = cx.stage_at(ch.decided or ch.received) or 1
            _measures(cx, ("challenges", i, "measures"), ch.measures, stage)
    for i, cc in enumerate(cx.case.councillors):
        known(
            ("councillors", i, "councillor"),
            cc.councillor,
            ix.people,
            "MC205",
            "person",
            people,
        )
    for i, corr in enumerate(cx.case.corrections):
        known(("corrections", i, "made_by"), corr.made_by, ix.people, "MC205", "person", people)
        known(
            ("corrections", i, "approved_by"),
            corr.approved_by,
            ix.people,
            "MC205",
            "person",
            people,
        )


def _measures(
    cx: CaseContext, base: tuple[str | int, ...], measures: Sequence[Measure], stage: int
) -> None:
    """Each measure in one set: in the catalogue, at an allowed stage, with exactly its values."""
    ix = cx.index
    for j, measure in enumerate(measures):
        path = (*base, j)
        kind = ix.measures.get(measure.measure)
        if kind is None:
            cx.report(
                (*path, "measure"),
                "MC202",
                f"unknown measure '{measure.measure}': "
                "use one listed in policy/measures.yaml, or 'other' with a description",
            )
            continue
        if kind.stage is not None and kind.stage > stage:
            cx.report(
                (*path, "measure"),
                "MC207",
                f"'{measure.measure}' is a stage "
                f"{kind.stage} measure and cannot be used at stage {stage}",
            )
        given = {
            name
            for name, value in measure.model_dump(exclude={"measure"}).items()
            if value is not None
        }
        for param in kind.required:
            if param not in given:
                cx.report(path, "MC206", f"measure '{measure.measure}' needs a value for '{param}'")
        for name in sorted(given - set(kind.required) - set(kind.optional)):
            cx.report(
                (*path, name),
                "MC206",
                f"measure '{measure.measure}' does not take "
                f"'{name}': remove it or choose another measure",
            )
        if measure.spoc is not None and measure.spoc not in ix.people:
            cx.report(
                (*path, "spoc"),
                "MC205",
                f"unknown person '{measure.spoc}': use one listed in policy/people.yaml",
            )
        if measure.channel is not None and measure.channel not in ix.channels:
            cx.report(
                (*path, "channel"),
                "MC204",
                f"unknown channel '{measure.channel}': use one listed in policy/vocabulary.yaml",
            )
