"""How the register's files are read and written safely.

Reading: a case or policy file is a *regular* file. Anything else at its path (a symbolic link,
dangling or not, a FIFO, a device, a socket, a folder, or a git submodule) is never followed,
never opened for its content and never skipped: it is a finding (`NOT_A_FILE`, MC020) naming
the file and what to do. A file is opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked with
``fstat`` on the open descriptor, so a link swapped in after the check is refused too and a FIFO
never blocks the reader.

Writing: `write_atomic` is the one way the tool writes a file. The new bytes go to a hidden file
created new (``O_CREAT | O_EXCL | O_NOFOLLOW``) in the target's folder, opened itself with
``O_DIRECTORY | O_NOFOLLOW``; the file is flushed to disk, renamed over the target and the folder
flushed, so a reader or a crash sees the old bytes or the new ones, never a mix, and a write
killed midway leaves the target as it was. A target that is a symbolic link (or anything but a
regular file) is refused, naming it: nothing is ever written through a link.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from ..errors import ExitCode, McrError
from .findings import Finding, Severity

#: The rule a path in cases/ or policy/ that is not a regular file breaks (declared, with its
#: summary, in rules/file_kinds.py).
NOT_A_FILE = "MC020"

#: Hidden files a write leaves only if it is killed between creating and renaming them; the
#: next write to the same folder removes those whose process is gone.
TEMP_PREFIX = ".mcr-write-"

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


class UnsafeTarget(McrError):
    """A write refused: its target (or the target's folder) is a symbolic link or not a
    regular file. Nothing was written."""


class WriteFailed(McrError):
    """A write that the system refused midway (a full disk, a fault): the target was left as
    it was, and nothing half-written stays behind."""

    exit_code = ExitCode.FINDINGS


class NotAFile(OSError):
    """A path that is there but is not a regular file; `kind` says what it is."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path} is {kind}")
        self.path = path
        self.kind = kind


def kind_of_mode(mode: int) -> str | None:
    """What a file of this `st_mode` is, in words ("a symbolic link"), or None for a regular
    file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def kind_of(path: Path) -> str | None:
    """What is at `path` if it is not a regular file ("a symbolic link", "a FIFO", ...), never
    following a link; None for a regular file. FileNotFoundError if nothing is there."""
    return kind_of_mode(os.lstat(path).st_mode)


def not_a_file(file: str, kind: str) -> Finding:
    """The finding for `file` (as shown, "cases/MC-2026-0001.yaml"), which is `kind`."""
    if kind == "a symbolic link":
        todo = "replace the link by the file itself (the register never follows a link)"
    elif kind.endswith("which is a symbolic link"):
        todo = "replace the link by the folder itself (the register never follows a link)"
    elif kind.startswith("a submodule"):
        todo = "remove the submodule and commit the file itself (git rm --cached, then add it)"
    elif kind == "a folder":
        todo = "move the folder out of the register and put the case file in its place"
    else:
        todo = "remove it and put the file itself in its place"
    return Finding(
        file,
        1,
        1,
        "",
        NOT_A_FILE,
        Severity.ERROR,
        f"'{file}' is {kind}"
        + ("" if kind.startswith("in ") else ", not a regular file")
        + f", so it was not read: {todo}",
    )


@dataclass(frozen=True)
class Read:
    """The first bytes of a regular file (up to the bound asked for) and its whole size."""

    data: bytes
    size: int


def read_regular(path: Path, max_bytes: int | None = None) -> Read:
    """The content of the regular file at `path` (at most `max_bytes` + 1 bytes of it), read
    without following a link and without blocking: NotAFile if it is anything else,
    FileNotFoundError if nothing is there."""
    kind = kind_of(path)
    if kind is not None:
        raise NotAFile(path, kind)
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a link swapped in after the first look
            raise NotAFile(path, "a symbolic link") from None
        raise
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        kind = kind_of_mode(info.st_mode)
        if kind is not None:  # swapped after the first look
            raise NotAFile(path, kind)
        data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    return Read(data, info.st_size)


def read_bytes(path: Path) -> bytes:
    """The whole regular file at `path` (see `read_regular`)."""
    return read_regular(path).data


def holds(path: Path, expected: bytes) -> bool:
    """Whether `path` is still a regular file holding exactly `expected` (False if it is gone,
    or was replaced by anything else, a link included)."""
    try:
        return read_bytes(path) == expected
    except OSError:
        return False


# --- writing ------------------------------------------------------------------------------


def pid_alive(pid: int) -> bool:
    """Whether process `pid` is still running (its leftovers are then not swept)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_writes(folder: int) -> None:
    """Remove, in the folder open as `folder`, the half-written files of writes that were
    killed (their process is gone)."""
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            if not name.startswith(TEMP_PREFIX):
                continue
            pid = name.removeprefix(TEMP_PREFIX).split("-", 1)[0]
            if pid.isdigit() and not pid_alive(int(pid)):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name, dir_fd=folder)


def open_folder(folder: Path) -> int:
    """A descriptor of `folder`, opened without following a link at it (UnsafeTarget if it is
    a link or not a folder; FileNotFoundError if it is missing)."""
    try:
        return os.open(folder, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
    except FileNotFoundError:
        raise
    except OSError:
        kind = None
        with contextlib.suppress(OSError):
            kind = kind_of(folder)
        raise UnsafeTarget(
            f"{folder} is {kind or 'not a folder'}: mcr writes only into a real folder, never "
            "through a link; give the folder itself"
        ) from None


class NotPrivate(McrError):
    """A folder for personal data (a subject access report, a letter) that is not private:
    not this user's own, or open to others. Nothing was written."""

    exit_code = ExitCode.FINDINGS


def private_folder(folder: Path, holds: str) -> int:
    """A descriptor of `folder` for files holding personal data (`holds`, e.g. "a letter"),
    made 0700 if missing. NotPrivate unless it is this user's own and no one else may read,
    write or enter it; UnsafeTarget if it is a link or not a folder."""
    if not os.path.lexists(folder):
        folder.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, 0o700)
    fd = open_folder(folder)
    info = os.fstat(fd)
    why = None
    if info.st_uid != os.geteuid():
        why = "is not owned by you"
    elif info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        why = "can be read or written by others (chmod 700 it)"
    if why is not None:
        os.close(fd)
        raise NotPrivate(f"{folder} {why}: {holds} is written only to a private folder")
    return fd


def _existing_mode(folder: int, name: str, shown: Path) -> int | None:
    """The permissions of the regular file `name` in `folder`, None if there is none;
    UnsafeTarget if something else is there."""
    try:
        info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return None
    kind = kind_of_mode(info.st_mode)
    if kind == "a symbolic link":
        raise UnsafeTarget(
            f"{shown} is a symbolic link: mcr never writes through a link, so nothing was "
            "written; remove the link (or give another path) and run the command again"
        )
    if kind is not None:
        raise UnsafeTarget(
            f"{shown} is {kind}, not a regular file: nothing was written; give another path"
        )
    return info.st_mode & 0o7777


def check_targets(folder: int, names: list[str], shown: Path) -> None:
    """UnsafeTarget if any of `names` in the folder open as `folder` (shown as `shown`) is a
    link or anything but a regular file: a writer of several files checks them all first, so
    that none is written when one is refused."""
    for name in names:
        _existing_mode(folder, name, shown / name)


def write_in(
    folder: int,
    name: str,
    data: bytes | str,
    *,
    mode: int | None = None,
    new_mode: int = 0o644,
    new: bool = False,
    shown: Path | None = None,
) -> None:
    """Write `name` in the folder open as `folder`, whole or not at all (see the module).

    The file gets `mode` if given (e.g. 0600 for personal output), else keeps the mode of the
    file it replaces, else `new_mode`. With `new`, only create it (FileExistsError if anything
    is there). UnsafeTarget if a link or anything but a regular file is at `name`."""
    where = shown if shown is not None else Path(name)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    sweep_writes(folder)
    existing = _existing_mode(folder, name, where)
    if new and existing is not None:
        raise FileExistsError(errno.EEXIST, "a file is already there", str(where))
    final = mode if mode is not None else existing if existing is not None else new_mode
    temp = f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(6)}"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600, dir_fd=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
                handle.flush()
                os.fchmod(handle.fileno(), final)
                os.fsync(handle.fileno())
            if new:
                os.link(temp, name, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)
            else:
                os.replace(temp, name, src_dir_fd=folder, dst_dir_fd=folder)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp, dir_fd=folder)
    except FileExistsError:
        raise
    except OSError as exc:
        raise WriteFailed(
            f"could not write {where}: {exc.strerror or exc}; it was left as it was"
        ) from None
    # The new name is in place; flushing the folder makes it survive a power cut where the
    # file system can (some cannot flush a folder, and say so).
    with contextlib.suppress(OSError):
        os.fsync(folder)


def write_atomic(
    path: Path,
    data: bytes | str,
    *,
    mode: int | None = None,
    new_mode: int = 0o644,
    new: bool = False,
) -> None:
    """Replace (or, with `new`, only create) the file at `path` with `data` (text is written as
    UTF-8), whole or not at all, never through a link: see `write_in`."""
    folder = open_folder(path.parent)
    try:
        write_in(folder, path.name, data, mode=mode, new_mode=new_mode, new=new, shown=path)
    finally:
        os.close(folder)
