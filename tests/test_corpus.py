"""The corpus of invalid register files: each one fails with its expected rule on its expected line.

Every file in ``tests/corpus/cases/`` and ``tests/corpus/policy/`` is a copy of a valid file with
one thing broken. Its leading comments say what the check must report:

* ``# expect: MC301 line 27`` — the rule and the 1-based line it points at, in this file, or
  ``# expect: MC371 line 40 in cases/MC-2026-0104.yaml`` in another file of the register;
* ``# file: deletions.yaml`` — the name the file takes in ``cases/`` (default: the case id inside);
* ``# replaces: policy/roles.yaml`` / ``# removes: policy/periods.yaml`` — for policy files;
* ``# with-case: MC-2026-0104`` — also put that valid case from ``tests/corpus/valid/`` in cases/;
* ``# today: YYYY-MM-DD`` (default 2026-11-28) and ``# strict-dates`` (the scheduled check).

Each file is checked in a register of its own, built from the repository's ``policy/``. The check
must report every expected finding, with the rule's severity, and nothing else: so each file
isolates its rule. Files that cannot carry comments (not UTF-8, too large) are generated here.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from managed_contact.register.check import run_check
from managed_contact.register.findings import Finding, Severity
from managed_contact.register.loading import MAX_BYTES
from managed_contact.register.rules import CATALOGUE, MODELINE

from conftest import REPO, TODAY

CORPUS = Path(__file__).resolve().parent / "corpus"
VALID = CORPUS / "valid"
MIN_FILES = 40
#: Warnings that become errors in the scheduled check (`strict_dates`).
STRICT_ERRORS = {"MC350", "MC352"}

HEADER = re.compile(
    r"#\s*(?P<key>expect|file|today|strict-dates|replaces|removes|with-case)\b\s*:?\s*(?P<value>.*?)\s*"
)
EXPECT = re.compile(r"(?P<rule>MC\d{3}) line (?P<line>\d+)(?: in (?P<file>\S+))?")
CASE_ID = re.compile(r"^id:\s*(MC-\d{4}-\d{4})\s*$", re.MULTILINE)
UNREADABLE = re.compile(r"pydantic|Input should|after validation|\{\w+(?:![rsa])?\}", re.IGNORECASE)


@dataclass(frozen=True)
class Expected:
    rule: str
    file: str
    line: int


@dataclass
class Entry:
    """One corpus file: what to put in the register, and what the check must report."""

    name: str
    content: bytes | None  # None: the target file is removed
    target: str  # where it goes in the register, e.g. cases/MC-2026-0103.yaml
    expected: list[Expected] = field(default_factory=list)
    today: date = TODAY
    strict: bool = False
    with_cases: list[str] = field(default_factory=list)


def _parse(path: Path) -> Entry:
    kind = path.parent.name
    text = path.read_text(encoding="utf-8")
    headers: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = HEADER.fullmatch(line)
        if match:
            headers.append((match["key"], match["value"]))
    entry = Entry(f"{kind}/{path.name}", path.read_bytes(), "")
    expects: list[str] = []
    for key, value in headers:
        if key == "expect":
            expects.append(value)
        elif key == "file":
            entry.target = f"cases/{value}"
        elif key in ("replaces", "removes"):
            entry.target = value
            entry.content = None if key == "removes" else entry.content
        elif key == "today":
            entry.today = date.fromisoformat(value)
        elif key == "strict-dates":
            entry.strict = True
        elif key == "with-case":
            entry.with_cases.append(value)
    if not entry.target:
        assert kind == "cases", f"{path}: a policy corpus file needs '# replaces:'"
        found = CASE_ID.search(text)
        assert found, f"{path}: no case id inside; say '# file: <name>'"
        entry.target = f"cases/{found[1]}.yaml"
    for value in expects:
        match = EXPECT.fullmatch(value)
        assert match, f"{path}: cannot read '# expect: {value}'"
        entry.expected.append(
            Expected(match["rule"], match["file"] or entry.target, int(match["line"]))
        )
    assert entry.expected, f"{path}: no '# expect:' line"
    return entry


def _valid_case(case_id: str = "MC-2026-0103") -> str:
    return (VALID / f"{case_id}.yaml").read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _generated() -> list[Entry]:
    """Corpus entries whose bytes cannot carry their own header."""
    text = _valid_case()
    target = "cases/MC-2026-0103.yaml"
    latin1 = text.replace("Jordan Fictitious", "Zoë Fictitious").encode("latin-1")
    utf16 = text.encode("utf-16")  # with a byte-order mark, as some editors save "Unicode"
    padding = "# padding\n" * (300 * 1024 // 10)
    large = (text + padding).encode("utf-8")
    assert len(large) > MAX_BYTES
    return [
        Entry(
            "generated/mc001-latin-1.yaml",
            latin1,
            target,
            [Expected("MC001", target, _line_of(text, "Jordan Fictitious"))],
        ),
        Entry("generated/mc001-utf-16.yaml", utf16, target, [Expected("MC001", target, 1)]),
        Entry("generated/mc002-300-kib.yaml", large, target, [Expected("MC002", target, 1)]),
    ]


def _files() -> list[Path]:
    return sorted((*CORPUS.glob("cases/*.yaml"), *CORPUS.glob("policy/*.yaml")))


ENTRIES = [_parse(path) for path in _files()] + _generated()


def _build(root: Path, entry: Entry) -> None:
    shutil.copytree(REPO / "policy", root / "policy")
    (root / "cases").mkdir()
    for case_id in entry.with_cases:
        shutil.copy(VALID / f"{case_id}.yaml", root / "cases" / f"{case_id}.yaml")
    target = root / entry.target
    if entry.content is None:
        target.unlink()
    else:
        target.write_bytes(entry.content)


def _severity(rule: str, strict: bool) -> Severity:
    if strict and rule in STRICT_ERRORS:
        return Severity.ERROR
    return CATALOGUE[rule].severity


def _show(findings: list[Finding]) -> str:
    return "\n".join(
        f"  {f.file}:{f.line}:{f.column} {f.rule} {f.severity} {f.path}: {f.message}"
        for f in findings
    )


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_corpus_file_fails_with_its_rule_on_its_line(entry: Entry, tmp_path: Path) -> None:
    root = tmp_path / "register"
    _build(root, entry)
    result = run_check(root, entry.today, strict_dates=entry.strict)
    findings = list(result.findings)
    got = "\n" + _show(findings)
    for exp in entry.expected:
        assert exp.rule in CATALOGUE, f"{exp.rule} is not in rules.CATALOGUE"
        matches = [
            f for f in findings if (f.rule, f.file, f.line) == (exp.rule, exp.file, exp.line)
        ]
        assert matches, f"expected {exp.rule} at {exp.file}:{exp.line}; the check reported:{got}"
        for found in matches:
            assert found.severity == _severity(exp.rule, entry.strict), got
    wanted = {(e.rule, e.file, e.line) for e in entry.expected}
    others = [f for f in findings if (f.rule, f.file, f.line) not in wanted]
    assert not others, f"the file breaks more than its rule:\n{_show(others)}"
    for found in findings:  # our words, never pydantic's or a template's
        assert found.message, got
        assert not UNREADABLE.search(found.message), got
    fails = any(_severity(e.rule, entry.strict) is Severity.ERROR for e in entry.expected)
    assert bool(result.findings.errors) == fails, got


def test_every_rule_has_a_corpus_file() -> None:
    expected = {e.rule for entry in ENTRIES for e in entry.expected}
    missing = sorted(set(CATALOGUE) - expected)
    assert not missing, f"rules without a corpus file in tests/corpus/: {missing}"
    strict = {e.rule for entry in ENTRIES if entry.strict for e in entry.expected}
    assert strict >= STRICT_ERRORS, "MC350 and MC352 need a '# strict-dates' corpus file"


def test_the_corpus_has_at_least_forty_files() -> None:
    assert len(_files()) >= MIN_FILES


def test_case_corpus_files_start_with_the_modeline() -> None:
    exempt = {"MC109"}
    for entry in ENTRIES:
        if not entry.target.startswith("cases/MC-") or entry.name.startswith("generated/"):
            continue
        if {e.rule for e in entry.expected} & exempt or entry.content is None:
            continue
        first = entry.content.decode("utf-8").split("\n", 1)[0]
        assert first == MODELINE, entry.name


@pytest.mark.parametrize("path", sorted(VALID.glob("*.yaml")), ids=lambda p: p.name)
@pytest.mark.parametrize("strict", [False, True], ids=["normal", "strict"])
def test_the_valid_bases_are_clean(path: Path, strict: bool, tmp_path: Path) -> None:
    """The corpus files are derived from these; each must be clean for the corpus to isolate."""
    root = tmp_path / "register"
    _build(root, Entry(path.name, path.read_bytes(), f"cases/{path.name}"))
    result = run_check(root, TODAY, strict_dates=strict)
    assert not list(result.findings), _show(list(result.findings))
