"""The corpus of invalid register files: each one fails with its expected rule on its expected line.

Every file in ``tests/corpus/cases/`` and ``tests/corpus/policy/`` is a copy of a valid file with
one thing broken. Its leading comments say what the check must report:

* ``# expect: MC301 line 27`` — the rule and the 1-based line it points at, in this file, or
  ``# expect: MC371 line 40 in cases/MC-2026-0104.yaml`` in another file of the register;
* ``# file: deletions.yaml`` — the name the file takes in ``cases/`` (default: the case id inside);
* ``# replaces: policy/roles.yaml`` / ``# removes: policy/periods.yaml`` — for policy files;
* ``# with-case: MC-2026-0104`` — also put that valid case from ``tests/corpus/valid/`` in cases/;
* ``# today: YYYY-MM-DD`` (default 2026-11-28) and ``# strict-dates`` (the scheduled check);
* ``# plaintext: customer.phone`` — leave that value (named by its stable path) in plain text;
* ``# swap: incidents[I1].account <- customer.name`` — put there the token sealed for another
  field's value (``<- MC-2026-0101:customer.name``: sealed with another case's key);
* ``# as-link`` — the file goes outside the register, and a symbolic link to it in its place.

Corpus files are kept in plain text, for people to read; the register is committed sealed, so
the harness seals each case file (and each valid base it brings along) with the session's test
keys before the check, as `mcr seal` would. The header comments become empty lines, so line
numbers hold; a block scalar shrinks to one line when sealed, and each expected line is moved
with it. A file that does not load is written as it is.

Each file is checked in a register of its own, built from the repository's ``policy/``. The check,
with the keys, must report every expected finding, with the rule's severity, and nothing else: so
each file isolates its rule. Without keys it must report the same, less the rules that need keys,
which it names as skipped. Files that cannot carry comments (not UTF-8, too large) are generated
here.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
import yaml

from managed_contact.register.check import CheckResult, run_check
from managed_contact.register.findings import Finding, Severity
from managed_contact.register.loading import MAX_BYTES
from managed_contact.register.personal import load_spans, personal_values
from managed_contact.register.rules import CATALOGUE, MODELINE
from managed_contact.register.snapshot import CASE_NAME, Keys
from managed_contact.sealing.text import Edit, apply_edits, scalar_edit
from managed_contact.sealing.tokens import Sealer, is_token

import sealkit
from conftest import REPO, TODAY

CORPUS = Path(__file__).resolve().parent / "corpus"
VALID = CORPUS / "valid"
MIN_FILES = 40
#: Warnings that become errors in the scheduled check (`strict_dates`).
STRICT_ERRORS = {"MC350", "MC352"}

HEADER = re.compile(
    r"#\s*(?P<key>expect|file|today|strict-dates|replaces|removes|with-case|plaintext|swap|as-link)\b"
    r"\s*:?\s*(?P<value>.*?)\s*"
)
SWAP = re.compile(r"(?P<target>\S+)\s*<-\s*(?:(?P<case>MC-\d{4}-\d{4}):)?(?P<source>\S+)")
#: Rules that read personal text: without keys they are skipped, and the check says so.
NEEDS_KEYS = {rule.id for rule in CATALOGUE.values() if rule.needs_keys}
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
    plaintext: set[str] = field(default_factory=set)  # stable paths left unsealed
    swaps: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    as_link: bool = False


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
        elif key == "as-link":
            entry.as_link = True
        elif key == "with-case":
            entry.with_cases.append(value)
        elif key == "plaintext":
            entry.plaintext.add(value)
        elif key == "swap":
            swap = SWAP.fullmatch(value)
            assert swap, f"{path}: cannot read '# swap: {value}'"
            entry.swaps[swap["target"]] = (swap["case"], swap["source"])
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


def _without_header(text: str) -> str:
    """`text` with its leading comments (after the modeline) made empty lines: the numbering
    holds, and the comments rule (MC013) does not see them."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line.startswith("#"):
            break
        if i == 0 and line.startswith("# yaml-language-server"):
            continue
        lines[i] = ""
    return "\n".join(lines)


def seal_case(
    text: str,
    case_id: str,
    plaintext: set[str] | frozenset[str] = frozenset(),
    swaps: dict[str, tuple[str | None, str]] | None = None,
) -> tuple[str, dict[int, int]]:
    """`text` sealed with the case's test key, as `mcr seal` writes it (less the `plaintext`
    values, and with `swaps`: a field given the token of another field, or of another case), and
    where each line of `text` is in the sealed text."""
    lines = text.count("\n") + 1
    doc = load_spans(text, f"cases/{case_id}.yaml")
    if doc is None:
        return text, {n: n for n in range(1, lines + 1)}
    swaps = swaps or {}
    values = {label: (path, value) for path, label, value in personal_values(doc.data)}
    for target, (_, source) in swaps.items():
        assert target in values, f"cannot swap {target}: no such value"
        assert source in values, f"cannot swap in {source}: no such value"
    sealer = Sealer(sealkit.key_for(case_id))
    edits: list[Edit] = []
    for label, (path, value) in values.items():
        if not isinstance(value, str) or is_token(value) or label in plaintext:
            continue
        token = sealer.seal(label, value)
        if label in swaps:
            other, source = swaps[label]
            by = Sealer(sealkit.key_for(other)) if other else sealer
            token = by.seal(source, values[source][1])
        span = doc.spans[path]
        edits.append(scalar_edit(doc.text, span.start, span.end, span.block, token, flow=span.flow))
    sealed = text[: len(text) - len(doc.text)] + apply_edits(doc.text, edits)
    removed = sorted(
        (e.end, doc.text.count("\n", e.start, e.end) - e.replacement.count("\n")) for e in edits
    )
    mapping: dict[int, int] = {}
    offset = 0
    for number, line in enumerate(doc.text.split("\n"), 1):
        mapping[number] = number - sum(n for end, n in removed if end <= offset)
        offset += len(line) + 1
    return sealed, mapping


def _committed(
    target: str, content: bytes, entry: Entry | None = None
) -> tuple[bytes, dict[int, int]]:
    """A register file as committed: a case file sealed (with the key of the case its name
    says, or, misnamed, of the id inside), its header comments blanked."""
    folder, _, name = target.rpartition("/")
    if folder != "cases" or name == "deletions.yaml":
        return content, {}
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return content, {}
    inside = CASE_ID.search(text)
    case_id = name.removesuffix(".yaml") if CASE_NAME.match(name) else inside and inside[1]
    if not case_id:
        return content, {}
    plaintext = entry.plaintext if entry is not None else set()
    swaps = entry.swaps if entry is not None else {}
    sealed, mapping = seal_case(_without_header(text), case_id, plaintext, swaps)
    return sealed.encode("utf-8"), mapping


@dataclass
class Built:
    """A corpus entry written into its register: where the expected findings are now."""

    root: Path
    expected: list[Expected]


def _build(root: Path, entry: Entry) -> Built:
    shutil.copytree(REPO / "policy", root / "policy")
    (root / "cases").mkdir()
    maps: dict[str, dict[int, int]] = {}
    for case_id in entry.with_cases:
        file = f"cases/{case_id}.yaml"
        content, maps[file] = _committed(file, (VALID / f"{case_id}.yaml").read_bytes())
        (root / file).write_bytes(content)
    target = root / entry.target
    if entry.content is None:
        target.unlink()
    else:
        content, maps[entry.target] = _committed(entry.target, entry.content, entry)
        if entry.as_link:
            outside = root.parent / "outside" / target.name
            outside.parent.mkdir(parents=True, exist_ok=True)
            outside.write_bytes(content)
            target.unlink(missing_ok=True)
            target.symlink_to(outside)
        else:
            target.write_bytes(content)
    expected = [
        Expected(e.rule, e.file, maps.get(e.file, {}).get(e.line, e.line)) for e in entry.expected
    ]
    return Built(root, expected)


def _severity(rule: str, strict: bool) -> Severity:
    if strict and rule in STRICT_ERRORS:
        return Severity.ERROR
    return CATALOGUE[rule].severity


def _show(findings: list[Finding]) -> str:
    return "\n".join(
        f"  {f.file}:{f.line}:{f.column} {f.rule} {f.severity} {f.path}: {f.message}"
        for f in findings
    )


def _check(built: Built, entry: Entry, keys: Keys | None) -> CheckResult:
    return run_check(built.root, entry.today, strict_dates=entry.strict, keys=keys)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_corpus_file_fails_with_its_rule_on_its_line(entry: Entry, tmp_path: Path) -> None:
    built = _build(tmp_path / "register", entry)
    result = _check(built, entry, sealkit.keys())
    findings = list(result.findings)
    got = "\n" + _show(findings)
    for exp in built.expected:
        assert exp.rule in CATALOGUE, f"{exp.rule} is not in rules.CATALOGUE"
        matches = [
            f for f in findings if (f.rule, f.file, f.line) == (exp.rule, exp.file, exp.line)
        ]
        assert matches, f"expected {exp.rule} at {exp.file}:{exp.line}; the check reported:{got}"
        for found in matches:
            assert found.severity == _severity(exp.rule, entry.strict), got
    wanted = {(e.rule, e.file, e.line) for e in built.expected}
    others = [f for f in findings if (f.rule, f.file, f.line) not in wanted]
    assert not others, f"the file breaks more than its rule:\n{_show(others)}"
    for found in findings:  # our words, never pydantic's or a template's
        assert found.message, got
        assert not UNREADABLE.search(found.message), got
    fails = any(_severity(e.rule, entry.strict) is Severity.ERROR for e in entry.expected)
    assert bool(result.findings.errors) == fails, got


def _keyed(finding: Finding) -> tuple[str, int, int, str, str, str, str]:
    return (
        finding.file,
        finding.line,
        finding.column,
        finding.path,
        finding.rule,
        str(finding.severity),
        finding.message,
    )


def assert_keyless_is_keyed(keyless: CheckResult, keyed: CheckResult) -> None:
    """Without keys, the check finds what it finds with them, less the rules that need keys;
    those it names as skipped, for every case whose finding it could not make."""
    with_keys = [f for f in keyed.findings if f.rule not in NEEDS_KEYS]
    assert sorted(map(_keyed, keyless.findings)) == sorted(map(_keyed, with_keys))
    for rule, cases in keyed.skipped.items():  # with keys, only where a token would not open
        assert set(cases) <= set(keyless.skipped.get(rule, [])), (rule, cases)
    for finding in keyed.findings:
        if finding.rule in NEEDS_KEYS:
            case_id = finding.file.rpartition("/")[2].removesuffix(".yaml")
            assert case_id in keyless.skipped.get(finding.rule, []), (finding, keyless.skipped)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_without_keys_the_check_finds_the_same_but_what_needs_keys(
    entry: Entry, tmp_path: Path
) -> None:
    built = _build(tmp_path / "register", entry)
    assert_keyless_is_keyed(_check(built, entry, None), _check(built, entry, sealkit.keys()))


def _demo_keys() -> Keys:
    from managed_contact.register.snapshot import demo_keystore
    from managed_contact.sealing.keystore import DirectoryKeystore

    store = demo_keystore(REPO)
    if store is None or not store.is_dir():
        pytest.skip("the demo register has no committed keystore")
    return DirectoryKeystore(store).get


def test_without_keys_the_demo_register_checks_the_same_but_what_needs_keys() -> None:
    keys = _demo_keys()
    keyed = run_check(REPO, TODAY, keys=keys)
    assert not keyed.findings.errors, _show(list(keyed.findings))
    assert_keyless_is_keyed(run_check(REPO, TODAY), keyed)


def _personal_texts() -> set[str]:
    """Every personal value written in the corpus and its valid bases (and its words that are
    names), as the scanner looks for them."""
    found: set[str] = {"Jordan", "Fictitious", "Example Row", "Testbridge"}
    for path in (*_files(), *sorted(VALID.glob("*.yaml"))):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        except yaml.YAMLError:
            continue
        for _, _, value in personal_values(data):
            if isinstance(value, str) and len(value) >= 6 and not is_token(value):
                found.add(value)
    return found


PERSONAL_TEXTS = _personal_texts()


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
@pytest.mark.parametrize("keyed", [False, True], ids=["keyless", "keyed"])
def test_no_finding_shows_personal_data(entry: Entry, keyed: bool, tmp_path: Path) -> None:
    """Findings reach CI logs: they name fields and rules, never a personal value, even one
    written in the wrong place or of the wrong type."""
    built = _build(tmp_path / "register", entry)
    result = _check(built, entry, sealkit.keys() if keyed else None)
    for found in result.findings:
        shown = f"{found.path} {found.message}"
        leaked = sorted(text for text in PERSONAL_TEXTS if text in shown)
        assert not leaked, f"{found.file}:{found.line} {found.rule} shows personal data"


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
    entry = Entry(path.name, path.read_bytes(), f"cases/{path.name}", strict=strict)
    built = _build(tmp_path / "register", entry)
    result = _check(built, entry, sealkit.keys())
    assert not list(result.findings), _show(list(result.findings))
    assert not result.skipped
    assert built.root.joinpath(entry.target).read_bytes() != entry.content, "not sealed"
