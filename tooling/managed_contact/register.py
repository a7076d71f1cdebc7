"""The register on disk: policy data, case files and the deletion log, loaded strictly."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RegisterNotFound
from .findings import Finding, Severity
from .loading import Document, load_file
from .model import Case, DeletionLog
from .policy import POLICY_FILES, Policy
from .validation import validate

CASE_NAME = re.compile(r"MC-[0-9]{4}-[0-9]{4}\.yaml\Z")
DELETIONS_NAME = "deletions.yaml"
MISSING_POLICY = "MC503"


@dataclass(frozen=True)
class CaseFile:
    """A case file that loaded and validated."""

    path: Path
    file: str
    doc: Document
    case: Case


@dataclass
class Register:
    """What was loaded from a register directory."""

    root: Path
    policy: Policy | None = None
    policy_docs: dict[str, Document] = field(default_factory=dict)
    cases: list[CaseFile] = field(default_factory=list)
    case_files: list[Path] = field(default_factory=list)
    stray: list[Path] = field(default_factory=list)
    deletions: DeletionLog | None = None
    deletions_doc: Document | None = None

    def case(self, case_id: str) -> CaseFile | None:
        for loaded in self.cases:
            if loaded.case.id == case_id:
                return loaded
        return None


def find_root(start: Path) -> Path:
    """The register directory containing `start`: the nearest one with `policy/` and `cases/`."""
    start = start.resolve()
    for candidate in [start, *start.parents]:
        if (candidate / "policy").is_dir() and (candidate / "cases").is_dir():
            return candidate
    raise RegisterNotFound(
        f"{start} is not inside a register: no directory above it has both policy/ and cases/"
    )


def display(root: Path, path: Path) -> str:
    """A path as people see it in findings: relative to the register."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def load_policy(root: Path) -> tuple[Policy | None, dict[str, Document], list[Finding]]:
    """Load and validate every policy file; the policy is None if any is missing or invalid."""
    findings: list[Finding] = []
    docs: dict[str, Document] = {}
    parts: dict[str, object] = {}
    for name, model in POLICY_FILES.items():
        path = root / "policy" / f"{name}.yaml"
        file = f"policy/{name}.yaml"
        if not path.is_file():
            findings.append(
                Finding(
                    file,
                    1,
                    1,
                    "",
                    MISSING_POLICY,
                    Severity.ERROR,
                    f"policy file missing: create {file} (see schemas/{name}.schema.json)",
                )
            )
            continue
        doc, problems = load_file(path, file)
        findings.extend(problems)
        if doc is None or problems:
            continue
        docs[name] = doc
        value, problems = validate(model, doc)
        findings.extend(problems)
        if value is not None:
            parts[name] = value
    if len(parts) != len(POLICY_FILES):
        return None, docs, findings
    return Policy.model_validate(parts), docs, findings


def load_case(root: Path, path: Path) -> tuple[CaseFile | None, Document | None, list[Finding]]:
    """Load and validate one case file."""
    file = display(root, path)
    doc, findings = load_file(path, file)
    if doc is None or findings:
        return None, doc, findings
    case, problems = validate(Case, doc)
    if case is None:
        return None, doc, problems
    return CaseFile(path, file, doc, case), doc, []


def case_paths(root: Path) -> list[Path]:
    """Everything in cases/ but hidden files (such as .gitkeep) and the deletion log."""
    return sorted(
        p
        for p in (root / "cases").iterdir()
        if not p.name.startswith(".") and p.name != DELETIONS_NAME
    )


def load_deletions(root: Path) -> tuple[DeletionLog | None, Document | None, list[Finding]]:
    path = root / "cases" / DELETIONS_NAME
    if not path.is_file():
        return DeletionLog(), None, []
    doc, findings = load_file(path, f"cases/{DELETIONS_NAME}")
    if doc is None or findings:
        return None, doc, findings
    log, problems = validate(DeletionLog, doc)
    return log, doc, problems


def load_register(root: Path, only: list[Path] | None = None) -> tuple[Register, list[Finding]]:
    """Load policy, deletion log and case files (all of them, or only those given)."""
    if not (root / "cases").is_dir():
        raise RegisterNotFound(f"{root} has no cases/ directory")
    register = Register(root)
    register.policy, register.policy_docs, findings = load_policy(root)
    register.deletions, register.deletions_doc, problems = load_deletions(root)
    findings.extend(problems)
    paths = case_paths(root) if only is None else sorted(only)
    for path in paths:
        if path.name == DELETIONS_NAME:
            continue
        if not CASE_NAME.match(path.name) or not path.is_file():
            register.stray.append(path)  # reported by rules.check_register
            continue
        register.case_files.append(path)
        loaded, _, problems = load_case(root, path)
        findings.extend(problems)
        if loaded is not None:
            register.cases.append(loaded)
    return register, findings
