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

from ..register.files import not_a_file
from ..register.findings import Finding
from ..register.loading import Document, load_bytes
from ..register.model import DeletionLog
from ..register.policy import POLICY_FILES, Policy
from ..register.progress import Progress
from ..register.snapshot import (
    CASE_NAME,
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


def git_files(
    files: Mapping[str, bytes | None], not_files: Mapping[str, str] | None = None
) -> FileLoader:
    """A `FileLoader` over file contents read from a revision; the paths in `not_files` (path
    -> what git holds there: a symbolic link, a submodule) are MC020 and never read."""
    special = not_files or {}

    def load(file: str) -> tuple[Document | None, list[Finding]] | None:
        if file in special:
            return None, [not_a_file(file, special[file])]
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
    not_files: Mapping[str, str] | None = None,
) -> tuple[Register, list[Finding]]:
    """A `Register` of the policy, the deletion log and the given case files that exist,
    their sealed values opened with `keys` where given. `not_files` are the paths that git
    holds as something other than a regular file (`special_at`): each is MC020."""
    special = dict(not_files or {})
    # The deletion log is read (and so reported) by the loader, as the policy files are.
    in_cases = {p: k for p, k in special.items() if p.startswith("cases/")}
    in_cases.pop(DELETIONS_FILE, None)
    files_wanted = [p for p in case_paths if p not in special]
    return assemble(
        root,
        git_files(files, special),
        files_wanted,
        keys=keys,
        progress=progress,
        not_files=in_cases,
    )


def special_at(entries: Mapping[str, str]) -> dict[str, str]:
    """Of the entries in cases/ and policy/ that git holds as something other than a regular
    file (`Repository.special_entries`, paths in the register), those that break MC020: every
    link and submodule in cases/ (but hidden ones) and at a policy file's path, and a folder
    where a case or policy file would be. Other folders in cases/ are MC106's."""
    found: dict[str, str] = {}
    policy_files = set(POLICY_PATHS.values())
    for path, kind in entries.items():
        folder, _, name = path.rpartition("/")
        if folder == "cases":
            if name.startswith(".") or (kind == "a folder" and not CASE_NAME.match(name)):
                continue
        elif path not in policy_files:
            continue
        found[path] = kind
    return found
