"""Where the rules once disagreed with the policy's own words, each case as the text decides it.

Every test here failed before the rules were corrected: it names the § whose words settle the
verdict, and asserts the whole list of rules found (an empty list: the case passes).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from scenario import status, verdict, with_settings

from casebuilder import case, challenge, decision, letter, review

# A stage 1 case decided on 5 June 2023, after the conduct (1 June), the adjustment and the
# service's own attempt (2 June) that the base case records.
D1 = decision("D1", "2023-06-05")
L1 = letter("L1", "2023-06-06", "D1")


def stage_2(**recommendation: Any) -> dict[str, Any]:
    """A stage 1 case escalated by a stage 2 decision on 1 September 2023."""
    d2 = decision("D2", "2023-09-01", stage=2)
    d2["recommendation"] = {**d2["recommendation"], **recommendation}
    return case(decisions=[D1, d2], letters=[L1, letter("L2", "2023-09-02", "D2")])


# §6, §6.1: "continues to demonstrate unacceptable conduct", "why we believe their behaviour is
# unacceptable", "evidence the impact their conduct is having": the conduct is on record first.


def test_a_decision_with_no_incident_at_all_is_refused() -> None:
    data = case(incidents=[], decisions=[D1], letters=[L1])
    assert verdict(data, date(2023, 7, 1)) == ["MC300"]


def test_a_decision_before_every_incident_is_refused() -> None:
    data = case(opened="2023-05-30", decisions=[decision("D1", "2023-05-31")], letters=[L1])
    data["adjustments"][0]["date"] = data["resolution_attempts"][0]["date"] = "2023-05-30"
    assert verdict(data, date(2023, 7, 1)) == ["MC300"]


def test_a_decision_on_the_day_of_the_incident_rests_on_it() -> None:
    data = case(decisions=[decision("D1", "2023-06-01")], letters=[L1])
    data["adjustments"][0]["date"] = data["resolution_attempts"][0]["date"] = "2023-06-01"
    assert verdict(data, date(2023, 7, 1)) == []


def test_a_decision_relying_on_conduct_no_incident_shows_is_refused() -> None:
    relied = decision("D1", "2023-06-05", conduct=["shouting", "threats"])
    data = case(decisions=[relied], letters=[L1])
    found = _findings(data, date(2023, 7, 1))
    assert [(f.rule, f.path) for f in found] == [("MC300", "decisions[0].conduct[1]")]


def test_reopening_a_dormant_case_needs_conduct_since_it_went_dormant() -> None:
    closed = review("R1", "2023-12-01", "close")
    again = decision("D2", "2024-03-01")
    letters = [L1, letter("L2", "2023-12-02", "R1"), letter("L3", "2024-03-02", "D2")]
    data = case(decisions=[D1, again], reviews=[closed], letters=letters)
    assert verdict(data, date(2024, 4, 1)) == ["MC300"]
    data["incidents"].append({**data["incidents"][0], "id": "I2", "date": "2024-02-20"})
    assert verdict(data, date(2024, 4, 1)) == []


# §6.2: Customer Relations "recommend approval (or rejection) before forwarding it to the
# Director of Governance for a final decision": the Director decides.


def test_the_director_of_governance_may_decide_against_a_rejection_giving_the_reason() -> None:
    data = stage_2(outcome="reject")
    data["decisions"][1]["against_recommendation_reason"] = "Calls continued after stage 1."
    assert verdict(data, date(2023, 10, 1)) == []


def test_a_decision_against_a_rejection_without_its_reason_is_a_finding() -> None:
    found = _findings(stage_2(outcome="reject"), date(2023, 10, 1))
    assert [(f.rule, f.path) for f in found] == [("MC318", "decisions[1]")]


def test_a_recommendation_to_approve_needs_no_reason() -> None:
    assert verdict(stage_2(outcome="approve"), date(2023, 10, 1)) == []


def test_a_reason_against_a_recommendation_that_approved_is_out_of_place() -> None:
    data = stage_2(outcome="approve")
    data["decisions"][1]["against_recommendation_reason"] = "Calls continued after stage 1."
    assert verdict(data, date(2023, 10, 1)) == ["MC103"]


# §7: dormant cases are deleted "12 months after moving to this stage, if there is no further
# activity within that period".


def dormant(*activity: str) -> dict[str, Any]:
    """Closed at review on 1 December 2023 (deletion due 1 December 2024), with contact after."""
    entries = [
        {"id": f"T{n}", "date": day, "summary": "Telephoned about a new bill.", "considered": day}
        for n, day in enumerate(activity, 1)
    ]
    return case(
        decisions=[D1],
        reviews=[review("R1", "2023-12-01", "close")],
        letters=[L1, letter("L2", "2023-12-02", "R1")],
        activity=entries,
    )


def test_contact_after_the_deletion_date_does_not_start_the_period_again() -> None:
    data = dormant("2025-02-01")
    assert status(data, date(2025, 3, 1)).deletion_due == date(2024, 12, 1)
    assert verdict(data, date(2025, 3, 1)) == ["MC352"]
    assert verdict(data, date(2025, 3, 1), strict_dates=True) == ["MC352"]
    (finding,) = _findings(data, date(2025, 3, 1), strict=True)
    assert finding.severity.value == "error"


def test_contact_within_the_period_starts_it_again() -> None:
    assert status(dormant("2024-06-01"), date(2025, 3, 1)).deletion_due == date(2025, 6, 1)


def test_contact_on_the_deletion_day_is_within_the_period() -> None:
    assert status(dormant("2024-12-01"), date(2025, 3, 1)).deletion_due == date(2025, 12, 1)


def test_contact_within_a_restarted_period_restarts_it_once_more() -> None:
    found = status(dormant("2024-06-01", "2025-05-01", "2026-09-01"), date(2026, 10, 1))
    assert found.deletion_due == date(2026, 5, 1)
    assert found.last_activity == date(2026, 9, 1)


def test_a_legal_hold_recorded_after_the_deletion_date_blocks_it_while_open() -> None:
    data = dormant("2025-02-01")
    data["legal_holds"] = [
        {
            "id": "H1",
            "reason": "ombudsman-complaint",
            "start": "2025-02-10",
            "reference": "LGSCO 24 000 001",
        }
    ]
    assert verdict(data, date(2025, 3, 1), strict_dates=True) == []


# §7: a review records "the date when the restriction expires or is to be extended until". A
# review that continues without it is refused, and is still the review that was held.


def continued(day: str) -> dict[str, Any]:
    """Monitoring ran to 5 December 2023; the review continued it without a new date."""
    return case(
        decisions=[D1],
        reviews=[review("R1", day, "continue")],
        letters=[L1, letter("L2", day, "R1")],
    )


def test_a_continue_without_its_new_date_is_not_also_an_overdue_review() -> None:
    assert verdict(continued("2023-12-05"), date(2024, 1, 10)) == ["MC344"]
    assert status(continued("2023-12-05"), date(2024, 1, 10)).next_review_due == date(2024, 6, 5)


def test_a_late_continue_without_its_new_date_is_late_but_not_overdue() -> None:
    assert verdict(continued("2023-12-20"), date(2024, 1, 10)) == ["MC344", "MC351"]


def test_a_review_is_overdue_again_six_months_after_it_was_held() -> None:
    assert verdict(continued("2023-12-05"), date(2024, 6, 6)) == ["MC344", "MC350"]


# The right to challenge (DOMAIN.md; LGSCO 21 001 276): a review outcome that keeps or raises
# the restrictions is told to the customer with how to challenge it, so it may be challenged.


def challenged(outcome: str, decided_by: str = "priya-castell") -> dict[str, Any]:
    extra = {"extend_to": "2024-06-01"} if outcome == "continue" else {}
    challenged_entry = challenge(
        "C1", "2023-12-10", "R1", decided_by=decided_by, decided="2024-01-05"
    )
    return case(
        decisions=[D1],
        reviews=[review("R1", "2023-12-01", outcome, **extra)],
        letters=[L1, letter("L2", "2023-12-02", "R1"), letter("L3", "2024-01-06", "C1")],
        challenges=[challenged_entry],
    )


def test_a_challenge_may_be_against_a_review_that_continued_the_arrangement() -> None:
    assert verdict(challenged("continue"), date(2024, 2, 1)) == []


def test_a_challenge_to_a_review_is_not_decided_by_one_of_its_reviewers() -> None:
    found = _findings(challenged("continue", decided_by="hugo-barrett"), date(2024, 2, 1))
    assert [(f.rule, f.path) for f in found] == [("MC370", "challenges[0].decided_by")]


def test_a_review_that_closed_the_case_cannot_be_challenged() -> None:
    found = _findings(challenged("close"), date(2024, 2, 1))
    assert [(f.rule, f.path) for f in found] == [("MC374", "challenges[0].against")]


def test_a_challenge_still_cannot_be_against_a_letter() -> None:
    data = challenged("continue")
    data["challenges"][0]["against"] = "L2"
    assert verdict(data, date(2024, 2, 1)) == ["MC108"]


def _findings(data: dict[str, Any], today: date, strict: bool = False) -> list[Any]:
    from scenario import findings

    return findings(data, today, with_settings(), strict)
