"""A short run of `make fuzz`'s harness, so it cannot rot: each target takes every seed and a
few hundred inputs more without a crash, and an input that raises is saved and fails the run."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

SCRIPTS = REPO / "scripts"
sys.path.insert(0, str(SCRIPTS))

import fuzz_register  # noqa: E402
import fuzz_targets  # noqa: E402


@pytest.mark.parametrize("target", ["loader", "unsealer"])
def test_every_seed_goes_through_its_target(target: str) -> None:
    seeds = fuzz_targets.seeds(target)
    assert len(seeds) >= (100 if target == "loader" else 8)
    for seed in seeds:
        fuzz_targets.TARGETS[target](seed)


def test_a_smoke_run_tries_its_inputs_and_finds_no_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = fuzz_register.main(
        ["--runs", "150", "--engine", "hypothesis", "--crashes", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "fuzz: loader: 150 inputs tried (hypothesis)" in out
    assert "fuzz: unsealer: 150 inputs tried (hypothesis)" in out
    assert "fuzz: 300 inputs tried in all, no crash" in out
    assert not list(tmp_path.iterdir())


def test_an_input_that_raises_is_saved_and_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fragile(data: bytes) -> None:
        if data.startswith(b"#"):
            raise ValueError("a defect")

    monkeypatch.setitem(fuzz_targets.TARGETS, "loader", fragile)
    with pytest.raises(SystemExit, match="crash"):
        fuzz_register.main(
            [
                "--runs",
                "50",
                "--engine",
                "hypothesis",
                "--target",
                "loader",
                "--crashes",
                str(tmp_path),
            ]
        )
    saved = list(tmp_path.iterdir())
    assert saved
    for path in saved:
        data = path.read_bytes()
        assert data.startswith(b"#")
        assert path.name == f"crash-{hashlib.sha1(data).hexdigest()}"


def test_atheris_runs_the_same_harness_where_it_installs(tmp_path: Path) -> None:
    pytest.importorskip("atheris", reason="the fuzz extra (atheris) is not installed")
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPTS / "fuzz_register.py"),
            "--runs",
            "200",
            "--engine",
            "atheris",
            "--crashes",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "fuzz: loader: 200 inputs tried (atheris)" in done.stdout
    assert "no crash" in done.stdout
