"""Rules whose judgement needs more than one bad file to show: who may approve, and when."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from managed_contact.register.check import run_check
from managed_contact.register.index import Index
from managed_contact.register.policy import Policy
from managed_contact.register.rules import MODELINE

from casebuilder import LETTER_STATES, case, decision, letter, review
from sealkit import keys, sealed

TODAY = date(2026, 11, 28)


def rules_for(register: Path, data: dict[str, Any], today: date = TODAY) -> list[str]:
    path = register / "cases" / f"{data['id']}.yaml"
    text = MODELINE + "\n" + yaml.safe_dump(data, sort_keys=False)
    path.write_text(sealed(text, str(data["id"])), encoding="utf-8")
    result = run_check(register, today, keys=keys())
    return sorted(f.rule for f in result.findings)


def test_a_role_counts_only_while_it_was_held(policy: Policy) -> None:
    index = Index(policy)
    # Simon Aldous was a Senior Manager in Housing Options until 31 March 2025.
    assert index.approves("decision-stage-1", ["simon-aldous"], date(2025, 3, 31), [])
    assert not index.approves("decision-stage-1", ["simon-aldous"], date(2025, 4, 1), [])


def test_per_service_roles_count_only_for_the_case_services(policy: Policy) -> None:
    index = Index(policy)
    day = date(2026, 5, 1)
    assert index.approves("business-case", ["farid-qureshi"], day, ["council-tax"])
    assert not index.approves("business-case", ["farid-qureshi"], day, ["housing-options"])


def test_a_review_needs_two_different_people(policy: Policy) -> None:
    index = Index(policy)
    day = date(2026, 5, 1)
    assert index.approves("review", ["amara-okafor", "hugo-barrett"], day, [])
    assert not index.approves("review", ["amara-okafor"], day, [])
    assert not index.approves("review", ["amara-okafor", "amara-okafor"], day, [])
    assert not index.approves("review", ["hugo-barrett", "grace-lindqvist"], day, [])


def test_a_valid_case_has_no_findings(register: Path) -> None:
    data = case(
        decisions=[decision("D1", "2026-08-03")],
        letters=[letter("L1", "2026-08-04", "D1")],
    )
    assert rules_for(register, data) == []


def test_stage_2_separation_of_duties(register: Path) -> None:
    dec = decision("D1", "2026-08-03", stage=2, extreme_reason="Threats to staff.")
    dec["recommendation"]["by"] = "amara-okafor"
    assert (
        rules_for(register, case(decisions=[dec], letters=[letter("L1", "2026-08-04", "D1")])) == []
    )
    dec["business_case"]["author"] = "david-renshaw"  # the decider writes his own case
    found = rules_for(register, case(decisions=[dec], letters=[letter("L1", "2026-08-04", "D1")]))
    assert "MC314" in found
    assert "MC311" in found  # and he is not the service's Director either


def test_letters_follow_the_right_to_challenge_setting(register: Path) -> None:
    data = case(
        decisions=[decision("D1", "2026-08-03")], letters=[letter("L1", "2026-08-04", "D1")]
    )
    assert rules_for(register, data) == []
    settings = register / "policy" / "settings.yaml"
    settings.write_text(
        settings.read_text().replace("right_to_challenge: true", "right_to_challenge: false")
    )
    # With the right off, letters must say there is no right of appeal instead.
    assert rules_for(register, data) == ["MC321"]
    data["letters"][0]["states"] = [s for s in LETTER_STATES if s != "how-to-challenge"] + [
        "no-right-of-appeal"
    ]
    assert rules_for(register, data) == []


def test_council_wide_letters_come_from_customer_relations(register: Path) -> None:
    data = case(
        scope={"council_wide": True, "services": ["council-tax", "parking"]},
        decisions=[decision("D1", "2026-08-03")],
        letters=[letter("L1", "2026-08-04", "D1", sent_by="hugo-barrett")],
    )
    assert rules_for(register, data) == ["MC316"]
    data["letters"][0]["sent_by"] = "chloe-marsh"
    assert rules_for(register, data) == []


@pytest.mark.parametrize(
    ("name", "flagged"),
    [
        ("Jordan Fictitious", False),
        ("Mr and Mrs Fictitious", True),
        ("The Fictitious family", True),
        ("J. Fictitious & partner", True),
    ],
)
def test_restrictions_name_one_person(register: Path, name: str, flagged: bool) -> None:
    data = case(
        decisions=[decision("D1", "2026-08-03")], letters=[letter("L1", "2026-08-04", "D1")]
    )
    data["customer"]["name"] = name
    assert ("MC381" in rules_for(register, data)) is flagged


def test_adjustment_channel_conflicts_with_a_one_channel_measure(register: Path) -> None:
    data = case(
        decisions=[decision("D1", "2026-08-03")], letters=[letter("L1", "2026-08-04", "D1")]
    )
    data["adjustments"].append(
        {
            "id": "A2",
            "date": "2023-06-02",
            "description": "Telephone contact: cannot write.",
            "outcome": "made",
            "channel": "telephone",
        }
    )
    data["decisions"][0]["measures"] = [{"measure": "one-channel", "channel": "telephone"}]
    assert rules_for(register, data) == []
    data["decisions"][0]["measures"] = [{"measure": "one-channel", "channel": "letter"}]
    assert rules_for(register, data) == ["MC380"]


def test_a_dormant_case_past_deletion_waits_for_its_legal_hold(register: Path) -> None:
    data = case(
        decisions=[decision("D1", "2024-01-10")],
        reviews=[review("R1", "2024-06-10", "close", reviewed_by=["amara-okafor", "hugo-barrett"])],
        letters=[letter("L1", "2024-01-11", "D1"), letter("L2", "2024-06-11", "R1")],
    )
    assert rules_for(register, data) == ["MC352"]
    data["legal_holds"] = [
        {"id": "H1", "reason": "legal-claim", "start": "2025-05-01", "reference": "Claim 0001"}
    ]
    assert rules_for(register, data) == []


def test_anything_else_in_cases_is_reported_not_ignored(register: Path) -> None:
    (register / "cases" / "README.md").write_text("notes\n")
    (register / "cases" / "old").mkdir()
    (register / "cases" / "MC-2026-0001.yaml.bak").write_text("id: x\n")
    (register / "cases" / ".gitkeep").write_text("")
    found = run_check(register, TODAY).findings
    assert sorted((f.file, f.rule) for f in found) == [
        ("cases/MC-2026-0001.yaml.bak", "MC106"),
        ("cases/README.md", "MC106"),
        ("cases/old", "MC106"),
    ]


def test_letters_sent_before_the_setting_changed_are_not_judged_by_it(register: Path) -> None:
    data = case(
        decisions=[decision("D1", "2026-08-03")], letters=[letter("L1", "2026-08-04", "D1")]
    )
    settings = register / "policy" / "settings.yaml"
    text = settings.read_text().replace("right_to_challenge: true", "right_to_challenge: false")
    settings.write_text(
        text.replace("right_to_challenge_since: 2022-01-01", "right_to_challenge_since: 2026-09-01")
    )
    assert rules_for(register, data) == []


def test_reopening_a_dormant_case_at_stage_2_needs_the_extreme_reason(register: Path) -> None:
    data = case(
        decisions=[decision("D1", "2025-01-10"), decision("D2", "2026-08-03", stage=2)],
        reviews=[review("R1", "2025-06-10", "close")],
        incidents=[
            *case()["incidents"],
            {**case()["incidents"][0], "id": "I2", "date": "2026-07-30"},
        ],
        letters=[
            letter("L1", "2025-01-11", "D1"),
            letter("L2", "2025-06-11", "R1"),
            letter("L3", "2026-08-04", "D2", sent_by="farid-qureshi"),
        ],
        # Contact within the twelve months keeps the record, so the case may be reopened.
        activity=[{"id": "T1", "date": "2026-05-01", "summary": "Rang about a bill."}],
    )
    assert rules_for(register, data) == ["MC317"]
    data["decisions"][1]["extreme_reason"] = "Threatened a member of staff."
    assert rules_for(register, data) == []


def test_the_rules_page_marks_the_rules_that_need_the_keystore() -> None:
    from managed_contact.changes.check import ALL_RULES
    from managed_contact.site.reference import NEEDS_KEYS_MARK, rules_markdown

    rows = {
        line.split(" | ")[0].removeprefix("| "): line
        for line in rules_markdown().splitlines()
        if line.startswith("| MC")
    }
    marked = {rule_id for rule_id, row in rows.items() if NEEDS_KEYS_MARK in row}
    assert marked == {r.id for r in ALL_RULES.values() if r.needs_keys}
    assert {"MC012", "MC381"} <= marked
