"""Policy as data: the council's choices, read from `policy/*.yaml`.

Periods, vocabularies, measures, roles, people, transitions and settings are data, validated by
these models like cases are. The code holds mechanisms; the council changes these files, in a
reviewed merge request, when the policy changes.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from .model import Strict
from .types import IsoDate, PersonId, ShortText, Slug, Text, VisibleText

StateName = Literal["new", "stage-1", "stage-2", "dormant", "gone"]
EventName = Literal[
    "decision", "review-continue", "review-escalate", "review-close", "challenge-upheld", "deletion"
]
MeasureParam = Literal[
    "spoc",
    "channel",
    "minutes",
    "calls",
    "period",
    "frequency",
    "times",
    "premises",
    "advocate",
    "description",
]


class Periods(Strict):
    """policy/periods.yaml: every period the policy sets, in calendar months or days."""

    monitoring_months: int = Field(ge=1, le=24, description="Default stage 1 monitoring (§6.1).")
    review_months: int = Field(
        ge=1,
        le=24,
        description="A review is due no later than this after a decision or review (§7).",
    )
    dormant_retention_months: int = Field(
        ge=1, le=120, description="Dormant cases are deleted this long after going dormant (§7)."
    )
    due_soon_days: int = Field(
        ge=1, le=365, description="How far ahead `mcr due` and the dashboard look by default."
    )


class ConductCategory(Strict):
    """A kind of conduct the policy names (§4, §6.2)."""

    id: Slug = Field(description="Id used in cases.")
    label: ShortText = Field(description="As the policy words it.")
    kind: Literal["unacceptable", "persistent", "violence"] = Field(
        description="Unacceptable conduct, unreasonably persistent conduct, or violence (§4, §6.2)."
    )
    police_report: bool = Field(
        default=False, description="Always reported to the police (§6.2 zero tolerance)."
    )


class Channel(Strict):
    """A way the customer can contact the council."""

    id: Slug = Field(description="Id used in cases.")
    label: ShortText = Field(description="Name for people.")


class Service(Strict):
    """A council service."""

    id: Slug = Field(description="Id used in cases.")
    label: ShortText = Field(description="Name for people.")
    statutory: bool = Field(
        default=False,
        description="A statutory service (e.g. homelessness, social care): measures touching it "
        "must say how the customer keeps access (§6).",
    )


Phrase = Annotated[str, StringConstraints(pattern=r"^\S(.*\S)?$", max_length=60)]
"""A word or phrase matched in free text: whole words, any case, any run of spaces."""


class Household(Strict):
    """The words that show a case may reach beyond its one person (§6; MC381).

    A restriction applies to the customer only, never to their family or household. These
    words are looked for, as whole words and in any case, in the customer's name and aliases
    and in every measure's free text. A word check is a prompt to read the text again, not a
    guarantee: a sentence can extend a restriction without any of these words.
    """

    joint_name_markers: list[Phrase] = Field(
        min_length=1,
        description="What shows that a name names more than one person (looked for in the "
        "customer's name and aliases).",
    )
    relations: list[Phrase] = Field(
        min_length=1,
        description="Relation words and phrases: family, household and anyone else at the "
        "address (looked for in the name, the aliases and every measure's free text).",
    )
    not_in_names: list[Phrase] = Field(
        default=[],
        description="Relation words that are also names or titles ('Child', 'Son', 'Father "
        "Brown'): looked for in measures' free text, not in names.",
    )
    not_relations: list[Phrase] = Field(
        default=[],
        description="Phrases that hold a relation word but name a service or a thing, not a "
        "person ('household waste', 'Children's Services'): set aside before the check.",
    )


class Vocabulary(Strict):
    """policy/vocabulary.yaml: conduct categories, channels, services and the household
    words."""

    conduct: list[ConductCategory] = Field(min_length=1, description="Conduct categories.")
    channels: list[Channel] = Field(min_length=1, description="Contact channels.")
    services: list[Service] = Field(min_length=1, description="Council services.")
    household: Household = Field(
        description="The words the one-person check looks for (§6; MC381)."
    )


class MeasureKind(Strict):
    """One special measure in the catalogue (§6.1, §6.2)."""

    id: Slug = Field(description="Id used in cases.")
    label: ShortText = Field(description="As the policy words it.")
    stage: Literal[1, 2] | None = Field(
        description="The lowest stage it may be used at; empty for `other` (any stage)."
    )
    required: list[MeasureParam] = Field(default=[], description="Values a case must give.")
    optional: list[MeasureParam] = Field(default=[], description="Values a case may give.")
    only_channel: bool = Field(
        default=False,
        description="The measure's `channel` is the only channel the customer may use.",
    )
    blocks_channels: list[Slug] = Field(
        default=[], description="Channels the measure stops the customer using."
    )
    situations: list[Literal["phone", "email", "visit"]] = Field(
        default=[],
        description="The contacts the front-line page lists the measure under. Empty: every "
        "contact, or those the channels in `only_channel` / `blocks_channels` imply.",
    )
    front_line: Text = Field(
        description="What a member of staff does, in plain English, for the site's case page."
    )


class Measures(Strict):
    """policy/measures.yaml: the measures catalogue."""

    measures: list[MeasureKind] = Field(min_length=1, description="The catalogue.")


class Role(Strict):
    """A role a person can hold."""

    id: Slug = Field(description="Id used in people and approvals.")
    label: ShortText = Field(description="Name for people.")
    per_service: bool = Field(
        default=False, description="Held for one service (e.g. a service Director)."
    )


class Approval(Strict):
    """Who may approve an action: one distinct person for each entry in `needs`."""

    needs: list[list[Slug]] = Field(
        min_length=1,
        description="Each entry is a set of roles; a different person holding one of them is "
        "needed for each entry.",
    )
    same_service: bool = Field(
        default=False,
        description="Per-service roles must be held for a service the case covers. For a stage "
        "1 decision and a review this is the council's choice in policy/settings.yaml "
        "(`choices`), not set here.",
    )
    stand_in: dict[Slug, list[Slug]] = Field(
        default={},
        description="Roles that may stand in for a role in `needs`, where the council's choices "
        "allow it (at review: `review_director_may_stand_in`).",
    )


class Roles(Strict):
    """policy/roles.yaml: roles and who may approve what."""

    roles: list[Role] = Field(min_length=1, description="The roles.")
    approvals: dict[Slug, Approval] = Field(
        description="Approval rules by action: decision-stage-1, decision-stage-2, "
        "business-case, recommendation, review, letter-service, letter-council-wide, "
        "challenge, correction, deletion, policy-change."
    )


class RoleHeld(Strict):
    """A role a person held, and when."""

    role: Slug = Field(description="Role id (policy/roles.yaml).")
    service: Slug | None = Field(default=None, description="For per-service roles.")
    start: IsoDate = Field(description="First day held.")
    end: IsoDate | None = Field(default=None, description="Last day held; empty if current.")

    def held_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class SigningKey(Strict):
    """A public key whose signatures count as this person's approval."""

    type: Literal["ssh", "gpg"] = Field(description="SSH or OpenPGP.")
    key: ShortText = Field(
        description="SSH: the public key line ('ssh-ed25519 AAAA...'); GPG: the fingerprint."
    )
    start: IsoDate = Field(description="First day the key is valid.")
    end: IsoDate | None = Field(default=None, description="Last day valid; empty if current.")


class Person(Strict):
    """Someone who approves, signs or is named in the register: staff and councillors."""

    id: PersonId = Field(description="Id used in cases.")
    name: ShortText = Field(description="Full name.")
    email: ShortText | None = Field(default=None, description="Work email address.")
    roles: list[RoleHeld] = Field(min_length=1, description="Roles held, with dates.")
    forge_username: ShortText | None = Field(
        default=None, description="Username on the forge (GitLab), for merge-request approvals."
    )
    keys: list[SigningKey] = Field(default=[], description="Signing keys, with validity windows.")

    def roles_on(self, day: date) -> list[RoleHeld]:
        return [held for held in self.roles if held.held_on(day)]


class People(Strict):
    """policy/people.yaml: the people registry."""

    people: list[Person] = Field(min_length=1, description="Staff and councillors.")


class Transition(Strict):
    """One allowed move in the lifecycle."""

    from_: StateName = Field(alias="from", description="State before.")
    to: StateName = Field(description="State after.")
    by: EventName = Field(description="The event that makes the move.")


class Transitions(Strict):
    """policy/transitions.yaml: the lifecycle's allowed transitions."""

    transitions: list[Transition] = Field(min_length=1, description="Allowed moves.")


class LetterContent(Strict):
    """Something a letter must state."""

    id: Slug = Field(description="Id used in a letter's `states`.")
    label: ShortText = Field(description="What it means.")
    required: Literal["always", "challenge-on", "challenge-off", "stage-2"] = Field(
        description="When it is required: always, only while the right to challenge is on or "
        "off, or only in stage 2 letters."
    )


class LetterWording(Strict):
    """The council's own words for what every letter states in the same way (§6, §7). The
    templates in policy/letters/ put each where its placeholder is; the council changes the
    words here, and the layout in Word."""

    statutory_rights: Text = Field(
        description="That the customer's statutory rights to council services are unaffected."
    )
    other_formats: Text = Field(description="That the letter is available in other formats.")
    how_to_challenge: Text = Field(
        description="How to ask for the decision or review outcome to be reviewed (while the "
        "right to challenge is on)."
    )
    how_to_challenge_again: Text = Field(
        description="The same, in the letter telling the customer the outcome of a challenge."
    )
    no_right_of_appeal: Text = Field(
        description="That there is no right of appeal (while the right to challenge is off)."
    )


class Choices(Strict):
    """The choices the policy leaves to the council, each with the reading it defaults to.

    policy/settings.yaml gives each its value and the reasoning; the site's Rules page lists
    them under "The council's choices"."""

    governance_may_overrule_rejection: bool = Field(
        default=True,
        description="May the Director of Governance decide a stage 2 case against a Customer "
        "Relations recommendation to reject, with the reason recorded (§6.2)?",
    )
    stage_1_approver_of_affected_service: bool = Field(
        default=False,
        description="Must the stage 1 approver be a Senior Manager (or above) of an affected "
        "service, rather than any Senior Manager (§6, §6.1)?",
    )
    monitoring_may_be_shorter: bool = Field(
        default=False,
        description="May a stage 1 monitoring period be shorter than the default (§6.1)?",
    )
    review_director_may_stand_in: bool = Field(
        default=True,
        description="At review, may a Director stand in for the Senior Manager (§7)?",
    )
    review_senior_manager_of_affected_service: bool = Field(
        default=False,
        description="At review, must the Senior Manager be of an affected service (§7)?",
    )
    stage_2_review_may_continue_at_stage_1: bool = Field(
        default=False,
        description="May a review of a stage 2 case continue it at stage 1 (§7)?",
    )
    letter_signer_is_involved: bool = Field(
        default=True,
        description="Does signing a decision's letter count as being involved in the decision, "
        "so that the signer may not decide a challenge to it?",
    )
    no_right_of_appeal_while_challenge_on: bool = Field(
        default=False,
        description="May a letter state that there is no right of appeal while the right to "
        "challenge is on (§7)?",
    )


PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE: personal data, for council staff only"
"""The marking the site shows when policy/settings.yaml names none."""


class Settings(Strict):
    """policy/settings.yaml: the council's settings."""

    right_to_challenge: bool = Field(
        description="Customers may ask for a decision to be reviewed by an uninvolved senior "
        "officer (on by default; the LGSCO found fault where there was none)."
    )
    right_to_challenge_since: IsoDate = Field(
        description="When the current right-to-challenge setting took effect. Letters sent "
        "before it are not judged on how-to-challenge / no-right-of-appeal."
    )
    letter_contents: list[LetterContent] = Field(
        min_length=1, description="What letters must state."
    )
    lgsco: ShortText = Field(
        description="How to reach the Local Government and Social Care Ombudsman."
    )
    letter_wording: LetterWording = Field(
        description="The council's words for the statements every letter makes the same way."
    )
    council_name: ShortText = Field(description="The council's name, for the site and letters.")
    choices: Choices = Field(
        default=Choices(),
        description="The choices the policy leaves to the council (the Rules page lists them).",
    )
    demo: bool = Field(
        default=False,
        description="True only in a register of fictional demo data: its keystore may then be "
        "committed (in demo-keystore/) and the site says on every page that the data is "
        "fictional. Never true in a register holding real cases.",
    )
    small_count_threshold: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Committee figures (mcr report, the dashboard, the statistics page) show a "
        "count from 1 to one less than this as 'fewer than N', so that no one can be picked out "
        "of a small number; 0 is shown as 0.",
    )
    protective_marking: VisibleText = Field(
        default=PROTECTIVE_MARKING,
        description="The protective marking the internal site shows at the top of every page: "
        "how the council classifies the personal data the site holds. Shown as written.",
    )


class Policy(Strict):
    """All policy data, loaded together."""

    periods: Periods
    vocabulary: Vocabulary
    measures: Measures
    roles: Roles
    people: People
    transitions: Transitions
    settings: Settings


#: Policy files, their models, and the schema each is published as.
POLICY_FILES: dict[str, type[Strict]] = {
    "periods": Periods,
    "vocabulary": Vocabulary,
    "measures": Measures,
    "roles": Roles,
    "people": People,
    "transitions": Transitions,
    "settings": Settings,
}
