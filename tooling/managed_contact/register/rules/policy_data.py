"""Policy data: the files in policy/ agree with one another and with the tool.

Ids in policy data are unique (MC502) and refer only to ids it defines (MC501); every approval
the tool asks for, `REQUIRED_APPROVALS`, is defined in policy/roles.yaml (MC504); and a choice
the council makes in policy/settings.yaml is not made again in roles or transitions (MC505). A
missing
policy file (MC503) is reported when the register loads, in `snapshot`. Roles and keys that end
before they start are reported under MC340, which `chronology` owns.

The data also makes sense on its own. Each move in policy/transitions.yaml fits its event and
the lifecycle's ends: nothing leaves `gone` or enters `new`, a decision leads into a stage, a
review's continuing or escalating leaves the case in a stage, closing a review or upholding a
challenge makes it dormant, and deletion, only from dormant, is the only way to `gone` (MC506);
no move is listed twice (MC507). Every approval in policy/roles.yaml, as the council's choices
shape it, can be given by the people in policy/people.yaml: a different person holding one of
the roles of each entry of `needs`, ignoring dates and services (MC508). A measure's value is
required or optional, not both (MC509).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..findings import Finding, format_path
from ..index import CHOSEN_SAME_SERVICE, council_approvals
from ..lifecycle import DE_ESCALATION
from ..loading import Document
from ..matching import match_all
from ..policy import Policy
from .rule import E, Rule

RULES = (
    Rule("MC501", E, "Policy data refers only to ids it defines."),
    Rule("MC502", E, "Ids in policy data are unique."),
    Rule("MC503", E, "Every policy file is present."),
    Rule("MC504", E, "Every approval the tool needs is defined in policy/roles.yaml."),
    Rule(
        "MC505",
        E,
        "A council's choice is made once, in policy/settings.yaml `choices`, not also in "
        "roles.yaml or transitions.yaml.",
    ),
    Rule("MC506", E, "Each move in the lifecycle fits its event and the lifecycle's ends."),
    Rule("MC507", E, "No move is listed twice in policy/transitions.yaml."),
    Rule("MC508", E, "Every approval can be given by the people in policy/people.yaml."),
    Rule("MC509", E, "A measure's value is either required or optional, not both."),
)

#: The states each event may lead to, from the states it may start in (MC506).
STAGES = frozenset({"stage-1", "stage-2"})
EVENT_MOVES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "decision": (frozenset({"new", "stage-1", "stage-2", "dormant"}), STAGES),
    "review-continue": (STAGES, STAGES),
    "review-escalate": (frozenset({"stage-1"}), frozenset({"stage-2"})),
    "review-close": (STAGES, frozenset({"dormant"})),
    "challenge-upheld": (STAGES, frozenset({"dormant"})),
    "deletion": (frozenset({"dormant"}), frozenset({"gone"})),
}

#: Every approval the tool asks policy/roles.yaml for (MC504).
REQUIRED_APPROVALS = (
    "decision-stage-1",
    "decision-stage-2",
    "business-case",
    "recommendation",
    "review",
    "letter-service",
    "letter-council-wide",
    "challenge",
    "correction",
    "deletion",
    "policy-change",
)


def check_policy(policy: Policy, docs: dict[str, Document]) -> list[Finding]:
    """Cross-references inside the policy data (the models check each file's shape)."""
    findings: list[Finding] = []

    def report(name: str, path: tuple[str | int, ...], rule: str, message: str) -> None:
        doc = docs.get(name)
        if doc is not None:
            findings.append(doc.finding(path, rule, message))

    def unique(name: str, key: str, items: Sequence[Any]) -> None:
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in first:
                report(
                    name,
                    (key, i, "id"),
                    "MC502",
                    f"id '{item.id}' is already defined at "
                    f"{format_path((key, first[item.id]))}: ids must be unique",
                )
            else:
                first[item.id] = i

    v = policy.vocabulary
    unique("vocabulary", "conduct", v.conduct)
    unique("vocabulary", "channels", v.channels)
    unique("vocabulary", "services", v.services)
    unique("measures", "measures", policy.measures.measures)
    unique("roles", "roles", policy.roles.roles)
    unique("people", "people", policy.people.people)
    unique("settings", "letter_contents", policy.settings.letter_contents)
    channels = {c.id for c in v.channels}
    services = {s.id for s in v.services}
    roles = {r.id: r for r in policy.roles.roles}
    for i, measure in enumerate(policy.measures.measures):
        for j, channel in enumerate(measure.blocks_channels):
            if channel not in channels:
                report(
                    "measures",
                    ("measures", i, "blocks_channels", j),
                    "MC501",
                    f"unknown channel '{channel}'",
                )
        if measure.only_channel and "channel" not in measure.required:
            report(
                "measures",
                ("measures", i, "only_channel"),
                "MC501",
                "a measure limited to one channel must require 'channel'",
            )
    for action, approval in policy.roles.approvals.items():
        for j, need in enumerate(approval.needs):
            for k, role_id in enumerate(need):
                if role_id not in roles:
                    report(
                        "roles",
                        ("approvals", action, "needs", j, k),
                        "MC501",
                        f"unknown role '{role_id}'",
                    )
        for stood_for, stand_ins in approval.stand_in.items():
            for k, role_id in enumerate([stood_for, *stand_ins]):
                if role_id not in roles:
                    report(
                        "roles",
                        ("approvals", action, "stand_in", stood_for, *([k - 1] if k else [])),
                        "MC501",
                        f"unknown role '{role_id}'",
                    )
        if action in CHOSEN_SAME_SERVICE and approval.same_service:
            report(
                "roles",
                ("approvals", action, "same_service"),
                "MC505",
                f"whether '{action}' needs someone of an affected service is the council's "
                "choice in policy/settings.yaml `choices`: remove 'same_service' here",
            )
    findings.extend(_lifecycle_sense(policy, docs))
    findings.extend(_approvals_given(policy, docs))
    for i, measure in enumerate(policy.measures.measures):
        for j, value in enumerate(measure.optional):
            if value in measure.required:
                report(
                    "measures",
                    ("measures", i, "optional", j),
                    "MC509",
                    f"'{value}' is both required and optional for measure '{measure.id}': "
                    "keep it in one list",
                )
    for i, move in enumerate(policy.transitions.transitions):
        if (move.from_, move.to, move.by) == DE_ESCALATION:
            report(
                "transitions",
                ("transitions", i),
                "MC505",
                "whether a review may continue a stage 2 case at stage 1 is the council's choice "
                "in policy/settings.yaml (choices.stage_2_review_may_continue_at_stage_1): "
                "remove this line",
            )
    for action in REQUIRED_APPROVALS:
        if action not in policy.roles.approvals:
            report("roles", ("approvals",), "MC504", f"approval '{action}' is not defined")
    for i, person in enumerate(policy.people.people):
        for j, held in enumerate(person.roles):
            path = ("people", i, "roles", j)
            role = roles.get(held.role)
            if role is None:
                report("people", (*path, "role"), "MC501", f"unknown role '{held.role}'")
                continue
            if role.per_service and held.service is None:
                report(
                    "people",
                    path,
                    "MC501",
                    f"role '{held.role}' is held for a service: add 'service'",
                )
            if not role.per_service and held.service is not None:
                report(
                    "people",
                    (*path, "service"),
                    "MC501",
                    f"role '{held.role}' is not held for a service: remove 'service'",
                )
            if held.service is not None and held.service not in services:
                report("people", (*path, "service"), "MC501", f"unknown service '{held.service}'")
            if held.end is not None and held.end < held.start:
                report("people", (*path, "end"), "MC340", "a role cannot end before it starts")
        for j, key in enumerate(person.keys):
            if key.end is not None and key.end < key.start:
                report(
                    "people",
                    ("people", i, "keys", j, "end"),
                    "MC340",
                    "a key cannot expire before it is valid",
                )
    return findings


def _lifecycle_sense(policy: Policy, docs: dict[str, Document]) -> list[Finding]:
    """MC506 and MC507 on policy/transitions.yaml."""
    doc = docs.get("transitions")
    if doc is None:
        return []
    findings: list[Finding] = []
    seen: dict[tuple[str, str, str], int] = {}
    for i, move in enumerate(policy.transitions.transitions):
        path = ("transitions", i)
        key = (move.from_, move.to, move.by)
        if key in seen:
            findings.append(
                doc.finding(
                    path,
                    "MC507",
                    f"the move from '{move.from_}' to '{move.to}' by '{move.by}' is already "
                    f"listed at {format_path(('transitions', seen[key]))}: remove this line",
                )
            )
            continue
        seen[key] = i
        if key == DE_ESCALATION:
            continue  # the council's choice, made in the wrong place: MC505
        starts, leads_to = EVENT_MOVES[move.by]
        problem = ""
        if move.from_ == "gone":
            problem = "nothing leaves 'gone': the case file is deleted"
        elif move.to == "new":
            problem = "nothing returns to 'new': a case is new only until its first decision"
        elif move.from_ not in starts:
            problem = f"'{move.by}' cannot happen to a case in '{move.from_}'"
        elif move.to not in leads_to:
            problem = f"'{move.by}' leads to {' or '.join(sorted(leads_to))}, not '{move.to}'"
        if problem:
            findings.append(doc.finding(path, "MC506", f"{problem}: remove or correct this move"))
    return findings


def _distinct(needs: Sequence[Sequence[str]], holders: dict[str, set[str]]) -> bool:
    """Whether each need can go to a different person holding one of its roles (the one
    matching of `matching.match_all`, polynomial however long `needs` is)."""
    people = sorted({p for need in needs for role in need for p in holders.get(role, set())})
    return match_all(
        needs, people, lambda need, person: any(person in holders.get(r, ()) for r in need)
    )


def _approvals_given(policy: Policy, docs: dict[str, Document]) -> list[Finding]:
    """MC508: every approval has people who could give it."""
    doc = docs.get("roles")
    if doc is None:
        return []
    holders: dict[str, set[str]] = {}
    for person in policy.people.people:
        for held in person.roles:
            holders.setdefault(held.role, set()).add(person.id)
    findings: list[Finding] = []
    for action, approval in council_approvals(policy).items():
        if action not in policy.roles.approvals:
            continue
        empty = [
            j for j, need in enumerate(approval.needs) if not any(holders.get(r) for r in need)
        ]
        for j in empty:
            roles = ", ".join(f"'{r}'" for r in approval.needs[j])
            findings.append(
                doc.finding(
                    ("approvals", action, "needs", j),
                    "MC508",
                    f"no one in policy/people.yaml has ever held {roles}: '{action}' could never "
                    "be approved",
                )
            )
        if not empty and not _distinct(approval.needs, holders):
            findings.append(
                doc.finding(
                    ("approvals", action, "needs"),
                    "MC508",
                    f"'{action}' needs {len(approval.needs)} different people, and "
                    "policy/people.yaml has too few holding those roles: it could never be "
                    "approved",
                )
            )
    return findings
