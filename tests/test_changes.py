"""Change rules on real repositories: transitions, history, deletions, policy, signed approvals.

Each test commits to a register whose base revision lists real ed25519 keys, then runs the
change check from a base and asserts exactly which rule ids it reports as errors.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from changerepo import BOT, REPO, RegisterRepo, dump_yaml, not_the_demo, people_yaml

from managed_contact.changes.deletions import statistics_for
from managed_contact.register.model import Case
from managed_contact.register.snapshot import load_policy

from casebuilder import case, decision, letter, review
from gitfixtures import SshKey

HUGO = ("Hugo Barrett", "hugo.barrett@council.example")
CASE = "cases/MC-2026-0001.yaml"


def stage_1(**extra: Any) -> dict[str, Any]:
    sections: dict[str, Any] = {
        "opened": "2026-03-02",
        "decisions": [decision("D1", "2026-03-09")],
        "letters": [letter("L1", "2026-03-10", "D1")],
    }
    sections.update(extra)
    return case(**sections)


def stage_2() -> dict[str, Any]:
    data = stage_1()
    data["decisions"].append(decision("D2", "2026-05-04", stage=2))
    data["letters"].append(letter("L2", "2026-05-05", "D2"))
    return data


def with_review(outcome: str = "continue", **extra: Any) -> dict[str, Any]:
    if outcome == "continue":
        extra.setdefault("extend_to", "2027-03-01")
    data = stage_1()
    data["reviews"] = [review("R1", "2026-09-01", outcome, **extra)]
    data["letters"].append(letter("L2", "2026-09-02", "R1"))
    return data


def approve(reg: RegisterRepo, key: str, what: str = "MC-2026-0001", **kwargs: Any) -> str:
    """A second approver's signed empty commit naming the case."""
    return reg.commit({}, f"Approve\n\nApproves: {what}\n", key=key, **kwargs)


# --- signed approvals ---------------------------------------------------------------------


def test_correctly_signed_stage_1_decision_is_accepted(reg: RegisterRepo) -> None:
    reg.case(stage_1(), key="hugo")
    assert reg.errors() == set()
    assert reg.last is not None
    assert reg.last.checked == 1


def test_unsigned_approval_is_refused(reg: RegisterRepo) -> None:
    reg.case(stage_1())
    assert reg.errors() == {"MC410"}
    found = reg.finding("MC410")
    assert (found.file, found.path) == (CASE, "decisions[0].decided_by")
    assert found.line > 1


def test_unknown_key_is_refused(reg: RegisterRepo) -> None:
    reg.case(stage_1(), key="mallory")
    assert reg.errors() == {"MC411"}


def test_expired_key_is_refused(reg: RegisterRepo) -> None:
    reg.case(stage_1(), key="hugo-old")
    assert reg.errors() == {"MC412"}
    assert "2025-12-31" in reg.finding("MC412").message


def test_key_added_in_the_same_change_is_refused(
    reg: RegisterRepo, keys: dict[str, SshKey]
) -> None:
    reg.commit(
        {"policy/people.yaml": people_yaml(keys, {"hugo-barrett": ["hugo-new"]})},
        "Add Hugo's new key",
        key="amara",
    )
    reg.case(stage_1(), key="hugo-new")
    assert reg.errors() == {"MC413"}
    assert reg.finding("MC413").path == "decisions[0].decided_by"


def test_key_added_and_unapproved_policy_change_are_both_refused(
    reg: RegisterRepo, keys: dict[str, SshKey]
) -> None:
    reg.commit(
        {"policy/people.yaml": people_yaml(keys, {"hugo-barrett": ["hugo-new"]})},
        "Add my own key",
        key="hugo-new",
    )
    reg.case(stage_1(), key="hugo-new")
    assert reg.errors() == {"MC413", "MC405"}


def test_author_line_forged_to_the_approver_is_refused(reg: RegisterRepo) -> None:
    reg.case(stage_1(), author=HUGO)
    assert reg.errors() == {"MC417"}


def test_author_line_forged_on_a_commit_signed_by_a_stranger_is_refused(
    reg: RegisterRepo,
) -> None:
    reg.case(stage_1(), key="mallory", author=HUGO, committer=HUGO)
    assert reg.errors() == {"MC417"}


def test_signer_not_author_identifies_the_approver(reg: RegisterRepo) -> None:
    reg.case(stage_1(), key="hugo", author=BOT)
    assert reg.errors() == set()


def test_entry_changed_after_it_was_signed_is_refused(reg: RegisterRepo) -> None:
    reg.case(stage_1(), key="hugo")
    data = stage_1()
    data["decisions"][0]["measures"] = [{"measure": "time-limits", "minutes": 5}]
    reg.case(data, "Tighten the measure")
    assert reg.errors() == {"MC419"}


def test_later_unsigned_commit_leaves_an_unchanged_approval_standing(reg: RegisterRepo) -> None:
    data = stage_1()
    data["letters"] = []
    reg.case(data, key="hugo")
    reg.case(stage_1(), "Record the letter")
    assert reg.errors() == set()


def test_approver_without_the_role_in_the_base_registry_is_refused(reg: RegisterRepo) -> None:
    data = stage_1()
    data["decisions"][0]["decided_by"] = "ben-holloway"
    reg.case(data, key="ben")
    assert "MC415" in reg.errors()


# --- stage 2 and separation of duties -----------------------------------------------------


def test_stage_2_signed_by_the_author_the_recommender_and_the_decider_is_accepted(
    reg: RegisterRepo,
) -> None:
    reg.case(stage_1(), key="hugo")
    reg.case(stage_2(), key="david", date="2026-05-05")
    approve(reg, "farid", date="2026-05-05")
    approve(reg, "ben", date="2026-05-05")
    assert reg.errors() == set()


def test_stage_2_needs_the_business_case_authors_own_signature(reg: RegisterRepo) -> None:
    # §6.2: the Director of the affected service completes the business case; the decider's
    # and the recommender's signatures do not show that they did.
    reg.case(stage_1(), key="hugo")
    reg.case(stage_2(), key="david", date="2026-05-05")
    approve(reg, "ben", date="2026-05-05")
    assert reg.errors() == {"MC410"}
    found = reg.finding("MC410")
    assert found.path == "decisions[1].business_case.author"
    assert found.message.startswith("the business case for decision D2 names farid-qureshi")


def test_stage_2_business_case_by_someone_not_a_director_of_an_affected_service_is_refused(
    reg: RegisterRepo,
) -> None:
    data = stage_2()
    data["decisions"][1]["business_case"]["author"] = "hugo-barrett"  # a Senior Manager
    reg.case(stage_1(), key="hugo")
    reg.case(data, key="david", date="2026-05-05")
    approve(reg, "hugo", date="2026-05-05")
    approve(reg, "ben", date="2026-05-05")
    errors = reg.errors()
    assert "MC415" in errors
    assert "MC410" not in errors  # signed, but not by someone who may write a business case
    found = reg.finding("MC415")
    assert found.path == "decisions[1].business_case.author"
    assert "'business-case'" in found.message
    assert "2026-05-04" in found.message


def test_stage_2_business_case_author_whose_role_is_only_on_the_branch_is_refused(
    reg: RegisterRepo, keys: dict[str, SshKey]
) -> None:
    # The role comes from the target's registry: a change cannot make its own author.
    people = yaml.safe_load(people_yaml(keys))
    hugo = next(p for p in people["people"] if p["id"] == "hugo-barrett")
    hugo["roles"].append({"role": "director", "service": "council-tax", "start": "2026-05-01"})
    data = stage_2()
    data["decisions"][1]["business_case"]["author"] = "hugo-barrett"
    reg.case(stage_1(), key="hugo")
    reg.commit({"policy/people.yaml": dump_yaml(people)}, "Hugo directs", key="amara")
    reg.case(data, key="david", date="2026-05-05")
    approve(reg, "hugo", date="2026-05-05")
    approve(reg, "ben", date="2026-05-05")
    assert reg.errors() == {"MC415"}
    assert reg.finding("MC415").path == "decisions[1].business_case.author"


def test_stage_2_signed_by_the_business_case_author_is_refused(reg: RegisterRepo) -> None:
    reg.case(stage_1(), key="hugo")
    reg.case(stage_2(), key="farid", date="2026-05-05")
    approve(reg, "ben", date="2026-05-05")
    assert reg.errors() == {"MC414"}
    assert reg.finding("MC414").path == "decisions[1].decided_by"


def test_stage_2_needs_the_recommenders_own_signature(reg: RegisterRepo) -> None:
    reg.case(stage_1(), key="hugo")
    reg.case(stage_2(), key="david", date="2026-05-05")
    approve(reg, "farid", date="2026-05-05")
    assert reg.errors() == {"MC410"}
    assert reg.finding("MC410").path == "decisions[1].recommendation.by"


# --- reviews and history ------------------------------------------------------------------


def test_review_signed_by_both_reviewers_is_accepted(reg: RegisterRepo) -> None:
    reg.case(stage_1(), key="hugo")
    reg.case(with_review(), key="amara", date="2026-09-02")
    approve(reg, "hugo", date="2026-09-02")
    assert reg.errors() == set()


def test_review_missing_a_reviewers_signature_is_refused(reg: RegisterRepo) -> None:
    reg.case(stage_1(), key="hugo")
    reg.case(with_review(), key="amara", date="2026-09-02")
    assert reg.errors() == {"MC410"}
    assert reg.finding("MC410").path == "reviews[0].reviewed_by[1]"


def test_edit_to_a_past_review_without_a_correction_is_refused(reg: RegisterRepo) -> None:
    reg.case(with_review(), key="amara")
    base = approve(reg, "hugo")
    data = with_review()
    data["reviews"][0]["considerations"] = "Rewritten after the fact."
    reg.case(data, "Reword the review", key="amara", date="2026-10-01")
    assert reg.errors(base) == {"MC403"}
    found = reg.finding("MC403")
    assert (found.file, found.path) == (CASE, "reviews[0].considerations")


def test_edit_to_a_past_review_with_an_approved_correction_is_accepted(
    reg: RegisterRepo,
) -> None:
    reg.case(with_review(), key="amara")
    base = approve(reg, "hugo")
    data = with_review()
    data["reviews"][0]["considerations"] = "Reviewed the contact since the decision (corrected)."
    data["corrections"] = [
        {
            "id": "K1",
            "date": "2026-10-01",
            "entry": "R1",
            "made_by": "ben-holloway",
            "approved_by": "amara-okafor",
            "reason": "The considerations named the wrong month.",
        }
    ]
    reg.case(data, "Correct R1", key="amara", date="2026-10-01")
    approve(reg, "hugo", date="2026-10-01")  # the corrected review names Hugo too
    assert reg.errors(base) == set()


def test_correction_not_signed_by_its_approver_is_refused(reg: RegisterRepo) -> None:
    reg.case(with_review(), key="amara")
    base = approve(reg, "hugo")
    data = with_review()
    data["reviews"][0]["considerations"] = "Changed."
    data["corrections"] = [
        {
            "id": "K1",
            "date": "2026-10-01",
            "entry": "R1",
            "made_by": "ben-holloway",
            "approved_by": "amara-okafor",
            "reason": "Inaccurate.",
        }
    ]
    reg.case(data, "Correct R1", key="ben", date="2026-10-01")
    approve(reg, "hugo", date="2026-10-01")
    assert reg.errors(base) == {"MC410"}
    assert reg.last is not None
    unapproved = {f.path for f in reg.last.findings.errors}
    assert unapproved == {"corrections[0].approved_by", "reviews[0].reviewed_by[0]"}


def test_removing_a_past_letter_is_refused(reg: RegisterRepo) -> None:
    base = reg.case(stage_1(), key="hugo")
    data = stage_1()
    data["letters"] = []
    reg.case(data, "Drop L1")
    assert "MC403" in reg.errors(base)


def test_opened_date_is_history(reg: RegisterRepo) -> None:
    base = reg.case(stage_1(), key="hugo")
    reg.case(stage_1(opened="2026-03-01"), "Reopen")
    assert reg.errors(base) == {"MC403"}


def test_customer_details_may_be_corrected(reg: RegisterRepo) -> None:
    base = reg.case(stage_1(), key="hugo")
    data = stage_1()
    data["customer"]["phone"] = "01632 960999"
    reg.case(data, "New phone number")
    assert reg.errors(base) == set()


# --- transitions --------------------------------------------------------------------------


def dormant() -> dict[str, Any]:
    return with_review("close")


def test_dormant_to_stage_2_without_a_new_decision_is_refused(reg: RegisterRepo) -> None:
    base = reg.case(dormant())
    data = dormant()
    data["reviews"].append(review("R2", "2026-10-05", "continue", stage=2, extend_to="2027-04-01"))
    data["letters"].append(letter("L3", "2026-10-06", "R2"))
    reg.case(data, "Put the dormant case back at stage 2", key="amara", date="2026-10-06")
    approve(reg, "hugo", date="2026-10-06")
    errors = reg.errors(base)
    assert "MC401" in errors
    assert reg.finding("MC401").path == "reviews[1]"
    assert "MC403" not in errors


def test_dormant_to_stage_2_by_editing_state_bearing_history_is_refused(
    reg: RegisterRepo,
) -> None:
    base = reg.case(dormant())
    data = with_review("continue", stage=2)
    reg.case(data, "Make the closing review a stage 2 continuation", key="amara")
    assert {"MC401", "MC403"} <= reg.errors(base)


def test_dormant_to_stage_1_by_a_new_decision_is_accepted(reg: RegisterRepo) -> None:
    base = reg.case(dormant())
    data = dormant()
    data["incidents"].append({**data["incidents"][0], "id": "I2", "date": "2026-10-01"})
    data["decisions"].append(decision("D2", "2026-10-05"))
    data["letters"].append(letter("L3", "2026-10-06", "D2"))
    reg.case(data, "Conduct recommenced", key="hugo", date="2026-10-06")
    assert reg.errors(base) == set()


def test_backdated_decision_rewrites_the_past_and_is_refused(reg: RegisterRepo) -> None:
    base = reg.case(with_review(), key="amara")
    data = with_review()
    data["decisions"].insert(0, decision("D0", "2026-03-05"))
    data["letters"].append(letter("L0", "2026-03-06", "D0"))
    reg.case(data, "An earlier decision", key="hugo")
    assert "MC401" in reg.errors(base)


# --- new cases and deletions --------------------------------------------------------------


def deletion(
    case_id: str,
    reason: Literal["retention", "erasure"] = "retention",
    day: str = "2026-11-20",
    of: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A deletion record, with the statistics `mcr delete` works out from the case `of`."""
    stats: dict[str, Any] = {
        "opened_year": 2023,
        "highest_stage": 1,
        "services": ["council-tax"],
        "conduct": ["shouting"],
        "outcome": "closed" if reason == "retention" else "erased",
    }
    if of is not None:
        policy = load_policy(REPO)[0]
        assert policy is not None
        worked_out = statistics_for(
            Case.model_validate(of), policy, date.fromisoformat(day), reason
        )
        assert worked_out is not None
        stats = worked_out.model_dump(mode="json", exclude_none=True)
    return {
        "id": case_id,
        "deleted": day,
        "reason": reason,
        "approved_by": "amara-okafor",
        "statistics": stats,
    }


def log(*records: dict[str, Any]) -> str:
    return yaml.safe_dump({"deletions": list(records)}, sort_keys=False)


def closed_in(year: int) -> dict[str, Any]:
    return case(
        opened=f"{year}-03-02",
        decisions=[decision("D1", f"{year}-03-09")],
        reviews=[review("R1", f"{year}-06-01", "close")],
        letters=[letter("L1", f"{year}-03-10", "D1"), letter("L2", f"{year}-06-02", "R1")],
    )


def test_case_deleted_when_due_is_accepted(reg: RegisterRepo) -> None:
    base = reg.case(closed_in(2025))
    reg.commit(
        {CASE: None, "cases/deletions.yaml": log(deletion("MC-2026-0001", of=closed_in(2025)))},
        "Delete MC-2026-0001 (retention)",
        key="amara",
        date="2026-11-20",
    )
    assert reg.errors(base) == set()


def test_case_file_deleted_before_its_deletion_date_is_refused(reg: RegisterRepo) -> None:
    base = reg.case(dormant())
    reg.commit(
        {CASE: None, "cases/deletions.yaml": log(deletion("MC-2026-0001", of=dormant()))},
        "Delete MC-2026-0001 early",
        key="amara",
        date="2026-11-20",
    )
    assert reg.errors(base) == {"MC404"}
    found = reg.finding("MC404")
    assert (found.file, found.path) == ("cases/deletions.yaml", "deletions[0].reason")


def test_recorded_erasure_may_delete_at_any_time(reg: RegisterRepo) -> None:
    base = reg.case(dormant())
    reg.commit(
        {
            CASE: None,
            "cases/deletions.yaml": log(deletion("MC-2026-0001", "erasure", of=dormant())),
        },
        "Erase MC-2026-0001",
        key="amara",
        date="2026-11-20",
    )
    assert reg.errors(base) == set()


def test_erasure_of_a_case_under_an_open_legal_hold_is_refused(reg: RegisterRepo) -> None:
    held = dormant()
    held["legal_holds"] = [
        {"id": "H1", "reason": "legal-claim", "start": "2026-09-10", "reference": "CLAIM-7"}
    ]
    base = reg.case(held)
    reg.commit(
        {CASE: None, "cases/deletions.yaml": log(deletion("MC-2026-0001", "erasure", of=held))},
        "Erase MC-2026-0001",
        key="amara",
        date="2026-11-20",
    )
    assert reg.errors(base) == {"MC404"}
    found = reg.finding("MC404")
    assert (found.file, found.path) == ("cases/deletions.yaml", "deletions[0].reason")
    assert "H1" in found.message
    assert "CLAIM-7" not in found.message


def test_case_file_deleted_without_a_record_is_refused(reg: RegisterRepo) -> None:
    base = reg.case(closed_in(2025))
    reg.commit({CASE: None}, "Delete", key="amara")
    assert reg.errors(base) == {"MC406"}
    assert reg.finding("MC406").file == "cases/deletions.yaml"


def test_deletion_record_must_be_signed_by_its_approver(reg: RegisterRepo) -> None:
    base = reg.case(closed_in(2025))
    reg.commit(
        {CASE: None, "cases/deletions.yaml": log(deletion("MC-2026-0001", of=closed_in(2025)))},
        "Delete",
        date="2026-11-20",
    )
    assert reg.errors(base) == {"MC410"}
    assert reg.finding("MC410").path == "deletions[0].approved_by"


def test_deletion_statistics_that_are_not_the_cases_are_refused(reg: RegisterRepo) -> None:
    base = reg.case(closed_in(2025))
    record = deletion("MC-2026-0001", of=closed_in(2025))
    record["statistics"]["highest_stage"] = 2
    reg.commit(
        {CASE: None, "cases/deletions.yaml": log(record)},
        "Delete with figures typed by hand",
        key="amara",
        date="2026-11-20",
    )
    assert reg.errors(base) == {"MC430"}
    found = reg.finding("MC430")
    assert (found.file, found.path) == ("cases/deletions.yaml", "deletions[0].statistics")
    assert "'highest_stage': 1" in found.message


def test_a_tracked_keystore_is_refused(reg: RegisterRepo) -> None:
    reg.commit({"keys/MCR-KEYSTORE": "keys\n", "keys/keys/MC-2026-0001.mcrkey": "{}\n"}, "Keys")
    assert reg.errors() == {"MC431"}
    assert {f.file for f in reg.check().findings.errors} == {
        "keys/MCR-KEYSTORE",
        "keys/keys/MC-2026-0001.mcrkey",
    }


def test_a_keystore_is_tracked_only_where_the_target_is_the_demo(reg: RegisterRepo) -> None:
    settings = not_the_demo((REPO / "policy" / "settings.yaml").read_text(encoding="utf-8"))
    demo = settings.rstrip("\n") + "\ndemo: true\n"
    reg.branch("mr", reg.base)
    reg.commit({"policy/settings.yaml": demo, "demo-keystore/MCR-KEYSTORE": "keys\n"}, "Mine")
    assert "MC431" in reg.errors()  # the change cannot declare itself the demo
    target = reg.commit({"policy/settings.yaml": demo}, "The demo", key="amara")
    reg.commit({"demo-keystore/MCR-KEYSTORE": "keys\n"}, "Demo keys")
    assert "MC431" not in reg.errors(target)


def test_new_case_reusing_a_deleted_id_is_refused(reg: RegisterRepo) -> None:
    base = reg.commit(
        {"cases/deletions.yaml": log(deletion("MC-2026-0001"))}, "Old log", key="amara"
    )
    reg.case(stage_1(), key="hugo")
    assert "MC402" in reg.errors(base)


# --- policy -------------------------------------------------------------------------------


def periods(months: int) -> str:
    text = (Path(__file__).resolve().parents[1] / "policy" / "periods.yaml").read_text()
    return text.replace("review_months: 6", f"review_months: {months}")


def test_policy_change_approved_by_a_policy_owner_is_accepted(reg: RegisterRepo) -> None:
    reg.commit({"policy/periods.yaml": periods(5)}, "Review every 5 months", key="amara")
    assert reg.errors() == set()


def test_policy_change_without_approval_is_refused(reg: RegisterRepo) -> None:
    reg.commit({"policy/periods.yaml": periods(5)}, "Review every 5 months", key="hugo")
    assert reg.errors() == {"MC405"}
    found = reg.finding("MC405")
    assert (found.file, found.path) == ("policy/periods.yaml", "review_months")
    assert found.line > 1


def test_policy_change_edited_after_approval_is_refused(reg: RegisterRepo) -> None:
    reg.commit({"policy/periods.yaml": periods(5)}, "Review every 5 months", key="amara")
    reg.commit({"policy/periods.yaml": periods(4)}, "Make it 4")
    assert reg.errors() == {"MC405"}


def test_role_added_in_the_change_does_not_approve_it(
    reg: RegisterRepo, keys: dict[str, SshKey]
) -> None:
    data = yaml.safe_load(people_yaml(keys))
    hugo = next(p for p in data["people"] if p["id"] == "hugo-barrett")
    hugo["roles"].append({"role": "director-of-governance", "start": "2026-03-01"})
    reg.commit({"policy/people.yaml": dump_yaml(data)}, "Promote myself", key="hugo")
    assert reg.errors() == {"MC405"}


def test_a_misnamed_case_file_in_a_change_is_reported(reg: RegisterRepo) -> None:
    reg.commit({"cases/mc-2026-0001.yaml": "id: MC-2026-0001\n"}, "misnamed", key="hugo")
    assert reg.errors() == {"MC106"}
    assert reg.finding("MC106").file == "cases/mc-2026-0001.yaml"


def test_recording_when_dormant_activity_was_considered_is_not_an_edit(
    reg: RegisterRepo,
) -> None:
    def closed(considered: str | None) -> dict[str, Any]:
        data = with_review("close")
        entry: dict[str, Any] = {"id": "T1", "date": "2026-10-01", "summary": "Called again."}
        if considered:
            entry["considered"] = considered
        data["activity"] = [entry]
        return data

    reg.case(closed(None), key="amara", date="2026-10-02")
    base = approve(reg, "hugo", date="2026-10-02")
    reg.case(closed("2026-10-03"), "Considered T1", key="amara", date="2026-10-03")
    assert reg.errors(base) == set()
    reg.case(closed("2026-10-04"), "Change when T1 was considered", key="amara", date="2026-10-04")
    assert reg.errors(base) == set()  # still only filled in once, relative to the base
    later = reg.commit({}, "base moves on", key="amara", date="2026-10-05")
    reg.case(closed("2026-10-06"), "Rewrite it", key="amara", date="2026-10-06")
    assert reg.errors(later) == {"MC403"}


# --- the target's registry, not the merge base's ------------------------------------------


def without_hugos_key(keys: dict[str, SshKey]) -> str:
    data = yaml.safe_load(people_yaml(keys))
    hugo = next(p for p in data["people"] if p["id"] == "hugo-barrett")
    hugo["keys"] = [k for k in hugo["keys"] if k["key"] != keys["hugo"].public_text]
    return dump_yaml(data)


def test_key_removed_on_the_target_after_the_fork_no_longer_approves(
    reg: RegisterRepo, keys: dict[str, SshKey]
) -> None:
    fork = reg.base
    reg.commit(
        {"policy/people.yaml": without_hugos_key(keys)},
        "Withdraw Hugo's compromised key",
        key="amara",
        date="2026-03-01",
    )
    reg.branch("change", fork)
    reg.case(stage_1(), key="hugo")
    assert reg.errors("main") == {"MC411"}
    assert reg.last is not None
    assert (reg.last.base, reg.last.target) == (fork, reg.commit_of("main"))
    assert reg.finding("MC411").path == "decisions[0].decided_by"


def test_role_ended_on_the_target_after_the_fork_no_longer_approves(
    reg: RegisterRepo, keys: dict[str, SshKey]
) -> None:
    fork = reg.base
    data = yaml.safe_load(people_yaml(keys))
    hugo = next(p for p in data["people"] if p["id"] == "hugo-barrett")
    for held in hugo["roles"]:
        held["end"] = "2026-02-28"
    reg.commit({"policy/people.yaml": dump_yaml(data)}, "Hugo left", key="amara", date="2026-03-01")
    reg.branch("change", fork)
    reg.case(stage_1(), key="hugo")
    assert "MC415" in reg.errors("main")


def test_key_added_on_the_target_after_the_fork_approves(
    reg: RegisterRepo, keys: dict[str, SshKey]
) -> None:
    fork = reg.base
    reg.commit(
        {"policy/people.yaml": people_yaml(keys, {"hugo-barrett": ["hugo-new"]})},
        "Hugo's new key",
        key="amara",
        date="2026-03-01",
    )
    reg.branch("change", fork)
    reg.case(stage_1(), key="hugo-new")
    assert reg.errors("main") == set()


# --- a correction approves itself, not a rewrite of the entry it names ---------------------


def correction(entry: str, reason: str = "Typo in the reason.") -> dict[str, Any]:
    return {
        "id": "K1",
        "date": "2026-10-01",
        "entry": entry,
        "made_by": "ben-holloway",
        "approved_by": "amara-okafor",
        "reason": reason,
    }


def test_corrected_decision_approved_by_its_decider_and_the_corrections_approver_is_accepted(
    reg: RegisterRepo,
) -> None:
    base = reg.case(stage_1(), key="hugo")
    data = stage_1(corrections=[correction("D1")])
    data["decisions"][0]["reason"] = "Shouting at call handlers, twice."
    reg.case(data, "Correct D1", key="amara", date="2026-10-01")
    approve(reg, "hugo", date="2026-10-01")
    assert reg.errors(base) == set()


def test_unsigned_rewrite_of_a_corrected_decision_is_refused(reg: RegisterRepo) -> None:
    base = reg.case(stage_1(), key="hugo")
    data = stage_1(corrections=[correction("D1")])
    data["decisions"][0]["reason"] = "Shouting at call handlers, twice."
    reg.case(data, "Correct D1", key="amara", date="2026-10-01")
    approve(reg, "hugo", date="2026-10-01")
    data["decisions"][0]["measures"] = [{"measure": "time-limits", "minutes": 1}]
    data["decisions"][0]["decided_by"] = "david-renshaw"
    reg.case(data, "Unsigned rewrite", date="2026-10-02")
    assert reg.errors(base) == {"MC410"}
    found = reg.finding("MC410")
    assert found.path == "decisions[0].decided_by"
    assert "david-renshaw" in found.message


def test_correction_turning_stage_1_into_stage_2_needs_the_stage_2_approvals(
    reg: RegisterRepo,
) -> None:
    base = reg.case(stage_1(), key="hugo")
    data = stage_1(corrections=[correction("D1", "Wrong stage recorded.")])
    data["decisions"][0] = decision("D1", "2026-03-09", stage=2, extreme_reason="Extreme.")
    reg.case(data, "Correct D1", key="amara", date="2026-10-01")
    assert reg.errors(base) == {"MC410"}
    assert reg.last is not None
    unapproved = {f.path for f in reg.last.findings.errors}
    assert unapproved == {
        "decisions[0].decided_by",
        "decisions[0].business_case.author",
        "decisions[0].recommendation.by",
    }


def test_corrected_stage_2_decision_signed_by_the_business_case_author_is_refused(
    reg: RegisterRepo,
) -> None:
    base = reg.case(stage_1(), key="hugo")
    data = stage_1(corrections=[correction("D1", "Wrong stage recorded.")])
    data["decisions"][0] = decision("D1", "2026-03-09", stage=2, extreme_reason="Extreme.")
    reg.case(data, "Correct D1", key="amara", date="2026-10-01")
    approve(reg, "farid", date="2026-10-01")
    approve(reg, "ben", date="2026-10-01")
    errors = reg.errors(base)
    assert "MC414" in errors
    assert reg.finding("MC414").path == "decisions[0].decided_by"


def test_unrelated_correction_leaves_the_past_moves_check_on(reg: RegisterRepo) -> None:
    reg.case(with_review(), key="amara")
    base = approve(reg, "hugo")
    data = with_review()
    data["reviews"].insert(0, review("R0", "2026-05-01", "close"))
    data["decisions"].append(decision("D2", "2026-06-01"))
    data["letters"] += [letter("L3", "2026-05-02", "R0"), letter("L4", "2026-06-02", "D2")]
    data["incidents"][0]["staff_affected"] = "Two call handlers, Council Tax team"
    data["corrections"] = [correction("I1", "Team name.")]
    reg.case(data, "Rewrite the past", key="hugo", date="2026-10-01")
    approve(reg, "amara", date="2026-10-01")
    assert "MC401" in reg.errors(base)
    assert reg.finding("MC401").path == "reviews[0]"


def test_correcting_a_decisions_stage_may_change_the_moves_that_follow_it(
    reg: RegisterRepo,
) -> None:
    reg.case(with_review(), key="amara")
    base = approve(reg, "hugo")
    data = with_review()
    data["decisions"][0] = decision("D1", "2026-03-09", stage=2, extreme_reason="Extreme.")
    data["corrections"] = [correction("D1", "Wrong stage recorded.")]
    reg.case(data, "Correct D1", key="amara", date="2026-10-01")
    approve(reg, "david", date="2026-10-01")
    approve(reg, "farid", date="2026-10-01")
    approve(reg, "ben", date="2026-10-01")
    assert reg.errors(base) == set()  # R1 now continues stage 2: it follows from K1


# --- the deletion log is history ----------------------------------------------------------


def test_removing_the_deletion_log_is_refused(reg: RegisterRepo) -> None:
    base = reg.commit(
        {"cases/deletions.yaml": log(deletion("MC-2025-0007", day="2026-02-01"))},
        "Old log",
        key="amara",
        date="2026-02-01",
    )
    reg.commit({"cases/deletions.yaml": None}, "Drop the deletion log")
    assert reg.errors(base) == {"MC403"}
    found = reg.finding("MC403")
    assert (found.file, found.line) == ("cases/deletions.yaml", 1)
    assert "MC-2025-0007" in found.message


# --- a policy change is checked against every case ----------------------------------------


def test_policy_change_that_breaks_an_unchanged_case_is_reported(reg: RegisterRepo) -> None:
    reg.case(stage_1(), key="hugo")
    reg.case({**stage_1(), "id": "MC-2026-0002"}, key="hugo")
    base = reg.commit({}, "Merged")
    vocabulary = (reg.path / "policy" / "vocabulary.yaml").read_text(encoding="utf-8")
    kept = [line for line in vocabulary.splitlines(True) if "id: shouting" not in line]
    reg.commit({"policy/vocabulary.yaml": "".join(kept)}, "Drop a category", key="amara")
    assert reg.errors(base) == {"MC201"}
    assert reg.last is not None
    assert reg.last.checked == 2
    broken = {f.file for f in reg.last.findings.errors}
    assert broken == {CASE, "cases/MC-2026-0002.yaml"}


# --- file names git's batch interface cannot take -----------------------------------------


def test_changed_file_with_a_line_break_in_its_name_is_reported(reg: RegisterRepo) -> None:
    reg.commit({"cases/MC-2026-0001\n.yaml": "id: MC-2026-0001\n"}, "Odd name", key="hugo")
    assert reg.errors() == {"MC106"}
    assert reg.finding("MC106").file == "cases/MC-2026-0001\\n.yaml"
