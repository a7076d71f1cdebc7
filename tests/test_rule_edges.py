"""The edges of the rules corrected to the policy text, each pinned where its finding points.

`tests/test_policy_text.py` gives each correction's verdict; these pin what a verdict alone
would not show: which entry a finding names, a second entry judged after a first one failed, and
the day a comparison turns on.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from scenario import located

from casebuilder import case, challenge, decision, letter, review

D1 = decision("D1", "2023-06-05")
L1 = letter("L1", "2023-06-06", "D1")


def incident(entry: str, day: str, *categories: str) -> dict[str, Any]:
    found = case()["incidents"][0]
    return {**found, "id": entry, "date": day, "categories": list(categories or ["shouting"])}


# Proportionality: MC300, MC301, MC302.


def test_adjustments_and_resolution_findings_point_at_the_first_decision() -> None:
    data = case(decisions=[D1], letters=[L1])
    data["adjustments"][0]["date"] = data["resolution_attempts"][0]["date"] = "2023-06-10"
    assert located(data, date(2023, 7, 1)) == [
        ("MC301", "decisions[0]"),
        ("MC302", "decisions[0]"),
    ]


def test_a_decision_after_one_without_any_incident_is_still_judged() -> None:
    early = decision("D1", "2023-05-20")
    later = decision("D2", "2023-09-01", stage=2, conduct=["shouting", "threats"])
    data = case(
        opened="2023-05-01",
        decisions=[early, later],
        letters=[letter("L1", "2023-05-21", "D1"), letter("L2", "2023-09-02", "D2")],
    )
    data["adjustments"][0]["date"] = data["resolution_attempts"][0]["date"] = "2023-05-02"
    assert located(data, date(2023, 10, 1)) == [
        ("MC300", "decisions[0]"),
        ("MC300", "decisions[1].conduct[1]"),
    ]


def reopened(*, since_day: str | None, d3_conduct: list[str]) -> dict[str, Any]:
    """Closed on 1 December 2023, reopened by D2 on 1 March 2024, escalated by D3 in May."""
    incidents = case()["incidents"]
    if since_day is not None:
        incidents = [*incidents, incident("I2", since_day)]
    return case(
        incidents=incidents,
        decisions=[
            D1,
            decision("D2", "2024-03-01"),
            decision("D3", "2024-05-01", stage=2, conduct=d3_conduct),
        ],
        reviews=[review("R1", "2023-12-01", "close")],
        letters=[
            L1,
            letter("L2", "2023-12-02", "R1"),
            letter("L3", "2024-03-02", "D2"),
            letter("L4", "2024-05-02", "D3"),
        ],
    )


def test_only_the_decision_that_reopens_a_dormant_case_needs_conduct_since() -> None:
    data = reopened(since_day=None, d3_conduct=["shouting", "threats"])
    assert located(data, date(2024, 6, 1)) == [
        ("MC300", "decisions[1]"),
        ("MC300", "decisions[2].conduct[1]"),
    ]


def test_conduct_on_the_day_the_case_went_dormant_is_not_since() -> None:
    data = reopened(since_day="2023-12-01", d3_conduct=["shouting"])
    assert located(data, date(2024, 6, 1)) == [("MC300", "decisions[1]")]
    data = reopened(since_day="2023-12-02", d3_conduct=["shouting"])
    assert located(data, date(2024, 6, 1)) == []


# Decisions: MC318, MC319.


def test_a_rejection_that_stops_the_decision_points_at_the_recommendation() -> None:
    from scenario import repo_policy, with_settings

    d2 = decision("D2", "2023-09-01", stage=2)
    d2["recommendation"]["outcome"] = "reject"
    data = case(decisions=[D1, d2], letters=[L1, letter("L2", "2023-09-02", "D2")])
    choices = {
        **repo_policy().settings.choices.model_dump(),
        "governance_may_overrule_rejection": False,
    }
    assert located(data, date(2023, 10, 1), with_settings(choices=choices)) == [
        ("MC318", "decisions[1].recommendation.outcome")
    ]


# Challenges: who was involved in a review.


def test_only_the_reviewers_of_the_review_challenged_count_as_involved() -> None:
    r1 = review("R1", "2023-12-01", "continue", extend_to="2024-06-01")
    r2 = review("R2", "2024-05-20", "continue", extend_to="2024-11-20")
    r2["reviewed_by"] = ["amara-okafor", "priya-castell"]
    challenged_entry = challenge(
        "C1", "2024-05-25", "R2", decided_by="hugo-barrett", decided="2024-06-10"
    )
    letters = [
        L1,
        letter("L2", "2023-12-02", "R1"),
        letter("L3", "2024-05-21", "R2", "farid-qureshi"),
        letter("L4", "2024-06-11", "C1"),
    ]
    data = case(decisions=[D1], reviews=[r1, r2], letters=letters, challenges=[challenged_entry])
    assert located(data, date(2024, 7, 1)) == []
    data["challenges"][0]["against"] = "R1"
    assert located(data, date(2024, 7, 1)) == [("MC370", "challenges[0].decided_by")]


def test_a_short_monitoring_period_points_at_the_value_that_shortens_it() -> None:
    months = case(decisions=[decision("D1", "2023-06-05", monitoring_months=3)], letters=[L1])
    assert located(months, date(2023, 7, 1)) == [("MC319", "decisions[0].monitoring_months")]
    ends = case(decisions=[decision("D1", "2023-06-05", expires="2023-12-04")], letters=[L1])
    assert located(ends, date(2023, 7, 1)) == [("MC319", "decisions[0].expires")]


def challenge_on(received: str, against: str = "D1") -> dict[str, Any]:
    entry = challenge("C1", received, against)
    return case(decisions=[D1], letters=[L1], challenges=[entry])


def test_a_challenge_may_be_received_on_the_day_of_the_decision() -> None:
    assert located(challenge_on("2023-06-05"), date(2023, 7, 1)) == []
    assert located(challenge_on("2023-06-04"), date(2023, 7, 1)) == [
        ("MC340", "challenges[0].received")
    ]


def test_the_right_to_challenge_is_off_from_the_day_it_was_turned_off() -> None:
    from scenario import with_settings

    off = with_settings(right_to_challenge=False, right_to_challenge_since=date(2023, 6, 20))
    on_the_day = located(challenge_on("2023-06-20"), date(2023, 6, 1), off)
    assert ("MC371", "challenges[0]") in on_the_day
    day_before = located(challenge_on("2023-06-19"), date(2023, 6, 1), off)
    assert ("MC371", "challenges[0]") not in day_before


def decided(entry: str, *, received: str, day: str, by: str) -> dict[str, Any]:
    return challenge(entry, received, decided_by=by, decided=day)


def with_challenges(*challenges: dict[str, Any]) -> dict[str, Any]:
    letters = [L1] + [
        letter(f"L{n}", ch["decided"], ch["id"]) for n, ch in enumerate(challenges, 2)
    ]
    return case(decisions=[D1], letters=letters, challenges=list(challenges))


def test_a_challenge_may_be_decided_on_the_day_it_is_received() -> None:
    same_day = decided("C1", received="2023-06-20", day="2023-06-20", by="priya-castell")
    assert located(with_challenges(same_day), date(2023, 7, 1)) == []
    before = decided("C1", received="2023-06-20", day="2023-06-19", by="priya-castell")
    assert ("MC340", "challenges[0].decided") in located(with_challenges(before), date(2023, 7, 1))


def test_a_challenge_decided_by_an_officer_below_senior_manager_points_at_the_decider() -> None:
    by_officer = decided("C1", received="2023-06-20", day="2023-07-10", by="liam-treadwell")
    found = located(with_challenges(by_officer), date(2023, 8, 1))
    assert ("MC372", "challenges[0].decided_by") in found


def test_every_challenge_is_judged_after_an_open_one() -> None:
    open_one = challenge("C1", "2023-06-10")
    by_decider = decided("C2", received="2023-06-20", day="2023-07-10", by="hugo-barrett")
    data = case(
        decisions=[D1],
        letters=[L1, letter("L2", "2023-07-11", "C2", "farid-qureshi")],
        challenges=[open_one, by_decider],
    )
    assert located(data, date(2023, 8, 1)) == [("MC370", "challenges[1].decided_by")]


# Reviews: MC315, MC344.


def test_review_findings_point_at_the_reviewers_and_the_review() -> None:
    alone = review("R1", "2023-12-01", "continue")
    alone["reviewed_by"] = ["amara-okafor"]
    data = case(decisions=[D1], reviews=[alone], letters=[L1, letter("L2", "2023-12-02", "R1")])
    assert located(data, date(2024, 1, 1)) == [
        ("MC315", "reviews[0].reviewed_by"),
        ("MC344", "reviews[0]"),
    ]


def test_values_only_a_continuing_review_takes_point_at_themselves() -> None:
    closing = review("R1", "2023-12-01", "close", extend_to="2024-06-01")
    data = case(decisions=[D1], reviews=[closing], letters=[L1, letter("L2", "2023-12-02", "R1")])
    assert located(data, date(2024, 1, 1)) == [("MC103", "reviews[0].extend_to")]


def test_a_new_expiry_on_the_day_of_the_review_points_at_it() -> None:
    same_day = review("R1", "2023-12-01", "continue", extend_to="2023-12-01")
    data = case(decisions=[D1], reviews=[same_day], letters=[L1, letter("L2", "2023-12-02", "R1")])
    assert ("MC340", "reviews[0].extend_to") in located(data, date(2023, 12, 1))


def test_an_escalation_not_yet_completed_points_at_the_review() -> None:
    data = case(
        decisions=[D1],
        reviews=[review("R1", "2023-12-01", "escalate")],
        letters=[L1, letter("L2", "2023-12-02", "R1")],
    )
    assert located(data, date(2023, 12, 3)) == [("MC343", "reviews[0]")]


# Letters: MC321, MC322.


def test_a_letter_missing_contents_names_each_by_its_label() -> None:
    from scenario import findings

    short = letter("L1", "2023-06-06", "D1")
    short["states"] = [s for s in short["states"] if s not in ("impact", "lgsco")]
    (found,) = findings(case(decisions=[D1], letters=[short]), date(2023, 7, 1))
    assert (found.rule, found.path) == ("MC321", "letters[0].states")
    assert found.message == (
        "letter L1 does not state: The Local Government and Social Care Ombudsman's details; "
        "The impact of the conduct on the service"
    )


def test_no_right_of_appeal_is_found_where_the_letter_states_it() -> None:
    both = letter("L1", "2023-06-06", "D1")
    both["states"].insert(2, "no-right-of-appeal")
    data = case(decisions=[D1], letters=[both])
    assert located(data, date(2023, 7, 1)) == [("MC322", "letters[0].states[2]")]


# Decisions: where each finding points.


def stage_2_case(**changes: Any) -> dict[str, Any]:
    d2 = decision("D2", "2023-09-01", stage=2)
    for key, value in changes.items():
        if value is None:
            d2.pop(key)
        elif isinstance(value, dict):
            d2[key] = {**d2[key], **value}
        else:
            d2[key] = value
    return case(decisions=[D1, d2], letters=[L1, letter("L2", "2023-09-02", "D2")])


def test_decision_findings_point_at_the_value_at_fault() -> None:
    when = date(2023, 10, 1)
    assert located(stage_2_case(crt_notified=None), when) == [("MC325", "decisions[1]")]
    assert located(stage_2_case(crt_notified="2023-08-31"), when) == [
        ("MC340", "decisions[1].crt_notified")
    ]
    assert located(stage_2_case(business_case=None), when) == [("MC311", "decisions[1]")]
    assert located(stage_2_case(recommendation=None), when) == [("MC312", "decisions[1]")]
    assert located(stage_2_case(business_case={"author": "hugo-barrett"}), when) == [
        ("MC311", "decisions[1].business_case.author")
    ]
    # A business case after the decision is also after the recommendation on it.
    assert located(stage_2_case(business_case={"date": "2023-09-02"}), when) == [
        ("MC340", "decisions[1].business_case.date"),
        ("MC340", "decisions[1].recommendation.date"),
    ]
    assert located(stage_2_case(decided_by="farid-qureshi"), when) == [
        ("MC313", "decisions[1].decided_by"),
        ("MC314", "decisions[1]"),
    ]
    reason = stage_2_case(against_recommendation_reason="Calls continued after stage 1.")
    assert located(reason, when) == [("MC103", "decisions[1].against_recommendation_reason")]
    by_officer = case(decisions=[decision("D1", "2023-06-05", decided_by="liam-treadwell")])
    by_officer["letters"] = [L1]
    assert located(by_officer, date(2023, 7, 1)) == [("MC310", "decisions[0].decided_by")]


def test_a_recommender_who_also_wrote_the_business_case_is_one_person_too_few() -> None:
    data = stage_2_case(
        business_case={"author": "farid-qureshi"}, recommendation={"by": "farid-qureshi"}
    )
    assert located(data, date(2023, 10, 1)) == [
        ("MC312", "decisions[1].recommendation.by"),
        ("MC314", "decisions[1]"),
    ]


def test_a_reference_to_no_entry_says_so() -> None:
    from scenario import findings

    data = case(decisions=[D1], letters=[letter("L1", "2023-06-06", "D9")])
    messages = [f.message for f in findings(data, date(2023, 7, 1)) if f.rule == "MC108"]
    assert messages == ["'D9' is not an entry in this case"]


# The lifecycle: what each move leaves in the case's status.


def test_a_stage_2_decision_is_replayed_before_a_review_held_the_same_day() -> None:
    from scenario import status

    data = case(
        decisions=[D1, decision("D2", "2023-12-01", stage=2)],
        reviews=[review("R1", "2023-12-01", "continue", extend_to="2024-06-01")],
    )
    assert [s.entry for s in status(data, date(2024, 1, 1)).steps] == ["D1", "D2", "R1"]


def test_what_a_decision_sets_and_a_closing_review_clears() -> None:
    from scenario import status

    ends = decision("D1", "2023-06-05", expires="2024-01-31")
    st = status(case(decisions=[ends]), date(2023, 7, 1))
    assert st.expires == date(2024, 1, 31)
    assert [m.measure for m in st.measures] == ["time-limits"]
    closed = status(
        case(decisions=[ends], reviews=[review("R1", "2023-12-01", "close")]), date(2024, 1, 1)
    )
    assert (closed.state, closed.expires, closed.escalation_pending) == ("dormant", None, False)
    assert closed.escalation_pending is False


def test_the_replay_goes_on_after_a_refused_decision_or_review() -> None:
    from scenario import status

    refused_decision = case(
        decisions=[D1, decision("D2", "2023-08-01")],
        reviews=[review("R1", "2023-12-01", "close")],
    )
    assert status(refused_decision, date(2024, 1, 1)).state == "dormant"
    refused_review = case(
        decisions=[D1, decision("D2", "2023-09-01", stage=2)],
        reviews=[review("R1", "2023-10-01", "escalate"), review("R2", "2023-12-01", "close")],
    )
    st = status(refused_review, date(2024, 1, 1))
    assert [(s.entry, s.allowed) for s in st.steps][-2:] == [("R1", False), ("R2", True)]
    assert st.state == "dormant"


def test_a_review_continuing_at_stage_2_keeps_stage_2() -> None:
    from scenario import status

    data = case(
        decisions=[D1, decision("D2", "2023-09-01", stage=2)],
        reviews=[review("R1", "2024-02-01", "continue", extend_to="2024-08-01", stage=2)],
    )
    st = status(data, date(2024, 3, 1))
    assert st.state == "stage-2"
    assert [(s.entry, s.after, s.allowed) for s in st.steps][-1] == ("R1", "stage-2", True)


def upheld_or_varied(outcome: str, measures: list[dict[str, Any]] | None) -> dict[str, Any]:
    challenged_entry = challenge(
        "C1", "2023-06-20", decided_by="priya-castell", decided="2023-07-10", outcome=outcome
    )
    if measures is not None:
        challenged_entry["measures"] = measures
    return case(
        decisions=[D1], challenges=[challenged_entry], reviews=[review("R1", "2023-12-01", "close")]
    )


def test_a_varied_challenge_without_measures_keeps_them_and_the_replay_goes_on() -> None:
    from scenario import status

    st = status(upheld_or_varied("varied", None), date(2024, 1, 1))
    assert [m.measure for m in st.measures] == ["time-limits"]
    assert st.state == "dormant"


def test_an_upheld_challenge_is_a_step_of_its_own() -> None:
    from scenario import status

    st = status(upheld_or_varied("upheld", None), date(2024, 1, 1))
    upheld = [s for s in st.steps if s.path[0] == "challenges"]
    assert [(s.entry, s.event, s.before, s.after, s.allowed) for s in upheld] == [
        ("C1", "challenge-upheld", "stage-1", "dormant", True)
    ]
    assert (st.state, st.escalation_pending) == ("dormant", False)
    assert st.escalation_pending is False


def test_an_upheld_challenge_ends_a_pending_escalation() -> None:
    from scenario import status

    data = upheld_or_varied("upheld", None)
    data["reviews"] = [review("R1", "2023-07-01", "escalate")]
    data["challenges"][0]["against"] = "D1"
    st = status(data, date(2023, 8, 1))
    assert (st.state, st.escalation_pending) == ("dormant", False)


def test_activity_on_the_day_the_case_went_dormant_is_not_activity_since() -> None:
    from scenario import status

    data = case(
        decisions=[D1],
        reviews=[review("R1", "2023-12-01", "close")],
        activity=[{"id": "T1", "date": "2023-12-01", "summary": "Telephoned."}],
    )
    st = status(data, date(2024, 1, 1))
    assert (st.last_activity, st.unconsidered_activity) == (None, None)
    assert st.deletion_due == date(2024, 12, 1)


def test_a_typographic_apostrophe_reads_as_a_plain_one() -> None:
    from scenario import located as where

    data = case(decisions=[D1], letters=[L1])
    data["decisions"][0]["measures"] = [
        {"measure": "other", "description": "Also the customer\u2019s son\u2019s calls."}
    ]
    assert where(data, date(2023, 7, 1)) == [("MC381", "decisions[0].measures[0].description")]


# Identity and vocabulary: the id to use instead, and the closest known word.


def test_a_misnumbered_entry_is_told_the_next_free_id_of_its_list() -> None:
    from scenario import findings

    data = case(decisions=[D1], letters=[L1])
    first = data["resolution_attempts"][0]
    data["resolution_attempts"] += [{**first, "id": "R1"}, {**first, "id": "S5"}]
    data["incidents"].append({**data["incidents"][0], "id": "I01"})
    data["reviews"] = [review("S6", "2023-12-01", "continue", extend_to="2024-06-01")]
    data["letters"].append(letter("L2", "2023-12-02", "S6"))
    told = {
        f.path: f.message.split(" (and change")[0]
        for f in findings(data, date(2024, 1, 1))
        if f.rule == "MC110"
    }
    assert told == {
        "incidents[1].id": (
            "incidents are numbered I1, I2, …; use the next one, I2, instead of 'I01'"
        ),
        "resolution_attempts[1].id": (
            "resolution attempts are numbered S1, S2, …; use the next one, S7, instead of 'R1'"
        ),
        "reviews[0].id": "reviews are numbered R1, R2, …; use the next one, R2, instead of 'S6'",
    }


def test_a_police_report_in_an_empty_list_is_told_to_start_at_one() -> None:
    from scenario import findings

    data = case(decisions=[D1], letters=[L1])
    data["police_reports"] = [
        {"id": "X1", "date": "2023-06-02", "reference": "TB/1", "incidents": ["I1"]}
    ]
    (found,) = [f for f in findings(data, date(2023, 7, 1)) if f.rule == "MC110"]
    assert found.message.startswith(
        "police reports are numbered P1, P2, …; use the next one, P1, instead of 'X1'"
    )


def test_an_unknown_word_is_offered_the_closest_known_one() -> None:
    from scenario import findings

    rev = review("R1", "2023-12-01", "continue", extend_to="2024-06-01")
    rev["reviewed_by"] = ["amara-okafor", "hugo-barret"]
    data = case(
        decisions=[decision("D1", "2023-06-05", decided_by="hugo-barret")],
        reviews=[rev],
        letters=[letter("L1", "2023-06-06", "D1", "hugo-barret"), letter("L2", "2023-12-02", "R1")],
    )
    data["scope"]["services"] = ["council-tx"]
    person = (
        "unknown person 'hugo-barret': people are named by their id in policy/people.yaml: "
        "did you mean 'hugo-barrett'?"
    )
    found = {
        f.path: f.message for f in findings(data, date(2024, 1, 1)) if f.rule in ("MC203", "MC205")
    }
    assert found == {
        "scope.services[0]": (
            "unknown service 'council-tx': use one listed in policy/vocabulary.yaml: "
            "did you mean 'council-tax'?"
        ),
        "decisions[0].decided_by": person,
        "reviews[0].reviewed_by[1]": person,
        "letters[0].sent_by": person,
    }
