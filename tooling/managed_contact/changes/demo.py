"""The demo repository: a register's cases replayed as a signed git history.

`mcr demo-repo DIR` builds a new git repository in DIR from a register (by default the one the
command runs in) so that `mcr check --base <first commit>` can be seen passing on real
signatures:

1. Fictional ed25519 demo keys are made with `ssh-keygen` for everyone the cases name as an
   approver, for the policy owner, and for everyone who holds, on the demo's day, a role some
   approval of `policy/roles.yaml` needs (or lets stand in), so that any current approver
   (a housing Senior Manager, say) can sign a new step. The private keys stay in
   `DIR/.git/demo-keys/`, which git never commits.
2. The first commit holds `policy/` (with those keys added to `policy/people.yaml`, valid from
   the first commit's date), `schemas/` and `cases/deletions.yaml`, signed by a person whose
   role allows `policy-change`. It is the base revision of the check.
3. Every case is then replayed in date order, across all cases: when it was opened, then one
   commit per decision, review, challenge outcome and correction, holding what the case
   recorded by that date, signed (`-c user.signingkey`) by the first person the entry names.
   Each other person it names (a second reviewer, the business case's author, the Customer
   Relations recommender) signs an empty commit with an `Approves: <case id>` trailer. Commits
   are dated on the entry's date.
4. A last commit per case restores its file byte for byte (layout, later letters), sealed
   with the new repository's key for the case, so the demo repository's head holds exactly
   the register's cases, each opening to the same text.

Every version committed is sealed: each case gets a key of its own in a keystore in the new
repository's git directory (`<git dir>/mcr-keys`), which git never commits. The source cases
are opened with the source register's keys (its committed demo keystore, when it is the
demo), or read as they are when written in plain text.

One more fictional case, opened and closed years before, is in the first commit, so that the
demo can end as a register does: that case is deleted when due and its key shredded
(`casework.demo.make_demo`), and every version of it in history stays sealed for good.

Case files that do not load are copied as they are in a last commit; `mcr check` reports them.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from ..errors import McrError
from ..register.index import Index
from ..register.loading import load_bytes
from ..register.model import Case
from ..register.personal import seal_text, unseal_text
from ..register.policy import People, Policy, SigningKey
from ..register.snapshot import (
    CASE_NAME,
    DELETIONS_FILE,
    DELETIONS_NAME,
    case_paths,
    demo_keystore,
    load_deletions,
    load_policy,
)
from ..register.validation import validate
from ..sealing.keystore import GIT_DIR_NAME, MARKER, DirectoryKeystore, Keystore, open_keystore
from ..sealing.tokens import TokenError
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
    #: The new repository's own keystore (in its git directory, never committed).
    keystore: Path
    #: The fictional case (in the first commit) deleted at the end, and who approves that.
    retiring: str | None = None
    approver: str | None = None


def _retiring_case(case_id: str) -> dict[str, Any]:
    """A fictional case that went dormant long ago, so its deletion is due."""
    states = [
        "behaviour", "impact", "measures", "contact-routes", "dates",
        "statutory-rights", "other-formats", "how-to-challenge", "lgsco",
    ]  # fmt: skip
    return {
        "id": case_id,
        "opened": "2023-06-01",
        "customer": {
            "name": "Sam Fictional",
            "aliases": ["S. Fictional"],
            "address": "1 Example Street, Demo Town",
            "email": "sam.fictional@example.org",
            "phone": "01632 960999",
        },
        "scope": {"council_wide": False, "services": ["council-tax"]},
        "incidents": [
            {
                "id": "I1",
                "date": "2023-06-01",
                "channel": "telephone",
                "service": "council-tax",
                "categories": ["shouting"],
                "staff_affected": "Two call handlers, Council Tax",
                "account": "Shouted at two call handlers about a closed query.",
            }
        ],
        "adjustments": [
            {
                "id": "A1",
                "date": "2023-06-02",
                "description": "Offered a weekly call at an agreed time.",
                "outcome": "declined",
            }
        ],
        "resolution_attempts": [
            {
                "id": "S1",
                "date": "2023-06-02",
                "service": "council-tax",
                "description": "Final-position letter on the closed query.",
            }
        ],
        "decisions": [
            {
                "id": "D1",
                "date": "2023-06-10",
                "stage": 1,
                "decided_by": "hugo-barrett",
                "conduct": ["shouting"],
                "reason": "Shouting at call handlers on three calls.",
                "measures": [{"measure": "time-limits", "minutes": 15}],
                "crt_notified": "2023-06-10",
            }
        ],
        "reviews": [
            {
                "id": "R1",
                "date": "2023-12-01",
                "reviewed_by": ["amara-okafor", "hugo-barrett"],
                "outcome": "close",
                "considerations": "No further incidents since the warning.",
            }
        ],
        "letters": [
            {
                "id": "L1",
                "date": "2023-06-11",
                "about": "D1",
                "medium": "letter",
                "sent_by": "hugo-barrett",
                "states": list(states),
            },
            {
                "id": "L2",
                "date": "2023-12-01",
                "about": "R1",
                "medium": "letter",
                "sent_by": "hugo-barrett",
                "states": list(states),
            },
        ],
    }


def approvals_of(case: Case) -> list[Approval]:
    """The entries of a case that need approving, in date order, with who approves them."""
    found: list[Approval] = []
    for dec in case.decisions:
        people = [dec.decided_by]
        if dec.stage == 2 and dec.business_case is not None:
            people.append(dec.business_case.author)
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


def source_keystore(source: Path) -> Keystore | None:
    """Where the source register's keys are: its committed demo keystore, if it is the demo,
    else the keystore it would use itself."""
    demo = demo_keystore(source)
    if demo is not None and (demo / MARKER).is_file():
        return DirectoryKeystore(demo)
    return open_keystore(None, source)


def _plain(raw: bytes, file: str, store: Keystore | None) -> bytes:
    """The case file's text with its sealed values opened (plain text stays as it is)."""
    if b"ENC[" not in raw:
        return raw
    case_id = file.rpartition("/")[2].removesuffix(".yaml")
    key = store.get(case_id) if store is not None and CASE_NAME.match(f"{case_id}.yaml") else None
    if key is None:
        raise DemoError(f"{file} is sealed and the source register has no key for it")
    try:
        return unseal_text(raw.decode("utf-8"), file, key).encode("utf-8")
    except (TokenError, UnicodeDecodeError) as exc:
        raise DemoError(f"{file} does not open with the source register's key: {exc}") from None


def _demo_case(file: str, raw: bytes) -> DemoCase:
    doc, problems = load_bytes(raw, file)
    case = validate(Case, doc)[0] if doc is not None and not problems else None
    demo = DemoCase(file, raw, doc.data if case is not None and doc else None, case)
    if case is not None:
        demo.approvals = approvals_of(case)
    return demo


def _load_cases(source: Path) -> list[DemoCase]:
    store = source_keystore(source)
    cases = []
    for path in case_paths(source):
        if path.name == DELETIONS_NAME:
            continue
        file = f"cases/{path.name}"
        cases.append(_demo_case(file, _plain(path.read_bytes(), file, store)))
    return cases


def _free_id(source: Path, cases: list[DemoCase]) -> str:
    log, _, _ = load_deletions(source)
    taken = {c.file.rpartition("/")[2].removesuffix(".yaml") for c in cases}
    taken |= {d.id for d in log.deletions} if log is not None else set()
    n = 1
    while f"MC-2023-{n:04d}" in taken:
        n += 1
    return f"MC-2023-{n:04d}"


def current_approvers(policy: Policy, day: date) -> set[str]:
    """Everyone who holds, on `day`, a role that an approval of policy/roles.yaml needs or
    lets stand in."""
    roles = {
        role
        for approval in policy.roles.approvals.values()
        for role in [
            *(r for need in approval.needs for r in need),
            *(r for stand_ins in approval.stand_in.values() for r in stand_ins),
        ]
    }
    return {
        person.id
        for person in policy.people.people
        if any(held.role in roles for held in person.roles_on(day))
    }


def _latest(cases: Iterable[DemoCase], start: date) -> date:
    days = [c.case.opened for c in cases if c.case is not None]
    days += [a.day for c in cases for a in c.approvals]
    return max(days, default=start)


def _deletion_approver(policy: Policy, today: date, signers: set[str]) -> str:
    index = Index(policy)
    people = sorted(signers) + sorted(p.id for p in policy.people.people)
    for person in people:
        if index.approves("deletion", [person], today, []):
            return person
    raise DemoError(f"no one may approve a deletion on {today}")


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
        staged: list[str] | None = None,
    ) -> str:
        for name, content in files.items():
            target = self.repo.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        self.count += 1
        return self.repo.commit(
            sorted([*files, *(staged or [])]),
            message,
            author=self.author(signer),
            when=self.when(day),
            signing_key=self.keys.get(signer) if signer else None,
        )


def build_demo(source: Path, target: Path, today: date | None = None) -> DemoRepo:
    """Build the demo repository in `target` (which must not exist or be empty), sealing
    every version with keys of its own. With `today`, the first commit also holds a fictional
    case due for deletion on that day (`DemoRepo.retiring`), for `casework.demo` to delete."""
    if target.exists() and any(target.iterdir()):
        raise DemoError(f"{target} is not empty: give a new directory")
    policy, _, _ = load_policy(source)
    if policy is None:
        raise DemoError(f"the policy data in {source} does not load: run `mcr check` there")
    cases = _load_cases(source)
    retiring = approver = None
    if today is not None:
        retiring = _free_id(source, cases)
    start = _earliest(cases) - timedelta(days=7)
    owner = _policy_owner(policy, start)
    signers = {owner} | {p for c in cases for a in c.approvals for p in a.people}
    signers |= current_approvers(policy, today or _latest(cases, start))
    signers &= {p.id for p in policy.people.people}
    if today is not None:
        approver = _deletion_approver(policy, today, signers)
        signers.add(approver)

    repo = Repository.init(target)
    key_dir = target / ".git" / KEYS_DIR
    keys: dict[str, Path] = {}
    public: dict[str, str] = {}
    for person in sorted(signers):
        keys[person], public[person] = make_key(key_dir, person)
    store_path = repo.git_path(GIT_DIR_NAME)
    store = DirectoryKeystore(store_path)
    sealers: dict[str, Any] = {}
    for case_id in [c.case.id for c in cases if c.case is not None] + [retiring or ""]:
        if case_id:
            sealers[f"cases/{case_id}.yaml"] = store.get(case_id) or store.create(case_id)

    def sealed(file: str, content: bytes) -> bytes:
        key = sealers.get(file)
        if key is None:
            return content
        return seal_text(content.decode("utf-8"), file, key).encode("utf-8")

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
    if retiring is not None:  # a case from before: it is at the base, and goes when due
        file = f"cases/{retiring}.yaml"
        first[file] = sealed(file, dump_case(_retiring_case(retiring)))
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
            content = sealed(file, dump_case(version(case.data, day, done[file])))
            writer.commit({file: content}, f"{case_id}: open the case\n", day, None)
            continue
        done[file].add((step.section, step.entry))
        content = sealed(file, dump_case(version(case.data, day, done[file])))
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
            {case.file: sealed(case.file, case.raw)},
            f"{case.file}: the case file as the register keeps it\n",
            last_day,
            None,
        )
    return DemoRepo(
        target,
        first_commit,
        repo.resolve("HEAD"),
        writer.count,
        keys,
        store_path,
        retiring,
        approver,
    )


def commit_deletion(made: DemoRepo, case_id: str, day: date) -> DemoRepo:
    """Commit the deletion of `case_id` (its file gone, its record in the deletion log, as
    `mcr delete` left them in the work tree), signed by the approver."""
    assert made.approver is not None
    repo = Repository(made.path)
    policy, _, _ = load_policy(made.path)
    assert policy is not None
    writer = _Writer(repo, policy, made.keys)
    writer.clock[day] = 30
    head = writer.commit(
        {},
        f"{case_id}: delete at the end of retention (§7)\n",
        day,
        made.approver,
        staged=[f"cases/{case_id}.yaml", DELETIONS_FILE],
    )
    return dataclasses.replace(made, head=head, commits=made.commits + 1)
