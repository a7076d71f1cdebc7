"""New cases: a case file the merge base does not hold has a fresh id (MC402).

The id is not in use by a case file at the merge base or at the target, and it never belonged
to a deleted case: the deletion logs of the merge base, the target and the head are all read,
since deleted ids are never reused.
"""

from __future__ import annotations

from ..register.findings import Severity
from ..register.loading import Document
from ..register.model import Case
from ..register.rules import Rule
from .context import Change

E = Severity.ERROR

#: The rules this module reports.
RULES = (Rule("MC402", E, "A new case has a new id: not in use at the base, never deleted."),)


def check_id(change: Change, doc: Document, case: Case) -> None:
    """MC402 on a new case file: its id is neither a deleted case's nor in use."""
    deleted: set[str] = set()
    for log in (change.deletion_log("base"), change.deletion_log("target"), change.head_deletions):
        if log is not None:
            deleted.update(d.id for d in log.deletions)
    if case.id in deleted:
        change.report(
            doc,
            ("id",),
            "MC402",
            f"case id '{case.id}' belonged to a deleted case and is never reused: "
            "run `mcr new` for a fresh id",
        )
    elif case.id in change.base_case_ids:
        change.report(
            doc,
            ("id",),
            "MC402",
            f"case id '{case.id}' is already used by a case file at the base revision: "
            "run `mcr new` for a fresh id",
        )
