"""How fast is `mcr report` on a large register, next to a keyless `mcr check` of the same one?

Builds a register of N sealed cases (default 5,000) as `check_speed.py` does, then times, in one
run, a keyless `mcr check` and `mcr report` over the whole register's history (CSV and
Markdown). Prints the times and the ratios report/check. The target is at most 1.5.

    .venv/bin/python benchmarks/report_speed.py [--cases 5000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from check_speed import BIN, make_register, register_arguments, timed

TARGET = 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    register_arguments(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "register"
        make_register(root, Path(tmp) / "keys", args.template.resolve(), args.cases)
        mcr = str(BIN / "mcr")
        check, check_rc = timed([mcr, "check", "--today", args.today, "--format", "json"], root)
        period = ["--from", "2020-01-01", "--to", args.today, "--today", args.today]
        csv, csv_rc = timed([mcr, "report", *period, "--format", "csv"], root)
        markdown, md_rc = timed([mcr, "report", *period, "--format", "markdown"], root)
    print(f"cases:                   {args.cases}")
    print(f"mcr check (no keys):     {check:8.2f} s  (exit {check_rc})")
    print(f"mcr report --format csv: {csv:8.2f} s  (exit {csv_rc})")
    print(f"mcr report (markdown):   {markdown:8.2f} s  (exit {md_rc})")
    worst = max(csv, markdown) / check
    print(f"ratio report/check:      {worst:8.3f}  (target <= {TARGET})")
    return 0 if worst <= TARGET and check_rc == 0 and csv_rc == 0 and md_rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
