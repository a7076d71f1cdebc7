"""Files that are not plain files, where a case or policy file should be.

Each input plants one real thing in a copy of the repository's register (a symbolic link, a
FIFO, a device node, a socket, a folder) and asserts that `mcr check` reports it as MC020 at
line 1 of that path, exits 1, never follows the link nor prints what it points to, and that
the site is not built from such a register. The inputs are listed in `HOSTILE_INPUTS`.
"""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sitefixtures import copy_register, demo_keys

from managed_contact.cli.main import main
from managed_contact.register import files
from managed_contact.register.check import run_check
from managed_contact.register.files import NOT_A_FILE, NotAFile, read_regular
from managed_contact.register.policy import POLICY_FILES
from managed_contact.site import pages
from managed_contact.site.pages import SiteDataError, load_site_data

TODAY = date(2026, 11, 28)
CASE = "MC-2025-0002"  # an active case of the repository's register
SECRET = "OUTSIDE-THE-REGISTER-7f3a"  # in files outside the register; never in any output

#: What an input plants: given the register root and a folder outside it, make the thing at a
#: path and return that path, relative to the register.
Plant = Callable[[Path, Path], str]


def _outside(tmp: Path) -> Path:
    path = tmp / "outside.yaml"
    path.write_text(f"id: {SECRET}\nnot yaml: [\n", encoding="utf-8")
    return path


def dangling_link(root: Path, tmp: Path) -> str:
    (root / "cases" / f"{CASE}.yaml").unlink()
    (root / "cases" / f"{CASE}.yaml").symlink_to(tmp / "gone.yaml")
    return f"cases/{CASE}.yaml"


def link_outside(root: Path, tmp: Path) -> str:
    (root / "cases" / f"{CASE}.yaml").unlink()
    (root / "cases" / f"{CASE}.yaml").symlink_to(_outside(tmp))
    return f"cases/{CASE}.yaml"


def link_to_the_case_moved_outside(root: Path, tmp: Path) -> str:
    """The case's own file moved out of the register and linked back."""
    path = root / "cases" / f"{CASE}.yaml"
    moved = tmp / f"{CASE}.yaml"
    path.rename(moved)
    path.symlink_to(moved)
    return f"cases/{CASE}.yaml"


def link_inside(root: Path, tmp: Path) -> str:
    """A new case path linked to another case of the register."""
    (root / "cases" / "MC-2026-0901.yaml").symlink_to(f"{CASE}.yaml")
    return "cases/MC-2026-0901.yaml"


def link_to_dev_null(root: Path, tmp: Path) -> str:
    (root / "cases" / f"{CASE}.yaml").unlink()
    (root / "cases" / f"{CASE}.yaml").symlink_to(os.devnull)
    return f"cases/{CASE}.yaml"


def link_to_a_folder(root: Path, tmp: Path) -> str:
    (root / "cases" / "MC-2026-0902.yaml").symlink_to(tmp)
    return "cases/MC-2026-0902.yaml"


def fifo(root: Path, tmp: Path) -> str:
    (root / "cases" / f"{CASE}.yaml").unlink()
    os.mkfifo(root / "cases" / f"{CASE}.yaml")
    return f"cases/{CASE}.yaml"


def device(root: Path, tmp: Path) -> str:
    (root / "cases" / f"{CASE}.yaml").unlink()
    try:
        os.mknod(root / "cases" / f"{CASE}.yaml", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD")
    return f"cases/{CASE}.yaml"


def unix_socket(root: Path, tmp: Path) -> str:
    path = root / "cases" / "MC-2026-0903.yaml"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(path))
    except OSError:  # a path too long for a socket's address
        listener.close()
        pytest.skip("socket path too long here")
    listener.close()
    return "cases/MC-2026-0903.yaml"


def folder_named_like_a_case(root: Path, tmp: Path) -> str:
    (root / "cases" / "MC-2026-0904.yaml").mkdir()
    ((root / "cases" / "MC-2026-0904.yaml") / "MC-2026-0904.yaml").write_text("id: x\n")
    return "cases/MC-2026-0904.yaml"


def link_not_named_like_a_case(root: Path, tmp: Path) -> str:
    (root / "cases" / "notes").symlink_to(_outside(tmp))
    return "cases/notes"


def link_at_the_deletion_log(root: Path, tmp: Path) -> str:
    log = root / "cases" / "deletions.yaml"
    moved = tmp / "deletions.yaml"
    log.rename(moved)
    log.symlink_to(moved)
    return "cases/deletions.yaml"


def link_at_a_policy_file(root: Path, tmp: Path) -> str:
    path = root / "policy" / "periods.yaml"
    moved = tmp / "periods.yaml"
    path.rename(moved)
    path.symlink_to(moved)
    return "policy/periods.yaml"


def dangling_link_at_a_policy_file(root: Path, tmp: Path) -> str:
    path = root / "policy" / "vocabulary.yaml"
    path.unlink()
    path.symlink_to(tmp / "gone.yaml")
    return "policy/vocabulary.yaml"


def fifo_at_a_policy_file(root: Path, tmp: Path) -> str:
    path = root / "policy" / "people.yaml"
    path.unlink()
    os.mkfifo(path)
    return "policy/people.yaml"


def folder_at_a_policy_file(root: Path, tmp: Path) -> str:
    path = root / "policy" / "roles.yaml"
    path.unlink()
    path.mkdir()
    return "policy/roles.yaml"


PLANTS: dict[str, Plant] = {
    "dangling-symlink-at-a-case": dangling_link,
    "symlink-to-a-file-outside-the-register": link_outside,
    "symlink-to-the-case-moved-outside": link_to_the_case_moved_outside,
    "symlink-to-another-case-inside": link_inside,
    "symlink-to-dev-null": link_to_dev_null,
    "symlink-to-a-folder": link_to_a_folder,
    "fifo-at-a-case": fifo,
    "device-node-at-a-case": device,
    "unix-socket-at-a-case-path": unix_socket,
    "folder-named-like-a-case": folder_named_like_a_case,
    "symlink-not-named-like-a-case": link_not_named_like_a_case,
    "symlink-at-the-deletion-log": link_at_the_deletion_log,
    "symlink-at-a-policy-file": link_at_a_policy_file,
    "dangling-symlink-at-a-policy-file": dangling_link_at_a_policy_file,
    "fifo-at-a-policy-file": fifo_at_a_policy_file,
    "folder-at-a-policy-file": folder_at_a_policy_file,
}
#: What each input is called in the finding.
KINDS = {
    "fifo": "FIFO",
    "device": "a device",
    "socket": "a socket",
    "folder": "a folder",
}

HOSTILE_INPUTS: list[tuple[str, str]] = [
    *(("file-kinds", name) for name in PLANTS),
    ("file-kinds", "fifo-named-on-the-command-line"),
    ("file-kinds", "site-build-refuses-a-fifo-loaded-in-parallel"),
    ("file-kinds", "site-build-refuses-a-stray-link-loaded-in-parallel"),
    ("file-kinds", "seal-refuses-a-symlinked-case"),
    ("file-kinds", "cases-folder-is-a-symlink"),
    ("file-kinds", "policy-folder-is-a-symlink"),
    ("file-kinds", "read-regular-refuses-a-link-swapped-in"),
]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_register(tmp_path / "register")


def mcr(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, [*args, "--register", str(root)], env={"MCR_TODAY": TODAY.isoformat()}
    )
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize("name", list(PLANTS))
def test_a_path_that_is_not_a_regular_file_is_mc020(name: str, root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    file = PLANTS[name](root, outside)

    result = run_check(root, TODAY, keys=demo_keys(root).get)
    found = [f for f in result.findings.errors if f.rule == NOT_A_FILE]
    assert [(f.file, f.line, f.column) for f in found] == [(file, 1, 1)]
    assert "not a regular file, so it was not read" in found[0].message
    if "symlink" in name:
        assert "replace the link by the file itself" in found[0].message
    for word, kind in KINDS.items():
        if word in name and "symlink" not in name:
            assert kind in found[0].message
    # Nothing else goes wrong because of it: the case is not lost as "missing", the rest of
    # the register is still judged (when the policy loads), and nothing is read through it.
    others = {f.rule for f in result.findings.errors} - {NOT_A_FILE}
    assert others <= {"MC104", "MC105"} if "inside" in name else others == set()

    code, out = mcr(root, "check")
    assert code == 1
    assert f"{file}:1:1: error: {NOT_A_FILE}:" in out
    assert SECRET not in out
    assert str(outside) not in out

    with pytest.raises(SiteDataError, match=f"{file}:1:1: {NOT_A_FILE}"):
        load_site_data(root, TODAY, keystore=demo_keys(root))


def test_a_fifo_named_on_the_command_line_is_mc020_and_never_blocks(root: Path) -> None:
    fifo(root, root)
    code, out = mcr(root, "check", str(root / "cases" / f"{CASE}.yaml"))
    assert code == 1
    assert f"cases/{CASE}.yaml:1:1: error: {NOT_A_FILE}:" in out
    assert "FIFO" in out


@pytest.mark.parametrize("name", ["fifo-at-a-case", "symlink-not-named-like-a-case"])
def test_the_site_refuses_it_when_cases_are_loaded_in_parallel(
    name: str, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "PARALLEL_FROM", 1)
    file = PLANTS[name](root, tmp_path)
    with pytest.raises(SiteDataError, match=f"{file}:1:1: {NOT_A_FILE}"):
        load_site_data(root, TODAY, workers=2, keystore=demo_keys(root))


@pytest.mark.parametrize("folder", ["cases", "policy"])
def test_a_register_folder_that_is_a_link_is_not_followed(
    folder: str, root: Path, tmp_path: Path
) -> None:
    """cases/ or policy/ linked to a folder elsewhere: every file in it is MC020, none read."""
    moved = tmp_path / "elsewhere" / folder
    moved.parent.mkdir()
    (root / folder).rename(moved)
    (root / folder).symlink_to(moved)
    result = run_check(root, TODAY, keys=demo_keys(root).get)
    rules = {f.rule for f in result.findings.errors}
    assert rules == {NOT_A_FILE}
    found = [f for f in result.findings.errors if f.rule == NOT_A_FILE]
    expected = sorted(
        f"{folder}/{p.name}"
        for p in moved.iterdir()
        if p.name != "deletions.yaml" and (folder == "cases" or p.stem in POLICY_FILES)
    )
    shown = sorted(f.file for f in found if f.file != "cases/deletions.yaml")
    assert shown == expected
    assert all(f"in {folder}/, which is a symbolic link" in f.message for f in found)
    with pytest.raises(SiteDataError, match=NOT_A_FILE):
        load_site_data(root, TODAY, keystore=demo_keys(root))


def test_seal_refuses_a_case_that_is_a_link(root: Path, tmp_path: Path) -> None:
    link_to_the_case_moved_outside(root, tmp_path)
    moved = tmp_path / f"{CASE}.yaml"
    before = moved.read_bytes()
    code, out = mcr(root, "seal", str(root / "cases" / f"{CASE}.yaml"))
    assert code == 1
    assert "is a symbolic link, not a regular file" in out
    assert moved.read_bytes() == before
    assert (root / "cases" / f"{CASE}.yaml").is_symlink()


def test_read_regular_refuses_a_link_however_it_is_reached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The open itself refuses a link (O_NOFOLLOW), so a link swapped in between the first
    look and the open is refused too; here the first look is made to miss it."""
    target = _outside(tmp_path)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    with pytest.raises(NotAFile) as raised:
        read_regular(link)
    assert raised.value.kind == "a symbolic link"

    monkeypatch.setattr(files, "kind_of", lambda path: None)
    with pytest.raises(NotAFile) as raised:
        read_regular(link)
    assert raised.value.kind == "a symbolic link"


def test_every_input_is_listed() -> None:
    assert len({i for _, i in HOSTILE_INPUTS}) == len(HOSTILE_INPUTS) == len(PLANTS) + 7
