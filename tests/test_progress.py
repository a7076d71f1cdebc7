"""Progress bars: drawn on a terminal for long work, never in a pipe, a log or CI.

The bar itself is tested with a clock the test moves; each long command is then run in a real
pseudo-terminal (pexpect) on the signed demo repository, with `MCR_PROGRESS_AFTER=0` so the
bar shows at once, and again with its output piped, where not a byte of it may appear.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pexpect
import pytest

from managed_contact.casework.demo import make_demo
from managed_contact.changes.demo import DemoRepo
from managed_contact.cli.progress import Bar, wanted
from managed_contact.register.progress import counted

REPO = Path(__file__).resolve().parents[1]
MCR = str(Path(sys.executable).with_name("mcr"))
TODAY = "2026-11-28"
ACTIVE = "MC-2026-0002"


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_bar_waits_a_second_then_draws_and_is_wiped() -> None:
    stream, clock = Terminal(), Clock()
    bar = Bar(stream, enabled=True, after=1.0, clock=clock)
    bar("checking cases", 1, 4)
    clock.now += 0.5
    bar("checking cases", 2, 4)
    assert stream.getvalue() == ""
    clock.now += 0.6
    bar("checking cases", 3, 4)
    drawn = stream.getvalue()
    assert drawn == "\rchecking cases [" + "#" * 22 + "." * 8 + "] 3/4"
    clock.now += 0.01
    bar("checking cases", 3, 4)  # within the redraw interval: nothing more
    assert stream.getvalue() == drawn
    bar("checking cases", 4, 4)  # the last step is always drawn
    assert stream.getvalue().endswith("] 4/4")
    bar.clear()
    width = len("checking cases [" + "#" * 30 + "] 4/4")
    assert stream.getvalue().endswith("\r" + " " * width + "\r")


def test_a_quick_run_draws_nothing_and_clearing_writes_nothing() -> None:
    stream, clock = Terminal(), Clock()
    bar = Bar(stream, enabled=True, after=1.0, clock=clock)
    for n in range(1, 101):
        bar("reading cases", n, 100)
    bar.clear()
    assert stream.getvalue() == ""


def test_a_disabled_bar_never_draws() -> None:
    stream, clock = Terminal(), Clock()
    bar = Bar(stream, enabled=False, after=0.0, clock=clock)
    clock.now += 5
    bar("reading cases", 1, 2)
    bar.clear()
    assert stream.getvalue() == ""


def test_only_a_terminal_outside_ci_gets_a_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert wanted(Terminal())
    assert not wanted(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not wanted(Terminal())


def test_counted_reports_each_item_after_it_is_dealt_with() -> None:
    heard: list[tuple[str, int, int]] = []
    seen = []
    for item in counted(["a", "b", "c"], lambda *p: heard.append(p), "doing"):
        seen.append((item, len(heard)))
    assert seen == [("a", 0), ("b", 1), ("c", 2)]
    assert heard == [("doing", 1, 3), ("doing", 2, 3), ("doing", 3, 3)]
    assert list(counted(["x"], None, "doing")) == ["x"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRepo:
    return make_demo(REPO, tmp_path_factory.mktemp("progress") / "register", date(2026, 11, 28))


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "MCR_KEYSTORE")}
    return {**env, "MCR_TODAY": TODAY, "TERM": "dumb", "MCR_PROGRESS_AFTER": "0", **extra}


def _commands(demo: DemoRepo, out: Path) -> dict[str, tuple[list[str], str]]:
    """Each long command on the demo repository (the site from this one, which has its
    mkdocs.yml), and what its bar says."""
    on_demo = ["--register", str(demo.path)]
    return {
        "check": (["check", *on_demo], "checking cases ["),
        "check --base": (["check", "--base", demo.first_commit, *on_demo], "judging the change ["),
        "build": (
            ["build", "--output", str(out / "site"), "--register", str(REPO)],
            "building pages [",
        ),
        "audit": (["audit", ACTIVE, *on_demo], "judging approvals ["),
        "report": (
            ["report", "--from", "2026-01-01", "--to", "2026-10-31", *on_demo],
            "reading cases [",
        ),
        "sar": (
            [
                "sar",
                ACTIVE,
                "--output",
                str(out / "sar"),
                "--keystore",
                str(demo.keystore),
                *on_demo,
            ],
            "opening versions [",
        ),
    }


@pytest.mark.parametrize("command", ["check", "check --base", "build", "report", "audit", "sar"])
def test_each_long_command_shows_its_bar_on_a_terminal(
    demo: DemoRepo, tmp_path: Path, command: str
) -> None:
    args, words = _commands(demo, tmp_path)[command]
    child = pexpect.spawn(
        MCR,
        args,
        env=_env(),
        encoding="utf-8",
        timeout=120,
        cwd=str(demo.path),
    )
    child.expect(pexpect.EOF)
    child.close()
    shown = child.before or ""
    assert child.exitstatus == 0, shown
    assert words in shown
    # The bar is wiped (spaces over it, back to the line's start) before the result is
    # printed: what follows is the command's own output, and no bar.
    drawn, wipe, after = shown.rpartition(" \r")
    assert wipe
    assert words in drawn
    assert words not in after
    assert after.strip()


@pytest.mark.parametrize("command", ["check", "check --base", "report", "audit", "sar"])
def test_no_bar_in_a_pipe_or_in_ci(demo: DemoRepo, tmp_path: Path, command: str) -> None:
    args, words = _commands(demo, tmp_path)[command]
    piped = subprocess.run(
        [MCR, *args],
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
        cwd=demo.path,
    )
    assert piped.returncode == 0, piped.stdout + piped.stderr
    assert "\r" not in piped.stdout + piped.stderr
    assert words not in piped.stdout + piped.stderr

    child = pexpect.spawn(
        MCR,
        args,
        env=_env(CI="true"),
        encoding="utf-8",
        timeout=120,
        cwd=str(demo.path),
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert words not in (child.before or "")
