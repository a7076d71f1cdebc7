"""The strict loader: what it refuses, what it leaves alone, and where it says things are."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from managed_contact.register.check import run_check
from managed_contact.register.findings import Finding
from managed_contact.register.loading import MAX_BYTES, Position, load_bytes, load_file
from managed_contact.register.model import Case
from managed_contact.register.validation import validate

import casebuilder


def load(text: str) -> tuple[object, list[tuple[int, int, str, str]]]:
    doc, findings = load_bytes(text.encode(), "t.yaml")
    return (doc.data if doc else None), [(f.line, f.column, f.rule, f.path) for f in findings]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: no", "no"),
        ("a: on", "on"),
        ("a: yes", "yes"),
        ("a: off", "off"),
        ("a: 0123", "0123"),
        ("a: 12:30", "12:30"),
        ("a: 2026-01-05", "2026-01-05"),
        ("a: 0x1F", "0x1F"),
        ("a: 1e3", "1e3"),
        ("a: .inf", ".inf"),
        ("a: '10'", "10"),
        ("a: 10", 10),
        ("a: -3", -3),
        ("a: 0", 0),
        ("a: true", True),
        ("a: false", False),
        ("a: null", None),
        ("a: ~", None),
        ("a:", None),
        ('a: "true"', "true"),
    ],
)
def test_no_yaml_1_1_retyping(text: str, expected: object) -> None:
    data, findings = load(text)
    assert findings == []
    assert data == {"a": expected}
    assert type(data["a"]) is type(expected)  # type: ignore[index]


def test_duplicate_keys_are_reported_at_the_second() -> None:
    _, findings = load("a: 1\nb:\n  c: 1\n  c: 2\n")
    assert findings == [(4, 3, "MC004", "b.c")]


def test_anchors_and_aliases_are_refused() -> None:
    _, findings = load("base: &b {x: 1}\nother: *b\n")
    assert [(line, rule) for line, _, rule, _ in findings] == [(1, "MC005"), (2, "MC005")]


@pytest.mark.parametrize("text", ["a: !foo 1", "a: !!str 1", "a: !!python/object:os.system x"])
def test_tags_are_refused(text: str) -> None:
    _, findings = load(text)
    assert [rule for _, _, rule, _ in findings] == ["MC006"]


def test_one_document_per_file() -> None:
    _, findings = load("a: 1\n---\nb: 2\n")
    assert [(line, rule) for line, _, rule, _ in findings] == [(2, "MC007")]


def test_syntax_errors_name_the_line() -> None:
    data, findings = load("a: 1\nb: [1, 2\nc: 3\n")
    assert data is None
    assert findings[0][2] == "MC003"
    assert findings[0][0] in (2, 3)


def test_not_utf8_names_the_line() -> None:
    doc, findings = load_bytes(b"a: 1\nb: caf\xe9\n", "t.yaml")
    assert doc is None
    assert [(f.line, f.rule) for f in findings] == [(2, "MC001")]


def test_size_bound(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * MAX_BYTES + b"\n")
    doc, findings = load_file(big)
    assert doc is None
    assert [f.rule for f in findings] == ["MC002"]


def test_byte_order_mark_is_accepted() -> None:
    doc, findings = load_bytes("\ufeffa: 1\n".encode(), "t.yaml")
    assert findings == []
    assert doc is not None
    assert doc.data == {"a": 1}


def test_every_value_keeps_its_position() -> None:
    doc, _ = load_bytes(b"top:\n  - id: D1\n    list: [x, y]\n", "t.yaml")
    assert doc is not None
    assert doc.positions[("top",)] == Position(1, 1)
    assert doc.positions[("top", 0)] == Position(2, 5)
    assert doc.positions[("top", 0, "list")] == Position(3, 5)
    assert doc.positions[("top", 0, "list", 1)] == Position(3, 15)
    # A missing key is located at its nearest existing parent.
    assert doc.locate(("top", 0, "absent")) == Position(2, 5)


def test_all_problems_are_collected_not_just_the_first() -> None:
    _, findings = load("a: 1\na: 2\nb: &x 3\nc: !t 4\n")
    assert [rule for _, _, rule, _ in findings] == ["MC004", "MC005", "MC006"]


def test_keys_are_text() -> None:
    data, _ = load("1: a\ntrue: b\n")
    assert data == {"1": "a", "true": "b"}


def test_findings_never_echo_personal_data() -> None:
    from managed_contact.register.model import Case
    from managed_contact.register.validation import validate

    raw = (
        b"id: MC-2026-0001\nopened: 2026-01-01\n"
        b"customer:\n  name: [Secret Person]\n  aliases: [[Other Secret]]\n"
        b"scope: {council_wide: false, services: [council-tax]}\n"
        b"decisions: [{id: D1, date: 2026-01-02, stage: three}]\n"
    )
    doc, _ = load_bytes(raw, "t.yaml")
    assert doc is not None
    _, findings = validate(Case, doc)
    text = "\n".join(f.message for f in findings)
    assert "Secret" not in text
    assert "(personal data, not shown)" in text
    # Values that are not personal data are still shown, to help fix them.
    assert "got 'three'" in text


# --- keys typed where a field belongs are shown only if they look like field names -------------

NAME = "Jordan Fictitious"


@pytest.mark.parametrize(
    "text",
    [
        f"id: MC-2026-0001\nscope: {{{NAME} of 14 Example Row: 1}}\n",
        "id: MC-2026-0001\ncustomer: {Jordan_Fictitious: x}\n",
        f"id: MC-2026-0001\n{NAME}: 1\n",
    ],
    ids=["under-scope", "under-customer", "top-level"],
)
def test_an_unknown_key_that_is_not_a_field_name_is_not_shown(text: str) -> None:
    doc, problems = load_bytes(text.encode(), "cases/MC-2026-0001.yaml")
    assert doc is not None
    assert not problems
    _, findings = validate(Case, doc)
    unknown = [f for f in findings if f.rule == "MC101"]
    assert unknown
    for finding in findings:
        assert "Jordan" not in finding.message + finding.path, finding


def test_a_mistyped_field_name_is_still_shown_with_its_correction() -> None:
    doc, _ = load_bytes(b"id: MC-2026-0001\nopend: 2026-01-01\n", "cases/MC-2026-0001.yaml")
    assert doc is not None
    _, findings = validate(Case, doc)
    assert any("'opend'; did you mean 'opened'?" in f.message for f in findings)


def test_a_duplicate_key_that_is_not_a_field_name_is_not_shown() -> None:
    text = f"id: MC-2026-0001\n{NAME}: 1\n{NAME}: 2\nopened: a\nopened: b\n"
    _, problems = load_bytes(text.encode(), "cases/MC-2026-0001.yaml")
    assert [f.rule for f in problems] == ["MC004", "MC004"]
    assert "Jordan" not in problems[0].message + problems[0].path
    assert "duplicate key (not shown)" in problems[0].message
    assert "duplicate key 'opened'" in problems[1].message


def test_a_colon_in_unquoted_text_says_to_quote_it_without_echoing_the_text() -> None:
    text = 'incidents:\n  - id: I1\n    account: He said: "I will come round"\n'
    _, findings = load_bytes(text.encode(), "t.yaml")
    assert [(f.line, f.rule) for f in findings] == [(3, "MC003")]
    message = findings[0].message
    assert 'put the whole text in double quotes, e.g. account: "…"' in message
    assert "come round" not in message
    assert "He said" not in message


def test_a_colon_after_a_key_that_is_not_a_field_name_does_not_show_the_key() -> None:
    _, findings = load_bytes(b"Jordan Fictitious: lives at: 14 Example Row\n", "t.yaml")
    assert findings[0].rule == "MC003"
    assert 'e.g. key: "…"' in findings[0].message
    assert "Jordan" not in findings[0].message


def _check_with_decider(register: Path, decider: str) -> list[Finding]:
    data = casebuilder.case(decisions=[casebuilder.decision("D1", "2023-06-10")])
    data["decisions"][0]["decided_by"] = decider
    text = "# yaml-language-server: $schema=../schemas/case.schema.json\n"
    (register / "cases" / "MC-2026-0001.yaml").write_text(
        text + yaml.safe_dump(data, sort_keys=False)
    )
    return run_check(register, today=date(2026, 11, 28)).findings


@pytest.mark.parametrize(
    ("decider", "rule"),
    [("Hugo Barrett", "MC103"), ("hugo barrett", "MC103"), ("hugo-barret", "MC205")],
)
def test_a_persons_name_where_their_id_belongs_is_offered_the_id(
    register: Path, decider: str, rule: str
) -> None:
    found = [f for f in _check_with_decider(register, decider) if f.rule == rule]
    assert [f.path for f in found] == ["decisions[0].decided_by"]
    message = found[0].message
    assert "people are named by their id in policy/people.yaml" in message
    assert "did you mean 'hugo-barrett'" in message
    assert "council-tax" not in message


@pytest.mark.parametrize(
    ("key", "value", "example"),
    [
        ("service", "Council Tax", "a service id from policy/vocabulary.yaml"),
        ("channel", "Phone", "a channel id from policy/vocabulary.yaml, e.g. 'telephone'"),
    ],
)
def test_an_id_of_the_wrong_form_gets_an_example_of_its_own_kind(
    key: str, value: str, example: str
) -> None:
    data = casebuilder.case()
    data["incidents"][0][key] = value
    doc, _ = load_bytes(yaml.safe_dump(data).encode(), "t.yaml")
    assert doc is not None
    _, findings = validate(Case, doc)
    assert [f.path for f in findings] == [f"incidents[0].{key}"]
    assert example in findings[0].message


def test_a_name_with_no_close_person_gets_an_example_id() -> None:
    data = casebuilder.case(decisions=[casebuilder.decision("D1", "2023-06-10")])
    data["decisions"][0]["decided_by"] = "The Director"
    doc, _ = load_bytes(yaml.safe_dump(data).encode(), "t.yaml")
    assert doc is not None
    _, findings = validate(Case, doc, {"amara-okafor": "Amara Okafor"})
    assert findings[0].message.endswith(
        "people are named by their id in policy/people.yaml, e.g. 'hugo-barrett'"
    )
