"""How fast is `mcr calendar` on a large register, next to a keyless `mcr check` of the same one?

Generates a register of N cases (default 5,000) from a stage 2 demo case with an email
diversion (so each case gives a review and its response days), each sealed with its own key,
as `check_speed.py` does (its helpers are imported), then times, in one run and alternately,
`mcr check` with no keystore (as CI runs it) and `mcr calendar --output` (no keys either), each
`--runs` times, keeping each one's fastest. Prints both, the events written, and their ratio.
The target is a ratio of at most 1.5.

    .venv/bin/python benchmarks/calendar_speed.py [--cases 5000] [--runs 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_speed import BIN, make_register, register_arguments, timed

TARGET = 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    register_arguments(parser)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    check: list[float] = []
    calendar: list[float] = []
    codes: set[int] = set()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "register"
        make_register(root, Path(tmp) / "keys", args.template.resolve(), args.cases)
        feed = Path(tmp) / "calendar.ics"
        for _ in range(args.runs):
            seconds, code = timed(
                [str(BIN / "mcr"), "check", "--today", args.today, "--format", "json"], root
            )
            check.append(seconds)
            codes.add(code)
            seconds, code = timed(
                [str(BIN / "mcr"), "calendar", "--today", args.today, "--output", str(feed)], root
            )
            calendar.append(seconds)
            codes.add(code)
        events = feed.read_bytes().count(b"BEGIN:VEVENT") if feed.is_file() else 0
    ratio = min(calendar) / min(check)
    print(f"cases:                 {args.cases}")
    print(f"mcr check (no keys):   {min(check):8.2f} s  (fastest of {args.runs})")
    print(f"mcr calendar:          {min(calendar):8.2f} s  ({events} events)")
    print(f"ratio calendar/check:  {ratio:8.3f}  (target <= {TARGET})")
    return 0 if ratio <= TARGET and codes == {0} else 1


if __name__ == "__main__":
    sys.exit(main())
