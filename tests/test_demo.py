"""The demo repository: the register's own cases, replayed as signed commits, pass the change
check from its first commit; tampering with that history does not."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from managed_contact.casework.demo import make_demo
from managed_contact.changes.check import check_change
from managed_contact.changes.demo import DemoRepo, dump_case, source_keystore, version
from managed_contact.changes.git import Repository
from managed_contact.cli.main import main
from managed_contact.errors import ExitCode
from managed_contact.register.loading import load_bytes, load_file
from managed_contact.register.model import Case
from managed_contact.register.personal import unseal_text
from managed_contact.register.snapshot import case_paths, load_deletions, load_policy
from managed_contact.register.validation import validate
from managed_contact.sealing.keystore import DirectoryKeystore, Keystore

from gitfixtures import commit

REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-11-28"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRepo:
    return make_demo(REPO, tmp_path_factory.mktemp("demo") / "register", date(2026, 11, 28))


def test_demo_history_passes_the_change_check_from_its_first_commit(
    demo: DemoRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MCR_KEYSTORE")  # as its users run it: with its own keys, in .git
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


def opened(raw: bytes, file: str, store: Keystore | None) -> object:
    """A case file's data with its sealed values opened with its key in `store`."""
    text = raw.decode("utf-8")
    key = store.get(file[6:-5]) if store is not None else None
    doc, _ = load_bytes((unseal_text(text, file, key) if key else text).encode(), file)
    return doc.data if doc is not None else text


def test_demo_head_holds_the_registers_cases_sealed_with_its_own_keys(demo: DemoRepo) -> None:
    repo = Repository(demo.path)
    source, own = source_keystore(REPO), DirectoryKeystore(demo.keystore)
    for path in case_paths(REPO):
        file = f"cases/{path.name}"
        raw = repo.read_file(demo.head, file)
        assert raw is not None
        assert opened(raw, file, own) == opened(path.read_bytes(), file, source)
        if load_file(path)[0] is not None:
            assert b"ENC[mcr1," in raw
    assert any((demo.path / ".git" / "demo-keys").iterdir())
    tracked = repo.list_files(demo.head, "")
    assert not any("demo-keys" in p or "mcr-keys" in p or p.endswith(".mcrkey") for p in tracked)
    assert demo.keystore == demo.path / ".git" / "mcr-keys"


def test_every_current_approver_has_a_demo_key_in_the_demo_registry(demo: DemoRepo) -> None:
    policy, _, problems = load_policy(demo.path)
    assert policy is not None, problems
    day = date.fromisoformat(TODAY)
    approvals = policy.roles.approvals.values()
    needed = {r for a in approvals for need in a.needs for r in need}
    needed |= {r for a in approvals for roles in a.stand_in.values() for r in roles}
    approvers = {
        p.id for p in policy.people.people if any(h.role in needed for h in p.roles_on(day))
    }
    assert "grace-lindqvist" in approvers  # the housing Senior Manager
    with_keys = {p.id for p in policy.people.people if any(k.start <= day for k in p.keys)}
    assert approvers <= with_keys, approvers - with_keys
    assert approvers <= set(demo.keys)


def test_demo_ends_with_a_retention_deletion_and_a_real_shred(demo: DemoRepo) -> None:
    repo = Repository(demo.path)
    assert demo.retiring is not None
    file = f"cases/{demo.retiring}.yaml"
    own = DirectoryKeystore(demo.keystore)
    assert own.get(demo.retiring) is None
    assert demo.retiring in own.shredded()
    assert repo.read_file(demo.head, file) is None
    assert repo.read_file(demo.first_commit, file) is not None
    log, _, _ = load_deletions(demo.path)
    assert log is not None
    record = log.deletions[-1]
    assert (record.id, record.reason) == (demo.retiring, "retention")
    assert record.statistics.days_dormant is not None
    objects = subprocess.run(
        ["git", "-C", str(demo.path), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout
    assert b"Sam Fictional" not in objects
    for past in repo.versions(file):
        if past.content is not None:
            doc, _ = load_bytes(past.content, file)
            assert doc is not None
            assert str(doc.data["customer"]["name"]).startswith("ENC[mcr1,")
    keys = CliRunner().invoke(
        main, ["keys", "check", "--register", str(demo.path), "--keystore", str(demo.keystore)]
    )
    assert keys.exit_code == 0, keys.output


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
