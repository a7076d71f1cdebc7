"""Property tests: a valid case file, mutated as a careless editor would, never breaks the check.

Each base is a valid case: the corpus's valid files (sealed with a key made here) and the demo
register's cases (opened with the committed demo keystore). Hypothesis mutates the YAML text
(lines deleted, duplicated, swapped or re-indented; a scalar given another type; control
characters; the file cut short; a sealed value replaced by one from another field or case) or the
parsed data (keys dropped, wrong types, huge numbers, far dates), writes the result as the case
file of a register of its own, and runs `run_check` with the keys. The check must pass, or report
findings that each name a file of the register and a line and column of 1 or more, and show no
personal value of the case; it never raises.

``MCR_PROPERTY_EXAMPLES`` sets the examples per property (200 in `make test`; `make fuzz` runs
more).
"""

from __future__ import annotations

import copy
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from managed_contact.register.check import run_check
from managed_contact.register.personal import personal_values, seal_text, unseal_text
from managed_contact.register.snapshot import Keys
from managed_contact.sealing.keystore import DirectoryKeystore
from managed_contact.sealing.tokens import is_token

from conftest import REPO, TODAY

EXAMPLES = int(os.environ.get("MCR_PROPERTY_EXAMPLES", "200"))
VALID = Path(__file__).resolve().parent / "corpus" / "valid"
MODELINE = "# yaml-language-server: $schema=../schemas/case.schema.json\n"
TOKEN = re.compile(r"ENC\[[^\]\n]*\]")
SCALAR_LINE = re.compile(r"^(?P<lead>\s*(?:- )?[A-Za-z_]+:[ ]+)(?P<value>\S.*)$")

#: What a scalar may become: other types, YAML that the strict loader refuses, edges of numbers
#: and dates.
REPLACEMENTS = [
    "123",
    "-1",
    "1.5e400",
    "99999999999999999999999999999",
    "true",
    "no",
    "null",
    "~",
    "''",
    "[]",
    "{}",
    "[1, [2, {a: b}]]",
    "{name: x}",
    "0o17",
    "0x1F",
    "12:30",
    ".inf",
    ".nan",
    "2026-13-45",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2026-01-01T10:00:00Z",
    "!!binary AA==",
    "!custom x",
    "&anchor x",
    "*anchor",
    "|\n  block",
    ">-",
    "'unterminated",
    '"\\x00"',
    "ENC[mcr1,1,AAAA]",
    "ENC[mcr1,999999,]",
    "ENC[",
    "<<<<<<< HEAD",
    "=======",
    "? complex",
    "- item",
    "@reserved",
    "%TAG",
    "\t",
]
CONTROL = [chr(c) for c in (*range(0x00, 0x20), 0x7F, 0x85)] + [
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u202e",
    "\ufffe",
    "\U0001f600",
]


@dataclass(frozen=True)
class Base:
    """One valid case file, sealed, and what opens it."""

    case_id: str
    text: str
    keys: Keys
    plain: frozenset[str]  # its personal values, as the scan looks for them

    @property
    def file(self) -> str:
        return f"cases/{self.case_id}.yaml"


def _plain_values(text: str) -> frozenset[str]:
    data = yaml.load(text, Loader=yaml.BaseLoader)
    return frozenset(
        value
        for _, _, value in personal_values(data)
        if isinstance(value, str) and len(value) >= 8 and not is_token(value)
    )


def _bases(store: DirectoryKeystore) -> list[Base]:
    bases: list[Base] = []
    for path in sorted(VALID.glob("*.yaml")):
        case_id = path.stem
        text = path.read_text(encoding="utf-8")
        key = store.get(case_id) or store.create(case_id)
        sealed = seal_text(text, f"cases/{case_id}.yaml", key)
        bases.append(Base(case_id, sealed, store.get, _plain_values(text)))
    demo = DirectoryKeystore(REPO / "demo-keystore")
    for path in sorted((REPO / "cases").glob("MC-*.yaml")):
        case_id = path.stem
        text = path.read_text(encoding="utf-8")
        key = demo.get(case_id)
        assert key is not None, f"the demo keystore has no key for {case_id}"
        plain = unseal_text(text, f"cases/{case_id}.yaml", key)
        bases.append(Base(case_id, text, demo.get, _plain_values(plain)))
    return bases


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Base]]:
    """A register holding the repository's policy and, per example, one case file; and the
    valid bases."""
    top = tmp_path_factory.mktemp("properties")
    root = top / "register"
    shutil.copytree(REPO / "policy", root / "policy")
    (root / "cases").mkdir()
    return root, _bases(DirectoryKeystore(top / "keystore"))


def judge(root: Path, base: Base, content: bytes) -> None:
    """Write `content` as `base`'s case file and check the register: it passes, or every
    finding names a file of the register, a line and a column, and no personal value."""
    for old in (root / "cases").iterdir():
        old.unlink()
    (root / base.file).write_bytes(content)
    result = run_check(root, TODAY, keys=base.keys)
    files = {base.file} | {f"policy/{p.name}" for p in (root / "policy").glob("*.yaml")}
    for found in result.findings:
        where = f"{found.file}:{found.line}:{found.column} {found.rule}"
        assert found.file in files, where
        assert found.line >= 1, where
        assert found.column >= 1, where
        assert re.fullmatch(r"MC\d{3}", found.rule), where
        shown = f"{found.path} {found.message}"
        leaked = [value for value in base.plain if value in shown]
        assert not leaked, f"{where} shows a personal value"


# --- mutating the text --------------------------------------------------------------------------


Mutation = Callable[[str], str]


def _lines(draw: st.DrawFn, text: str) -> tuple[list[str], int]:
    lines = text.split("\n")
    return lines, draw(st.integers(0, len(lines) - 1))


@st.composite
def text_mutation(draw: st.DrawFn, text: str, others: list[str]) -> str:
    kind = draw(
        st.sampled_from(
            [
                "delete",
                "duplicate",
                "swap",
                "scalar",
                "control",
                "truncate",
                "indent",
                "token",
                "split",
            ]
        )
    )
    lines, i = _lines(draw, text)
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "swap":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "scalar":
        candidates = [n for n, line in enumerate(lines) if SCALAR_LINE.match(line)]
        if candidates:
            n = draw(st.sampled_from(candidates))
            match = SCALAR_LINE.match(lines[n])
            assert match is not None
            lines[n] = match["lead"] + draw(st.sampled_from(REPLACEMENTS))
    elif kind == "control":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(st.sampled_from(CONTROL)) + text[at:]
    elif kind == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    elif kind == "indent":
        change = draw(st.sampled_from(["  ", " ", "\t", "    ", "-"]))
        if draw(st.booleans()):
            lines[i] = change + lines[i]
        else:
            lines[i] = lines[i].removeprefix(" " * draw(st.integers(1, 4)))
    elif kind == "token":
        mine = TOKEN.findall(text)
        theirs = [t for other in others for t in TOKEN.findall(other)]
        if mine and (mine + theirs):
            old = draw(st.sampled_from(mine))
            new = draw(st.sampled_from(mine + theirs))
            return text.replace(old, new, 1)
    elif kind == "split":
        at = draw(st.integers(0, len(lines[i])))
        lines[i : i + 1] = [lines[i][:at], lines[i][at:]]
    return "\n".join(lines)


@given(data=st.data())
@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow])
def test_a_mutated_case_text_passes_or_is_reported_with_file_and_line(
    world: tuple[Path, list[Base]], data: st.DataObject
) -> None:
    root, bases = world
    base = data.draw(st.sampled_from(bases), label="base")
    others = [b.text for b in bases if b is not base][:4]
    text = base.text
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        text = data.draw(text_mutation(text, others))
    judge(root, base, text.encode("utf-8", "surrogatepass"))


@given(data=st.data())
@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_case_bytes_pass_or_are_reported_with_file_and_line(
    world: tuple[Path, list[Base]], data: st.DataObject
) -> None:
    """Bytes that are not text: a lone surrogate, Latin-1, a stray byte, a UTF-16 copy."""
    root, bases = world
    base = data.draw(st.sampled_from(bases), label="base")
    raw = base.text.encode("utf-8")
    at = data.draw(st.integers(0, len(raw)), label="at")
    inserted = data.draw(
        st.sampled_from([b"\xed\xa0\x80", b"\xe9", b"\xff\xfe", b"\x00", b"\xc3", b"\r", b"\r\n"])
        | st.binary(min_size=1, max_size=8),
        label="bytes",
    )
    mutated = raw[:at] + inserted + raw[at:]
    if data.draw(st.booleans(), label="utf-16"):
        mutated = base.text.encode("utf-16")
    judge(root, base, mutated)


# --- mutating the data --------------------------------------------------------------------------

WRONG: list[Any] = [
    None,
    True,
    0,
    -1,
    10**30,
    -(10**30),
    1.5,
    float("inf"),
    "",
    "x" * 300,
    [],
    ["a", 1],
    {},
    {"unexpected": 1},
    date(9999, 12, 31),
    date(1, 1, 1),
    date(1900, 1, 1),
    date(2099, 12, 31),
    "9999-12-31",
    "ENC[mcr1,1,AAAA]",
]


def _wrong(data: st.DataObject) -> Any:
    """One of `WRONG`, a copy of its own (a later mutation may add to it)."""
    return copy.deepcopy(data.draw(st.sampled_from(WRONG), label="value"))


def _paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*path, index))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@given(data=st.data())
@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_case_data_dumped_back_passes_or_is_reported_with_file_and_line(
    world: tuple[Path, list[Base]], data: st.DataObject
) -> None:
    root, bases = world
    base = data.draw(st.sampled_from(bases), label="base")
    tree = yaml.safe_load(base.text)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        paths = [p for p in _paths(tree) if p]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="path")
        parent = _parent(tree, path)
        how = data.draw(st.sampled_from(["drop", "replace", "add"]), label="how")
        if how == "drop":
            del parent[path[-1]]
        elif how == "replace":
            parent[path[-1]] = _wrong(data)
        elif isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["id", "extra", "customer", "1"]))] = _wrong(data)
        else:
            parent.append(_wrong(data))
    text = MODELINE + yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)
    judge(root, base, text.encode("utf-8"))


def test_every_base_passes_unmutated(world: tuple[Path, list[Base]]) -> None:
    """The properties start from valid files: unmutated, each checks with no error."""
    root, bases = world
    assert len(bases) >= 10
    for base in bases:
        for old in (root / "cases").iterdir():
            old.unlink()
        (root / base.file).write_text(base.text, encoding="utf-8")
        result = run_check(root, TODAY, keys=base.keys)
        assert not result.findings.errors, (base.case_id, list(result.findings.errors))
        assert base.plain, base.case_id
