"""Lookups over the policy data, built once per check: who held which role on a day, whether
people satisfy an approval, what a letter must state."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from .matching import match_all
from .policy import Approval, Policy

#: The approvals whose `same_service` is the council's choice (policy/settings.yaml `choices`).
CHOSEN_SAME_SERVICE = ("decision-stage-1", "review")


class Index:
    """Lookups over the policy data, built once per check."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.conduct = {c.id: c for c in policy.vocabulary.conduct}
        self.channels = {c.id: c for c in policy.vocabulary.channels}
        self.services = {s.id: s for s in policy.vocabulary.services}
        self.measures = {m.id: m for m in policy.measures.measures}
        self.people = {p.id: p for p in policy.people.people}
        self.roles = {r.id: r for r in policy.roles.roles}
        self.letter_contents = {c.id: c for c in policy.settings.letter_contents}
        self.approvals = council_approvals(policy)

    def holds(
        self, person: str, roles: Iterable[str], day: date, services: Iterable[str] | None = None
    ) -> bool:
        """Whether `person` held one of `roles` on `day` (for `services`, if given)."""
        found = self.people.get(person)
        if found is None:
            return False
        wanted = set(roles)
        allowed_services = set(services) if services is not None else None
        for held in found.roles_on(day):
            if held.role not in wanted:
                continue
            role = self.roles.get(held.role)
            if (
                allowed_services is not None
                and role is not None
                and role.per_service
                and held.service not in allowed_services
            ):
                continue
            return True
        return False

    def approves(
        self, action: str, people: Sequence[str], day: date, services: Iterable[str]
    ) -> bool:
        """Whether `people` satisfy the approval rule for `action` on `day`: a distinct person
        for each set of roles the rule needs."""
        approval = self.approvals.get(action)
        if approval is None:
            return False
        scope = list(services) if approval.same_service else None
        return match_all(
            [list(need) for need in approval.needs],
            list(dict.fromkeys(people)),
            lambda roles, person: self.holds(person, roles, day, scope),
        )

    def required_contents(self, stage: int | None, day: date) -> list[str]:
        """What a letter sent on `day` at `stage` must state. Letters sent before the right to
        challenge setting took effect are not judged by it: the setting in force then is not
        recorded."""
        settings = self.policy.settings
        on = settings.right_to_challenge
        judged = day >= settings.right_to_challenge_since
        wanted = []
        for content in settings.letter_contents:
            if (
                content.required == "always"
                or (content.required == "challenge-on" and on and judged)
                or (content.required == "challenge-off" and not on and judged)
                or (content.required == "stage-2" and stage == 2)
            ):
                wanted.append(content.id)
        return wanted

    def contradicted_contents(self, day: date) -> list[str]:
        """What a letter sent on `day` may not state: while the right to challenge is on (and
        judged then), the contents required only while it is off, such as "there is no right
        of appeal", unless the council allows them (`no_right_of_appeal_while_challenge_on`)."""
        settings = self.policy.settings
        if (
            not settings.right_to_challenge
            or day < settings.right_to_challenge_since
            or settings.choices.no_right_of_appeal_while_challenge_on
        ):
            return []
        return [c.id for c in settings.letter_contents if c.required == "challenge-off"]


def council_approvals(policy: Policy) -> dict[str, Approval]:
    """The approval rules of policy/roles.yaml as the council's choices shape them: whether a
    stage 1 approver and a reviewing Senior Manager must be of an affected service, and whether
    the roles in a review's `stand_in` count for the Senior Manager."""
    choices = policy.settings.choices
    approvals = dict(policy.roles.approvals)
    chosen = {
        "decision-stage-1": choices.stage_1_approver_of_affected_service,
        "review": choices.review_senior_manager_of_affected_service,
    }
    for action, same_service in chosen.items():
        approval = approvals.get(action)
        if approval is None:
            continue
        needs = approval.needs
        if action == "review" and choices.review_director_may_stand_in:
            needs = [
                list(
                    dict.fromkeys([*need, *(s for r in need for s in approval.stand_in.get(r, []))])
                )
                for need in needs
            ]
        approvals[action] = approval.model_copy(
            update={"needs": needs, "same_service": same_service}
        )
    return approvals
