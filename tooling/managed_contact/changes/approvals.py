"""Approvals: who approved what in a range of commits, and on what evidence.

Three kinds of evidence name an approver, from strongest to weakest:

1. **A signature by the approver's own key** (`signature`). git verifies the signature against
   the keys the people registry lists *at the base revision*; the key's fingerprint, never the
   author or committer line, identifies the person, and the key counts only if the date of the
   check and the commit's date both lie in its validity window. The signature covers the
   commit's whole tree, so it says exactly what was approved, it can be verified by anyone
   offline for as long as the history exists, and forging it needs that person's private key.
2. **A forge merge commit** (`forge`): a merge commit (two or more parents) signed by a key the
   registry lists for a person holding the `forge` role, carrying `Approved-by:` trailers
   (GitLab's `%{approved_by}` merge-commit template). Only merge commits count, because a forge
   also signs the commits people make in its web editor, with whatever message (trailers
   included) they type; the forge key must sign no merge commit but a merge request's own (see
   site/guides/approving.md). The forge's signature binds the trailers to the
   merged tree and is verifiable offline, but the approvers themselves signed nothing: the
   evidence is only as good as the forge (its administrators, its login security, its "remove
   approvals when commits are added" setting), and one forge key vouches for everyone. Trailers
   name people by email (`Name <email>`), matched case-insensitively to the registry's `email`:
   the forge verifies email addresses, while display names are free text anyone can set, so
   names never match.
3. **Merge-request approvals from the forge's API** (`merge-request`), the JSON file passed with
   `--approvals` in a merge-request pipeline (GitLab's `approved_by: [{user: {username}}]`),
   mapped by `forge_username`. Nothing authenticates it: it is whatever the pipeline wrote, and a
   merge-request pipeline runs the CI definition of the branch under review. It records no tree,
   so it applies to the head as it stands, and it is not kept in history. It only surfaces the
   forge's own approval rules, which must be enforced in the forge as well.

Commits that do not yield evidence leave a `Concern` (unknown key, key outside its window, key
added in the change, author line naming someone who did not sign, bad signature, unsigned forge
trailers, trailers or usernames naming nobody), so a missing approval can be explained precisely.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from ..errors import McrError
from ..register.index import Index
from ..register.policy import People
from .git import Commit
from .signers import KeyProblem, RegistryKey, registry_keys

EvidenceKind = Literal["signature", "forge", "merge-request"]

#: Trailer a forge merge commit carries for each approver.
APPROVED_BY = "Approved-by"
#: Trailer that lets a signed commit approve case files it does not change (e.g. an empty
#: commit by a second reviewer): the value is a case id or a register path.
APPROVES = "Approves"

_EMAIL_IN_TRAILER = re.compile(r"<([^<>\s]+@[^<>\s]+)>\s*\Z")
_BARE_EMAIL = re.compile(r"[^<>\s]+@[^<>\s]+\Z")
_CASE_ID = re.compile(r"MC-[0-9]{4}-[0-9]{4}\Z")

# Concern rule ids, declared with their descriptions in changes/evidence.py.
UNKNOWN_KEY = "MC411"
KEY_WINDOW = "MC412"
KEY_ADDED = "MC413"
AUTHOR_LINE = "MC417"
BAD_SIGNATURE = "MC418"
FORGE_UNSIGNED = "MC420"
NAMES_NOBODY = "MC421"


class ApprovalsFileError(McrError):
    """The --approvals file cannot be read or is not in the forge API's shape."""


@dataclass(frozen=True)
class Evidence:
    """That `person` approved the tree of `commit` (for `paths`, or everything if None)."""

    person: str
    kind: EvidenceKind
    commit: str
    paths: frozenset[str] | None
    detail: str

    def covers(self, path: str) -> bool:
        return self.paths is None or path in self.paths


@dataclass(frozen=True)
class Concern:
    """Why a commit in the range gave no evidence (about `person`, or anyone if None)."""

    rule: str
    commit: str
    paths: frozenset[str] | None
    person: str | None
    detail: str

    def covers(self, path: str) -> bool:
        return self.paths is None or path in self.paths


@dataclass(frozen=True)
class MergeRequestApprovals:
    """Forge usernames that approved the merge request, as the forge's API reported them."""

    source: str
    usernames: tuple[str, ...]


def read_merge_request_approvals(path: Path) -> MergeRequestApprovals:
    """Read GitLab's merge-request approvals JSON (`GET .../merge_requests/:iid/approvals`)."""
    try:
        data: Any = json.loads(path.read_bytes())
    except OSError as exc:
        raise ApprovalsFileError(f"cannot read approvals file {path}: {exc}") from exc
    except ValueError as exc:
        raise ApprovalsFileError(f"approvals file {path} is not JSON: {exc}") from exc
    except RecursionError:
        raise ApprovalsFileError(
            f"approvals file {path} is nested too deeply to be the forge's approvals JSON"
        ) from None
    shape = "expected {'approved_by': [{'user': {'username': ...}}, ...]}"
    if not isinstance(data, dict) or not isinstance(data.get("approved_by"), list):
        raise ApprovalsFileError(f"approvals file {path}: {shape}")
    usernames: list[str] = []
    for item in data["approved_by"]:
        user = item.get("user") if isinstance(item, dict) else None
        name = user.get("username") if isinstance(user, dict) else None
        if not isinstance(name, str) or not name:
            raise ApprovalsFileError(f"approvals file {path}: {shape}")
        usernames.append(name)
    return MergeRequestApprovals(str(path), tuple(usernames))


class Registry:
    """Lookups over a people registry: keys by fingerprint, people by email and username."""

    def __init__(self, people: People) -> None:
        self.people = {p.id: p for p in people.people}
        keys, self.problems = registry_keys(people)
        self.keys: dict[str, RegistryKey] = {k.fingerprint: k for k in keys}
        self._emails = _unique((p.email.casefold(), p.id) for p in people.people if p.email)
        self._usernames = _unique(
            (p.forge_username.casefold(), p.id) for p in people.people if p.forge_username
        )
        self._names = _unique((p.name.casefold(), p.id) for p in people.people)

    @property
    def key_problems(self) -> list[KeyProblem]:
        return self.problems

    def key(self, fingerprint: str) -> RegistryKey | None:
        return self.keys.get(fingerprint) or self.keys.get(fingerprint.upper())

    def by_email(self, email: str) -> str | None:
        return self._emails.get(email.casefold())

    def by_username(self, username: str) -> str | None:
        return self._usernames.get(username.removeprefix("@").casefold())

    def claimed_by(self, name: str, email: str) -> set[str]:
        """People an author or committer line names, by email or by full name."""
        found = {self._emails.get(email.casefold()), self._names.get(name.casefold())}
        return {p for p in found if p is not None}


def _unique(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Map keys to ids, dropping keys that two different people share."""
    seen: dict[str, set[str]] = defaultdict(set)
    for key, ident in pairs:
        seen[key].add(ident)
    return {key: next(iter(ids)) for key, ids in seen.items() if len(ids) == 1}


@dataclass
class Approvals:
    """The evidence and concerns found in a range, indexed for lookups by person and path."""

    evidence: list[Evidence] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)
    _index: dict[tuple[str | None, str | None], list[Evidence]] | None = None
    _concern_index: dict[str | None, list[Concern]] | None = None

    def _evidence_index(self) -> dict[tuple[str | None, str | None], list[Evidence]]:
        if self._index is None:
            index: dict[tuple[str | None, str | None], list[Evidence]] = defaultdict(list)
            for ev in reversed(self.evidence):  # newest first
                for path in ev.paths if ev.paths is not None else [None]:
                    index[(ev.person, path)].append(ev)
                    index[(None, path)].append(ev)
            self._index = index
        return self._index

    def of(self, person: str, path: str) -> list[Evidence]:
        """Evidence that `person` approved something covering `path`, newest first."""
        index = self._evidence_index()
        return [*index.get((person, path), []), *index.get((person, None), [])]

    def covering(self, path: str) -> list[Evidence]:
        index = self._evidence_index()
        return [*index.get((None, path), []), *index.get((None, None), [])]

    def concerns_about(self, person: str, path: str) -> list[Concern]:
        if self._concern_index is None:
            by_path: dict[str | None, list[Concern]] = defaultdict(list)
            for concern in self.concerns:
                for where in concern.paths if concern.paths is not None else [None]:
                    by_path[where].append(concern)
            self._concern_index = by_path
        found = [*self._concern_index.get(path, []), *self._concern_index.get(None, [])]
        return [c for c in found if c.person is None or c.person == person]


def _short(sha: str) -> str:
    return sha[:12]


def _trailer_email(value: str) -> str | None:
    found = _EMAIL_IN_TRAILER.search(value)
    if found:
        return found.group(1)
    value = value.strip()
    return value if _BARE_EMAIL.fullmatch(value) else None


def _approves_paths(commit: Commit) -> set[str]:
    paths = set()
    for value in commit.trailer_values(APPROVES):
        value = value.strip()
        paths.add(f"cases/{value}.yaml" if _CASE_ID.fullmatch(value) else value.lstrip("/"))
    return paths


def collect(
    commits: Sequence[Commit],
    *,
    base: Registry,
    index: Index,
    head_registry: Registry | None,
    today: date,
    head: str,
    prefix: str = "",
    merge_request: MergeRequestApprovals | None = None,
) -> Approvals:
    """Evidence and concerns from the commits of a range (and the forge's approvals, if any).

    `base` and `index` come from the base revision's policy; `head_registry` (the head's) is
    used only to explain a signature by a key the change itself adds. Commit paths are
    repository paths; `prefix` is where the register sits in the repository.
    """
    found = Approvals()
    for commit in commits:
        _from_commit(commit, base, index, head_registry, today, prefix, found)
    if merge_request is not None:
        for username in merge_request.usernames:
            person = base.by_username(username)
            if person is None:
                found.concerns.append(
                    Concern(
                        NAMES_NOBODY,
                        head,
                        None,
                        None,
                        f"{merge_request.source} lists forge user '{username}', whom the "
                        "registry at the base revision does not know (forge_username)",
                    )
                )
                continue
            found.evidence.append(
                Evidence(
                    person,
                    "merge-request",
                    head,
                    None,
                    f"merge-request approval by '{username}' ({merge_request.source})",
                )
            )
    return found


def _from_commit(
    commit: Commit,
    base: Registry,
    index: Index,
    head_registry: Registry | None,
    today: date,
    prefix: str,
    found: Approvals,
) -> None:
    changed = {p[len(prefix) :] for p in commit.changed_paths if p.startswith(prefix)}
    paths = frozenset(changed | _approves_paths(commit))
    day = commit.committed_at.date()
    sig = commit.signature
    sha = _short(commit.sha)
    signer: str | None = None

    def concern(rule: str, person: str | None, detail: str) -> None:
        found.concerns.append(Concern(rule, commit.sha, paths, person, detail))

    key = base.key(sig.key_fingerprint) if sig.key_fingerprint else None
    if sig.status == "G" and key is not None:
        if key.valid_on(today) and key.valid_on(day):
            signer = key.person
            found.evidence.append(
                Evidence(
                    signer,
                    "signature",
                    commit.sha,
                    paths,
                    f"commit {sha} signed by {signer} ({sig.key_fingerprint})",
                )
            )
        else:
            window = f"{key.start} to {key.end or 'no end'}"
            concern(
                KEY_WINDOW,
                key.person,
                f"commit {sha} is signed with {key.person}'s key {sig.key_fingerprint}, valid "
                f"{window}, which does not cover the check date {today} and the commit date {day}",
            )
    elif sig.status in ("G", "U") and key is None:
        added = head_registry.key(sig.key_fingerprint) if head_registry else None
        if added is not None:
            concern(
                KEY_ADDED,
                added.person,
                f"commit {sha} is signed with key {sig.key_fingerprint}, which this change adds "
                f"to {added.person} in policy/people.yaml; keys are read from the base revision",
            )
        else:
            concern(
                UNKNOWN_KEY,
                None,
                f"commit {sha} is signed with key {sig.key_fingerprint}, which the registry at "
                "the base revision does not list for anyone",
            )
    elif sig.status != "N":
        owner = key.person if key is not None else None
        concern(
            BAD_SIGNATURE,
            owner,
            f"commit {sha} has a signature git reports as '{sig.status}' (not a good "
            f"signature){f' with {owner} key' if owner else ''}",
        )

    for person in sorted(base.claimed_by(commit.author_name, commit.author_email)) + sorted(
        base.claimed_by(commit.committer_name, commit.committer_email)
    ):
        if person != signer:
            how = f"signed by {signer}" if signer else "not signed by any key of theirs"
            concern(
                AUTHOR_LINE,
                person,
                f"commit {sha} names {person} as author or committer but is {how}: author "
                "lines are free text and prove nothing",
            )

    trailers = commit.trailer_values(APPROVED_BY)
    if not trailers:
        return
    forge_key = signer is not None and all(index.holds(signer, ["forge"], d) for d in (day, today))
    merge = len(commit.parents) >= 2
    named = [(value, _trailer_email(value)) for value in trailers]
    if not (forge_key and merge):
        if not signer:
            who = "not signed by the forge key the registry lists (role 'forge')"
        elif not forge_key:
            who = f"signed by {signer}, who does not hold the 'forge' role"
        else:
            who = (
                f"signed by the forge ({signer}) but is not a merge commit: the forge signs "
                "commits made in its web editor too, with whatever message the user typed, "
                "so only its merge commits' trailers count"
            )
        people = sorted({p for _, email in named if email for p in [base.by_email(email)] if p})
        targets: list[str | None] = [*people] if people else [None]
        for target in targets:
            concern(
                FORGE_UNSIGNED,
                target,
                f"commit {sha} carries Approved-by trailers but is {who}, so they prove nothing",
            )
        return
    for value, email in named:
        approver = base.by_email(email) if email else None
        if approver is None:
            concern(
                NAMES_NOBODY,
                None,
                f"forge commit {sha}: 'Approved-by: {value}' names no one in the registry at "
                "the base revision (matched by email)",
            )
            continue
        found.evidence.append(
            Evidence(
                approver,
                "forge",
                commit.sha,
                paths,
                f"forge commit {sha} (signed by {signer}) with 'Approved-by: {value}'",
            )
        )
