"""No command prints personal data: its standard output, its standard error and any log file it
writes hold no value of a personal field, for any register the tests know to be hostile.

The registers: every corpus entry (as `tests/test_corpus.py` builds it), the demo register, the
hostile rendering register (`tests/test_hostile_rendering.py`), a register of damaged tokens, and
the demo's signed git history (`mcr demo-repo`). The values looked for are each case's personal
values, opened with its key, and every personal value written in the corpus. The commands are
those whose output reaches a CI log or a shared screen: `check` (text and JSON), `show` without
`--reveal` (text and JSON), `due`, `calendar`, `report`, `keys check`, `audit` and `check --base`.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_corpus import ENTRIES, PERSONAL_TEXTS, Entry, _build
from test_hostile_rendering import ALL, IDS, _case_text

from managed_contact.casework.demo import make_demo
from managed_contact.cli.main import main
from managed_contact.register.loading import load_bytes
from managed_contact.register.personal import open_document, personal_values, seal_text
from managed_contact.register.snapshot import CASE_NAME, DEMO_KEYSTORE
from managed_contact.sealing.keystore import DirectoryKeystore
from managed_contact.sealing.tokens import CaseKey, Sealer, is_token

import sealkit
from conftest import REPO, TODAY

#: Shorter values ("-2", "x") are found in any output by chance.
MIN_LENGTH = 6
NAME_WORD = re.compile(r"\b[A-Z][a-z]{5,}\b")
Keys = Callable[[str], CaseKey | None]


def opened_values(root: Path, keys: Keys) -> set[str]:
    """Every personal value of the register's case files, opened with `keys`, and the words of
    each name and alias (the capitalised ones: a surname alone is personal data)."""
    found: set[str] = set()
    for path in sorted((root / "cases").glob("*.yaml")):
        doc, problems = load_bytes(path.read_bytes(), f"cases/{path.name}")
        if doc is None or problems:
            continue
        key = keys(path.stem) if CASE_NAME.match(path.name) else None
        open_document(doc, path.stem, key)
        for _, label, value in personal_values(doc.data):
            if not isinstance(value, str) or value.startswith("[sealed ") or is_token(value):
                continue
            found.add(value)
            if label.startswith("customer.name") or label.startswith("customer.aliases"):
                found.update(NAME_WORD.findall(value))
    return {v for v in found if len(v.strip()) >= MIN_LENGTH}


class Scan:
    """Runs commands and looks for personal values in all they wrote."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.runs = 0

    def run(self, args: list[str], secrets: set[str]) -> int:
        result = CliRunner().invoke(main, args)
        self.runs += 1
        assert result.exit_code != 3, f"mcr {' '.join(args)}: internal error\n{result.output}"
        written = [result.output, result.stderr]
        written += [p.read_text(errors="replace") for p in sorted(self.logs.iterdir())]
        for text in written:
            leaked = sorted(s for s in secrets if s in text)
            assert not leaked, f"mcr {' '.join(args)} printed personal data ({len(leaked)} values)"
        return result.exit_code


@pytest.fixture
def scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scan:
    """Commands run with their temporary files (an internal error's log) in a folder of their
    own, to be read."""
    logs = tmp_path / "logs"
    logs.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(logs))
    return Scan(logs)


def _case_ids(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "cases").glob("*.yaml") if CASE_NAME.match(p.name))


def scan_register(
    scan: Scan, root: Path, keystore: Path | None, secrets: set[str], *, every_form: bool = True
) -> None:
    """Every command that may reach a log, over one register (`every_form`: in each of its
    formats, keyless too)."""
    common = ["--register", str(root), "--today", TODAY.isoformat()]
    keyed = [*common, "--keystore", str(keystore)] if keystore is not None else common
    report = ["report", "--from", "2023-01-01", "--to", "2026-10-31", *common]
    commands = [
        ["check", *keyed],
        ["check", "--format", "json", *keyed],
        ["due", "--within", "400", *keyed],
        ["calendar", *common],
        report,
    ]
    if every_form:
        commands += [
            ["check", "--strict-dates", *common],
            ["due", "--format", "json", "--within", "400", *keyed],
            [*report, "--format", "csv"],
        ]
    for args in commands:
        scan.run(args, secrets)
    if keystore is not None:
        scan.run(["keys", "check", *keyed], secrets)
    for case_id in _case_ids(root):
        scan.run(["show", case_id, *keyed], secrets)
        scan.run(["show", case_id, "--format", "json", *keyed], secrets)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_no_command_prints_a_corpus_files_personal_data(
    entry: Entry, tmp_path: Path, scan: Scan
) -> None:
    built = _build(tmp_path / "register", entry)
    secrets = PERSONAL_TEXTS | opened_values(built.root, sealkit.keys())
    scan_register(scan, built.root, sealkit.keystore().path, secrets, every_form=False)
    assert scan.runs >= 6


def _copy(tmp_path: Path, *folders: str) -> Path:
    root = tmp_path / "register"
    for name in ("policy", *folders):
        shutil.copytree(REPO / name, root / name)
    (root / "cases").mkdir(exist_ok=True)
    return root


def test_no_command_prints_the_demo_registers_personal_data(tmp_path: Path, scan: Scan) -> None:
    store = DirectoryKeystore(REPO / DEMO_KEYSTORE)
    secrets = opened_values(REPO, store.get)
    assert len(secrets) > 50
    scan_register(scan, REPO, store.path, secrets)


def test_no_command_prints_the_hostile_texts(tmp_path: Path, scan: Scan) -> None:
    root = _copy(tmp_path)
    store = DirectoryKeystore(tmp_path / "keystore")
    for name, payload in ALL:
        case_id = IDS[name]
        file = f"cases/{case_id}.yaml"
        text = seal_text(_case_text(case_id, payload), file, store.create(case_id))
        (root / file).write_text(text, encoding="utf-8")
    secrets = opened_values(root, store.get)
    assert "Jordan <script>alert(1)</script>" in secrets
    scan_register(scan, root, store.path, secrets)


def test_no_command_prints_a_damaged_or_misplaced_token(tmp_path: Path, scan: Scan) -> None:
    """Tokens that do not open where they are (another case's, another field's, one cut short):
    no message says what they hold."""
    root = _copy(tmp_path)
    store = DirectoryKeystore(tmp_path / "keystore")
    base = (REPO / "tests" / "corpus" / "valid" / "MC-2026-0103.yaml").read_text(encoding="utf-8")
    other = Sealer(store.create("MC-2026-0101")).seal("customer.name", "Another Fictitious")
    for n, damage in enumerate(("field", "case", "cut")):
        case_id = f"MC-2026-098{n}"
        file = f"cases/{case_id}.yaml"
        lines = seal_text(base.replace("MC-2026-0103", case_id), file, store.create(case_id))
        rows = lines.split("\n")
        name = rows[4].removeprefix("  name: ")
        if damage == "field":
            rows[18] = "    account: " + name
        elif damage == "case":
            rows[4] = "  name: " + other
        else:
            rows[4] = "  name: " + name[: len(name) // 2] + "]"
        (root / file).write_text("\n".join(rows), encoding="utf-8")
    secrets = opened_values(root, store.get) | {"Another Fictitious", "Jordan Fictitious"}
    scan_register(scan, root, store.path, secrets)
    out = json.loads(
        CliRunner()
        .invoke(
            main,
            ["check", "--format", "json", "--register", str(root), "--keystore", str(store.path)],
        )
        .output
    )
    assert {f["rule"] for f in out["findings"]} >= {"MC011", "MC012"}


@pytest.fixture(scope="module")
def demo_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    made = make_demo(REPO, tmp_path_factory.mktemp("demo") / "register", date(2026, 11, 28))
    return made.path, made.first_commit, made.keystore


def test_no_change_check_or_audit_prints_personal_data(
    demo_repo: tuple[Path, str, Path], scan: Scan, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, first, keystore = demo_repo
    monkeypatch.delenv("MCR_KEYSTORE")  # as its users run it: with its own keys, in .git
    secrets = opened_values(root, DirectoryKeystore(keystore).get)
    secrets |= opened_values(REPO, DirectoryKeystore(REPO / DEMO_KEYSTORE).get)
    assert len(secrets) > 50
    common = ["--register", str(root), "--today", TODAY.isoformat()]
    assert scan.run(["check", "--base", first, *common], secrets) == 0
    scan.run(["check", "--base", first, "--format", "json", *common], secrets)
    for case_id in _case_ids(root):
        scan.run(["audit", case_id, *common], secrets)
        scan.run(["audit", case_id, "--format", "json", *common], secrets)
    scan_register(scan, root, keystore, secrets)


def test_the_scan_finds_a_value_that_is_printed(tmp_path: Path, scan: Scan) -> None:
    """The scan is not blind: `mcr show --reveal` prints the name, and the scan says so."""
    store = DirectoryKeystore(REPO / DEMO_KEYSTORE)
    case_id = _case_ids(REPO)[0]
    secrets = opened_values(REPO, store.get)
    args = ["show", case_id, "--reveal", "--register", str(REPO), "--keystore", str(store.path)]
    with pytest.raises(AssertionError, match="printed personal data"):
        scan.run(args, secrets)
