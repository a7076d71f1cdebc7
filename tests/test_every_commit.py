"""Every commit of a change keeps personal data sealed and adds no keystore (MC432, MC431).

A merge keeps every commit of the branch, so what an earlier commit put in history stays
there though the head fixed it. Real repositories: the reviewer's reproduction, a comment
added then removed, clean merge requests of several commits, and what is not judged again.
"""

from __future__ import annotations

from typing import Any

from changerepo import MODELINE, REPO, RegisterRepo, case_yaml, dump_yaml, not_the_demo
from test_changes import CASE, approve, stage_1, with_review

from managed_contact.register.personal import personal_values

from casebuilder import case, decision, letter
from gitfixtures import git_env, run_git

SECOND = "cases/MC-2026-0002.yaml"
KEYS = {"ks/MCR-KEYSTORE": "keys\n", "ks/keys/MC-2026-0001.mcrkey": "{}\n"}


def plaintext(data: dict[str, Any]) -> str:
    """A case file as `mcr unseal` prints it: every personal value in plain text."""
    return MODELINE + dump_yaml(data)


def sealed_text(data: dict[str, Any]) -> str:
    return case_yaml(data)


def values(data: dict[str, Any]) -> list[str]:
    return [v for _, _, v in personal_values(data) if isinstance(v, str)]


def test_plaintext_and_keys_in_an_earlier_commit_are_refused_naming_it(
    reg: RegisterRepo,
) -> None:
    # The reviewer's reproduction: commit A puts the unsealed file and a keystore in; commit
    # B seals the file again and removes the keystore, so the head alone looks clean.
    reg.branch("feature", reg.base)
    first = reg.commit({CASE: plaintext(stage_1()), **KEYS}, "A", key="hugo")
    reg.commit({CASE: sealed_text(stage_1()), **dict.fromkeys(KEYS)}, "B", key="hugo")
    result = reg.check()
    assert {f.rule for f in result.findings.errors} == {"MC432", "MC431"}
    sealing = [f for f in result.findings.errors if f.rule == "MC432"]
    assert {f.file for f in sealing} == {CASE}
    assert len(sealing) == len(values(stage_1()))  # one per plaintext value
    assert all(f"commit {first[:12]}" in f.message and "MC010" in f.message for f in sealing)
    assert {f.path for f in sealing} >= {"customer.name", "incidents[0].account"}
    assert all(f.line > 1 for f in sealing)
    keystore = [f for f in result.findings.errors if f.rule == "MC431"]
    assert {f.file for f in keystore} == set(KEYS)
    assert all(f"commit {first[:12]}" in f.message for f in keystore)
    shown = " ".join(f.message + f.path for f in result.findings.items)
    assert not [v for v in values(stage_1()) if v in shown]  # never a value


def test_a_comment_added_then_removed_is_refused(reg: RegisterRepo) -> None:
    reg.case(stage_1(), key="hugo")
    text = sealed_text(stage_1())
    lines = text.splitlines(keepends=True)
    lines.insert(3, "# rang again, very upset about the bill\n")
    noted = reg.commit({CASE: "".join(lines)}, "A note", key="hugo")
    reg.commit({CASE: text}, "Take the note out", key="hugo")
    assert reg.errors() == {"MC432"}
    found = reg.finding("MC432")
    assert (found.file, found.line) == (CASE, 4)
    assert f"commit {noted[:12]}" in found.message
    assert "MC013" in found.message
    assert "upset" not in found.message


def test_an_altered_token_in_an_earlier_commit_is_refused(reg: RegisterRepo) -> None:
    text = sealed_text(stage_1())
    start = text.index("ENC[mcr1,")
    cut = text[: start + 20] + "]" + text[text.index("]", start) + 1 :]
    reg.commit({CASE: cut}, "Cut short", key="hugo")
    reg.commit({CASE: text}, "Whole again", key="hugo")
    assert reg.errors() == {"MC432"}
    assert "MC011" in reg.finding("MC432").message


def test_an_unreadable_earlier_version_cannot_be_shown_sealed(reg: RegisterRepo) -> None:
    reg.commit({CASE: "id: [MC-2026-0001\n"}, "Half written", key="hugo")
    reg.case(stage_1(), key="hugo")
    assert reg.errors() == {"MC432"}
    assert "cannot be read" in reg.finding("MC432").message


def test_a_clean_merge_request_of_several_commits_passes(reg: RegisterRepo) -> None:
    reg.branch("feature", reg.base)
    reg.case(stage_1(), "Open MC-2026-0001", key="hugo")
    other = {**stage_1(), "id": "MC-2026-0002"}
    reg.commit({SECOND: sealed_text(other)}, "Open MC-2026-0002", key="hugo")
    reg.case(with_review(), "Review MC-2026-0001", key="amara", date="2026-09-02")
    approve(reg, "hugo", date="2026-09-02")
    result = reg.check()
    assert result.findings.errors == []
    assert result.commits == 4


def test_what_the_head_still_holds_is_reported_once_by_the_head_check(
    reg: RegisterRepo,
) -> None:
    reg.commit({CASE: plaintext(stage_1())}, "Unsealed", key="hugo")
    other = {**stage_1(), "id": "MC-2026-0002"}
    reg.commit({SECOND: sealed_text(other)}, "Another", key="hugo")
    reg.commit(KEYS, "Keys")
    reg.commit({SECOND: sealed_text({**other, "opened": "2026-03-03"})}, "Fix", key="hugo")
    errors = reg.check().findings.errors
    assert "MC432" not in {f.rule for f in errors}
    assert {f.rule for f in errors if f.file == CASE} == {"MC010"}
    keystore = [f for f in errors if f.rule == "MC431"]
    assert sorted(f.file for f in keystore) == sorted(KEYS)  # once each, by the head check
    assert not any("commit " in f.message for f in keystore)


def test_commits_already_on_the_target_are_not_judged(reg: RegisterRepo) -> None:
    reg.commit({CASE: plaintext(stage_1()), **KEYS}, "An old mistake on main", key="hugo")
    target = reg.commit({CASE: sealed_text(stage_1()), **dict.fromkeys(KEYS)}, "Fixed", key="hugo")
    reg.branch("feature", target)
    other = {**stage_1(), "id": "MC-2026-0002"}
    reg.commit({SECOND: sealed_text(other)}, "Open MC-2026-0002", key="hugo")
    reg.commit({SECOND: sealed_text({**other, "opened": "2026-03-03"})}, "Fix", key="hugo")
    assert reg.errors(target) == set()


def test_a_version_equal_to_the_merge_bases_is_not_judged_again(reg: RegisterRepo) -> None:
    # The target holds an unsealed file (its own check says so); a branch that changes it
    # and puts it back adds nothing to history.
    target = reg.commit({CASE: plaintext(stage_1())}, "Unsealed on main", key="hugo")
    reg.branch("feature", target)
    reg.commit({CASE: sealed_text(stage_1())}, "Sealed", key="hugo")
    reg.commit({CASE: plaintext(stage_1())}, "Back as it was", key="hugo")
    other = {**stage_1(), "id": "MC-2026-0002"}
    reg.commit({SECOND: sealed_text(other)}, "Open MC-2026-0002", key="hugo")
    assert "MC432" not in reg.errors(target)


def test_keys_in_an_earlier_commit_are_allowed_where_the_target_is_the_demo(
    reg: RegisterRepo,
) -> None:
    settings = not_the_demo((REPO / "policy" / "settings.yaml").read_text(encoding="utf-8"))
    target = reg.commit(
        {"policy/settings.yaml": settings.rstrip("\n") + "\ndemo: true\n"}, "Demo", key="amara"
    )
    reg.commit(KEYS, "Keys")
    reg.commit(dict.fromkeys(KEYS), "No keys")
    reg.case(stage_1(), key="hugo")
    assert reg.errors(target) == set()


def test_earlier_commits_are_judged_when_the_targets_policy_does_not_load(
    reg: RegisterRepo,
) -> None:
    target = reg.commit({"policy/people.yaml": "people: [\n"}, "Broken", key="amara")
    first = reg.commit({CASE: plaintext(stage_1()), **KEYS}, "A")
    reg.commit({CASE: sealed_text(stage_1()), **dict.fromkeys(KEYS)}, "B")
    errors = reg.check(target).findings.errors
    assert {"MC407", "MC431", "MC432"} <= {f.rule for f in errors}
    assert all(first[:12] in f.message for f in errors if f.rule in ("MC431", "MC432"))


def test_a_merge_of_the_target_into_the_branch_is_not_judged_for_the_targets_commits(
    reg: RegisterRepo,
) -> None:
    reg.branch("feature", reg.base)
    reg.case(stage_1(), "Open MC-2026-0001", key="hugo")
    reg.branch("other", reg.base)
    reg.commit({SECOND: plaintext({**stage_1(), "id": "MC-2026-0002"})}, "Unsealed on main")
    environment = git_env(reg.path.parent)
    run_git(reg.path, "checkout", "-q", "feature", env=environment)
    run_git(reg.path, "merge", "-q", "--no-edit", "--no-ff", "other", env=environment)
    third = {**stage_1(), "id": "MC-2026-0003"}
    reg.commit({"cases/MC-2026-0003.yaml": case_yaml(third)}, "After the merge", key="hugo")
    errors = reg.check("other").findings.errors
    assert "MC432" not in {f.rule for f in errors}


def test_a_decision_and_letter_in_separate_commits_pass(reg: RegisterRepo) -> None:
    data = case(opened="2026-03-02", decisions=[decision("D1", "2026-03-09")])
    reg.case(data, "Decide", key="hugo")
    data["letters"] = [letter("L1", "2026-03-10", "D1")]
    reg.case(data, "Letter", key="hugo")
    assert "MC432" not in reg.errors()
