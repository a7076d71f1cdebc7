"""The choices the policy leaves to the council: each setting, in both positions, changes the
verdict the policy text gives, and the Rules page shows what this register has chosen."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from scenario import REPO, repo_policy, verdict, with_settings

from managed_contact.register.policy import Choices
from managed_contact.register.snapshot import load_policy
from managed_contact.site.reference import CHOICES_HEADING, choices_markdown

from casebuilder import case, challenge, decision, letter, review

D1 = decision("D1", "2023-06-05")
L1 = letter("L1", "2023-06-06", "D1")


def chosen(**choices: bool) -> Any:
    """The repository's policy with some of the council's choices made the other way."""
    return with_settings(choices={**repo_policy().settings.choices.model_dump(), **choices})


def test_the_repository_makes_every_choice_explicitly_and_as_the_defaults() -> None:
    written = yaml.safe_load((REPO / "policy" / "settings.yaml").read_text(encoding="utf-8"))
    assert set(written["choices"]) == set(Choices.model_fields)
    assert repo_policy().settings.choices == Choices()


# §6.2: the Director of Governance decides; Customer Relations recommend.


def rejected_stage_2() -> dict[str, Any]:
    d2 = decision("D2", "2023-09-01", stage=2)
    d2["recommendation"]["outcome"] = "reject"
    d2["against_recommendation_reason"] = "Calls continued after stage 1."
    return case(decisions=[D1, d2], letters=[L1, letter("L2", "2023-09-02", "D2")])


@pytest.mark.parametrize(("allowed", "expected"), [(True, []), (False, ["MC318"])])
def test_whether_a_rejection_stops_a_stage_2_decision(allowed: bool, expected: list[str]) -> None:
    policy = chosen(governance_may_overrule_rejection=allowed)
    assert verdict(rejected_stage_2(), date(2023, 10, 1), policy) == expected


# §6 sets a level ("as a minimum ... senior manager"); §6.1 has the service act.


@pytest.mark.parametrize(("same_service", "expected"), [(False, []), (True, ["MC310"])])
def test_whether_the_stage_1_approver_is_of_an_affected_service(
    same_service: bool, expected: list[str]
) -> None:
    # Priya Castell is a Senior Manager in Planning; the case is about Council Tax.
    data = case(decisions=[decision("D1", "2023-06-05", decided_by="priya-castell")], letters=[L1])
    policy = chosen(stage_1_approver_of_affected_service=same_service)
    assert verdict(data, date(2023, 7, 1), policy) == expected


def test_an_approver_of_an_affected_service_meets_either_choice() -> None:
    data = case(decisions=[D1], letters=[L1])
    for same_service in (False, True):
        policy = chosen(stage_1_approver_of_affected_service=same_service)
        assert verdict(data, date(2023, 7, 1), policy) == []


# §6.1: "The default monitoring period is 6 months but the Council reserves the right to extend".


@pytest.mark.parametrize(
    ("shorter", "period", "expected"),
    [
        (False, {"monitoring_months": 3}, ["MC319"]),
        (True, {"monitoring_months": 3}, []),
        (False, {"expires": "2023-09-05"}, ["MC319"]),
        (True, {"expires": "2023-09-05"}, []),
        (False, {"monitoring_months": 6}, []),
        (False, {"monitoring_months": 9}, []),
        (False, {"expires": "2023-12-05"}, []),
    ],
)
def test_whether_a_monitoring_period_may_be_shorter_than_the_default(
    shorter: bool, period: dict[str, Any], expected: list[str]
) -> None:
    data = case(decisions=[decision("D1", "2023-06-05", **period)], letters=[L1])
    policy = chosen(monitoring_may_be_shorter=shorter)
    assert verdict(data, date(2023, 7, 1), policy) == expected


# §7: reviews "by the Customer Relations Manager and Senior Manager, in consultation with the
# relevant senior managers/Directors".


def reviewed_by(second: str) -> dict[str, Any]:
    rev = review("R1", "2023-12-01", "continue", extend_to="2024-06-01")
    rev["reviewed_by"] = ["amara-okafor", second]
    return case(decisions=[D1], reviews=[rev], letters=[L1, letter("L2", "2023-12-02", "R1")])


@pytest.mark.parametrize(("stand_in", "expected"), [(True, []), (False, ["MC315"])])
@pytest.mark.parametrize("director", ["farid-qureshi", "david-renshaw"])
def test_whether_a_director_may_stand_in_for_the_senior_manager_at_review(
    director: str, stand_in: bool, expected: list[str]
) -> None:
    # Farid Qureshi is the Director of Council Tax; David Renshaw the Director of Governance.
    policy = chosen(review_director_may_stand_in=stand_in)
    assert verdict(reviewed_by(director), date(2024, 1, 1), policy) == expected


def test_a_senior_manager_reviews_whether_or_not_directors_may_stand_in() -> None:
    for stand_in in (False, True):
        policy = chosen(review_director_may_stand_in=stand_in)
        assert verdict(reviewed_by("hugo-barrett"), date(2024, 1, 1), policy) == []


@pytest.mark.parametrize(("same_service", "expected"), [(False, []), (True, ["MC315"])])
def test_whether_the_reviewing_senior_manager_is_of_an_affected_service(
    same_service: bool, expected: list[str]
) -> None:
    policy = chosen(review_senior_manager_of_affected_service=same_service)
    assert verdict(reviewed_by("priya-castell"), date(2024, 1, 1), policy) == expected


# §7 lists "continue at stage 1" without saying from where.


@pytest.mark.parametrize(("allowed", "expected"), [(False, ["MC342"]), (True, [])])
def test_whether_a_stage_2_review_may_continue_at_stage_1(
    allowed: bool, expected: list[str]
) -> None:
    back = review("R1", "2024-02-01", "continue", extend_to="2024-08-01", stage=1)
    data = case(
        decisions=[D1, decision("D2", "2023-09-01", stage=2)],
        reviews=[back],
        letters=[L1, letter("L2", "2023-09-02", "D2"), letter("L3", "2024-02-02", "R1")],
    )
    policy = chosen(stage_2_review_may_continue_at_stage_1=allowed)
    assert verdict(data, date(2024, 3, 1), policy) == expected


# A challenge is decided by "a senior officer not involved in the original decision".


@pytest.mark.parametrize(("involved", "expected"), [(True, ["MC370"]), (False, [])])
def test_whether_signing_the_decision_letter_is_being_involved(
    involved: bool, expected: list[str]
) -> None:
    # The letter telling of D1 was signed by Farid Qureshi, who then decided the challenge.
    challenged_entry = challenge(
        "C1", "2023-06-20", decided_by="farid-qureshi", decided="2023-07-10"
    )
    letters = [letter("L1", "2023-06-06", "D1", "farid-qureshi"), letter("L2", "2023-07-11", "C1")]
    data = case(decisions=[D1], letters=letters, challenges=[challenged_entry])
    policy = chosen(letter_signer_is_involved=involved)
    assert verdict(data, date(2023, 8, 1), policy) == expected


# §7: "There is no right of appeal" — while the council gives a right to challenge.


@pytest.mark.parametrize(("allowed", "expected"), [(False, ["MC322"]), (True, [])])
def test_whether_a_letter_may_say_there_is_no_right_of_appeal(
    allowed: bool, expected: list[str]
) -> None:
    both = letter("L1", "2023-06-06", "D1")
    both["states"].append("no-right-of-appeal")
    data = case(decisions=[D1], letters=[both])
    policy = chosen(no_right_of_appeal_while_challenge_on=allowed)
    assert verdict(data, date(2023, 7, 1), policy) == expected


def test_no_right_of_appeal_is_what_a_letter_says_where_there_is_no_right_to_challenge() -> None:
    off = letter("L1", "2023-06-06", "D1")
    off["states"] = [s for s in off["states"] if s != "how-to-challenge"] + ["no-right-of-appeal"]
    data = case(decisions=[D1], letters=[off])
    assert verdict(data, date(2023, 7, 1), with_settings(right_to_challenge=False)) == []
    assert verdict(data, date(2023, 7, 1)) == ["MC321", "MC322"]


# The Rules page says what this register has chosen, and follows policy/ when it changes.


def test_the_rules_page_lists_every_choice_with_its_value() -> None:
    page = choices_markdown(repo_policy())
    assert page.startswith(CHOICES_HEADING)
    rows = [line for line in page.splitlines() if "`choices." in line]
    assert len(rows) == len(Choices.model_fields)
    row = next(r for r in rows if "`choices.governance_may_overrule_rejection`" in r)
    assert row.split(" | ")[1:3] == ["Yes", "Yes"]


def test_changing_a_choice_in_policy_changes_the_rules_page(register: Path) -> None:
    settings = register / "policy" / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    changed = text.replace(
        "governance_may_overrule_rejection: true", "governance_may_overrule_rejection: false"
    )
    assert changed != text
    settings.write_text(changed, encoding="utf-8")
    policy, _, problems = load_policy(register)
    assert not problems
    assert policy is not None
    row = next(
        r
        for r in choices_markdown(policy).splitlines()
        if "`choices.governance_may_overrule_rejection`" in r
    )
    assert row.split(" | ")[1:3] == ["No", "Yes"]
    assert verdict(rejected_stage_2(), date(2023, 10, 1), policy) == ["MC318"]


# The right to challenge itself: turning it off does not undo the challenges made while it was on.


@pytest.mark.parametrize(
    ("since", "expected"), [("2024-01-01", []), ("2023-01-01", ["MC321", "MC321", "MC371"])]
)
def test_a_challenge_received_before_the_right_was_turned_off_stands(
    since: str, expected: list[str]
) -> None:
    challenged_entry = challenge(
        "C1", "2023-06-20", decided_by="priya-castell", decided="2023-07-10"
    )
    data = case(
        decisions=[D1],
        letters=[L1, letter("L2", "2023-07-11", "C1")],
        challenges=[challenged_entry],
    )
    policy = with_settings(
        right_to_challenge=False, right_to_challenge_since=date.fromisoformat(since)
    )
    assert verdict(data, date(2023, 8, 1), policy) == expected
