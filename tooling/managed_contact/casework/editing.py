"""`mcr edit`: a sealed case opened in the user's editor, checked, sealed again and saved.

The case is unsealed into a private file (mode 0600, in a fresh folder of mode 0700) under
``/dev/shm`` where the system has it, which is memory, not disk; else the temporary folder.
The editor is ``$VISUAL``, else ``$EDITOR``, else ``vi``. What comes back is checked as
``mcr check`` would check the file; a case with errors is not saved, and the user may edit
again or give up. A saved case is sealed with its key and written whole or not at all
(`writing.write_atomic`).

Whatever happens, the case file holds either its old bytes or the new ones, and no plain text
is left behind:

- on every way out of `edit_case` (saved, unchanged, refused, an error) the private folder is
  removed;
- if ``mcr edit`` is killed outright (SIGKILL, a power cut aside), a small watchdog process it
  started notices its end and removes the folder;
- and every ``mcr edit`` first removes any ``mcr-edit-<pid>-*`` folder of this user whose
  process is gone, in case the watchdog was killed too.

The editor's own files (a swap or backup file) are made in the same private folder by
default, and go with it; an editor set up to keep them elsewhere, or to remember yanked
text, keeps that copy where it was told to.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path

from ..errors import ExitCode, McrError, UnknownCase
from ..register.check import check_loaded
from ..register.files import NotAFile, holds, pid_alive, read_bytes, write_atomic
from ..register.findings import Finding, Severity
from ..register.loading import Document, load_bytes
from ..register.personal import PLAINTEXT, load_spans, personal_values, seal_text, unseal_text
from ..register.snapshot import assemble, disk_files, display
from ..sealing.keystore import Keystore
from ..sealing.tokens import TokenError, is_token

#: The private folders' names: ``mcr-edit-<pid>-<random>``.
PREFIX = "mcr-edit-"
SHARED_MEMORY = Path("/dev/shm")

#: Removes the folder named by argv[1] once its parent closes the pipe on stdin (on exit, or
#: when killed). It ignores the signals a terminal sends to the whole process group.
_WATCHDOG = """\
import shutil, signal, sys
for name in ("SIGINT", "SIGHUP", "SIGTERM", "SIGQUIT"):
    signal.signal(getattr(signal, name), signal.SIG_IGN)
sys.stdin.buffer.read()
shutil.rmtree(sys.argv[1], ignore_errors=True)
"""


class EditFailed(McrError):
    """The edit could not be made; the case file is as it was."""

    exit_code = ExitCode.FINDINGS


class Outcome(Enum):
    SAVED = "saved"
    UNCHANGED = "unchanged"
    ABORTED = "aborted"


@dataclass
class EditResult:
    """How an edit ended, and the errors that kept it from being saved (if so)."""

    outcome: Outcome
    file: str
    findings: list[Finding] = field(default_factory=list)


#: Asked with the errors found in an edit: True to edit again, False to give up.
Retry = Callable[[Sequence[Finding]], bool]


def never(_: Sequence[Finding]) -> bool:
    """The answer when nobody can be asked (not a terminal): give up."""
    return False


def editor_command(environ: Mapping[str, str] | None = None) -> list[str]:
    """The user's editor as a command: ``$VISUAL``, else ``$EDITOR``, else ``vi``."""
    env = os.environ if environ is None else environ
    for name in ("VISUAL", "EDITOR"):
        value = env.get(name, "").strip()
        if value:
            return shlex.split(value)
    return ["vi"]


def temp_base() -> Path:
    """Where private folders go: /dev/shm (memory) if usable, else the temporary folder."""
    if SHARED_MEMORY.is_dir() and os.access(SHARED_MEMORY, os.W_OK | os.X_OK):
        return SHARED_MEMORY
    return Path(tempfile.gettempdir())


def sweep_stale(base: Path | None = None) -> list[Path]:
    """Remove this user's private folders left by an ``mcr edit`` whose process is gone."""
    base = base or temp_base()
    removed: list[Path] = []
    uid = os.getuid()
    for folder in base.glob(f"{PREFIX}*"):
        pid = folder.name.removeprefix(PREFIX).split("-", 1)[0]
        try:
            info = folder.lstat()
        except FileNotFoundError:
            continue
        if not pid.isdigit() or info.st_uid != uid or not folder.is_dir() or folder.is_symlink():
            continue
        if not pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


class _PrivateFolder:
    """A folder only this user can enter, removed on exit and by a watchdog if killed."""

    def __init__(self, base: Path) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base))
        os.chmod(self.path, 0o700)
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(self.path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def write(self, name: str, text: str) -> Path:
        path = self.path / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
        return path

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self._watchdog.stdin is not None:
            self._watchdog.stdin.close()
        self._watchdog.wait()


def _run_editor(command: Sequence[str], path: Path) -> None:
    try:
        result = subprocess.run([*command, str(path)], check=False)
    except OSError as exc:
        raise EditFailed(
            f"could not start the editor '{shlex.join(command)}': {exc.strerror}; "
            "set $VISUAL or $EDITOR"
        ) from None
    if result.returncode != 0:
        raise EditFailed(f"the editor exited with status {result.returncode}: nothing was saved")


def check_edit(
    root: Path, path: Path, raw: bytes, keystore: Keystore, today: date
) -> list[Finding]:
    """The errors ``mcr check`` would find in the case file at `path` if it held `raw` (plain
    text allowed: it is about to be sealed). Errors elsewhere (in policy data) are not the
    edit's, and do not stop it."""
    file = display(root, path)
    on_disk = disk_files(root)

    def load(name: str) -> tuple[Document | None, list[Finding]] | None:
        return load_bytes(raw, file) if name == file else on_disk(name)

    register, loaded = assemble(root, load, [file], keys=keystore.get)
    result = check_loaded(register, loaded, today)
    return [
        f
        for f in result.findings.sorted()
        if f.file == file and f.severity is Severity.ERROR and f.rule != PLAINTEXT
    ]


def _all_sealed(text: str, file: str) -> bool:
    doc = load_spans(text, file)
    return doc is not None and all(
        is_token(value) for _, _, value in personal_values(doc.data) if isinstance(value, str)
    )


def edit_case(
    root: Path,
    case_id: str,
    keystore: Keystore,
    editor: Sequence[str],
    today: date,
    *,
    retry: Retry = never,
    base: Path | None = None,
) -> EditResult:
    """Open case `case_id` in `editor`, unsealed; save it sealed if it checks without errors.

    `retry` is asked, with the errors, whether to edit again. EditFailed (the case file
    unchanged) if the case cannot be unsealed or the editor fails."""
    path = root / "cases" / f"{case_id}.yaml"
    file = display(root, path)
    try:
        original = read_bytes(path)
    except FileNotFoundError:
        raise UnknownCase(f"no case {case_id}: there is no {file}") from None
    except NotAFile as exc:
        raise EditFailed(
            f"{file} is {exc.kind}, not a regular file: replace it by the case file itself"
        ) from None
    base = base or temp_base()
    sweep_stale(base)
    try:
        original_text = original.decode("utf-8")
    except UnicodeDecodeError:
        raise EditFailed(f"{file} is not UTF-8 text: 'mcr check {file}' says where") from None
    if load_spans(original_text, file) is None:
        raise EditFailed(f"{file} does not load strictly: fix what 'mcr check {file}' reports")
    key = keystore.get(case_id)
    if key is None:
        raise McrError(f"{keystore.name} holds no key for {case_id}: it cannot be unsealed")
    try:
        plain = unseal_text(original_text, file, key)
    except TokenError as exc:
        raise EditFailed(
            f"{file} cannot be unsealed: {exc} ('mcr check {file}' says where)"
        ) from None

    folder = _PrivateFolder(base)
    try:
        work = folder.write(path.name, plain)
        while True:
            _run_editor(editor, work)
            try:
                raw = work.read_bytes()
            except FileNotFoundError:
                raise EditFailed("the edited file is gone: nothing was saved") from None
            if raw == plain.encode("utf-8"):
                return EditResult(Outcome.UNCHANGED, file)
            findings = check_edit(root, path, raw, keystore, today)
            if not findings:
                sealed = seal_text(raw.decode("utf-8"), file, key)
                if not _all_sealed(sealed, file):  # pragma: no cover - the check says why
                    raise EditFailed(f"{file}: the edit could not be sealed; nothing was saved")
                if sealed.encode("utf-8") == original:
                    return EditResult(Outcome.UNCHANGED, file)
                if not holds(path, original):
                    raise EditFailed(
                        f"{file} changed on disk while it was being edited: nothing was saved; "
                        "edit it again"
                    )
                write_atomic(path, sealed)
                return EditResult(Outcome.SAVED, file)
            if not retry(findings):
                return EditResult(Outcome.ABORTED, file, findings)
    finally:
        folder.remove()
