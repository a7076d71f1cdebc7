"""What `make mutation` found, module by module: mutants killed, timed out and survived.

Reads the results mutmut leaves in `<run>/mutants/` (one `.meta` file per mutated module) and the
survivors judged equivalent in `scripts/mutation-equivalent.txt` (a mutant name and its reason
on each line; a reason starting "message:" marks a change to a finding's wording only), and
prints, per module and overall, the share of the other mutants that the tests kill (of those
checked: a run stopped early leaves some unchecked). Survivors not judged equivalent are
listed by name: `mutmut show NAME`, run in the run's folder, shows each one's change.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

HERE = Path(__file__).resolve().parent
EQUIVALENT = HERE / "mutation-equivalent.txt"
PACKAGE = "managed_contact"
KNOWN = ("killed", "timeout", "survived", "equivalent", "message", "not checked")


def equivalents(path: Path) -> dict[str, str]:
    """Mutant name -> why its change cannot be told from the original."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        name, _, reason = text.partition(" ")
        found[name] = reason.strip()
    return found


def results(run: Path) -> dict[str, dict[str, str]]:
    """Module (as `register/dates.py`) -> mutant name -> status, from mutmut's meta files."""
    found: dict[str, dict[str, str]] = {}
    for meta in sorted((run / "mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if not codes:
            continue
        parts = meta.relative_to(run / "mutants").with_suffix("").parts
        module = "/".join(parts[parts.index(PACKAGE) + 1 :])
        found[module] = {name: status_by_exit_code[code] for name, code in codes.items()}
    return found


def score(killed: int, judged: int) -> str:
    return f"{100 * killed / judged:5.1f} %" if judged else "    -  "


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="the folder mutmut ran in")
    parser.add_argument("--equivalent", type=Path, default=EQUIVALENT)
    args = parser.parse_args(argv)

    by_module = results(args.run)
    if not by_module:
        print(f"no mutmut results under {args.run / 'mutants'}", file=sys.stderr)
        return 1
    same = equivalents(args.equivalent)
    header = (
        f"{'module':34} {'mutants':>7} {'killed':>6} {'timeout':>7} {'survived':>8} "
        f"{'equiv.':>6} {'msg':>4} {'other':>5} {'unchecked':>9}  killed / non-equivalent"
    )
    print(header)
    print("-" * len(header))
    total: Counter[str] = Counter()
    open_survivors: list[str] = []
    seen: set[str] = set()
    for module, statuses in by_module.items():
        count: Counter[str] = Counter()
        for name, status in statuses.items():
            seen.add(name)
            if status == "survived" and name in same:
                status = "message" if same[name].startswith("message:") else "equivalent"
            elif status == "survived":
                open_survivors.append(name)
            count[status] += 1
        other = len(statuses) - sum(count[s] for s in KNOWN)
        killed = count["killed"] + count["timeout"]
        judged = len(statuses) - count["equivalent"] - count["message"] - count["not checked"]
        print(
            f"{module:34} {len(statuses):7} {count['killed']:6} {count['timeout']:7} "
            f"{count['survived']:8} {count['equivalent']:6} {count['message']:4} {other:5} "
            f"{count['not checked']:9}  {score(killed, judged)}"
        )
        total.update(count)
        total["mutants"] += len(statuses)
        total["other"] += other
    print("-" * len(header))
    killed = total["killed"] + total["timeout"]
    judged = total["mutants"] - total["equivalent"] - total["message"] - total["not checked"]
    print(
        f"{'all':34} {total['mutants']:7} {total['killed']:6} {total['timeout']:7} "
        f"{total['survived']:8} {total['equivalent']:6} {total['message']:4} {total['other']:5} "
        f"{total['not checked']:9}  {score(killed, judged)}"
    )
    print(
        "\nTimeouts count as killed. 'equiv.' and 'msg' are survivors judged equivalent in "
        f"{args.equivalent.name}\n(msg: the finding's wording only); 'other' is no tests or "
        "suspicious."
    )
    if open_survivors:
        print(f"\nSurvivors not judged equivalent ({len(open_survivors)}):")
        for name in sorted(open_survivors):
            print(f"  {name}")
    stale = sorted(name for name in same if name not in seen)
    if stale:
        print(f"\nListed as equivalent but not a mutant of this code ({len(stale)}): ")
        print("  " + "\n  ".join(stale))
    return 0


if __name__ == "__main__":
    sys.exit(main())
