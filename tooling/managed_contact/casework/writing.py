"""Writing case files: whole or not at all, sealed, and sealing the files already there.

A case file is replaced by writing the new text to a hidden file beside it (created new, never
through a symbolic link), flushing it to disk and renaming it over the old one, so a reader or a
crash sees the old bytes or the new ones, never a mix. What is written is always sealed text.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..errors import ExitCode, McrError
from ..register.personal import load_spans, personal_values, seal_text
from ..register.snapshot import CASE_NAME, case_paths
from ..sealing.keystore import Keystore
from ..sealing.tokens import TokenError, is_token, parse

#: Hidden files a write leaves only if it is killed between creating and renaming them; they
#: hold sealed text only, and the next write to the same folder removes them.
TEMP_PREFIX = ".mcr-write-"


class CaseFileError(McrError):
    """A case file that cannot be sealed or written as asked; it is left as it was."""

    exit_code = ExitCode.FINDINGS


def pid_alive(pid: int) -> bool:
    """Whether process `pid` is still running (its leftovers are then not swept)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_writes(folder: Path) -> None:
    """Remove the half-written files of writes that were killed (their process is gone)."""
    for stale in folder.glob(f"{TEMP_PREFIX}*"):
        pid = stale.name.removeprefix(TEMP_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            stale.unlink(missing_ok=True)


def write_atomic(path: Path, text: str, *, new: bool = False) -> None:
    """Replace `path` with `text` (UTF-8), whole or not at all; with `new`, only create it
    (FileExistsError if it exists). The file keeps its permissions (a new one gets 0644)."""
    folder = path.parent
    sweep_writes(folder)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    temp = folder / f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(6)}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        if new:
            os.link(temp, path)  # fails if `path` exists: never replaces a case file
        else:
            os.replace(temp, path)
        _sync_folder(folder)
    finally:
        temp.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Census:
    """What a case file's personal values are, from one reading of it: how many are in plain
    text, how many sealed, and the stable paths of those sealing cannot make sealed (a value
    that is not text, or text that starts like a sealed value but is not a complete one)."""

    plaintext: int
    tokens: int
    unsealable: tuple[str, ...]


def _well_formed(token: str) -> bool:
    try:
        parse(token)
    except TokenError:
        return False
    return True


def census(text: str, file: str) -> Census | None:
    """The `Census` of a case file's text (None: it does not load strictly, so nobody can say
    which values are personal). Never the values."""
    doc = load_spans(text, file)
    if doc is None:
        return None
    plaintext = tokens = 0
    unsealable: list[str] = []
    for _, label, value in personal_values(doc.data):
        if value is None:
            continue
        if not isinstance(value, str) or (is_token(value) and not _well_formed(value)):
            unsealable.append(label)
        elif is_token(value):
            tokens += 1
        else:
            plaintext += 1
    return Census(plaintext, tokens, tuple(unsealable))


@dataclass(frozen=True)
class Sealed:
    """What sealing one file did: how many values it sealed, and whether it made the key."""

    file: str
    values: int
    new_key: bool = False


def seal_file(path: Path, file: str, keystore: Keystore) -> Sealed:
    """Seal the plain-text personal values of one case file in place (making the case's key
    if it has none). CaseFileError, naming why, if it cannot; the file is then unchanged."""
    if not CASE_NAME.match(path.name):
        raise CaseFileError(f"{file}: not a case file (named like MC-2026-0001.yaml)")
    case_id = path.stem
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise CaseFileError(f"{file}: not UTF-8 text; 'mcr check {file}' says where") from None
    except OSError as exc:
        raise CaseFileError(f"{file}: cannot read it: {exc.strerror}") from None
    found = census(text, file)
    if found is None:
        raise CaseFileError(
            f"{file}: does not load strictly, so its personal values cannot be found: "
            f"fix what 'mcr check {file}' reports, then seal it"
        )
    if found.unsealable:
        raise CaseFileError(
            f"{file}: cannot seal {', '.join(found.unsealable)}: a personal value must be text "
            "(in quotes if it looks like a number or a date), and one starting 'ENC[' must be "
            f"a complete sealed value; 'mcr check {file}' says where"
        )
    count = found.plaintext
    if count == 0:
        return Sealed(file, 0)
    key = keystore.get(case_id)
    new_key = False
    if key is None:
        if found.tokens:
            raise CaseFileError(
                f"{file}: has sealed values but {keystore.name} holds no key for {case_id}; "
                "a new key would not open them (give the keystore that has it with --keystore)"
            )
        key = keystore.create(case_id)
        new_key = True
    sealed = seal_text(text, file, key)
    after = census(sealed, file)
    if after is None or after.plaintext or after.unsealable:
        raise CaseFileError(f"{file}: sealing left a personal value in plain text; unchanged")
    write_atomic(path, sealed)
    return Sealed(file, count, new_key)


def case_files_in(root: Path) -> list[Path]:
    """Every case file of the register at `root`."""
    return [p for p in case_paths(root) if p.is_file() and CASE_NAME.match(p.name)]
