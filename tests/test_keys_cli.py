"""`mcr keys check` and `mcr keys shred`: keys and case files kept in step, in a real repo."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from changerepo import MODELINE, RegisterRepo, dump_yaml
from click.testing import CliRunner

from managed_contact.cli.main import main
from managed_contact.register.personal import seal_text
from managed_contact.sealing.keystore import DirectoryKeystore

from casebuilder import case, decision, letter, review


def sealed_case(store: DirectoryKeystore, case_id: str, **extra: object) -> str:
    data = case(
        id=case_id,
        decisions=[decision("D1", "2023-06-10")],
        reviews=[review("R1", "2023-12-01", "close")],
        letters=[letter("L1", "2023-06-11", "D1"), letter("L2", "2023-12-01", "R1")],
        **extra,
    )
    key = store.get(case_id) or store.create(case_id)
    return seal_text(MODELINE + dump_yaml(data), f"cases/{case_id}.yaml", key)


def mcr(reg: RegisterRepo, store: DirectoryKeystore, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, [*args, "--register", str(reg.path), "--keystore", str(store.path)]
    )
    return result.exit_code, result.output


@pytest.fixture
def store(tmp_path: Path) -> DirectoryKeystore:
    return DirectoryKeystore(tmp_path / "keystore")


def test_keys_check_tells_shredded_from_lost(reg: RegisterRepo, store: DirectoryKeystore) -> None:
    files = {f"cases/MC-2026-000{n}.yaml": sealed_case(store, f"MC-2026-000{n}") for n in (1, 2, 3)}
    reg.commit(files, "three cases")
    store.shred("MC-2026-0002", date(2026, 11, 1))
    (store.path / "keys" / "MC-2026-0003.mcrkey").unlink()  # lost, no record
    store.create("MC-2025-0009")  # a key for no case at all
    store.create("MC-2025-0008")  # the key of a deleted case
    reg.commit(
        {
            "cases/deletions.yaml": dump_yaml(
                {
                    "deletions": [
                        {
                            "id": "MC-2025-0008",
                            "deleted": "2026-10-01",
                            "reason": "retention",
                            "approved_by": "amara-okafor",
                            "statistics": {
                                "opened_year": 2025,
                                "highest_stage": 1,
                                "services": ["council-tax"],
                                "conduct": ["shouting"],
                                "outcome": "closed",
                            },
                        }
                    ]
                }
            )
        },
        "an old deletion",
    )
    code, out = mcr(reg, store, "keys", "check")
    assert code == 1, out
    lines = out.splitlines()
    assert (
        "cases/MC-2026-0002.yaml: error: shredded: the case file is live but its key was "
        "shredded on 2026-11-01" in out
    )
    assert any(line.startswith("cases/MC-2026-0003.yaml: error: lost:") for line in lines)
    assert any(line.startswith("cases/MC-2025-0008.yaml: warning: shred-due:") for line in lines)
    assert any(line.startswith("cases/MC-2025-0009.yaml: error: orphan:") for line in lines)
    assert not any("MC-2026-0001" in line for line in lines)
    assert "Jordan" not in out
    assert "Fictitious" not in out


def test_keys_check_passes_when_in_step(reg: RegisterRepo, store: DirectoryKeystore) -> None:
    reg.commit({"cases/MC-2026-0001.yaml": sealed_case(store, "MC-2026-0001")}, "a case")
    code, out = mcr(reg, store, "keys", "check")
    assert code == 0, out
    assert "0 error(s), 0 other finding(s)" in out


def test_shred_refuses_a_case_still_present(reg: RegisterRepo, store: DirectoryKeystore) -> None:
    reg.commit({"cases/MC-2026-0001.yaml": sealed_case(store, "MC-2026-0001")}, "a case")
    code, out = mcr(reg, store, "keys", "shred", "MC-2026-0001")
    assert code == 1
    assert "cases/MC-2026-0001.yaml is still on main" in out
    assert store.get("MC-2026-0001") is not None
    code, out = mcr(reg, store, "keys", "shred", "MC-2026-0001", "--branch", "nowhere")
    assert code == 1
    assert "there is no branch 'nowhere'" in out


def test_shred_after_the_deletion_merged(reg: RegisterRepo, store: DirectoryKeystore) -> None:
    reg.commit({"cases/MC-2026-0001.yaml": sealed_case(store, "MC-2026-0001")}, "a case")
    reg.commit({"cases/MC-2026-0001.yaml": None}, "delete it")
    code, out = mcr(reg, store, "keys", "shred", "MC-2026-0001")
    assert code == 0, out
    assert store.get("MC-2026-0001") is None
    assert "MC-2026-0001" in store.shredded()
    code, out = mcr(reg, store, "keys", "shred", "MC-2026-0001")
    assert code == 1
    assert "already shredded" in out


def test_shred_refuses_while_a_hold_is_open(reg: RegisterRepo, store: DirectoryKeystore) -> None:
    hold = {"id": "H1", "reason": "legal-claim", "start": "2026-10-01", "reference": "CL-77"}
    text = sealed_case(store, "MC-2026-0001", legal_holds=[hold])
    reg.commit({"cases/MC-2026-0001.yaml": text}, "a held case")
    reg.commit({"cases/MC-2026-0001.yaml": None}, "deleted anyway")
    code, out = mcr(reg, store, "keys", "shred", "MC-2026-0001")
    assert code == 1
    assert "legal hold H1 of MC-2026-0001 is open" in out
    code, out = mcr(reg, store, "keys", "check")
    assert "cases/MC-2026-0001.yaml: ok: held:" in out
