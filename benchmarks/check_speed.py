"""How fast is `mcr check` on a large register, next to check-jsonschema on the same files?

Generates a register of N cases (default 5,000) from a demo case, then times, in one run:
  * `mcr check` over the whole register (strict loading, models, every rule);
  * `check-jsonschema` validating the same files against schemas/case.schema.json.
Prints both times and their ratio. The target is a ratio under 0.25.

    .venv/bin/python benchmarks/check_speed.py [--cases 5000] [--template cases/MC-2025-0005.yaml]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def make_register(root: Path, template: Path, count: int) -> list[Path]:
    shutil.copytree(REPO / "policy", root / "policy")
    shutil.copytree(REPO / "schemas", root / "schemas")
    cases = root / "cases"
    cases.mkdir()
    text = template.read_text(encoding="utf-8")
    old_id = template.stem
    paths = []
    for n in range(1, count + 1):
        case_id = f"MC-{2020 + n // 9999}-{n % 9999 + 1:04d}"
        path = cases / f"{case_id}.yaml"
        path.write_text(text.replace(old_id, case_id), encoding="utf-8")
        paths.append(path)
    return paths


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    return elapsed, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--template", type=Path, default=REPO / "cases" / "MC-2025-0005.yaml")
    parser.add_argument("--today", default="2026-11-28")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = make_register(root, args.template.resolve(), args.cases)
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
    print(f"mcr check:             {mcr:8.2f} s  (exit {mcr_rc})")
    print(f"check-jsonschema:      {cjs:8.2f} s  (exit {cjs_rc})")
    print(f"ratio mcr/cjs:         {mcr / cjs:8.3f}  (target < 0.25)")
    return 0 if mcr / cjs < 0.25 and mcr_rc == 0 and cjs_rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
