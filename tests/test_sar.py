"""`mcr sar`: everything held about the person, now and in history, and the deadline."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from changerepo import MODELINE, RegisterRepo, dump_yaml
from click.testing import CliRunner

from managed_contact.cli.main import main
from managed_contact.register.personal import seal_text
from managed_contact.sealing.keystore import DirectoryKeystore

from casebuilder import case, decision, letter

CASE_ID = "MC-2026-0001"
FILE = f"cases/{CASE_ID}.yaml"


def version(step: int) -> dict[str, Any]:
    data = case(
        decisions=[
            decision(
                "D1",
                "2026-08-03",
                measures=[{"measure": "spoc", "spoc": "amara-okafor"}],
            )
        ],
        letters=[letter("L1", "2026-08-04", "D1")],
    )
    data["customer"] = {"name": "Jordan Fictitious", "phone": "01632 960001"}
    data["incidents"][0]["account"] = "Shouted over Dana Whitlock at the front desk."
    data["incidents"][0]["opinions"] = [{"by": "hugo-barrett", "text": "Meant to upset."}]
    if step >= 1:
        data["customer"]["phone"] = "01632 960002"
        data["incidents"][0]["account"] = "Raised voice at the front desk."
        data["corrections"] = [
            {
                "id": "K1",
                "date": "2026-09-01",
                "entry": "I1",
                "made_by": "amara-okafor",
                "approved_by": "hugo-barrett",
                "reason": "The customer showed the account overstated what happened.",
            }
        ]
        data["legal_holds"] = [
            {
                "id": "H1",
                "reason": "subject-access-request",
                "start": "2026-11-20",
                "reference": "SAR-2026-0009",
            }
        ]
    return data


def test_sar_reports_every_version_with_the_deadline(reg: RegisterRepo, tmp_path: Path) -> None:
    store = DirectoryKeystore(tmp_path / "keystore")
    key = store.create(CASE_ID)
    for step in (0, 1):
        text = seal_text(MODELINE + dump_yaml(version(step)), FILE, key)
        reg.commit({FILE: text}, f"{CASE_ID}: version {step}", date=f"2026-0{8 + step}-05")
    out = tmp_path / "sar"
    result = CliRunner().invoke(
        main,
        ["sar", CASE_ID, "--output", str(out), "--register", str(reg.path),
         "--keystore", str(store.path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Jordan" not in result.output
    assert "deadline: request received 2026-11-20 (hold H1): reply due by 2026-12-20" in (
        result.output
    )
    md, js = out / f"{CASE_ID}-sar.md", out / f"{CASE_ID}-sar.json"
    for path in (md, js):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.iterdir()) == [f"{CASE_ID}-sar.json", f"{CASE_ID}-sar.md"]
    text = md.read_text(encoding="utf-8")
    # identity, both phone numbers (the old one is still in history)
    assert "- name: Jordan Fictitious" in text
    assert "- phone: 01632 960001; 01632 960002" in text
    # entries in date order, in plain words, with the rectification
    assert (
        text.index("(incidents I1)") < text.index("(decisions D1)") < text.index("(corrections K1)")
    )
    assert "Rectification of I1" in text
    assert "The customer showed the account overstated" in text
    assert "Opinion of Hugo Barrett: Meant to upset." in text
    # the earlier version of the corrected incident
    assert "Shouted over Dana Whitlock" in text.split("## Earlier versions")[1]
    # what staff see, deletion, deadline
    assert "single point of contact: Amara Okafor" in text.split("## What staff see")[1]
    assert "12 months after the case closes" in text
    assert "reply due by 2026-12-20" in text
    # third parties for redaction review
    review = text.split("## For redaction review")[1]
    assert "staff affected: Two call handlers, Council Tax" in review
    assert "opinion's author: Hugo Barrett" in review
    assert (
        "incidents[I1].account: possible name in free text (a prompt: check by reading): "
        "Dana Whitlock" in review
    )
    assert "Hugo Barrett" not in review.split("opinion's author: Hugo Barrett")[1]
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["case_id"] == CASE_ID
    assert data["identity"]["phone"] == ["01632 960001", "01632 960002"]
    assert data["sar_deadlines"]


def test_sar_without_the_key_is_refused(reg: RegisterRepo, tmp_path: Path) -> None:
    store = DirectoryKeystore(tmp_path / "keystore")
    text = seal_text(MODELINE + dump_yaml(version(0)), FILE, store.create(CASE_ID))
    reg.commit({FILE: text}, "a case")
    result = CliRunner().invoke(
        main,
        ["sar", CASE_ID, "--output", str(tmp_path / "out"), "--register", str(reg.path),
         "--keystore", str(tmp_path / "empty")],
    )  # fmt: skip
    assert result.exit_code != 0
    assert "no key for MC-2026-0001" in result.output
    assert not (tmp_path / "out").exists()


def sar(reg: RegisterRepo, tmp_path: Path, out: Path) -> tuple[int, str]:
    store = DirectoryKeystore(tmp_path / "keystore")
    if store.get(CASE_ID) is None:
        text = seal_text(MODELINE + dump_yaml(version(0)), FILE, store.create(CASE_ID))
        reg.commit({FILE: text}, "a case")
    result = CliRunner().invoke(
        main,
        ["sar", CASE_ID, "--output", str(out), "--register", str(reg.path),
         "--keystore", str(store.path), "--today", "2026-11-28"],
    )  # fmt: skip
    return result.exit_code, result.output


def test_sar_makes_a_missing_directory_private(reg: RegisterRepo, tmp_path: Path) -> None:
    out = tmp_path / "new" / "sar"
    code, output = sar(reg, tmp_path, out)
    assert code == 0, output
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert sorted(p.name for p in out.iterdir()) == [f"{CASE_ID}-sar.json", f"{CASE_ID}-sar.md"]


def test_sar_refuses_a_directory_others_can_write(reg: RegisterRepo, tmp_path: Path) -> None:
    shared = tmp_path / "open-to-all"
    shared.mkdir()
    shared.chmod(0o777)
    code, output = sar(reg, tmp_path, shared)
    assert code == 1, output
    assert f"{shared} can be read or written by others (chmod 700 it)" in output
    assert list(shared.iterdir()) == []
    # Readable by the group is open to others too: the report holds everything about a person.
    for mode in (0o770, 0o750, 0o705):
        shared.chmod(mode)
        code, output = sar(reg, tmp_path, shared)
        assert code == 1, output
        assert list(shared.iterdir()) == []


def test_sar_refuses_a_symbolic_link_as_the_directory(reg: RegisterRepo, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    code, output = sar(reg, tmp_path, link)
    assert code == 2, output
    assert f"{link} is a symbolic link" in output
    assert list(real.iterdir()) == []


def test_sar_replaces_a_file_planted_in_its_place(reg: RegisterRepo, tmp_path: Path) -> None:
    """A file already there, readable by all, never receives the report: a new private file
    takes its name."""
    out = tmp_path / "sar"
    out.mkdir(mode=0o700)
    planted = out / f"{CASE_ID}-sar.md"
    planted.write_text("old\n", encoding="utf-8")
    planted.chmod(0o644)
    kept = planted.stat().st_ino
    code, output = sar(reg, tmp_path, out)
    assert code == 0, output
    for path in (planted, out / f"{CASE_ID}-sar.json"):
        info = path.lstat()
        assert stat.S_ISREG(info.st_mode)
        assert stat.S_IMODE(info.st_mode) == 0o600
    assert planted.stat().st_ino != kept
    assert "Jordan Fictitious" in planted.read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == [f"{CASE_ID}-sar.json", f"{CASE_ID}-sar.md"]


def test_sar_refuses_a_link_planted_in_its_place(reg: RegisterRepo, tmp_path: Path) -> None:
    """A link to elsewhere at the report's name is refused, naming it: nothing is written
    through it, nor in its place."""
    out = tmp_path / "sar"
    out.mkdir(mode=0o700)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("{}\n", encoding="utf-8")
    (out / f"{CASE_ID}-sar.json").symlink_to(elsewhere)
    code, output = sar(reg, tmp_path, out)
    assert code == 2, output
    assert f"{out / CASE_ID}-sar.json is a symbolic link" in output
    assert elsewhere.read_text(encoding="utf-8") == "{}\n"
    assert (out / f"{CASE_ID}-sar.json").is_symlink()
    assert "Jordan" not in output
