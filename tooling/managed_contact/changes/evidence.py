"""Evidence: who approved what in the range, judged on the target's registry.

The target (the revision given as --base, the tip of the branch the merge request goes into) is
where the rules for approvals come from: the people registry, its keys and their validity
windows, and the roles. Nothing in the change under review decides who may approve it: a key
removed or a role ended on the target after the branch forked no longer approves anything, and
a merge request cannot approve itself by adding a key or a role on its own branch. If the
target's policy data cannot be read, no approval can be judged (MC407).

git verifies the signatures of the range's commits against the target's keys, in one `git log`
pass, with verified results cached by commit id (`git.SignatureCache`); `approvals.collect`
turns them, the forge's merge commits and the merge-request approvals into evidence, and
leaves a concern for each commit that yields none: a key the target's registry does not list
(MC411), a key used outside its window (MC412) or added by the branch itself (MC413), an author
or committer line naming someone who did not sign (MC417), a signature that is not good (MC418),
Approved-by trailers on a commit the forge's key did not sign (MC420), trailers or merge-request
usernames that name no one in the registry (MC421). `judging` reports the concern when an
approval is missing. When the change touches policy/people.yaml, the keys it lists at the head
must be well-formed (MC408); they are read only to tell which keys the branch adds, never to
approve.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..register.findings import Finding, Severity
from ..register.loading import Document, load_bytes
from ..register.policy import People
from ..register.rules import Rule
from ..register.validation import validate
from . import approvals as ap
from .approvals import Approvals, MergeRequestApprovals, Registry
from .context import Change
from .git import Commit, SignatureCache
from .revision import POLICY_PATHS
from .signers import allowed_signers

E = Severity.ERROR

#: The rules of the evidence: MC407 and MC408 are reported here, the others are the concerns
#: `approvals.collect` leaves, which `judging` reports when an approval is missing.
RULES = (
    Rule("MC407", E, "The base revision's policy data is readable: approvals are judged on it."),
    Rule("MC408", E, "Signing keys in policy/people.yaml are well-formed, one person's each."),
    Rule("MC411", E, "An approval is signed with a key the base revision's registry lists."),
    Rule(
        "MC412",
        E,
        "A key counts only inside its validity window, on the check date and commit date.",
    ),
    Rule("MC413", E, "A key added by the change itself does not count."),
    Rule("MC417", E, "An author or committer line is not an approval: the key is."),
    Rule("MC418", E, "Only good signatures count (not bad, expired, revoked or uncheckable)."),
    Rule(
        "MC420",
        E,
        "Approved-by trailers count only on a commit signed by the registry's forge key.",
    ),
    Rule("MC421", E, "Merge-request approvals name people the base registry knows."),
)


def report_unreadable_policy(change: Change, problems: Sequence[Finding]) -> None:
    """MC407: the target's policy data does not load (`problems` say why)."""
    first = problems[0] if problems else None
    change.add(
        Finding(
            first.file if first else "policy/people.yaml",
            1,
            1,
            "",
            "MC407",
            E,
            f"the policy data at the base revision {change.target[:12]} cannot be read, "
            "so no approval in this change can be judged"
            + (f": {first.file}: {first.message}" if first else ""),
        )
    )


@contextmanager
def _signers_file(text: str) -> Iterator[Path]:
    """A temporary allowed-signers file with `text` (its digest, not its path, keys the cache)."""
    with tempfile.TemporaryDirectory(prefix="mcr-signers-") as folder:
        path = Path(folder) / "allowed_signers"
        path.write_text(text, encoding="utf-8")
        yield path


def collect(
    change: Change, merge_request: MergeRequestApprovals | None, cache_dir: Path | None
) -> tuple[Approvals, list[Commit] | None]:
    """The evidence and concerns in the range from the merge base to the head, and its
    commits; none, and None for the commits, when the target's policy data does not load.
    Reports MC408 on the head's policy/people.yaml when the change touches it."""
    if change.policy is None or change.index is None:
        return Approvals(), None
    registry = Registry(change.policy.people)
    added: Registry | None = None
    if change.head_policy is not None and POLICY_PATHS["people"] in change.policy_paths:
        added = Registry(change.head_policy.people)
        doc = _head_policy_doc(change, "people")
        for problem in added.key_problems:
            if doc is not None:
                change.report(doc, problem.path, "MC408", problem.message)
        # Only keys the branch itself adds are "added by the change" (MC413); a key the
        # target removed after the fork is simply not the target's (MC411).
        forked = _people_at_merge_base(change)
        if forked is not None:
            for fingerprint in Registry(forked).keys:
                added.keys.pop(fingerprint, None)
    signers = allowed_signers(list(registry.keys.values()), windows=False)
    cache = SignatureCache.in_directory(cache_dir) if cache_dir else None
    with _signers_file(signers) as signers_path:
        commits = change.repo.commits(
            change.base, change.head, allowed_signers=signers_path, cache=cache
        )
    approvals = ap.collect(
        commits,
        base=registry,
        index=change.index,
        head_registry=added,
        today=change.today,
        head=change.head,
        prefix=change.prefix,
        merge_request=merge_request,
    )
    return approvals, commits


def _people_at_merge_base(change: Change) -> People | None:
    """The people registry as the merge base holds it, if it loads."""
    raw = change.base_files.get(POLICY_PATHS["people"])
    if raw is None:
        return None
    doc, problems = load_bytes(raw, POLICY_PATHS["people"])
    if doc is None or problems:
        return None
    people, _ = validate(People, doc)
    return people


def _head_policy_doc(change: Change, name: str) -> Document | None:
    """The document of policy file `name` at the head, for locating findings in it."""
    raw = change.head_files.get(POLICY_PATHS[name])
    if raw is None:
        return None
    doc, _ = load_bytes(raw, POLICY_PATHS[name])
    return doc
