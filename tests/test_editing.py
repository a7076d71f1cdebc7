"""`mcr edit`: a sealed case changed in an editor, checked, sealed again, written whole; and
nothing left behind in plain text, also when it is killed."""

from __future__ import annotations

import difflib
import os
import secrets
import select
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from managed_contact.casework.editing import (
    PREFIX,
    EditFailed,
    Outcome,
    edit_case,
    editor_command,
    sweep_stale,
    temp_base,
)
from managed_contact.cli.main import main
from managed_contact.errors import ExitCode
from managed_contact.register.findings import Finding
from managed_contact.register.rules import MODELINE

from casebuilder import case, decision, letter
from conftest import TODAY
from sealkit import keystore, sealed

CASE = "MC-2026-0001"

#: An editor for tests: replaces OLD with NEW in the file it is given (argv: old, new, file).
REPLACE = """\
import sys
old, new, path = sys.argv[1:]
with open(path, encoding="utf-8") as handle:
    text = handle.read()
with open(path, "w", encoding="utf-8") as handle:
    handle.write(text.replace(old, new))
"""

#: An editor that says where it is, on its stdout, then waits to be killed.
WAIT = """\
import os, sys, time
print("READY", os.getpid(), sys.argv[1], flush=True)
while True:
    time.sleep(60)
"""


def _script(tmp_path: Path, name: str, body: str) -> str:
    script = tmp_path / f"{name}.py"
    script.write_text(body, encoding="utf-8")
    return f"{sys.executable} {script}"


def replacing(tmp_path: Path, old: str, new: str) -> list[str]:
    """An editor command that changes `old` to `new`."""
    return [sys.executable, str(tmp_path / "replace.py"), old, new]


@pytest.fixture
def stage_1(register: Path, tmp_path: Path) -> Path:
    data = case(
        decisions=[decision("D1", "2026-08-03")],
        letters=[letter("L1", "2026-08-04", "D1")],
    )
    text = MODELINE + "\n" + yaml.safe_dump(data, sort_keys=False)
    (register / "cases" / f"{CASE}.yaml").write_text(sealed(text, CASE), encoding="utf-8")
    (tmp_path / "replace.py").write_text(REPLACE, encoding="utf-8")
    return register


def case_file(root: Path) -> Path:
    return root / "cases" / f"{CASE}.yaml"


def private_folders() -> list[Path]:
    return sorted(temp_base().glob(f"{PREFIX}{os.getpid()}-*"))


def test_the_editor_is_visual_then_editor_then_vi() -> None:
    assert editor_command({"VISUAL": "code --wait", "EDITOR": "nano"}) == ["code", "--wait"]
    assert editor_command({"EDITOR": "emacs -nw"}) == ["emacs", "-nw"]
    assert editor_command({"VISUAL": " ", "EDITOR": ""}) == ["vi"]


def test_a_one_field_edit_is_a_one_line_diff(stage_1: Path, tmp_path: Path) -> None:
    before = case_file(stage_1).read_text(encoding="utf-8")
    result = edit_case(
        stage_1, CASE, keystore(), replacing(tmp_path, "01632 960001", "01632 960002"), TODAY
    )
    assert result.outcome is Outcome.SAVED
    after = case_file(stage_1).read_text(encoding="utf-8")
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert len(changed) == 2
    assert changed[0].startswith("-  phone: ENC[mcr1,1,")
    assert changed[1].startswith("+  phone: ENC[mcr1,1,")
    assert "960002" not in after
    code = CliRunner().invoke(main, ["unseal", str(case_file(stage_1))])
    assert "phone: 01632 960002" in code.stdout
    assert private_folders() == []


def test_mcr_edit_with_a_scripted_editor(
    stage_1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = _script(tmp_path, "replace", REPLACE)
    monkeypatch.setenv("EDITOR", f"{script} 'Jordan Fictitious' 'Jordan Example'")
    monkeypatch.delenv("VISUAL", raising=False)
    result = CliRunner().invoke(main, ["edit", CASE, "--register", str(stage_1)])
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout.strip() == f"saved cases/{CASE}.yaml (sealed)"
    assert "Jordan" not in case_file(stage_1).read_text(encoding="utf-8")


def test_an_unchanged_case_is_not_written(stage_1: Path, tmp_path: Path) -> None:
    before = case_file(stage_1).read_bytes()
    stamp = case_file(stage_1).stat().st_mtime_ns
    result = edit_case(stage_1, CASE, keystore(), replacing(tmp_path, "no such", "text"), TODAY)
    assert result.outcome is Outcome.UNCHANGED
    assert case_file(stage_1).read_bytes() == before
    assert case_file(stage_1).stat().st_mtime_ns == stamp


def test_an_invalid_edit_is_refused_and_the_file_unchanged(
    stage_1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = case_file(stage_1).read_bytes()
    script = _script(tmp_path, "replace", REPLACE)
    monkeypatch.setenv("VISUAL", f"{script} hugo-barrett nobody-at-all")
    result = CliRunner().invoke(main, ["edit", CASE, "--register", str(stage_1)])
    assert result.exit_code == ExitCode.FINDINGS
    assert "MC" in result.stderr
    assert "decided_by" in result.stderr
    assert f"not saved: cases/{CASE}.yaml is unchanged" in result.stderr
    assert "Jordan" not in result.output
    assert case_file(stage_1).read_bytes() == before
    assert private_folders() == []


def test_a_comment_is_refused(stage_1: Path, tmp_path: Path) -> None:
    before = case_file(stage_1).read_bytes()
    editor = replacing(tmp_path, "\nopened:", "\n# a note\nopened:")
    result = edit_case(stage_1, CASE, keystore(), editor, TODAY)
    assert result.outcome is Outcome.ABORTED
    assert {f.rule for f in result.findings} == {"MC013"}
    assert case_file(stage_1).read_bytes() == before


def test_the_user_may_edit_again_after_errors(stage_1: Path, tmp_path: Path) -> None:
    """The first edit breaks the YAML; asked, the user edits again and mends it."""
    flip = tmp_path / "flip.py"
    flip.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text()\n"
        "if 'opened: [' in t:\n"
        "    t = t.replace('opened: [', 'opened: ').replace('Jordan', 'Jordana')\n"
        "else:\n"
        "    t = t.replace('opened: ', 'opened: [')\n"
        "p.write_text(t)\n",
        encoding="utf-8",
    )
    asked: list[Sequence[Finding]] = []

    def again(findings: Sequence[Finding]) -> bool:
        asked.append(findings)
        return True

    result = edit_case(stage_1, CASE, keystore(), [sys.executable, str(flip)], TODAY, retry=again)
    assert result.outcome is Outcome.SAVED
    assert len(asked) == 1
    assert asked[0]
    assert all(f.severity.value == "error" and f.file == f"cases/{CASE}.yaml" for f in asked[0])
    shown = CliRunner().invoke(main, ["unseal", str(case_file(stage_1))]).stdout
    assert "name: Jordana Fictitious" in shown


def test_a_failing_editor_saves_nothing(stage_1: Path) -> None:
    before = case_file(stage_1).read_bytes()
    with pytest.raises(EditFailed, match="exited with status 3"):
        edit_case(stage_1, CASE, keystore(), [sys.executable, "-c", "raise SystemExit(3)"], TODAY)
    assert case_file(stage_1).read_bytes() == before
    assert private_folders() == []


def test_the_private_copy_is_private(stage_1: Path, tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    report = tmp_path / "modes.txt"
    probe.write_text(
        "import os, sys\n"
        f"open({str(report)!r}, 'w').write('%o %o' % ("
        "os.stat(sys.argv[1]).st_mode & 0o777, "
        "os.stat(os.path.dirname(sys.argv[1])).st_mode & 0o777))\n",
        encoding="utf-8",
    )
    edit_case(stage_1, CASE, keystore(), [sys.executable, str(probe)], TODAY)
    assert report.read_text() == "600 700"


def test_stale_private_folders_of_dead_processes_are_swept(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = tmp_path / f"{PREFIX}{gone.stdout.strip()}-abc"
    live = tmp_path / f"{PREFIX}{os.getpid()}-abc"
    for folder in (dead, live):
        folder.mkdir(mode=0o700)
        (folder / f"{CASE}.yaml").write_text("name: Jordan Fictitious\n")
    assert sweep_stale(tmp_path) == [dead]
    assert not dead.exists()
    assert live.exists()


def _wait_for_exit(pid: int) -> None:
    """Block until process `pid` (not necessarily our child) has ended."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        select.select([fd], [], [])
    finally:
        os.close(fd)


def _watchdog_of(folder: Path) -> int:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if str(folder).encode() in argv and b"-c" in argv:
            return int(entry.name)
    raise AssertionError(f"no watchdog for {folder}")


def _files_under(roots: Sequence[Path]) -> Iterator[Path]:
    for root in roots:
        for folder, _, names in os.walk(root, onerror=lambda _: None):
            for name in names:
                yield Path(folder) / name


def _holding(roots: Sequence[Path], needle: bytes) -> list[Path]:
    found = []
    for path in _files_under(roots):
        try:
            if path.is_file() and not path.is_symlink() and needle in path.read_bytes():
                found.append(path)
        except OSError:
            continue
    return found


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="needs pidfd_open (Linux)")
def test_killed_mid_edit_the_case_is_unchanged_and_no_plaintext_remains(
    register: Path, tmp_path: Path
) -> None:
    name = f"Quillon Marrowby {secrets.token_hex(8)}"  # found nowhere else on this machine
    data = case(
        customer={"name": name, "phone": "01632 960001"},
        decisions=[decision("D1", "2026-08-03")],
        letters=[letter("L1", "2026-08-04", "D1")],
    )
    text = MODELINE + "\n" + yaml.safe_dump(data, sort_keys=False)
    path = register / "cases" / f"{CASE}.yaml"
    path.write_text(sealed(text, CASE), encoding="utf-8")
    before = path.read_bytes()
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    env = {
        **os.environ,
        "TMPDIR": str(scratch),
        "VISUAL": _script(tmp_path, "wait", WAIT),
    }
    mcr = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "managed_contact.cli.main",
            "edit",
            CASE,
            "--register",
            str(register),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert mcr.stdout is not None
    line = mcr.stdout.readline().decode()
    assert line.startswith("READY "), mcr.communicate()
    _, editor_pid, plain_path = line.split()
    folder = Path(plain_path).parent
    assert name.encode() in Path(plain_path).read_bytes()  # the plain copy was there
    watchdog = _watchdog_of(folder)

    mcr.send_signal(signal.SIGKILL)
    mcr.wait()
    os.kill(int(editor_pid), signal.SIGKILL)
    _wait_for_exit(int(editor_pid))
    _wait_for_exit(watchdog)
    mcr.stdout.close()
    assert mcr.stderr is not None
    mcr.stderr.close()

    assert mcr.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    assert sorted(p.name for p in (register / "cases").iterdir()) == [f"{CASE}.yaml"]
    assert not folder.exists()
    searched = [scratch, temp_base(), folder.parent]
    searched += [Path("/dev/shm")] if Path("/dev/shm").is_dir() else []
    assert _holding(searched, name.encode()) == []
    assert _holding([register], name.encode()) == []
