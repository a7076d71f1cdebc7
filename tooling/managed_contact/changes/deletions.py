"""Deletions: a case file disappears only when its deletion was due, and always with its record.

A deleted case file has its record in cases/deletions.yaml (MC406). Its deletion was due
(dormant for the retention period: §7) or it is a recorded erasure, and either way the case
has no open legal hold (MC404); both are judged on the case as the merge base holds it, with
the target's periods. Every new record in the log is of a case file this change deletes
(MC406), and is approved by the person it names (`requirements`). That existing records are
never edited or removed is a rule of history (`history`).

A new record's anonymous statistics (counts, and coarse dates: the month opened, each stay's
months and days, each review's month due and whether on time, each challenge's month and
outcome; never a name) are recomputed from the case as the merge base holds it
(`statistics_for` reads no personal field, so no key is needed) and must match (MC430). And no
keystore may be tracked in the repository (MC431), at the head or in any commit of the change
(`every_commit` finds those), unless the target marks the register as the fictional demo: a
key in history can never be shredded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ..register.findings import Finding, Severity
from ..register.lifecycle import Status, derive
from ..register.loading import Document
from ..register.model import (
    Case,
    CaseStatistics,
    ChallengeStatistics,
    ReviewStatistics,
    StayStatistics,
)
from ..register.policy import Policy
from ..register.rules import Rule
from ..sealing.keystore import KEY_SUFFIX, MARKER
from . import requirements
from .context import Change
from .revision import load_case_at

E = Severity.ERROR

#: The rules this module reports.
RULES = (
    Rule(
        "MC404",
        E,
        "A case file is deleted only when its deletion is due (§7) or by a recorded erasure, "
        "and never while a legal hold is open.",
    ),
    Rule("MC406", E, "A deleted case file and its record in cases/deletions.yaml go together."),
    Rule(
        "MC430",
        E,
        "A new deletion record's statistics are those of the case at the merge base.",
    ),
    Rule(
        "MC431",
        E,
        "No keystore is tracked in the repository, at the head or in any commit of the "
        "change, except in the fictional demo register.",
    ),
)


def _in_order(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _durations(status: Status, deleted: date) -> tuple[int, int, int]:
    """Days at stage 1 and at stage 2 in all, and dormant since it last went dormant."""
    spent = {"stage-1": 0, "stage-2": 0, "dormant": 0}
    state: str = "new"
    since: date | None = None
    for step in status.steps:
        if not step.allowed or step.after == state:
            continue
        if since is not None and state in spent:
            spent[state] += max(0, (step.day - since).days)
        state, since = step.after, step.day
    if since is not None and state in spent:
        spent[state] += max(0, (deleted - since).days)
    dormant = 0
    if status.state == "dormant" and status.dormant_since is not None:
        dormant = max(0, (deleted - status.dormant_since).days)
    return spent["stage-1"], spent["stage-2"], dormant


StayState = Literal["stage-1", "stage-2", "dormant"]
_STAYS: tuple[StayState, ...] = ("stage-1", "stage-2", "dormant")


@dataclass(frozen=True)
class Stay:
    """One continuous stay of a case in a state, from the move into it to the move out of it
    (None while it lasts). A review that escalates leaves the case at stage 1 until the stage
    2 decision, as the lifecycle has it."""

    state: StayState
    began: date
    ended: date | None


def stays(status: Status) -> list[Stay]:
    """Every stay at stage 1, at stage 2 and dormant, in order, from the allowed moves."""
    out: list[Stay] = []
    state: str = "new"
    since: date | None = None
    for step in status.steps:
        if not step.allowed or step.event == "review-escalate" or step.after == state:
            continue
        for kept in _STAYS:
            if state == kept and since is not None:
                out.append(Stay(kept, since, step.day))
        state, since = step.after, step.day
    for kept in _STAYS:
        if state == kept and since is not None:
            out.append(Stay(kept, since, None))
    return out


def reviews_due(status: Status, day: date) -> list[tuple[date, bool]]:
    """Each review that fell due by `day`: its due date, and whether it was held by then. The
    next review of an open case counts once its due date has passed unheld."""
    out = [(r.due, not r.late) for r in status.reviews]
    if status.active and status.next_review_due is not None and status.next_review_due < day:
        out.append((status.next_review_due, False))
    return out


def month(day: date) -> str:
    """The coarse date the statistics keep: YYYY-MM."""
    return f"{day.year:04d}-{day.month:02d}"


def services_of(case: Case) -> tuple[str, ...]:
    """The services a case affected: its scope's, then its incidents', each once."""
    return tuple(_in_order([*case.scope.services, *(i.service for i in case.incidents)]))


def conduct_of(case: Case) -> tuple[str, ...]:
    """The conduct on a case's record: its incidents' categories, then its decisions', once."""
    return tuple(
        _in_order(
            [c for i in case.incidents for c in i.categories]
            + [c for d in case.decisions for c in d.conduct]
        )
    )


def _stage(stage: int) -> Literal[0, 1, 2]:
    if stage == 1:
        return 1
    return 2 if stage == 2 else 0


def statistics_for(
    case: Case, policy: Policy, deleted: date, reason: Literal["retention", "erasure"]
) -> CaseStatistics:
    """The anonymous figures recorded when `case` is deleted on `deleted`, from its
    non-personal fields only (highest stage 0: erased before any decision)."""
    status = derive(case, policy, deleted)
    services = list(services_of(case))
    conduct = list(conduct_of(case))
    outcome: Literal["closed", "challenge-upheld", "erased"] = "erased"
    if reason == "retention":
        closing = [s for s in status.steps if s.allowed and s.after == "dormant"]
        upheld = bool(closing) and closing[-1].event == "challenge-upheld"
        outcome = "challenge-upheld" if upheld else "closed"
    stage_1, stage_2, dormant = _durations(status, deleted)
    return CaseStatistics(
        opened_year=case.opened.year,
        highest_stage=_stage(status.highest_stage),
        services=services,
        conduct=conduct,
        outcome=outcome,
        days_at_stage_1=stage_1,
        days_at_stage_2=stage_2,
        days_dormant=dormant,
        opened_month=month(case.opened),
        stays=[
            StayStatistics(
                state=stay.state,
                began=month(stay.began),
                ended=month(stay.ended or deleted),
                days=max(0, ((stay.ended or deleted) - stay.began).days),
            )
            for stay in stays(status)
        ],
        reviews=[
            ReviewStatistics(due=month(due), on_time=on_time)
            for due, on_time in reviews_due(status, deleted)
        ],
        challenges=[
            ChallengeStatistics(received=month(c.received), outcome=c.outcome or "undecided")
            for c in case.challenges
        ],
    )


def check_deleted_case(change: Change, file: str, base_raw: bytes) -> None:
    """MC406 unless the head's deletion log records the deletion of case file `file` (its
    contents at the merge base are `base_raw`); MC404 unless that deletion was an erasure or
    was due, and whatever its reason while the case has an open legal hold."""
    case_id = file.rpartition("/")[2].rsplit(".", 1)[0]
    log, doc = change.head_deletions, change.head_deletions_doc
    records = {d.id: (i, d) for i, d in enumerate(log.deletions)} if log else {}
    if case_id not in records:
        where = (
            doc.finding(("deletions",), "MC406", "")
            if doc is not None
            else Finding(file, 1, 1, "", "MC406", E, "")
        )
        change.add(
            Finding(
                where.file,
                where.line,
                where.column,
                where.path,
                "MC406",
                E,
                f"{file} is deleted without a record in cases/deletions.yaml: record the "
                "deletion (date, reason, approver, anonymous statistics)",
            )
        )
        return
    i, record = records[case_id]
    assert doc is not None
    loaded, _, _ = load_case_at(change.root, file, base_raw)
    policy = change.policy or change.head_policy
    if loaded is not None and policy is not None:
        _check_statistics(change, doc, i, loaded.case, policy)
    if loaded is None or policy is None:
        change.report(
            doc,
            ("deletions", i, "reason"),
            "MC404",
            f"{file} could not be read at the base revision, so its deletion cannot be "
            "shown to be due or free of a legal hold",
        )
        return
    status = derive(loaded.case, policy, change.today)
    if record.reason == "erasure":
        if status.open_holds:
            change.report(
                doc,
                ("deletions", i, "reason"),
                "MC404",
                f"{case_id} is erased while legal hold {', '.join(status.open_holds)} is "
                "open: a held case is kept whatever the reason, until the hold is released "
                "(§7)",
            )
        return
    due = status.deletion_due
    if status.state != "dormant" or due is None or due > change.today or status.open_holds:
        if status.state != "dormant":
            why = f"it is {status.state}, not dormant"
        elif status.open_holds:
            why = f"legal hold {', '.join(status.open_holds)} is open"
        else:
            why = f"its deletion is due on {due}"
        change.report(
            doc,
            ("deletions", i, "reason"),
            "MC404",
            f"{case_id} is deleted for retention before its deletion is due: {why} (§7)",
        )


def check_new_records(change: Change, old_ids: set[str]) -> None:
    """The records of the head's deletion log that are not the merge base's (`old_ids`):
    MC406 unless this change deletes that case file, then the approval each needs."""
    log, doc = change.head_deletions, change.head_deletions_doc
    assert log is not None
    assert doc is not None
    deleted = {
        p.rpartition("/")[2].rsplit(".", 1)[0]
        for p in change.case_paths
        if change.base_files.get(p) is not None and change.head_files.get(p) is None
    }
    for i, record in enumerate(log.deletions):
        if record.id in old_ids:
            continue
        if record.id not in deleted:
            change.report(
                doc,
                ("deletions", i, "id"),
                "MC406",
                f"records the deletion of {record.id}, but this change deletes no such case file",
            )
        requirements.of_deletion_record(change, doc, i, record)


def _check_statistics(change: Change, doc: Document, i: int, case: Case, policy: Policy) -> None:
    """MC430 unless the record at `deletions[i]` carries the statistics of `case` (the merge
    base's), worked out for its date and reason. Records the merge base already had are judged
    by the history rules, not here."""
    log = change.head_deletions
    assert log is not None
    record = log.deletions[i]
    old = change.deletion_log("base")
    if old is not None and any(d.id == record.id for d in old.deletions):
        return
    expected = statistics_for(case, policy, record.deleted, record.reason)
    if record.statistics == expected:
        return
    shown = expected.model_dump(mode="json", exclude_none=True)
    change.report(
        doc,
        ("deletions", i, "statistics"),
        "MC430",
        f"the statistics recorded for {record.id} are not those of the case: record {shown} "
        "(mcr delete works them out)",
    )


def keystore_files(paths: list[str]) -> list[str]:
    """The paths among `paths` that are a keystore's marker or one of its key files."""
    return [p for p in paths if p.rpartition("/")[2] == MARKER or p.endswith(KEY_SUFFIX)]


def check_tracked_keystore(change: Change, added: Sequence[tuple[str, str]] = ()) -> None:
    """MC431 for each keystore file tracked at the head, and for each that a commit of the
    range added (`added`: commit and path, oldest first) though the head no longer tracks it,
    once per path, naming the commit; none where the target's policy/settings.yaml marks the
    register as the fictional demo (never the head's word)."""
    if change.policy is not None and change.policy.settings.demo:
        return
    tracked = keystore_files(change.repo.list_files(change.head, ""))
    for path in tracked:
        change.add(
            Finding(
                path,
                1,
                1,
                "",
                "MC431",
                E,
                "a keystore is tracked in the repository: a key committed can never be "
                "shredded; remove it from git and keep keys outside the repository "
                "(--keystore, $MCR_KEYSTORE or the git directory)",
            )
        )
    reported = set(tracked)
    for sha, path in added:
        if path in reported:
            continue
        reported.add(path)
        change.add(
            Finding(
                path,
                1,
                1,
                "",
                "MC431",
                E,
                f"commit {sha[:12]} adds a keystore file: a merge keeps every commit, so the "
                "key would stay in history and could never be shredded, though a later commit "
                "removes it; rewrite the branch so that no commit holds it, and treat its keys "
                "as disclosed",
            )
        )
