"""Policy changes: a change to policy/ is approved by a person whose role allows it (MC405).

Each changed or deleted policy file needs the approval of someone whose role allows
`policy-change` in the target's policy/roles.yaml, on the day of the check: a role the
branch gives itself does not count. The evidence is that of any approval (`approvals`), and it
counts only for the version of the file at the head. The finding points at the first data path
that changed.
"""

from __future__ import annotations

from typing import Any

from ..register.findings import Finding, Severity
from ..register.loading import Document, load_bytes
from ..register.rules import Rule
from .context import Change, DataPath
from .judging import ApprovedVersions

E = Severity.ERROR

#: The rules this module reports.
RULES = (Rule("MC405", E, "Changes to policy/ are approved by a person whose role allows it."),)


def _difference(old: Any, new: Any, at: DataPath = ()) -> DataPath:
    """The first data path at which `new` differs from `old` (`at` if they differ as a whole)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key, value in new.items():
            if key not in old or old[key] != value:
                return _difference(old.get(key), value, (*at, key))
        return at
    if isinstance(old, list) and isinstance(new, list):
        for i, value in enumerate(new):
            if i >= len(old) or old[i] != value:
                return _difference(old[i] if i < len(old) else None, value, (*at, i))
        return at
    return at


def check(change: Change, versions: ApprovedVersions) -> None:
    """MC405 on each changed policy file that no one whose role allows `policy-change`
    approved as it stands at the head (`versions`: what the evidence approved)."""
    index = change.index
    if index is None:
        return
    for path in change.policy_paths:
        head_raw = change.head_files.get(path)
        people = sorted(
            {
                ev.person
                for ev in change.approvals.covering(path)
                if versions.raw_at(ev.commit, path) == head_raw
            }
        )
        if index.approves("policy-change", people, change.today, []):
            continue
        action = "deleted" if head_raw is None else "changed"
        named = f" (approvals found: {', '.join(people)})" if people else ""
        message = (
            f"{path} is {action} without the approval of a person whose role allows "
            f"'policy-change' (policy/roles.yaml at the base revision){named}: they "
            "sign a commit with this version of the file, or approve the merge request"
        )
        where = _first_change(change, path)
        if where is None:
            change.add(Finding(path, 1, 1, "", "MC405", E, message))
        else:
            change.report(where[0], where[1], "MC405", message)


def _first_change(change: Change, path: str) -> tuple[Document, DataPath] | None:
    """The head document of a changed YAML file and the first data path that differs."""
    head_raw, base_raw = change.head_files.get(path), change.base_files.get(path)
    if head_raw is None or not path.endswith(".yaml"):
        return None
    head, _ = load_bytes(head_raw, path)
    if head is None:
        return None
    base = load_bytes(base_raw, path)[0] if base_raw is not None else None
    return head, _difference(base.data if base is not None else None, head.data)
