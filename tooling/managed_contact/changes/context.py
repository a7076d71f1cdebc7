"""The change under review, as every change rule sees it.

`Change` holds the files that were read at the three revisions (the target, the merge base and
the head), the policy and its index at the target, what the snapshot rules loaded at the head,
the evidence of approvals in the range, and the findings and approval requirements collected
so far. The change rules are plain functions over it, each family in its own module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..register.findings import Finding, Findings
from ..register.index import Index
from ..register.loading import Document, load_bytes
from ..register.model import DeletionLog
from ..register.policy import Policy
from ..register.snapshot import CaseFile
from ..register.validation import validate
from .approvals import Approvals
from .git import Repository
from .revision import DELETIONS_PATH, is_case_path

if TYPE_CHECKING:
    from .requirements import Requirement

#: A data path in a YAML document, as findings locate it: keys and list positions.
DataPath = tuple[str | int, ...]
#: File contents at one revision by register path; None where the revision has no such file.
Files = dict[str, bytes | None]


@dataclass
class Change:
    """One change under review: what was read at its revisions and what has been found."""

    root: Path
    repo: Repository
    today: date
    prefix: str  # the register's folder inside the repository, "" or ending in "/"
    target: str  # the revision given as --base: whose rules and registry apply
    base: str  # the merge base: what the change is measured against
    head: str
    case_paths: list[str]  # changed case files
    policy_paths: list[str]  # changed policy files
    base_files: Files
    target_files: Files
    head_files: Files
    head_policy: Policy | None
    head_cases: dict[str, CaseFile]  # the changed case files that load at the head
    head_deletions: DeletionLog | None
    head_deletions_doc: Document | None
    policy: Policy | None  # the target's: approvals are judged on it
    findings: Findings
    #: Paths the head holds as a symbolic link or a submodule (MC020), never read as files.
    head_not_files: dict[str, str] = field(default_factory=dict)
    requirements: list[Requirement] = field(default_factory=list)
    approvals: Approvals = field(default_factory=Approvals)
    index: Index | None = field(init=False)  # lookups over `policy`
    _logs: dict[str, DeletionLog | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = Index(self.policy) if self.policy is not None else None

    def add(self, finding: Finding) -> None:
        self.findings.add(finding)

    def report(self, doc: Document, path: DataPath, rule: str, message: str) -> None:
        """A finding at data path `path` of `doc`."""
        self.findings.add(doc.finding(path, rule, message))

    def deletion_log(self, where: Literal["base", "target"]) -> DeletionLog | None:
        """The deletion log at the merge base ("base") or the target ("target"): empty if
        there is none, None if it does not load; read once."""
        if where not in self._logs:
            files = self.base_files if where == "base" else self.target_files
            raw = files.get(DELETIONS_PATH)
            log: DeletionLog | None = DeletionLog()
            if raw is not None:
                doc, problems = load_bytes(raw, DELETIONS_PATH)
                log = validate(DeletionLog, doc)[0] if doc is not None and not problems else None
            self._logs[where] = log
        return self._logs[where]

    @cached_property
    def base_case_ids(self) -> set[str]:
        """Ids (file stems) of the case files at the merge base and at the target, listed
        once, when first needed."""
        return {
            p.rpartition("/")[2].rsplit(".", 1)[0]
            for rev in dict.fromkeys([self.base, self.target])
            for p in self.repo.list_files(rev, f"{self.prefix}cases")
            if is_case_path(p[len(self.prefix) :])
        }
