"""Helpers that build real git repositories and real SSH keys for tests.

Plain functions, imported by test modules (`from gitfixtures import ...`). Every git command
runs with a pinned identity and dates, with the user's and the system's git configuration
switched off, and with HOME pointed into the test's temporary directory, so nothing outside
`tmp_path` is read or written.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

DEFAULT_DATE = "2026-01-05T10:00:00+00:00"
DEFAULT_AUTHOR = ("Register Bot", "bot@example.org")

# Variables that would make git look somewhere other than the repository under test.
_GIT_LOCATING = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR")


def git_env(
    home: Path,
    *,
    author: tuple[str, str] = DEFAULT_AUTHOR,
    committer: tuple[str, str] | None = None,
    date: str = DEFAULT_DATE,
) -> dict[str, str]:
    """The environment for a test git command: isolated config, pinned identity and dates."""
    committer = committer or author
    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATING}
    env.update(
        HOME=str(home),
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME=author[0],
        GIT_AUTHOR_EMAIL=author[1],
        GIT_COMMITTER_NAME=committer[0],
        GIT_COMMITTER_EMAIL=committer[1],
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_DATE=date,
        GIT_TERMINAL_PROMPT="0",
        LC_ALL="C",
    )
    return env


def isolate_git(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Make code under test (which inherits os.environ) see no user or system git config."""
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in _GIT_LOCATING:
        monkeypatch.delenv(name, raising=False)


def run_git(
    repo: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
) -> str:
    """Run git in `repo` for test set-up; raise with git's stderr if it fails."""
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        input=stdin,
        capture_output=True,
        env=dict(env) if env is not None else git_env(repo.parent),
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"git {' '.join(args)} failed ({result.returncode}):\n"
            + result.stderr.decode(errors="replace")
        )
    return result.stdout.decode(errors="replace")


def make_repo(tmp_path: Path, name: str = "repo") -> Path:
    """An empty repository at `tmp_path/name` on branch `main`."""
    repo = tmp_path / name
    repo.mkdir(parents=True)
    run_git(repo, "init", "-q", "-b", "main", env=git_env(tmp_path))
    return repo


@dataclass(frozen=True)
class SshKey:
    """An ed25519 key pair made by ssh-keygen, with no passphrase."""

    name: str
    private: Path
    public: Path
    public_text: str  # "ssh-ed25519 AAAA... comment"
    fingerprint: str  # "SHA256:..."


def make_ssh_key(directory: Path, name: str) -> SshKey:
    """A fresh ed25519 key pair `directory/name` and `directory/name.pub`."""
    directory.mkdir(parents=True, exist_ok=True)
    private = directory / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(private)],
        check=True,
        capture_output=True,
    )
    public = directory / f"{name}.pub"
    listing = subprocess.run(
        ["ssh-keygen", "-lf", str(public)], check=True, capture_output=True, text=True
    ).stdout
    fingerprint = listing.split()[1]
    assert fingerprint.startswith("SHA256:"), listing
    return SshKey(
        name=name,
        private=private,
        public=public,
        public_text=public.read_text().strip(),
        fingerprint=fingerprint,
    )


def commit(
    repo: Path,
    files: Mapping[str, str | None],
    message: str,
    *,
    key: SshKey | None = None,
    author: tuple[str, str] = DEFAULT_AUTHOR,
    committer: tuple[str, str] | None = None,
    date: str = DEFAULT_DATE,
) -> str:
    """Write (str) or delete (None) files, commit them, and return the new sha.

    With `key`, the commit is SSH-signed with that key. `committer` defaults to `author`;
    `date` is used for both the author and the committer date. An empty `files` makes an
    empty commit.
    """
    env = git_env(repo.parent, author=author, committer=committer, date=date)
    for rel, content in files.items():
        target = repo / rel
        if content is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
    if files:
        run_git(repo, "add", "-A", "--", *files, env=env)
    signing: list[str] = []
    if key is not None:
        signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={key.private}"]
    run_git(
        repo,
        *signing,
        "commit",
        "-q",
        "--allow-empty",
        *(["-S"] if key is not None else ["--no-gpg-sign"]),
        "-F",
        "-",
        env=env,
        stdin=message.encode(),
    )
    return run_git(repo, "rev-parse", "HEAD", env=env).strip()


def raw_commit(
    repo: Path,
    *,
    committer: str,
    author: str = "Register Bot <bot@example.org> 1773136800 +0000",
    message: str = "A commit git commit would not make\n",
) -> str:
    """Write a commit object with exactly these `author` and `committer` header lines (name,
    email, then a timestamp and offset that may be out of range or missing), with HEAD's tree
    and HEAD as parent, and move the current branch to it. Returns its sha."""
    env = git_env(repo.parent)
    head = run_git(repo, "rev-parse", "HEAD", env=env).strip()
    tree = run_git(repo, "rev-parse", "HEAD^{tree}", env=env).strip()
    body = f"tree {tree}\nparent {head}\nauthor {author}\ncommitter {committer}\n\n{message}"
    sha = run_git(
        repo,
        *("hash-object", "-t", "commit", "-w", "--literally", "--stdin"),
        env=env,
        stdin=body.encode("utf-8"),
    ).strip()
    run_git(repo, "update-ref", "HEAD", sha, env=env)
    return sha


@dataclass(frozen=True)
class AllowedSigner:
    """One line of git's allowed-signers file.

    `valid_after` / `valid_before` are ssh-keygen timestamps ("YYYYMMDD" or
    "YYYYMMDDHHMM[SS]", local time unless suffixed with "Z").
    """

    principal: str
    key: SshKey
    valid_after: str | None = None
    valid_before: str | None = None
    namespaces: str | None = "git"


def allowed_signers_line(entry: AllowedSigner) -> str:
    # Options are ONE comma-separated field (sshd authorized_keys style). Separating them with
    # spaces makes ssh-keygen reject the whole line as "invalid key".
    options = []
    if entry.namespaces is not None:
        options.append(f'namespaces="{entry.namespaces}"')
    if entry.valid_after is not None:
        options.append(f'valid-after="{entry.valid_after}"')
    if entry.valid_before is not None:
        options.append(f'valid-before="{entry.valid_before}"')
    key_type, key_blob = entry.key.public_text.split()[:2]
    parts = [entry.principal]
    if options:
        parts.append(",".join(options))
    parts += [key_type, key_blob]
    return " ".join(parts)


def write_allowed_signers(path: Path, entries: Iterable[AllowedSigner]) -> Path:
    """Write an allowed-signers file and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(allowed_signers_line(e) + "\n" for e in entries), encoding="utf-8")
    return path


def merge(
    repo: Path,
    branch: str,
    message: str,
    *,
    key: SshKey | None = None,
    author: tuple[str, str] = DEFAULT_AUTHOR,
    date: str = DEFAULT_DATE,
) -> str:
    """Merge `branch` into the current branch with a merge commit (never fast-forward), signed
    with `key` if given, with `message` (which may end in trailers). Returns the merge's sha."""
    env = git_env(repo.parent, author=author, date=date)
    message_file = repo.parent / "MERGE_MESSAGE.txt"
    message_file.write_text(message, encoding="utf-8")
    signing: list[str] = []
    if key is not None:
        signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={key.private}"]
    run_git(
        repo,
        *signing,
        "merge",
        "-q",
        "--no-ff",
        *(["-S"] if key is not None else ["--no-gpg-sign"]),
        "--file",
        str(message_file),
        branch,
        env=env,
    )
    return run_git(repo, "rev-parse", "HEAD", env=env).strip()
