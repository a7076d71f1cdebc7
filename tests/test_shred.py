"""Deletion that really deletes: a case's signed history, taken to dormant, deleted when due,
merged and its key shredded, leaves no readable trace in any object of the repository, and
every commit id and signature status exactly as it was."""

from __future__ import annotations

import re
import subprocess
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from changerepo import MODELINE, RegisterRepo, dump_yaml
from click.testing import CliRunner

from managed_contact.changes.check import check_change
from managed_contact.cli.main import main
from managed_contact.register.loading import load_bytes
from managed_contact.register.personal import personal_values, seal_text
from managed_contact.sealing.keystore import DirectoryKeystore
from managed_contact.sealing.tokens import Sealer, TokenError, is_token

from casebuilder import case, decision, letter, review
from gitfixtures import AllowedSigner, git_env, merge, run_git, write_allowed_signers

CASE_ID = "MC-2026-0007"
FILE = f"cases/{CASE_ID}.yaml"
DELETED_ON = "2027-05-10"

CUSTOMER = {
    "name": "Perpetua Wrenfield-Oddie",
    "aliases": ["Pet Oddie", "P. W. Oddie"],
    "address": "Flat 9, 44 Quillmarsh Road, Lowbrook, ZZ9 9QQ",
    "email": "perpetua.w.oddie@example.org",
    "phone": "01632 960742",
}
FREE_TEXT = {
    "account": "Shouted about the Quillmarsh parking permit for forty minutes.",
    "staff_affected": "Two permit officers at the Lowbrook desk",
    "opinion": "In my view the calls were meant to intimidate the permit team.",
    "adjustment": "Offered a fortnightly call with the permits lead at a set time.",
    "resolution": "Final-position letter on the Quillmarsh permit refusal.",
    "reason": "Repeated shouting at permit officers over the Quillmarsh refusal.",
    "considerations": "No contact of concern since April; the warning worked.",
}


def history(step: int) -> dict[str, Any]:
    """The case as recorded after `step` of its history (0: opened; 1: decided; 2: closed)."""
    data = case(
        id=CASE_ID,
        opened="2026-01-20",
        customer=dict(CUSTOMER),
        scope={"council_wide": False, "services": ["council-tax"]},
        incidents=[
            {
                "id": "I1",
                "date": "2026-01-19",
                "channel": "telephone",
                "service": "council-tax",
                "categories": ["shouting"],
                "staff_affected": FREE_TEXT["staff_affected"],
                "account": FREE_TEXT["account"],
                "opinions": [{"by": "hugo-barrett", "text": FREE_TEXT["opinion"]}],
            }
        ],
        adjustments=[
            {
                "id": "A1",
                "date": "2026-01-21",
                "description": FREE_TEXT["adjustment"],
                "outcome": "declined",
            }
        ],
        resolution_attempts=[
            {
                "id": "S1",
                "date": "2026-01-22",
                "service": "council-tax",
                "description": FREE_TEXT["resolution"],
            }
        ],
    )
    if step >= 1:
        data["decisions"] = [decision("D1", "2026-02-02", reason=FREE_TEXT["reason"])]
        data["letters"] = [letter("L1", "2026-02-03", "D1")]
    if step >= 2:
        data["reviews"] = [
            review("R1", "2026-05-04", "close", considerations=FREE_TEXT["considerations"])
        ]
        data["letters"].append(letter("L2", "2026-05-05", "R1"))
    return data


def secrets() -> list[bytes]:
    values = [CUSTOMER["name"], CUSTOMER["address"], CUSTOMER["email"], CUSTOMER["phone"]]
    values += CUSTOMER["aliases"] + list(FREE_TEXT.values())
    found = [v.encode() for v in values]
    # the distinctive words too, so a value cut up (folded, re-wrapped) is still caught
    found += [b"Wrenfield", b"Perpetua", b"Quillmarsh", b"960742", b"oddie@"]
    return found


def git_bytes(repo: Path, *args: str) -> bytes:
    result = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, env=git_env(repo.parent), check=False
    )
    return result.stdout if result.returncode == 0 else b""


def all_objects(repo: Path) -> bytes:
    """Every object git holds, loose or packed, decompressed by git itself."""
    return git_bytes(repo, "cat-file", "--batch-all-objects", "--batch")


def loose_objects(repo: Path) -> list[bytes]:
    """Every loose object file, decompressed here."""
    found = []
    for path in (repo / ".git" / "objects").glob("??/*"):
        found.append(zlib.decompress(path.read_bytes()))
    return found


def signatures(repo: Path, signers: Path) -> list[str]:
    out = run_git(
        repo,
        "-c",
        f"gpg.ssh.allowedSignersFile={signers}",
        "log",
        "--all",
        "--format=%H %G?",
        env=git_env(repo.parent),
    )
    return out.split("\n")


@pytest.fixture
def store(tmp_path: Path) -> DirectoryKeystore:
    return DirectoryKeystore(tmp_path / "keystore")


def test_shredding_a_deleted_case_leaves_nothing_readable(
    reg: RegisterRepo, store: DirectoryKeystore, tmp_path: Path
) -> None:
    key = store.create(CASE_ID)

    def sealed(step: int) -> str:
        return seal_text(MODELINE + dump_yaml(history(step)), FILE, key)

    # A signed history: opened, decided (signed by the decider), closed at review (signed by
    # one reviewer, approved by the other's signed empty commit).
    reg.commit({FILE: sealed(0)}, f"{CASE_ID}: open the case", date="2026-01-22")
    reg.commit({FILE: sealed(1)}, f"{CASE_ID}: decision D1", key="hugo", date="2026-02-03")
    reg.commit({FILE: sealed(2)}, f"{CASE_ID}: review R1", key="amara", date="2026-05-05")
    reg.commit({}, f"Approve\n\nApproves: {CASE_ID}\n", key="hugo", date="2026-05-05")
    main_before = reg.commit_of("HEAD")
    assert not check_change(reg.path, reg.base, "HEAD", date(2026, 5, 6)).findings.errors
    for text in (sealed(0), sealed(1), sealed(2)):
        assert not any(s in text.encode() for s in secrets())

    # Dormant, then due: deleted with `mcr delete` on a branch, checked, merged.
    reg.branch(f"delete-{CASE_ID}", main_before)
    runner = CliRunner()
    args = ["--register", str(reg.path), "--today", DELETED_ON]
    early = runner.invoke(main, ["delete", CASE_ID, "--reason", "retention",
                                 "--approved-by", "amara-okafor", "--register", str(reg.path),
                                 "--today", "2027-05-03"])  # fmt: skip
    assert early.exit_code == 1
    assert "not due for deletion until 2027-05-04" in early.stderr
    done = runner.invoke(
        main, ["delete", CASE_ID, "--reason", "retention", "--approved-by", "amara-okafor", *args]
    )
    assert done.exit_code == 0, done.output
    assert not (reg.path / FILE).exists()
    run_git(reg.path, "rm", "-q", "--cached", FILE)
    deletion = reg.commit(
        {"cases/deletions.yaml": (reg.path / "cases/deletions.yaml").read_text()},
        f"{CASE_ID}: delete at the end of retention",
        key="amara",
        date=DELETED_ON,
    )
    result = check_change(reg.path, main_before, deletion, date.fromisoformat(DELETED_ON))
    assert not result.findings.errors, result.findings.sorted()

    shred = ["keys", "shred", CASE_ID, "--keystore", str(store.path), *args]
    refused = runner.invoke(main, [*shred, "--branch", main_before])
    assert refused.exit_code == 1
    assert f"there is no branch {main_before!r}" in refused.output
    refused = runner.invoke(main, [*shred, "--branch", f"delete-{CASE_ID}"])
    assert refused.exit_code == 1  # the deletion is not merged into the default branch yet
    assert f"{FILE} is still on main" in refused.output
    run_git(reg.path, "checkout", "-q", "main", env=git_env(reg.path.parent))
    merge(reg.path, f"delete-{CASE_ID}", f"Merge the deletion of {CASE_ID}",
          key=reg.keys["forge"], date=f"{DELETED_ON}T12:00:00+00:00")  # fmt: skip

    signers = write_allowed_signers(
        tmp_path / "allowed_signers",
        [AllowedSigner(name, k) for name, k in reg.keys.items()],
    )
    before = signatures(reg.path, signers)
    assert sum(line.endswith(" G") for line in before) >= 5

    # Shred: the key goes, the history stays byte for byte.
    shredded = runner.invoke(main, shred)
    assert shredded.exit_code == 0, shredded.output
    assert store.get(CASE_ID) is None
    assert CASE_ID in store.shredded()
    run_git(reg.path, "gc", "-q", "--aggressive", "--prune=now", env=git_env(reg.path.parent))
    assert signatures(reg.path, signers) == before

    # No plaintext in any object, loose or packed, of any commit.
    everything = all_objects(reg.path)
    assert f"{CASE_ID}: decision D1".encode() in everything  # the scan does read the history
    loose = loose_objects(reg.path)
    for secret in secrets():
        assert secret not in everything
        assert not any(secret in obj for obj in loose)
    for path in (reg.path / ".git").rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            assert not any(secret in raw for secret in secrets()), path

    # No sealed value from history opens: the case's key is gone, and no other key opens any.
    tokens = 0
    others = [k for k in (store.get(c) for c in store.case_ids()) if k is not None]
    for line in run_git(reg.path, "rev-list", "--all", env=git_env(reg.path.parent)).split():
        raw = git_bytes(reg.path, "cat-file", "-p", f"{line}:{FILE}")
        if not raw or not raw.startswith(b"#"):
            continue
        doc, _ = load_bytes(raw, FILE)
        assert doc is not None
        for _, label, value in personal_values(doc.data):
            assert isinstance(value, str)
            assert is_token(value)
            tokens += 1
            for other in others:
                with pytest.raises(TokenError):
                    Sealer(other).open(label, value)
    assert tokens > 20
    assert re.search(rb"ENC\[mcr1,1,", everything)
