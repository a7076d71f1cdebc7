"""Where each finding points, and the edges the scenario suite leaves implicit.

The scenario suite states verdicts as rule ids. These cases also pin the path each finding
points at (so the line a person is sent to is the right one) and the boundaries of the rules
that only a changed comparison or a changed field name would move; `make mutation` found them.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
import yaml
from scenario import REPO, TODAY, loaded_case, located, repo_policy, status, verdict, with_settings
from test_scenarios import (
    challenge,
    decided,
    hold,
    may_be_shorter,
    recommenced,
    reviewed,
    stage_1,
    stage_2_from_stage_1,
    told,
)

from managed_contact.register.findings import Severity
from managed_contact.register.index import Index
from managed_contact.register.loading import load_bytes
from managed_contact.register.model import Case, DeletionLog
from managed_contact.register.rules import MODELINE
from managed_contact.register.rules.run import check_case, check_register
from managed_contact.register.snapshot import CaseFile, Register
from managed_contact.register.validation import validate

from casebuilder import case, decision, letter, review

FUTURE = "2026-11-29"


def full_case() -> dict[str, Any]:
    """A clean stage 2 case with an entry in every dated section."""
    data = stage_2_from_stage_1()
    data["incidents"].append(
        {
            "id": "I2",
            "date": "2026-08-20",
            "channel": "in-person",
            "service": "council-tax",
            "categories": ["violence"],
            "staff_affected": "A counter officer",
            "account": "Pushed a counter officer.",
        }
    )
    data["police_reports"] = [
        {"id": "P1", "date": "2026-08-21", "reference": "CW/26/1", "incidents": ["I2"]}
    ]
    data["activity"] = [
        {"id": "T1", "date": "2026-10-02", "summary": "A call.", "considered": "2026-10-03"}
    ]
    data["challenges"] = [decided("not-upheld", against="D2", received="2026-09-10")]
    data["letters"].append(letter("L3", "2026-10-01", "C1"))
    data["councillors"] = [
        {
            "councillor": "cllr-olive-brandt",
            "choice": "opt-in",
            "date": "2026-10-01",
            "withdrawn": "2026-10-05",
        }
    ]
    data["legal_holds"] = [hold("2026-10-01", "2026-10-20")]
    data["corrections"] = [
        {
            "id": "K1",
            "date": "2026-10-06",
            "entry": "I1",
            "made_by": "ben-holloway",
            "approved_by": "amara-okafor",
            "reason": "The date was mistyped.",
        }
    ]
    return data


def test_the_full_case_is_clean() -> None:
    assert located(full_case()) == []


def at(data: dict[str, Any], path: str, value: str) -> dict[str, Any]:
    """`data` with the value at a dotted path (`decisions.1.crt_notified`) replaced."""
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return data


# --- Chronology -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "opened",
        "incidents.0.date",
        "adjustments.0.date",
        "resolution_attempts.0.date",
        "decisions.1.date",
        "decisions.1.crt_notified",
        "decisions.1.business_case.date",
        "decisions.1.recommendation.date",
        "letters.2.date",
        "police_reports.0.date",
        "activity.0.date",
        "activity.0.considered",
        "corrections.0.date",
        "councillors.0.date",
        "councillors.0.withdrawn",
        "challenges.0.received",
        "challenges.0.decided",
        "legal_holds.0.start",
    ],
)
def test_each_date_in_the_future_is_found_where_it_is(path: str) -> None:
    found = located(at(full_case(), path, FUTURE))
    expected = path.replace(".0", "[0]").replace(".1", "[1]").replace(".2", "[2]")
    assert [p for rule, p in found if rule == "MC341"] == [expected]


def test_dates_within_an_entry_may_fall_on_the_same_day() -> None:
    data = full_case()
    at(data, "activity.0.considered", "2026-10-02")
    at(data, "councillors.0.withdrawn", "2026-10-01")
    at(data, "legal_holds.0.end", "2026-10-01")
    assert located(data) == []


def test_dates_within_an_entry_that_run_backwards_are_found_where_they_are() -> None:
    data = full_case()
    at(data, "activity.0.considered", "2026-10-01")
    at(data, "councillors.0.withdrawn", "2026-09-30")
    at(data, "legal_holds.0.end", "2026-09-30")
    assert located(data) == [
        ("MC340", "activity[0].considered"),
        ("MC340", "councillors[0].withdrawn"),
        ("MC340", "legal_holds[0].end"),
    ]


def test_a_case_opened_after_its_first_decision_points_at_opened() -> None:
    assert located(stage_1(opened="2026-09-02")) == [("MC340", "opened")]


def test_a_review_before_any_decision() -> None:
    data = case(
        decisions=[decision("D1", "2026-06-01")],
        reviews=[review("R1", "2026-05-31", "continue", extend_to="2026-12-01")],
        letters=told(("D1", "2026-06-01"), ("R1", "2026-06-01")),
    )
    assert located(data) == [("MC340", "reviews[0].date"), ("MC342", "reviews[0]")]
    undecided = case(
        reviews=[review("R1", "2026-05-31", "close")], letters=told(("R1", "2026-06-01"))
    )
    assert located(undecided) == [("MC340", "reviews[0].date"), ("MC342", "reviews[0]")]


def test_a_decision_expiring_on_its_day_points_at_expires() -> None:
    same = stage_1(decisions=[decision("D1", "2026-09-01", expires="2026-09-01")])
    day, shorter = date(2026, 9, 1), may_be_shorter()
    assert located(same, day, shorter) == [("MC340", "decisions[0].expires")]
    before = stage_1(decisions=[decision("D1", "2026-09-01", expires="2026-08-31")])
    assert ("MC340", "decisions[0].expires") in located(before, day, shorter)


# --- Transitions and timeliness -------------------------------------------------------------


def test_a_refused_move_points_at_its_entry() -> None:
    data = case(
        decisions=[decision("D1", "2026-03-01"), decision("D2", "2026-10-01")],
        letters=told(("D1", "2026-03-01"), ("D2", "2026-10-01")),
    )
    assert located(data) == [("MC342", "decisions[1]"), ("MC350", "decisions[0]")]
    upheld_twice = stage_1(
        challenges=[decided("upheld"), decided("upheld", day="2026-10-02") | {"id": "C2"}],
        letters=told(("D1", "2026-09-01"), ("C1", "2026-10-01"), ("C2", "2026-10-02")),
    )
    assert located(upheld_twice) == [("MC342", "challenges[1]")]


def test_an_overdue_review_points_at_what_it_is_due_from() -> None:
    data = case(
        decisions=[decision("D1", "2025-11-01")],
        reviews=[review("R1", "2026-04-01", "continue", extend_to="2026-10-01")],
        letters=told(("D1", "2025-11-01"), ("R1", "2026-04-01")),
    )
    assert located(data) == [("MC350", "reviews[0]")]
    assert status(data).next_review_due == date(2026, 10, 1)


def test_an_overdue_review_points_at_the_last_review() -> None:
    data = case(
        decisions=[decision("D1", "2025-06-01")],
        reviews=[
            review("R1", "2025-11-01", "continue", extend_to="2026-05-01"),
            review("R2", "2026-04-01", "continue", extend_to="2026-10-01"),
        ],
        letters=told(("D1", "2025-06-01"), ("R1", "2025-11-01"), ("R2", "2026-04-01")),
    )
    assert located(data) == [("MC350", "reviews[1]")]


def test_an_overdue_review_after_a_varied_challenge_points_at_the_decision() -> None:
    lighter = [{"measure": "time-limits", "minutes": 30}]
    data = stage_1(
        "2026-05-01",
        challenges=[decided("varied", measures=lighter, received="2026-05-10")],
        letters=told(("D1", "2026-05-01"), ("C1", "2026-10-01")),
    )
    assert located(data) == [("MC350", "decisions[0]")]


def test_a_late_review_points_at_the_review() -> None:
    data = case(
        decisions=[decision("D1", "2026-01-10")],
        reviews=[review("R1", "2026-07-11", "continue", extend_to="2027-01-11")],
        letters=told(("D1", "2026-01-10"), ("R1", "2026-07-11")),
    )
    assert located(data) == [("MC351", "reviews[0]")]


def test_an_overdue_deletion_points_at_the_case_id() -> None:
    data = reviewed("close", "2025-11-01")
    data["decisions"][0]["date"] = "2025-06-01"
    data["letters"][0]["date"] = "2025-06-01"
    assert located(data) == [("MC352", "id")]


# --- Police, councillors --------------------------------------------------------------------


def test_police_findings_point_at_the_incident() -> None:
    data = full_case()
    data["police_reports"] = []
    assert located(data) == [("MC330", "incidents[1]")]
    data = at(full_case(), "police_reports.0.date", "2026-08-19")
    assert located(data) == [("MC340", "incidents[1]")]


def test_a_police_report_on_the_day_of_the_incident() -> None:
    assert located(at(full_case(), "police_reports.0.date", "2026-08-20")) == []


def test_violence_alone_needs_a_police_report() -> None:
    data = full_case()
    data["incidents"][1]["categories"] = ["violence", "sarcasm"]
    data["police_reports"] = []
    assert located(data) == [("MC201", "incidents[1].categories[1]"), ("MC330", "incidents[1]")]


def test_councillor_findings_point_at_the_councillor() -> None:
    choices = [
        {"councillor": "hugo-barrett", "choice": "opt-in", "date": "2026-10-01"},
        {"councillor": "cllr-patrick-nwosu", "choice": "opt-in", "date": "2026-10-01"},
        {"councillor": "cllr-patrick-nwosu", "choice": "opt-out", "date": "2026-10-02"},
    ]
    assert located(stage_1(councillors=choices)) == [
        ("MC360", "councillors[0].councillor"),
        ("MC361", "councillors[2].councillor"),
    ]


def test_a_withdrawn_choice_is_no_current_choice() -> None:
    choices = [
        {"councillor": "cllr-patrick-nwosu", "choice": "opt-in", "date": "2026-10-01"},
        {
            "councillor": "cllr-patrick-nwosu",
            "choice": "opt-out",
            "date": "2026-10-02",
            "withdrawn": "2026-10-03",
        },
        {"councillor": "cllr-patrick-nwosu", "choice": "opt-out", "date": "2026-10-04"},
    ]
    assert located(stage_1(councillors=choices)) == [("MC361", "councillors[2].councillor")]


# --- Letters --------------------------------------------------------------------------------


def test_letter_findings_point_at_the_letter_field() -> None:
    short = letter("L1", "2026-08-31", "D1", sent_by="kate-ormsby")
    short["states"] = short["states"][1:]
    assert located(stage_1(letters=[short])) == [
        ("MC316", "letters[0].sent_by"),
        ("MC321", "letters[0].states"),
        ("MC340", "letters[0].date"),
    ]


def test_a_missing_letter_points_at_what_it_should_tell_of() -> None:
    data = full_case()
    data["letters"] = []
    assert located(data) == [
        ("MC320", "challenges[0]"),
        ("MC320", "decisions[0]"),
        ("MC320", "decisions[1]"),
    ]
    data = reviewed("continue", extend_to="2027-05-01")
    data["letters"] = data["letters"][:1]
    assert located(data) == [("MC320", "reviews[0]")]


def test_an_undecided_outcome_needs_no_letter_yet() -> None:
    data = stage_1(challenges=[challenge(decided_by="isla-mcbride", decided="2026-10-01")])
    assert located(data) == [("MC373", "challenges[0]")]


def test_a_letter_about_a_challenge_is_judged_against_its_date() -> None:
    data = stage_1(
        challenges=[decided("not-upheld")],
        letters=told(("D1", "2026-09-01"), ("C1", "2026-09-30")),
    )
    assert located(data) == [("MC340", "letters[1].date")]


def test_a_letter_about_a_review_is_judged_against_its_date() -> None:
    data = reviewed("continue", extend_to="2027-05-01")
    data["letters"][1]["date"] = "2026-10-31"
    assert located(data) == [("MC340", "letters[1].date")]


def test_letters_before_the_right_to_challenge_need_not_say_how_to_challenge() -> None:
    """Settings: the right to challenge is judged from `right_to_challenge_since`."""
    old = letter("L1", "2021-12-31", "D1")
    old["states"] = [s for s in old["states"] if s != "how-to-challenge"]
    data = stage_1("2021-12-31", letters=[old], opened="2021-06-01")
    for section in ("adjustments", "resolution_attempts", "incidents"):
        data[section][0]["date"] = "2021-06-01"
    assert verdict(data, date(2022, 3, 1)) == []
    data["letters"][0]["date"] = "2022-01-01"
    assert verdict(data, date(2022, 3, 1)) == ["MC321"]


def test_a_single_service_letter_may_come_from_the_crt_on_the_day_it_is_sent() -> None:
    # Chloe Marsh joined the Customer Relations Team on 1 September 2022.
    for day, expected in (("2022-08-31", [("MC316", "letters[0].sent_by")]), ("2022-09-01", [])):
        data = stage_1(day, letters=told(("D1", day), sent_by="chloe-marsh"), opened="2022-06-01")
        for section in ("adjustments", "resolution_attempts", "incidents"):
            data[section][0]["date"] = "2022-06-01"
        assert located(data, date(2022, 10, 1)) == expected, day


# --- Safeguards -----------------------------------------------------------------------------


def made(channel: str | None, outcome: str = "made") -> list[dict[str, Any]]:
    found: dict[str, Any] = {
        "id": "A1",
        "date": "2023-06-02",
        "description": "An adjustment.",
        "outcome": outcome,
    }
    if channel is not None:
        found["channel"] = channel
    return [found]


EMAIL_ONLY = [
    {"measure": "time-limits", "minutes": 10},
    {"measure": "one-channel", "channel": "email"},
]


def test_a_measure_taking_away_a_channel_points_at_the_measure() -> None:
    data = stage_1(adjustments=made("telephone"))
    data["decisions"][0]["measures"] = EMAIL_ONLY
    assert located(data) == [("MC380", "decisions[0].measures[1]")]


def test_review_and_challenge_measures_are_checked_too() -> None:
    data = reviewed("continue", extend_to="2027-05-01", measures=EMAIL_ONLY)
    data["adjustments"] = made("telephone")
    assert located(data) == [("MC380", "reviews[0].measures[1]")]
    data = stage_1(
        adjustments=made("telephone"),
        challenges=[decided("varied", measures=EMAIL_ONLY)],
        letters=told(("D1", "2026-09-01"), ("C1", "2026-10-01")),
    )
    assert located(data) == [("MC380", "challenges[0].measures[1]")]


def test_an_adjustment_with_no_channel_or_not_made_is_not_taken_away() -> None:
    for adjustments in (made(None), made("telephone", "not-suitable")):
        data = stage_1(adjustments=adjustments)
        data["decisions"][0]["measures"] = EMAIL_ONLY
        assert located(data) == []


def test_two_adjustments_on_two_channels_are_each_taken_away() -> None:
    large_print = {
        "id": "A2",
        "date": "2023-06-02",
        "description": "Letters in large print.",
        "outcome": "made",
        "channel": "letter",
    }
    adjustments = [*made("telephone"), large_print]
    data = stage_1(adjustments=adjustments)
    data["decisions"][0]["measures"] = EMAIL_ONLY
    found = [f for f in findings_of(data) if f.rule == "MC380"]
    assert [(f.path, "telephone" in f.message, "letter" in f.message) for f in found] == [
        ("decisions[0].measures[1]", False, True),
        ("decisions[0].measures[1]", True, False),
    ]


def test_an_unknown_measure_takes_nothing_away() -> None:
    data = stage_1(adjustments=made("telephone"))
    data["decisions"][0]["measures"] = [{"measure": "gagging"}, *EMAIL_ONLY]
    assert located(data) == [
        ("MC202", "decisions[0].measures[0].measure"),
        ("MC380", "decisions[0].measures[2]"),
    ]


def test_a_blocked_channel_matters_only_where_an_adjustment_relies_on_it() -> None:
    data = stage_2_from_stage_1(measures=[{"measure": "call-termination"}])
    data["adjustments"] = made("letter")
    assert located(data) == []


def test_a_statutory_service_finding_points_at_each_decision() -> None:
    housing = {"council_wide": False, "services": ["housing-options", "council-tax"]}
    data = stage_1(scope=housing, letters=told(("D1", "2026-09-01"), sent_by="ben-holloway"))
    assert located(data) == [("MC382", "decisions[0]")]


def test_an_unknown_service_is_no_statutory_service() -> None:
    unknown = {"council_wide": True, "services": ["council-tax", "trading-standards"]}
    data = stage_1(scope=unknown, letters=told(("D1", "2026-09-01"), sent_by="ben-holloway"))
    assert located(data) == [("MC203", "scope.services[1]")]


# --- Identity -------------------------------------------------------------------------------


def judged(text: str, file: str = "cases/MC-2026-0001.yaml") -> list[tuple[str, str, int, int]]:
    doc, problems = load_bytes(text.encode(), file)
    assert not problems, problems
    assert doc is not None
    found, invalid = validate(Case, doc)
    assert found is not None, invalid
    loaded = CaseFile(REPO / file, file, doc, found)
    found = check_case(loaded, Index(repo_policy()), TODAY)
    return sorted((f.rule, f.path, f.line, f.column) for f in found)


def test_the_case_id_is_the_file_name() -> None:
    text = MODELINE + "\n" + yaml.safe_dump(stage_1(), sort_keys=False)
    assert judged(text) == []
    assert judged(text, "cases/MC-2026-0002.yaml") == [("MC104", "id", 2, 1)]


def test_the_file_starts_with_the_modeline() -> None:
    body = yaml.safe_dump(stage_1(), sort_keys=False)
    assert judged(body) == [("MC109", "", 1, 1)]
    assert judged("  " + MODELINE + "  \n" + body) == []
    assert judged("# another comment\n" + MODELINE + "\n" + body) == [("MC109", "", 1, 1)]


def test_a_repeated_entry_id_points_at_the_second_use() -> None:
    data = stage_1()
    data["resolution_attempts"][0]["id"] = "A1"
    data["letters"][0]["id"] = "D1"
    # Each is also the wrong list's letter (MC110).
    assert located(data) == [
        ("MC107", "letters[0].id"),
        ("MC107", "resolution_attempts[0].id"),
        ("MC110", "letters[0].id"),
        ("MC110", "resolution_attempts[0].id"),
    ]


def test_references_point_at_the_reference() -> None:
    data = full_case()
    data["letters"][2]["about"] = "P1"
    data["police_reports"][0]["incidents"] = ["I2", "I9"]
    data["corrections"][0]["entry"] = "K1"
    assert located(data) == [
        ("MC108", "corrections[0].entry"),
        ("MC108", "letters[2].about"),
        ("MC108", "police_reports[0].incidents[1]"),
        ("MC320", "challenges[0]"),
    ]


def test_a_correction_may_name_any_entry_but_another_correction() -> None:
    for entry in ("I1", "A1", "S1", "D1", "R1", "L1", "C1", "P1", "T1"):
        data = full_case()
        data["reviews"] = [review("R1", "2026-11-01", "continue", extend_to="2027-05-01")]
        data["letters"].append(letter("L4", "2026-11-01", "R1"))
        data["corrections"][0]["entry"] = entry
        data["letters"][0]["id"] = "L1"
        assert located(data) == [], entry


def findings_of(data: dict[str, Any]) -> list[Any]:
    loaded = loaded_case(data)
    return check_case(loaded, Index(repo_policy()), TODAY)


def test_the_families_run_in_a_fixed_order() -> None:
    """Identity first, safeguards last: the findings come out in the same order every time."""
    data = stage_1(adjustments=made("telephone"))
    data["decisions"][0]["measures"] = EMAIL_ONLY
    data["decisions"][0]["decided_by"] = "kate-ormsby"
    data["letters"][0]["about"] = "I1"
    assert [f.rule for f in findings_of(data)] == ["MC108", "MC310", "MC320", "MC380"]


def test_a_renamed_case_file_is_judged_as_named() -> None:
    loaded = loaded_case(stage_1())
    renamed = dataclasses.replace(loaded, path=REPO / "cases/MC-2026-0009.yaml")
    found = check_case(renamed, Index(repo_policy()), TODAY)
    assert [f.rule for f in found] == ["MC104"]


# --- The stage a review or challenge is at --------------------------------------------------

DIVERSION = [{"measure": "email-diversion", "spoc": "ben-holloway", "frequency": "weekly"}]


def extreme(day: str) -> dict[str, Any]:
    return decision("D1", day, stage=2, extreme_reason="Threats to kill.")


def test_a_review_on_the_day_of_a_stage_2_decision_is_at_stage_2() -> None:
    """A stage 2 measure set at review is judged at the stage the case is in that day."""
    data = case(
        decisions=[extreme("2026-06-01")],
        reviews=[
            review("R1", "2026-06-01", "continue", extend_to="2026-12-01", measures=DIVERSION)
        ],
        letters=told(("D1", "2026-06-01"), ("R1", "2026-06-01")),
    )
    assert located(data) == []


def test_a_review_at_stage_1_cannot_set_a_stage_2_measure() -> None:
    data = reviewed("continue", extend_to="2027-05-01", measures=DIVERSION)
    assert located(data) == [("MC207", "reviews[0].measures[0].measure")]


def test_a_refused_move_does_not_change_the_stage_a_review_is_at() -> None:
    data = case(
        decisions=[extreme("2026-06-01"), decision("D2", "2026-07-01")],
        reviews=[
            review("R1", "2026-08-01", "continue", extend_to="2027-01-01", measures=DIVERSION)
        ],
        letters=told(("D1", "2026-06-01"), ("D2", "2026-07-01"), ("R1", "2026-08-01")),
    )
    assert located(data) == [("MC342", "decisions[1]")]


def test_a_challenge_varied_at_stage_2_may_keep_a_stage_2_measure() -> None:
    data = case(
        decisions=[extreme("2026-09-01")],
        challenges=[decided("varied", measures=DIVERSION)],
        letters=told(("D1", "2026-09-01"), ("C1", "2026-10-01")),
    )
    assert located(data) == []
    data["decisions"] = [decision("D1", "2026-09-01")]
    assert located(data) == [("MC207", "challenges[0].measures[0].measure")]


def test_an_open_challenge_is_judged_at_the_stage_when_it_was_received() -> None:
    data = case(
        decisions=[decision("D1", "2026-06-01"), decision("D2", "2026-09-01", stage=2)],
        challenges=[challenge(against="D2", received="2026-09-10", measures=DIVERSION)],
        letters=told(("D1", "2026-06-01"), ("D2", "2026-09-01")),
    )
    # Measures on an undecided challenge are a mistake (MC103), judged at stage 2.
    assert located(data) == [("MC103", "challenges[0].measures")]
    data["challenges"][0]["received"] = "2026-08-31"
    data["challenges"][0]["against"] = "D1"
    assert located(data) == [
        ("MC103", "challenges[0].measures"),
        ("MC207", "challenges[0].measures[0].measure"),
    ]


# --- The register as a whole ----------------------------------------------------------------

DELETIONS = """\
deletions:
  - id: MC-2024-0007
    deleted: 2026-10-05
    reason: retention
    approved_by: hugo-barrett
    statistics:
      opened_year: 2024
      highest_stage: 1
      services: [parking]
      conduct: [high-volume]
      outcome: closed
"""


def test_the_register_check_judges_deletions_with_the_index_and_dates_strictly() -> None:
    doc, problems = load_bytes(DELETIONS.encode(), "cases/deletions.yaml")
    assert not problems
    assert doc is not None
    log, invalid = validate(DeletionLog, doc)
    assert log is not None, invalid
    overdue = loaded_case(stage_1("2026-05-27", letters=told(("D1", "2026-05-27"))))
    register = Register(REPO, repo_policy(), cases=[overdue], deletions=log, deletions_doc=doc)
    index = Index(repo_policy())
    found = [(f.rule, f.severity) for f in check_register(register, index, TODAY, True)]
    assert found == [("MC390", Severity.ERROR), ("MC350", Severity.ERROR)]
    found = [(f.rule, f.severity) for f in check_register(register, index, TODAY)]
    assert found == [("MC390", Severity.ERROR), ("MC350", Severity.WARNING)]
    assert [f.rule for f in check_register(register, None, TODAY)] == []


# --- Vocabulary -----------------------------------------------------------------------------


def vocabulary_case() -> dict[str, Any]:
    """The full case with an opinion on an incident and a review."""
    data = full_case()
    data["incidents"][0]["opinions"] = [{"by": "hugo-barrett", "text": "Loud, not abusive."}]
    data["reviews"] = [review("R1", "2026-11-01", "continue", extend_to="2027-05-01")]
    data["letters"].append(letter("L4", "2026-11-01", "R1"))
    return data


def test_the_vocabulary_case_is_clean() -> None:
    assert located(vocabulary_case()) == []


#: Each field the vocabulary family reads: its path to set, the rule, and the finding's path.
UNKNOWN_WORDS = [
    ("scope.services.0", "MC203", "scope.services[0]"),
    ("incidents.0.channel", "MC204", "incidents[0].channel"),
    ("incidents.0.service", "MC203", "incidents[0].service"),
    ("incidents.1.categories.0", "MC201", "incidents[1].categories[0]"),
    ("incidents.0.opinions.0.by", "MC205", "incidents[0].opinions[0].by"),
    ("adjustments.0.channel", "MC204", "adjustments[0].channel"),
    ("resolution_attempts.0.service", "MC203", "resolution_attempts[0].service"),
    ("decisions.0.decided_by", "MC205", "decisions[0].decided_by"),
    ("decisions.1.conduct.0", "MC201", "decisions[1].conduct[0]"),
    ("decisions.1.business_case.author", "MC205", "decisions[1].business_case.author"),
    ("decisions.1.recommendation.by", "MC205", "decisions[1].recommendation.by"),
    ("reviews.0.reviewed_by.1", "MC205", "reviews[0].reviewed_by[1]"),
    ("letters.1.sent_by", "MC205", "letters[1].sent_by"),
    ("letters.1.states.2", "MC208", "letters[1].states[2]"),
    ("challenges.0.decided_by", "MC205", "challenges[0].decided_by"),
    ("councillors.0.councillor", "MC205", "councillors[0].councillor"),
    ("corrections.0.made_by", "MC205", "corrections[0].made_by"),
    ("corrections.0.approved_by", "MC205", "corrections[0].approved_by"),
]


@pytest.mark.parametrize(("path", "rule", "where"), UNKNOWN_WORDS)
def test_each_unknown_word_is_found_where_it_is(path: str, rule: str, where: str) -> None:
    found = located(at(vocabulary_case(), path, "not-in-the-policy"))
    assert [p for r, p in found if r == rule] == [where]


#: What each vocabulary finding calls the unknown word, and where the words it may be are listed.
WORDS = {
    "MC201": ("conduct category", "policy/vocabulary.yaml"),
    "MC203": ("service", "policy/vocabulary.yaml"),
    "MC204": ("channel", "policy/vocabulary.yaml"),
    "MC205": ("person", "policy/people.yaml"),
    "MC208": ("letter content", "policy/settings.yaml"),
}


@pytest.mark.parametrize(("path", "rule", "where"), UNKNOWN_WORDS)
def test_each_unknown_word_says_what_it_is_and_where_to_look(
    path: str, rule: str, where: str
) -> None:
    """The finding tells the person which list the word must come from."""
    found = findings_of(at(vocabulary_case(), path, "not-in-the-policy"))
    what, listed = WORDS[rule]
    (message,) = [f.message for f in found if f.rule == rule and f.path == where]
    assert message.startswith(f"unknown {what} 'not-in-the-policy': ")
    assert listed in message


def measured(measures: list[dict[str, Any]]) -> list[tuple[str, str]]:
    data = vocabulary_case()
    data["reviews"][0]["measures"] = measures
    return [(r, p) for r, p in located(data) if r.startswith("MC20")]


def test_each_measure_value_is_found_where_it_is() -> None:
    assert measured([{"measure": "gagging"}]) == [("MC202", "reviews[0].measures[0].measure")]
    assert measured([{"measure": "spoc", "spoc": "nobody-here"}]) == [
        ("MC205", "reviews[0].measures[0].spoc")
    ]
    assert measured([{"measure": "one-channel", "channel": "fax"}]) == [
        ("MC204", "reviews[0].measures[0].channel")
    ]
    assert measured([{"measure": "call-limits", "calls": 2}]) == [
        ("MC206", "reviews[0].measures[0]")
    ]
    assert measured([{"measure": "call-limits", "calls": 2, "period": "week", "minutes": 5}]) == [
        ("MC206", "reviews[0].measures[0].minutes")
    ]
    times = [{"measure": "call-limits", "calls": 2, "period": "week", "times": "Tuesdays"}]
    assert measured(times) == []


def test_two_values_a_measure_does_not_take_are_each_found() -> None:
    extra = [{"measure": "no-repeat-complaints", "minutes": 5, "calls": 1}]
    assert measured(extra) == [
        ("MC206", "reviews[0].measures[0].calls"),
        ("MC206", "reviews[0].measures[0].minutes"),
    ]


def test_a_stage_1_measure_is_allowed_at_stage_2() -> None:
    assert measured([{"measure": "no-repeat-complaints"}]) == []


def test_measures_on_a_review_before_any_decision_are_judged_at_stage_1() -> None:
    data = case(
        decisions=[decision("D1", "2026-06-01")],
        reviews=[
            review("R1", "2026-05-31", "continue", extend_to="2026-12-01", measures=DIVERSION)
        ],
        letters=told(("D1", "2026-06-01"), ("R1", "2026-06-01")),
    )
    assert [p for r, p in located(data) if r == "MC207"] == ["reviews[0].measures[0].measure"]


def test_a_case_back_at_stage_1_is_judged_at_stage_1() -> None:
    """After stage 2, closure and a new stage 1 decision, a stage 2 measure is out of place."""
    data = case(
        decisions=[extreme("2025-06-01"), decision("D2", "2026-06-01")],
        reviews=[
            review("R1", "2025-10-01", "close"),
            review("R2", "2026-11-01", "continue", extend_to="2027-05-01", measures=DIVERSION),
        ],
        letters=told(
            ("D1", "2025-06-01"), ("R1", "2025-10-01"), ("D2", "2026-06-01"), ("R2", "2026-11-01")
        ),
    )
    recommenced(data, "2026-05-20")
    assert located(data) == [("MC207", "reviews[1].measures[0].measure")]


def test_a_letter_content_required_at_stage_2_is_asked_of_stage_2_letters_only() -> None:
    """Settings: a council may require a content of stage 2 letters only."""
    settings = repo_policy().settings.model_dump(by_alias=True)
    contents = [
        *settings["letter_contents"],
        {"id": "business-case", "label": "Why stage 2 is needed", "required": "stage-2"},
    ]
    policy = with_settings(letter_contents=contents)
    data = stage_2_from_stage_1()
    assert located(data, policy=policy) == [("MC321", "letters[1].states")]
    data["letters"][1]["states"].append("business-case")
    assert located(data, policy=policy) == []


def test_the_modeline_finding_names_the_file_and_is_a_warning() -> None:
    body = yaml.safe_dump(stage_1(), sort_keys=False)
    doc, problems = load_bytes(body.encode(), "cases/MC-2026-0001.yaml")
    assert not problems
    assert doc is not None
    found, _ = validate(Case, doc)
    assert found is not None
    loaded = CaseFile(REPO / "cases/MC-2026-0001.yaml", "cases/MC-2026-0001.yaml", doc, found)
    (finding,) = check_case(loaded, Index(repo_policy()), TODAY)
    assert (finding.file, finding.rule, finding.severity) == (
        "cases/MC-2026-0001.yaml",
        "MC109",
        Severity.WARNING,
    )


def test_a_challenge_against_no_entry_points_at_against() -> None:
    data = stage_1(challenges=[challenge(against="D9")])
    assert located(data) == [("MC108", "challenges[0].against")]


def test_a_case_check_is_a_normal_check_unless_asked_to_be_strict() -> None:
    overdue = loaded_case(stage_1("2026-05-27", letters=told(("D1", "2026-05-27"))))
    (finding,) = check_case(overdue, Index(repo_policy()), TODAY)
    assert (finding.rule, finding.severity) == ("MC350", Severity.WARNING)


def test_a_refused_move_says_which_move_from_which_state() -> None:
    undecided = case(
        reviews=[review("R1", "2026-05-31", "close")], letters=told(("R1", "2026-06-01"))
    )
    again = case(
        decisions=[decision("D1", "2026-06-01"), decision("D2", "2026-09-01")],
        letters=told(("D1", "2026-06-01"), ("D2", "2026-09-01")),
    )
    messages = [f.message for f in findings_of(undecided) + findings_of(again) if f.rule == "MC342"]
    assert [m.split(":")[0] for m in messages] == [
        "R1 (review-close) cannot move a new case to dormant",
        "D2 (decision) cannot move stage-1 to stage-1",
    ]


def test_a_one_channel_measure_without_its_channel_takes_nothing_away() -> None:
    data = stage_1(adjustments=made("telephone"))
    data["decisions"][0]["measures"] = [{"measure": "one-channel"}]
    assert located(data) == [("MC206", "decisions[0].measures[0]")]


def test_an_unknown_measure_does_not_stop_the_next_being_judged() -> None:
    data = stage_1()
    data["decisions"][0]["measures"] = [{"measure": "gagging"}, {"measure": "time-limits"}]
    assert located(data) == [
        ("MC202", "decisions[0].measures[0].measure"),
        ("MC206", "decisions[0].measures[1]"),
    ]


def test_a_challenge_received_before_any_decision_is_judged_at_stage_1() -> None:
    data = stage_1(challenges=[challenge(received="2026-08-31", measures=DIVERSION)])
    assert located(data) == [
        ("MC103", "challenges[0].measures"),
        ("MC207", "challenges[0].measures[0].measure"),
        ("MC340", "challenges[0].received"),
    ]
