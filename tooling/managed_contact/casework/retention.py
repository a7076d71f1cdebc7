"""Deletion at the end of retention (§7), or by a recorded erasure, with its anonymous record.

`statistics_for` works out the figures that survive a case (year and month opened, highest stage,
services, conduct, outcome, how long it spent at each stage, each stay, review and challenge by
month: coarse dates, never a name) from the case's non-personal fields only,
so that a change rule can recompute them from the merge base with no key. `delete_case` refuses
a case that is not due or is under an open legal hold, removes its file and appends its record
to `cases/deletions.yaml`, keeping every other byte of that file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import yaml

from ..changes.deletions import statistics_for
from ..errors import ExitCode, McrError
from ..register.files import write_atomic
from ..register.lifecycle import Status, derive
from ..register.model import Deletion, DeletionLog
from ..register.snapshot import (
    DELETIONS_FILE,
    load_case,
    load_deletions,
    load_policy,
)

Reason = Literal["retention", "erasure"]
DELETIONS_MODELINE = "# yaml-language-server: $schema=../schemas/deletions.schema.json\n"


class DeletionRefused(McrError):
    """The case may not be deleted (not due, held, or not found); the message says why."""

    exit_code = ExitCode.FINDINGS


def refusal(status: Status, case_id: str, reason: Reason, today: date) -> str | None:
    """Why `case_id` may not be deleted today for `reason`, or None if it may."""
    if status.open_holds:
        return (
            f"{case_id} is under open legal hold {', '.join(status.open_holds)}: end the hold first"
        )
    if reason == "erasure":
        return None
    if status.state != "dormant":
        return (
            f"{case_id} is {status.state}, not dormant: only a dormant case is deleted "
            "for retention (§7)"
        )
    if status.deletion_due is None or status.deletion_due > today:
        return f"{case_id} is not due for deletion until {status.deletion_due} (§7)"
    return None


@dataclass(frozen=True)
class Deleted:
    """What `delete_case` did."""

    file: str
    record: Deletion


def _record_text(record: Deletion, item: str, key: str) -> str:
    data = record.model_dump(mode="json", exclude_none=True)
    stats = data.pop("statistics")
    lines = [f"{item}id: {data['id']}"]
    lines += [f"{key}{name}: {data[name]}" for name in ("deleted", "reason", "approved_by")]
    lines.append(f"{key}statistics:")
    for name, value in stats.items():
        lines.append(f"{key}  {name}: {_flow(value)}")
    return "\n".join(lines) + "\n"


def _flow(value: object) -> str:
    """A statistic in YAML flow style: months quoted, lists and mappings on one line."""
    if isinstance(value, list):
        return f"[{', '.join(_flow(v) for v in value)}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and _MONTH.match(value):
        return f'"{value}"'
    return str(value)


_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}\Z")
_EMPTY = re.compile(r"^deletions:[ \t]*\[\][ \t]*$", re.MULTILINE)
_ITEM = re.compile(r"^([ \t]*)- id:", re.MULTILINE)


def appended_log(text: str, record: Deletion) -> str:
    """The deletion log `text` with `record` appended at the end, every other byte kept."""
    if not text.strip():
        text = DELETIONS_MODELINE + "deletions:\n"
    text = _EMPTY.sub("deletions:", text, count=1)
    found = _ITEM.search(text)
    indent = found.group(1) if found else "  "
    if not text.endswith("\n"):
        text += "\n"
    return text + _record_text(record, f"{indent}- ", f"{indent}  ")


def _check_log(text: str, before: DeletionLog, record: Deletion) -> None:
    try:
        after = DeletionLog.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValueError) as exc:
        raise DeletionRefused(f"{DELETIONS_FILE} could not be extended safely: {exc}") from None
    if after.deletions != [*before.deletions, record]:
        raise DeletionRefused(f"{DELETIONS_FILE} is laid out in a way this command cannot extend")


def delete_case(root: Path, case_id: str, reason: Reason, approved_by: str, today: date) -> Deleted:
    """Delete `case_id`'s file and record it, or refuse (DeletionRefused) saying why."""
    policy, _, _ = load_policy(root)
    if policy is None:
        raise DeletionRefused("the policy data does not load: run `mcr check`")
    if approved_by not in {p.id for p in policy.people.people}:
        raise DeletionRefused(f"'{approved_by}' is not a person in policy/people.yaml")
    path = root / "cases" / f"{case_id}.yaml"
    if not path.is_file():
        raise DeletionRefused(f"there is no case file cases/{case_id}.yaml")
    loaded, _, _ = load_case(root, path)
    if loaded is None:
        raise DeletionRefused(f"cases/{case_id}.yaml does not load: run `mcr check` on it")
    log, _, _ = load_deletions(root)
    if log is None:
        raise DeletionRefused(f"{DELETIONS_FILE} does not load: run `mcr check`")
    if any(d.id == case_id for d in log.deletions):
        raise DeletionRefused(f"{case_id} is already recorded as deleted")
    status = derive(loaded.case, policy, today)
    why = refusal(status, case_id, reason, today)
    if why is not None:
        raise DeletionRefused(why)
    stats = statistics_for(loaded.case, policy, today, reason)
    record = Deletion(
        id=case_id, deleted=today, reason=reason, approved_by=approved_by, statistics=stats
    )
    log_path = root / DELETIONS_FILE
    old = log_path.read_bytes().decode("utf-8") if log_path.is_file() else ""
    new = appended_log(old, record)
    _check_log(new, log, record)
    write_atomic(log_path, new)  # the record is on disk, whole, before the case goes
    path.unlink()
    return Deleted(f"cases/{case_id}.yaml", record)
