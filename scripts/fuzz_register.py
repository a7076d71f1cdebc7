"""`make fuzz`: a coverage-guided run of the loader and the unsealer, for a time budget.

Each target of `scripts/fuzz_targets.py` gets an equal share of ``--seconds`` (``FUZZ_SECONDS``
in `make fuzz`, default 600) or, for a smoke run, ``--runs`` inputs. With atheris installed (the
`fuzz` extra) each target runs under libFuzzer in a process of its own, seeded from the corpus;
without it, hypothesis mutates the same seeds. An input that raises is saved as a crash file in
``--crashes`` (named by its SHA-1) and fails the run. The run prints how many inputs each target
tried, and in all.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
DONE = re.compile(r"Done (\d+) runs in")


def _atheris_available() -> bool:
    try:
        import atheris  # noqa: F401
    except ImportError:
        return False
    return True


def _worker(target: str, libfuzzer_args: list[str]) -> None:
    """Run one target under atheris (never returns)."""
    import atheris

    with atheris.instrument_imports(include=["managed_contact", "fuzz_targets"]):
        sys.path.insert(0, str(HERE))
        import fuzz_targets

    atheris.Setup([sys.argv[0], *libfuzzer_args], fuzz_targets.TARGETS[target])
    atheris.Fuzz()


def _run_atheris(target: str, seconds: int | None, runs: int | None, crashes: Path) -> int:
    sys.path.insert(0, str(HERE))
    import fuzz_targets

    with tempfile.TemporaryDirectory(prefix=f"fuzz-{target}-") as work:
        for seed in fuzz_targets.seeds(target):
            (Path(work) / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
        limit = f"-max_total_time={seconds}" if seconds is not None else f"-runs={runs}"
        args = [
            limit,
            f"-artifact_prefix={crashes}/",
            "-max_len=65536",
            "-timeout=120",
            "-print_final_stats=1",
            work,
        ]
        command = [sys.executable, __file__, "--worker", target, "--", *args]
        done = subprocess.run(command, capture_output=True, text=True, errors="replace")
    tried = [int(n) for n in DONE.findall(done.stderr)]
    if done.returncode != 0 or not tried:
        sys.stderr.write(done.stderr[-20000:])
        raise SystemExit(f"fuzz: {target}: failed (exit {done.returncode}); crashes in {crashes}")
    return tried[-1]


def _save(crashes: Path, data: bytes) -> Path:
    crashes.mkdir(parents=True, exist_ok=True)
    path = crashes / f"crash-{hashlib.sha1(data).hexdigest()}"
    path.write_bytes(data)
    return path


def _run_hypothesis(target: str, seconds: int | None, runs: int | None, crashes: Path) -> int:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    sys.path.insert(0, str(HERE))
    import fuzz_targets

    function = fuzz_targets.TARGETS[target]
    seeds = fuzz_targets.seeds(target)

    @st.composite
    def mutated(draw: st.DrawFn) -> bytes:
        data = bytearray(draw(st.sampled_from(seeds)))
        for _ in range(draw(st.integers(0, 4))):
            at = draw(st.integers(0, len(data)))
            how = draw(st.sampled_from(["insert", "delete", "flip", "cut"]))
            if how == "insert":
                data[at:at] = draw(st.binary(min_size=1, max_size=16))
            elif how == "delete":
                del data[at : at + draw(st.integers(1, 64))]
            elif how == "flip" and at < len(data):
                data[at] ^= draw(st.integers(1, 255))
            elif how == "cut":
                del data[at:]
        return bytes(data)

    tried = 0
    crashed: list[Path] = []

    def one(data: bytes) -> None:
        nonlocal tried
        tried += 1
        try:
            function(data)
        except Exception:
            crashed.append(_save(crashes, data))
            traceback.print_exc()

    batch = 200 if runs is None else runs
    deadline = time.monotonic() + seconds if seconds is not None else None
    while True:
        given(mutated() | st.binary(max_size=4096))(
            settings(
                max_examples=batch,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )(one)
        )()
        if crashed:
            raise SystemExit(f"fuzz: {target}: {len(crashed)} crash(es): {crashed[0]}")
        if deadline is None or time.monotonic() >= deadline:
            return tried


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--seconds", type=int, help="the time budget, shared by the targets")
    budget.add_argument("--runs", type=int, help="inputs per target (a smoke run)")
    parser.add_argument("--engine", choices=["auto", "atheris", "hypothesis"], default="auto")
    parser.add_argument("--crashes", type=Path, default=Path("test-artifacts/fuzz"))
    parser.add_argument("--target", action="append", choices=["loader", "unsealer"])
    args = parser.parse_args(argv)
    seconds = args.seconds
    if seconds is None and args.runs is None:
        seconds = int(os.environ.get("FUZZ_SECONDS", "600"))
    engine = args.engine
    if engine == "auto":
        engine = "atheris" if _atheris_available() else "hypothesis"
    targets = args.target or ["loader", "unsealer"]
    share = None if seconds is None else max(1, seconds // len(targets))
    crashes = args.crashes.resolve()
    crashes.mkdir(parents=True, exist_ok=True)
    run = _run_atheris if engine == "atheris" else _run_hypothesis
    total = 0
    for target in targets:
        tried = run(target, share, args.runs, crashes)
        print(f"fuzz: {target}: {tried:,} inputs tried ({engine})", flush=True)
        total += tried
    print(f"fuzz: {total:,} inputs tried in all, no crash", flush=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        _worker(sys.argv[2], sys.argv[4:])
    sys.exit(main())
