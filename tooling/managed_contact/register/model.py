"""The case file: one YAML file per case in `cases/`, validated by these models.

These pydantic models are the single source of the case format; `schemas/case.schema.json` is
generated from them (`mcr schema --write`) and CI fails if the committed schema drifts.

A case stores *what happened*, dated: decisions, reviews, letters, challenges. Its state (stage 1,
stage 2, dormant) is derived from that history by `lifecycle`, never stored.

Fields holding personal data are marked with ``x-personal-data`` in the schema (see
`PERSONAL`): the customer's identity and contact details, every free-text narrative, and every
reference or detail that could identify the customer or link them to a matter. In a case file
each is sealed with the case's key (`personal`, `sealing`); findings never show their values.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .types import CaseId, EntryId, IsoDate, PersonId, ShortText, Slug, Text

PERSONAL_MARK = "x-personal-data"
PERSONAL: dict[str, Any] = {PERSONAL_MARK: True}
"""Schema marker for a field holding personal data."""


def personal(description: str, **kwargs: Any) -> Any:
    """A field that holds personal data."""
    return Field(description=description, json_schema_extra=PERSONAL, **kwargs)


class Strict(BaseModel):
    """Base for every register model: unknown keys are errors, values are never coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Customer(Strict):
    """The one person the arrangement applies to. Personal data."""

    name: ShortText = personal("The customer's full name, as staff would hear it.")
    aliases: list[ShortText] = personal(
        "Other names the customer uses, so staff and search can find them.", default=[]
    )
    address: ShortText | None = personal("Postal address, if known.", default=None)
    email: ShortText | None = personal("Email address, if known.", default=None)
    phone: ShortText | None = personal("Telephone number, if known.", default=None)
    reference: ShortText | None = personal(
        "The customer's reference in the council's CRM, if any.", default=None
    )


class Scope(Strict):
    """Which parts of the council the arrangement covers."""

    council_wide: bool = Field(
        description="True when the conduct is council-wide or across several services (§6); "
        "the Customer Relations Team then issues the letters."
    )
    services: list[Slug] = Field(
        min_length=1,
        description="Ids of the services affected (policy/vocabulary.yaml `services`).",
    )


class Opinion(Strict):
    """An opinion about an incident, kept apart from the facts and labelled with its author."""

    by: PersonId = Field(description="Person whose opinion this is.")
    text: Text = personal("The opinion, in that person's words.")


class Incident(Strict):
    """Something that happened: date, channel, service, staff affected. Facts, not opinion."""

    id: EntryId = Field(description="Entry id, unique in the case, e.g. I1.")
    date: IsoDate = Field(description="When it happened.")
    channel: Slug = Field(description="How: a channel id (policy/vocabulary.yaml `channels`).")
    service: Slug = Field(description="Which service was being contacted.")
    categories: list[Slug] = Field(
        min_length=1, description="Conduct categories shown (policy/vocabulary.yaml `conduct`)."
    )
    staff_affected: ShortText = personal(
        "Who was affected, by role or team (e.g. 'two call handlers, Housing')."
    )
    account: Text = personal("What happened, stated as fact.")
    opinions: list[Opinion] = Field(
        default=[], description="Opinions about the incident, each labelled with its author."
    )


class Adjustment(Strict):
    """A possible adjustment to the service, considered before managing contact (§6)."""

    id: EntryId = Field(description="Entry id, unique in the case, e.g. A1.")
    date: IsoDate = Field(description="When it was considered.")
    description: Text = personal("The adjustment considered and why.")
    outcome: Literal["made", "not-suitable", "declined"] = Field(
        description="made: in place; not-suitable: considered and ruled out; "
        "declined: offered and refused by the customer."
    )
    channel: Slug | None = Field(
        default=None,
        description="A channel the adjustment relies on (e.g. telephone for a customer who "
        "cannot write); measures that would take it away are flagged.",
    )


class ResolutionAttempt(Strict):
    """What the service did to resolve the customer's concerns first (§5, §6)."""

    id: EntryId = Field(description="Entry id, unique in the case, e.g. S1.")
    date: IsoDate = Field(description="When.")
    service: Slug = Field(description="The service that tried.")
    description: Text = personal("What was done, e.g. a final-position letter with a deadline.")


class Measure(Strict):
    """One special measure with the values it carries; which values each needs is policy data."""

    measure: Slug = Field(description="Measure id (policy/measures.yaml).")
    spoc: PersonId | None = Field(default=None, description="The single point of contact.")
    channel: Slug | None = Field(default=None, description="The one channel allowed.")
    minutes: int | None = Field(default=None, ge=1, le=240, description="Time limit per contact.")
    calls: int | None = Field(default=None, ge=0, le=100, description="Calls taken per period.")
    period: Literal["day", "week", "month"] | None = Field(
        default=None, description="The period `calls` counts over."
    )
    frequency: Literal["weekly", "fortnightly", "monthly"] | None = Field(
        default=None, description="How often responses are sent."
    )
    times: ShortText | None = personal(
        "When contact is accepted, e.g. 'Tuesdays 10:00-12:00'.", default=None
    )
    premises: ShortText | None = personal("The designated premises.", default=None)
    advocate: ShortText | None = personal("The advocate contact goes through.", default=None)
    description: Text | None = personal(
        "What the measure is, for `other`, or detail for staff.", default=None
    )


class BusinessCase(Strict):
    """The stage 2 business case (§6.2)."""

    author: PersonId = Field(description="The Director of an affected service who wrote it.")
    date: IsoDate = Field(description="When it was completed.")
    summary: Text = personal("Why stage 2 is justified.")


class Recommendation(Strict):
    """The Customer Relations Team's recommendation on a stage 2 business case (§6.2)."""

    by: PersonId = Field(description="The Customer Relations officer who recommended.")
    date: IsoDate = Field(description="When.")
    outcome: Literal["approve", "reject"] = Field(description="Recommend approval or rejection.")


class Decision(Strict):
    """A decision to place the customer under stage 1 or stage 2."""

    id: EntryId = Field(description="Entry id, unique in the case, e.g. D1.")
    date: IsoDate = Field(description="Date of the decision; periods run from it.")
    stage: Literal[1, 2] = Field(description="The stage decided.")
    decided_by: PersonId = Field(
        description="Who decided: a Senior Manager or above for stage 1 (§6), the Director of "
        "Governance for stage 2 (§6.2)."
    )
    conduct: list[Slug] = Field(min_length=1, description="Conduct categories relied on.")
    reason: Text = personal("Why the conduct is unacceptable, as told to the customer.")
    measures: list[Measure] = Field(min_length=1, description="The measures applied.")
    monitoring_months: int | None = Field(
        default=None,
        ge=1,
        le=24,
        description="Stage 1 monitoring period in months, when not the policy default.",
    )
    expires: IsoDate | None = Field(
        default=None, description="When the arrangement ends, when set explicitly."
    )
    extreme_reason: Text | None = personal(
        "Why the conduct is extreme enough to go to stage 2 without a stage 1 warning.",
        default=None,
    )
    business_case: BusinessCase | None = Field(default=None, description="Stage 2 only.")
    recommendation: Recommendation | None = Field(default=None, description="Stage 2 only.")
    against_recommendation_reason: Text | None = personal(
        "Stage 2, when the Director of Governance decides against the Customer Relations "
        "recommendation to reject: why (§6.2).",
        default=None,
    )
    crt_notified: IsoDate | None = Field(
        default=None, description="When the Customer Relations Team was notified (§6)."
    )
    statutory_access: Text | None = personal(
        "How the customer keeps access to the statutory services in scope.", default=None
    )


class Review(Strict):
    """A review of the arrangement (§7)."""

    id: EntryId = Field(description="Entry id, unique in the case, e.g. R1.")
    date: IsoDate = Field(description="Date of the review.")
    reviewed_by: list[PersonId] = Field(
        min_length=1,
        description="The reviewers: the Customer Relations Manager and a Senior Manager (§7).",
    )
    outcome: Literal["continue", "escalate", "close"] = Field(
        description="continue at this stage, escalate to stage 2, or close (dormant)."
    )
    considerations: Text = personal("Details of the consideration made (§7).")
    extend_to: IsoDate | None = Field(
        default=None, description="For continue: the new expiry or extension date."
    )
    stage: Literal[1, 2] | None = Field(
        default=None,
        description="For continue: the stage continued at, if not the current one.",
    )
    measures: list[Measure] | None = Field(
        default=None, description="For continue: measures from now on, if they change."
    )


Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""A SHA-256 digest in lower-case hexadecimal."""


class Letter(Strict):
    """A letter or email telling the customer about a decision, review or challenge (§6, §7)."""

    id: EntryId = Field(description="Entry id, unique in the case, e.g. L1.")
    date: IsoDate = Field(description="When it was sent.")
    about: EntryId = Field(description="The decision, review or challenge it tells of.")
    medium: Literal["letter", "email"] = Field(description="How it was sent.")
    sent_by: PersonId = Field(description="Who signed it.")
    states: list[Slug] = Field(
        min_length=1,
        description="What the letter states (policy/settings.yaml `letter_contents`).",
    )
    template: ShortText | None = Field(
        default=None,
        description="The template it was drafted from (a file name in policy/letters/), when "
        "drafted by `mcr letter`.",
    )
    text_sha256: Sha256 | None = Field(
        default=None,
        description="The SHA-256 of the letter's text (its Markdown), when drafted by "
        "`mcr letter`: which text was sent, without keeping it in the register.",
    )


class Challenge(Strict):
    """The customer's request for a decision to be reviewed by an uninvolved senior officer."""

    id: EntryId = Field(description="Entry id, unique in the case, e.g. C1.")
    received: IsoDate = Field(description="When the request was received.")
    against: EntryId = Field(
        description="The decision, or the review outcome that continued or escalated the "
        "arrangement, that the customer challenges."
    )
    grounds: Text = personal("The customer's grounds.")
    decided_by: PersonId | None = Field(default=None, description="The officer who decided.")
    decided: IsoDate | None = Field(default=None, description="When it was decided.")
    outcome: Literal["upheld", "varied", "not-upheld"] | None = Field(
        default=None,
        description="upheld: the decision is set aside and the case closes; varied: the "
        "measures are changed; not-upheld: the decision stands. Empty while open.",
    )
    measures: list[Measure] | None = Field(
        default=None, description="For varied: the measures from the decision date on."
    )


class PoliceReport(Strict):
    """A report to the police (§6.2: violence and serious threats are always reported)."""

    id: EntryId = Field(description="Entry id, unique in the case, e.g. P1.")
    date: IsoDate = Field(description="When it was reported.")
    reference: ShortText = personal(
        "The police reference (it links the case to criminal-offence data)."
    )
    incidents: list[EntryId] = Field(min_length=1, description="The incidents reported.")


class LegalHold(Strict):
    """Something that blocks deletion until it ends."""

    id: EntryId = Field(description="Entry id, unique in the case, e.g. H1.")
    reason: Literal[
        "ombudsman-complaint", "subject-access-request", "legal-claim", "police-matter"
    ] = Field(description="Why the record must be kept.")
    start: IsoDate = Field(description="When the hold began.")
    end: IsoDate | None = Field(default=None, description="When it ended; empty while open.")
    reference: ShortText = personal("The matter's reference.")


class CouncillorChoice(Strict):
    """A councillor's opt-in or opt-out of this arrangement (§1)."""

    councillor: PersonId = Field(description="The councillor (policy/people.yaml).")
    choice: Literal["opt-in", "opt-out"] = Field(description="In or out of the arrangement.")
    date: IsoDate = Field(description="When the choice was made.")
    withdrawn: IsoDate | None = Field(default=None, description="When it was withdrawn, if it was.")


class Activity(Strict):
    """Contact needing consideration under the policy, other than an incident (§7)."""

    id: EntryId = Field(description="Entry id, unique in the case, e.g. T1.")
    date: IsoDate = Field(description="When.")
    summary: Text = personal("What happened.")
    considered: IsoDate | None = Field(
        default=None,
        description="When Customer Relations considered whether to reintroduce measures (§7); "
        "empty until then.",
    )


class Correction(Strict):
    """A recorded correction of a past entry: the only way history may change."""

    id: EntryId = Field(description="Entry id, unique in the case, e.g. K1.")
    date: IsoDate = Field(description="When the correction was made.")
    entry: EntryId = Field(description="The entry corrected.")
    made_by: PersonId = Field(description="Who made it.")
    approved_by: PersonId = Field(description="Who approved it.")
    reason: Text = personal("Why: what was inaccurate.")


class Case(Strict):
    """One managed contact case."""

    id: CaseId = Field(description="The case id; the file is cases/<id>.yaml.")
    opened: IsoDate = Field(description="When Customer Relations opened the case.")
    customer: Customer = Field(description="The one person the arrangement applies to.")
    scope: Scope = Field(description="Which services the arrangement covers.")
    incidents: list[Incident] = Field(default=[], description="What happened, dated.")
    adjustments: list[Adjustment] = Field(
        default=[], description="Adjustments considered before managing contact (§6)."
    )
    resolution_attempts: list[ResolutionAttempt] = Field(
        default=[], description="What the service did first to resolve the concerns (§5)."
    )
    decisions: list[Decision] = Field(default=[], description="Stage decisions, dated.")
    reviews: list[Review] = Field(default=[], description="Reviews, dated.")
    letters: list[Letter] = Field(default=[], description="Letters and emails sent.")
    challenges: list[Challenge] = Field(default=[], description="Challenges to decisions.")
    police_reports: list[PoliceReport] = Field(default=[], description="Reports to the police.")
    legal_holds: list[LegalHold] = Field(default=[], description="Holds that block deletion.")
    councillors: list[CouncillorChoice] = Field(
        default=[], description="Councillors' opt-ins and opt-outs."
    )
    activity: list[Activity] = Field(
        default=[], description="Other contact needing consideration, e.g. while dormant."
    )
    corrections: list[Correction] = Field(default=[], description="Recorded corrections.")


#: The case's history: lists whose entries carry an entry id and are never edited in place.
HISTORY_SECTIONS = (
    "incidents",
    "adjustments",
    "resolution_attempts",
    "decisions",
    "reviews",
    "letters",
    "challenges",
    "police_reports",
    "legal_holds",
    "activity",
    "corrections",
)


#: The letter every entry id of a history list starts with; the number after it counts up from 1
#: (I1, I2, ...). The tool assigns them: the next id of a list is its letter and one more than
#: the highest number it holds.
ENTRY_PREFIX: dict[str, str] = {
    "incidents": "I",
    "adjustments": "A",
    "resolution_attempts": "S",
    "decisions": "D",
    "reviews": "R",
    "letters": "L",
    "challenges": "C",
    "police_reports": "P",
    "legal_holds": "H",
    "activity": "T",
    "corrections": "K",
}


Month = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
"""A calendar month, YYYY-MM: the coarse date the anonymous statistics keep."""


class StayStatistics(Strict):
    """One stay of a deleted case in a state: when it began and ended, by month, and its days."""

    state: Literal["stage-1", "stage-2", "dormant"] = Field(description="The state stayed in.")
    began: Month = Field(description="The month the case moved into the state (YYYY-MM).")
    ended: Month = Field(
        description="The month it moved out, or was deleted in the state (YYYY-MM)."
    )
    days: int = Field(ge=0, description="Days from moving in to moving out (or deletion).")


class ReviewStatistics(Strict):
    """One review that fell due while the case was open: the month due and whether held by then."""

    due: Month = Field(description="The month the review was due (YYYY-MM).")
    on_time: bool = Field(description="True when it was held on or before the day it was due.")


class ChallengeStatistics(Strict):
    """One challenge the customer made: the month received and its outcome."""

    received: Month = Field(description="The month the challenge was received (YYYY-MM).")
    outcome: Literal["upheld", "varied", "not-upheld", "undecided"] = Field(
        description="Its outcome; undecided: none was recorded before deletion."
    )


class CaseStatistics(Strict):
    """Anonymous figures kept after a case is deleted, for committee reporting."""

    opened_year: int = Field(ge=2000, le=2100, description="Year the case was opened.")
    highest_stage: Literal[0, 1, 2] = Field(
        description="The highest stage reached; 0 for a case erased before any decision."
    )
    services: list[Slug] = Field(description="Services affected.")
    conduct: list[Slug] = Field(description="Conduct categories recorded.")
    outcome: Literal["closed", "challenge-upheld", "erased"] = Field(
        description="How the case ended."
    )
    days_at_stage_1: int | None = Field(
        default=None, ge=0, description="Days the case spent at stage 1, in all."
    )
    days_at_stage_2: int | None = Field(
        default=None, ge=0, description="Days the case spent at stage 2, in all."
    )
    days_dormant: int | None = Field(
        default=None, ge=0, description="Days from going dormant (the last time) to deletion."
    )
    opened_month: Month | None = Field(
        default=None, description="The month the case was opened (YYYY-MM)."
    )
    stays: list[StayStatistics] | None = Field(
        default=None, description="Each stay at stage 1, at stage 2 and dormant, in order."
    )
    reviews: list[ReviewStatistics] | None = Field(
        default=None, description="Each review that fell due, with whether it was held on time."
    )
    challenges: list[ChallengeStatistics] | None = Field(
        default=None, description="Each challenge received, with its outcome."
    )


class Deletion(Strict):
    """The record that a case file was deleted. No personal data."""

    id: CaseId = Field(description="The deleted case's id (never reused).")
    deleted: IsoDate = Field(description="When the file was deleted.")
    reason: Literal["retention", "erasure"] = Field(
        description="retention: 12 months dormant (§7); erasure: a recorded erasure decision."
    )
    approved_by: PersonId = Field(description="Who approved the deletion.")
    statistics: CaseStatistics = Field(description="Anonymous figures that survive deletion.")


class DeletionLog(Strict):
    """cases/deletions.yaml: every case deleted from the register."""

    deletions: list[Deletion] = Field(default=[], description="Deleted cases, oldest first.")


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class inside a field's annotation, such as `list[Decision] | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) is not None:
        for arg in get_args(annotation):
            found = model_in(arg)
            if found is not None:
                return found
    return None
