"""The git adapter against real repositories and real ssh-keygen keys."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from dataclasses import FrozenInstanceError, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from managed_contact.changes.git import (
    Commit,
    GitError,
    Repository,
    Signature,
    SignatureCache,
    signers_digest,
)

from gitfixtures import (
    AllowedSigner,
    SshKey,
    commit,
    isolate_git,
    make_repo,
    make_ssh_key,
    raw_commit,
    run_git,
    write_allowed_signers,
)

ANN = ("Ann Example", "ann@example.org")
BOB = ("Bob Example", "bob@example.org")


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_git(monkeypatch, tmp_path)


@dataclass
class Setup:
    repo: Path
    ann: SshKey
    stranger: SshKey
    signers: Path


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    repo = make_repo(tmp_path)
    ann = make_ssh_key(tmp_path / "keys", "ann")
    stranger = make_ssh_key(tmp_path / "keys", "stranger")
    signers = write_allowed_signers(
        tmp_path / "allowed_signers",
        [AllowedSigner("ann@example.org", ann, valid_after="20260101", valid_before="20261231")],
    )
    return Setup(repo, ann, stranger, signers)


def only(commits: list[Commit]) -> Commit:
    assert len(commits) == 1
    return commits[0]


# --- signatures ---------------------------------------------------------------------------


def test_good_signature_is_g_with_the_keys_fingerprint(setup: Setup) -> None:
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    commit(setup.repo, {"b.txt": "b"}, "signed", key=setup.ann, author=ANN)
    got = only(Repository(setup.repo).commits(base, "HEAD", allowed_signers=setup.signers))
    assert got.signature == Signature("G", setup.ann.fingerprint, "ann@example.org")
    assert got.signature.good


def test_unsigned_commit_is_n(setup: Setup) -> None:
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    commit(setup.repo, {"b.txt": "b"}, "unsigned", author=ANN)
    got = only(Repository(setup.repo).commits(base, "HEAD", allowed_signers=setup.signers))
    assert got.signature == Signature("N", "", "")
    assert not got.signature.good


def test_key_not_in_allowed_signers_is_not_good(setup: Setup) -> None:
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    commit(setup.repo, {"b.txt": "b"}, "by a stranger", key=setup.stranger, author=ANN)
    got = only(Repository(setup.repo).commits(base, "HEAD", allowed_signers=setup.signers))
    # git: a good signature by a key no principal is allowed to use -> U, no signer.
    assert got.signature == Signature("U", setup.stranger.fingerprint, "")
    assert not got.signature.good


def test_without_allowed_signers_ssh_signatures_are_not_good(setup: Setup) -> None:
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    commit(setup.repo, {"b.txt": "b"}, "signed", key=setup.ann)
    got = only(Repository(setup.repo).commits(base, "HEAD", allowed_signers=None))
    assert got.signature == Signature("U", setup.ann.fingerprint, "")


@pytest.mark.parametrize(
    ("valid_after", "valid_before"),
    [
        pytest.param("20250101", "20251231", id="expired-before-commit"),
        pytest.param("20260201", None, id="not-yet-valid-at-commit"),
        pytest.param(None, "20260103", id="expired-two-days-before-commit"),
    ],
)
def test_key_outside_its_validity_window_is_not_good(
    setup: Setup, tmp_path: Path, valid_after: str | None, valid_before: str | None
) -> None:
    signers = write_allowed_signers(
        tmp_path / "windowed_signers",
        [AllowedSigner("ann@example.org", setup.ann, valid_after, valid_before)],
    )
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    commit(setup.repo, {"b.txt": "b"}, "signed", key=setup.ann, date="2026-01-05T10:00:00+00:00")
    got = only(Repository(setup.repo).commits(base, "HEAD", allowed_signers=signers))
    # git never says X or Y for SSH keys: the key simply matches no principal at the
    # commit's time, so the signature is "good but unknown key" -> U, and no signer.
    assert got.signature == Signature("U", setup.ann.fingerprint, "")
    assert not got.signature.good


def test_validity_is_judged_at_the_committer_date_the_signer_wrote(
    setup: Setup, tmp_path: Path
) -> None:
    """Documents a limit: an expired key still yields G on a back-dated commit."""
    signers = write_allowed_signers(
        tmp_path / "expired_signers",
        [AllowedSigner("ann@example.org", setup.ann, "20250101", "20251231")],
    )
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    commit(setup.repo, {"b.txt": "b"}, "back-dated", key=setup.ann, date="2025-06-01T10:00:00Z")
    got = only(Repository(setup.repo).commits(base, "HEAD", allowed_signers=signers))
    assert got.signature.status == "G"
    assert got.committed_at == datetime(2025, 6, 1, 10, tzinfo=UTC)


def test_wrong_namespace_is_not_good(setup: Setup, tmp_path: Path) -> None:
    signers = write_allowed_signers(
        tmp_path / "file_ns_signers",
        [AllowedSigner("ann@example.org", setup.ann, namespaces="file")],
    )
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    commit(setup.repo, {"b.txt": "b"}, "signed", key=setup.ann)
    got = only(Repository(setup.repo).commits(base, "HEAD", allowed_signers=signers))
    assert not got.signature.good


def test_forged_author_does_not_change_the_fingerprint(setup: Setup) -> None:
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    commit(
        setup.repo, {"b.txt": "b"}, "pretending to be Bob", key=setup.ann, author=BOB, committer=BOB
    )
    got = only(Repository(setup.repo).commits(base, "HEAD", allowed_signers=setup.signers))
    assert (got.author_name, got.author_email) == BOB
    assert (got.committer_name, got.committer_email) == BOB
    assert got.signature.key_fingerprint == setup.ann.fingerprint
    assert got.signature.signer == "ann@example.org"


def test_missing_allowed_signers_file_is_an_error(setup: Setup, tmp_path: Path) -> None:
    commit(setup.repo, {"a.txt": "a"}, "base")
    with pytest.raises(GitError, match="allowed signers"):
        Repository(setup.repo).commits(None, "HEAD", allowed_signers=tmp_path / "nope")


# --- commit fields ------------------------------------------------------------------------


def test_header_fields_and_trailers(setup: Setup) -> None:
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    message = (
        "Record decision for case MC-0001\n"
        "\n"
        "Body text. Not-a-trailer: this is prose\n"
        "in the body.\n"
        "\n"
        "Approved-by: Ann Example <ann@example.org>\n"
        "Reviewed-by: Bob Example\n"
        "  <bob@example.org>\n"
        "approved-by: Cat Example <cat@example.org>\n"
    )
    sha = commit(setup.repo, {"b.txt": "b"}, message, author=ANN, committer=BOB)
    got = only(Repository(setup.repo).commits(base, "HEAD", allowed_signers=setup.signers))
    assert got.sha == sha
    assert got.parents == (base,)
    assert (got.author_name, got.author_email) == ANN
    assert (got.committer_name, got.committer_email) == BOB
    assert got.committed_at == datetime(2026, 1, 5, 10, tzinfo=UTC)
    assert got.committed_at.tzinfo is not None
    assert got.subject == "Record decision for case MC-0001"
    assert got.trailers == (
        ("Approved-by", "Ann Example <ann@example.org>"),
        ("Reviewed-by", "Bob Example <bob@example.org>"),
        ("approved-by", "Cat Example <cat@example.org>"),
    )
    assert got.trailer_values("APPROVED-BY") == (
        "Ann Example <ann@example.org>",
        "Cat Example <cat@example.org>",
    )


def test_commit_without_trailers(setup: Setup) -> None:
    commit(setup.repo, {"a.txt": "a"}, "just a subject\n\nand a body")
    assert only(Repository(setup.repo).commits(None, "HEAD", allowed_signers=None)).trailers == ()


def test_committer_timezone_is_kept(setup: Setup) -> None:
    commit(setup.repo, {"a.txt": "a"}, "base", date="2026-01-05T12:30:00+02:00")
    got = only(Repository(setup.repo).commits(None, "HEAD", allowed_signers=None))
    assert got.committed_at.utcoffset() is not None
    assert got.committed_at.isoformat() == "2026-01-05T12:30:00+02:00"


def test_values_are_frozen(setup: Setup) -> None:
    commit(setup.repo, {"a.txt": "a"}, "base")
    got = only(Repository(setup.repo).commits(None, "HEAD", allowed_signers=None))
    with pytest.raises(FrozenInstanceError):
        got.subject = "changed"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        got.signature.status = "G"  # type: ignore[misc]


def test_message_cannot_forge_fields(setup: Setup) -> None:
    """Separator bytes typed into a message, a name or a file name are just text."""
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    evil = "x\x1e\x1e\x1f\x1fG\x1f\x1fSHA256:forged\x1f\x1fboss\x1d\x1d\x1c\x1cT\x1c"
    commit(
        setup.repo,
        {f"odd{chr(0x1E)}name.txt": "x"},
        f"subject {evil}\n\nApproved-by: {evil}\n",
        author=(f"Mallory {evil}", "m@example.org"),
    )
    got = only(Repository(setup.repo).commits(base, "HEAD", allowed_signers=setup.signers))
    assert got.signature == Signature("N", "", "")
    assert got.subject.startswith("subject x")
    assert got.changed_paths == ("odd\x1ename.txt",)


# --- ranges and changed paths -------------------------------------------------------------


def test_changed_paths_root_modify_delete_rename_merge_empty(setup: Setup) -> None:
    repo = setup.repo
    root = commit(repo, {"a.txt": "a", "dir/b.txt": "b", "dir/sub/c.txt": "c"}, "root")
    modify = commit(repo, {"a.txt": "a2"}, "modify")
    delete = commit(repo, {"dir/b.txt": None}, "delete")
    run_git(repo, "checkout", "-q", "-b", "side")
    side = commit(repo, {"side.txt": "s"}, "side")
    run_git(repo, "checkout", "-q", "main")
    main_only = commit(repo, {"main.txt": "m"}, "main only")
    run_git(repo, "merge", "-q", "--no-ff", "--no-edit", "side")
    merge = Repository(repo).resolve("HEAD")
    run_git(repo, "mv", "a.txt", "renamed.txt")
    rename = commit(repo, {}, "rename")
    empty = commit(repo, {}, "empty")

    got = Repository(repo).commits(None, "HEAD", allowed_signers=None)
    paths = {c.sha: c.changed_paths for c in got}
    assert paths == {
        root: ("a.txt", "dir/b.txt", "dir/sub/c.txt"),
        modify: ("a.txt",),
        delete: ("dir/b.txt",),
        side: ("side.txt",),
        main_only: ("main.txt",),
        merge: ("side.txt",),  # against the first parent
        rename: ("a.txt", "renamed.txt"),  # both sides of a rename
        empty: (),
    }
    order = [c.sha for c in got]
    assert order[0] == root
    assert order[-2:] == [rename, empty]
    # oldest first: every parent comes before its children
    for position, c in enumerate(got):
        assert all(order.index(p) < position for p in c.parents)
    assert next(c for c in got if c.sha == merge).parents == (main_only, side)

    ranged = Repository(repo).commits(delete, "HEAD", allowed_signers=None)
    assert {c.sha for c in ranged} == {side, main_only, merge, rename, empty}
    assert Repository(repo).commits("HEAD", "HEAD", allowed_signers=None) == []


def test_hostile_local_config_does_not_change_output(setup: Setup) -> None:
    repo = setup.repo
    commit(repo, {"a.txt": "a", "dir/b.txt": "b"}, "root")
    run_git(repo, "mv", "a.txt", "dir/moved.txt")
    commit(repo, {}, "rename")
    for key, value in [
        ("log.showSignature", "true"),
        ("log.showRoot", "false"),
        ("diff.renames", "copies"),
        ("diff.relative", "true"),
        ("color.ui", "always"),
        ("core.quotePath", "true"),
        ("log.decorate", "full"),
        ("format.pretty", "fuller"),
        ("gpg.ssh.allowedSignersFile", str(setup.signers)),
    ]:
        run_git(repo, "config", key, value)
    got = Repository(repo).commits(None, "HEAD", allowed_signers=None)
    assert [c.changed_paths for c in got] == [("a.txt", "dir/b.txt"), ("a.txt", "dir/moved.txt")]


def test_changed_files_is_a_straight_diff(setup: Setup) -> None:
    repo = setup.repo
    base = commit(repo, {"a.txt": "a", "b.txt": "b"}, "base")
    run_git(repo, "checkout", "-q", "-b", "side")
    side = commit(repo, {"side.txt": "s"}, "side")
    run_git(repo, "checkout", "-q", "main")
    main = commit(repo, {"a.txt": "a2", "b.txt": None}, "main")
    r = Repository(repo)
    # straight tree diff: main's own changes show up too (no merge-base semantics)
    assert r.changed_files(side, main) == ["a.txt", "b.txt", "side.txt"]
    assert r.changed_files(base, main) == ["a.txt", "b.txt"]
    assert r.merge_base(side, main) == base
    assert r.first_commit() == base


def test_resolve(setup: Setup) -> None:
    sha = commit(setup.repo, {"a.txt": "a"}, "base")
    run_git(setup.repo, "tag", "-a", "-m", "tag", "v1")
    r = Repository(setup.repo)
    assert r.resolve("HEAD") == sha
    assert r.resolve("main") == sha
    assert r.resolve("v1") == sha  # annotated tag peeled to its commit
    assert r.resolve(sha[:10]) == sha
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        r.resolve("nope")


@pytest.mark.parametrize("rev", ["--output=/tmp/x", "", "a\nb"])
def test_option_like_or_malformed_revisions_are_refused(setup: Setup, rev: str) -> None:
    commit(setup.repo, {"a.txt": "a"}, "base")
    r = Repository(setup.repo)
    with pytest.raises(GitError, match="not a usable revision"):
        r.resolve(rev)
    with pytest.raises(GitError, match="not a usable revision"):
        r.commits(rev, "HEAD", allowed_signers=None)


def test_git_error_names_the_command_and_stderr(setup: Setup) -> None:
    commit(setup.repo, {"a.txt": "a"}, "base")
    with pytest.raises(GitError) as info:
        Repository(setup.repo).commits("nope", "HEAD", allowed_signers=None)
    text = str(info.value)
    assert "git" in text
    assert "log" in info.value.command
    assert "nope" in info.value.stderr
    assert info.value.stderr.strip() in text


def test_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(GitError):
        Repository(tmp_path / "plain").first_commit()


# --- files --------------------------------------------------------------------------------


def test_read_file_and_list_files_at_a_revision(setup: Setup) -> None:
    repo = setup.repo
    old = commit(
        repo, {"cases/MC-1.yaml": "v1\n", "cases/MC-2.yaml": "x", "policy/p.yaml": "p"}, "1"
    )
    new = commit(repo, {"cases/MC-1.yaml": "v2\n", "cases/MC-2.yaml": None, "casesx/z": "z"}, "2")
    r = Repository(repo)
    assert r.read_file(old, "cases/MC-1.yaml") == b"v1\n"
    assert r.read_file(new, "cases/MC-1.yaml") == b"v2\n"
    assert r.read_file(new, "cases/MC-2.yaml") is None  # deleted
    assert r.read_file(old, "never.txt") is None
    assert r.read_file(old, "cases") is None  # a folder, not a file
    assert r.read_files(old, ["cases/MC-2.yaml", "nope"]) == {"cases/MC-2.yaml": b"x", "nope": None}
    with pytest.raises(GitError, match="unknown revision"):
        r.read_file("nope", "cases/MC-1.yaml")

    assert r.list_files(old, "cases") == ["cases/MC-1.yaml", "cases/MC-2.yaml"]
    assert r.list_files(new, "cases/") == ["cases/MC-1.yaml"]  # not casesx/
    assert r.list_files(new, "") == ["cases/MC-1.yaml", "casesx/z", "policy/p.yaml"]
    assert r.list_files(new, "missing") == []
    with pytest.raises(GitError):
        r.list_files("nope", "cases")


def test_read_file_binary_and_empty(setup: Setup) -> None:
    repo = setup.repo
    (repo / "blob.bin").write_bytes(bytes(range(256)) + b"\n\n")
    run_git(repo, "add", "blob.bin")
    sha = commit(repo, {"empty.txt": ""}, "files")
    r = Repository(repo)
    assert r.read_file(sha, "blob.bin") == bytes(range(256)) + b"\n\n"
    assert r.read_file(sha, "empty.txt") == b""


# --- one process --------------------------------------------------------------------------


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every process started through subprocess while the test runs (argv lists)."""
    calls: list[list[str]] = []
    real_popen = subprocess.Popen

    class CountingPopen(real_popen):  # type: ignore[misc,valid-type]
        def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
            calls.append([str(a) for a in args])
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", CountingPopen)
    return calls


def _make_history(s: Setup, count: int) -> tuple[str, list[str]]:
    base = commit(s.repo, {"seed.txt": "0"}, "seed")
    shas = []
    for i in range(count):
        key = s.ann if i % 3 else None
        shas.append(commit(s.repo, {f"f{i}.txt": str(i)}, f"c{i}", key=key))
    return base, shas


def test_commits_uses_exactly_one_git_process(setup: Setup, spawned: list[list[str]]) -> None:
    base, shas = _make_history(setup, 7)
    spawned.clear()
    got = Repository(setup.repo).commits(base, "HEAD", allowed_signers=setup.signers)
    assert [c.sha for c in got] == shas
    assert [c.signature.good for c in got] == [bool(i % 3) for i in range(7)]
    assert len(spawned) == 1
    assert spawned[0][0] == "git"
    assert "log" in spawned[0]


# --- the signature cache ------------------------------------------------------------------


def _format_arg(argv: list[str]) -> str:
    return next(a for a in argv if a.startswith("--format="))


def test_cache_second_run_skips_verification(
    setup: Setup, tmp_path: Path, spawned: list[list[str]]
) -> None:
    base, _ = _make_history(setup, 5)
    cache_file = tmp_path / ".mcr-cache" / "signatures.json"
    r = Repository(setup.repo)

    spawned.clear()
    first = r.commits(base, "HEAD", allowed_signers=setup.signers, cache=SignatureCache(cache_file))
    assert len(spawned) == 1
    assert "%G?" in _format_arg(spawned[0])
    assert cache_file.is_file()

    spawned.clear()
    second = r.commits(
        base, "HEAD", allowed_signers=setup.signers, cache=SignatureCache(cache_file)
    )
    assert len(spawned) == 1  # one git log ...
    assert "%G" not in _format_arg(spawned[0])  # ... that checks no signature
    assert second == first
    assert [c.signature.good for c in second] == [bool(i % 3) for i in range(5)]


def test_cache_checks_only_new_commits(
    setup: Setup, tmp_path: Path, spawned: list[list[str]]
) -> None:
    base, _ = _make_history(setup, 4)
    cache = SignatureCache.in_directory(tmp_path / ".mcr-cache")
    r = Repository(setup.repo)
    r.commits(base, "HEAD", allowed_signers=setup.signers, cache=cache)
    new = commit(setup.repo, {"new.txt": "n"}, "new", key=setup.ann)

    spawned.clear()
    got = r.commits(
        base,
        "HEAD",
        allowed_signers=setup.signers,
        cache=SignatureCache.in_directory(tmp_path / ".mcr-cache"),
    )
    assert len(spawned) == 2
    assert "%G" not in _format_arg(spawned[0])
    assert "--no-walk=unsorted" in spawned[1]
    assert got[-1].sha == new
    assert got[-1].signature.good
    assert got == r.commits(base, "HEAD", allowed_signers=setup.signers)  # uncached truth


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"[]",
        b'{"version": 1, "signatures": []}',
        b'{"version": 99, "signatures": {}}',
        b'{"version": 1, "signatures": {"zz": {"abc": ["G", "SHA256:x", "boss"]}}}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_corrupt_cache_is_ignored(
    setup: Setup, tmp_path: Path, content: bytes, spawned: list[list[str]]
) -> None:
    base, _ = _make_history(setup, 3)
    cache_file = tmp_path / ".mcr-cache" / "signatures.json"
    cache_file.parent.mkdir()
    cache_file.write_bytes(content)
    r = Repository(setup.repo)
    spawned.clear()
    got = r.commits(base, "HEAD", allowed_signers=setup.signers, cache=SignatureCache(cache_file))
    assert "%G?" in _format_arg(spawned[0])
    assert got == r.commits(base, "HEAD", allowed_signers=setup.signers)
    assert json.loads(cache_file.read_text())["version"] == 1  # rewritten, valid


def test_malformed_cache_entries_are_dropped(setup: Setup, tmp_path: Path) -> None:
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    sha = commit(setup.repo, {"b.txt": "b"}, "unsigned")
    digest = signers_digest(setup.signers)
    cache_file = tmp_path / "signatures.json"
    forged = {
        "version": 1,
        "signatures": {
            digest: {
                sha: ["G", "not-an-ssh-fingerprint", "boss"],  # not a cacheable result
                "c" * 40: ["Q", "SHA256:x", ""],  # unknown status
                "d" * 40: ["G", "SHA256:x"],  # wrong shape
            }
        },
    }
    cache_file.write_text(json.dumps(forged))
    got = only(
        Repository(setup.repo).commits(
            base, "HEAD", allowed_signers=setup.signers, cache=SignatureCache(cache_file)
        )
    )
    assert got.signature == Signature("N", "", "")


def test_different_signers_file_misses_the_cache(
    setup: Setup, tmp_path: Path, spawned: list[list[str]]
) -> None:
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    commit(setup.repo, {"b.txt": "b"}, "signed", key=setup.ann)
    cache_file = tmp_path / "signatures.json"
    r = Repository(setup.repo)
    first = only(
        r.commits(base, "HEAD", allowed_signers=setup.signers, cache=SignatureCache(cache_file))
    )
    assert first.signature.good

    other = write_allowed_signers(
        tmp_path / "other_signers", [AllowedSigner("someone@example.org", setup.stranger)]
    )
    spawned.clear()
    second = only(r.commits(base, "HEAD", allowed_signers=other, cache=SignatureCache(cache_file)))
    assert "%G?" in _format_arg(spawned[0])  # verified afresh
    assert second.signature == Signature("U", setup.ann.fingerprint, "")

    # both signer sets are now remembered, each with its own result
    spawned.clear()
    again = only(
        r.commits(base, "HEAD", allowed_signers=setup.signers, cache=SignatureCache(cache_file))
    )
    assert "%G" not in _format_arg(spawned[0])
    assert again == first


def test_editing_the_signers_file_in_place_misses_the_cache(setup: Setup, tmp_path: Path) -> None:
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    commit(setup.repo, {"b.txt": "b"}, "signed", key=setup.ann)
    cache_file = tmp_path / "signatures.json"
    r = Repository(setup.repo)
    assert only(
        r.commits(base, "HEAD", allowed_signers=setup.signers, cache=SignatureCache(cache_file))
    ).signature.good
    write_allowed_signers(setup.signers, [AllowedSigner("x@example.org", setup.stranger)])
    assert not only(
        r.commits(base, "HEAD", allowed_signers=setup.signers, cache=SignatureCache(cache_file))
    ).signature.good


def test_unwritable_cache_location_is_not_fatal(setup: Setup, tmp_path: Path) -> None:
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    commit(setup.repo, {"b.txt": "b"}, "signed", key=setup.ann)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache directory should be")
    got = only(
        Repository(setup.repo).commits(
            base, "HEAD", allowed_signers=setup.signers, cache=SignatureCache(blocker / "sig.json")
        )
    )
    assert got.signature.good


def _forged_cache(setup: Setup, sha: str) -> str:
    """A cache document that calls the unsigned commit `sha` a good signature by ann."""
    entry = ["G", setup.ann.fingerprint, "ann@example.org"]
    return json.dumps({"version": 1, "signatures": {signers_digest(setup.signers): {sha: entry}}})


def test_cache_file_that_is_a_symlink_is_neither_read_nor_written_through(
    setup: Setup, tmp_path: Path
) -> None:
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    sha = commit(setup.repo, {"b.txt": "b"}, "unsigned")
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(_forged_cache(setup, sha))
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / "signatures.json").symlink_to(elsewhere)

    got = only(
        Repository(setup.repo).commits(
            base,
            "HEAD",
            allowed_signers=setup.signers,
            cache=SignatureCache.in_directory(cache_dir),
        )
    )
    assert got.signature == Signature("N", "", "")
    assert elsewhere.read_text() == _forged_cache(setup, sha)  # not written through
    assert not (cache_dir / "signatures.json").is_symlink()  # the link was replaced


def test_cache_directory_that_is_a_symlink_is_neither_read_nor_written_through(
    setup: Setup, tmp_path: Path
) -> None:
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    sha = commit(setup.repo, {"b.txt": "b"}, "unsigned")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "signatures.json").write_text(_forged_cache(setup, sha))
    (tmp_path / "cache").symlink_to(elsewhere, target_is_directory=True)

    got = only(
        Repository(setup.repo).commits(
            base,
            "HEAD",
            allowed_signers=setup.signers,
            cache=SignatureCache.in_directory(tmp_path / "cache"),
        )
    )
    assert got.signature == Signature("N", "", "")
    assert (elsewhere / "signatures.json").read_text() == _forged_cache(setup, sha)
    assert [p.name for p in elsewhere.iterdir()] == ["signatures.json"]


def test_cache_that_is_not_a_regular_file_is_ignored(setup: Setup, tmp_path: Path) -> None:
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    commit(setup.repo, {"b.txt": "b"}, "signed", key=setup.ann)
    fifo = tmp_path / "signatures.json"
    os.mkfifo(fifo)  # reading it waits for a writer
    got: list[Commit] = []
    worker = threading.Thread(
        target=lambda: got.extend(
            Repository(setup.repo).commits(
                base, "HEAD", allowed_signers=setup.signers, cache=SignatureCache(fifo)
            )
        ),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=30)
    waited = worker.is_alive()
    if waited:  # let it go before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join()
    assert not waited, "reading the cache waited for a writer"
    assert only(got).signature.good


def test_git_path_is_inside_the_git_directory_never_the_work_tree(
    setup: Setup, tmp_path: Path
) -> None:
    commit(setup.repo, {"sub/dir/a.txt": "a"}, "first")
    git_dir = setup.repo / ".git"
    assert Repository(setup.repo).git_path("mcr-cache") == git_dir / "mcr-cache"
    assert Repository(setup.repo / "sub" / "dir").git_path("mcr-cache") == git_dir / "mcr-cache"
    # through a link to a subdirectory, git's relative answer is joined to the real directory
    (tmp_path / "link").symlink_to(setup.repo / "sub" / "dir", target_is_directory=True)
    assert Repository(tmp_path / "link").git_path("mcr-cache") == git_dir / "mcr-cache"
    # a linked worktree keeps its own
    run_git(setup.repo, "worktree", "add", "-q", str(tmp_path / "wt"))
    got = Repository(tmp_path / "wt").git_path("mcr-cache")
    assert got.parent.parent == git_dir / "worktrees"
    assert got.name == "mcr-cache"
    for bad in ("", "-x", "/etc", "a\nb"):
        with pytest.raises(GitError):
            Repository(setup.repo).git_path(bad)
    with pytest.raises(GitError):
        Repository(tmp_path / "not-a-repo").git_path("mcr-cache")


def test_a_configured_revocation_file_does_not_change_a_result(setup: Setup) -> None:
    """Only the allowed-signers file may decide an SSH result (it is what the cache is keyed
    by), so `gpg.ssh.revocationFile` from the repository's own configuration is overridden."""
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    commit(setup.repo, {"b.txt": "b"}, "signed", key=setup.ann)
    krl = setup.repo.parent / "revoked.krl"
    subprocess.run(
        ["ssh-keygen", "-q", "-k", "-f", str(krl), str(setup.ann.public)],
        check=True,
        capture_output=True,
    )
    run_git(setup.repo, "config", "gpg.ssh.revocationFile", str(krl))
    run_git(setup.repo, "config", "gpg.ssh.allowedSignersFile", str(setup.signers))
    revoked = run_git(setup.repo, "log", "-1", "--format=%G?").strip()
    assert revoked == "B"  # git itself would now refuse the key ...
    got = only(Repository(setup.repo).commits(base, "HEAD", allowed_signers=setup.signers))
    assert got.signature == Signature("G", setup.ann.fingerprint, "ann@example.org")  # ... mcr not


@pytest.mark.parametrize(
    "committer",
    [
        "C <c@example.org> 1773136800 +9959",  # an offset of four days
        "C <c@example.org> 999999999999999 +0000",  # after the year 9999
        "C <c@example.org>",  # no date at all
    ],
    ids=["offset", "year", "none"],
)
def test_commit_with_an_unusable_committer_date_is_a_git_error(
    setup: Setup, committer: str
) -> None:
    base = commit(setup.repo, {"a.txt": "a"}, "base")
    sha = raw_commit(setup.repo, committer=committer)
    with pytest.raises(GitError, match=f"commit {sha[:12]} has no usable committer date"):
        Repository(setup.repo).commits(base, "HEAD", allowed_signers=setup.signers)


# --- reads across revisions, orientation, and writing (for mcr demo-repo) ----------------


def test_read_blobs_reads_several_revisions_in_one_process(
    setup: Setup, spawned: list[list[str]]
) -> None:
    first = commit(setup.repo, {"a.txt": "one"}, "first")
    second = commit(setup.repo, {"a.txt": "two", "b.txt": "b"}, "second")
    spawned.clear()
    got = Repository(setup.repo).read_blobs(
        [(first, "a.txt"), (second, "a.txt"), (first, "b.txt"), (second, "nope")]
    )
    assert got == {
        (first, "a.txt"): b"one",
        (second, "a.txt"): b"two",
        (first, "b.txt"): None,
        (second, "nope"): None,
    }
    assert len(spawned) == 1


def test_range_paths_lists_what_each_commit_adds_or_modifies_in_one_process(
    setup: Setup, spawned: list[list[str]]
) -> None:
    base = commit(setup.repo, {"a.txt": "one", "gone.txt": "x"}, "base")
    added = commit(setup.repo, {"a.txt": "two", "cases/b c.yaml": "b"}, "modify and add")
    moved = commit(setup.repo, {"gone.txt": None, "d.txt": "x"}, "delete and rename")
    commit(setup.repo, {}, "empty")
    spawned.clear()
    got = Repository(setup.repo).range_paths(base, "HEAD")
    assert got == [(added, ("a.txt", "cases/b c.yaml")), (moved, ("d.txt",))]
    assert len(spawned) == 1


def test_orient_gives_the_prefix_and_shas(setup: Setup) -> None:
    first = commit(setup.repo, {"sub/dir/a.txt": "a"}, "first")
    second = commit(setup.repo, {"b.txt": "b"}, "second")
    assert Repository(setup.repo).orient(["HEAD~1", "HEAD"]) == ("", [first, second])
    assert Repository(setup.repo / "sub" / "dir").orient(["HEAD"]) == ("sub/dir/", [second])
    assert Repository(setup.repo / "sub").prefix() == "sub/"
    with pytest.raises(GitError, match="unknown revision"):
        Repository(setup.repo).orient(["HEAD", "no-such-branch"])


def test_init_and_signed_commit(tmp_path: Path, setup: Setup) -> None:
    repo = Repository.init(tmp_path / "written")
    (repo.path / "a.txt").write_text("a", encoding="utf-8")
    when = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    sha = repo.commit(
        ["a.txt"],
        "First\n\nApproves: MC-2026-0001\n",
        author=ANN,
        when=when,
        signing_key=setup.ann.private,
    )
    empty = repo.commit([], "Empty\n", author=BOB, when=when)
    got = repo.commits(None, "HEAD", allowed_signers=setup.signers)
    assert [c.sha for c in got] == [sha, empty]
    assert got[0].signature.good
    assert (got[0].author_name, got[0].committed_at) == ("Ann Example", when)
    assert got[0].trailer_values("Approves") == ("MC-2026-0001",)
    assert got[1].signature.status == "N"
    assert got[1].changed_paths == ()
