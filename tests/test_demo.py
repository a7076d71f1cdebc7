"""The demo repository: the register's own cases, replayed as signed commits, pass the change
check from its first commit; tampering with that history does not."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from managed_contact.changes.check import check_change
from managed_contact.changes.demo import DemoRepo, build_demo, dump_case, version
from managed_contact.changes.git import Repository
from managed_contact.cli.main import main
from managed_contact.errors import ExitCode
from managed_contact.register.loading import load_bytes, load_file
from managed_contact.register.model import Case
from managed_contact.register.snapshot import case_paths
from managed_contact.register.validation import validate

from gitfixtures import commit

REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-11-28"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRepo:
    return build_demo(REPO, tmp_path_factory.mktemp("demo") / "register")


def test_demo_history_passes_the_change_check_from_its_first_commit(demo: DemoRepo) -> None:
    result = CliRunner().invoke(
        main,
        [
            "check",
            "--register",
            str(demo.path),
            "--today",
            TODAY,
            "--base",
            demo.first_commit,
            "--head",
            demo.head,
        ],
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert " 0 error(s)" in result.output


def test_demo_head_holds_the_registers_cases_byte_for_byte(demo: DemoRepo) -> None:
    repo = Repository(demo.path)
    for path in case_paths(REPO):
        assert repo.read_file(demo.head, f"cases/{path.name}") == path.read_bytes()
    assert any((demo.path / ".git" / "demo-keys").iterdir())
    assert not any("demo-keys" in p for p in repo.list_files(demo.head, ""))


def test_intermediate_versions_keep_entries_equal_to_the_original() -> None:
    for path in case_paths(REPO):
        if path.name == "deletions.yaml":
            continue
        doc, problems = load_file(path)
        assert doc is not None
        assert not problems
        original, _ = validate(Case, doc)
        if original is None:
            continue
        done = {
            (section, entry.id)
            for section in ("decisions", "reviews", "corrections", "challenges")
            for entry in getattr(original, section)
        }
        again, problems = load_bytes(dump_case(version(doc.data, date.max, done)), "x")
        assert again is not None
        assert not problems
        assert validate(Case, again)[0] == original


def test_tampering_with_a_signed_decision_in_the_demo_is_refused(
    demo: DemoRepo, tmp_path: Path
) -> None:
    path = next(p for p in sorted((demo.path / "cases").glob("MC-*.yaml")))
    text = path.read_text(encoding="utf-8")
    head = commit(demo.path, {f"cases/{path.name}": text.replace("stage: 1", "stage: 2", 1)}, "x")
    result = check_change(demo.path, demo.first_commit, head, date(2026, 11, 28))
    assert {"MC410", "MC419"} & {f.rule for f in result.findings.errors}
