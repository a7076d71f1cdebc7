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
from ..register.findings import Finding
from ..register.loading import Document, load_bytes
from ..register.model import Case
from ..register.schedule import open_holds
from ..register.snapshot import (
    CASE_NAME,
    DELETIONS_FILE,
    case_from,
    case_paths,
    deletions_from,
    load_deletions,
)
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


class Unreadable(Exception):
    """The last version of a case file does not load or validate, even with its sealed values
    stood in for: whether a hold is open in it cannot be told."""


def last_version(repo: Repository, case_id: str, rev: str = "HEAD") -> Case | None:
    """The case as its last version in the history of `rev` held it, read keyless (its sealed
    values stood in for by placeholders); None if no version is in that history. Unreadable
    if the last version does not load or validate."""
    path = repo.prefix() + f"cases/{case_id}.yaml"
    for version in reversed(repo.versions(path, rev)):
        if version.content is None:
            continue
        loaded, _, _ = case_from(Path(path), path, load_bytes(version.content, path))
        if loaded is None:
            raise Unreadable(case_id)
        return loaded.case
    return None


def _held(repo: Repository | None, case_id: str, today: date) -> list[str] | None:
    """The open holds of the case's last version; None if that version cannot be read."""
    if repo is None:
        return []
    try:
        case = last_version(repo, case_id)
    except Unreadable:
        return None
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
        if holds is None:
            found.append(
                KeyFinding(
                    case_id,
                    "error",
                    "unreadable",
                    "the case file is gone and its last version in history does not load, so "
                    "whether a legal hold is open cannot be told: keep the key",
                )
            )
        elif holds:
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


def _deletion_recorded(repo: Repository, rev: str, case_id: str) -> bool | None:
    """Whether the deletion log at `rev` records `case_id`'s deletion (None: it does not
    load)."""
    prefix = repo.prefix()

    def load(file: str) -> tuple[Document | None, list[Finding]] | None:
        raw = repo.read_file(rev, prefix + file)
        return None if raw is None else load_bytes(raw, prefix + file)

    log, _, _ = deletions_from(load)
    return None if log is None else any(d.id == case_id for d in log.deletions)


def _branch(repo: Repository, name: str) -> str:
    """The full ref of branch `name`, or ShredRefused (HEAD, a tag or a commit is no branch)."""
    try:
        ref = repo.branch_ref(name)
    except GitError:
        ref = None
    if ref is None:
        raise ShredRefused(
            f"there is no branch {name!r}: give a branch (local, or remote-tracking such as "
            "origin/main) with --branch, not HEAD, a tag or a commit"
        )
    return ref


def _judge(repo: Repository, name: str, ref: str, case_id: str, today: date) -> None:
    """Refuse (ShredRefused) unless `case_id` is deleted on branch `name` (full ref `ref`):
    its file gone, its deletion recorded, and no hold open in its last version there."""
    file = f"cases/{case_id}.yaml"
    if repo.read_file(ref, repo.prefix() + file) is not None:
        raise ShredRefused(
            f"{file} is still on {name}: delete the case (mcr delete) and merge that first"
        )
    recorded = _deletion_recorded(repo, ref, case_id)
    if recorded is None:
        raise ShredRefused(f"{DELETIONS_FILE} on {name} does not load: run `mcr check`")
    if not recorded:
        raise ShredRefused(
            f"{DELETIONS_FILE} on {name} records no deletion of {case_id}: delete the case "
            "with mcr delete (which records it) and merge that first"
        )
    try:
        case = last_version(repo, case_id, ref)
    except Unreadable:
        raise ShredRefused(
            f"the last version of {file} on {name} does not load, so whether a legal hold "
            "is open cannot be told: the key is kept"
        ) from None
    if case is None:
        raise ShredRefused(
            f"no version of {file} is in the history of {name}, so whether a legal hold is "
            "open cannot be told: the key is kept"
        )
    holds = [h.id for h in open_holds(case.legal_holds, today)]
    if holds:
        raise ShredRefused(f"legal hold {', '.join(holds)} of {case_id} is open")


def shred_key(
    root: Path, store: Keystore, case_id: str, today: date, branch: str | None = None
) -> list[str]:
    """Shred `case_id`'s key, or refuse (ShredRefused) unless the case is deleted on the
    repository's default branch (the remote's, else main) and on `branch` if one is given:
    the file gone, the deletion recorded in the deletion log, and no hold open in its last
    version. Returns the branches judged on."""
    repo = _repository(root)
    if repo is None:
        raise ShredRefused(f"{root} is not in a git repository with commits")
    targets = list(dict.fromkeys([repo.default_branch(), *([branch] if branch else [])]))
    refs = {target: _branch(repo, target) for target in targets}
    for target, ref in refs.items():
        try:
            _judge(repo, target, ref, case_id, today)
        except GitError:
            raise ShredRefused(f"branch {target!r} cannot be read") from None
    if store.get(case_id) is None:
        when = store.shredded().get(case_id)
        if when is not None:
            raise ShredRefused(f"the key of {case_id} was already shredded on {when}")
        raise ShredRefused(f"{store.name} holds no key for {case_id}")
    store.shred(case_id, today)
    return targets
