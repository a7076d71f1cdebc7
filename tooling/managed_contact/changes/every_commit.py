"""Every commit: what the earlier commits of a change put into history.

A merge keeps every commit of the branch, so plaintext or a comment in a case file, or a
keystore, committed and then removed on the same branch stays in the repository for good
though the head no longer shows it. So each commit of the range (the merge base to the head)
is judged as well as the head: every version of a case file that a commit adds or modifies is
opened with no key, and holds no plaintext in a personal field (as MC010), no cut-short or
altered token (as MC011) and no comment (as MC013), or it is MC432, naming the commit, the
file, the line and the rule, never a value. A version that cannot be read at all cannot be
shown sealed, so it is MC432 too. A keystore file a commit adds is MC431 (`deletions`), the
rule of a tracked keystore, with its demo exception.

Only what the head's check does not already say is reported: a version that is the head's
(the snapshot rules judge it) or the merge base's (it is already on the target) is not judged
again, nor is a keystore file still tracked at the head, and each version is judged once, at
the oldest commit that has it. A finding about an earlier commit stands even when a later one
fixed the file: the fix is to rewrite the branch.

The commits and their paths come from the range's `git log` that gathered the evidence, so
no other is run; only when the target's policy does not load, and no evidence is gathered,
are they listed by `Repository.range_paths`. Every version is read in one `git cat-file`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..register.findings import Finding, Severity
from ..register.loading import load_bytes
from ..register.personal import comment_findings, open_document
from ..register.rules import Rule
from .context import Change
from .deletions import keystore_files
from .git import Commit
from .revision import is_case_path

E = Severity.ERROR

#: The rules this module reports.
RULES = (
    Rule(
        "MC432",
        E,
        "Every commit of the change keeps personal data sealed and puts no comment in a case file.",
    ),
)

#: What an earlier commit did, by the snapshot rule that says so of a file.
_WHAT = {
    "MC010": "writes personal data in plain text",
    "MC011": "holds a sealed value that is cut short or altered",
    "MC013": "puts a comment in a case file",
}


@dataclass
class Committed:
    """What the commits of the range (the head's own aside) added that the head does not
    hold: case file versions, and keystore files anywhere in the repository."""

    #: (commit, register path, content), each version once, at the oldest commit with it.
    cases: list[tuple[str, str, bytes]] = field(default_factory=list)
    #: (commit, repository path) of each keystore file a commit adds, oldest first.
    keystore: list[tuple[str, str]] = field(default_factory=list)
    #: (commit, register path) of case files whose name git's batch interface cannot take.
    unreadable: list[tuple[str, str]] = field(default_factory=list)


def read(change: Change, commits: Sequence[Commit] | None) -> Committed:
    """The versions the range's commits (`commits`, from the evidence, else listed here)
    added, read in one `git cat-file` process."""
    listed = (
        [(c.sha, c.changed_paths) for c in commits]
        if commits is not None
        else change.repo.range_paths(change.base, change.head)
    )
    demo = change.policy is not None and change.policy.settings.demo
    prefix = change.prefix
    committed = Committed()
    case_pairs: list[tuple[str, str]] = []
    key_pairs: list[tuple[str, str]] = []
    for sha, paths in listed:
        if sha == change.head:
            continue  # whatever it adds is at the head, which is checked as such
        for path in paths:
            rel = path[len(prefix) :] if path.startswith(prefix) else None
            if rel is not None and is_case_path(rel):
                if any(ch in path for ch in "\n\r\0"):
                    committed.unreadable.append((sha, rel))
                else:
                    case_pairs.append((sha, path))
        if not demo:
            key_pairs += [(sha, p) for p in keystore_files(list(paths)) if "\n" not in p]
    if not case_pairs and not key_pairs:
        return committed
    # The merge base's version of a case file the change leaves as it was (so the head's).
    known = set(change.case_paths)
    at_base = {(change.base, p) for _, p in case_pairs if p[len(prefix) :] not in known}
    raw = change.repo.read_blobs([*case_pairs, *sorted(at_base), *key_pairs])
    seen: set[tuple[str, bytes]] = set()
    for sha, path in case_pairs:
        content, rel = raw[(sha, path)], path[len(prefix) :]
        if content is None or (rel, content) in seen:
            continue  # deleted there (or not a file), or judged at an earlier commit
        seen.add((rel, content))
        if rel in known:
            shown = [change.base_files.get(rel), change.head_files.get(rel)]
        else:
            shown = [raw[(change.base, path)]]
        if content not in shown:
            committed.cases.append((sha, rel, content))
    committed.keystore = [pair for pair in key_pairs if raw[pair] is not None]
    return committed


def check(change: Change, committed: Committed) -> None:
    """MC432 for each earlier version of a case file that is not sealed or holds a comment."""
    for sha, rel in committed.unreadable:
        shown = rel.encode("unicode_escape", errors="backslashreplace").decode("ascii")
        change.add(
            Finding(
                shown,
                1,
                1,
                "",
                "MC432",
                E,
                f"commit {sha[:12]} adds '{shown}', whose name has a line break, so it cannot "
                "be shown to keep personal data sealed: rewrite the branch without it",
            )
        )
    for sha, rel, content in committed.cases:
        doc, problems = load_bytes(content, rel)
        if doc is None:
            where = problems[0] if problems else Finding(rel, 1, 1, "", "MC100", E, "")
            change.add(
                Finding(
                    rel,
                    where.line,
                    where.column,
                    "",
                    "MC432",
                    E,
                    f"commit {sha[:12]} holds a version of {rel} that cannot be read "
                    f"({where.rule}), so it cannot be shown to keep personal data sealed: "
                    "a merge keeps every commit, so rewrite the branch without that version",
                )
            )
            continue
        case_id = rel.rpartition("/")[2].rsplit(".", 1)[0]
        opened = open_document(doc, case_id, None)
        for found in [*comment_findings(doc.text, rel), *opened.findings]:
            what = _WHAT.get(found.rule, "holds a value that is not sealed")
            change.add(
                Finding(
                    found.file,
                    found.line,
                    found.column,
                    found.path,
                    "MC432",
                    E,
                    f"commit {sha[:12]} {what} ({found.rule}): a merge keeps every commit, so "
                    "rewrite the branch (rebase or squash) so that no commit holds it, even "
                    "though a later one fixes the file",
                )
            )
