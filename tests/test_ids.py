"""Entry ids the tool owns (MC110): each list's letter and a number from 1, gaps allowed."""

from __future__ import annotations

import copy

from scenario import findings, verdict

from managed_contact.register.model import ENTRY_PREFIX, HISTORY_SECTIONS
from managed_contact.register.rules.identity import entry_number, next_entry_id

import casebuilder


def test_the_base_case_numbers_each_list_with_its_letter() -> None:
    assert verdict(casebuilder.case()) == []


def test_a_resolution_attempt_numbered_as_a_review_is_refused_with_the_id_to_use() -> None:
    data = casebuilder.case()
    data["resolution_attempts"].append(
        dict(copy.deepcopy(data["resolution_attempts"][0]), id="R1", date="2023-06-03")
    )
    found = [f for f in findings(data) if f.rule == "MC110"]
    assert len(found) == 1
    assert found[0].path == "resolution_attempts[1].id"
    assert "resolution attempts are numbered S1, S2, …; use the next one, S2" in found[0].message
    assert "correction" in found[0].message


def test_gaps_are_allowed_and_the_next_id_follows_the_highest() -> None:
    data = casebuilder.case()
    data["resolution_attempts"][0]["id"] = "S3"
    assert verdict(data) == []
    assert next_entry_id("resolution_attempts", {"S1", "S3", "I1"}) == "S4"


def test_zero_and_leading_zero_are_refused() -> None:
    for bad in ("I0", "I01"):
        data = casebuilder.case()
        data["incidents"][0]["id"] = bad
        assert verdict(data) == ["MC110"], bad
        message = next(f.message for f in findings(data) if f.rule == "MC110")
        assert "use the next one, I1" in message


def test_two_wrong_ids_in_one_list_are_given_different_ids() -> None:
    data = casebuilder.case()
    first = data["adjustments"][0]
    data["adjustments"] = [dict(first, id="X1"), dict(first, id="X2", date="2023-06-03")]
    messages = [f.message for f in findings(data) if f.rule == "MC110"]
    assert len(messages) == 2
    assert "use the next one, A1," in messages[0]
    assert "use the next one, A2," in messages[1]


def test_a_duplicate_is_mc107_not_mc110() -> None:
    data = casebuilder.case()
    first = data["adjustments"][0]
    data["adjustments"] = [first, dict(first, date="2023-06-03")]
    assert "MC107" in verdict(data)
    assert "MC110" not in verdict(data)


def test_every_list_has_a_letter_and_numbers_parse() -> None:
    for section in HISTORY_SECTIONS:
        letter = ENTRY_PREFIX[section]
        assert entry_number(section, f"{letter}12") == 12
        assert entry_number(section, f"{letter}012") is None
        assert next_entry_id(section, set()) == f"{letter}1"
