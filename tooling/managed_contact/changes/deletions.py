"""Deletions: a case file disappears only when its deletion was due, and always with its record.

A deleted case file has its record in cases/deletions.yaml (MC406). Its deletion was due
(dormant for the retention period, no open legal hold: §7) or it is a recorded erasure
(MC404); whether it was due is judged on the case as the merge base holds it, with the target's
periods. Every new record in the log is of a case file this change deletes (MC406), and is
approved by the person it names (`requirements`). That existing records are never edited or
removed is a rule of history (`history`).
"""

from __future__ import annotations

from ..register.findings import Finding, Severity
from ..register.lifecycle import derive
from ..register.rules import Rule
from . import requirements
from .context import Change
from .revision import load_case_at

E = Severity.ERROR

#: The rules this module reports.
RULES = (
    Rule(
        "MC404",
        E,
        "A case file is deleted only when its deletion is due (§7) or by a recorded erasure.",
    ),
    Rule("MC406", E, "A deleted case file and its record in cases/deletions.yaml go together."),
)


def check_deleted_case(change: Change, file: str, base_raw: bytes) -> None:
    """MC406 unless the head's deletion log records the deletion of case file `file` (its
    contents at the merge base are `base_raw`); MC404 unless that deletion was an erasure or
    was due."""
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
    if record.reason == "erasure":
        return
    loaded, _, _ = load_case_at(change.root, file, base_raw)
    policy = change.policy or change.head_policy
    if loaded is None or policy is None:
        change.report(
            doc,
            ("deletions", i, "reason"),
            "MC404",
            f"{file} could not be read at the base revision, so its deletion cannot be "
            "shown to be due",
        )
        return
    status = derive(loaded.case, policy, change.today)
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
