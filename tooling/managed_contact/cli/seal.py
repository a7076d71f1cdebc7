"""`mcr seal`, `mcr unseal` and `mcr setup`: sealing case files, reading them, and letting
git show key holders the plain text of a diff."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from ..casework.writing import CaseFileError, case_files_in, seal_file
from ..errors import ExitCode, McrError
from ..register.personal import load_spans, unseal_text
from ..register.snapshot import demo_keystore, display
from ..sealing.keystore import Keystore, KeystoreError, creating_keystore
from ..sealing.tokens import TokenError
from .options import handle_errors, keystore_for, keystore_option, register_option, register_root

#: A case file's name, also as git's temporary copy of a past version (``XXXXXX_MC-….yaml``).
_CASE_IN_NAME = re.compile(r"(MC-[0-9]{4}-[0-9]{4})\.yaml\Z")

#: What `mcr setup` writes to the repository's own git configuration.
GIT_SETTINGS = (
    ("diff.mcr.textconv", "mcr unseal --textconv"),
    # A cached text conversion would be kept in the repository (refs/notes): plain text.
    ("diff.mcr.cachetextconv", "false"),
)
ATTRIBUTES = "cases/MC-*.yaml diff=mcr"


def require_keystore(root: Path, spec: str | None, why: str) -> Keystore:
    """The keystore, or a usage error (exit 2) saying one is needed and how to give one."""
    found = keystore_for(root, spec)
    if found is None:
        raise KeystoreError(
            f"a keystore is needed {why}: give one with --keystore DIR (or $MCR_KEYSTORE); "
            "this register has none of its own"
        )
    return found


def _case_id(path: Path) -> str:
    match = _CASE_IN_NAME.search(path.name)
    if match is None:
        raise McrError(f"{path} is not a case file (named like MC-2026-0001.yaml)")
    return match.group(1)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@register_option
@keystore_option
@handle_errors
def seal(paths: tuple[Path, ...], register_dir: Path | None, keystore_spec: str | None) -> None:
    """Seal the plain-text personal values of case files in place (default: every case).

    A case without a key gets one. Only values in plain text are sealed, so sealing a sealed
    file changes no byte. Prints how many values each file had sealed, never the values.
    """
    root = register_root(register_dir, paths[0] if paths else None)
    keystore = creating_keystore(keystore_spec, root, demo_keystore(root))
    files: list[Path] = []
    for path in paths or (root,):
        files += case_files_in(path) if path.is_dir() else [path]
    failed = 0
    for path in files:
        file = display(root, path)
        try:
            done = seal_file(path, file, keystore)
        except (CaseFileError, KeystoreError) as exc:
            click.echo(f"mcr: {exc}", err=True)
            failed += 1
            continue
        if done.values:
            key = f" (new key in {keystore.name})" if done.new_key else ""
            click.echo(f"{file}: sealed {done.values} value(s){key}")
        else:
            click.echo(f"{file}: nothing in plain text")
    if failed:
        click.echo(f"{failed} file(s) could not be sealed, and are unchanged", err=True)
        sys.exit(ExitCode.FINDINGS)


def _textconv(path: Path) -> bytes:
    """The file unsealed, if its key is at hand; else the file as it is. Never fails."""
    raw = path.read_bytes()
    try:
        case_id = _case_id(path)
        here = path.parent if _CASE_IN_NAME.fullmatch(path.name) else Path.cwd()
        try:
            root = register_root(None, here)
        except McrError:
            root = Path.cwd()
        keystore = keystore_for(root, None)
        key = keystore.get(case_id) if keystore is not None else None
        if key is None:
            return raw
        return unseal_text(raw.decode("utf-8"), f"cases/{case_id}.yaml", key).encode("utf-8")
    except Exception:  # git diff must always work: show the file as it is
        return raw


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--textconv",
    is_flag=True,
    help="For git (see mcr setup): print the file as it is when it cannot be unsealed "
    "(no keystore, no key, not a case), and never fail.",
)
@register_option
@keystore_option
@handle_errors
def unseal(
    path: Path, textconv: bool, register_dir: Path | None, keystore_spec: str | None
) -> None:
    """Print a case file with its sealed values opened (the file itself is not changed).

    The output holds personal data: read it, do not keep it or paste it where others see it.
    """
    out = sys.stdout.buffer
    if textconv:
        out.write(_textconv(path))
        return
    root = register_root(register_dir, path.parent)
    file = display(root, path)
    case_id = _case_id(path)
    keystore = require_keystore(root, keystore_spec, "to unseal a case")
    key = keystore.get(case_id)
    if key is None:
        raise KeystoreError(f"{keystore.name} holds no key for {case_id}")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise CaseFileError(f"{file} is not UTF-8 text: 'mcr check {file}' says where") from None
    if load_spans(text, file) is None:
        raise CaseFileError(f"{file} does not load strictly: 'mcr check {file}' says why")
    try:
        out.write(unseal_text(text, file, key).encode("utf-8"))
    except TokenError as exc:
        raise CaseFileError(
            f"{file} cannot be unsealed: {exc} ('mcr check {file}' says where)"
        ) from None


@click.command()
@register_option
@handle_errors
def setup(register_dir: Path | None) -> None:
    """Let git show key holders the plain text of case files in diffs and logs.

    Writes this repository's own git configuration (never your global one): case files are
    shown through 'mcr unseal --textconv', with the result never cached. The committed
    .gitattributes names the files. Without a key, git shows the sealed text.
    """
    from ..changes.git import Repository

    root = register_root(register_dir)
    repo = Repository(root)
    for name, value in GIT_SETTINGS:
        repo.set_local_config(name, value)
        click.echo(f"git config --local {name} '{value}'")
    attributes = repo.toplevel() / ".gitattributes"
    text = attributes.read_text("utf-8") if attributes.is_file() else ""
    if "diff=mcr" not in text:
        click.echo(
            f"note: {attributes} does not name the case files; add the line: {ATTRIBUTES}",
            err=True,
        )
