"""How fast is `mcr check` on a large register, next to check-jsonschema on the same files?

Generates a register of N cases (default 5,000) from a demo case, each sealed with its own key
from a throwaway keystore (as committed), then times, in one run:
  * `mcr check` over the whole register with no keystore, as CI runs it (strict loading, every
    sealed value checked, models, every rule);
  * `check-jsonschema` validating the same files against schemas/case.schema.json.
Prints both times and their ratio. The target is a ratio of at most 0.15.

    .venv/bin/python benchmarks/check_speed.py [--cases 5000] [--template cases/MC-2025-0005.yaml]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from managed_contact.register.personal import seal_text, unseal_text
from managed_contact.sealing.keystore import DirectoryKeystore

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGET = 0.15
COMMENT = re.compile(r"^#.*\n", re.MULTILINE)


def plain_template(template: Path, keystore: Path) -> str:
    """The template case in plain text, without comments beyond the modeline."""
    text = template.read_text(encoding="utf-8")
    demo = REPO / "demo-keystore"
    if "ENC[" in text and demo.is_dir():
        key = DirectoryKeystore(demo).get(template.stem)
        if key is not None:
            text = unseal_text(text, f"cases/{template.name}", key)
    modeline, _, body = text.partition("\n")
    return f"{modeline}\n{COMMENT.sub('', body)}"


def make_register(root: Path, keystore: Path, template: Path, count: int) -> list[Path]:
    shutil.copytree(REPO / "policy", root / "policy")
    shutil.copytree(REPO / "schemas", root / "schemas")
    settings = root / "policy" / "settings.yaml"
    settings.write_text(
        re.sub(r"^demo:.*\n", "", settings.read_text(encoding="utf-8"), flags=re.MULTILINE),
        encoding="utf-8",
    )
    cases = root / "cases"
    cases.mkdir()
    text = plain_template(template, keystore)
    old_id = template.stem
    store = DirectoryKeystore(keystore)
    paths = []
    for n in range(1, count + 1):
        case_id = f"MC-{2020 + n // 9999}-{n % 9999 + 1:04d}"
        path = cases / f"{case_id}.yaml"
        sealed = seal_text(
            text.replace(old_id, case_id), f"cases/{path.name}", store.create(case_id)
        )
        assert "ENC[" in sealed, "the template did not seal"
        path.write_text(sealed, encoding="utf-8")
        paths.append(path)
    return paths


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    env = {k: v for k, v in os.environ.items() if k != "MCR_KEYSTORE"}  # keyless, as CI
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    return elapsed, done.returncode


def register_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of every benchmark that times a command over a generated register."""
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--template", type=Path, default=REPO / "cases" / "MC-2025-0005.yaml")
    parser.add_argument("--today", default="2026-11-28")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    register_arguments(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "register"
        paths = make_register(root, Path(tmp) / "keys", args.template.resolve(), args.cases)
        mcr, mcr_rc = timed(
            [str(BIN / "mcr"), "check", "--today", args.today, "--format", "json"], root
        )
        schema = root / "schemas" / "case.schema.json"
        cjs, cjs_rc = timed(
            [
                str(BIN / "check-jsonschema"),
                "--schemafile",
                str(schema),
                *[str(p.relative_to(root)) for p in paths],
            ],
            root,
        )
    print(f"cases:                 {args.cases}")
    print(f"mcr check (no keys):   {mcr:8.2f} s  (exit {mcr_rc})")
    print(f"check-jsonschema:      {cjs:8.2f} s  (exit {cjs_rc})")
    print(f"ratio mcr/cjs:         {mcr / cjs:8.3f}  (target <= {TARGET})")
    return 0 if mcr / cjs <= TARGET and mcr_rc == 0 and cjs_rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
