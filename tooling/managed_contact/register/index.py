"""Lookups over the policy data, built once per check: who held which role on a day, whether
people satisfy an approval, what a letter must state."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date

from .policy import Policy


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
        approval = self.policy.roles.approvals.get(action)
        if approval is None:
            return False
        scope = list(services) if approval.same_service else None
        return _assign(
            [list(need) for need in approval.needs],
            list(dict.fromkeys(people)),
            lambda person, roles: self.holds(person, roles, day, scope),
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


def _assign(
    needs: list[list[str]], people: list[str], fits: Callable[[str, list[str]], bool]
) -> bool:
    """Match each need to a different person (tiny bipartite matching by backtracking)."""
    if not needs:
        return True
    first, rest = needs[0], needs[1:]
    for i, person in enumerate(people):
        if fits(person, first) and _assign(rest, people[:i] + people[i + 1 :], fits):
            return True
    return False
