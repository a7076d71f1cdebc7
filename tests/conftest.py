"""Shared fixtures: a frozen today, the repository's own register, and scratch registers."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from changerepo import RegisterRepo, make_keys
from hypothesis import settings

from managed_contact.register.policy import Policy
from managed_contact.register.snapshot import load_policy

from gitfixtures import SshKey

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 28)

# Property tests judge what the code does, never how long an example takes: a busy machine must
# not fail one (tests assert no timings).
settings.register_profile("register", deadline=None)
settings.load_profile("register")


@pytest.fixture(scope="session")
def session_keystore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The keystore test cases are sealed with (`sealkit`), shared by a session's tests."""
    return tmp_path_factory.mktemp("keystore")


@pytest.fixture(autouse=True)
def _isolated_env(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
    session_keystore: Path,
) -> None:
    """No test reads the wall clock, the user's git config or writes to $HOME; every command
    finds the session's keystore."""
    monkeypatch.setenv("MCR_KEYSTORE", str(session_keystore))
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("MCR_TODAY", TODAY.isoformat())
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture(scope="session")
def policy() -> Policy:
    loaded, _, findings = load_policy(REPO)
    assert not findings, findings
    assert loaded is not None
    return loaded


@pytest.fixture
def register(tmp_path: Path) -> Path:
    """An empty register with the repository's policy data."""
    root = tmp_path / "register"
    shutil.copytree(REPO / "policy", root / "policy")
    (root / "cases").mkdir()
    return root


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SshKey]:
    """Real ed25519 keys, made once per session by ssh-keygen (see changerepo.KEY_NAMES)."""
    return make_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def reg(tmp_path: Path, keys: dict[str, SshKey]) -> RegisterRepo:
    """A register in a real git repository whose base commit holds policy data and keys."""
    return RegisterRepo.create(tmp_path, keys)
