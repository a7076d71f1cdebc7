"""State and dates derived from history, against hand-worked answers."""

from __future__ import annotations

from datetime import date

import pytest

from managed_contact.register.lifecycle import Status, derive
from managed_contact.register.model import Case
from managed_contact.register.policy import Policy

from casebuilder import case, decision, review

TODAY = date(2026, 11, 28)


def status(policy: Policy, today: date = TODAY, **sections: object) -> Status:
    return derive(Case.model_validate(case(**sections)), policy, today)


def test_no_decision_is_a_new_case(policy: Policy) -> None:
    st = status(policy)
    assert st.state == "new"
    assert st.next_review_due is None


def test_stage_1_monitoring_and_review_from_a_month_end(policy: Policy) -> None:
    # 31 August + 6 months = 28 February (hand-worked; 2026 is not a leap year).
    st = status(policy, decisions=[decision("D1", "2025-08-31")])
    assert (st.state, st.since) == ("stage-1", date(2025, 8, 31))
    assert st.expires == date(2026, 2, 28)
    assert st.next_review_due == date(2026, 2, 28)


def test_monitoring_into_a_leap_february(policy: Policy) -> None:
    st = status(policy, today=date(2024, 3, 1), decisions=[decision("D1", "2023-08-31")])
    assert st.expires == date(2024, 2, 29)


def test_a_longer_monitoring_period_does_not_delay_the_six_month_review(policy: Policy) -> None:
    st = status(policy, decisions=[decision("D1", "2026-01-15", monitoring_months=9)])
    assert st.expires == date(2026, 10, 15)
    assert st.next_review_due == date(2026, 7, 15)


def test_continue_with_extension(policy: Policy) -> None:
    # Reviewed 10 June 2026, extended to 31 December: next review no later than 10 December.
    st = status(
        policy,
        decisions=[decision("D1", "2026-01-15")],
        reviews=[review("R1", "2026-06-10", "continue", extend_to="2026-12-31")],
    )
    assert st.state == "stage-1"
    assert st.expires == date(2026, 12, 31)
    assert st.next_review_due == date(2026, 12, 10)
    assert [(t.due, t.late) for t in st.reviews] == [(date(2026, 7, 15), False)]


def test_short_extension_brings_the_review_forward(policy: Policy) -> None:
    st = status(
        policy,
        decisions=[decision("D1", "2026-01-15")],
        reviews=[review("R1", "2026-06-10", "continue", extend_to="2026-09-01")],
    )
    assert st.next_review_due == date(2026, 9, 1)


def test_late_review_is_recorded(policy: Policy) -> None:
    st = status(
        policy,
        decisions=[decision("D1", "2025-08-31")],
        reviews=[review("R1", "2026-03-02", "continue", extend_to="2026-08-31")],
    )
    assert [(t.due, t.held, t.late) for t in st.reviews] == [
        (date(2026, 2, 28), date(2026, 3, 2), True)
    ]


def test_stage_2_has_no_monitoring_end_but_six_monthly_reviews(policy: Policy) -> None:
    st = status(policy, decisions=[decision("D1", "2026-03-31", stage=2, extreme_reason="x")])
    assert st.state == "stage-2"
    assert st.expires is None
    assert st.next_review_due == date(2026, 9, 30)


def test_escalation_waits_for_the_stage_2_decision(policy: Policy) -> None:
    first = status(
        policy,
        decisions=[decision("D1", "2026-01-15")],
        reviews=[review("R1", "2026-04-01", "escalate")],
    )
    assert (first.state, first.escalation_pending) == ("stage-1", True)
    assert first.next_review_due == date(2026, 7, 15)  # monitoring end, before 1 Oct
    done = status(
        policy,
        decisions=[decision("D1", "2026-01-15"), decision("D2", "2026-04-20", stage=2)],
        reviews=[review("R1", "2026-04-01", "escalate")],
    )
    assert (done.state, done.escalation_pending, done.highest_stage) == ("stage-2", False, 2)
    assert done.next_review_due == date(2026, 10, 20)


def test_close_starts_twelve_months_retention(policy: Policy) -> None:
    # Closed 29 February 2024: deletion due 28 February 2025.
    st = status(
        policy,
        today=date(2024, 6, 1),
        decisions=[decision("D1", "2023-09-01")],
        reviews=[review("R1", "2024-02-29", "close")],
    )
    assert (st.state, st.dormant_since) == ("dormant", date(2024, 2, 29))
    assert st.deletion_due == date(2025, 2, 28)
    assert st.next_review_due is None


def test_activity_while_dormant_restarts_the_clock(policy: Policy) -> None:
    st = status(
        policy,
        decisions=[decision("D1", "2025-01-10")],
        reviews=[review("R1", "2025-06-10", "close")],
        activity=[
            {"id": "T1", "date": "2025-05-01", "summary": "Before closing: does not count."},
            {"id": "T2", "date": "2025-09-03", "summary": "Called the contact centre again."},
        ],
    )
    assert st.last_activity == date(2025, 9, 3)
    assert st.deletion_due == date(2026, 9, 3)


def test_an_incident_while_dormant_is_activity_too(policy: Policy) -> None:
    incidents = case()["incidents"] + [
        {
            "id": "I2",
            "date": "2025-11-30",
            "channel": "email",
            "service": "council-tax",
            "categories": ["rudeness"],
            "staff_affected": "One officer",
            "account": "A rude email.",
        }
    ]
    st = status(
        policy,
        incidents=incidents,
        decisions=[decision("D1", "2025-01-10")],
        reviews=[review("R1", "2025-06-10", "close")],
    )
    assert st.deletion_due == date(2026, 11, 30)


def test_open_legal_hold_blocks_deletion(policy: Policy) -> None:
    st = status(
        policy,
        decisions=[decision("D1", "2024-01-10")],
        reviews=[review("R1", "2024-06-10", "close")],
        legal_holds=[
            {
                "id": "H1",
                "reason": "ombudsman-complaint",
                "start": "2025-05-01",
                "reference": "LGSCO 25 000 000",
            }
        ],
    )
    assert st.deletion_due == date(2025, 6, 10)
    assert st.open_holds == ("H1",)


def test_a_hold_that_ended_after_the_due_date_moves_it(policy: Policy) -> None:
    st = status(
        policy,
        decisions=[decision("D1", "2024-01-10")],
        reviews=[review("R1", "2024-06-10", "close")],
        legal_holds=[
            {
                "id": "H1",
                "reason": "subject-access-request",
                "start": "2025-05-01",
                "end": "2025-08-15",
                "reference": "SAR-0001",
            }
        ],
    )
    assert st.deletion_due == date(2025, 8, 15)
    assert st.open_holds == ()


def test_dormant_case_reopened_when_conduct_recommences(policy: Policy) -> None:
    st = status(
        policy,
        decisions=[decision("D1", "2025-01-10"), decision("D2", "2026-02-02")],
        reviews=[review("R1", "2025-06-10", "close")],
    )
    assert (st.state, st.since) == ("stage-1", date(2026, 2, 2))
    assert st.dormant_since is None
    assert st.deletion_due is None
    assert st.next_review_due == date(2026, 8, 2)


def test_upheld_challenge_closes_the_case(policy: Policy) -> None:
    st = status(
        policy,
        decisions=[decision("D1", "2026-01-10")],
        challenges=[
            {
                "id": "C1",
                "received": "2026-01-20",
                "against": "D1",
                "grounds": "x",
                "decided_by": "priya-castell",
                "decided": "2026-02-10",
                "outcome": "upheld",
            }
        ],
    )
    assert (st.state, st.dormant_since) == ("dormant", date(2026, 2, 10))
    assert st.deletion_due == date(2027, 2, 10)


@pytest.mark.parametrize(
    ("decisions", "reviews", "refused"),
    [
        # A review with nothing to review.
        ([], [review("R1", "2026-01-10", "continue", extend_to="2026-06-01")], "R1"),
        # Stage 1 again while already at stage 1: that is a review, not a decision.
        ([decision("D1", "2026-01-10"), decision("D2", "2026-02-10")], [], "D2"),
        # Escalating a stage 2 case.
        (
            [decision("D1", "2026-01-10", stage=2, extreme_reason="x")],
            [review("R1", "2026-03-10", "escalate")],
            "R1",
        ),
        # De-escalation is not in the policy.
        (
            [decision("D1", "2026-01-10", stage=2, extreme_reason="x")],
            [review("R1", "2026-03-10", "continue", stage=1, extend_to="2026-09-01")],
            "R1",
        ),
        # Closing a case twice.
        (
            [decision("D1", "2026-01-10")],
            [review("R1", "2026-03-10", "close"), review("R2", "2026-04-10", "close")],
            "R2",
        ),
    ],
)
def test_moves_the_lifecycle_does_not_allow(
    policy: Policy, decisions: list[object], reviews: list[object], refused: str
) -> None:
    st = status(policy, decisions=decisions, reviews=reviews)
    assert [s.entry for s in st.steps if not s.allowed] == [refused]


def test_de_escalation_when_the_council_chooses_to_allow_it(policy: Policy) -> None:
    choices = policy.settings.choices.model_copy(
        update={"stage_2_review_may_continue_at_stage_1": True}
    )
    allowing = policy.model_copy(
        update={"settings": policy.settings.model_copy(update={"choices": choices})}
    )
    st = status(
        allowing,
        decisions=[decision("D1", "2026-01-10", stage=2, extreme_reason="x")],
        reviews=[review("R1", "2026-03-10", "continue", stage=1, extend_to="2026-09-01")],
    )
    assert (st.state, st.since) == ("stage-1", date(2026, 3, 10))


def test_escalation_and_stage_2_decision_on_the_same_day(policy: Policy) -> None:
    st = status(
        policy,
        decisions=[decision("D1", "2026-01-15"), decision("D2", "2026-04-01", stage=2)],
        reviews=[review("R1", "2026-04-01", "escalate")],
    )
    assert [(s.entry, s.allowed) for s in st.steps] == [("D1", True), ("R1", True), ("D2", True)]
    assert (st.state, st.escalation_pending) == ("stage-2", False)


def test_dormant_activity_waits_for_consideration(policy: Policy) -> None:
    def activity(considered: str | None) -> list[dict[str, object]]:
        entry: dict[str, object] = {"id": "T1", "date": "2025-09-03", "summary": "Called again."}
        if considered:
            entry["considered"] = considered
        return [entry]

    history = {
        "decisions": [decision("D1", "2025-01-10")],
        "reviews": [review("R1", "2025-06-10", "close")],
    }
    waiting = status(policy, activity=activity(None), **history)
    assert waiting.unconsidered_activity == date(2025, 9, 3)
    done = status(policy, activity=activity("2025-09-05"), **history)
    assert done.unconsidered_activity is None
    assert done.deletion_due == date(2026, 9, 3)  # considered or not, the clock restarted
