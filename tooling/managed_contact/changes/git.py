"""The one place the tool talks to git.

Everything here runs the `git` binary with explicit arguments (never a shell) and hands back
plain values: frozen dataclasses, strings, bytes. No GitPython or subprocess object leaves
this module.

Reading history is done in one `git log` process per range: the commit header, trailers,
signature check (`%G?`, `%GF`, `%GS`) and the paths each commit changed all come out of the
same pass, split on separators that carry a per-run random nonce, so nothing written into a
commit message, a name or a file name can forge a field or a whole record.

Signature checks are the slow part (git runs `ssh-keygen` twice per signed commit), so their
results can be kept in a `SignatureCache`, keyed by commit sha and a digest of the
allowed-signers file. Only those results are ever read back from the cache; commits, paths
and trailers always come from git. The cache is trusted, so it must live where no commit can
put a file: inside the repository's git directory (`Repository.git_path`), never in the work
tree, which the change under review controls. It does not follow symbolic links.

Settings that would change what git prints (`log.showSignature`, `log.showRoot`,
`diff.renames`, `diff.relative`, replace refs, notes, colour) are overridden on each command
line, so a user's or a repository's own configuration cannot change what is parsed; so are
the settings an SSH signature check depends on besides the allowed-signers file
(`gpg.ssh.program`, `gpg.ssh.revocationFile`), so a cached result is exactly what git would
say again. The one piece of git configuration written here is the repository's own, by
`set_local_config`, for `mcr setup`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import secrets
import shlex
import stat
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from ..errors import McrError

__all__ = [
    "Commit",
    "GitError",
    "Repository",
    "Signature",
    "SignatureCache",
    "signers_digest",
]

#: Every letter git's `%G?` can print.
SIGNATURE_STATUSES: Final = frozenset("GBUXYREN")

# Environment variables that would point git at some other repository than the one asked for
# (they are set, for example, while a git hook runs).
_REPO_LOCATING_ENV: Final = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR")

# Global options for every command: never page, never substitute replacement objects.
_GLOBAL_OPTIONS: Final = ("--no-pager", "--no-replace-objects")

# Configuration that must not vary with whoever runs the tool.
_PINNED_CONFIG: Final = (
    "log.showSignature=false",
    "log.showRoot=true",
    "core.quotePath=false",
    "gpg.ssh.program=ssh-keygen",
    # No revocation list: the allowed-signers file (with each key's validity window) is the
    # only input to an SSH check besides the commit, which is what the cache is keyed by.
    f"gpg.ssh.revocationFile={os.devnull}",
)

# Options for `git log` that fix the shape of the output regardless of configuration.
_LOG_OPTIONS: Final = (
    "--no-color",
    "--no-notes",
    "--no-show-signature",
    "--encoding=UTF-8",
    "--no-mailmap",
)


_CONFIG_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9-]*(?:\.[^\n\0]+)?\.[A-Za-z][A-Za-z0-9-]*")


class GitError(McrError):
    """A git command failed, or asked for something git does not have."""

    def __init__(
        self,
        message: str,
        *,
        command: Sequence[str] = (),
        returncode: int | None = None,
        stderr: str = "",
    ) -> None:
        self.command: tuple[str, ...] = tuple(command)
        self.returncode = returncode
        self.stderr = stderr
        text = message
        if self.command:
            text += f"\n  command: {shlex.join(self.command)}"
        if returncode is not None:
            text += f"\n  exit status: {returncode}"
        if stderr.strip():
            text += "\n  git said: " + stderr.strip().replace("\n", "\n    ")
        super().__init__(text)


@dataclass(frozen=True)
class Signature:
    """What git reports about a commit's signature.

    `status` is git's `%G?` letter: G good, B bad, U good signature from a key with unknown
    validity (for SSH: a key not listed for any principal in the allowed-signers file, or
    outside its valid-after/valid-before window at the commit's time), X expired signature,
    Y expired key, R revoked key, E cannot be checked, N no signature.
    """

    status: str
    key_fingerprint: str
    signer: str

    @property
    def good(self) -> bool:
        return self.status == "G"


UNSIGNED: Final = Signature(status="N", key_fingerprint="", signer="")


@dataclass(frozen=True)
class Commit:
    """One commit as the register sees it."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    committer_name: str
    committer_email: str
    committed_at: datetime
    subject: str
    trailers: tuple[tuple[str, str], ...]
    signature: Signature
    changed_paths: tuple[str, ...]

    def trailer_values(self, key: str) -> tuple[str, ...]:
        """Values of every trailer named `key`, compared case-insensitively as git does."""
        wanted = key.casefold()
        return tuple(value for name, value in self.trailers if name.casefold() == wanted)


@dataclass(frozen=True)
class FileVersion:
    """One version of a file in history: the commit that made it, when, and the content
    (None where that commit deleted the file)."""

    sha: str
    committed_at: datetime
    content: bytes | None


def signers_digest(allowed_signers: Path | None) -> str:
    """The sha256 of an allowed-signers file's content (of empty content when None)."""
    if allowed_signers is None:
        return hashlib.sha256(b"").hexdigest()
    try:
        content = allowed_signers.read_bytes()
    except OSError as exc:
        raise GitError(f"cannot read allowed signers file {allowed_signers}: {exc}") from exc
    return hashlib.sha256(content).hexdigest()


# --------------------------------------------------------------------------------------------
# The signature cache
# --------------------------------------------------------------------------------------------

_HEX_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


class SignatureCache:
    """Signature-check results kept between runs, as JSON in one file.

    Entries are keyed by the digest of the allowed-signers content and then by commit sha: a
    commit's sha covers its signature, and the allowed-signers content is the only other input
    to an SSH check, so a hit is exactly what git would say again. A different signers file
    never reuses results.

    Only results that are a pure function of those two keys are stored: unsigned commits (N)
    and SSH signature results (the fingerprint starts with "SHA256:"). "E" (could not check)
    and OpenPGP results, which depend on a keyring, are checked afresh every run.

    A missing, unreadable or corrupt file counts as empty; malformed entries are dropped.
    Saving replaces the file atomically; if that fails the cache is simply not kept.

    The results are trusted, so the file must be somewhere only the tool writes: use
    `Repository.git_path("mcr-cache")`, never a folder in the work tree. Symbolic links are
    not followed: a cache file or cache folder that is a link is neither read nor written
    through.
    """

    VERSION: Final = 1
    MAX_SIGNER_SETS: Final = 8

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: dict[str, dict[str, Signature]] | None = None
        self._dirty = False

    @classmethod
    def in_directory(cls, directory: Path) -> SignatureCache:
        """The cache kept as `signatures.json` in `directory` (`.git/mcr-cache/`)."""
        return cls(directory / "signatures.json")

    def _entries(self) -> dict[str, dict[str, Signature]]:
        if self._data is None:
            self._data = self._load()
        return self._data

    def _load(self) -> dict[str, dict[str, Signature]]:
        content = _read_regular_file(self.path)
        if content is None:
            return {}
        try:
            raw = json.loads(content)
        except (ValueError, RecursionError):
            return {}
        if not isinstance(raw, dict) or raw.get("version") != self.VERSION:
            return {}
        sets = raw.get("signatures")
        if not isinstance(sets, dict):
            return {}
        data: dict[str, dict[str, Signature]] = {}
        for digest, entries in sets.items():
            if not _HEX_DIGEST.fullmatch(digest) or not isinstance(entries, dict):
                continue
            good_entries: dict[str, Signature] = {}
            for sha, value in entries.items():
                signature = _signature_from_json(value)
                if _HEX_SHA.fullmatch(sha) and signature is not None:
                    good_entries[sha] = signature
            data[digest] = good_entries
        return data

    def knows(self, digest: str) -> bool:
        """Whether any result is held for this allowed-signers digest."""
        return bool(self._entries().get(digest))

    def get(self, digest: str, sha: str) -> Signature | None:
        return self._entries().get(digest, {}).get(sha)

    def put(self, digest: str, sha: str, signature: Signature) -> None:
        if not cacheable(signature):
            return
        entries = self._entries()
        bucket = entries.pop(digest, {})
        entries[digest] = bucket  # most recently used signer set last
        if bucket.get(sha) != signature:
            bucket[sha] = signature
            self._dirty = True

    def save(self) -> None:
        """Write the file if anything changed. Failure to write is not an error."""
        if not self._dirty:
            return
        entries = self._entries()
        while len(entries) > self.MAX_SIGNER_SETS:
            del entries[next(iter(entries))]
        document = {
            "version": self.VERSION,
            "signatures": {
                digest: {
                    sha: [sig.status, sig.key_fingerprint, sig.signer]
                    for sha, sig in sorted(bucket.items())
                }
                for digest, bucket in entries.items()
            },
        }
        text = json.dumps(document, indent=1, ensure_ascii=True)
        tmp_name: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not _real_directory(self.path.parent):
                return
            with tempfile.NamedTemporaryFile(
                "w",
                encoding="utf-8",
                dir=self.path.parent,
                prefix=f".{self.path.name}.",
                suffix=".tmp",
                delete=False,
            ) as handle:
                tmp_name = handle.name
                handle.write(text)
            os.replace(tmp_name, self.path)  # replaces a link at the path, never follows it
            tmp_name = None
            self._dirty = False
        except OSError:
            pass
        finally:
            if tmp_name is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)


def _real_directory(path: Path) -> bool:
    """Whether `path` is a directory and not a symbolic link (to one)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _read_regular_file(path: Path) -> bytes | None:
    """The content of `path` if it is a regular file in a real directory, reached without
    following a symbolic link at either; None otherwise (missing, a link, a FIFO, unreadable)."""
    if not _real_directory(path.parent):
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            return None
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read()
    except OSError:
        return None


def cacheable(signature: Signature) -> bool:
    """Whether a result depends only on the commit and the allowed-signers content."""
    if signature.status == "N":
        return True
    return signature.status != "E" and signature.key_fingerprint.startswith("SHA256:")


def _signature_from_json(value: object) -> Signature | None:
    if not (isinstance(value, list) and len(value) == 3):
        return None
    status, fingerprint, signer = value
    if not (isinstance(status, str) and isinstance(fingerprint, str) and isinstance(signer, str)):
        return None
    signature = Signature(status=status, key_fingerprint=fingerprint, signer=signer)
    if status not in SIGNATURE_STATUSES or not cacheable(signature):
        return None
    return signature


# --------------------------------------------------------------------------------------------
# The repository adapter
# --------------------------------------------------------------------------------------------


class _LogFormat:
    """A `git log --format` whose separators carry a fresh random nonce."""

    HEADER_FIELDS: Final = ("%H", "%P", "%an", "%ae", "%cn", "%ce", "%cI", "%s")
    SIGNATURE_FIELDS: Final = ("%G?", "%GF", "%GS")

    def __init__(self, *, verify: bool) -> None:
        nonce = secrets.token_hex(16)
        self.verify = verify
        self.record = f"\x1e{nonce}\x1e".encode()
        self.field = f"\x1f{nonce}\x1f".encode()
        self.end = f"\x1d{nonce}\x1d".encode()
        self.trailer_sep = f"\x1c{nonce}T\x1c".encode()
        self.key_value_sep = f"\x1c{nonce}K\x1c".encode()
        trailers = (
            f"%(trailers:only,unfold,separator=%x1c{nonce}T%x1c,"
            f"key_value_separator=%x1c{nonce}K%x1c)"
        )
        fields = [*self.HEADER_FIELDS, trailers]
        if verify:
            fields.extend(self.SIGNATURE_FIELDS)
        self.field_count = len(fields)
        separator = f"%x1f{nonce}%x1f"
        self.format = f"%x1e{nonce}%x1e" + separator.join(fields) + f"%x1d{nonce}%x1d"


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _path_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="surrogateescape")


def _check_rev(rev: str) -> str:
    if not rev or rev.startswith("-") or any(ch in rev for ch in "\n\r\0"):
        raise GitError(f"not a usable revision: {rev!r}")
    return rev


def _check_path(path: str) -> str:
    if not path or path.startswith("/") or any(ch in path for ch in "\n\r\0"):
        raise GitError(f"not a usable repository path: {path!r}")
    return path


class Repository:
    """A git working copy or bare repository, read through the `git` binary."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path).absolute()
        self._trees: dict[str, dict[str, bytes]] = {}

    def __repr__(self) -> str:
        return f"Repository({str(self.path)!r})"

    # -- running git ---------------------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _REPO_LOCATING_ENV}
        env["GIT_TERMINAL_PROMPT"] = "0"
        env["GIT_OPTIONAL_LOCKS"] = "0"
        return env

    def _run(
        self,
        args: Sequence[str],
        *,
        config: Iterable[str] = (),
        stdin: bytes | None = None,
        ok_returncodes: Iterable[int] = (0,),
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        command = ["git", *_GLOBAL_OPTIONS, "-C", str(self.path)]
        for item in (*_PINNED_CONFIG, *config):
            command += ["-c", item]
        command += args
        try:
            result = subprocess.run(
                command,
                input=stdin,
                capture_output=True,
                env={**self._environment(), **(env or {})},
                check=False,
            )
        except OSError as exc:
            raise GitError(f"could not run git: {exc}", command=command) from exc
        if result.returncode not in tuple(ok_returncodes):
            raise GitError(
                f"git {args[0]} failed in {self.path}",
                command=command,
                returncode=result.returncode,
                stderr=_text(result.stderr),
            )
        return result

    # -- revisions -----------------------------------------------------------------------

    def resolve(self, rev: str) -> str:
        """The full sha of the commit `rev` names (tags are peeled)."""
        result = self._run(
            [
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                f"{_check_rev(rev)}^{{commit}}",
            ],
            ok_returncodes=(0, 1, 128),
        )
        sha = _text(result.stdout).strip()
        if result.returncode != 0 or not _HEX_SHA.fullmatch(sha):
            raise GitError(
                f"unknown revision {rev!r} in {self.path}",
                returncode=result.returncode,
                stderr=_text(result.stderr),
            )
        return sha

    def merge_base(self, a: str, b: str) -> str:
        """Where `b` forked from `a`; GitError, saying so, when they share no commit (a head
        whose history is not the target's, e.g. a rewritten or unrelated branch)."""
        args = ["merge-base", "--end-of-options", _check_rev(a), _check_rev(b)]
        result = self._run(args, ok_returncodes=(0, 1))
        found = _text(result.stdout).strip()
        if result.returncode != 0 or not _HEX_SHA.fullmatch(found):
            raise GitError(
                f"{a} and {b} have no commit in common: the change does not start from the "
                "target's history, so there is nothing to measure it against; rebase it onto "
                "the target branch and check it again",
                returncode=result.returncode,
            )
        return found

    def git_path(self, name: str) -> Path:
        """Where `name` lives inside this repository's git directory (`git rev-parse
        --git-path`), e.g. `.git/mcr-cache`: a place no commit can write to, unlike the work
        tree. In a linked worktree it is that worktree's own git directory."""
        if not name or name.startswith(("/", "-")) or any(ch in name for ch in "\n\r\0"):
            raise GitError(f"not a usable git path: {name!r}")
        result = self._run(["rev-parse", "--git-path", name])
        text = _path_text(result.stdout).removesuffix("\n")
        if not text or "\n" in text:
            raise GitError(f"could not locate the git directory of {self.path}")
        # git prints a path relative to the directory it ran in, after resolving symbolic
        # links: join it to that physical directory, not to `self.path` as given.
        return Path(os.path.normpath(Path(os.path.realpath(self.path)) / text))

    def first_commit(self, rev: str = "HEAD") -> str:
        """The root commit reached from `rev` by following first parents."""
        result = self._run(
            ["rev-list", "--first-parent", "--max-parents=0", "--end-of-options", _check_rev(rev)]
        )
        roots = _text(result.stdout).split()
        if len(roots) != 1:
            raise GitError(f"cannot find the first commit of {rev!r} in {self.path}")
        return roots[0]

    # -- history -------------------------------------------------------------------------

    def commits(
        self,
        base: str | None,
        head: str,
        *,
        allowed_signers: Path | None,
        cache: SignatureCache | None = None,
    ) -> list[Commit]:
        """The commits in `base..head` (all of `head`'s history if base is None), oldest first.

        SSH signatures are checked against `allowed_signers` (with None, against an empty
        list, so no SSH signature is "G"). Without a cache, or with a cache that holds nothing
        for this signers file, this is one `git log` process. With a cache that knows some of
        the commits, it is one `git log` without signature checks and, only if some commits
        are not in the cache, one more that checks just those.
        """
        signers_file = (
            str(allowed_signers.absolute()) if allowed_signers is not None else os.devnull
        )
        digest = signers_digest(allowed_signers)
        rev_range = _check_rev(head) if base is None else f"{_check_rev(base)}..{_check_rev(head)}"
        config = (f"gpg.ssh.allowedSignersFile={signers_file}",)

        if cache is None or not cache.knows(digest):
            commits = self._log(rev_range, config=config, verify=True)
        else:
            commits = self._log(rev_range, config=config, verify=False)
            known: dict[str, Signature] = {}
            for c in commits:
                hit = cache.get(digest, c.sha)
                if hit is not None:
                    known[c.sha] = hit
            misses = [c.sha for c in commits if c.sha not in known]
            if misses:
                known.update(self._check_signatures(misses, config=config))
            commits = [dataclasses.replace(c, signature=known[c.sha]) for c in commits]

        if cache is not None:
            for c in commits:
                cache.put(digest, c.sha, c.signature)
            cache.save()
        return commits

    def first_parent_history(self, rev: str = "HEAD") -> list[Commit]:
        """The commits on the first-parent line of `rev`, oldest first, in one `git log`
        process. Signatures are not checked (each reads as unsigned, "N"): this is the shape
        of the history, and `commits` is what verifies. A merge's paths are those it changed
        from its first parent."""
        return self._log(_check_rev(rev), config=(), verify=False, first_parent=True)

    def _log(
        self, rev_range: str, *, config: Sequence[str], verify: bool, first_parent: bool = False
    ) -> list[Commit]:
        fmt = _LogFormat(verify=verify)
        args = [
            "log",
            *_LOG_OPTIONS,
            *(["--first-parent"] if first_parent else []),
            "-z",
            "--name-only",
            "--no-renames",
            "--no-relative",
            "--no-ext-diff",
            "--root",
            "--diff-merges=first-parent",
            "--topo-order",
            "--reverse",
            f"--format={fmt.format}",
            "--end-of-options",
            rev_range,
            "--",
        ]
        output = self._run(args, config=config).stdout
        return _parse_log(output, fmt)

    def range_paths(self, base: str, head: str) -> list[tuple[str, tuple[str, ...]]]:
        """Each commit in `base..head`, oldest first, with the paths it adds or modifies (a
        rename counts as adding the new path; a merge is compared with its first parent), in
        one `git log` process without signature checks."""
        nonce = secrets.token_hex(16)
        record = f"\x1e{nonce}\x1e".encode()
        args = [
            "log",
            *_LOG_OPTIONS,
            "-z",
            "--name-only",
            "--no-renames",
            "--diff-filter=AM",
            "--no-relative",
            "--no-ext-diff",
            "--diff-merges=first-parent",
            "--topo-order",
            "--reverse",
            f"--format=%x1e{nonce}%x1e%H",
            "--end-of-options",
            f"{_check_rev(base)}..{_check_rev(head)}",
            "--",
        ]
        found: list[tuple[str, tuple[str, ...]]] = []
        for chunk in self._run(args).stdout.split(record)[1:]:
            sha, _, rest = chunk.partition(b"\0")
            if not _HEX_SHA.fullmatch(_text(sha).strip()):
                raise GitError("could not parse git log output")
            paths = tuple(_path_text(p) for p in rest.lstrip(b"\n").split(b"\0") if p)
            found.append((_text(sha).strip(), paths))
        return found

    def _check_signatures(
        self, shas: Sequence[str], *, config: Sequence[str]
    ) -> dict[str, Signature]:
        """Signature results for exactly these commits, in one `git log --no-walk` process."""
        nonce = secrets.token_hex(16)
        record, field = f"\x1e{nonce}\x1e".encode(), f"\x1f{nonce}\x1f".encode()
        separator = f"%x1f{nonce}%x1f"
        fmt = f"%x1e{nonce}%x1e" + separator.join(("%H", *_LogFormat.SIGNATURE_FIELDS))
        args = [
            "log",
            *_LOG_OPTIONS,
            "--no-walk=unsorted",
            "--stdin",
            f"--format={fmt}",
        ]
        stdin = "".join(f"{sha}\n" for sha in shas).encode()
        output = self._run(args, config=config, stdin=stdin).stdout
        found: dict[str, Signature] = {}
        for chunk in output.split(record)[1:]:
            parts = chunk.rstrip(b"\n").split(field)
            if len(parts) != 4:
                raise GitError("could not parse git's signature output")
            sha = _text(parts[0])
            found[sha] = _signature(parts[1], parts[2], parts[3])
        missing = [sha for sha in shas if sha not in found]
        if missing:
            raise GitError(f"git did not report signatures for {', '.join(missing)}")
        return found

    # -- files ---------------------------------------------------------------------------

    def read_file(self, rev: str, path: str) -> bytes | None:
        """The content of `path` (from the top of the tree) at `rev`; None if no file is there."""
        return self.read_files(rev, [path])[path]

    def read_files(self, rev: str, paths: Iterable[str]) -> dict[str, bytes | None]:
        """Several files at one revision, read in one `git cat-file --batch` process."""
        wanted = list(dict.fromkeys(_check_path(p) for p in paths))
        _check_rev(rev)
        answers = self._cat_file([f"{rev}^{{commit}}", *(f"{rev}:{p}" for p in wanted)])
        if answers[0] is None or answers[0][0] != "commit":
            raise GitError(f"unknown revision {rev!r} in {self.path}")
        result: dict[str, bytes | None] = {}
        for path, answer in zip(wanted, answers[1:], strict=True):
            result[path] = answer[1] if answer is not None and answer[0] == "blob" else None
        return result

    def read_blobs(self, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], bytes | None]:
        """Files at several revisions, as (rev, path) pairs, in one `git cat-file --batch`.

        A pair whose revision or path does not exist, or names a folder, reads as None.
        """
        pairs = list(dict.fromkeys((_check_rev(rev), _check_path(path)) for rev, path in wanted))
        if not pairs:
            return {}
        answers = self._cat_file([f"{rev}:{path}" for rev, path in pairs])
        return {
            pair: answer[1] if answer is not None and answer[0] == "blob" else None
            for pair, answer in zip(pairs, answers, strict=True)
        }

    def versions(
        self, path: str, rev: str = "HEAD", *, first_parent: bool = False
    ) -> list[FileVersion]:
        """Every version of `path` (from the top of the tree) in the history of `rev`, oldest
        first: one `git log` for the commits that changed it and one `git cat-file --batch`
        for the contents. A commit that deleted the file gives a version with no content.
        With `first_parent`, only the commits on the first-parent line of `rev` (a merge
        counts as changing what it brought in from its other parents)."""
        wanted = _check_path(path)
        args = [
            "log",
            *_LOG_OPTIONS,
            "--format=%H %cI",
            "--no-renames",
            "--full-history",
            *(["--first-parent"] if first_parent else []),
            "--topo-order",
            "--reverse",
            "--end-of-options",
            _check_rev(rev),
            "--",
            f":(top,literal){wanted}",
        ]
        found: list[tuple[str, datetime]] = []
        for line in _text(self._run(args).stdout).splitlines():
            sha, _, stamp = line.partition(" ")
            if _HEX_SHA.fullmatch(sha):
                found.append((sha, _commit_date(sha, stamp)))
        if not found:
            return []
        answers = self._cat_file([f"{sha}:{wanted}" for sha, _ in found])
        return [
            FileVersion(
                sha, when, answer[1] if answer is not None and answer[0] == "blob" else None
            )
            for (sha, when), answer in zip(found, answers, strict=True)
        ]

    def default_branch(self) -> str:
        """The remote's default branch (`origin/HEAD`, e.g. "origin/main") if known, else
        "main"."""
        result = self._run(
            ["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"],
            ok_returncodes=(0, 1, 128),
        )
        name = _text(result.stdout).strip()
        return name if result.returncode == 0 and name else "main"

    def _cat_file(self, requests: Sequence[str]) -> list[tuple[str, bytes] | None]:
        """(type, content) for each `git cat-file --batch` request; None where git has none."""
        stdin = "".join(f"{r}\n" for r in requests).encode("utf-8", errors="surrogateescape")
        out = self._run(["cat-file", "--batch"], stdin=stdin).stdout
        position = 0
        answers: list[tuple[str, bytes] | None] = []
        for _ in requests:
            newline = out.find(b"\n", position)
            if newline < 0:
                raise GitError("could not parse git cat-file output")
            header = out[position:newline]
            position = newline + 1
            parts = header.split(b" ")
            if len(parts) == 3 and _HEX_SHA.fullmatch(_text(parts[0])) and parts[2].isdigit():
                size = int(parts[2])
                answers.append((_text(parts[1]), out[position : position + size]))
                position += size + 1  # content is followed by a newline
            else:  # "<request> missing" / "<request> ambiguous"
                answers.append(None)
        return answers

    def prefix(self) -> str:
        """Where this directory sits in its repository: "" at the top, else "sub/dir/"."""
        return self.orient([])[0]

    def orient(self, revs: Sequence[str]) -> tuple[str, list[str]]:
        """This directory's prefix in its repository ("" or "sub/dir/") and the full sha of
        each commit in `revs`, from one `git rev-parse`."""
        args = ["rev-parse", "--show-prefix", *(f"{_check_rev(r)}^{{commit}}" for r in revs), "--"]
        result = self._run(args, ok_returncodes=(0, 128))
        lines = _path_text(result.stdout).split("\n")
        shas = lines[1 : 1 + len(revs)]
        if result.returncode != 0 or not all(_HEX_SHA.fullmatch(sha) for sha in shas):
            raise GitError(
                f"unknown revision among {', '.join(map(repr, revs))} in {self.path}",
                returncode=result.returncode,
                stderr=_text(result.stderr),
            )
        return lines[0], shas

    def tree(self, rev: str) -> dict[str, bytes]:
        """Every entry of the tree at `rev`, path -> its mode (b"100644", b"120000" for a
        symbolic link, b"160000" for a submodule, b"040000" for a folder), from one
        `git ls-tree -r -t`, kept for a full commit id (whose tree never changes)."""
        _check_rev(rev)
        if rev in self._trees:
            return self._trees[rev]
        args = ["ls-tree", "-r", "-t", "-z", "--full-tree", "--end-of-options", f"{rev}^{{tree}}"]
        found: dict[str, bytes] = {}
        for entry in self._run(args).stdout.split(b"\0"):
            meta, tab, name = entry.partition(b"\t")
            if tab:
                found[_path_text(name)] = meta.split(b" ", 1)[0]
        if _HEX_SHA.fullmatch(rev):
            self._trees[rev] = found
        return found

    def list_files(self, rev: str, under: str) -> list[str]:
        """Paths of files at `rev` inside folder `under` ("" or "." for the whole tree)."""
        folder = under.strip("/")
        inside = "" if folder in ("", ".") else _check_path(folder) + "/"
        return [
            path
            for path, mode in self.tree(rev).items()
            if mode != _TREE_MODE and path.startswith(inside)
        ]

    def special_entries(self, rev: str, folders: Iterable[str]) -> dict[str, str]:
        """The entries directly in each of `folders` at `rev` that are not regular files, path
        -> what they are: a symbolic link (mode 120000, whose blob is the link's target, never
        to be read as the file), a submodule (160000, a commit of another repository) or a
        folder (from the same listing as `list_files`)."""
        wanted = {_check_path(f.strip("/")) for f in folders}
        found: dict[str, str] = {}
        for path, mode in self.tree(rev).items():
            kind = _SPECIAL_MODES.get(mode)
            if kind is not None and path.rpartition("/")[0] in wanted:
                found[path] = kind
        return found

    def changed_files(self, base: str, head: str) -> list[str]:
        """Paths that differ between the trees of `base` and `head` (a straight diff)."""
        args = [
            "diff",
            "-z",
            "--name-only",
            "--no-renames",
            "--no-relative",
            "--no-ext-diff",
            "--no-color",
            "--end-of-options",
            _check_rev(base),
            _check_rev(head),
            "--",
        ]
        out = self._run(args).stdout
        return [_path_text(p) for p in out.split(b"\0") if p]

    def toplevel(self) -> Path:
        """The top of the work tree (where `.gitattributes` applies from)."""
        result = self._run(["rev-parse", "--show-toplevel"])
        return Path(_path_text(result.stdout).removesuffix("\n"))

    def set_local_config(self, name: str, value: str) -> None:
        """Set `name` to `value` in this repository's own configuration (`.git/config`),
        never the user's or the system's."""
        if not _CONFIG_NAME.fullmatch(name) or any(ch in value for ch in "\n\r\0"):
            raise GitError(f"not a usable git setting: {name!r}")
        self._run(["config", "--local", "--replace-all", name, value])

    # -- writing (only `mcr demo-repo` and benchmarks write) -------------------------------

    @classmethod
    def init(cls, path: Path, *, branch: str = "main") -> Repository:
        """A new, empty repository at `path` (created if needed) on `branch`."""
        path.mkdir(parents=True, exist_ok=True)
        repo = cls(path)
        repo._run(["init", "-q", "-b", _check_rev(branch)])
        return repo

    def commit(
        self,
        paths: Sequence[str],
        message: str,
        *,
        author: tuple[str, str],
        when: datetime,
        signing_key: Path | None = None,
    ) -> str:
        """Stage `paths` (files written or deleted in the working tree) and commit them.

        The author and committer are `author`, both dated `when`; with `signing_key` (an SSH
        private key file) the commit is SSH-signed with it. Hooks and any configured signing
        are switched off, so only what is asked for happens. Returns the new commit's sha.
        """
        if paths:
            self._run(["add", "-A", "--", *(_check_path(p) for p in paths)])
        stamp = when.isoformat()
        env = {
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_COMMITTER_NAME": author[0],
            "GIT_COMMITTER_EMAIL": author[1],
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
        }
        config = ["core.hooksPath=" + os.devnull, "commit.gpgSign=false"]
        sign = ["--no-gpg-sign"]
        if signing_key is not None:
            config += ["gpg.format=ssh", f"user.signingKey={signing_key.absolute()}"]
            sign = ["-S"]
        self._run(
            ["commit", "-q", "--allow-empty", "--no-verify", *sign, "-F", "-"],
            config=config,
            stdin=message.encode("utf-8"),
            env=env,
        )
        return self.resolve("HEAD")

    # -- branches (`mcr keys shred`) ---------------------------------------------------------

    def branch_ref(self, name: str) -> str | None:
        """The full ref of branch `name`, local (``refs/heads/<name>``) or remote-tracking
        (``refs/remotes/<name>``, e.g. "origin/main"); None if `name` is no branch (HEAD, a
        tag, a commit id, a symbolic ref such as origin/HEAD)."""
        _check_rev(name)
        wanted = (f"refs/heads/{name}", f"refs/remotes/{name}")
        result = self._run(["for-each-ref", "--format=%(refname)%00%(symref)", *wanted])
        for line in _path_text(result.stdout).splitlines():
            ref, _, symref = line.partition("\0")
            if ref in wanted and not symref:
                return ref
        return None


_TREE_MODE = b"040000"
#: Tree entry modes that are not a regular file (100644) or an executable one (100755).
_SPECIAL_MODES = {
    b"120000": "a symbolic link",
    b"160000": "a submodule (gitlink)",
    b"040000": "a folder",
}


def _signature(status: bytes, fingerprint: bytes, signer: bytes) -> Signature:
    letter = _text(status).strip()
    if letter not in SIGNATURE_STATUSES:
        raise GitError(f"git reported an unknown signature status {letter!r}")
    return Signature(status=letter, key_fingerprint=_text(fingerprint), signer=_text(signer))


def _parse_trailers(raw: bytes, fmt: _LogFormat) -> tuple[tuple[str, str], ...]:
    trailers: list[tuple[str, str]] = []
    for item in raw.split(fmt.trailer_sep):
        if not item:
            continue
        key, sep, value = item.partition(fmt.key_value_sep)
        if not sep:
            raise GitError("could not parse a trailer in git's output")
        trailers.append((_text(key).strip(), _text(value).strip()))
    return tuple(trailers)


def _commit_date(sha: str, text: str) -> datetime:
    """A commit's committer date from git's `%cI`. git prints what the commit says, so a date
    Python cannot hold (a year after 9999, an offset of a day or more) or none at all (git
    then prints the placeholder itself) is an error that names the commit, not a crash."""
    try:
        when = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        when = None
    if when is None or when.tzinfo is None:
        raise GitError(
            f"commit {sha[:12]} has no usable committer date (git gives {text!r}), so its "
            "signature and approvals cannot be judged; recommit it with a real date"
        )
    return when


def _parse_log(output: bytes, fmt: _LogFormat) -> list[Commit]:
    chunks = output.split(fmt.record)
    if chunks[0].strip(b"\0\n"):
        raise GitError("unexpected output before the first commit from git log")
    commits: list[Commit] = []
    for chunk in chunks[1:]:
        header, sep, rest = chunk.partition(fmt.end)
        fields = header.split(fmt.field)
        if not sep or len(fields) != fmt.field_count:
            raise GitError("could not parse git log output")
        sha, parents, an, ae, cn, ce, date, subject, trailers, *signature = fields
        committed_at = _commit_date(_text(sha), _text(date))
        # After the header: the NUL that ends the commit under -z, then, if the commit
        # changed anything, a newline and the NUL-terminated paths.
        if rest.startswith(b"\0"):
            rest = rest[1:]
        if rest.startswith(b"\n"):
            rest = rest[1:]
        commits.append(
            Commit(
                sha=_text(sha),
                parents=tuple(_text(parents).split()),
                author_name=_text(an),
                author_email=_text(ae),
                committer_name=_text(cn),
                committer_email=_text(ce),
                committed_at=committed_at,
                subject=_text(subject),
                trailers=_parse_trailers(trailers, fmt),
                signature=_signature(*signature) if fmt.verify else UNSIGNED,
                changed_paths=tuple(_path_text(p) for p in rest.split(b"\0") if p),
            )
        )
    return commits
