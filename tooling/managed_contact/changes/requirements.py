"""Requirements: who must approve each new entry, and the role they must have held (MC415).

Each new decision (its decider, and for stage 2 the business case's author and the
recommender), review (every reviewer),
challenge outcome, correction and deletion record is approved by the person it names, who held
the role the approval needs (policy/roles.yaml) on the entry's date, in the target's registry:
roles and their windows come from the target, never from the change under review, so a merge
request cannot approve itself by giving someone a role on its own branch.

An entry that a correction in this change names counts as new: the people it names approve it
as it stands at the head, with the same role and separation-of-duties checks, and the
correction's approver approves the correction.

A missing role is reported here; each approval needed becomes a `Requirement` in the change's
list, in the order of the files and their entries, and `judging` then looks for its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..register.findings import Severity
from ..register.index import Index
from ..register.loading import Document
from ..register.model import Case, Deletion
from ..register.rules import Rule
from .context import Change, DataPath
from .revision import DELETIONS_PATH

E = Severity.ERROR

#: The rules this module reports.
RULES = (
    Rule(
        "MC415",
        E,
        "The approver held the role the approval needs on that date, in the base registry.",
    ),
)


@dataclass(frozen=True)
class Requirement:
    """An approval the change needs: `person` must approve entry `entry` of `section`."""

    file: str
    doc: Document
    where: DataPath
    person: str
    what: str
    section: str
    entry: str
    not_by: tuple[str, ...] = ()


def of_case(
    change: Change, file: str, doc: Document, base: Case | None, head: Case, corrected: set[str]
) -> None:
    """The approvals each new entry of a changed case file needs: its decisions, reviews,
    challenge outcomes and corrections, in that order. `base` is the case at the merge base
    (None for a new case) and `corrected` the entries corrections in this change name."""
    index = change.index
    if index is None:
        return
    case = _CaseFile(change, index, file, doc, base, head, corrected)
    _decisions(case)
    _reviews(case)
    _challenge_outcomes(case)
    _corrections(case)


def of_deletion_record(change: Change, doc: Document, i: int, record: Deletion) -> None:
    """The approval a new record of cases/deletions.yaml (the `i`th) needs: the person it
    names, who held a role that may approve a deletion on its date."""
    index = change.index
    if index is not None and not index.approves(
        "deletion", [record.approved_by], record.deleted, []
    ):
        change.report(
            doc,
            ("deletions", i, "approved_by"),
            "MC415",
            f"{record.approved_by} did not hold a role that may approve a deletion on "
            f"{record.deleted}, in the registry at the base revision",
        )
    change.requirements.append(
        Requirement(
            DELETIONS_PATH,
            doc,
            ("deletions", i, "approved_by"),
            record.approved_by,
            f"the deletion of {record.id}",
            "deletions",
            record.id,
        )
    )


@dataclass(frozen=True)
class _CaseFile:
    """A changed case file whose new entries are being listed."""

    change: Change
    index: Index  # the target's
    file: str
    doc: Document
    base: Case | None
    head: Case
    corrected: set[str]

    @property
    def services(self) -> list[str]:
        """The services in the case's scope (for roles held per service)."""
        return list(self.head.scope.services)

    def old_ids(self, section: str) -> set[str]:
        """Entries at the merge base that no correction in this change names."""
        if self.base is None:
            return set()
        return {e.id for e in getattr(self.base, section)} - self.corrected

    def named(self, kind: str, entry: str) -> str:
        """An entry as findings name it: "decision D2", "decision D2 (as corrected)"."""
        return f"{kind} {entry}" + (" (as corrected)" if entry in self.corrected else "")

    def must_hold(self, where: DataPath, person: str, action: str, day: date, what: str) -> None:
        """MC415 unless `person` held a role that may approve `action` on `day` (for the
        case's services), in the target's registry."""
        if not self.index.approves(action, [person], day, self.services):
            self.change.report(
                self.doc,
                where,
                "MC415",
                f"{what}: {person} did not hold a role that may give this approval "
                f"('{action}' in policy/roles.yaml) on {day}, in the registry at the base "
                "revision",
            )

    def must_approve(
        self,
        where: DataPath,
        person: str,
        what: str,
        section: str,
        entry: str,
        not_by: tuple[str, ...] = (),
    ) -> None:
        """`person` must approve entry `entry` of `section` (and no approval by one of
        `not_by` stands in for theirs)."""
        self.change.requirements.append(
            Requirement(self.file, self.doc, where, person, what, section, entry, not_by)
        )


def _decisions(case: _CaseFile) -> None:
    """A new decision is approved by its decider, who held the role its stage needs. At
    stage 2 the decider is the Director of Governance, whose approval is their own: the
    business case's author's or the recommender's does not stand in for it (§6.2). The
    business case is approved by its author, who held the role to write one (a Director of an
    affected service, §6.2) on its date, and the recommendation by its recommender, who held
    the role to recommend on its date."""
    old = case.old_ids("decisions")
    for i, dec in enumerate(case.head.decisions):
        if dec.id in old:
            continue
        what = case.named("decision", dec.id)
        decider: DataPath = ("decisions", i, "decided_by")
        if dec.stage == 1:
            case.must_hold(decider, dec.decided_by, "decision-stage-1", dec.date, what)
            case.must_approve(decider, dec.decided_by, what, "decisions", dec.id)
            continue
        others = tuple(
            p
            for p in (
                dec.business_case.author if dec.business_case else None,
                dec.recommendation.by if dec.recommendation else None,
            )
            if p is not None and p != dec.decided_by
        )
        case.must_hold(decider, dec.decided_by, "decision-stage-2", dec.date, what)
        case.must_approve(decider, dec.decided_by, what, "decisions", dec.id, others)
        if dec.business_case is not None:
            bc = dec.business_case
            author: DataPath = ("decisions", i, "business_case", "author")
            about = f"the business case for {what}"
            case.must_hold(author, bc.author, "business-case", bc.date, about)
            case.must_approve(author, bc.author, about, "decisions", dec.id)
        if dec.recommendation is not None:
            rec = dec.recommendation
            recommender: DataPath = ("decisions", i, "recommendation", "by")
            about = f"the recommendation on {what}"
            case.must_hold(recommender, rec.by, "recommendation", rec.date, about)
            case.must_approve(recommender, rec.by, about, "decisions", dec.id)


def _reviews(case: _CaseFile) -> None:
    """A new review is approved by every reviewer; together they held the roles a review
    needs on its date."""
    old = case.old_ids("reviews")
    for i, rev in enumerate(case.head.reviews):
        if rev.id in old:
            continue
        what = case.named("review", rev.id)
        if not case.index.approves("review", rev.reviewed_by, rev.date, case.services):
            case.change.report(
                case.doc,
                ("reviews", i, "reviewed_by"),
                "MC415",
                f"{what}: the reviewers did not hold the roles a review needs ('review' in "
                f"policy/roles.yaml) on {rev.date}, in the registry at the base revision",
            )
        for j, who in enumerate(rev.reviewed_by):
            case.must_approve(("reviews", i, "reviewed_by", j), who, what, "reviews", rev.id)


def _challenge_outcomes(case: _CaseFile) -> None:
    """A challenge's outcome, once recorded, is approved by the officer who decided it, who
    held the role to decide a challenge on that date. An outcome the merge base already held
    needs nothing more, unless a correction in this change names the challenge."""
    base_challenges = {c.id: c for c in case.base.challenges} if case.base is not None else {}
    for i, ch in enumerate(case.head.challenges):
        old = base_challenges.get(ch.id)
        if ch.outcome is None or ch.decided_by is None or ch.decided is None:
            continue
        if old is not None and old.outcome is not None and ch.id not in case.corrected:
            continue
        where: DataPath = ("challenges", i, "decided_by")
        what = f"the outcome of {case.named('challenge', ch.id)}"
        case.must_hold(where, ch.decided_by, "challenge", ch.decided, what)
        case.must_approve(where, ch.decided_by, what, "challenges", ch.id)


def _corrections(case: _CaseFile) -> None:
    """A new correction is approved by its approver, who held the role to approve one."""
    old = case.old_ids("corrections")
    for i, corr in enumerate(case.head.corrections):
        if corr.id in old:
            continue
        where: DataPath = ("corrections", i, "approved_by")
        what = case.named("correction", corr.id)
        case.must_hold(where, corr.approved_by, "correction", corr.date, what)
        case.must_approve(where, corr.approved_by, what, "corrections", corr.id)
