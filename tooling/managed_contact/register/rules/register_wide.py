"""Register-wide rules: what no single case file can show.

Only case files (MC-YYYY-NNNN.yaml) and deletions.yaml live in cases/ (MC106); case ids are
unique and never reused after a deletion (MC105); and each deletion recorded in
cases/deletions.yaml (§7: dormant cases are deleted after 12 months) was approved by someone
whose role allowed it (MC390).
"""

from __future__ import annotations

from ..findings import Finding
from ..index import Index
from ..snapshot import CaseFile, Register, display
from .rule import E, Rule

RULES = (
    Rule("MC105", E, "Case ids are unique, and never reused after deletion."),
    Rule("MC106", E, "Only case files (MC-YYYY-NNNN.yaml) and deletions.yaml live in cases/."),
    Rule("MC390", E, "A deletion is approved by someone whose role allows it."),
)


def check(register: Register, index: Index | None) -> list[Finding]:
    """File names in cases/, unique case ids, and the deletion log (approvals need the index)."""
    findings: list[Finding] = []
    root = register.root
    for path in register.stray:
        what = "folder" if path.is_dir() else "file"
        findings.append(
            Finding(
                display(root, path),
                1,
                1,
                "",
                "MC106",
                E,
                f"'{path.name}' is not a case file: cases/ holds only MC-YYYY-NNNN.yaml files "
                f"and deletions.yaml; move this {what} out of the register",
            )
        )
    seen: dict[str, CaseFile] = {}
    for loaded in register.cases:
        other = seen.get(loaded.case.id)
        if other is not None:
            findings.append(
                loaded.doc.finding(
                    ("id",), "MC105", f"case id '{loaded.case.id}' is also used by {other.file}"
                )
            )
        else:
            seen[loaded.case.id] = loaded
    if register.deletions is not None and register.deletions_doc is not None:
        deleted: dict[str, int] = {}
        for i, entry in enumerate(register.deletions.deletions):
            doc = register.deletions_doc
            if entry.id in deleted:
                findings.append(
                    doc.finding(
                        ("deletions", i, "id"),
                        "MC105",
                        f"'{entry.id}' is recorded as deleted twice",
                    )
                )
            deleted[entry.id] = i
            if entry.id in seen:
                findings.append(
                    seen[entry.id].doc.finding(
                        ("id",),
                        "MC105",
                        f"case id "
                        f"'{entry.id}' belongs to a deleted case and is never reused: "
                        "run `mcr new` for a fresh id",
                    )
                )
            if index is not None and not index.approves(
                "deletion", [entry.approved_by], entry.deleted, []
            ):
                findings.append(
                    doc.finding(
                        ("deletions", i, "approved_by"),
                        "MC390",
                        f"'{entry.approved_by}' could not approve a deletion on {entry.deleted}",
                    )
                )
    return findings
