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
from gitfixtures import git_env, run_git


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


def deletion_log(*case_ids: str) -> str:
    """cases/deletions.yaml recording the deletion of `case_ids`."""
    record = {
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
    return dump_yaml({"deletions": [{"id": c, **record} for c in case_ids]})


def deleted(case_id: str) -> dict[str, str | None]:
    """The files of a commit that deletes `case_id` and records it."""
    return {f"cases/{case_id}.yaml": None, "cases/deletions.yaml": deletion_log(case_id)}


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
    reg.commit({"cases/deletions.yaml": deletion_log("MC-2025-0008")}, "an old deletion")
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
    reg.commit(deleted("MC-2026-0001"), "delete it")
    code, out = mcr(reg, store, "keys", "shred", "MC-2026-0001")
    assert code == 0, out
    assert "deletion merged into main" in out
    assert store.get("MC-2026-0001") is None
    assert "MC-2026-0001" in store.shredded()
    code, out = mcr(reg, store, "keys", "shred", "MC-2026-0001")
    assert code == 1
    assert "already shredded" in out


def test_shred_refuses_while_a_hold_is_open(reg: RegisterRepo, store: DirectoryKeystore) -> None:
    hold = {"id": "H1", "reason": "legal-claim", "start": "2026-10-01", "reference": "CL-77"}
    text = sealed_case(store, "MC-2026-0001", legal_holds=[hold])
    reg.commit({"cases/MC-2026-0001.yaml": text}, "a held case")
    reg.commit(deleted("MC-2026-0001"), "deleted anyway")
    code, out = mcr(reg, store, "keys", "shred", "MC-2026-0001")
    assert code == 1
    assert "legal hold H1 of MC-2026-0001 is open" in out
    code, out = mcr(reg, store, "keys", "check")
    assert "cases/MC-2026-0001.yaml: ok: held:" in out


def test_shred_reads_the_last_version_with_its_values_sealed(
    reg: RegisterRepo, store: DirectoryKeystore
) -> None:
    """A hold whose reference is long: sealed, it is longer than a short text may be, so the
    last version validates only with its sealed values stood in for. The hold still counts."""
    reference = "CL-" + "7" * 280
    hold = {"id": "H1", "reason": "legal-claim", "start": "2026-10-01", "reference": reference}
    text = sealed_case(store, "MC-2026-0001", legal_holds=[hold])
    reg.commit({"cases/MC-2026-0001.yaml": text}, "a held case")
    reg.commit(deleted("MC-2026-0001"), "deleted anyway")
    code, out = mcr(reg, store, "keys", "shred", "MC-2026-0001")
    assert code == 1, out
    assert "legal hold H1 of MC-2026-0001 is open" in out
    assert store.get("MC-2026-0001") is not None
    code, out = mcr(reg, store, "keys", "check")
    assert "cases/MC-2026-0001.yaml: ok: held:" in out
    assert reference not in out


def test_shred_refuses_when_the_last_version_does_not_load(
    reg: RegisterRepo, store: DirectoryKeystore
) -> None:
    """Fail closed: a last version that cannot be read might hold an open hold."""
    text = sealed_case(store, "MC-2026-0001")
    reg.commit({"cases/MC-2026-0001.yaml": text}, "a case")
    reg.commit({"cases/MC-2026-0001.yaml": text.replace("opened:", "opend:")}, "broken")
    reg.commit(deleted("MC-2026-0001"), "deleted")
    code, out = mcr(reg, store, "keys", "shred", "MC-2026-0001")
    assert code == 1, out
    assert "the last version of cases/MC-2026-0001.yaml on main does not load" in out
    assert store.get("MC-2026-0001") is not None
    code, out = mcr(reg, store, "keys", "check")
    assert code == 1, out
    assert "cases/MC-2026-0001.yaml: error: unreadable:" in out


def test_shred_needs_the_deletion_recorded(reg: RegisterRepo, store: DirectoryKeystore) -> None:
    reg.commit({"cases/MC-2026-0001.yaml": sealed_case(store, "MC-2026-0001")}, "a case")
    reg.commit({"cases/MC-2026-0001.yaml": None}, "file removed, deletion not recorded")
    code, out = mcr(reg, store, "keys", "shred", "MC-2026-0001")
    assert code == 1, out
    assert "cases/deletions.yaml on main records no deletion of MC-2026-0001" in out
    assert store.get("MC-2026-0001") is not None


def test_shred_judges_the_default_branch_and_only_branches(
    reg: RegisterRepo, store: DirectoryKeystore
) -> None:
    reg.commit({"cases/MC-2026-0001.yaml": sealed_case(store, "MC-2026-0001")}, "a case")
    live = reg.commit_of("HEAD")
    reg.branch("delete-it", live)
    reg.commit(deleted("MC-2026-0001"), "delete it, not merged")
    for ref in ("HEAD", reg.commit_of("HEAD"), "refs/heads/delete-it"):
        code, out = mcr(reg, store, "keys", "shred", "MC-2026-0001", "--branch", ref)
        assert code == 1, out
        assert f"there is no branch {ref!r}" in out
    # The deletion's own branch is judged with the default branch, where the case is live.
    code, out = mcr(reg, store, "keys", "shred", "MC-2026-0001", "--branch", "delete-it")
    assert code == 1, out
    assert "cases/MC-2026-0001.yaml is still on main" in out
    assert store.get("MC-2026-0001") is not None
    # Merged into main, but the release branch named still holds the case.
    reg.branch("release", live)
    run_git(reg.path, "checkout", "-q", "main", env=git_env(reg.path.parent))
    run_git(reg.path, "merge", "-q", "--ff-only", "delete-it", env=git_env(reg.path.parent))
    code, out = mcr(reg, store, "keys", "shred", "MC-2026-0001", "--branch", "release")
    assert code == 1, out
    assert "cases/MC-2026-0001.yaml is still on release" in out
    code, out = mcr(reg, store, "keys", "shred", "MC-2026-0001", "--branch", "delete-it")
    assert code == 0, out
    assert "deletion merged into main, delete-it" in out
    assert store.get("MC-2026-0001") is None
