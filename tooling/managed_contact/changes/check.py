"""Changes: the rules that compare the register at a base revision with a proposed head.

`mcr check --base REV [--head REV]` runs them after the snapshot rules. The head is read from
git (the commit `--head` names, HEAD by default), never from the working tree: approvals are
signatures on commits, so what is judged is what was committed.

Two revisions stand behind "the base", each for its own purpose:

* **the target** (REV itself, the tip of the branch the merge request goes into) is where the
  rules come from: the people registry, its keys and their windows, the roles, the
  transitions and the periods. A key removed or a role ended on the target after the branch
  forked no longer approves anything, and a merge request cannot approve itself by adding a
  key or a role on its own branch (see `evidence`). Ids in use or deleted at the target are
  taken too.
* **the merge base** of REV and the head (where the branch forked) is what the change is
  measured against, as a merge request's diff is: the changed paths, the commits of the range
  (and so the evidence) and the history comparison (see `history` for why it is not the
  target). Whether a deletion was due is judged on the case as the merge base holds it, with
  the target's periods.

Only what the change touches is read: the paths `git diff` reports between the merge base and
the head, the policy files and the deletion log, at each revision (one `git cat-file` process
for all of them); the commits of the range and their signature status come from one `git log`
pass, with verified results cached by commit id (`git.SignatureCache`), and the versions of
case files and keystore files those commits added from one more `git cat-file`. The snapshot rules
run over the changed cases at the head plus the register-wide invariants (policy data, the
deletion log, ids), not over every case, except when the change touches policy/: a new policy
can break a case the change does not touch (a vocabulary id removed), so then every case at
the head is checked.

The change rules (ids MC4xx, in `CHANGE_CATALOGUE`) are in one module per family, each
declaring the rules it owns, and run in this order over a shared `context.Change`:

1. `evidence`: the target's policy data is readable (MC407), the keys of a changed
   policy/people.yaml are well-formed (MC408), and the range's commits become evidence of who
   approved what, or concerns (MC411-MC413, MC417, MC418, MC420, MC421);
2. each changed case file: a deleted one by `deletions` (MC404, MC406); otherwise a new one's
   id by `new_cases` (MC402), then `history` (MC403), `transitions` (MC401), and the approvals
   its new entries need by `requirements` (MC415);
3. the deletion log: its records are history (MC403), and each new record is of a case file
   the change deletes (MC406) and needs its approver (MC415);
   `every_commit`: each earlier commit of the range keeps personal data sealed (MC432), and
   no commit, nor the head, tracks a keystore (MC431, in `deletions`);
4. `judging`: each approval needed against the evidence (MC410, MC414, MC419, or the concern
   that explains why there is none);
5. `policy_changes`: a change to policy/ is approved by a person whose role allows it (MC405).

A changed file whose name holds a line break cannot be read through git's batch interface; it
is reported (MC106, the name escaped) and left out. What the head holds in cases/ or policy/ as
a symbolic link (mode 120000), a submodule (160000) or a folder where a file goes is MC020, from
the head's tree listing (`Repository.tree`, shared with the keystore rule), and never read as
the file.

In findings about keys, roles and approvals, "the base revision" is the target; in findings
about history and transitions it is the version the change started from, the merge base (the
same commit when the branch is up to date with the target).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..register.check import check_loaded
from ..register.findings import Finding, Findings, Severity
from ..register.model import Case
from ..register.progress import Progress, counted
from ..register.snapshot import Keys
from . import (
    deletions,
    every_commit,
    evidence,
    history,
    judging,
    new_cases,
    policy_changes,
    requirements,
    transitions,
)
from .approvals import MergeRequestApprovals
from .catalogue import ALL_RULES, CHANGE_CATALOGUE
from .context import Change, Files
from .git import Repository
from .revision import (
    DELETIONS_PATH,
    POLICY_PATHS,
    is_case_path,
    load_case_at,
    load_policy_at,
    load_register_at,
    special_at,
)

__all__ = ["ALL_RULES", "CHANGE_CATALOGUE", "ChangeResult", "check_change"]

E = Severity.ERROR


@dataclass
class ChangeResult:
    """What a change check found."""

    findings: Findings
    checked: int
    base: str  # the merge base: what the change is measured against
    head: str
    commits: int
    changed: list[str] = field(default_factory=list)
    target: str = ""  # the revision given as --base: whose rules and registry apply


def check_change(
    root: Path,
    base: str,
    head: str,
    today: date,
    *,
    strict_dates: bool = False,
    merge_request: MergeRequestApprovals | None = None,
    cache_dir: Path | None = None,
    keys: Keys | None = None,
    progress: Progress | None = None,
) -> ChangeResult:
    """The snapshot rules on what changed at `head`, then the change rules from `base`; sealed
    values are opened with `keys` where given (the change rules need none); `progress` hears of
    each case read, checked and judged."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # as in check.run_check: loading makes many small acyclic objects
    try:
        return _check(
            root, base, head, today, strict_dates, merge_request, cache_dir, keys, progress
        )
    finally:
        if gc_was_enabled:
            gc.enable()


def _check(
    root: Path,
    base: str,
    head: str,
    today: date,
    strict_dates: bool,
    merge_request: MergeRequestApprovals | None,
    cache_dir: Path | None,
    keys: Keys | None,
    progress: Progress | None,
) -> ChangeResult:
    """`check_change`, with the garbage collector off."""
    repo = Repository(root)
    prefix, (target, head) = repo.orient([base, head])
    base = repo.merge_base(target, head)
    findings = Findings()

    # What changed, and what is read of it (one `git cat-file` process).
    paths = _Paths(repo, prefix, findings)
    changed = paths.changed(base, head)
    case_paths = [p for p in changed if is_case_path(p)]
    policy_paths = [p for p in changed if p.startswith("policy/")]
    # A policy change can break cases it does not touch: then every case is checked.
    snapshot_paths = sorted({*case_paths, *paths.cases_at(head)}) if policy_paths else case_paths
    base_files, target_files, head_files = _read(
        repo, prefix, (base, target, head), case_paths, [*snapshot_paths, *policy_paths]
    )

    # What git holds at the head in cases/ and policy/ that is not a regular file (MC020).
    entries = repo.special_entries(head, [f"{prefix}cases", f"{prefix}policy"])
    not_files = special_at({p[len(prefix) :]: k for p, k in entries.items()})

    # The snapshot rules on the changed cases at the head.
    register, loaded = load_register_at(root, head_files, snapshot_paths, keys, progress, not_files)
    findings.extend(check_loaded(register, loaded, today, strict_dates, progress).findings)

    policy, _, problems = load_policy_at(target_files)
    change = Change(
        root=root,
        repo=repo,
        today=today,
        prefix=prefix,
        target=target,
        base=base,
        head=head,
        case_paths=case_paths,
        policy_paths=policy_paths,
        base_files=base_files,
        target_files=target_files,
        head_files=head_files,
        head_policy=register.policy,
        head_cases={c.file: c for c in register.cases},
        head_deletions=register.deletions,
        head_deletions_doc=register.deletions_doc,
        policy=policy,
        findings=findings,
        head_not_files=not_files,
    )
    if policy is None:
        evidence.report_unreadable_policy(change, problems)
    change.approvals, commits = evidence.collect(change, merge_request, cache_dir)
    committed = every_commit.read(change, commits)

    # The change rules, family by family.
    for path in counted(case_paths, progress, "judging the change"):
        _case(change, path, keys)
    records = history.check_deletion_log(change)
    if records is not None:
        deletions.check_new_records(change, records)
    every_commit.check(change, committed)
    deletions.check_tracked_keystore(change, committed.keystore)
    if change.index is not None:
        versions = judging.read_approved_versions(change)
        judging.judge(change, versions)
        policy_changes.check(change, versions)
    count = len(commits) if commits is not None else 0
    return ChangeResult(findings, len(register.case_files), base, head, count, changed, target)


@dataclass
class _Paths:
    """Register paths in the repository that git can be asked about."""

    repo: Repository
    prefix: str
    findings: Findings
    reported: set[str] = field(default_factory=set)

    def changed(self, base: str, head: str) -> list[str]:
        """The register paths that differ between `base` and `head`."""
        prefix = self.prefix
        return self.usable(
            p[len(prefix) :] for p in self.repo.changed_files(base, head) if p.startswith(prefix)
        )

    def cases_at(self, rev: str) -> list[str]:
        """Every case file at `rev` (paths in the register)."""
        prefix = self.prefix
        listed = self.usable(
            p[len(prefix) :]
            for p in self.repo.list_files(rev, f"{prefix}cases")
            if p.startswith(prefix)
        )
        return [p for p in listed if is_case_path(p) and not p.rpartition("/")[2].startswith(".")]

    def usable(self, paths: Iterable[str]) -> list[str]:
        """The paths git can be asked about; a register file whose name holds a line break
        (which `git cat-file --batch` cannot take) is reported instead, its name escaped."""
        usable: list[str] = []
        for path in paths:
            if not any(ch in path for ch in "\n\r\0"):
                usable.append(path)
                continue
            if not path.startswith(("cases/", "policy/")) or path in self.reported:
                continue
            self.reported.add(path)
            shown = path.encode("unicode_escape", errors="backslashreplace").decode("ascii")
            self.findings.add(
                Finding(
                    shown,
                    1,
                    1,
                    "",
                    "MC106",
                    E,
                    f"'{shown}' has a line break in its name, so it cannot be checked: the "
                    "register holds only MC-YYYY-NNNN.yaml case files, deletions.yaml and the "
                    "policy files; rename or remove it",
                )
            )
        return usable


def _read(
    repo: Repository,
    prefix: str,
    revisions: tuple[str, str, str],
    at_base: Sequence[str],
    at_head: Sequence[str],
) -> tuple[Files, Files, Files]:
    """Policy files, the deletion log and the given paths at the merge base, the target
    and the head (`revisions`, in that order), in one `git cat-file` process."""
    base, target, head = revisions
    common = [*POLICY_PATHS.values(), DELETIONS_PATH]
    wanted: dict[str, list[str]] = {}
    for rev, paths in (
        (base, [*common, *at_base]),
        (target, common),
        (head, [*common, *at_head]),
    ):
        wanted[rev] = list(dict.fromkeys([*wanted.get(rev, []), *paths]))
    raw = repo.read_blobs((rev, prefix + path) for rev, paths in wanted.items() for path in paths)
    at_base_rev, at_target, at_head_rev = (
        {path: raw[(rev, prefix + path)] for path in wanted[rev]} for rev in revisions
    )
    return at_base_rev, at_target, at_head_rev


def _case(change: Change, file: str, keys: Keys | None) -> None:
    """The change rules on one changed case file."""
    base_raw, head_raw = change.base_files.get(file), change.head_files.get(file)
    if file in change.head_not_files:
        return  # a link or a submodule at the head: MC020, never read as the case
    if head_raw is None:
        if base_raw is not None:
            deletions.check_deleted_case(change, file, base_raw)
        return
    head = change.head_cases.get(file)
    if head is None:
        return  # it does not load: the snapshot rules have said why
    base: Case | None = None
    if base_raw is not None:
        loaded, _, _ = load_case_at(change.root, file, base_raw, keys)  # as the head was
        base = loaded.case if loaded is not None else None
    else:
        new_cases.check_id(change, head.doc, head.case)
    corrected = history.corrected_entries(base, head.case)
    if base is not None:
        history.check_case(change, head.doc, base, head.case, corrected)
    transitions.check_case(change, head.doc, base, head.case, corrected)
    requirements.of_case(change, file, head.doc, base, head.case, corrected)
