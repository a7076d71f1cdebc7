"""How fast is `mcr check --base`? Three figures, in one run, printed side by side:

1. Over a range of 2,000 signed commits (500 new cases, each opened, decided, reviewed and
   co-signed in four SSH-signed commits), `mcr check --base` against `git log --format=%G?`
   over the same range with the same allowed-signers file. Target: no more than 1.5x.
2. The same `mcr check --base` again, with the signature cache the first run left in
   `.mcr-cache/`. Target: no more than 0.2x of `git log --format=%G?`.
3. In a 5,000-case register, a merge request that adds one signed review to one case:
   `mcr check --base` against a full `mcr check`. Target: no more than 0.1x.

Every time is the wall-clock time of the command as CI runs it (a new process, Python start-up
included), best of --repeat runs. The repositories are built in a temporary directory with
fictional ssh-keygen keys; git's global and system configuration are switched off.

    .venv/bin/python benchmarks/change_check.py [--commits 2000] [--cases 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from managed_contact.changes.demo import dump_case, make_key
from managed_contact.changes.git import Repository
from managed_contact.changes.signers import allowed_signers, registry_keys
from managed_contact.register.personal import seal_text
from managed_contact.register.policy import People, SigningKey
from managed_contact.sealing.keystore import DirectoryKeystore

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TODAY = date(2026, 11, 28)
SIGNERS = ("amara-okafor", "ben-holloway", "hugo-barrett")
STATES = [
    "behaviour",
    "impact",
    "measures",
    "contact-routes",
    "dates",
    "statutory-rights",
    "other-formats",
    "how-to-challenge",
    "lgsco",
]


def env(home: Path) -> dict[str, str]:
    # PYTHONDONTWRITEBYTECODE is dropped so the tool runs from compiled bytecode, as an
    # installed package does (pip compiles on install); the first of the repeated runs writes it.
    found = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "PYTHONDONTWRITEBYTECODE")
    }
    found.update(HOME=str(home), GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", LC_ALL="C")
    return found


def case_data(case_id: str, day: date, *, decided: bool, reviewed: bool) -> dict[str, Any]:
    """A stage 1 case in council tax, as recorded by a given point in its history."""
    iso = day.isoformat
    data: dict[str, Any] = {
        "id": case_id,
        "opened": iso(),
        "customer": {"name": "Jordan Fictitious", "phone": "01632 960001"},
        "scope": {"council_wide": False, "services": ["council-tax"]},
        "incidents": [
            {
                "id": "I1",
                "date": iso(),
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
                "date": iso(),
                "description": "Offered a weekly call.",
                "outcome": "declined",
            }
        ],
        "resolution_attempts": [
            {"id": "S1", "date": iso(), "service": "council-tax", "description": "Final letter."}
        ],
        "decisions": [],
        "reviews": [],
        "letters": [],
    }
    d1, r1 = day + timedelta(days=7), day + timedelta(days=120)
    if decided:
        data["decisions"].append(
            {
                "id": "D1",
                "date": d1.isoformat(),
                "stage": 1,
                "decided_by": "hugo-barrett",
                "conduct": ["shouting"],
                "reason": "Shouting at call handlers.",
                "measures": [{"measure": "time-limits", "minutes": 15}],
                "crt_notified": d1.isoformat(),
            }
        )
        data["letters"].append(letter("L1", d1 + timedelta(days=1), "D1"))
    if reviewed:
        data["reviews"].append(
            {
                "id": "R1",
                "date": r1.isoformat(),
                "reviewed_by": ["amara-okafor", "hugo-barrett"],
                "outcome": "continue",
                "extend_to": (r1 + timedelta(days=150)).isoformat(),
                "considerations": "Reviewed the contact since the decision.",
            }
        )
        data["letters"].append(letter("L2", r1 + timedelta(days=1), "R1"))
    return data


def letter(entry: str, day: date, about: str) -> dict[str, Any]:
    return {
        "id": entry,
        "date": day.isoformat(),
        "about": about,
        "medium": "letter",
        "sent_by": "hugo-barrett",
        "states": list(STATES),
    }


class Register:
    """A register repository with demo keys for the three signers."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.repo = Repository.init(root)
        key_dir = root.parent / f"{root.name}-keys"
        self.keys: dict[str, Path] = {}
        public: dict[str, str] = {}
        for person in SIGNERS:
            self.keys[person], public[person] = make_key(key_dir, person)
        people = People.model_validate(
            yaml.safe_load((REPO / "policy" / "people.yaml").read_text(encoding="utf-8"))
        )
        updated = []
        for person in people.people:
            if person.id in public:
                key = SigningKey(type="ssh", key=public[person.id], start=date(2020, 1, 1))
                person = person.model_copy(update={"keys": [key]})
            updated.append(person)
        self.people = People(people=updated)
        shutil.copytree(REPO / "policy", root / "policy")
        shutil.copytree(REPO / "schemas", root / "schemas")
        (root / "cases").mkdir()
        dumped = self.people.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        (root / "policy" / "people.yaml").write_text(yaml.safe_dump(dumped, sort_keys=False))
        (root / "cases" / "deletions.yaml").write_text("deletions: []\n")
        (root / ".gitignore").write_text(".mcr-cache/\n")
        settings = root / "policy" / "settings.yaml"
        kept = [line for line in settings.read_text().splitlines(True) if line != "demo: true\n"]
        settings.write_text("".join(kept))  # a council's register, not the demo
        # Cases are committed sealed, with keys kept outside the repository; checks run keyless.
        self.keystore = DirectoryKeystore(root.parent / f"{root.name}-mcr-keys")
        self.names = {p.id: (p.name, p.email or "") for p in self.people.people}

    def commit(self, paths: list[str], message: str, day: date, signer: str | None) -> str:
        when = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9)
        return self.repo.commit(
            paths,
            message,
            author=self.names.get(signer or "", ("Register Bot", "bot@example.org")),
            when=when,
            signing_key=self.keys.get(signer) if signer else None,
        )

    def write(self, case: dict[str, Any]) -> str:
        case_id = str(case["id"])
        path = f"cases/{case_id}.yaml"
        key = self.keystore.get(case_id) or self.keystore.create(case_id)
        sealed = seal_text(dump_case(case).decode("utf-8"), path, key)
        (self.root / path).write_text(sealed, encoding="utf-8")
        return path

    def signers_file(self) -> Path:
        keys, _ = registry_keys(self.people)
        path = self.root.parent / f"{self.root.name}-allowed_signers"
        path.write_text(allowed_signers(keys, windows=False), encoding="utf-8")
        return path


def timed(command: list[str], cwd: Path, environment: dict[str, str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, check=False)
        best = min(best, time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()}")
    return best


def status(command: list[str], cwd: Path, environment: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, check=False)
    return done.stdout.decode().strip().splitlines()[-1] if done.stdout else done.stderr.decode()


def signed_range(
    work: Path, commits: int, repeat: int, say: Callable[[str], None]
) -> dict[str, Any]:
    reg = Register(work / "signed")
    base = reg.commit(["."], "Policy data and keys\n", date(2024, 1, 2), "amara-okafor")
    cases = commits // 4
    say(f"building {cases * 4} signed commits ({cases} cases)...")
    start = date(2024, 1, 8)
    for n in range(cases):
        case_id = f"MC-{2024 + n // 9999}-{n % 9999 + 1:04d}"
        day = start + timedelta(days=n % 200)
        path = reg.write(case_data(case_id, day, decided=False, reviewed=False))
        reg.commit([path], f"{case_id}: open\n", day, "ben-holloway")
        reg.write(case_data(case_id, day, decided=True, reviewed=False))
        reg.commit([path], f"{case_id}: D1\n", day + timedelta(days=8), "hugo-barrett")
        reg.write(case_data(case_id, day, decided=True, reviewed=True))
        reg.commit([path], f"{case_id}: R1\n", day + timedelta(days=121), "amara-okafor")
        reg.commit(
            [],
            f"{case_id}: approve R1\n\nApproves: {case_id}\n",
            day + timedelta(days=121),
            "hugo-barrett",
        )
    environment = env(work)
    git_log = [
        "git",
        "-c",
        f"gpg.ssh.allowedSignersFile={reg.signers_file()}",
        "log",
        "--format=%G?",
        f"{base}..HEAD",
    ]
    check = [str(BIN / "mcr"), "check", "--today", TODAY.isoformat(), "--base", base]
    cache = Repository(reg.root).git_path("mcr-cache")  # where `mcr check --base` keeps it
    assert cache.is_relative_to(reg.root / ".git")
    say("timing git log --format=%G? ...")
    git_time = timed(git_log, reg.root, environment, repeat)
    say("timing mcr check --base without the cache ...")
    cold = float("inf")
    for _ in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        cold = min(cold, timed(check, reg.root, environment, 1))
    assert (cache / "signatures.json").is_file(), "the check kept no cache where expected"
    say("timing mcr check --base with the cache ...")
    warm = timed(check, reg.root, environment, repeat)
    return {
        "commits": cases * 4,
        "git": git_time,
        "cold": cold,
        "warm": warm,
        "result": status(check, reg.root, environment),
    }


def large_register(
    work: Path, count: int, repeat: int, say: Callable[[str], None]
) -> dict[str, Any]:
    reg = Register(work / "large")
    say(f"building a {count}-case register...")
    day = date(2025, 1, 6)
    for n in range(count):
        case_id = f"MC-{2020 + n // 9999}-{n % 9999 + 1:04d}"
        reg.write(case_data(case_id, day + timedelta(days=n % 300), decided=True, reviewed=False))
    base = reg.commit(["."], "A large register\n", date(2025, 12, 1), "amara-okafor")
    first = "MC-2020-0001"
    path = reg.write(case_data(first, day, decided=True, reviewed=True))
    reg.commit([path], f"{first}: R1\n", date(2025, 5, 8), "amara-okafor")
    reg.commit([], f"{first}: approve R1\n\nApproves: {first}\n", date(2025, 5, 8), "hugo-barrett")
    environment = env(work)
    full = [str(BIN / "mcr"), "check", "--today", TODAY.isoformat()]
    change = [*full, "--base", base]
    say("timing a full mcr check ...")
    full_time = timed(full, reg.root, environment, repeat)
    say("timing mcr check --base on a one-case merge request ...")
    timed(change, reg.root, environment, 1)  # leaves the signature cache, as CI's cache would
    change_time = timed(change, reg.root, environment, repeat)
    return {
        "cases": count,
        "full": full_time,
        "change": change_time,
        "result": status(change, reg.root, environment),
        "full_result": status(full, reg.root, environment),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="mcr-bench-") as tmp:
        work = Path(tmp)
        signed = signed_range(work, args.commits, args.repeat, say)
        large = large_register(work, args.cases, args.repeat, say)

    ratio_cold = signed["cold"] / signed["git"]
    ratio_warm = signed["warm"] / signed["git"]
    ratio_mr = large["change"] / large["full"]
    rows = [
        (f"{signed['commits']} signed commits", "git log --format=%G?", signed["git"], None, None),
        ("", "mcr check --base (no cache)", signed["cold"], ratio_cold, 1.5),
        ("", "mcr check --base (cache)", signed["warm"], ratio_warm, 0.2),
        (f"{large['cases']} cases", "mcr check (full)", large["full"], None, None),
        ("", "mcr check --base (1-case MR)", large["change"], ratio_mr, 0.1),
    ]
    print(f"{'range':<22} {'command':<30} {'seconds':>8} {'ratio':>7} {'target':>7}  ok")
    for label, command, seconds, ratio, target in rows:
        shown = f"{ratio:7.3f}" if ratio is not None else " " * 7
        limit = f"{target:7.2f}" if target is not None else " " * 7
        ok = "" if target is None or ratio is None else ("yes" if ratio <= target else "NO")
        print(f"{label:<22} {command:<30} {seconds:8.3f} {shown} {limit}  {ok}")
    print(f"signed range check: {signed['result']}")
    print(f"one-case MR check:  {large['result']}")
    print(f"full check:         {large['full_result']}")
    met = ratio_cold <= 1.5 and ratio_warm <= 0.2 and ratio_mr <= 0.1
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
