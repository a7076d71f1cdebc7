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

from .findings import Finding, Severity
from .loading import Document, load_bytes
from .model import Case, DeletionLog
from .policy import POLICY_FILES, Policy
from .register import CASE_NAME, DELETIONS_NAME, MISSING_POLICY, CaseFile, Register
from .validation import validate

DELETIONS_PATH = f"cases/{DELETIONS_NAME}"
POLICY_PATHS = {name: f"policy/{name}.yaml" for name in POLICY_FILES}


def is_case_path(path: str) -> bool:
    """A file directly in cases/ other than the deletion log (named right or not)."""
    folder, _, name = path.rpartition("/")
    return folder == "cases" and name != DELETIONS_NAME and name.endswith((".yaml", ".yml"))


def load_policy_at(
    files: Mapping[str, bytes | None],
) -> tuple[Policy | None, dict[str, Document], list[Finding]]:
    """Policy data from file contents, as `register.load_policy` loads it from disk."""
    findings: list[Finding] = []
    docs: dict[str, Document] = {}
    parts: dict[str, object] = {}
    for name, model in POLICY_FILES.items():
        file = POLICY_PATHS[name]
        raw = files.get(file)
        if raw is None:
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
        doc, problems = load_bytes(raw, file)
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


def load_deletions_at(
    files: Mapping[str, bytes | None],
) -> tuple[DeletionLog | None, Document | None, list[Finding]]:
    raw = files.get(DELETIONS_PATH)
    if raw is None:
        return DeletionLog(), None, []
    doc, findings = load_bytes(raw, DELETIONS_PATH)
    if doc is None or findings:
        return None, doc, findings
    log, problems = validate(DeletionLog, doc)
    return log, doc, problems


def load_case_at(
    root: Path, file: str, raw: bytes
) -> tuple[CaseFile | None, Document | None, list[Finding]]:
    doc, findings = load_bytes(raw, file)
    if doc is None or findings:
        return None, doc, findings
    case, problems = validate(Case, doc)
    if case is None:
        return None, doc, problems
    return CaseFile(root / file, file, doc, case), doc, []


def load_register_at(
    root: Path, files: Mapping[str, bytes | None], case_paths: Iterable[str]
) -> tuple[Register, list[Finding]]:
    """A `Register` of the policy, the deletion log and the given case files that exist."""
    register = Register(root)
    register.policy, register.policy_docs, findings = load_policy_at(files)
    register.deletions, register.deletions_doc, problems = load_deletions_at(files)
    findings.extend(problems)
    for file in sorted(case_paths):
        raw = files.get(file)
        if raw is None:
            continue
        register.case_files.append(root / file)
        if not CASE_NAME.match(file.rpartition("/")[2]):
            continue  # reported by rules.check_register
        loaded, _, problems = load_case_at(root, file, raw)
        findings.extend(problems)
        if loaded is not None:
            register.cases.append(loaded)
    return register, findings
