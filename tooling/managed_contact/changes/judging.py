"""Judging: each approval a change needs is matched against the evidence in the range.

A requirement (see `requirements`) is met by evidence that the person it names approved the
entry as it stands at the head: a signed commit in the range that changes the file (or names it
in an `Approves:` trailer) and whose version of the entry is the head's, a forge merge commit,
or the forge's merge-request approvals (all described in `approvals`). Evidence of an approval
of another version of the entry is not enough: the entry was changed after it was approved
(MC419). A stage 2 decision needs three approvals, each the person's own: the business-case
author's, the recommender's and the Director of Governance's; the author's or the recommender's
signature never stands in for the Director of Governance's (MC414).

When there is no evidence, the finding says why, from the concerns the range left (see
`evidence`): the first of `_CONCERN_ORDER` that applies, or else that nobody approved (MC410).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from ..register.findings import Severity
from ..register.loading import load_bytes
from ..register.model import HISTORY_SECTIONS, Case, DeletionLog
from ..register.rules import Rule
from ..register.validation import validate
from . import approvals as ap
from .context import Change
from .requirements import Requirement
from .revision import DELETIONS_PATH

E = Severity.ERROR

#: The rules this module reports.
RULES = (
    Rule(
        "MC410",
        E,
        "Each new decision, business case, recommendation, review, challenge outcome, "
        "correction and deletion is approved by the person it names (signed commit or merge "
        "request).",
    ),
    Rule(
        "MC414",
        E,
        "Separation of duties: the business-case author's or recommender's signature is "
        "not the Director of Governance's approval (§6.2).",
    ),
    Rule("MC419", E, "An approval covers the entry as signed: it was changed afterwards."),
)

#: When no evidence is found, the concern shown is the first of these that applies.
_CONCERN_ORDER = (
    ap.KEY_ADDED,
    ap.KEY_WINDOW,
    "MC414",
    ap.FORGE_UNSIGNED,
    ap.NAMES_NOBODY,
    ap.AUTHOR_LINE,
    ap.BAD_SIGNATURE,
    ap.UNKNOWN_KEY,
)


@dataclass
class ApprovedVersions:
    """The files as the commits that evidence names hold them, read in one `git cat-file`
    process, and the entries parsed from them."""

    change: Change
    blobs: dict[tuple[str, str], bytes | None]
    parsed: dict[bytes, dict[str, dict[str, BaseModel]]] = field(default_factory=dict)

    def raw_at(self, commit: str, file: str) -> bytes | None:
        """File `file` as `commit` holds it (None if it has none, or was not read)."""
        if commit == self.change.head:
            return self.change.head_files.get(file)
        return self.blobs.get((commit, self.change.prefix + file))

    def entries(self, raw: bytes, file: str) -> dict[str, dict[str, BaseModel]]:
        """The entries of one version of a case file or of the deletion log, by section and
        id (none if it does not load); parsed once per distinct content."""
        found = self.parsed.get(raw)
        if found is not None:
            return found
        entries: dict[str, dict[str, BaseModel]] = {}
        doc, problems = load_bytes(raw, file)
        if doc is not None and not problems:
            if file == DELETIONS_PATH:
                log, _ = validate(DeletionLog, doc)
                if log is not None:
                    entries["deletions"] = {d.id: d for d in log.deletions}
            else:
                case, _ = validate(Case, doc)
                if case is not None:
                    for section in HISTORY_SECTIONS:
                        entries[section] = {e.id: e for e in getattr(case, section)}
        self.parsed[raw] = entries
        return entries


def read_approved_versions(change: Change) -> ApprovedVersions:
    """Read the versions of the required entries' files and of the changed policy files that
    the evidence approved (other than the head's, which is read already)."""
    reads: set[tuple[str, str]] = set()
    for req in change.requirements:
        for person in (req.person, *req.not_by):
            for ev in change.approvals.of(person, req.file):
                if ev.commit != change.head:
                    reads.add((ev.commit, change.prefix + req.file))
    for path in change.policy_paths:
        for ev in change.approvals.covering(path):
            if ev.commit != change.head:
                reads.add((ev.commit, change.prefix + path))
    return ApprovedVersions(change, change.repo.read_blobs(sorted(reads)))


def judge(change: Change, versions: ApprovedVersions) -> None:
    """Each requirement of the change, in order: met, or one finding saying why not."""
    for req in change.requirements:
        _judge_one(change, versions, req)


def _approved(
    change: Change, versions: ApprovedVersions, req: Requirement, person: str
) -> tuple[list[str], list[str]]:
    """Evidence that `person` approved the entry as it is at the head, and evidence of an
    approval of another version of it."""
    head_raw = change.head_files.get(req.file)
    if head_raw is None:
        return [], []
    target = versions.entries(head_raw, req.file).get(req.section, {}).get(req.entry)
    good: list[str] = []
    stale: list[str] = []
    for ev in change.approvals.of(person, req.file):
        raw = versions.raw_at(ev.commit, req.file)
        if raw == head_raw:
            good.append(ev.detail)
            continue
        signed = (
            versions.entries(raw, req.file).get(req.section, {}).get(req.entry)
            if raw is not None
            else None
        )
        if signed is not None and signed == target:
            good.append(ev.detail)
        elif signed is not None:
            stale.append(ev.detail)
    return good, stale


def _judge_one(change: Change, versions: ApprovedVersions, req: Requirement) -> None:
    """MC419, MC414, a concern about the range, or MC410, unless `req` is met."""
    good, stale = _approved(change, versions, req, req.person)
    if good:
        return
    subject = f"{req.what} names {req.person}"
    if stale:
        change.report(
            req.doc,
            req.where,
            "MC419",
            f"{subject}, who approved an earlier version of it ({stale[0]}); it was "
            f"changed afterwards, so {req.person} must approve it again",
        )
        return
    concerns = change.approvals.concerns_about(req.person, req.file)
    by_rule: dict[str, list[str]] = {}
    for concern in concerns:
        by_rule.setdefault(concern.rule, []).append(concern.detail)
    for other in req.not_by:
        good_other, _ = _approved(change, versions, req, other)
        if good_other:
            by_rule.setdefault("MC414", []).append(
                f"{good_other[0]}, but {other} also wrote the business case or the "
                "recommendation: the Director of Governance's approval must be their own "
                "(§6.2)"
            )
    for rule in _CONCERN_ORDER:
        if rule in by_rule:
            change.report(
                req.doc,
                req.where,
                rule,
                f"{subject}, but there is no approval by them: {by_rule[rule][0]}",
            )
            return
    change.report(
        req.doc,
        req.where,
        "MC410",
        f"{subject}, but no commit in the range that changes {req.file} (or names it in "
        f"an 'Approves:' trailer) is signed by a key of theirs, and no merge-request "
        "evidence names them: they sign a commit (see the approvers' guide) or approve the "
        "merge request",
    )
