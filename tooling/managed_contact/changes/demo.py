"""The demo repository: a register's cases replayed as a signed git history.

`mcr demo-repo DIR` builds a new git repository in DIR from a register (by default the one the
command runs in) so that `mcr check --base <first commit>` can be seen passing on real
signatures:

1. Fictional ed25519 demo keys are made with `ssh-keygen` for everyone the cases name as an
   approver and for the policy owner. The private keys stay in `DIR/.git/demo-keys/`, which git
   never commits.
2. The first commit holds `policy/` (with those keys added to `policy/people.yaml`, valid from
   the first commit's date), `schemas/` and `cases/deletions.yaml`, signed by a person whose
   role allows `policy-change`. It is the base revision of the check.
3. Every case is then replayed in date order, across all cases: when it was opened, then one
   commit per decision, review, challenge outcome and correction, holding what the case
   recorded by that date, signed (`-c user.signingkey`) by the first person the entry names.
   Each other person it names (a second reviewer, the Customer Relations recommender) signs an
   empty commit with an `Approves: <case id>` trailer. Commits are dated on the entry's date.
4. A last commit per case restores its file byte for byte (comments, layout, later letters),
   so the demo repository's head holds exactly the register's cases.

Case files that do not load are copied as they are in a last commit; `mcr check` reports them.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from ..errors import McrError
from ..register.loading import load_file
from ..register.model import Case
from ..register.policy import People, Policy, SigningKey
from ..register.snapshot import DELETIONS_NAME, case_paths, load_policy
from ..register.validation import validate
from .approvals import APPROVES
from .git import Repository

KEYS_DIR = "demo-keys"
CRT_AUTHOR = ("Customer Relations Team", "customer.relations@council.example")
PEOPLE_HEADER = (
    "# yaml-language-server: $schema=../schemas/people.schema.json\n"
    "# The people registry of the demo repository, made by `mcr demo-repo`: the register's\n"
    "# people with fictional demo signing keys. Every name and key here is fictional.\n"
)
CASE_MODELINE = "# yaml-language-server: $schema=../schemas/case.schema.json\n"

#: The date field of each case section's entries (when it was recorded as happening).
ENTRY_DATES = {
    "incidents": "date",
    "adjustments": "date",
    "resolution_attempts": "date",
    "decisions": "date",
    "reviews": "date",
    "letters": "date",
    "challenges": "received",
    "police_reports": "date",
    "legal_holds": "start",
    "activity": "date",
    "councillors": "date",
    "corrections": "date",
}
_OUTCOME_FIELDS = ("decided_by", "decided", "outcome", "measures")


class DemoError(McrError):
    """The demo repository cannot be built."""


@dataclass(frozen=True)
class Approval:
    """One entry that needs approving, and who approves it."""

    day: date
    section: str
    entry: str
    people: tuple[str, ...]
    summary: str


@dataclass
class DemoCase:
    """A case to replay: its file, its parsed data and the approvals in date order."""

    file: str
    raw: bytes
    data: dict[str, Any] | None
    case: Case | None
    approvals: list[Approval] = field(default_factory=list)


@dataclass(frozen=True)
class DemoRepo:
    """What `build_demo` made."""

    path: Path
    first_commit: str
    head: str
    commits: int
    keys: dict[str, Path]


def approvals_of(case: Case) -> list[Approval]:
    """The entries of a case that need approving, in date order, with who approves them."""
    found: list[Approval] = []
    for dec in case.decisions:
        people = [dec.decided_by]
        if dec.stage == 2 and dec.recommendation is not None:
            people.append(dec.recommendation.by)
        found.append(
            Approval(
                dec.date,
                "decisions",
                dec.id,
                tuple(dict.fromkeys(people)),
                f"decision {dec.id} (stage {dec.stage})",
            )
        )
    for rev in case.reviews:
        found.append(
            Approval(
                rev.date,
                "reviews",
                rev.id,
                tuple(dict.fromkeys(rev.reviewed_by)),
                f"review {rev.id} ({rev.outcome})",
            )
        )
    for ch in case.challenges:
        if ch.outcome is not None and ch.decided is not None and ch.decided_by is not None:
            found.append(
                Approval(
                    ch.decided,
                    "challenges",
                    ch.id,
                    (ch.decided_by,),
                    f"challenge {ch.id} ({ch.outcome})",
                )
            )
    for corr in case.corrections:
        found.append(
            Approval(
                corr.date, "corrections", corr.id, (corr.approved_by,), f"correction {corr.id}"
            )
        )
    order = {"decisions": 0, "reviews": 1, "challenges": 2, "corrections": 3}
    return sorted(found, key=lambda a: (a.day, order[a.section], a.entry))


def version(data: dict[str, Any], day: date, done: set[tuple[str, str]]) -> dict[str, Any]:
    """The case as recorded by `day`: entries dated up to then, approvals only once `done`."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in ENTRY_DATES or not isinstance(value, list):
            out[key] = value
            continue
        kept = []
        for item in value:
            if not isinstance(item, dict):
                continue
            when = str(item.get(ENTRY_DATES[key], ""))
            if when > day.isoformat():
                continue
            if key in ("decisions", "reviews", "corrections") and (key, item["id"]) not in done:
                continue
            if key == "challenges" and (key, item.get("id")) not in done:
                item = {k: v for k, v in item.items() if k not in _OUTCOME_FIELDS}
            kept.append(item)
        out[key] = kept
    return out


def dump_case(data: dict[str, Any]) -> bytes:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return (CASE_MODELINE + text).encode("utf-8")


def make_key(directory: Path, name: str) -> tuple[Path, str]:
    """A fresh ed25519 key pair (no passphrase); returns the private key and the public line."""
    directory.mkdir(parents=True, exist_ok=True)
    private = directory / name
    try:
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"demo-{name}", "-f", private],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise DemoError(f"could not make a demo key with ssh-keygen: {exc}") from exc
    public = private.with_name(name + ".pub").read_text(encoding="utf-8").split()
    return private, f"{public[0]} {public[1]} demo-{name}"


def _policy_owner(policy: Policy, day: date) -> str:
    approval = policy.roles.approvals.get("policy-change")
    roles = {r for need in approval.needs for r in need} if approval else set()
    for person in policy.people.people:
        if any(held.role in roles for held in person.roles_on(day)):
            return person.id
    raise DemoError(f"no one holds a role that allows 'policy-change' on {day}")


def _people_yaml(people: People, keys: dict[str, str], start: date) -> bytes:
    updated = []
    for person in people.people:
        if person.id in keys:
            key = SigningKey(type="ssh", key=keys[person.id], start=start, end=None)
            person = person.model_copy(update={"keys": [*person.keys, key]})
        updated.append(person)
    data = People(people=updated).model_dump(mode="json", by_alias=True, exclude_defaults=True)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return (PEOPLE_HEADER + text).encode("utf-8")


def _load_cases(source: Path) -> list[DemoCase]:
    cases = []
    for path in case_paths(source):
        if path.name == DELETIONS_NAME:
            continue
        file = f"cases/{path.name}"
        raw = path.read_bytes()
        doc, problems = load_file(path, file)
        case = validate(Case, doc)[0] if doc is not None and not problems else None
        demo = DemoCase(file, raw, doc.data if case is not None and doc else None, case)
        if case is not None:
            demo.approvals = approvals_of(case)
        cases.append(demo)
    return cases


def _earliest(cases: Iterable[DemoCase]) -> date:
    days = [c.case.opened for c in cases if c.case is not None]
    days += [a.day for c in cases for a in c.approvals]
    return min(days, default=date(2020, 1, 1))


class _Writer:
    def __init__(self, repo: Repository, policy: Policy, keys: dict[str, Path]) -> None:
        self.repo = repo
        self.people = {p.id: p for p in policy.people.people}
        self.keys = keys
        self.count = 0
        self.clock: dict[date, int] = {}

    def when(self, day: date) -> datetime:
        tick = self.clock.get(day, 0)
        self.clock[day] = tick + 1
        return datetime.combine(day, time(9, 0), UTC) + timedelta(minutes=tick)

    def author(self, person: str | None) -> tuple[str, str]:
        found = self.people.get(person) if person else None
        if found is None:
            return CRT_AUTHOR
        return found.name, found.email or f"{found.id}@council.example"

    def commit(
        self,
        files: dict[str, bytes],
        message: str,
        day: date,
        signer: str | None,
    ) -> str:
        for name, content in files.items():
            target = self.repo.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        self.count += 1
        return self.repo.commit(
            sorted(files),
            message,
            author=self.author(signer),
            when=self.when(day),
            signing_key=self.keys.get(signer) if signer else None,
        )


def build_demo(source: Path, target: Path) -> DemoRepo:
    """Build the demo repository in `target` (which must not exist or be empty)."""
    if target.exists() and any(target.iterdir()):
        raise DemoError(f"{target} is not empty: give a new directory")
    policy, _, _ = load_policy(source)
    if policy is None:
        raise DemoError(f"the policy data in {source} does not load: run `mcr check` there")
    cases = _load_cases(source)
    start = _earliest(cases) - timedelta(days=7)
    owner = _policy_owner(policy, start)
    signers = {owner} | {p for c in cases for a in c.approvals for p in a.people}
    signers &= {p.id for p in policy.people.people}

    repo = Repository.init(target)
    key_dir = target / ".git" / KEYS_DIR
    keys: dict[str, Path] = {}
    public: dict[str, str] = {}
    for person in sorted(signers):
        keys[person], public[person] = make_key(key_dir, person)
    writer = _Writer(repo, policy, keys)

    first: dict[str, bytes] = {".gitignore": b"public/\n"}
    for path in sorted((source / "policy").iterdir()):
        if path.is_file():
            first[f"policy/{path.name}"] = path.read_bytes()
    first["policy/people.yaml"] = _people_yaml(policy.people, public, start)
    schemas = source / "schemas"
    if schemas.is_dir():
        for path in sorted(schemas.iterdir()):
            if path.is_file():
                first[f"schemas/{path.name}"] = path.read_bytes()
    deletions = source / "cases" / DELETIONS_NAME
    first[f"cases/{DELETIONS_NAME}"] = (
        deletions.read_bytes() if deletions.is_file() else b"deletions: []\n"
    )
    first_commit = writer.commit(
        first,
        "Policy data and the people registry, with demo signing keys\n",
        start,
        owner,
    )

    steps: list[tuple[date, str, int, DemoCase, Approval | None]] = []
    for case in cases:
        if case.case is None:
            continue
        steps.append((case.case.opened, case.file, -1, case, None))
        for n, approval in enumerate(case.approvals):
            steps.append((approval.day, case.file, n, case, approval))
    done: dict[str, set[tuple[str, str]]] = {c.file: set() for c in cases}
    for day, file, _, case, step in sorted(steps, key=lambda s: (s[0], s[1], s[2])):
        if case.data is None or case.case is None:
            continue
        case_id = case.case.id
        if step is None:
            content = dump_case(version(case.data, day, done[file]))
            writer.commit({file: content}, f"{case_id}: open the case\n", day, None)
            continue
        done[file].add((step.section, step.entry))
        content = dump_case(version(case.data, day, done[file]))
        first_signer, *others = step.people
        writer.commit({file: content}, f"{case_id}: {step.summary}\n", day, first_signer)
        for person in others:
            writer.commit(
                {},
                f"{case_id}: approve {step.summary}\n\n{APPROVES}: {case_id}\n",
                day,
                person,
            )
    last_day = max((s[0] for s in steps), default=start)
    for case in cases:
        writer.commit(
            {case.file: case.raw},
            f"{case.file}: the case file as the register keeps it\n",
            last_day,
            None,
        )
    return DemoRepo(target, first_commit, repo.resolve("HEAD"), writer.count, keys)
