"""The catalogue of snapshot rules: every id, its severity and its summary, in id order."""

from __future__ import annotations

from ..findings import Severity
from .rule import E, Rule, W

CATALOGUE: dict[str, Rule] = {
    r.id: r
    for r in [
        Rule("MC001", E, "File is not UTF-8."),
        Rule("MC002", E, "File is larger than the size bound."),
        Rule("MC003", E, "YAML syntax error."),
        Rule("MC004", E, "Duplicate key."),
        Rule("MC005", E, "YAML anchors and aliases are not allowed."),
        Rule("MC006", E, "YAML tags are not allowed."),
        Rule("MC007", E, "More than one YAML document in a file."),
        Rule("MC008", E, "Dates are ISO 8601 (YYYY-MM-DD) and real calendar dates."),
        Rule("MC101", E, "Unknown key (a typo must not pass silently)."),
        Rule("MC102", E, "Missing required key."),
        Rule("MC103", E, "Value of the wrong type or out of range."),
        Rule("MC104", E, "The case id equals the file's name."),
        Rule("MC105", E, "Case ids are unique, and never reused after deletion."),
        Rule("MC106", E, "Only case files (MC-YYYY-NNNN.yaml) and deletions.yaml live in cases/."),
        Rule("MC107", E, "Entry ids are unique within a case."),
        Rule("MC108", E, "References name an existing entry of the right kind."),
        Rule("MC109", W, "Case files start with the schema modeline, so editors validate."),
        Rule("MC201", E, "Conduct categories exist in policy/vocabulary.yaml."),
        Rule("MC202", E, "Measures exist in policy/measures.yaml."),
        Rule("MC203", E, "Services exist in policy/vocabulary.yaml."),
        Rule("MC204", E, "Channels exist in policy/vocabulary.yaml."),
        Rule("MC205", E, "People exist in policy/people.yaml."),
        Rule("MC206", E, "A measure carries exactly the values its catalogue entry names."),
        Rule("MC207", E, "A measure is used at a stage the catalogue allows."),
        Rule("MC208", E, "Letter contents exist in policy/settings.yaml."),
        Rule("MC301", E, "Adjustments were considered before the first decision (§6)."),
        Rule(
            "MC302",
            E,
            "The service tried to resolve the concerns before the first decision (§5, §6).",
        ),
        Rule("MC310", E, "A stage 1 decision is taken by a Senior Manager or above (§6)."),
        Rule(
            "MC311",
            E,
            "A stage 2 decision has a business case by a Director of an affected service (§6.2).",
        ),
        Rule(
            "MC312",
            E,
            "A stage 2 decision has a Customer Relations recommendation to approve (§6.2).",
        ),
        Rule("MC313", E, "A stage 2 decision is taken by the Director of Governance (§6.2)."),
        Rule(
            "MC314", E, "Stage 2: business-case author, recommender and decider are three people."
        ),
        Rule(
            "MC315", E, "Reviews are by the Customer Relations Manager and a Senior Manager (§7)."
        ),
        Rule(
            "MC316",
            E,
            "Letters come from the service's Director or Senior Manager, or from Customer "
            "Relations when council-wide (§6, §6.1).",
        ),
        Rule(
            "MC317", E, "Going straight to stage 2 records why the conduct is extreme (§6, §6.2)."
        ),
        Rule(
            "MC320",
            E,
            "Every decision, review and challenge outcome is followed by a letter (§6, §7).",
        ),
        Rule("MC321", E, "Letters state everything policy/settings.yaml requires."),
        Rule("MC325", E, "Customer Relations is notified of every arrangement (§6)."),
        Rule("MC330", E, "Violence and serious threats are reported to the police (§6.2)."),
        Rule("MC340", E, "Dates are in a consistent order."),
        Rule("MC341", E, "No date is in the future."),
        Rule("MC342", E, "Only the lifecycle's transitions (policy/transitions.yaml)."),
        Rule("MC343", W, "An escalation at review is completed by a stage 2 decision."),
        Rule("MC344", E, "A review that continues the arrangement gives the new expiry date (§7)."),
        Rule("MC350", W, "Reviews are not overdue (§7); an error in the scheduled check."),
        Rule("MC351", W, "Reviews were held on time (§7)."),
        Rule(
            "MC352", W, "Dormant cases are deleted when due (§7); an error in the scheduled check."
        ),
        Rule("MC360", E, "Opt-ins and opt-outs name councillors (§1)."),
        Rule("MC361", E, "A councillor has one current choice per case."),
        Rule("MC370", E, "A challenge is decided by an officer not involved in the decision."),
        Rule("MC371", E, "Challenges are recorded only while the right to challenge is on."),
        Rule("MC372", E, "A challenge is decided by a senior officer."),
        Rule("MC373", E, "A decided challenge has its decider, date and outcome together."),
        Rule("MC380", E, "Measures do not take away a channel an adjustment relies on."),
        Rule("MC381", E, "Restrictions name one person, never family or household."),
        Rule("MC382", E, "Measures touching a statutory service say how access continues."),
        Rule("MC390", E, "A deletion is approved by someone whose role allows it."),
        Rule("MC501", E, "Policy data refers only to ids it defines."),
        Rule("MC502", E, "Ids in policy data are unique."),
        Rule("MC503", E, "Every policy file is present."),
        Rule("MC504", E, "Every approval the tool needs is defined in policy/roles.yaml."),
    ]
}


def severity_of(rule: str, strict_dates: bool) -> Severity:
    """How a finding under `rule` counts: overdue reviews and deletions are errors when strict."""
    if strict_dates and rule in ("MC350", "MC352"):
        return E
    return CATALOGUE[rule].severity
