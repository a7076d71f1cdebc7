"""The register as stored at one git revision: policy data, the deletion log and chosen cases.

`mcr check --base` judges the revision under review as git holds it, not the working tree: the
caller reads the files through the git adapter (`Repository.read_files`, one process per
revision) and these functions load them exactly as strictly as files on disk, with the same
loader, models and findings. Only the files asked for are loaded, so a merge request that
touches one case of thousands loads one case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from ..register.findings import Finding
from ..register.loading import Document, load_bytes
from ..register.model import DeletionLog
from ..register.policy import POLICY_FILES, Policy
from ..register.progress import Progress
from ..register.snapshot import (
    DELETIONS_FILE,
    DELETIONS_NAME,
    CaseFile,
    FileLoader,
    Keys,
    Register,
    assemble,
    case_from,
    deletions_from,
    policy_from,
)

DELETIONS_PATH = DELETIONS_FILE
POLICY_PATHS = {name: f"policy/{name}.yaml" for name in POLICY_FILES}


def is_case_path(path: str) -> bool:
    """A file directly in cases/ other than the deletion log (named right or not)."""
    folder, _, name = path.rpartition("/")
    return folder == "cases" and name != DELETIONS_NAME and name.endswith((".yaml", ".yml"))


def git_files(files: Mapping[str, bytes | None]) -> FileLoader:
    """A `FileLoader` over file contents read from a revision."""

    def load(file: str) -> tuple[Document | None, list[Finding]] | None:
        raw = files.get(file)
        return load_bytes(raw, file) if raw is not None else None

    return load


def load_policy_at(
    files: Mapping[str, bytes | None],
) -> tuple[Policy | None, dict[str, Document], list[Finding]]:
    """Policy data from file contents, as `register.snapshot.load_policy` loads it from disk."""
    return policy_from(git_files(files))


def load_deletions_at(
    files: Mapping[str, bytes | None],
) -> tuple[DeletionLog | None, Document | None, list[Finding]]:
    return deletions_from(git_files(files))


def load_case_at(
    root: Path, file: str, raw: bytes, keys: Keys | None = None
) -> tuple[CaseFile | None, Document | None, list[Finding]]:
    return case_from(root / file, file, load_bytes(raw, file), keys)


def load_register_at(
    root: Path,
    files: Mapping[str, bytes | None],
    case_paths: Iterable[str],
    keys: Keys | None = None,
    progress: Progress | None = None,
) -> tuple[Register, list[Finding]]:
    """A `Register` of the policy, the deletion log and the given case files that exist,
    their sealed values opened with `keys` where given."""
    return assemble(root, git_files(files), case_paths, keys=keys, progress=progress)
