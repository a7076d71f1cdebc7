"""Where case keys are kept: the `Keystore` interface and its embedded back end, a directory.

A keystore holds one key per case and a keyless log of the keys it has shredded, so that a
shredded key is never mistaken for a lost one. Creating never overwrites: a key that exists is
the only way into every past version of its case. Shredding destroys the key; every sealed value
of that case, in every commit, clone and fork, then stays sealed for good.

The directory back end (the default) is a folder with one file per case, readable only by its
owner. Which keystore a command uses: ``--keystore``, else ``$MCR_KEYSTORE``, else the
register's own (`default_location`). A value starting ``vault:`` names an OpenBao or HashiCorp
Vault keystore (`vault`). A shredded case is never given a new key.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
import stat
from abc import ABC, abstractmethod
from datetime import date
from pathlib import Path

from ..errors import McrError
from .tokens import KEY_BYTES, CaseKey, new_secret

#: The file that marks a directory as a keystore (and so lets a tracked one be found).
MARKER = "MCR-KEYSTORE"
KEY_SUFFIX = ".mcrkey"
#: The file that marks a keystore as the fictional demo's, committed with it.
DEMO_MARKER = "FICTIONAL-DEMO"
#: Where the register keeps its keys when nothing else is said: inside the git directory,
#: which git never commits, pushes or clones.
GIT_DIR_NAME = "mcr-keys"
ENV = "MCR_KEYSTORE"
_CASE_ID = re.compile(r"MC-[0-9]{4}-[0-9]{4}\Z")

_MARKER_TEXT = """\
This directory is a keystore of the Managed Contact register: one key per case.
Anyone who can read it can read the personal data of every case it holds a key for.
Never commit it, copy it to shared drives or send it by email. See README "Personal data".
"""


class KeystoreError(McrError):
    """The keystore cannot be used as asked (unreachable, unreadable, refused)."""


class KeyExists(KeystoreError):
    """A key already exists for the case: creating would lose it."""


def check_case_id(case_id: str) -> str:
    """`case_id`, if it is one; keystore paths are built from it."""
    if not _CASE_ID.match(case_id):
        raise KeystoreError(f"'{case_id}' is not a case id like 'MC-2026-0001'")
    return case_id


class Keystore(ABC):
    """One key per case, and the record of those shredded."""

    #: Says which keystore this is, in messages (never a secret).
    name: str

    @abstractmethod
    def get(self, case_id: str) -> CaseKey | None:
        """The case's key, or None if the keystore has none."""

    @abstractmethod
    def create(self, case_id: str) -> CaseKey:
        """A new key for the case; KeyExists if it already has one."""

    @abstractmethod
    def case_ids(self) -> list[str]:
        """Every case the keystore holds a key for, sorted."""

    @abstractmethod
    def shred(self, case_id: str, day: date) -> None:
        """Destroy the case's key for good, and record that it was shredded on `day`."""

    @abstractmethod
    def shredded(self) -> dict[str, date]:
        """Every case whose key was shredded, with the day."""

    def shredded_on(self, case_id: str) -> date | None:
        """The day the case's key was shredded, if it was."""
        return self.shredded().get(case_id)

    def refuse_after_shred(self, case_id: str) -> None:
        """A shredded case is never given a new key: its old values must stay sealed for good,
        and a new key would make them look altered rather than shredded."""
        day = self.shredded_on(case_id)
        if day is not None:
            raise KeystoreError(
                f"the key of {case_id} was shredded on {day.isoformat()}: a deleted case is "
                "never reopened; open a new case with a new id"
            )


def _key_json(key: CaseKey) -> bytes:
    secret = base64.b64encode(key.secret).decode("ascii")
    record = {"case": key.case_id, "generation": key.generation, "secret": secret}
    return (json.dumps(record, sort_keys=True) + "\n").encode("ascii")


def key_from_record(case_id: str, record: object, where: str) -> CaseKey:
    """A `CaseKey` from its stored form, or a clear error naming `where` it came from."""
    try:
        if not isinstance(record, dict) or record.get("case") != case_id:
            raise ValueError("it is not this case's key")
        generation = record["generation"]
        if not isinstance(generation, int) or generation < 1:
            raise ValueError("bad generation")
        secret = base64.b64decode(str(record["secret"]), validate=True)
        if len(secret) != KEY_BYTES:
            raise ValueError("wrong length")
        return CaseKey(case_id, generation, secret)
    except (KeyError, ValueError, binascii.Error) as exc:
        raise KeystoreError(f"the key for {case_id} in {where} is damaged ({exc})") from None


class DirectoryKeystore(Keystore):
    """A directory with a key file per case (mode 0600) and a record of shredded keys."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        #: Refuse key files others can read; not in the fictional demo's committed keystore,
        #: whose files git checks out with the usual mode.
        self.private = not (path / DEMO_MARKER).is_file()

    def _key_file(self, case_id: str) -> Path:
        return self.path / "keys" / f"{check_case_id(case_id)}{KEY_SUFFIX}"

    def _ensure(self) -> None:
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        for folder in (self.path / "keys", self.path / "shredded"):
            folder.mkdir(mode=0o700, exist_ok=True)
        marker = self.path / MARKER
        if not marker.exists():
            _write_new(marker, _MARKER_TEXT.encode("ascii"), exist_ok=True)

    def get(self, case_id: str) -> CaseKey | None:
        file = self._key_file(case_id)
        try:
            fd = os.open(file, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise KeystoreError(
                f"cannot read the key for {case_id} in {self.name}: {exc.strerror} "
                "(a key file is a plain file, never a link)"
            ) from None
        try:  # checked before it is read: a folder or a device is refused, not opened
            _plain_file(fd, case_id, self.name, self.private)
        except KeystoreError:
            os.close(fd)
            raise
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read()
        try:
            record = json.loads(raw)
        except ValueError:
            record = None
        return key_from_record(case_id, record, self.name)

    def create(self, case_id: str) -> CaseKey:
        key = CaseKey(check_case_id(case_id), 1, new_secret())
        self.refuse_after_shred(case_id)
        self._ensure()
        try:
            _write_new(self._key_file(case_id), _key_json(key))
        except FileExistsError:
            raise KeyExists(f"{case_id} already has a key in {self.name}") from None
        return key

    def case_ids(self) -> list[str]:
        folder = self.path / "keys"
        if not folder.is_dir():
            return []
        names = (p.name.removesuffix(KEY_SUFFIX) for p in folder.glob(f"*{KEY_SUFFIX}"))
        return sorted(n for n in names if _CASE_ID.match(n))

    def shred(self, case_id: str, day: date) -> None:
        file = self._key_file(case_id)
        record = self.path / "shredded" / check_case_id(case_id)
        if not file.exists() and not record.exists():
            raise KeystoreError(f"{self.name} has no key for {case_id} to shred")
        self._ensure()
        if not record.exists():
            _write_new(record, f"{day.isoformat()}\n".encode("ascii"), exist_ok=True)
        try:
            fd = os.open(file, os.O_RDWR | os.O_NOFOLLOW)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise KeystoreError(
                f"cannot shred the key for {case_id} in {self.name}: {exc.strerror} "
                "(a key file is a plain file, never a link)"
            ) from None
        with os.fdopen(fd, "r+b") as handle:  # overwrite first; then the name goes too
            size = _plain_file(handle.fileno(), case_id, self.name, self.private)
            handle.write(b"\0" * size)
            handle.flush()
            os.fsync(handle.fileno())
        file.unlink()
        _sync_folder(file.parent)

    def shredded_on(self, case_id: str) -> date | None:
        record = self.path / "shredded" / check_case_id(case_id)
        if not record.is_file():
            return None
        return self.shredded().get(case_id)

    def shredded(self) -> dict[str, date]:
        folder = self.path / "shredded"
        if not folder.is_dir():
            return {}
        found: dict[str, date] = {}
        for record in sorted(folder.iterdir()):
            if _CASE_ID.match(record.name):
                try:
                    found[record.name] = date.fromisoformat(record.read_text("ascii").strip())
                except ValueError:
                    raise KeystoreError(f"the shred record {record} is damaged") from None
        return found


def _write_new(path: Path, data: bytes, *, exist_ok: bool = False) -> None:
    """Write a new file readable by its owner only, whole or not at all; never replace one."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)  # fails if `path` exists: a key is never overwritten
        except FileExistsError:
            if not exist_ok:
                raise
    finally:
        temp.unlink(missing_ok=True)
    _sync_folder(path.parent)  # the new name survives a power cut: a key handed out stays


def _sync_folder(path: Path) -> None:
    folder = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _plain_file(fd: int, case_id: str, where: str, private: bool) -> int:
    """The size of the open key file `fd`, once it is known to be a plain file (and, if
    `private`, one of this user's that nobody else can read)."""
    found = os.fstat(fd)
    if not stat.S_ISREG(found.st_mode):
        raise KeystoreError(f"the key for {case_id} in {where} is not a plain file")
    if private and (found.st_uid != os.getuid() or found.st_mode & 0o077):
        raise KeystoreError(
            f"the key for {case_id} in {where} can be read by others or is not yours: "
            "make it yours with mode 0600 (chmod 600), and ask who else has read it"
        )
    return found.st_size


def git_dir(root: Path) -> Path | None:
    """The git directory of the repository whose work tree is `root`, read without git
    (a linked worktree's points back to the main one, so every worktree shares the keys)."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    if not dot_git.is_file():
        return None
    text = dot_git.read_text("utf-8", errors="replace").strip()
    if not text.startswith("gitdir:"):
        return None
    found = (root / text.removeprefix("gitdir:").strip()).resolve()
    common = found / "commondir"
    if common.is_file():
        found = (found / common.read_text("utf-8").strip()).resolve()
    return found


def default_location(root: Path) -> Path | None:
    """The register's own keystore: `mcr-keys` in its git directory (None outside git)."""
    found = git_dir(root)
    return found / GIT_DIR_NAME if found is not None else None


def open_keystore(spec: str | None, root: Path, demo: Path | None = None) -> Keystore | None:
    """The keystore named by `spec` (``--keystore``, else ``$MCR_KEYSTORE``), else the
    register's own if it exists, else the fictional demo's committed one (`demo`).

    The register's own comes before the demo's, so that a branch declaring itself the demo
    cannot send new keys into the work tree. None means there is no keystore: checks then run
    keyless."""
    spec = spec or os.environ.get(ENV) or None
    if spec is not None and spec.startswith("vault:"):
        from .vault import VaultKeystore

        return VaultKeystore.from_spec(spec)
    if spec is not None:
        return DirectoryKeystore(Path(spec))
    location = default_location(root)
    if location is not None and location.is_dir():
        return DirectoryKeystore(location)
    if demo is not None and (demo / MARKER).is_file():
        return DirectoryKeystore(demo)
    return None


def creating_keystore(spec: str | None, root: Path, demo: Path | None = None) -> Keystore:
    """The keystore a new key goes into: as `open_keystore`, but the register's own is made
    when there is none yet."""
    found = open_keystore(spec, root, demo)
    if found is not None:
        return found
    location = default_location(root)
    if location is None:
        raise KeystoreError(
            f"{root} is not in a git repository, so it has no keystore of its own: "
            f"give one with --keystore DIR or ${ENV}"
        )
    return DirectoryKeystore(location)
