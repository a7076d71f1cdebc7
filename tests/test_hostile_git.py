"""Hostile merge requests: what `mcr check --base` is handed by someone who wants in.

Each test builds a real repository (`changerepo.RegisterRepo`: real ed25519 keys made by
ssh-keygen, real SSH signatures) with one hostile thing in its head, and asserts the exact rule
ids `check_change` reports as errors and, where there is one, the file, data path and line.
The inputs are listed in `HOSTILE_INPUTS`.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from changerepo import RegisterRepo, case_yaml, dump_yaml, people_yaml

from managed_contact.changes.git import GitError

from casebuilder import case, decision, letter
from gitfixtures import SshKey, git_env, run_git

CASE = "cases/MC-2026-0001.yaml"

HOSTILE_INPUTS: list[tuple[str, str]] = [
    ("git", "forged-signature-unknown-key"),
    ("git", "forged-author-line"),
    ("git", "unsigned"),
    ("git", "expired-key"),
    ("git", "backdated-commit-with-expired-key"),
    ("git", "self-approved-key-added-in-change"),
    ("git", "case-file-renamed"),
    ("git", "case-file-renamed-to-a-wrong-name"),
    ("git", "submodule-at-a-case-path"),
    ("git", "submodule-replacing-a-case"),
    ("git", "symlink-blob-at-a-case-path"),
    ("git", "symlink-blob-at-a-policy-file"),
    ("git", "tree-at-a-case-path"),
    ("git", "symlink-blob-replacing-a-case"),
    ("git", "symlink-blob-at-the-deletion-log"),
    ("git", "submodule-at-a-policy-file"),
    ("git", "force-pushed-base"),
    ("git", "unrelated-history"),
    ("git", "policy-change-approves-itself"),
    ("git", "policy-role-granted-to-self"),
]


def stage_1() -> dict[str, Any]:
    return case(
        opened="2026-03-02",
        decisions=[decision("D1", "2026-03-09")],
        letters=[letter("L1", "2026-03-10", "D1")],
    )


def only(
    reg: RegisterRepo, expected: set[str], base: str | None = None, head: str = "HEAD"
) -> None:
    assert reg.errors(base, head) == expected, reg.last.findings.sorted() if reg.last else None


def gitlink(reg: RegisterRepo, path: str, sha: str, message: str, key: str = "hugo") -> str:
    """Commit a submodule (a gitlink, mode 160000, to commit `sha`) at `path`, signed."""
    env = git_env(reg.path.parent)
    run_git(reg.path, "update-index", "--add", "--cacheinfo", f"160000,{sha},{path}", env=env)
    return reg.commit({}, message, key=key)


def symlink_blob(reg: RegisterRepo, path: str, target: str, message: str) -> str:
    """Commit a symbolic link (mode 120000) at `path` pointing to `target`, signed by hugo."""
    env = git_env(reg.path.parent)
    blob = run_git(reg.path, "hash-object", "-w", "--stdin", env=env, stdin=target.encode())
    run_git(
        reg.path, "update-index", "--add", "--cacheinfo", f"120000,{blob.strip()},{path}", env=env
    )
    return reg.commit({}, message, key="hugo")


# --- signatures ---------------------------------------------------------------------------


def test_forged_signature_by_a_key_not_in_the_registry(reg: RegisterRepo) -> None:
    reg.case(stage_1(), key="mallory")
    only(reg, {"MC411"})
    found = reg.finding("MC411")
    assert (found.file, found.path) == (CASE, "decisions[0].decided_by")
    assert found.line > 1


def test_author_line_forged_to_the_approver(reg: RegisterRepo) -> None:
    reg.case(stage_1(), key="mallory", author=("Hugo Barrett", "hugo.barrett@council.example"))
    only(reg, {"MC417"})
    assert reg.finding("MC417").file == CASE


def test_unsigned_approval(reg: RegisterRepo) -> None:
    reg.case(stage_1())
    only(reg, {"MC410"})
    found = reg.finding("MC410")
    assert (found.file, found.path) == (CASE, "decisions[0].decided_by")
    assert found.line > 1


def test_expired_key(reg: RegisterRepo) -> None:
    reg.case(stage_1(), key="hugo-old")
    only(reg, {"MC412"})
    found = reg.finding("MC412")
    assert (found.file, found.path) == (CASE, "decisions[0].decided_by")
    assert "2025-12-31" in found.message


def test_backdated_commit_signed_with_an_expired_key(reg: RegisterRepo) -> None:
    """The commit claims a date inside the old key's window; the decision it approves is
    dated after the key ended, so the key could not have approved it."""
    reg.case(stage_1(), key="hugo-old", date="2025-06-01")
    only(reg, {"MC412"})
    assert reg.finding("MC412").file == CASE


def test_self_approval_by_adding_ones_own_key(reg: RegisterRepo, keys: dict[str, SshKey]) -> None:
    reg.commit(
        {"policy/people.yaml": people_yaml(keys, {"hugo-barrett": ["hugo-new"]})},
        "Add my own key",
        key="hugo-new",
    )
    reg.case(stage_1(), key="hugo-new")
    only(reg, {"MC413", "MC405"})
    assert reg.finding("MC413").path == "decisions[0].decided_by"
    assert reg.finding("MC405").file == "policy/people.yaml"


# --- what git holds at a case path ----------------------------------------------------------


def test_case_file_renamed(reg: RegisterRepo) -> None:
    """A case moved to another case's path: its id no longer matches its file name, and the
    old file is gone without a deletion record."""
    base = reg.case(stage_1(), key="hugo")
    run_git(reg.path, "mv", CASE, "cases/MC-2026-0002.yaml", env=git_env(reg.path.parent))
    reg.commit({}, "Rename", key="hugo")
    only(reg, {"MC104", "MC402", "MC406"}, base)
    found = reg.finding("MC104")
    assert (found.file, found.path, found.line) == ("cases/MC-2026-0002.yaml", "id", 2)
    assert reg.finding("MC402").file == "cases/MC-2026-0002.yaml"
    found = reg.finding("MC406")
    assert found.file == "cases/deletions.yaml"
    assert "MC-2026-0001" in found.message


def test_case_file_renamed_to_a_name_that_is_not_a_case(reg: RegisterRepo) -> None:
    base = reg.case(stage_1(), key="hugo")
    run_git(reg.path, "mv", CASE, "cases/MC-2026-0001.yml", env=git_env(reg.path.parent))
    reg.commit({}, "Rename", key="hugo")
    only(reg, {"MC106", "MC406"}, base)
    assert reg.finding("MC106").file == "cases/MC-2026-0001.yml"


def test_submodule_at_a_new_case_path(reg: RegisterRepo) -> None:
    gitlink(reg, CASE, reg.base, "A submodule where a case goes")
    only(reg, {"MC020"})
    found = reg.finding("MC020")
    assert (found.file, found.line, found.column) == (CASE, 1, 1)
    assert "submodule" in found.message


def test_submodule_replacing_a_case(reg: RegisterRepo) -> None:
    base = reg.case(stage_1(), key="hugo")
    run_git(reg.path, "rm", "-q", "--cached", CASE, env=git_env(reg.path.parent))
    gitlink(reg, CASE, reg.base, "The case becomes a submodule")
    only(reg, {"MC020"}, base)
    assert reg.finding("MC020").file == CASE


def test_symbolic_link_at_a_case_path(reg: RegisterRepo) -> None:
    symlink_blob(reg, CASE, "/etc/passwd", "A link where a case goes")
    only(reg, {"MC020"})
    found = reg.finding("MC020")
    assert (found.file, found.line) == (CASE, 1)
    assert "symbolic link" in found.message
    assert "passwd" not in found.message


def test_symbolic_link_at_a_policy_file(reg: RegisterRepo) -> None:
    run_git(reg.path, "rm", "-q", "--cached", "policy/periods.yaml", env=git_env(reg.path.parent))
    symlink_blob(reg, "policy/periods.yaml", "../../elsewhere/periods.yaml", "Link the periods")
    assert reg.errors() == {"MC020", "MC405"}
    found = reg.finding("MC020")
    assert (found.file, found.line) == ("policy/periods.yaml", 1)


def test_symbolic_link_replacing_a_case(reg: RegisterRepo) -> None:
    """The case's file becomes a link: reported as what it is, not judged as a deletion nor
    read as the file it names."""
    base = reg.case(stage_1(), key="hugo")
    run_git(reg.path, "rm", "-q", "--cached", CASE, env=git_env(reg.path.parent))
    symlink_blob(reg, CASE, "MC-2026-0002.yaml", "Point the case elsewhere")
    only(reg, {"MC020"}, base)
    assert reg.finding("MC020").file == CASE


def test_symbolic_link_at_the_deletion_log(reg: RegisterRepo) -> None:
    log = "cases/deletions.yaml"
    run_git(reg.path, "rm", "-q", "--cached", log, env=git_env(reg.path.parent))
    symlink_blob(reg, log, "/tmp/deletions.yaml", "Link the log")
    assert reg.errors() == {"MC020"}
    assert reg.last is not None
    assert [f.rule for f in reg.last.findings.errors if f.rule == "MC020"] == ["MC020"]
    found = reg.finding("MC020")
    assert (found.file, found.line) == (log, 1)


def test_submodule_at_a_policy_file(reg: RegisterRepo) -> None:
    path = "policy/transitions.yaml"
    run_git(reg.path, "rm", "-q", "--cached", path, env=git_env(reg.path.parent))
    gitlink(reg, path, reg.base, "The lifecycle from elsewhere")
    assert reg.errors() == {"MC020", "MC405"}
    found = reg.finding("MC020")
    assert (found.file, found.line) == (path, 1)
    assert "submodule" in found.message


def test_folder_at_a_case_path(reg: RegisterRepo) -> None:
    reg.commit({f"{CASE}/inner.yaml": case_yaml(stage_1())}, "A folder", key="hugo")
    only(reg, {"MC020"})
    assert reg.finding("MC020").file == CASE


# --- the base -------------------------------------------------------------------------------


def test_force_pushed_base_is_measured_from_the_merge_base(reg: RegisterRepo) -> None:
    """The target branch is rewritten after the change forked (the fork point is no longer on
    it, so the base given is not an ancestor of the head): the change is judged from where
    the two histories meet, with the target's keys, and its unsigned decision is refused."""
    env = git_env(reg.path.parent)
    fork = reg.commit({}, "Housekeeping", key="amara")
    reg.branch("change", fork)
    reg.case(stage_1())  # unsigned
    run_git(reg.path, "checkout", "-q", "main", env=env)
    run_git(reg.path, "reset", "-q", "--hard", reg.base, env=env)
    target = reg.commit({}, "Housekeeping, rewritten", key="amara", date="2026-04-01")
    assert run_git(reg.path, "merge-base", target, "change", env=env).strip() == reg.base
    only(reg, {"MC410"}, base=target, head="change")
    assert reg.last is not None
    assert reg.last.base == reg.base
    assert reg.finding("MC410").file == CASE


def test_unrelated_history_is_refused(reg: RegisterRepo) -> None:
    """A head that shares no commit with the target is refused with a message, not judged
    against nothing (and not an internal error)."""
    env = git_env(reg.path.parent)
    run_git(reg.path, "checkout", "-q", "--orphan", "other", env=env)
    reg.commit({CASE: case_yaml(stage_1())}, "From nowhere", key="hugo")
    with pytest.raises(GitError, match="no commit in common") as raised:
        reg.check(base=reg.base)
    assert raised.value.exit_code == 2


# --- policy ---------------------------------------------------------------------------------


def test_policy_change_that_approves_itself(reg: RegisterRepo) -> None:
    """A change to policy/roles.yaml signed only by someone the change itself would let
    approve policy: the target's roles decide, so it is refused."""
    roles = yaml.safe_load((reg.path / "policy" / "roles.yaml").read_text(encoding="utf-8"))
    reg.commit({"policy/roles.yaml": dump_yaml(roles) + "\n"}, "Touch roles", key="hugo")
    only(reg, {"MC405"})
    assert reg.finding("MC405").file == "policy/roles.yaml"


def test_policy_role_granted_to_oneself(reg: RegisterRepo, keys: dict[str, SshKey]) -> None:
    data = yaml.safe_load(people_yaml(keys))
    hugo = next(p for p in data["people"] if p["id"] == "hugo-barrett")
    hugo["roles"].append({"role": "director-of-governance", "start": "2026-03-01"})
    reg.commit({"policy/people.yaml": dump_yaml(data)}, "Promote myself", key="hugo")
    only(reg, {"MC405"})
    found = reg.finding("MC405")
    assert found.file == "policy/people.yaml"
    assert found.line > 1


def test_every_input_is_listed() -> None:
    tests = [n for n in globals() if n.startswith("test_") and n != "test_every_input_is_listed"]
    assert len(HOSTILE_INPUTS) == len(tests)
    assert len({i for _, i in HOSTILE_INPUTS}) == len(HOSTILE_INPUTS)
