"""The policy's requirements, one small case each, with the verdict the policy text gives.

Each test names the part of the policy it checks (§ of the Managed Contact policy, or the rule it
relies on where the policy is silent) and states the whole verdict: the sorted rule ids the check
finds, `[]` when the case passes. The cases are built in memory (`scenario`), from a clean case
that passes: a stage 1 decision after recorded conduct, adjustments and a resolution attempt,
told to the customer in a complete letter from the service's Senior Manager.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from scenario import TODAY, findings, located, repo_policy, status, verdict, with_settings

from managed_contact.register.dates import add_months
from managed_contact.register.findings import Severity
from managed_contact.register.policy import Policy

from casebuilder import LETTER_STATES, case, decision, letter, review

# Hugo Barrett: Senior Manager, Council Tax and Benefits. Farid Qureshi: Director, Council Tax.
# Ben Holloway and Chloe Marsh: Customer Relations Team. Amara Okafor: Customer Relations
# Manager. David Renshaw: Director of Governance. Isla McBride: Senior Manager, Waste and
# Highways. Kate Ormsby: an officer, Housing Options.


def told(*subjects: tuple[str, str], sent_by: str = "hugo-barrett") -> list[dict[str, Any]]:
    """A complete letter for each (entry id, day), sent that day."""
    return [
        letter(f"L{n}", day, entry, sent_by=sent_by) for n, (entry, day) in enumerate(subjects, 1)
    ]


def stage_1(day: str = "2026-09-01", **sections: Any) -> dict[str, Any]:
    """A case placed at stage 1 on `day`, told in writing, plus any other sections."""
    data: dict[str, Any] = {
        "decisions": [decision("D1", day)],
        "letters": told(("D1", day)),
    }
    data.update(sections)
    return case(**data)


def incident(entry: str, day: str, categories: tuple[str, ...] = ("shouting",)) -> dict[str, Any]:
    """Conduct recorded on `day`: what a decision rests on, and what reopens a dormant case."""
    return {
        "id": entry,
        "date": day,
        "channel": "telephone",
        "service": "council-tax",
        "categories": list(categories),
        "staff_affected": "A call handler, Council Tax",
        "account": "Shouted at a call handler again.",
    }


def recommenced(data: dict[str, Any], day: str) -> dict[str, Any]:
    """`data` with conduct recorded again on `day` (§7: 'conduct recommences')."""
    data["incidents"].append(incident(f"I{len(data['incidents']) + 1}", day))
    return data


def challenge(entry: str = "C1", **fields: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": entry,
        "received": "2026-09-10",
        "against": "D1",
        "grounds": "The calls were not abusive.",
    }
    found.update(fields)
    return found


def decided(outcome: str, day: str = "2026-10-01", by: str = "isla-mcbride", **fields: Any) -> Any:
    return challenge(decided_by=by, decided=day, outcome=outcome, **fields)


def hold(start: str, end: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": "H1",
        "reason": "ombudsman-complaint",
        "start": start,
        "reference": "LGSCO 26 001 234",
    }
    if end is not None:
        found["end"] = end
    return found


def dormant(closed: str, **sections: Any) -> dict[str, Any]:
    """A case closed at review on `closed`, two months after its stage 1 decision."""
    first = add_months(date.fromisoformat(closed), -2).isoformat()
    data: dict[str, Any] = {
        "decisions": [decision("D1", first)],
        "reviews": [review("R1", closed, "close")],
        "letters": told(("D1", first), ("R1", closed)),
    }
    data.update(sections)
    return case(**data)


# --- The clean case -------------------------------------------------------------------------


def test_a_stage_1_decision_with_its_groundwork_and_letter_passes() -> None:
    """§5, §6, §6.1: conduct, adjustments, resolution, a Senior Manager's decision, a letter."""
    assert verdict(stage_1()) == []
    st = status(stage_1())
    assert (st.state, st.since, st.expires) == ("stage-1", date(2026, 9, 1), date(2027, 3, 1))


# --- Proportionality (§5, §6) ---------------------------------------------------------------


def test_s6_adjustments_considered_after_the_decision_do_not_count() -> None:
    """§6: adjustments are considered before the first decision (MC301)."""
    late = [
        {"id": "A1", "date": "2026-09-02", "description": "Weekly call.", "outcome": "declined"}
    ]
    assert verdict(stage_1(adjustments=late)) == ["MC301"]


def test_s6_an_adjustment_on_the_day_of_the_decision_counts() -> None:
    """§6: 'before the first decision' includes the same day."""
    same = [
        {"id": "A1", "date": "2026-09-01", "description": "Weekly call.", "outcome": "declined"}
    ]
    assert verdict(stage_1(adjustments=same)) == []


def test_s5_a_resolution_attempt_after_the_decision_does_not_count() -> None:
    """§5: the service tries to resolve the concerns first (MC302)."""
    late = [{"id": "S1", "date": "2026-09-02", "service": "council-tax", "description": "Letter."}]
    assert verdict(stage_1(resolution_attempts=late)) == ["MC302"]
    same = [{"id": "S1", "date": "2026-09-01", "service": "council-tax", "description": "Letter."}]
    assert verdict(stage_1(resolution_attempts=same)) == []


def test_s6_the_first_decision_is_the_earliest_whatever_its_place_in_the_file() -> None:
    """§6: groundwork before the first decision; a later decision listed first does not hide it."""
    adjustments = [
        {"id": "A1", "date": "2026-06-02", "description": "Weekly call.", "outcome": "declined"}
    ]
    data = case(
        adjustments=adjustments,
        decisions=[decision("D2", "2026-09-01", stage=2), decision("D1", "2026-06-01")],
        letters=told(("D1", "2026-06-01"), ("D2", "2026-09-01")),
    )
    assert verdict(data) == ["MC301"]


# --- Decisions (§6, §6.1, §6.2) -------------------------------------------------------------


def test_s6_a_stage_1_decision_by_an_officer_is_refused() -> None:
    """§6: stage 1 needs a Senior Manager or above (MC310)."""
    data = stage_1(decisions=[decision("D1", "2026-09-01", decided_by="kate-ormsby")])
    assert verdict(data) == ["MC310"]


def test_s6_a_director_of_governance_may_take_a_stage_1_decision() -> None:
    """§6: 'or above'."""
    data = stage_1(decisions=[decision("D1", "2026-09-01", decided_by="david-renshaw")])
    assert verdict(data) == []


def test_s6_customer_relations_is_notified_of_every_arrangement() -> None:
    """§6: the Customer Relations Team is notified (MC325), not before the decision (MC340)."""
    unnotified = decision("D1", "2026-09-01")
    del unnotified["crt_notified"]
    assert verdict(stage_1(decisions=[unnotified])) == ["MC325"]
    early = decision("D1", "2026-09-01", crt_notified="2026-08-31")
    assert verdict(stage_1(decisions=[early])) == ["MC340"]


def stage_2_from_stage_1(**d2: Any) -> dict[str, Any]:
    """Stage 1 on 1 June, stage 2 on 1 September 2026, each told."""
    return case(
        decisions=[decision("D1", "2026-06-01"), decision("D2", "2026-09-01", stage=2, **d2)],
        letters=told(("D1", "2026-06-01"), ("D2", "2026-09-01")),
    )


def test_s6_2_stage_2_after_stage_1_with_business_case_and_recommendation_passes() -> None:
    """§6.2: business case by the Director, recommendation, the Director of Governance decides."""
    assert verdict(stage_2_from_stage_1()) == []
    st = status(stage_2_from_stage_1())
    assert (st.state, st.expires, st.highest_stage) == ("stage-2", None, 2)
    assert st.next_review_due == date(2027, 3, 1)


def test_s6_2_straight_to_stage_2_records_why_the_conduct_is_extreme() -> None:
    """§6, §6.2: a new case goes straight to stage 2 only for extreme conduct (MC317)."""
    plain = case(
        decisions=[decision("D1", "2026-09-01", stage=2)], letters=told(("D1", "2026-09-01"))
    )
    assert verdict(plain) == ["MC317"]
    extreme = case(
        decisions=[decision("D1", "2026-09-01", stage=2, extreme_reason="Threats to kill.")],
        letters=told(("D1", "2026-09-01")),
    )
    assert verdict(extreme) == []


def test_s6_2_a_dormant_case_straight_to_stage_2_records_why_too() -> None:
    """§6.2, §7: conduct recommencing after closure goes to stage 2 only if extreme (MC317)."""
    data = dormant(
        "2026-03-10",
        decisions=[decision("D1", "2026-01-01"), decision("D2", "2026-09-01", stage=2)],
        letters=told(("D1", "2026-01-01"), ("R1", "2026-03-10"), ("D2", "2026-09-01")),
    )
    assert verdict(recommenced(data, "2026-08-20")) == ["MC317"]


def test_s6_2_a_stage_2_decision_needs_a_business_case() -> None:
    """§6.2: the Director of an affected service writes the business case (MC311)."""
    d2 = decision("D2", "2026-09-01", stage=2)
    del d2["business_case"]
    data = case(
        decisions=[decision("D1", "2026-06-01"), d2],
        letters=told(("D1", "2026-06-01"), ("D2", "2026-09-01")),
    )
    assert verdict(data) == ["MC311"]


def test_s6_2_a_business_case_by_a_senior_manager_is_refused() -> None:
    """§6.2: a Director, of a service the case is about (MC311)."""
    by_manager = {"author": "hugo-barrett", "date": "2026-09-01", "summary": "Needed."}
    assert verdict(stage_2_from_stage_1(business_case=by_manager)) == ["MC311"]
    # Jonah Pike is a Director, but of Waste, Highways, Planning and Environmental Health.
    other = {"author": "jonah-pike", "date": "2026-09-01", "summary": "Needed."}
    assert verdict(stage_2_from_stage_1(business_case=other)) == ["MC311"]


def test_s6_2_the_business_case_comes_before_the_decision() -> None:
    """§6.2: the decision is taken on the business case (MC340)."""
    late = {"author": "farid-qureshi", "date": "2026-09-02", "summary": "Needed."}
    rec = {"by": "ben-holloway", "date": "2026-09-01", "outcome": "approve"}
    assert verdict(stage_2_from_stage_1(business_case=late, recommendation=rec)) == [
        "MC340",
        "MC340",
    ]


def test_s6_2_a_stage_2_decision_with_no_recommendation() -> None:
    """§6.2: the Customer Relations Team recommends before the final decision (MC312)."""
    d2 = decision("D2", "2026-09-01", stage=2)
    del d2["recommendation"]
    data = case(
        decisions=[decision("D1", "2026-06-01"), d2],
        letters=told(("D1", "2026-06-01"), ("D2", "2026-09-01")),
    )
    assert verdict(data) == ["MC312"]


def test_s6_2_the_recommendation_is_by_the_customer_relations_team() -> None:
    """§6.2: a recommendation by someone outside the team does not count (MC312)."""
    rec = {"by": "grace-lindqvist", "date": "2026-09-01", "outcome": "approve"}
    assert verdict(stage_2_from_stage_1(recommendation=rec)) == ["MC312"]
    manager = {"by": "amara-okafor", "date": "2026-09-01", "outcome": "approve"}
    assert verdict(stage_2_from_stage_1(recommendation=manager)) == []


def test_s6_2_the_recommendation_comes_between_business_case_and_decision() -> None:
    """§6.2: the team recommends on the business case, before the decision (MC340)."""
    after = {"by": "ben-holloway", "date": "2026-09-02", "outcome": "approve"}
    assert verdict(stage_2_from_stage_1(recommendation=after)) == ["MC340"]
    bc = {"author": "farid-qureshi", "date": "2026-08-20", "summary": "Needed."}
    before = {"by": "ben-holloway", "date": "2026-08-19", "outcome": "approve"}
    assert verdict(stage_2_from_stage_1(business_case=bc, recommendation=before)) == ["MC340"]
    between = {"by": "ben-holloway", "date": "2026-08-25", "outcome": "approve"}
    assert verdict(stage_2_from_stage_1(business_case=bc, recommendation=between)) == []


def test_s6_2_the_director_of_governance_takes_the_stage_2_decision() -> None:
    """§6.2: the final decision is the Director of Governance's (MC313)."""
    assert verdict(stage_2_from_stage_1(decided_by="jonah-pike")) == ["MC313"]


def test_s6_2_business_case_recommendation_and_decision_are_three_people() -> None:
    """§6.2: separation of duties (MC314); the author here is not a Director either (MC311)."""
    own = {"author": "david-renshaw", "date": "2026-09-01", "summary": "Needed."}
    assert verdict(stage_2_from_stage_1(business_case=own)) == ["MC311", "MC314"]


# --- Reviews (§7) ---------------------------------------------------------------------------


def reviewed(outcome: str, day: str = "2026-11-01", **fields: Any) -> dict[str, Any]:
    """Stage 1 on 1 June 2026, reviewed on `day`, each told."""
    return case(
        decisions=[decision("D1", "2026-06-01")],
        reviews=[review("R1", day, outcome, **fields)],
        letters=told(("D1", "2026-06-01"), ("R1", day)),
    )


def test_s7_a_review_continuing_the_arrangement_passes() -> None:
    """§7: continue, with the new expiry date."""
    assert verdict(reviewed("continue", extend_to="2027-05-01")) == []
    st = status(reviewed("continue", extend_to="2027-05-01"))
    assert (st.expires, st.next_review_due) == (date(2027, 5, 1), date(2027, 5, 1))


def test_s7_a_review_needs_the_customer_relations_manager_and_a_senior_manager() -> None:
    """§7: both (MC315)."""
    alone = reviewed("continue", extend_to="2027-05-01", reviewed_by=["amara-okafor"])
    assert verdict(alone) == ["MC315"]
    officer = reviewed(
        "continue", extend_to="2027-05-01", reviewed_by=["amara-okafor", "kate-ormsby"]
    )
    assert verdict(officer) == ["MC315"]


def test_s7_continuing_records_the_new_expiry_date() -> None:
    """§7: a review that continues gives the new expiry or extension date (MC344)."""
    # The stage 1 expiry (1 December 2026) is still ahead, so no review is overdue.
    assert verdict(reviewed("continue")) == ["MC344"]


def test_s7_the_new_expiry_date_is_after_the_review() -> None:
    """§7: a new date on or before the review is no extension (MC340), judged on the day."""
    day = date(2026, 11, 1)
    assert verdict(reviewed("continue", extend_to="2026-11-01"), day) == ["MC340"]
    assert verdict(reviewed("continue", extend_to="2026-11-02"), day) == []
    # A new date already past leaves the arrangement expired, so its review is overdue too.
    assert verdict(reviewed("continue", extend_to="2026-10-31"), day) == ["MC340", "MC350"]


def test_s7_only_a_continuing_review_carries_a_new_date_stage_or_measures() -> None:
    """§7: closing ends the arrangement; an extension on it is a mistake (MC103)."""
    assert verdict(reviewed("close", extend_to="2027-05-01")) == ["MC103"]
    assert verdict(reviewed("close", stage=1)) == ["MC103"]
    measures = [{"measure": "time-limits", "minutes": 10}]
    assert verdict(reviewed("close", measures=measures)) == ["MC103"]


def test_s7_a_review_may_change_the_measures() -> None:
    """§7: 'continue with amended measures'."""
    measures = [{"measure": "time-limits", "minutes": 10}]
    data = reviewed("continue", extend_to="2027-05-01", measures=measures)
    assert verdict(data) == []
    assert [m.minutes for m in status(data).measures] == [10]


def test_s7_closing_at_review_makes_the_case_dormant() -> None:
    """§7: 'close the case and move it to dormant'."""
    data = reviewed("close")
    assert verdict(data) == []
    st = status(data)
    assert (st.state, st.dormant_since, st.deletion_due) == (
        "dormant",
        date(2026, 11, 1),
        date(2027, 11, 1),
    )


def test_s7_an_escalation_at_review_is_completed_by_a_stage_2_decision() -> None:
    """§7: escalate to stage 2; until the stage 2 decision is recorded, MC343 says so."""
    assert verdict(reviewed("escalate")) == ["MC343"]
    assert status(reviewed("escalate")).escalation_pending


def test_s7_an_escalation_and_its_stage_2_decision_on_the_same_day() -> None:
    """§7, §6.2: on one day the escalation comes first, then the decision it leads to."""
    data = case(
        decisions=[decision("D1", "2026-06-01"), decision("D2", "2026-11-01", stage=2)],
        reviews=[review("R1", "2026-11-01", "escalate")],
        letters=told(("D1", "2026-06-01"), ("R1", "2026-11-01"), ("D2", "2026-11-01")),
    )
    assert verdict(data) == []
    st = status(data)
    assert (st.state, st.escalation_pending, st.since) == ("stage-2", False, date(2026, 11, 1))


def test_s7_an_older_stage_2_decision_does_not_complete_a_later_escalation() -> None:
    """§7: the decision that completes an escalation is on or after it (MC343)."""
    data = case(
        decisions=[
            decision("D1", "2025-01-10"),
            decision("D2", "2025-03-01", stage=2),
            decision("D3", "2026-06-01"),
        ],
        reviews=[review("R1", "2025-08-01", "close"), review("R2", "2026-10-01", "escalate")],
        letters=told(
            ("D1", "2025-01-10"),
            ("D2", "2025-03-01"),
            ("R1", "2025-08-01"),
            ("D3", "2026-06-01"),
            ("R2", "2026-10-01"),
        ),
    )
    assert verdict(recommenced(data, "2026-05-20")) == ["MC343"]


def test_s7_a_decision_and_its_review_on_the_same_day() -> None:
    """§7: on one day the decision comes first, then the review of it."""
    data = case(
        decisions=[decision("D1", "2026-06-01")],
        reviews=[review("R1", "2026-06-01", "continue", extend_to="2026-12-20")],
        letters=told(("D1", "2026-06-01"), ("R1", "2026-06-01")),
    )
    assert verdict(data) == []
    st = status(data)
    assert (st.state, st.expires, st.next_review_due) == (
        "stage-1",
        date(2026, 12, 20),
        date(2026, 12, 1),
    )


# --- Letters (§6, §6.1, §7) -----------------------------------------------------------------


def test_s6_a_decision_with_no_letter() -> None:
    """§6: the customer is told of a decision in writing (MC320)."""
    assert verdict(stage_1(letters=[])) == ["MC320"]


def test_s7_a_review_with_no_letter() -> None:
    """§7: the outcome of a review is put to the customer in writing (MC320)."""
    data = reviewed("continue", extend_to="2027-05-01")
    data["letters"] = data["letters"][:1]
    assert verdict(data) == ["MC320"]


def test_a_decided_challenge_with_no_letter() -> None:
    """Right to challenge: its outcome is told in writing (MC320); an open one needs none."""
    assert verdict(stage_1(challenges=[decided("not-upheld")])) == ["MC320"]
    assert verdict(stage_1(challenges=[challenge()])) == []


def test_s6_a_letter_states_what_the_settings_require() -> None:
    """§6: impact, measures, routes, dates, rights, formats, the Ombudsman, challenge (MC321)."""
    for missing in ("impact", "how-to-challenge", "lgsco", "behaviour"):
        short = letter("L1", "2026-09-01", "D1")
        short["states"] = [s for s in LETTER_STATES if s != missing]
        assert verdict(stage_1(letters=[short])) == ["MC321"], missing


def test_s6_the_letter_is_not_dated_before_what_it_tells_of() -> None:
    """§6: the letter follows the decision (MC340)."""
    assert verdict(stage_1(letters=told(("D1", "2026-08-31")))) == ["MC340"]


def test_s6_1_a_service_letter_comes_from_its_director_or_senior_manager() -> None:
    """§6.1: the service's Director or a Senior Manager by delegation (MC316)."""
    assert verdict(stage_1(letters=told(("D1", "2026-09-01"), sent_by="farid-qureshi"))) == []
    assert verdict(stage_1(letters=told(("D1", "2026-09-01"), sent_by="kate-ormsby"))) == ["MC316"]
    # Isla McBride is a Senior Manager, but not of Council Tax.
    assert verdict(stage_1(letters=told(("D1", "2026-09-01"), sent_by="isla-mcbride"))) == ["MC316"]
    # The Customer Relations Team may write for a single service too.
    assert verdict(stage_1(letters=told(("D1", "2026-09-01"), sent_by="ben-holloway"))) == []


def test_s6_a_council_wide_letter_comes_from_customer_relations() -> None:
    """§6: conduct across the council: the Customer Relations Team writes (MC316)."""
    wide = {"council_wide": True, "services": ["council-tax"]}
    from_service = stage_1(scope=wide)
    assert verdict(from_service) == ["MC316"]
    from_crt = stage_1(scope=wide, letters=told(("D1", "2026-09-01"), sent_by="chloe-marsh"))
    assert verdict(from_crt) == []


def test_s6_a_two_service_letter_comes_from_customer_relations() -> None:
    """§6: across several services, even from a Senior Manager of both, it is Customer
    Relations who writes (MC316)."""
    two = {"council_wide": False, "services": ["council-tax", "benefits"]}
    assert verdict(stage_1(scope=two)) == ["MC316"]
    from_crt = stage_1(scope=two, letters=told(("D1", "2026-09-01"), sent_by="amara-okafor"))
    assert verdict(from_crt) == []


# --- The right to challenge (settings, after the Ombudsman's guidance) ----------------------


def test_a_challenge_not_upheld_leaves_the_decision_standing() -> None:
    """Right to challenge: decided by an uninvolved senior officer, told in writing."""
    data = stage_1(
        challenges=[decided("not-upheld")],
        letters=told(("D1", "2026-09-01"), ("C1", "2026-10-01")),
    )
    assert verdict(data) == []
    assert status(data).state == "stage-1"


def test_a_challenge_upheld_ends_the_arrangement() -> None:
    """Right to challenge: upheld, the case goes to dormant on the day it is decided."""
    data = stage_1(
        challenges=[decided("upheld")],
        letters=told(("D1", "2026-09-01"), ("C1", "2026-10-01")),
    )
    assert verdict(data) == []
    st = status(data)
    assert (st.state, st.dormant_since, st.expires, st.next_review_due) == (
        "dormant",
        date(2026, 10, 1),
        None,
        None,
    )
    assert st.deletion_due == date(2027, 10, 1)


def test_a_challenge_upheld_with_measures_varied() -> None:
    """Right to challenge: varied, the arrangement stays with the new measures."""
    lighter = [{"measure": "time-limits", "minutes": 30}]
    data = stage_1(
        challenges=[decided("varied", measures=lighter)],
        letters=told(("D1", "2026-09-01"), ("C1", "2026-10-01")),
    )
    assert verdict(data) == []
    st = status(data)
    assert st.state == "stage-1"
    assert [(m.measure, m.minutes) for m in st.measures] == [("time-limits", 30)]
    assert st.expires == date(2027, 3, 1)


def test_an_upheld_challenge_the_lifecycle_refuses() -> None:
    """§7 lifecycle: a case already closed at review cannot be ended again by a challenge
    (MC342)."""
    data = case(
        decisions=[decision("D1", "2026-03-01")],
        reviews=[review("R1", "2026-06-01", "close")],
        challenges=[decided("upheld", received="2026-03-10", day="2026-07-01")],
        letters=told(("D1", "2026-03-01"), ("R1", "2026-06-01"), ("C1", "2026-07-01")),
    )
    assert verdict(data) == ["MC342"]
    st = status(data)
    assert st.dormant_since == date(2026, 6, 1)


def test_a_challenge_is_decided_by_someone_not_involved() -> None:
    """Right to challenge: not the officer who decided (MC370)."""
    data = stage_1(
        challenges=[decided("not-upheld", by="hugo-barrett")],
        letters=told(("D1", "2026-09-01"), ("C1", "2026-10-01"), sent_by="farid-qureshi"),
    )
    assert verdict(data) == ["MC370"]


def test_a_stage_2_challenge_is_not_decided_by_the_business_case_author_or_recommender() -> None:
    """Right to challenge: everyone named in the decision was involved (MC370)."""
    for who in ("farid-qureshi", "david-renshaw"):
        data = stage_2_from_stage_1()
        data["challenges"] = [decided("not-upheld", against="D2", by=who)]
        data["letters"].append(letter("L3", "2026-10-01", "C1"))
        assert verdict(data) == ["MC370"], who
    data = stage_2_from_stage_1()
    # Ben Holloway recommended; he is no senior officer either.
    data["challenges"] = [decided("not-upheld", against="D2", by="ben-holloway")]
    data["letters"].append(letter("L3", "2026-10-01", "C1"))
    assert verdict(data) == ["MC370", "MC372"]


def test_a_challenge_is_decided_by_a_senior_officer() -> None:
    """Right to challenge: a Senior Manager or above (MC372)."""
    data = stage_1(
        challenges=[decided("not-upheld", by="kate-ormsby")],
        letters=told(("D1", "2026-09-01"), ("C1", "2026-10-01")),
    )
    assert verdict(data) == ["MC372"]


def test_a_decided_challenge_records_who_when_and_what_together() -> None:
    """Right to challenge: decider, date and outcome together (MC373)."""
    assert verdict(stage_1(challenges=[challenge(decided_by="isla-mcbride")])) == ["MC373"]
    assert verdict(stage_1(challenges=[challenge(outcome="upheld")])) == ["MC373"]


def test_only_a_varied_challenge_carries_measures() -> None:
    """Right to challenge: measures with another outcome are a mistake (MC103)."""
    data = stage_1(
        challenges=[decided("not-upheld", measures=[{"measure": "time-limits", "minutes": 5}])],
        letters=told(("D1", "2026-09-01"), ("C1", "2026-10-01")),
    )
    assert verdict(data) == ["MC103"]


def test_a_challenge_follows_its_decision_and_is_decided_after_it_is_received() -> None:
    """Right to challenge: dates in order (MC340)."""
    early = stage_1(challenges=[challenge(received="2026-08-31")])
    assert verdict(early) == ["MC340"]
    backwards = stage_1(
        challenges=[decided("not-upheld", day="2026-09-09")],
        letters=told(("D1", "2026-09-01"), ("C1", "2026-09-09")),
    )
    assert verdict(backwards) == ["MC340"]


def test_no_challenge_is_recorded_while_the_right_is_off() -> None:
    """Settings: with no right to challenge, a recorded challenge is a mistake (MC371)."""
    off = with_settings(right_to_challenge=False)
    states = [s for s in LETTER_STATES if s != "how-to-challenge"] + ["no-right-of-appeal"]
    notice = letter("L1", "2026-09-01", "D1")
    notice["states"] = states
    assert verdict(stage_1(letters=[notice]), policy=off) == []
    assert verdict(stage_1(letters=[notice], challenges=[challenge()]), policy=off) == ["MC371"]


# --- Police (§6.2) --------------------------------------------------------------------------


def violent(**sections: Any) -> dict[str, Any]:
    data = stage_1(**sections)
    data["incidents"].append(
        {
            "id": "I2",
            "date": "2026-08-20",
            "channel": "in-person",
            "service": "council-tax",
            "categories": ["shouting", "serious-threats"],
            "staff_affected": "A counter officer",
            "account": "Threatened a counter officer.",
        }
    )
    return data


def report(day: str, incidents: list[str]) -> dict[str, Any]:
    return {"id": "P1", "date": day, "reference": "CW/26/1234", "incidents": incidents}


def test_s6_2_serious_threats_are_reported_to_the_police() -> None:
    """§6.2: violence and serious threats are always reported (MC330)."""
    assert verdict(violent()) == ["MC330"]
    assert verdict(violent(police_reports=[report("2026-08-20", ["I2"])])) == []
    # A report of another incident does not cover this one.
    assert verdict(violent(police_reports=[report("2026-08-20", ["I1"])])) == ["MC330"]


def test_s6_2_a_police_report_is_not_dated_before_the_incident() -> None:
    """§6.2: the report follows the incident (MC340)."""
    assert verdict(violent(police_reports=[report("2026-08-19", ["I2"])])) == ["MC340"]


# --- Chronology -----------------------------------------------------------------------------


def test_nothing_recorded_is_in_the_future() -> None:
    """A record of what happened is dated today at the latest (MC341)."""
    today = TODAY.isoformat()
    assert verdict(stage_1(letters=told(("D1", today)))) == []
    assert verdict(stage_1(letters=told(("D1", "2026-11-29")))) == ["MC341"]


def test_the_case_is_opened_on_or_before_its_first_decision() -> None:
    """A case is opened before it is decided (MC340)."""
    assert verdict(stage_1(opened="2026-09-01")) == []
    assert verdict(stage_1(opened="2026-09-02")) == ["MC340"]


def test_dates_within_an_entry_do_not_run_backwards() -> None:
    """Considered after it happened; a hold ends after it starts; a choice withdrawn after it
    was made (MC340)."""
    activity = [
        {"id": "T1", "date": "2026-10-02", "summary": "A call.", "considered": "2026-10-01"}
    ]
    assert verdict(stage_1(activity=activity)) == ["MC340"]
    choice = {
        "councillor": "cllr-olive-brandt",
        "choice": "opt-in",
        "date": "2026-10-02",
        "withdrawn": "2026-10-01",
    }
    assert verdict(stage_1(councillors=[choice])) == ["MC340"]
    assert verdict(stage_1(legal_holds=[hold("2026-10-02", "2026-10-01")])) == ["MC340"]


def test_a_decision_expires_after_the_day_it_is_made() -> None:
    """§6.1: a monitoring period ends after it starts (MC340), judged on the day, where the
    council lets a period be shorter than the default."""
    day = date(2026, 9, 1)
    shorter = may_be_shorter()
    same = stage_1(decisions=[decision("D1", "2026-09-01", expires="2026-09-01")])
    assert verdict(same, day, shorter) == ["MC340"]
    after = stage_1(decisions=[decision("D1", "2026-09-01", expires="2026-09-02")])
    assert verdict(after, day, shorter) == []


def may_be_shorter() -> Policy:
    """The policy with monitoring periods allowed to be shorter than the default."""
    choices = repo_policy().settings.model_dump(by_alias=True)["choices"]
    return with_settings(choices={**choices, "monitoring_may_be_shorter": True})


# --- Transitions (§6, §7) -------------------------------------------------------------------


def test_s7_a_second_stage_1_decision_is_not_a_move() -> None:
    """§6, §7: stage 1 to stage 1 is by review, not a new decision (MC342)."""
    data = case(
        decisions=[decision("D1", "2026-06-01"), decision("D2", "2026-09-01")],
        letters=told(("D1", "2026-06-01"), ("D2", "2026-09-01")),
    )
    assert verdict(data) == ["MC342"]


def test_s7_the_replay_goes_on_from_before_a_refused_decision() -> None:
    """§7: a refused decision changes nothing: the review due from the first one is overdue."""
    data = case(
        decisions=[decision("D1", "2026-03-01"), decision("D2", "2026-10-01")],
        letters=told(("D1", "2026-03-01"), ("D2", "2026-10-01")),
    )
    assert verdict(data) == ["MC342", "MC350"]
    st = status(data)
    assert (st.since, st.expires, st.next_review_due) == (
        date(2026, 3, 1),
        date(2026, 9, 1),
        date(2026, 9, 1),
    )


def test_s7_the_replay_goes_on_from_before_a_refused_review() -> None:
    """§7: closing a case twice: the second close moves nothing, so retention runs from the
    first (MC342, and the deletion is overdue: MC352)."""
    data = case(
        decisions=[decision("D1", "2025-08-01")],
        reviews=[review("R1", "2025-10-01", "close"), review("R2", "2026-01-01", "close")],
        letters=told(("D1", "2025-08-01"), ("R1", "2025-10-01"), ("R2", "2026-01-01")),
    )
    assert verdict(data) == ["MC342", "MC352"]
    st = status(data)
    assert (st.dormant_since, st.deletion_due) == (date(2025, 10, 1), date(2026, 10, 1))
    assert [t.entry for t in st.reviews] == ["R1"]


def test_s7_a_closed_case_is_reopened_by_a_new_decision() -> None:
    """§7: conduct recommences: a new stage 1 decision from dormant."""
    data = dormant(
        "2026-03-10",
        decisions=[decision("D1", "2026-01-01"), decision("D2", "2026-09-01")],
        letters=told(("D1", "2026-01-01"), ("R1", "2026-03-10"), ("D2", "2026-09-01")),
    )
    recommenced(data, "2026-08-20")
    assert verdict(data) == []
    st = status(data)
    assert (st.state, st.since, st.dormant_since, st.deletion_due) == (
        "stage-1",
        date(2026, 9, 1),
        None,
        None,
    )


def _reopened(decided: str, conduct: str, **sections: Any) -> dict[str, Any]:
    """Closed on 2025-07-10 (deletion due 2026-07-10), conduct again on `conduct`, and a new
    stage 1 decision on `decided`."""
    data = dormant(
        "2025-07-10",
        decisions=[decision("D1", "2025-05-10"), decision("D2", decided)],
        letters=told(("D1", "2025-05-10"), ("R1", "2025-07-10"), ("D2", decided)),
        **sections,
    )
    return recommenced(data, conduct)


def test_s7_a_case_whose_deletion_fell_due_is_not_reopened() -> None:
    """§7: twelve months dormant, the record should be gone: recommenced conduct after that is
    a new case (MC345), not a decision on the old file."""
    late = _reopened("2026-08-01", "2026-07-20")
    assert located(late) == [("MC345", "decisions[1]")]
    # On the day deletion falls due the record is still kept, and the case may reopen.
    assert verdict(_reopened("2026-07-10", "2026-07-05")) == []


def test_s7_activity_in_time_or_a_hold_keeps_the_record_open_to_reopening() -> None:
    """Activity within the twelve months starts them again, and an open legal hold blocks the
    deletion: in both the record is rightly kept, and a decision may reopen it."""
    activity = [{"id": "T1", "date": "2026-06-01", "summary": "Rang about a new bill."}]
    assert verdict(_reopened("2026-08-01", "2026-07-20", activity=activity)) == []
    assert verdict(_reopened("2026-08-01", "2026-07-20", legal_holds=[hold("2026-06-20")])) == []
    # A hold that ended before the deletion fell due does not.
    ended = [hold("2025-09-01", "2025-10-01")]
    assert located(_reopened("2026-08-01", "2026-07-20", legal_holds=ended)) == [
        ("MC345", "decisions[1]")
    ]


# --- Timeliness (§7) ------------------------------------------------------------------------


def test_s7_a_review_due_today_is_not_yet_overdue() -> None:
    """§7: 'no later than' six months: due today passes, due yesterday is overdue (MC350)."""
    assert verdict(stage_1("2026-05-28", letters=told(("D1", "2026-05-28")))) == []
    assert verdict(stage_1("2026-05-27", letters=told(("D1", "2026-05-27")))) == ["MC350"]


def test_s7_an_overdue_review_is_an_error_in_the_scheduled_check() -> None:
    """§7: the scheduled check (`--strict-dates`) fails on an overdue review (MC350)."""
    data = stage_1("2026-05-27", letters=told(("D1", "2026-05-27")))
    (normal,) = findings(data)
    (strict,) = findings(data, strict_dates=True)
    assert (normal.rule, normal.severity) == ("MC350", Severity.WARNING)
    assert (strict.rule, strict.severity) == ("MC350", Severity.ERROR)


def test_s7_a_review_held_after_it_was_due() -> None:
    """§7: held late (MC351); held on the due day is on time."""
    data = case(
        decisions=[decision("D1", "2026-01-10")],
        reviews=[review("R1", "2026-07-11", "continue", extend_to="2027-01-11")],
        letters=told(("D1", "2026-01-10"), ("R1", "2026-07-11")),
    )
    assert verdict(data) == ["MC351"]
    data["reviews"][0]["date"] = "2026-07-10"
    data["letters"][1]["date"] = "2026-07-10"
    assert verdict(data) == []


def test_s7_a_deletion_due_today_is_not_yet_overdue() -> None:
    """§7: deleted 12 months after moving to dormant: due today passes, yesterday is overdue
    (MC352)."""
    on_time = dormant("2025-11-28")
    assert status(on_time).deletion_due == TODAY
    assert verdict(on_time) == []
    assert verdict(dormant("2025-11-27")) == ["MC352"]


def test_s7_an_overdue_deletion_is_an_error_in_the_scheduled_check() -> None:
    """§7: the scheduled check fails on an overdue deletion (MC352)."""
    (strict,) = findings(dormant("2025-11-27"), strict_dates=True)
    assert (strict.rule, strict.severity) == ("MC352", Severity.ERROR)


def test_s7_a_hold_ending_today_still_blocks_deletion() -> None:
    """§7, legal holds: a hold open until today blocks the overdue deletion."""
    data = dormant("2025-06-10", legal_holds=[hold("2026-03-01", TODAY.isoformat())])
    assert verdict(data) == []
    assert status(data).open_holds == ("H1",)


def test_s7_a_hold_that_ended_yesterday_no_longer_blocks() -> None:
    """§7, legal holds: once ended, deletion is due at the hold's end if it ran past the due
    date (MC352)."""
    data = dormant("2025-06-10", legal_holds=[hold("2026-03-01", "2026-11-27")])
    assert verdict(data) == ["MC352"]
    st = status(data)
    assert (st.open_holds, st.deletion_due) == ((), date(2026, 11, 27))


def test_s7_a_hold_starting_on_the_due_date_moves_the_deletion_to_its_end() -> None:
    """§7, legal holds: a hold from the day deletion falls due defers it to the hold's end."""
    on_the_day = status(dormant("2025-06-10", legal_holds=[hold("2026-06-10", "2026-08-01")]))
    assert on_the_day.deletion_due == date(2026, 8, 1)
    after = status(dormant("2025-06-10", legal_holds=[hold("2026-06-11", "2026-08-01")]))
    assert after.deletion_due == date(2026, 6, 10)
    ended_on_the_day = status(dormant("2025-06-10", legal_holds=[hold("2026-05-01", "2026-06-10")]))
    assert ended_on_the_day.deletion_due == date(2026, 6, 10)


def test_s7_an_open_hold_blocks_deletion() -> None:
    """§7, legal holds: a hold with no end blocks deletion however late."""
    assert verdict(dormant("2025-01-10", legal_holds=[hold("2025-12-01")])) == []


# --- Councillors (§1) -----------------------------------------------------------------------


def choice(who: str, day: str = "2026-10-01", **fields: Any) -> dict[str, Any]:
    return {"councillor": who, "choice": "opt-in", "date": day, **fields}


def test_s1_a_councillor_opts_in() -> None:
    """§1: members can opt in or out of an arrangement."""
    assert verdict(stage_1(councillors=[choice("cllr-olive-brandt")])) == []


def test_s1_only_a_councillor_on_the_day_opts_in_or_out() -> None:
    """§1: a councillor on the day of the choice (MC360)."""
    # Cllr Olive Brandt was elected on 5 May 2023.
    assert verdict(stage_1(councillors=[choice("cllr-olive-brandt", "2023-05-04")])) == ["MC360"]
    assert verdict(stage_1(councillors=[choice("cllr-olive-brandt", "2023-05-05")])) == []
    assert verdict(stage_1(councillors=[choice("hugo-barrett")])) == ["MC360"]
    # Someone unknown is a vocabulary finding, not a second one here.
    assert verdict(stage_1(councillors=[choice("cllr-nobody")])) == ["MC205"]


def test_s1_a_councillor_has_one_current_choice() -> None:
    """§1: one current choice per councillor; withdraw it first (MC361)."""
    twice = [choice("cllr-olive-brandt"), choice("cllr-olive-brandt", choice="opt-out")]
    assert verdict(stage_1(councillors=twice)) == ["MC361"]
    withdrawn = [
        choice("cllr-olive-brandt", withdrawn="2026-10-05"),
        choice("cllr-olive-brandt", "2026-10-05", choice="opt-out"),
    ]
    assert verdict(stage_1(councillors=withdrawn)) == []
    two_members = [choice("cllr-olive-brandt"), choice("cllr-patrick-nwosu")]
    assert verdict(stage_1(councillors=two_members)) == []


# --- Safeguards (§6) ------------------------------------------------------------------------


def made(channel: str) -> list[dict[str, Any]]:
    return [
        {
            "id": "A1",
            "date": "2023-06-02",
            "description": "Calls instead of letters.",
            "outcome": "made",
            "channel": channel,
        }
    ]


def test_s6_a_measure_does_not_take_away_a_channel_an_adjustment_relies_on() -> None:
    """§6: one-channel by email takes away the telephone the adjustment made (MC380)."""
    email_only = [{"measure": "one-channel", "channel": "email"}]
    data = stage_1(
        adjustments=made("telephone"), decisions=[decision("D1", "2026-09-01", measures=email_only)]
    )
    assert verdict(data) == ["MC380"]
    phone_only = [{"measure": "one-channel", "channel": "telephone"}]
    data = stage_1(
        adjustments=made("telephone"), decisions=[decision("D1", "2026-09-01", measures=phone_only)]
    )
    assert verdict(data) == []


def test_s6_a_declined_adjustment_is_not_relied_on() -> None:
    """§6: only an adjustment made for the customer is protected."""
    email_only = [{"measure": "one-channel", "channel": "email"}]
    adjustments = made("telephone")
    adjustments[0]["outcome"] = "declined"
    data = stage_1(
        adjustments=adjustments, decisions=[decision("D1", "2026-09-01", measures=email_only)]
    )
    assert verdict(data) == []


def test_s6_2_call_termination_takes_away_the_telephone() -> None:
    """§6, §6.2: a stage 2 measure that blocks the telephone, against a telephone adjustment
    (MC380)."""
    data = stage_2_from_stage_1(measures=[{"measure": "call-termination"}])
    data["adjustments"] = made("telephone")
    assert verdict(data) == ["MC380"]


def test_s6_a_statutory_service_keeps_its_access() -> None:
    """§6: statutory rights are unaffected: say how access continues (MC382)."""
    housing = {"council_wide": False, "services": ["housing-options"]}
    letters = told(("D1", "2026-09-01"), sent_by="grace-lindqvist")
    data = stage_1(scope=housing, letters=letters)
    assert verdict(data) == ["MC382"]
    data["decisions"][0]["statutory_access"] = "Appointments with the housing officer."
    assert verdict(data) == []


# --- Vocabulary -----------------------------------------------------------------------------


def test_the_case_uses_the_policy_vocabulary() -> None:
    """§4 and policy data: categories, services, channels (MC201, MC203, MC204)."""
    data = stage_1()
    data["incidents"].append(incident("I2", "2026-08-20", ("sarcasm",)))
    assert verdict(data) == ["MC201"]
    data = stage_1()
    data["incidents"][0]["channel"] = "carrier-pigeon"
    assert verdict(data) == ["MC204"]
    data = stage_1()
    data["resolution_attempts"][0]["service"] = "trading-standards"
    assert verdict(data) == ["MC203"]


def test_people_are_in_the_people_registry() -> None:
    """Policy data: everyone named is in policy/people.yaml (MC205)."""
    data = reviewed(
        "continue", extend_to="2027-05-01", reviewed_by=["amara-okafor", "hugo-barrett", "zed-x"]
    )
    assert verdict(data) == ["MC205"]


def test_s6_1_measures_come_from_the_catalogue_with_their_values() -> None:
    """§6.1, §6.2: a known measure (MC202), with exactly its values (MC206)."""
    unknown = stage_1(decisions=[decision("D1", "2026-09-01", measures=[{"measure": "gagging"}])])
    assert verdict(unknown) == ["MC202"]
    bare = stage_1(decisions=[decision("D1", "2026-09-01", measures=[{"measure": "time-limits"}])])
    assert verdict(bare) == ["MC206"]
    extra = [{"measure": "time-limits", "minutes": 15, "calls": 2}]
    assert verdict(stage_1(decisions=[decision("D1", "2026-09-01", measures=extra)])) == ["MC206"]


def test_s6_2_a_stage_2_measure_is_not_used_at_stage_1() -> None:
    """§6.1, §6.2: stage 2 measures need a stage 2 decision (MC207)."""
    diversion = [{"measure": "email-diversion", "spoc": "ben-holloway", "frequency": "weekly"}]
    data = stage_1(decisions=[decision("D1", "2026-09-01", measures=diversion)])
    assert verdict(data) == ["MC207"]
    assert verdict(stage_2_from_stage_1(measures=diversion)) == []


def test_letters_state_only_contents_the_settings_define() -> None:
    """Settings: letter contents are those policy/settings.yaml lists (MC208)."""
    notice = letter("L1", "2026-09-01", "D1")
    notice["states"].append("a-poem")
    assert verdict(stage_1(letters=[notice])) == ["MC208"]


# --- Identity -------------------------------------------------------------------------------


def test_entry_ids_are_unique_within_the_case() -> None:
    """Every entry can be told apart (MC107), and is numbered in its own list (MC110)."""
    data = stage_1()
    data["adjustments"][0]["id"] = "I1"
    assert verdict(data) == ["MC107", "MC110"]
    data["adjustments"][0]["id"] = "A9"
    assert verdict(data) == []


def test_references_name_an_entry_of_the_right_kind() -> None:
    """A letter tells of a decision, review or challenge; a police report of incidents (MC108)."""
    data = stage_1()
    data["letters"].append(letter("L2", "2026-09-01", "I1"))
    assert verdict(data) == ["MC108"]
    data = stage_1()
    data["letters"].append(letter("L2", "2026-09-01", "D9"))
    assert verdict(data) == ["MC108"]
    wrong = violent(police_reports=[report("2026-08-20", ["I2", "D1"])])
    assert verdict(wrong) == ["MC108"]
