"""Keys and cases kept in step: `check_keys` (every live case has a key, every key a case) and
`shred_key` (a deleted case's key destroyed, once the deletion has merged and no hold is open).

A key whose case is gone is due for shredding; a live case whose key is gone is lost, and the
keystore's keyless shred log tells a key that was shredded on purpose from one that was lost.
Findings name files and case ids, never a customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from ..changes.git import GitError, Repository
from ..errors import ExitCode, McrError
from ..register.loading import load_bytes
from ..register.model import Case
from ..register.schedule import open_holds
from ..register.snapshot import CASE_NAME, case_paths, load_deletions
from ..register.validation import validate
from ..sealing.keystore import Keystore

Level = Literal["error", "warning", "ok"]


class ShredRefused(McrError):
    """The key may not be shredded yet; the message says why."""

    exit_code = ExitCode.FINDINGS


@dataclass(frozen=True, order=True)
class KeyFinding:
    """One thing `mcr keys check` found about one case's key."""

    case_id: str
    level: Level
    kind: str
    message: str

    @property
    def file(self) -> str:
        return f"cases/{self.case_id}.yaml"


def _repository(root: Path) -> Repository | None:
    repo = Repository(root)
    try:
        repo.resolve("HEAD")
    except GitError:
        return None
    return repo


def last_version(repo: Repository, case_id: str, rev: str = "HEAD") -> Case | None:
    """The case as its last version in the history of `rev` held it (read keyless)."""
    path = repo.prefix() + f"cases/{case_id}.yaml"
    for version in reversed(repo.versions(path, rev)):
        if version.content is None:
            continue
        doc, problems = load_bytes(version.content, path)
        return validate(Case, doc)[0] if doc is not None and not problems else None
    return None


def _held(repo: Repository | None, case_id: str, today: date) -> list[str]:
    if repo is None:
        return []
    case = last_version(repo, case_id)
    return [h.id for h in open_holds(case.legal_holds, today)] if case is not None else []


def check_keys(root: Path, store: Keystore, today: date) -> list[KeyFinding]:
    """Every live case file has a key; every key belongs to a live case, or is kept for an
    open hold; a key of a deleted case is due for shredding."""
    live = sorted(p.stem for p in case_paths(root) if CASE_NAME.match(p.name))
    keys = set(store.case_ids())
    shredded = store.shredded()
    log, _, _ = load_deletions(root)
    deleted = {d.id for d in log.deletions} if log is not None else set()
    repo = _repository(root)
    found: list[KeyFinding] = []
    for case_id in live:
        if case_id in keys:
            continue
        if case_id in shredded:
            found.append(
                KeyFinding(
                    case_id,
                    "error",
                    "shredded",
                    f"the case file is live but its key was shredded on {shredded[case_id]}: "
                    "its sealed values cannot be read again (restore the file from the "
                    "deletion, or record the deletion)",
                )
            )
        else:
            found.append(
                KeyFinding(
                    case_id,
                    "error",
                    "lost",
                    f"no key in {store.name} and no record of shredding: the key is lost "
                    "(is this the right keystore?)",
                )
            )
    for case_id in sorted(keys - set(live)):
        holds = _held(repo, case_id, today)
        if holds:
            found.append(
                KeyFinding(
                    case_id,
                    "ok",
                    "held",
                    f"the case file is gone but legal hold {', '.join(holds)} is open: keep "
                    "the key",
                )
            )
        elif case_id in deleted:
            found.append(
                KeyFinding(
                    case_id,
                    "warning",
                    "shred-due",
                    f"the case is deleted: shred its key (mcr keys shred {case_id})",
                )
            )
        else:
            found.append(
                KeyFinding(
                    case_id,
                    "error",
                    "orphan",
                    "a key for no case file and no recorded deletion: is the case file "
                    "missing, or the deletion unrecorded?",
                )
            )
    return sorted(found)


def shred_key(
    root: Path, store: Keystore, case_id: str, today: date, branch: str | None = None
) -> str:
    """Shred `case_id`'s key, or refuse (ShredRefused) while its file is on `branch` (default:
    the remote's default branch, else main) or a hold is open in its last version. Returns
    the branch judged on."""
    repo = _repository(root)
    if repo is None:
        raise ShredRefused(f"{root} is not in a git repository with commits")
    target = branch or repo.default_branch()
    try:
        repo.resolve(target)
    except GitError:
        raise ShredRefused(f"there is no branch {target!r}: give one with --branch") from None
    path = repo.prefix() + f"cases/{case_id}.yaml"
    if repo.read_file(target, path) is not None:
        raise ShredRefused(
            f"cases/{case_id}.yaml is still on {target}: delete the case (mcr delete) and "
            "merge that first"
        )
    case = last_version(repo, case_id, target)
    holds = [h.id for h in open_holds(case.legal_holds, today)] if case is not None else []
    if holds:
        raise ShredRefused(f"legal hold {', '.join(holds)} of {case_id} is open")
    if store.get(case_id) is None:
        when = store.shredded().get(case_id)
        if when is not None:
            raise ShredRefused(f"the key of {case_id} was already shredded on {when}")
        raise ShredRefused(f"{store.name} holds no key for {case_id}")
    store.shred(case_id, today)
    return target
