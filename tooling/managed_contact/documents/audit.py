"""The audit trail of one case: who approved each step, on what evidence, and what the change
rules said about it.

For every decision, Customer Relations recommendation (a stage 2 decision's), review, challenge
outcome, correction and deletion record of a case, `audit_case` finds the commit that introduced
it, the change that commit belongs to, the verified signatures and forge approvals in that
change, and the verdict of the change check (`changes.check.check_change`) run over it.

**What a change is.** History is read along the first-parent line of the branch (`--rev`,
`main` by default): each step of it is one change, as the register's main branch records them.

* In a register whose merge requests are merged with merge commits, a first-parent step is a
  merge commit: the change runs from its first parent (the target when it merged, which is also
  the merge base of the merge request) to the merge, so every commit of the merge request, and
  the forge's merge commit itself, is evidence.
* In a linear history (fast-forward or squash merges, and the demo repository of
  `mcr demo-repo`), a step is one commit. A step is extended by the commits right after it on
  the line that change nothing and carry an `Approves:` trailer naming the case (the empty
  commits a second approver signs, see `changes.approvals`), so those approvals count as they
  did when the change was checked.

**Which commit introduced an entry.** The first version of `cases/CASE.yaml` on that line (or
of `cases/deletions.yaml`, for the case's deletion record) that holds the entry: a challenge's
outcome once the challenge has one, a recommendation once the decision carries one.

**The evidence and the verdict** are judged as the change was, on the revision before it: the
people registry, keys and roles are read from the change's first parent, never from the change
itself (`changes.evidence`); signatures are verified by git against that registry's keys, and
only good signatures by a key valid on the commit's date name a signer. The verdict is that of
`check_change` from the change's first parent to its last commit, as of the last commit's date
(the check as it ran when the change was made; a key that expired since does not undo an
approval): "refused" when it reported an error of a change rule (MC4xx) at the entry, with the
rule ids and messages. An entry already in the first commit has no revision before it, so it is
not judged.

The forge's merge-request approvals (`--approvals`, as `mcr check --base` takes them) are of the
merge request under review, so they count for the change that ends at the tip of `--rev`.

The trail holds ids (cases, entries, people, rules), dates, commits and key fingerprints: no
value from a personal field, so it can be printed into a log.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from ..changes.approvals import APPROVES, Approvals, MergeRequestApprovals, Registry, collect
from ..changes.catalogue import CHANGE_CATALOGUE
from ..changes.check import check_change
from ..changes.git import Commit, FileVersion, Repository, SignatureCache
from ..changes.revision import DELETIONS_PATH, POLICY_PATHS, load_policy_at
from ..changes.signers import allowed_signers
from ..errors import ExitCode, McrError
from ..register.findings import Finding, format_path
from ..register.index import Index
from ..register.loading import load_bytes
from ..register.model import Case, DeletionLog
from ..register.progress import Progress, counted
from ..register.snapshot import CASE_NAME
from ..register.validation import validate

__all__ = [
    "KINDS",
    "Audit",
    "AuditEntry",
    "AuditError",
    "ForgeApproval",
    "RuleFinding",
    "Signer",
    "audit_case",
    "audit_data",
    "audit_json",
    "audit_text",
]

Kind = Literal[
    "decision", "recommendation", "review", "challenge-outcome", "correction", "deletion"
]
#: The entries an audit covers, in the order they are listed on a day.
KINDS: tuple[Kind, ...] = (
    "decision",
    "recommendation",
    "review",
    "challenge-outcome",
    "correction",
    "deletion",
)
Verdict = Literal["approved", "refused", "not judged"]


class AuditError(McrError):
    """No case by that id, now or in the history of the revision: nothing to audit."""

    exit_code = ExitCode.FINDINGS


@dataclass(frozen=True)
class Signer:
    """A good signature in the change, by a key the registry before the change lists."""

    person: str
    roles: tuple[str, ...]  # the roles they held on the entry's date ("role" or "role/service")
    key: str  # the key's fingerprint, as git reports it
    commit: str
    named: bool  # whether the entry names them (as decider, reviewer, approver, ...)


@dataclass(frozen=True)
class ForgeApproval:
    """An approval the forge vouches for: a merge commit's trailer or the merge request's."""

    person: str
    kind: Literal["forge", "merge-request"]
    commit: str
    named: bool


@dataclass(frozen=True)
class RuleFinding:
    """A change rule's finding at the entry: the rule id, where, and what it said."""

    rule: str
    path: str
    message: str


@dataclass(frozen=True)
class AuditEntry:
    """One approved step of the case, and the evidence for it."""

    kind: Kind
    id: str  # the entry id (D1, R2, ...), or the case id for a deletion record
    date: date
    names: tuple[str, ...]  # the people it names as approvers, in the file's order
    file: str
    path: str  # where it is in the file, as findings locate it: "decisions[1]"
    commit: str  # the first commit on the branch's line holding it
    committed_at: datetime
    change_base: str | None  # the revision before the change (None for the first commit)
    change_head: str
    change_commits: int
    signers: tuple[Signer, ...]
    forge: tuple[ForgeApproval, ...]
    verdict: Verdict
    findings: tuple[RuleFinding, ...] = ()


@dataclass(frozen=True)
class Audit:
    """The audit trail of one case at one revision."""

    case_id: str
    rev: str
    commit: str  # the sha `rev` named
    entries: tuple[AuditEntry, ...]


@dataclass(frozen=True)
class _Found:
    """An entry as the version that introduced it holds it."""

    kind: Kind
    id: str
    day: date
    names: tuple[str, ...]
    file: str
    where: tuple[str | int, ...]
    exclude: tuple[str | int, ...] | None = None  # a part judged as an entry of its own


#: Reads the audited entries of one version of a file.
_EntriesOf = Callable[[bytes, str], Iterable[_Found]]


@dataclass
class _Judged:
    """One change, checked once however many entries it introduced."""

    base: str | None
    head: str
    commits: list[Commit] = field(default_factory=list)
    approvals: Approvals = field(default_factory=Approvals)
    index: Index | None = None
    findings: list[Finding] = field(default_factory=list)


def audit_case(
    root: Path,
    case_id: str,
    rev: str = "main",
    *,
    merge_request: MergeRequestApprovals | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
) -> Audit:
    """The audit trail of case `case_id` in the history of `rev` of the register at `root`
    (`progress` hears of each entry judged)."""
    if not CASE_NAME.match(f"{case_id}.yaml"):
        raise AuditError(f"'{case_id}' is not a case id (MC-YYYY-NNNN)")
    repo = Repository(root)
    prefix, (tip,) = repo.orient([rev])
    file = f"cases/{case_id}.yaml"
    found: list[tuple[_Found, FileVersion]] = []
    found += _first_appearances(repo.versions(prefix + file, tip, first_parent=True), file, _case)
    found += [
        (entry, version)
        for entry, version in _first_appearances(
            repo.versions(prefix + DELETIONS_PATH, tip, first_parent=True),
            DELETIONS_PATH,
            _deletions,
        )
        if entry.id == case_id
    ]
    if not found:
        raise AuditError(
            f"{case_id} is not in the history of {rev}: no version of {file} holds a decision, "
            f"review, challenge outcome or correction, and {DELETIONS_PATH} records no "
            "deletion of it"
        )

    line = repo.first_parent_history(tip)
    position = {c.sha: i for i, c in enumerate(line)}
    judged: dict[tuple[str | None, str], _Judged] = {}
    entries: list[AuditEntry] = []
    for entry, version in counted(found, progress, "judging approvals"):
        step = position[version.sha]
        base = line[step].parents[0] if line[step].parents else None
        head = _extended(line, step, {file, DELETIONS_PATH}, prefix, case_id).sha
        change = judged.get((base, head))
        if change is None:
            change = _judge(root, repo, prefix, base, head, tip, merge_request, cache_dir)
            judged[(base, head)] = change
        entries.append(_entry(entry, version, change))
    order = {kind: n for n, kind in enumerate(KINDS)}
    entries.sort(key=lambda e: (e.date, order[e.kind], e.committed_at, e.id))
    return Audit(case_id, rev, tip, tuple(entries))


# -- which version introduced each entry ---------------------------------------------------


def _first_appearances(
    versions: Sequence[FileVersion],
    file: str,
    entries_of: _EntriesOf,
) -> list[tuple[_Found, FileVersion]]:
    """Each entry with the first version (oldest first) that holds it."""
    seen: dict[tuple[str, str], tuple[_Found, FileVersion]] = {}
    for version in versions:
        if version.content is None:
            continue
        for entry in entries_of(version.content, file):
            seen.setdefault((entry.kind, entry.id), (entry, version))
    return list(seen.values())


def _case(raw: bytes, file: str) -> Iterable[_Found]:
    """The audited entries of one version of a case file (none if it does not load)."""
    doc, problems = load_bytes(raw, file)
    case = validate(Case, doc)[0] if doc is not None and not problems else None
    if case is None:
        return
    for i, dec in enumerate(case.decisions):
        names = [dec.decided_by]
        if dec.business_case is not None:
            names.append(dec.business_case.author)
        rec_path: tuple[str | int, ...] = ("decisions", i, "recommendation")
        yield _Found("decision", dec.id, dec.date, _unique(names), file, ("decisions", i), rec_path)
        if dec.recommendation is not None:
            rec = dec.recommendation
            yield _Found("recommendation", dec.id, rec.date, (rec.by,), file, rec_path)
    for i, rev in enumerate(case.reviews):
        yield _Found("review", rev.id, rev.date, _unique(rev.reviewed_by), file, ("reviews", i))
    for i, ch in enumerate(case.challenges):
        if ch.outcome is not None and ch.decided is not None and ch.decided_by is not None:
            yield _Found(
                "challenge-outcome", ch.id, ch.decided, (ch.decided_by,), file, ("challenges", i)
            )
    for i, corr in enumerate(case.corrections):
        yield _Found(
            "correction", corr.id, corr.date, (corr.approved_by,), file, ("corrections", i)
        )


def _deletions(raw: bytes, file: str) -> Iterable[_Found]:
    """The deletion records of one version of the deletion log (none if it does not load)."""
    doc, problems = load_bytes(raw, file)
    log = validate(DeletionLog, doc)[0] if doc is not None and not problems else None
    if log is None:
        return
    for i, record in enumerate(log.deletions):
        yield _Found(
            "deletion", record.id, record.deleted, (record.approved_by,), file, ("deletions", i)
        )


def _unique(people: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(people))


# -- the change an entry came in with ------------------------------------------------------


def _extended(
    line: Sequence[Commit], step: int, files: set[str], prefix: str, case_id: str
) -> Commit:
    """The last commit of the change that starts at `line[step]`: that commit, and after it
    every commit that changes nothing and approves the case (`Approves:`)."""
    wanted = {f"cases/{case_id}.yaml", *files}
    last = step
    while last + 1 < len(line):
        commit = line[last + 1]
        if commit.changed_paths or len(commit.parents) > 1:
            break
        approves = {_approved_path(v) for v in commit.trailer_values(APPROVES)}
        if not approves & wanted:
            break
        last += 1
    return line[last]


def _approved_path(value: str) -> str:
    """The register path an `Approves:` trailer names (a case id or a path)."""
    value = value.strip()
    return f"cases/{value}.yaml" if CASE_NAME.match(f"{value}.yaml") else value.lstrip("/")


def _judge(
    root: Path,
    repo: Repository,
    prefix: str,
    base: str | None,
    head: str,
    tip: str,
    merge_request: MergeRequestApprovals | None,
    cache_dir: Path | None,
) -> _Judged:
    """The change `base..head`: its commits, verified against the registry at `base`, the
    evidence they give, and the change check's findings, as of the head commit's date."""
    judged = _Judged(base, head)
    if base is None:
        return judged
    mr = merge_request if head == tip else None
    files = repo.read_files(base, [prefix + p for p in POLICY_PATHS.values()])
    policy, _, _ = load_policy_at({p: files[prefix + p] for p in POLICY_PATHS.values()})
    registry = Registry(policy.people) if policy is not None else None
    signers = allowed_signers(list(registry.keys.values()), windows=False) if registry else ""
    cache = SignatureCache.in_directory(cache_dir) if cache_dir is not None else None
    with tempfile.TemporaryDirectory(prefix="mcr-audit-") as folder:
        signers_path = Path(folder) / "allowed_signers"
        signers_path.write_text(signers, encoding="utf-8")
        judged.commits = repo.commits(base, head, allowed_signers=signers_path, cache=cache)
    day = judged.commits[-1].committed_at.date()
    if policy is not None and registry is not None:
        judged.index = Index(policy)
        judged.approvals = collect(
            judged.commits,
            base=registry,
            index=judged.index,
            head_registry=None,
            today=day,
            head=head,
            prefix=prefix,
            merge_request=mr,
        )
    result = check_change(root, base, head, day, merge_request=mr, cache_dir=cache_dir)
    judged.findings = result.findings.errors
    return judged


def _entry(found: _Found, version: FileVersion, change: _Judged) -> AuditEntry:
    """The audit of one entry, from the change that introduced it."""
    signatures = {c.sha: c.signature for c in change.commits}
    signers: list[Signer] = []
    forge: list[ForgeApproval] = []
    for ev in reversed(change.approvals.covering(found.file)):  # oldest first
        named = ev.person in found.names
        if ev.kind == "signature":
            signers.append(
                Signer(
                    ev.person,
                    _roles(change.index, ev.person, found.day),
                    signatures[ev.commit].key_fingerprint,
                    ev.commit,
                    named,
                )
            )
        else:
            forge.append(ForgeApproval(ev.person, ev.kind, ev.commit, named))
    at = format_path(found.where)
    skip = format_path(found.exclude) if found.exclude is not None else None
    findings = tuple(
        RuleFinding(f.rule, f.path, f.message)
        for f in change.findings
        if f.rule in CHANGE_CATALOGUE
        and (
            f.rule == "MC407"
            or (
                f.file == found.file
                and _under(f.path, at)
                and not (skip is not None and _under(f.path, skip))
            )
        )
    )
    verdict: Verdict = "not judged" if change.base is None else "approved"
    if findings:
        verdict = "refused"
    return AuditEntry(
        kind=found.kind,
        id=found.id,
        date=found.day,
        names=found.names,
        file=found.file,
        path=at,
        commit=version.sha,
        committed_at=version.committed_at,
        change_base=change.base,
        change_head=change.head,
        change_commits=len(change.commits),
        signers=tuple(signers),
        forge=tuple(forge),
        verdict=verdict,
        findings=findings,
    )


def _under(path: str, at: str) -> bool:
    """Whether data path `path` is `at` or inside it."""
    return path == at or path.startswith((f"{at}.", f"{at}["))


def _roles(index: Index | None, person: str, day: date) -> tuple[str, ...]:
    """The roles `person` held on `day` in the registry before the change."""
    found = index.people.get(person) if index is not None else None
    if found is None:
        return ()
    return tuple(
        f"{held.role}/{held.service}" if held.service else held.role for held in found.roles_on(day)
    )


# -- rendering -----------------------------------------------------------------------------


def _short(sha: str | None) -> str:
    return sha[:12] if sha else "-"


def audit_text(audit: Audit) -> str:
    """The trail for an investigator: one block per entry, oldest first."""
    refused = sum(1 for e in audit.entries if e.verdict == "refused")
    lines = [
        f"Audit trail of {audit.case_id} at {audit.rev} ({_short(audit.commit)}): "
        f"{len(audit.entries)} entr{'y' if len(audit.entries) == 1 else 'ies'}, "
        f"{refused} refused",
    ]
    for e in audit.entries:
        lines.append("")
        lines.append(f"{e.kind} {e.id}  {e.date.isoformat()}  names {', '.join(e.names)}")
        lines.append(f"  where    {e.file}  {e.path}")
        change = (
            f"change {_short(e.change_base)}..{_short(e.change_head)}, {e.change_commits} commit(s)"
            if e.change_base is not None
            else "the first commit: no revision before it"
        )
        lines.append(
            f"  commit   {_short(e.commit)}  {e.committed_at.date().isoformat()}  {change}"
        )
        for s in e.signers:
            roles = ", ".join(s.roles) or "no role"
            note = "" if s.named else "  (not named by the entry)"
            lines.append(
                f"  signed   {s.person}  {roles}  {s.key}  commit {_short(s.commit)}{note}"
            )
        if not e.signers:
            lines.append("  signed   no good signature by a registered key")
        for f in e.forge:
            note = "" if f.named else "  (not named by the entry)"
            lines.append(f"  forge    {f.person}  {f.kind}  commit {_short(f.commit)}{note}")
        if not e.forge:
            lines.append("  forge    none")
        verdict = {"approved": "approved", "refused": "REFUSED", "not judged": "not judged"}
        lines.append(f"  verdict  {verdict[e.verdict]}")
        for finding in e.findings:
            lines.append(f"    {finding.rule}  {finding.path}: {finding.message}")
    return "\n".join(lines)


def audit_data(audit: Audit) -> dict[str, object]:
    """The trail as plain JSON values."""
    return {
        "case": audit.case_id,
        "rev": audit.rev,
        "commit": audit.commit,
        "entries": [
            {
                "kind": e.kind,
                "id": e.id,
                "date": e.date.isoformat(),
                "names": list(e.names),
                "file": e.file,
                "path": e.path,
                "commit": e.commit,
                "committed_at": e.committed_at.isoformat(),
                "change": {
                    "base": e.change_base,
                    "head": e.change_head,
                    "commits": e.change_commits,
                },
                "signers": [
                    {
                        "person": s.person,
                        "roles": list(s.roles),
                        "key": s.key,
                        "commit": s.commit,
                        "named": s.named,
                    }
                    for s in e.signers
                ],
                "forge": [
                    {"person": f.person, "kind": f.kind, "commit": f.commit, "named": f.named}
                    for f in e.forge
                ],
                "verdict": e.verdict,
                "findings": [
                    {"rule": f.rule, "path": f.path, "message": f.message} for f in e.findings
                ],
            }
            for e in audit.entries
        ],
    }


def audit_json(audit: Audit) -> str:
    return json.dumps(audit_data(audit), indent=2, ensure_ascii=False)
