"""Writing case files: whole or not at all, sealed, and sealing the files already there.

A case file is replaced whole or not at all, never through a symbolic link
(`register.files.write_atomic`). What is written is always sealed text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ExitCode, McrError
from ..register.files import NotAFile, kind_of, read_bytes, write_atomic
from ..register.personal import load_spans, personal_values, seal_text
from ..register.snapshot import CASE_NAME, case_paths
from ..sealing.keystore import Keystore
from ..sealing.tokens import TokenError, is_token, parse


class CaseFileError(McrError):
    """A case file that cannot be sealed or written as asked; it is left as it was."""

    exit_code = ExitCode.FINDINGS


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
        text = read_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise CaseFileError(f"{file}: not UTF-8 text; 'mcr check {file}' says where") from None
    except NotAFile as exc:
        raise CaseFileError(
            f"{file}: is {exc.kind}, not a regular file: replace it by the file itself"
        ) from None
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
    return [p for p in case_paths(root) if CASE_NAME.match(p.name) and kind_of(p) is None]
