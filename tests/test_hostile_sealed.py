"""Hostile sealed values and keystores: each is reported with its rule and line, or refused.

A token copied from another case or another field, cut short, with one byte flipped, of another
key generation or format; and a keystore that is missing, unreadable, or holds a key for no case.
`mcr check` reports a bad token as MC011 (not whole: with or without keys) or MC012 (whole, but
the case's key does not open it), on the token's line; a missing keystore leaves the check
keyless, naming the rules it skipped; an unreadable key is refused (exit 2) with its reason;
`mcr keys check` names a lost key and a stray one.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from managed_contact.cli.main import main
from managed_contact.register.personal import seal_text
from managed_contact.sealing.keystore import DirectoryKeystore
from managed_contact.sealing.tokens import CaseKey, Sealer

from conftest import REPO, TODAY

VALID = REPO / "tests" / "corpus" / "valid"
CASE = "MC-2026-0103"
OTHER = "MC-2026-0101"
FILE = f"cases/{CASE}.yaml"
NAME_LINE = 5
ALIAS_LINE = 6
ADDRESS_LINE = 7
ACCOUNT_LINE = 19


@dataclass
class Sealed:
    """A register holding CASE sealed, its keystore, and the tokens of its fields."""

    root: Path
    store: DirectoryKeystore
    lines: list[str]

    def token_on(self, line: int) -> str:
        text = self.lines[line - 1]
        return text[text.index("ENC[") : text.index("]", text.index("ENC[")) + 1]

    def write(self) -> None:
        (self.root / FILE).write_text("\n".join(self.lines), encoding="utf-8")

    def put(self, line: int, token: str) -> None:
        self.lines[line - 1] = self.lines[line - 1].replace(self.token_on(line), token)
        self.write()

    def mcr(self, *args: str, keystore: str | None = None) -> tuple[int, str]:
        result = CliRunner().invoke(
            main,
            [
                *args,
                "--register",
                str(self.root),
                "--keystore",
                keystore or str(self.store.path),
                "--today",
                TODAY.isoformat(),
            ],
        )
        return result.exit_code, result.output


@pytest.fixture
def sealed(tmp_path: Path) -> Sealed:
    root = tmp_path / "register"
    shutil.copytree(REPO / "policy", root / "policy")
    (root / "cases").mkdir()
    store = DirectoryKeystore(tmp_path / "keystore")
    text = (VALID / f"{CASE}.yaml").read_text(encoding="utf-8")
    sealed = seal_text(text, FILE, store.create(CASE))
    made = Sealed(root, store, sealed.split("\n"))
    made.write()
    assert made.lines[NAME_LINE - 1].startswith("  name: ENC[")
    assert made.lines[ACCOUNT_LINE - 1].startswith("    account: ENC[")
    return made


def _flip(token: str, at: int) -> str:
    body = token.removeprefix("ENC[mcr1,1,").removesuffix("]")
    raw = bytearray(base64.b64decode(body))
    raw[at] ^= 0x01
    return f"ENC[mcr1,1,{base64.b64encode(bytes(raw)).decode()}]"


def _other_case_token(store: DirectoryKeystore) -> str:
    return Sealer(store.get(OTHER) or store.create(OTHER)).seal("customer.name", "Other Person")


Tamper = Callable[[Sealed], tuple[int, str]]

#: (id, line, how the token is made) -> the rule the check reports on that line.
TOKENS: list[tuple[str, str, int, Tamper]] = [
    ("another-case", "MC012", NAME_LINE, lambda s: (NAME_LINE, _other_case_token(s.store))),
    (
        "another-field",
        "MC012",
        ACCOUNT_LINE,
        lambda s: (ACCOUNT_LINE, s.token_on(NAME_LINE)),
    ),
    ("alias-as-name", "MC012", NAME_LINE, lambda s: (NAME_LINE, s.token_on(ALIAS_LINE))),
    ("truncated-end", "MC011", NAME_LINE, lambda s: (NAME_LINE, s.token_on(NAME_LINE)[:-1])),
    (
        "truncated-half",
        "MC011",
        NAME_LINE,
        lambda s: (NAME_LINE, s.token_on(NAME_LINE)[: len(s.token_on(NAME_LINE)) // 2] + "]"),
    ),
    ("only-the-head", "MC011", ADDRESS_LINE, lambda s: (ADDRESS_LINE, "ENC[mcr1,1,]")),
    ("bit-flipped", "MC012", NAME_LINE, lambda s: (NAME_LINE, _flip(s.token_on(NAME_LINE), 5))),
    (
        "tag-flipped",
        "MC012",
        ACCOUNT_LINE,
        lambda s: (ACCOUNT_LINE, _flip(s.token_on(ACCOUNT_LINE), 0)),
    ),
    (
        "not-base64",
        "MC011",
        NAME_LINE,
        lambda s: (NAME_LINE, s.token_on(NAME_LINE)[:-3] + "*=]"),
    ),
    (
        "generation-2",
        "MC012",
        NAME_LINE,
        lambda s: (NAME_LINE, s.token_on(NAME_LINE).replace("ENC[mcr1,1,", "ENC[mcr1,2,")),
    ),
    (
        "unknown-format",
        "MC011",
        NAME_LINE,
        lambda s: (NAME_LINE, s.token_on(NAME_LINE).replace("mcr1", "mcr9")),
    ),
    (
        "sealed-with-generation-2-key",
        "MC012",
        NAME_LINE,
        lambda s: (
            NAME_LINE,
            Sealer(CaseKey(CASE, 2, os.urandom(64))).seal("customer.name", "Someone"),
        ),
    ),
]

KEYSTORES = [
    "missing-keystore",
    "missing-key",
    "key-readable-by-others",
    "key-mode-000",
    "key-is-a-link",
    "key-is-a-folder",
    "key-not-json",
    "key-wrong-length",
    "stray-key",
]

HOSTILE_INPUTS: list[tuple[str, str]] = [("sealed", f"token-{t[0]}") for t in TOKENS] + [
    ("sealed", k) for k in KEYSTORES
]


@pytest.mark.parametrize(("name", "rule", "line", "tamper"), TOKENS, ids=[t[0] for t in TOKENS])
def test_a_hostile_token_is_reported_on_its_line(
    sealed: Sealed, name: str, rule: str, line: int, tamper: Tamper
) -> None:
    at, token = tamper(sealed)
    sealed.put(at, token)
    code, out = sealed.mcr("check", "--format", "json")
    assert code == 1, out
    found = [(f["rule"], f["file"], f["line"]) for f in json.loads(out)["findings"]]
    assert found == [(rule, FILE, line)], out
    # MC011 is whole-token damage: it shows without keys too, on the same line.
    code, out = sealed.mcr("check", "--format", "json", keystore=str(sealed.root / "no-keys"))
    keyless = [(f["rule"], f["file"], f["line"]) for f in json.loads(out)["findings"]]
    assert keyless == ([(rule, FILE, line)] if rule == "MC011" else []), out
    assert code == (1 if rule == "MC011" else 0), out


def test_a_token_from_another_field_says_where_it_belongs(sealed: Sealed) -> None:
    sealed.put(ACCOUNT_LINE, sealed.token_on(NAME_LINE))
    _, out = sealed.mcr("check")
    assert f"{FILE}:{ACCOUNT_LINE}:" in out
    assert "sealed value belongs to customer.name, not here: was it copied?" in out


def _skipped(out: str) -> list[str]:
    return sorted(line.split()[1] for line in out.splitlines() if line.startswith("skipped:"))


def test_a_missing_keystore_leaves_the_check_keyless_and_says_what_it_skipped(
    sealed: Sealed,
) -> None:
    gone = str(sealed.root.parent / "no-such-keystore")
    code, out = sealed.mcr("check", keystore=gone)
    assert code == 0, out
    assert _skipped(out) == ["MC012", "MC030", "MC381"], out
    code, out = sealed.mcr("keys", "check", keystore=gone)
    assert code == 1
    assert out.splitlines()[0].startswith(f"{FILE}: error: lost: no key in {gone}")
    code, out = sealed.mcr("show", CASE, "--reveal", keystore=gone)
    assert code == 0, out
    assert "customer: [sealed " in out
    assert "Jordan" not in out


def test_a_missing_key_is_lost_and_the_case_checked_keyless(sealed: Sealed) -> None:
    (sealed.store.path / "keys" / f"{CASE}.mcrkey").unlink()
    code, out = sealed.mcr("check")
    assert code == 0, out
    assert _skipped(out) == ["MC012", "MC030", "MC381"], out
    code, out = sealed.mcr("keys", "check")
    assert code == 1
    assert out.splitlines()[0].startswith(f"{FILE}: error: lost: no key in ")


def _key_file(sealed: Sealed) -> Path:
    return sealed.store.path / "keys" / f"{CASE}.mcrkey"


REFUSALS: dict[str, tuple[Callable[[Path], None], str]] = {
    "key-readable-by-others": (
        lambda p: p.chmod(0o644),
        "can be read by others or is not yours: make it yours with mode 0600",
    ),
    "key-is-a-link": (
        lambda p: (p.rename(p.with_suffix(".real")), p.symlink_to(p.with_suffix(".real"))),
        "a key file is a plain file, never a link",
    ),
    "key-is-a-folder": (lambda p: (p.unlink(), p.mkdir()), "is not a plain file"),
    "key-not-json": (lambda p: p.write_bytes(b"\x00not a key"), f"for {CASE}"),
    "key-wrong-length": (
        lambda p: p.write_text(
            json.dumps({**json.loads(p.read_text()), "secret": base64.b64encode(b"x").decode()})
        ),
        f"for {CASE}",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
@pytest.mark.parametrize("command", [("check",), ("show", CASE, "--reveal")])
def test_an_unusable_key_is_refused_with_its_reason(
    sealed: Sealed, name: str, command: tuple[str, ...]
) -> None:
    damage, reason = REFUSALS[name]
    damage(_key_file(sealed))
    code, out = sealed.mcr(*command)
    assert code == 2, out
    assert out.startswith("mcr: "), out
    assert reason in out, out
    assert "Traceback" not in out
    assert "Jordan" not in out


@pytest.fixture
def elsewhere() -> Iterator[Path]:
    """A folder others may enter (a test's own folder is its owner's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="mcr-unreadable-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


@contextmanager
def _reading_as(uid: int | None) -> Iterator[None]:
    """Run as user `uid` (root reads any file, whatever its mode), then as before."""
    if uid is None:
        yield
        return
    os.seteuid(uid)
    try:
        yield
    finally:
        os.seteuid(0)


def test_a_key_of_mode_000_is_refused_as_unreadable(sealed: Sealed, elsewhere: Path) -> None:
    copy = Sealed(elsewhere / "register", DirectoryKeystore(elsewhere / "keystore"), sealed.lines)
    shutil.copytree(sealed.root, copy.root)
    shutil.copytree(sealed.store.path, copy.store.path)
    key = copy.store.path / "keys" / f"{CASE}.mcrkey"
    uid = None
    if os.geteuid() == 0:  # the copy is nobody's, who may not read a key of mode 000
        uid = 65534
        copy.mcr("check")  # loads every module the command imports, while they can be read
        for path in (elsewhere, *elsewhere.rglob("*")):
            os.chown(path, uid, uid, follow_symlinks=False)
    key.chmod(0o000)
    with _reading_as(uid):
        code, out = copy.mcr("check")
    assert code == 2, out
    assert out.startswith(
        f"mcr: cannot read the key for {CASE} in {copy.store.path}: Permission denied"
    ), out
    assert "Jordan" not in out


def test_a_stray_key_is_named_by_keys_check(sealed: Sealed) -> None:
    sealed.store.create("MC-2026-0999")
    code, out = sealed.mcr("keys", "check")
    assert code == 1
    assert out.splitlines() == [
        "cases/MC-2026-0999.yaml: error: orphan: a key for no case file and no recorded "
        "deletion: is the case file missing, or the deletion unrecorded?",
        "1 error(s), 0 other finding(s)",
    ]
    code, out = sealed.mcr("check")  # the check of the cases themselves is not affected
    assert code == 0, out
