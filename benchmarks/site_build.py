"""How long `mcr build` takes on a 1,000-case sealed register, against a plain Material build.

    .venv/bin/python benchmarks/site_build.py [--cases 1000] [--runs 3]

1. Makes a register of N synthetic, fictional cases in a scratch directory: each is one of the
   demo's active cases (opened with the demo's committed keys) with a fresh id and a made-up
   name, sealed with its own new key in a scratch keystore, so it passes `mcr check`.
2. Times `mcr build --keystore` on it (the plugin loads the register, opens every sealed value,
   derives each case's status and renders the pages).
3. Writes the very pages the plugin generates as plain Markdown files into a copy of the site, with
   a mkdocs.yml that has no plugin but `search` and keeps cases/ out of the nav, and times a plain
   `mkdocs build` of it.

Both builds run as subprocesses, `--runs` times each, alternately; the best time of each counts.
The target is a ratio of at most 1.5.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

from managed_contact.register.check import run_check
from managed_contact.register.personal import seal_text, unseal_text
from managed_contact.register.snapshot import DEMO_KEYSTORE
from managed_contact.sealing.keystore import DirectoryKeystore
from managed_contact.site.pages import render_site

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 28)
TARGET = 1.5
BIN = Path(sys.executable).parent
FIRST = ["Alex", "Sam", "Robin", "Jo", "Chris", "Pat", "Lee", "Kim", "Jamie", "Morgan"]
LAST = ["Example", "Sample", "Placeholder", "Fictional", "Madeup", "Testcase", "Dummy", "Notreal"]


def templates() -> list[str]:
    """The demo's active cases, opened with its committed keys, as text to copy (in memory
    only: nothing unsealed is written)."""
    demo = DirectoryKeystore(REPO / DEMO_KEYSTORE)
    result = run_check(REPO, TODAY, keys=demo.get)
    active = {cid for cid, st in result.statuses.items() if st.active}
    texts = []
    for cid in sorted(active):
        key = demo.get(cid)
        assert key is not None, cid
        sealed = (REPO / "cases" / f"{cid}.yaml").read_text(encoding="utf-8")
        texts.append(unseal_text(sealed, f"cases/{cid}.yaml", key))
    if not texts:
        raise SystemExit("the demo register has no active case to copy")
    return texts


def synthetic_register(root: Path, count: int, keystore: DirectoryKeystore) -> None:
    for name in ("policy", "site"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "cases").mkdir()
    sources = templates()
    for n in range(count):
        text = sources[n % len(sources)]
        old_id = re.search(r"^id: (MC-\d{4}-\d{4})$", text, flags=re.MULTILINE)
        assert old_id is not None
        case_id = f"MC-2026-{1000 + n:04d}"
        name = f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]} {n}"
        text = text.replace(old_id.group(1), case_id)
        data = yaml.safe_load(text)
        old_name = data["customer"]["name"]
        text = text.replace(old_name, name)
        for i, alias in enumerate(data["customer"].get("aliases", [])):
            text = text.replace(alias, f"{name.split()[0][0]}. Alias{i} {n}")
        file = f"cases/{case_id}.yaml"
        sealed = seal_text(text, file, keystore.create(case_id))
        assert name not in sealed, case_id
        (root / file).write_text(sealed, encoding="utf-8")


def plain_site(register: Path, root: Path, keystore: DirectoryKeystore) -> int:
    """The generated pages as pre-written Markdown, in a plain Material build."""
    shutil.copytree(register / "site", root / "site")
    _, pages = render_site(register, TODAY, keystore=keystore)
    for src, content in pages.items():
        path = root / "site" / src
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    config = (register / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("  - managed-contact\n", "")
    config += "\nnot_in_nav: |\n  /cases/\n"
    # The folder entry is the plugin's; list the folder's pages instead.
    guides = sorted(p.name for p in (root / "site" / "guides").glob("*.md"))
    listed = set(re.findall(r"guides/([a-z-]+\.md)", config))
    extra = "".join(f"      - guides/{g}\n" for g in guides if g not in listed)
    config = re.sub(r"      # A folder entry.*?\n      - guides/\n", extra, config, flags=re.DOTALL)
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    return sum(1 for src in pages if src.startswith("cases/"))


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mcr-bench-") as scratch:
        register = Path(scratch) / "register"
        plain = Path(scratch) / "plain"
        keystore = DirectoryKeystore(Path(scratch) / "keys")
        register.mkdir()
        plain.mkdir()
        synthetic_register(register, args.cases, keystore)
        check = run_check(register, TODAY, keys=keystore.get)
        errors = len(check.findings.errors)
        active = sum(1 for st in check.statuses.values() if st.active)
        pages = plain_site(register, plain, keystore)
        print(
            f"register: {args.cases} sealed cases ({active} active), mcr check: {errors} error(s)"
        )
        print(f"plain site: {pages} pre-written case pages out of the nav")
        mcr = [
            str(BIN / "mcr"),
            "build",
            "--register",
            str(register),
            "--today",
            TODAY.isoformat(),
            "--keystore",
            str(keystore.path),
        ]
        mkdocs = [str(BIN / "mkdocs"), "build", "--strict", "--quiet", "-f"]
        mkdocs.append(str(plain / "mkdocs.yml"))
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(args.runs):
            theirs.append(timed(mkdocs))
            ours.append(timed(mcr))
        best_ours, best_theirs = min(ours), min(theirs)
        ratio = best_ours / best_theirs
        print(f"mcr build:            {best_ours:6.2f} s  (runs: {_fmt(ours)})")
        print(f"plain Material build: {best_theirs:6.2f} s  (runs: {_fmt(theirs)})")
        verdict = "ok" if ratio <= TARGET else "MISSED"
        print(f"ratio: {ratio:.2f}x (target <= {TARGET}x): {verdict}")
        if errors or ratio > TARGET:
            sys.exit(1)


def _fmt(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    main()
