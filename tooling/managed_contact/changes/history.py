"""History: a case's past and the deletion log's records are append-only (MC403).

Entries at the merge base are not edited or removed unless a correction recorded in this change
names them. Filling in what a later event settles is not an edit: a challenge's outcome, a legal
hold's end, when dormant activity was considered, a councillor's withdrawal, or a new opinion
on an incident. The customer's contact details may be corrected freely (accuracy); the case's
id, opening date and scope may not. The records of cases/deletions.yaml are append-only too,
and removing the log itself removes them all.

History is append-only relative to the merge base's version of each case and of the deletion
log, not the target's: the branch never saw what the target recorded after the fork, so
comparing with the target would count those later entries as removals by the branch; git's
merge keeps them, and the merged result is judged again against its own merge base.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from ..register.findings import Finding, Severity
from ..register.loading import Document
from ..register.model import HISTORY_SECTIONS, Case
from ..register.rules import Rule
from .context import Change
from .revision import DELETIONS_PATH

E = Severity.ERROR

#: The rules this module reports.
RULES = (
    Rule(
        "MC403",
        E,
        "History is append-only: past entries and deletion records change only through a "
        "recorded correction.",
    ),
)


#: Case sections whose entries have ids (history, append-only).
SECTIONS = HISTORY_SECTIONS
#: Fields that may be filled in later, when empty at the base: not edits of history.
LATER_FIELDS: dict[str, tuple[str, ...]] = {
    "challenges": ("decided_by", "decided", "outcome", "measures"),
    "legal_holds": ("end",),
    "activity": ("considered",),
}
#: Top-level case fields that are history (the customer's details may be corrected freely).
FIXED_FIELDS = ("id", "opened", "scope")


def _first_difference(old: BaseModel, new: BaseModel, allowed: Iterable[str] = ()) -> str | None:
    """The first field (in model order) where `new` differs from `old`, ignoring `allowed`."""
    skip = set(allowed)
    for name in type(old).model_fields:
        if name not in skip and getattr(old, name) != getattr(new, name):
            return name
    return None


def corrected_entries(base: Case | None, head: Case) -> set[str]:
    """Entries that corrections added by this change name."""
    old = {k.id for k in base.corrections} if base is not None else set()
    return {k.entry for k in head.corrections if k.id not in old}


def check_case(change: Change, doc: Document, base: Case, head: Case, corrected: set[str]) -> None:
    """MC403 on a case file the merge base holds: its fixed fields, the entries of its history
    sections (other than those in `corrected`) and its councillor choices."""
    for name in FIXED_FIELDS:
        if getattr(base, name) != getattr(head, name):
            change.report(
                doc,
                (name,),
                "MC403",
                f"'{name}' was changed: it is part of the case's history and stays as "
                "recorded at the base revision",
            )
    for section in SECTIONS:
        now = {e.id: (i, e) for i, e in enumerate(getattr(head, section))}
        for old in getattr(base, section):
            kind = section.rstrip("s").replace("_", " ")
            if old.id not in now:
                if old.id not in corrected:
                    change.report(
                        doc,
                        (section,),
                        "MC403",
                        f"{kind} {old.id} was removed: history is append-only; a recorded "
                        "correction (who, when, why) naming it is needed",
                    )
                continue
            i, new = now[old.id]
            if old == new or old.id in corrected:
                continue
            key = _edited(section, old, new)
            if key is not None:
                change.report(
                    doc,
                    (section, i, key),
                    "MC403",
                    f"{kind} {old.id} was edited ('{key}'): history is append-only; record "
                    "a correction (who, when, why) in 'corrections' to change it",
                )
    for j, old_choice in enumerate(base.councillors):
        if j >= len(head.councillors):
            change.report(
                doc,
                ("councillors",),
                "MC403",
                f"councillor choice {j + 1} ({old_choice.councillor}) was removed: "
                "withdraw it instead",
            )
            continue
        new_choice = head.councillors[j]
        later = ("withdrawn",) if old_choice.withdrawn is None else ()
        key = _first_difference(old_choice, new_choice, later)
        if key is not None:
            change.report(
                doc,
                ("councillors", j, key),
                "MC403",
                f"councillor choice {j + 1} was edited ('{key}'): add a new choice or "
                "withdraw this one",
            )


def _edited(section: str, old: Any, new: Any) -> str | None:
    """The first edited field of an entry, not counting the fields filled in later."""
    later = [f for f in LATER_FIELDS.get(section, ()) if getattr(old, f) is None]
    if section == "challenges" and old.outcome is not None:
        later = []
    if section == "incidents" and list(new.opinions[: len(old.opinions)]) == list(old.opinions):
        later.append("opinions")
    return _first_difference(old, new, later)


def check_deletion_log(change: Change) -> set[str] | None:
    """MC403 on the deletion log: the merge base's records are all still there, unedited.
    Returns the ids of those records, or None when the head has no log whose new records can
    be judged (it does not load, or it was removed)."""
    log, doc = change.head_deletions, change.head_deletions_doc
    base_log = change.deletion_log("base")
    if log is None:
        return None  # it does not load: the snapshot rules have said why
    if doc is None:  # no log at the head
        if base_log is None or base_log.deletions:  # the merge base's did not load, or
            records = (  # had records
                f"the deletion records of {', '.join(d.id for d in base_log.deletions)}"
                if base_log is not None
                else "its deletion records"
            )
            change.add(
                Finding(
                    DELETIONS_PATH,
                    1,
                    1,
                    "",
                    "MC403",
                    E,
                    f"{DELETIONS_PATH} was removed, and with it {records}: the log is "
                    "append-only (and deleted ids are never reused)",
                )
            )
        return None
    now = {d.id: (i, d) for i, d in enumerate(log.deletions)}
    old_ids: set[str] = set()
    if base_log is not None:
        for old in base_log.deletions:
            old_ids.add(old.id)
            if old.id not in now:
                change.report(
                    doc,
                    ("deletions",),
                    "MC403",
                    f"the deletion record of {old.id} was removed: the log is append-only",
                )
                continue
            i, new = now[old.id]
            key = _first_difference(old, new)
            if key is not None:
                change.report(
                    doc,
                    ("deletions", i, key),
                    "MC403",
                    f"the deletion record of {old.id} was edited ('{key}'): the log is append-only",
                )
    return old_ids
