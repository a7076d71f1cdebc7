"""Writes that would follow a link, and writes interrupted midway.

Every writer of the tool goes through `register.files.write_atomic` (or `write_in`, for a
private folder already opened). For each, a symbolic link planted at its target is refused,
naming it, and the file the link points to is left byte for byte as it was. A write that fails
midway (a fault injected at the write, the flush or the rename) or is killed leaves the target
byte-identical and no half-written file behind once the next write has run; `mcr record` and
`mcr edit` interrupted leave the case as it was. The inputs are listed in `HOSTILE_INPUTS`.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from managed_contact.casework.access import AccessError, Report, subject_access, write_report
from managed_contact.casework.editing import EditFailed, edit_case
from managed_contact.casework.enrolment import EnrolmentRefused, enrol_key
from managed_contact.casework.holds import HoldRefused, add_hold
from managed_contact.casework.recording import RecordRefused, record
from managed_contact.cli.main import main
from managed_contact.documents.letters import Draft, write_letter
from managed_contact.register import files
from managed_contact.register.files import (
    TEMP_PREFIX,
    UnsafeTarget,
    WriteFailed,
    write_atomic,
)
from managed_contact.register.rules import MODELINE
from managed_contact.register.scaffold import scaffold
from managed_contact.sealing.keystore import DirectoryKeystore

from casebuilder import case, decision, letter
from sealkit import key_for, keystore, sealed

TODAY = date(2026, 11, 28)
CASE = "MC-2026-0001"
ORIGINAL = b"what was there before\n"

HOSTILE_INPUTS: list[tuple[str, str]] = [
    ("file-kinds", "write-atomic-symlink-at-target"),
    ("file-kinds", "write-atomic-dangling-symlink-at-new-target"),
    ("file-kinds", "write-atomic-symlink-at-folder"),
    ("file-kinds", "write-atomic-fifo-at-target"),
    ("file-kinds", "signers-output-dir-symlink-at-allowed-signers"),
    ("file-kinds", "signers-output-dir-is-a-symlink"),
    ("file-kinds", "schema-write-symlink-at-schema-file"),
    ("file-kinds", "export-output-symlink"),
    ("file-kinds", "calendar-output-symlink"),
    ("file-kinds", "report-output-symlink"),
    ("file-kinds", "scaffold-cases-folder-is-a-symlink"),
    ("file-kinds", "sar-report-symlink-at-target"),
    ("file-kinds", "letter-symlink-at-target"),
    ("file-kinds", "keys-enrol-people-yaml-symlink"),
    ("file-kinds", "record-case-file-is-a-symlink"),
    ("file-kinds", "edit-case-file-is-a-symlink"),
    ("file-kinds", "hold-case-file-is-a-fifo"),
    ("file-kinds", "sar-case-file-is-a-symlink"),
    ("interrupted-writes", "fault-at-fchmod"),
    ("interrupted-writes", "fault-at-fsync"),
    ("interrupted-writes", "fault-at-rename"),
    ("interrupted-writes", "fault-at-link-of-a-new-file"),
    ("interrupted-writes", "killed-before-rename"),
    ("interrupted-writes", "record-interrupted-at-rename"),
    ("interrupted-writes", "edit-interrupted-at-fsync"),
    ("file-kinds", "export-over-a-readable-file-is-made-0600"),
]


def planted(tmp_path: Path, at: Path) -> Path:
    """A symbolic link at `at` to a file outside, holding ORIGINAL; returns that file."""
    elsewhere = tmp_path / "elsewhere" / "precious.txt"
    elsewhere.parent.mkdir(parents=True, exist_ok=True)
    elsewhere.write_bytes(ORIGINAL)
    at.parent.mkdir(parents=True, exist_ok=True)
    at.symlink_to(elsewhere)
    return elsewhere


def no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX)]


def mcr(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--register", str(root), "--today", "2026-11-28"])
    return result.exit_code, result.output


def mcr_no_today(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--register", str(root)])
    return result.exit_code, result.output


def put_case(register: Path, *, lettered: bool = False) -> Path:
    """A stage 1 case; its letter still to record unless `lettered`."""
    letters = [letter("L1", "2023-06-11", "D1")] if lettered else []
    data = case(decisions=[decision("D1", "2023-06-10")], letters=letters)
    text = MODELINE + "\n" + yaml.safe_dump(data, sort_keys=False)
    path = register / "cases" / f"{CASE}.yaml"
    path.write_text(sealed(text, CASE), encoding="utf-8")
    return path


# --- the one writer -----------------------------------------------------------------------


def test_write_atomic_refuses_a_link_at_its_target(tmp_path: Path) -> None:
    target = tmp_path / "out" / "file.txt"
    precious = planted(tmp_path, target)
    with pytest.raises(UnsafeTarget, match=f"{target} is a symbolic link"):
        write_atomic(target, "new\n")
    assert precious.read_bytes() == ORIGINAL
    assert target.is_symlink()
    assert no_temp_files(target.parent)


def test_write_atomic_refuses_a_dangling_link_where_a_new_file_goes(tmp_path: Path) -> None:
    target = tmp_path / "out" / "new.txt"
    target.parent.mkdir()
    target.symlink_to(tmp_path / "would-be-made.txt")
    with pytest.raises(UnsafeTarget, match="is a symbolic link"):
        write_atomic(target, "new\n", new=True)
    assert not (tmp_path / "would-be-made.txt").exists()
    assert no_temp_files(target.parent)


def test_write_atomic_refuses_a_folder_that_is_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(UnsafeTarget, match="is a symbolic link: mcr writes only into a real"):
        write_atomic(tmp_path / "link" / "file.txt", "new\n")
    assert list(real.iterdir()) == []


def test_write_atomic_refuses_a_fifo_at_its_target(tmp_path: Path) -> None:
    target = tmp_path / "pipe"
    os.mkfifo(target)
    with pytest.raises(UnsafeTarget, match="is a FIFO"):
        write_atomic(target, "new\n")
    assert no_temp_files(tmp_path)


# --- each writer --------------------------------------------------------------------------


def test_signers_refuse_a_link_at_allowed_signers(register: Path, tmp_path: Path) -> None:
    out = tmp_path / "generated"
    precious = planted(tmp_path, out / "allowed_signers")
    code, output = mcr(register, "signers", "--output-dir", str(out))
    assert code == 2
    assert f"{out / 'allowed_signers'} is a symbolic link" in output
    assert precious.read_bytes() == ORIGINAL


def test_signers_refuse_an_output_folder_that_is_a_link(register: Path, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    code, output = mcr(register, "signers", "--output-dir", str(tmp_path / "link"))
    assert code == 2
    assert "is a symbolic link" in output
    assert list(real.iterdir()) == []


def test_schema_write_refuses_a_link_at_a_schema(register: Path, tmp_path: Path) -> None:
    target = register / "schemas" / "case.schema.json"
    precious = planted(tmp_path, target)
    code, output = mcr_no_today(register, "schema", "--write")
    assert code == 2
    assert f"{target} is a symbolic link" in output
    assert precious.read_bytes() == ORIGINAL


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        ("export", ()),
        ("calendar", ()),
        ("report", ("--from", "2026-01-01", "--to", "2026-06-30")),
    ],
)
def test_output_files_refuse_a_link(
    register: Path, tmp_path: Path, command: str, extra: tuple[str, ...]
) -> None:
    target = tmp_path / "out" / f"{command}.txt"
    precious = planted(tmp_path, target)
    code, output = mcr(register, command, *extra, "--output", str(target))
    assert code == 2, output
    assert f"{target} is a symbolic link" in output
    assert precious.read_bytes() == ORIGINAL


def test_new_case_refuses_a_cases_folder_that_is_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real-cases"
    real.mkdir()
    (tmp_path / "cases").symlink_to(real)
    with pytest.raises(UnsafeTarget, match="is a symbolic link"):
        scaffold(tmp_path / "cases", TODAY, DirectoryKeystore(tmp_path / "keys"))
    assert list(real.iterdir()) == []


def test_sar_refuses_a_link_at_the_report(tmp_path: Path) -> None:
    out = tmp_path / "sar"
    out.mkdir(mode=0o700)
    precious = planted(tmp_path, out / f"{CASE}-sar.md")
    with pytest.raises(UnsafeTarget, match=f"{CASE}-sar.md is a symbolic link"):
        write_report(Report(CASE, "2026-11-28", 1), out)
    assert precious.read_bytes() == ORIGINAL
    assert sorted(p.name for p in out.iterdir()) == [f"{CASE}-sar.md"]  # nor the other one


def test_letter_refuses_a_link_at_the_letter(register: Path, tmp_path: Path) -> None:
    out = tmp_path / "letters"
    out.mkdir(mode=0o700)
    draft = Draft(CASE, "D1", "decision", "decision", (), b"docx", "text\n", "<p>text</p>\n")
    precious = planted(tmp_path, out / f"{draft.stem}.md")
    with pytest.raises(UnsafeTarget, match=f"{draft.stem}.md is a symbolic link"):
        write_letter(draft, out, register)
    assert precious.read_bytes() == ORIGINAL
    assert sorted(p.name for p in out.iterdir()) == [f"{draft.stem}.md"]  # no .docx either


def test_keys_enrol_refuses_a_people_file_that_is_a_link(register: Path, tmp_path: Path) -> None:
    people = register / "policy" / "people.yaml"
    moved = tmp_path / "people.yaml"
    people.rename(moved)
    people.symlink_to(moved)
    before = moved.read_bytes()
    with pytest.raises(EnrolmentRefused, match="is missing or a link"):
        enrol_key(register, "hugo-barrett", TODAY, gpg="A" * 40)
    assert moved.read_bytes() == before


def test_record_refuses_a_case_file_that_is_a_link(register: Path, tmp_path: Path) -> None:
    path = put_case(register)
    moved = tmp_path / f"{CASE}.yaml"
    path.rename(moved)
    path.symlink_to(moved)
    before = moved.read_bytes()
    values = {k: v for k, v in letter("X", "2023-06-11", "D1").items() if k != "id"}
    with pytest.raises(RecordRefused, match="is a symbolic link, not a regular file"):
        record(register, CASE, "letter", values, keystore(), TODAY)
    assert moved.read_bytes() == before


def test_edit_refuses_a_case_file_that_is_a_link(register: Path, tmp_path: Path) -> None:
    path = put_case(register)
    moved = tmp_path / f"{CASE}.yaml"
    path.rename(moved)
    path.symlink_to(moved)
    before = moved.read_bytes()
    with pytest.raises(EditFailed, match="is a symbolic link, not a regular file"):
        edit_case(register, CASE, keystore(), ["true"], TODAY, base=tmp_path)
    assert moved.read_bytes() == before


def test_hold_refuses_a_case_file_that_is_a_fifo(register: Path) -> None:
    path = register / "cases" / f"{CASE}.yaml"
    os.mkfifo(path)
    with pytest.raises(HoldRefused, match="is a FIFO"):
        add_hold(register, CASE, "legal-claim", "REF-1", TODAY, key_for(CASE))
    assert stat.S_ISFIFO(path.lstat().st_mode)


def test_sar_refuses_a_case_file_that_is_a_link(register: Path, tmp_path: Path) -> None:
    path = put_case(register)
    moved = tmp_path / f"{CASE}.yaml"
    path.rename(moved)
    path.symlink_to(moved)
    with pytest.raises(AccessError, match="is a symbolic link, not a regular file"):
        subject_access(register, CASE, key_for(CASE), TODAY)


# --- interrupted --------------------------------------------------------------------------


def fault(monkeypatch: pytest.MonkeyPatch, name: str, after: int = 0) -> None:
    """Make `os.<name>` fail with EIO on its call number `after` + 1, as a full or failing
    disk would."""
    real: Callable[..., Any] = getattr(os, name)
    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > after:
            raise OSError(5, "Input/output error (injected)")
        return real(*args, **kwargs)

    monkeypatch.setattr(files.os, name, failing)


@pytest.mark.parametrize(
    ("where", "new"), [("fchmod", False), ("fsync", False), ("replace", False), ("link", True)]
)
def test_a_write_failing_midway_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, new: bool
) -> None:
    target = tmp_path / ("fresh.txt" if new else "file.txt")
    if not new:
        target.write_bytes(ORIGINAL)
    fault(monkeypatch, where)
    with pytest.raises(WriteFailed, match=f"could not write {target}: Input/output error"):
        write_atomic(target, "the new text, never half written\n", new=new)
    monkeypatch.undo()
    if new:
        assert not target.exists()
    else:
        assert target.read_bytes() == ORIGINAL
    assert no_temp_files(tmp_path)


KILLED = """\
import os, sys
from pathlib import Path
from managed_contact.register import files

def stop(fd):
    print("READY", flush=True)
    os.kill(os.getpid(), 9)

files.os.fsync = stop
files.write_atomic(Path(sys.argv[1]), "the new text\\n" * 1000)
"""


def test_a_write_killed_before_the_rename_leaves_the_file_and_is_swept(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_bytes(ORIGINAL)
    done = subprocess.run(
        [sys.executable, "-c", KILLED, str(target)], capture_output=True, text=True, check=False
    )
    assert done.returncode == -9, done.stderr
    assert done.stdout == "READY\n"
    assert target.read_bytes() == ORIGINAL
    left = [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]
    assert len(left) == 1  # the killed process's, which nothing can remove but a later write
    write_atomic(tmp_path / "other.txt", "later\n")
    assert no_temp_files(tmp_path)
    assert target.read_bytes() == ORIGINAL


def test_record_interrupted_at_the_rename_leaves_the_case(
    register: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = put_case(register)
    before = path.read_bytes()
    values = {k: v for k, v in letter("X", "2023-06-11", "D1").items() if k != "id"}
    fault(monkeypatch, "replace")
    with pytest.raises(WriteFailed, match=f"could not write {path}"):
        record(register, CASE, "letter", values, keystore(), TODAY)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert no_temp_files(path.parent)


def test_edit_interrupted_at_the_flush_leaves_the_case(
    register: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = put_case(register, lettered=True)
    before = path.read_bytes()
    editor = tmp_path / "editor.py"
    editor.write_text(
        textwrap.dedent(
            """\
            import sys
            path = sys.argv[1]
            text = open(path, encoding="utf-8").read()
            open(path, "w", encoding="utf-8").write(text.replace("01632 960001", "01632 960002"))
            """
        ),
        encoding="utf-8",
    )
    fault(monkeypatch, "fsync")
    with pytest.raises(WriteFailed, match=f"could not write {path}"):
        edit_case(register, CASE, keystore(), [sys.executable, str(editor)], TODAY, base=tmp_path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert no_temp_files(path.parent)


def test_personal_output_is_0600_whatever_was_there(register: Path, tmp_path: Path) -> None:
    target = tmp_path / "markers.json"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o644)
    code, output = mcr(register, "export", "--output", str(target))
    assert code == 0, output
    assert target.stat().st_mode & 0o777 == 0o600
    assert no_temp_files(tmp_path)


def test_every_input_is_listed() -> None:
    assert len({i for _, i in HOSTILE_INPUTS}) == len(HOSTILE_INPUTS) == 26
