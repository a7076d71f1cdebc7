"""OpenPGP signatures: accepted like SSH ones when git verifies them and the registry lists the
key, refused when the registry does not. Needs the machine's gpg (skipped where there is none)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from changerepo import BOT, RegisterRepo, case_yaml, dump_yaml
from test_approvals import stage_1

from gitfixtures import SshKey, git_env, run_git

pytestmark = pytest.mark.skipif(shutil.which("gpg") is None, reason="no gpg on this machine")

HUGO = ("Hugo Barrett", "hugo.barrett@council.example")


@pytest.fixture
def gnupg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A keyring of the test's own, with Hugo's OpenPGP key (ultimately trusted, as its own)."""
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("GNUPGHOME", str(home))
    subprocess.run(
        [
            "gpg",
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
            "--quick-gen-key",
            f"{HUGO[0]} <{HUGO[1]}>",
            "ed25519",
            "sign",
            "never",
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "GNUPGHOME": str(home)},
    )
    yield home
    # gpg starts an agent for the keyring: stop it, so no process outlives the test.
    subprocess.run(
        ["gpgconf", "--kill", "gpg-agent"],
        check=False,
        capture_output=True,
        env={**os.environ, "GNUPGHOME": str(home)},
    )


def fingerprint(home: Path) -> str:
    out = subprocess.run(
        ["gpg", "--batch", "--with-colons", "--list-keys"],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "GNUPGHOME": str(home)},
    ).stdout
    return next(line.split(":")[9] for line in out.splitlines() if line.startswith("fpr:"))


def register_gpg_key(reg: RegisterRepo, fpr: str) -> None:
    """A policy change (approved by the Customer Relations Manager) listing Hugo's key; the
    change becomes the base the case is judged against."""
    people = yaml.safe_load((reg.path / "policy" / "people.yaml").read_text())
    hugo = next(p for p in people["people"] if p["id"] == "hugo-barrett")
    hugo["keys"].append({"type": "gpg", "key": fpr, "start": "2026-01-01"})
    reg.base = reg.commit(
        {"policy/people.yaml": dump_yaml(people)},
        "Hugo's OpenPGP key",
        key="amara",
        date="2026-01-03",
    )


def gpg_signed_case(
    reg: RegisterRepo, home: Path, fpr: str, author: tuple[str, str] = HUGO
) -> None:
    path = reg.path / "cases" / "MC-2026-0001.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(case_yaml(stage_1()), encoding="utf-8")
    env = {
        **git_env(reg.path.parent, author=author, date="2026-03-10T10:00:00+00:00"),
        "GNUPGHOME": str(home),
    }
    run_git(reg.path, "add", "cases", env=env)
    run_git(
        reg.path,
        "-c",
        "gpg.format=openpgp",
        "-c",
        f"user.signingkey={fpr}",
        "commit",
        "-q",
        "-S",
        "-m",
        "Stage 1 decision for MC-2026-0001",
        env=env,
    )


def test_gpg_signed_decision_by_a_registered_key_is_accepted(
    tmp_path: Path, keys: dict[str, SshKey], gnupg: Path
) -> None:
    reg = RegisterRepo.create(tmp_path, keys)
    fpr = fingerprint(gnupg)
    register_gpg_key(reg, fpr)
    gpg_signed_case(reg, gnupg, fpr)
    assert run_git(reg.path, "log", "-1", "--format=%G? %GF").split() == ["G", fpr]
    assert reg.errors() == set()


def test_gpg_signed_decision_by_an_unregistered_key_is_refused(
    tmp_path: Path, keys: dict[str, SshKey], gnupg: Path
) -> None:
    reg = RegisterRepo.create(tmp_path, keys)
    gpg_signed_case(reg, gnupg, fingerprint(gnupg), author=BOT)
    assert reg.errors() == {"MC411"}
