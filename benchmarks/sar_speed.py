"""How fast is `mcr sar`? On a case with 200 versions in git history, each sealed, every
version opened with the case's key: wall-clock time of the command as a person runs it (a new
process, Python start-up included), best of --repeat runs, against the 5 s budget.

The repository is built in a temporary directory from the register's policy data and one
fictional case that gains an incident per commit; git's global and system configuration are
switched off.

    .venv/bin/python benchmarks/sar_speed.py [--versions 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from managed_contact.changes.demo import dump_case
from managed_contact.changes.git import Repository
from managed_contact.register.personal import seal_text
from managed_contact.sealing.keystore import DirectoryKeystore

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BUDGET = 5.0
CASE_ID = "MC-2026-0001"
AUTHOR = ("Customer Relations Team", "customer.relations@council.example")


def case_at(step: int) -> dict[str, Any]:
    start = date(2024, 1, 1)
    incidents = [
        {
            "id": f"I{n + 1}",
            "date": (start + timedelta(days=n)).isoformat(),
            "channel": "telephone",
            "service": "council-tax",
            "categories": ["shouting"],
            "staff_affected": f"Call handler {n + 1}, Council Tax",
            "account": f"Call {n + 1}: shouted about a closed council tax query for some time.",
        }
        for n in range(step + 1)
    ]
    return {
        "id": CASE_ID,
        "opened": start.isoformat(),
        "customer": {
            "name": "Jordan Fictitious",
            "address": "1 Example Street, Demo Town",
            "phone": f"01632 960{step % 1000:03d}",
        },
        "scope": {"council_wide": False, "services": ["council-tax"]},
        "incidents": incidents,
    }


def build(root: Path, versions: int) -> Path:
    register = root / "register"
    repo = Repository.init(register)
    shutil.copytree(REPO / "policy", register / "policy")
    (register / "cases").mkdir()
    store = DirectoryKeystore(root / "keystore")
    key = store.create(CASE_ID)
    file = f"cases/{CASE_ID}.yaml"
    day = datetime.combine(date(2024, 1, 1), clock(9), UTC)
    repo.commit(["policy"], "Policy data\n", author=AUTHOR, when=day)
    for step in range(versions):
        text = seal_text(dump_case(case_at(step)).decode("utf-8"), file, key)
        (register / file).write_text(text, encoding="utf-8")
        repo.commit([file], f"{CASE_ID}: version {step + 1}\n", author=AUTHOR,
                    when=day + timedelta(days=step))  # fmt: skip
    return register


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    os.environ.update(env)
    with tempfile.TemporaryDirectory(prefix="mcr-sar-bench-") as tmp:
        root = Path(tmp)
        register = build(root, args.versions)
        best = float("inf")
        for n in range(args.repeat):
            out = root / f"out{n}"
            command = [str(BIN / "mcr"), "sar", CASE_ID, "--output", str(out),
                       "--register", str(register), "--keystore", str(root / "keystore"),
                       "--today", "2026-11-28"]  # fmt: skip
            began = time.perf_counter()
            subprocess.run(command, check=True, env=env, capture_output=True)
            best = min(best, time.perf_counter() - began)
    print(f"mcr sar, {args.versions} versions in history: {best:.2f} s")
    print(f"  budget {BUDGET:.1f} s: ratio {best / BUDGET:.2f} (target <= 1.00)")


if __name__ == "__main__":
    main()
