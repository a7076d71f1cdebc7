"""Restrictions name one person (§6; DOMAIN.md "Restrictions name one person"): MC381.

The words that show a name names more than one person, or that a measure reaches the
customer's family, household or others at the address, are policy data (`household` in
policy/vocabulary.yaml). They are found as whole words, in any case, in the customer's name and
aliases and in every measure's free text; a measure's advocate is not read (§6.2: the customer
may choose a relative to speak for them).
"""

from __future__ import annotations

from typing import Any

import pytest
from scenario import findings, repo_policy, verdict

from managed_contact.register.policy import Policy
from managed_contact.register.rules.catalogue import CATALOGUE

from casebuilder import case, decision, letter, review


def stage_1(measure: dict[str, Any] | None = None, **customer: Any) -> dict[str, Any]:
    """A stage 1 case that passes, with `measure` added to its decision and the customer's
    fields changed."""
    data = case(
        decisions=[decision("D1", "2026-08-03")],
        letters=[letter("L1", "2026-08-04", "D1")],
    )
    if measure is not None:
        data["decisions"][0]["measures"].append(measure)
    data["customer"].update(customer)
    return data


def other(description: str) -> dict[str, Any]:
    return {"measure": "other", "description": description}


def with_household(**changes: Any) -> Policy:
    """The policy with `household` in policy/vocabulary.yaml changed, as a council would."""
    base = repo_policy()
    vocabulary = base.vocabulary.model_dump()
    vocabulary["household"] = {**vocabulary["household"], **changes}
    return base.model_copy(update={"vocabulary": base.vocabulary.model_validate(vocabulary)})


BASELINE = verdict(stage_1())


def test_the_baseline_case_passes() -> None:
    assert BASELINE == []


# --- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Jordan and Casey Fictitious",
        "Mr and Mrs Fictitious",
        "MR & MRS FICTITIOUS",
        "J. & C. Fictitious",
        "J.&C. Fictitious",
        "Jordan/Casey Fictitious",
        "Jordan + Casey Fictitious",
        "The Fictitious Family",
        "The Fictitious household",
        "Messrs Fictitious",
        "The Occupier",
        "Jordan Fictitious et al",
        "Jordan Fictitious's wife",
        "Jordan Fictitious and partner",
        "Mrs Fictitious (mother of Jordan)",
    ],
)
def test_a_name_that_names_more_than_one_person_is_refused(name: str) -> None:
    found = findings(stage_1(name=name))
    assert [(f.rule, f.path) for f in found] == [("MC381", "customer.name")]


@pytest.mark.parametrize(
    "name",
    [
        "Jordan Fictitious",
        "Sam Johnson",  # "son"
        "Alex Parkinson",  # "son"
        "Jordan Anderson",  # "and"
        "Sandra Fictitious",  # "and"
        "Casey Brand",  # "and"
        "Julia Child",  # a relation word that is also a surname
        "Son Fictitious",  # and a given name
        "Father Brown",  # and a title
        "Sister Agnes Fictitious",
        "Rick Husband",
        "Jo Smith-Jones",  # one person, a double-barrelled name
        "Kim Wifeson",  # "wife" and "son" inside a word
    ],
)
def test_a_name_of_one_person_passes(name: str) -> None:
    assert verdict(stage_1(name=name)) == BASELINE


def test_every_alias_is_read() -> None:
    data = stage_1(aliases=["J. Fictitious", "Jordan and Casey"])
    found = findings(data)
    assert [(f.rule, f.path) for f in found] == [("MC381", "customer.aliases[1]")]


# --- measures' free text ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # The words the rule used to let through (issue 9, point 4)
        "Calls from the customer's husband are not taken either.",
        "Their wife may not visit the office.",
        "No contact from the son.",
        "Letters from the daughter are not answered.",
        "The customer's mother is also limited to email.",
        "The same applies to anyone living at the address.",
        # and the words it always found
        "Calls from the customer's family are not taken either.",
        "Applies to the whole household.",
        "Their partner may not call.",
        "Relatives are limited to email.",
        # in any case, across line breaks and runs of spaces, in plural and compound forms
        "ANYONE   LIVING\nAT the address",
        "The Children may not call.",
        "Their sons may not call.",
        "No calls from the ex-wife.",
        "The mother-in-law writes on their behalf; not answered.",
        "Calls from their civil partner are not taken.",
        "The customer's carer is limited to one call a week.",
        "The lodger may not visit.",
        "Other occupants are limited to webforms.",
        "Visitors to the address are not seen.",
        "The customer\u2019s grandchildren may not call."  # a typographic apostrophe,
        "Their step-son may not call.",
    ],
)
def test_a_measure_that_reaches_beyond_the_customer_is_refused(text: str) -> None:
    found = findings(stage_1(other(text)))
    assert [(f.rule, f.path) for f in found] == [("MC381", "decisions[0].measures[1].description")]


@pytest.mark.parametrize(
    "text",
    [
        "Calls about the customer's own account only.",
        "Any person calling is asked for their reference.",  # "son" in "person"
        "Not about Parkinson's disease.",  # "son" in "Parkinson"
        "Seasonal garden waste queries go to the SPOC.",  # "son" in "seasonal"
        "The reason is recorded.",  # "son" in "reason"
        "Appointments with the community midwife are unaffected.",  # "wife" in "midwife"
        "Requests for a replacement household waste bin go to the SPOC.",
        "Contact with Children's Services continues as usual.",
        "Contact with Children\u2019s Services continues as usual.",
        "Information is shared with partner agencies.",
        "Questions in relation to the council tax bill go to the SPOC.",
        "Contact depends on the outcome; dependent on the review.",
        "Granted a godmother's discount.",  # "mother" in "godmother"
        "Sandringham Road office, Mondays.",  # "and" is not a relation word
    ],
)
def test_a_measure_about_the_customer_only_passes(text: str) -> None:
    assert verdict(stage_1(other(text))) == BASELINE


def stage_2(measure: dict[str, Any]) -> dict[str, Any]:
    """A case straight at stage 2 with `measure` added to its decision."""
    data = stage_1()
    data["decisions"] = [decision("D1", "2026-08-03", stage=2, extreme_reason="Extreme.")]
    data["decisions"][0]["measures"].append(measure)
    return data


@pytest.mark.parametrize(
    ("measure", "field", "words"),
    [
        (
            {"measure": "spoc", "spoc": "liam-treadwell"},
            "times",
            "Tuesdays, when the family is out",
        ),
        ({"measure": "designated-premises"}, "premises", "The Civic Centre, for the household"),
    ],
)
def test_every_free_text_value_of_a_measure_is_read(
    measure: dict[str, Any], field: str, words: str
) -> None:
    clean = verdict(stage_2({**measure, field: "Tuesdays 10:00-12:00, the Civic Centre"}))
    assert "MC381" not in clean
    data = stage_2({**measure, field: words})
    assert verdict(data) == sorted([*clean, "MC381"])
    assert [f.path for f in findings(data) if f.rule == "MC381"] == [
        f"decisions[0].measures[1].{field}"
    ]


def test_a_relative_as_advocate_restricts_nobody_else() -> None:
    data = stage_1()
    data["decisions"] = [decision("D1", "2026-08-03", stage=2, extreme_reason="Extreme.")]
    data["decisions"][0]["measures"].append(
        {"measure": "advocate", "advocate": "Casey Fictitious, the customer's sister"}
    )
    assert "MC381" not in verdict(data)


def test_measures_set_at_a_review_are_read() -> None:
    data = stage_1()
    data["reviews"] = [
        review(
            "R1",
            "2026-10-01",
            "continue",
            extend_to="2027-04-01",
            measures=[other("Calls from the daughter are not taken.")],
        )
    ]
    data["letters"].append(letter("L2", "2026-10-02", "R1"))
    found = [f for f in findings(data) if f.rule == "MC381"]
    assert [f.path for f in found] == ["reviews[0].measures[0].description"]


# --- the words are policy data ------------------------------------------------------------


def test_a_word_added_in_policy_data_is_then_found() -> None:
    data = stage_1(other("Calls from the godmother are not taken."))
    assert verdict(data) == BASELINE
    relations = [*repo_policy().vocabulary.household.relations, "godmother"]
    assert verdict(data, policy=with_household(relations=relations)) == ["MC381"]


def test_a_word_removed_from_policy_data_is_no_longer_found() -> None:
    data = stage_1(other("Calls from the lodger are not taken."))
    assert verdict(data) == ["MC381"]
    relations = [w for w in repo_policy().vocabulary.household.relations if w != "lodger"]
    assert verdict(data, policy=with_household(relations=relations)) == BASELINE


def test_a_phrase_set_aside_in_policy_data_is_not_read() -> None:
    data = stage_1(other("Calls about the Family Support Service go to the SPOC."))
    assert verdict(data) == ["MC381"]
    aside = [*repo_policy().vocabulary.household.not_relations, "family support service"]
    assert verdict(data, policy=with_household(not_relations=aside)) == BASELINE


def test_a_relation_word_kept_out_of_names_in_policy_data_is_still_read_in_measures() -> None:
    assert verdict(stage_1(name="Julia Child")) == BASELINE
    assert verdict(stage_1(other("The child may not call."))) == ["MC381"]
    in_names = [w for w in repo_policy().vocabulary.household.not_in_names if w != "child"]
    assert verdict(stage_1(name="Julia Child"), policy=with_household(not_in_names=in_names)) == [
        "MC381"
    ]


def test_a_joint_name_marker_is_not_read_in_measures() -> None:
    assert verdict(stage_1(other("Letters and emails go to the SPOC."))) == BASELINE


# --- what the finding says ----------------------------------------------------------------


def test_the_finding_says_it_is_a_prompt_not_a_guarantee_and_quotes_nothing() -> None:
    text = "Calls from the customer's husband are not taken either."
    found = findings(stage_1(other(text), name="Jordan and Casey Fictitious"))
    assert [f.rule for f in found] == ["MC381", "MC381"]
    for finding in found:
        assert "not a guarantee" in finding.message
        assert "husband" not in finding.message
        assert "Casey" not in finding.message


def test_the_rules_page_summary_says_it_is_a_prompt_not_a_guarantee() -> None:
    rule = CATALOGUE["MC381"]
    assert "prompt for review, not a guarantee" in rule.summary
    assert rule.needs_keys
