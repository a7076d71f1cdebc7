"""Merge-request evidence (forge merge commits, the forge's approvals JSON), the signature
cache, a register below the top of its repository, and `mcr check --base` on the command line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from changerepo import FORGE, RegisterRepo, case_yaml, people_yaml
from click.testing import CliRunner

from managed_contact.changes.approvals import (
    ApprovalsFileError,
    MergeRequestApprovals,
    read_merge_request_approvals,
)
from managed_contact.changes.check import check_change
from managed_contact.cli.main import main
from managed_contact.errors import ExitCode

from casebuilder import case, decision, letter
from gitfixtures import SshKey, commit, make_repo, merge, raw_commit, run_git

REPO = Path(__file__).resolve().parents[1]
TODAY_ARG = "2026-11-28"
CASE = "cases/MC-2026-0001.yaml"
BEN = ("Ben Holloway", "ben.holloway@council.example")
HUGO_TRAILER = "Approved-by: Hugo Barrett <hugo.barrett@council.example>"


def stage_1() -> dict[str, Any]:
    return case(
        opened="2026-03-02",
        decisions=[decision("D1", "2026-03-09")],
        letters=[letter("L1", "2026-03-10", "D1")],
    )


def branch_with_case(reg: RegisterRepo) -> None:
    """A topic branch where a Customer Relations officer records the case, unsigned."""
    run_git(reg.path, "checkout", "-q", "-b", "topic")
    reg.case(stage_1(), "Record MC-2026-0001", author=BEN)
    run_git(reg.path, "checkout", "-q", "main")


# --- forge merge commits ------------------------------------------------------------------


def test_forge_merge_commit_with_valid_approved_by_trailer_is_accepted(
    reg: RegisterRepo,
) -> None:
    branch_with_case(reg)
    merge(
        reg.path,
        "topic",
        f"Merge branch 'topic' into 'main'\n\n{HUGO_TRAILER}\n",
        key=reg.keys["forge"],
        author=FORGE,
        date="2026-03-11T10:00:00+00:00",
    )
    assert reg.errors() == set()


def test_unsigned_merge_commit_with_trailers_is_refused(reg: RegisterRepo) -> None:
    branch_with_case(reg)
    merge(reg.path, "topic", f"Merge\n\n{HUGO_TRAILER}\n", author=FORGE)
    assert reg.errors() == {"MC420"}
    assert reg.finding("MC420").path == "decisions[0].decided_by"


def test_trailers_on_a_commit_signed_by_someone_without_the_forge_role_are_refused(
    reg: RegisterRepo,
) -> None:
    branch_with_case(reg)
    merge(reg.path, "topic", f"Merge\n\n{HUGO_TRAILER}\n", key=reg.keys["ben"], author=FORGE)
    assert reg.errors() == {"MC420"}


def test_forge_trailer_naming_no_one_in_the_registry_is_refused(reg: RegisterRepo) -> None:
    branch_with_case(reg)
    merge(
        reg.path,
        "topic",
        "Merge\n\nApproved-by: Hugo Barrett <hugo@elsewhere.example>\n",
        key=reg.keys["forge"],
        author=FORGE,
    )
    assert reg.errors() == {"MC421"}


def test_forge_trailer_with_a_name_only_does_not_match(reg: RegisterRepo) -> None:
    branch_with_case(reg)
    merge(reg.path, "topic", "Merge\n\nApproved-by: Hugo Barrett\n", key=reg.keys["forge"])
    assert reg.errors() == {"MC421"}


def test_forge_trailer_for_another_person_does_not_approve(reg: RegisterRepo) -> None:
    branch_with_case(reg)
    merge(
        reg.path,
        "topic",
        "Merge\n\nApproved-by: Amara Okafor <amara.okafor@council.example>\n",
        key=reg.keys["forge"],
    )
    assert reg.errors() == {"MC410"}


def test_approved_by_trailer_on_an_ordinary_commit_proves_nothing(reg: RegisterRepo) -> None:
    reg.case(stage_1(), f"Record the case\n\n{HUGO_TRAILER}")
    assert reg.errors() == {"MC420"}


def test_approved_by_trailer_on_a_forge_signed_ordinary_commit_proves_nothing(
    reg: RegisterRepo,
) -> None:
    """A forge signs commits made in its web editor with its key, and whoever makes one types
    the message: only the forge's merge commits carry its evidence."""
    reg.case(
        stage_1(),
        f"Edit via web IDE\n\n{HUGO_TRAILER}\n",
        key="forge",
        author=("Mallory", "mallory@example.org"),
    )
    assert reg.errors() == {"MC420"}
    finding = reg.finding("MC420")
    assert finding.path == "decisions[0].decided_by"
    assert "not a merge commit" in finding.message


# --- the forge's merge-request approvals JSON ---------------------------------------------


def gitlab_approvals(*usernames: str) -> dict[str, Any]:
    """The shape of GitLab's GET /projects/:id/merge_requests/:iid/approvals."""
    return {
        "id": 5,
        "iid": 5,
        "project_id": 1,
        "state": "opened",
        "approved": True,
        "approvals_required": 1,
        "approvals_left": 0,
        "approved_by": [
            {"user": {"id": n, "username": u, "name": u.title(), "state": "active"}}
            for n, u in enumerate(usernames, start=1)
        ],
    }


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_gitlab_approvals_json_naming_the_approver_is_accepted(
    reg: RegisterRepo, tmp_path: Path
) -> None:
    reg.case(stage_1(), author=BEN)
    reg.approvals = read_merge_request_approvals(
        write_json(tmp_path / "approvals.json", gitlab_approvals("hbarrett"))
    )
    assert reg.errors() == set()


def test_gitlab_approvals_json_from_someone_else_is_refused(
    reg: RegisterRepo, tmp_path: Path
) -> None:
    reg.case(stage_1(), author=BEN)
    reg.approvals = read_merge_request_approvals(
        write_json(tmp_path / "approvals.json", gitlab_approvals("aokafor"))
    )
    assert reg.errors() == {"MC410"}


def test_gitlab_approvals_json_with_an_unknown_username_is_refused(
    reg: RegisterRepo, tmp_path: Path
) -> None:
    reg.case(stage_1(), author=BEN)
    reg.approvals = read_merge_request_approvals(
        write_json(tmp_path / "approvals.json", gitlab_approvals("hbarrett-impostor"))
    )
    assert reg.errors() == {"MC421"}


def test_approvals_json_approves_policy_changes_too(reg: RegisterRepo, tmp_path: Path) -> None:
    text = (REPO / "policy" / "periods.yaml").read_text(encoding="utf-8")
    reg.commit({"policy/periods.yaml": text.replace("due_soon_days: 30", "due_soon_days: 21")}, "x")
    reg.approvals = MergeRequestApprovals("approvals.json", ("drenshaw",))
    assert reg.errors() == set()


@pytest.mark.parametrize(
    "content",
    ["not json", "[]", '{"approved_by": {}}', '{"approved_by": [{"user": {"name": "x"}}]}'],
)
def test_malformed_approvals_json_is_a_usage_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "approvals.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ApprovalsFileError):
        read_merge_request_approvals(path)


# --- the signature cache and a register below the top of its repository -------------------


def test_second_run_with_the_cache_gives_the_same_findings(
    reg: RegisterRepo, tmp_path: Path
) -> None:
    reg.case(stage_1(), key="hugo")
    reg.commit({"cases/MC-2026-0002.yaml": case_yaml({**stage_1(), "id": "MC-2026-0002"})}, "x")
    cache = tmp_path / "cache"
    first = reg.check(cache=cache).findings.sorted()
    assert (cache / "signatures.json").is_file()
    second = reg.check(cache=cache).findings.sorted()
    assert first == second
    assert {f.rule for f in second if f.severity.value == "error"} == {"MC410"}


def test_register_in_a_subdirectory_of_its_repository(
    tmp_path: Path, keys: dict[str, SshKey]
) -> None:
    repo = make_repo(tmp_path)
    files: dict[str, str | None] = {
        f"register/policy/{p.name}": p.read_text(encoding="utf-8")
        for p in (REPO / "policy").iterdir()
        if p.is_file()
    }
    files["register/policy/people.yaml"] = people_yaml(keys)
    files["register/cases/deletions.yaml"] = "deletions: []\n"
    base = commit(repo, files, "Register", date="2026-01-02T10:00:00+00:00")
    commit(
        repo,
        {f"register/{CASE}": case_yaml(stage_1())},
        "Case",
        key=keys["hugo"],
        date="2026-03-10T10:00:00+00:00",
    )
    commit(repo, {"README.md": "outside the register\n"}, "Readme")
    from changerepo import TODAY

    result = check_change(repo / "register", base, "HEAD", TODAY)
    assert result.findings.errors == []
    assert result.changed == [CASE]


# --- the command line ---------------------------------------------------------------------


def run(reg: RegisterRepo, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["check", "--register", str(reg.path), "--today", TODAY_ARG, *args]
    )
    return result.exit_code, result.stdout, result.stderr


def test_cli_base_reports_change_findings_with_file_line_and_path(reg: RegisterRepo) -> None:
    reg.case(stage_1())
    code, out, _ = run(reg, "--base", reg.base, "--format", "json")
    assert code == ExitCode.FINDINGS
    payload = json.loads(out)
    assert payload["checked"] == 1
    [found] = [f for f in payload["findings"] if f["severity"] == "error"]
    assert (found["file"], found["path"], found["rule"]) == (
        CASE,
        "decisions[0].decided_by",
        "MC410",
    )
    assert found["line"] > 1
    assert (reg.path / ".git" / "mcr-cache" / "signatures.json").is_file()
    assert not (reg.path / ".mcr-cache").exists()


def forged_cache(reg: RegisterRepo, sha: str) -> str:
    """A signature cache that calls `sha` a good signature by Hugo, keyed by the digest of the
    allowed-signers text `mcr check --base` builds from the base registry."""
    from managed_contact.changes.approvals import Registry
    from managed_contact.changes.revision import load_policy_at
    from managed_contact.changes.signers import allowed_signers

    files = {
        f"policy/{p.name}": p.read_bytes() for p in (reg.path / "policy").iterdir() if p.is_file()
    }
    policy, _, _ = load_policy_at(files)
    assert policy is not None
    keys = list(Registry(policy.people).keys.values())
    digest = hashlib.sha256(allowed_signers(keys, windows=False).encode()).hexdigest()
    entry = ["G", reg.keys["hugo"].fingerprint, ""]
    return json.dumps({"version": 1, "signatures": {digest: {sha: entry}}})


@pytest.mark.parametrize("how", ["file", "symlink"])
def test_cli_ignores_a_signature_cache_committed_in_the_change(
    reg: RegisterRepo, tmp_path: Path, how: str
) -> None:
    """The work tree is the change under review: a `.mcr-cache/signatures.json` committed in it
    (or a `.mcr-cache` link to a folder holding one) must not make an unsigned commit good."""
    unsigned = reg.case(stage_1(), "Record the case, unsigned", author=BEN)
    if how == "file":
        reg.commit(
            {".gitignore": "", ".mcr-cache/signatures.json": forged_cache(reg, unsigned)}, "cache"
        )
    else:
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        (elsewhere / "signatures.json").write_text(forged_cache(reg, unsigned), encoding="utf-8")
        (reg.path / ".mcr-cache").symlink_to(elsewhere, target_is_directory=True)
        run_git(reg.path, "add", "-f", "--", ".mcr-cache")
        reg.commit({".gitignore": ""}, "cache link")
    code, out, _ = run(reg, "--base", reg.base, "--format", "json")
    assert code == ExitCode.FINDINGS, out
    errors = [f for f in json.loads(out)["findings"] if f["severity"] == "error"]
    assert [(f["rule"], f["path"]) for f in errors] == [("MC410", "decisions[0].decided_by")]


def test_cli_base_passes_a_signed_change(reg: RegisterRepo) -> None:
    reg.case(stage_1(), key="hugo")
    code, out, _ = run(reg, "--base", reg.base)
    assert code == ExitCode.OK, out
    assert "1 case file(s) checked: 0 error(s)" in out


def test_cli_head_defaults_to_head_and_ignores_the_working_tree(reg: RegisterRepo) -> None:
    reg.case(stage_1(), key="hugo")
    (reg.path / CASE).write_text("not: [valid", encoding="utf-8")
    code, _, _ = run(reg, "--base", reg.base, "--head", "HEAD")
    assert code == ExitCode.OK


def test_cli_approvals_file(reg: RegisterRepo, tmp_path: Path) -> None:
    reg.case(stage_1(), author=BEN)
    approvals = write_json(tmp_path / "approvals.json", gitlab_approvals("hbarrett"))
    code, out, _ = run(reg, "--base", reg.base, "--approvals", str(approvals))
    assert code == ExitCode.OK, out


@pytest.mark.parametrize(
    "args",
    [
        ["--head", "HEAD~1"],
        ["--approvals", "approvals.json"],
        ["--base", "no-such-revision"],
    ],
)
def test_cli_usage_errors(reg: RegisterRepo, args: list[str]) -> None:
    (reg.path / "approvals.json").write_text("{}", encoding="utf-8")
    code, _, err = run(reg, *args)
    assert code == ExitCode.USAGE, err


def test_cli_deeply_nested_approvals_file_is_a_usage_error(
    reg: RegisterRepo, tmp_path: Path
) -> None:
    path = tmp_path / "approvals.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, _, err = run(reg, "--base", reg.base, "--approvals", str(path))
    assert code == ExitCode.USAGE, err
    assert "nested too deeply" in err
    assert "internal error" not in err


@pytest.mark.parametrize(
    "committer",
    [
        "C <c@example.org> 1773136800 +9959",
        "C <c@example.org> 999999999999999 +0000",
        "C <c@example.org>",
    ],
    ids=["offset", "year", "none"],
)
def test_cli_commit_with_an_unusable_date_is_reported_not_a_crash(
    reg: RegisterRepo, committer: str
) -> None:
    reg.case(stage_1(), key="hugo")
    sha = raw_commit(reg.path, committer=committer)
    code, _, err = run(reg, "--base", reg.base)
    assert code == ExitCode.USAGE, err
    assert f"commit {sha[:12]} has no usable committer date" in err
    assert "internal error" not in err


def test_cli_malformed_approvals_file_is_a_usage_error(reg: RegisterRepo, tmp_path: Path) -> None:
    path = write_json(tmp_path / "approvals.json", {"approved_by": "everyone"})
    code, _, err = run(reg, "--base", reg.base, "--approvals", str(path))
    assert code == ExitCode.USAGE
    assert "approved_by" in err


def test_cli_help_lists_every_change_rule() -> None:
    from managed_contact.changes.check import CHANGE_CATALOGUE

    out = CliRunner().invoke(main, ["check", "--help"]).stdout
    for rule in CHANGE_CATALOGUE:
        assert rule in out


def test_the_range_is_read_in_one_git_log_whatever_its_length(
    reg: RegisterRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    for n in range(1, 7):
        reg.case({**stage_1(), "id": f"MC-2026-{n:04d}"}, key="hugo")
    calls: list[list[str]] = []
    real_popen = subprocess.Popen

    class CountingPopen(real_popen):  # type: ignore[misc,valid-type]
        def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
            calls.append([str(a) for a in args])
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", CountingPopen)
    assert reg.errors() == set()
    git = [c for c in calls if c[0] == "git"]
    assert [c for c in git if "log" in c] == [next(c for c in git if "log" in c)]
    # One more each: the head's tracked files, for a keystore (MC431), and the versions the
    # earlier commits of the range added, to show they keep personal data sealed (MC432).
    assert len(git) <= 9, git
    assert len([c for c in git if "cat-file" in c]) <= 3, git
