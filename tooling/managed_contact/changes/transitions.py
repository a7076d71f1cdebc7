"""Transitions: a change moves a case only along the lifecycle's transitions (MC401).

Each changed case is replayed at both ends, the merge base and the head, with the target's
policy/transitions.yaml (the head's only when the target's cannot be read). The moves recorded
at the merge base stay as they were, except those of the entries a correction in the change
names, and the states that follow from them; every other move the head adds must be one the
transitions allow.
"""

from __future__ import annotations

from ..register.findings import Severity
from ..register.lifecycle import Status, Step, derive
from ..register.loading import Document
from ..register.model import Case
from ..register.rules import Rule
from .context import Change

E = Severity.ERROR

#: The rules this module reports.
RULES = (
    Rule(
        "MC401",
        E,
        "Only the lifecycle's transitions; the moves recorded at the base stay as they were.",
    ),
)


def _describe(step: Step) -> str:
    """A move as a sentence: which entry moved the case from which state to which."""
    before = "a new case" if step.before == "new" else step.before
    return f"{step.entry} ({step.event}) moved {before} to {step.after}"


def check_case(
    change: Change, doc: Document, base: Case | None, head: Case, corrected: set[str]
) -> None:
    """MC401 on a changed case file: the moves at the merge base (none for a new case) are
    kept, and the moves the head adds are allowed."""
    policy = change.policy or change.head_policy
    if policy is None:
        return
    before = derive(base, policy, change.today) if base is not None else Status()
    after = derive(head, policy, change.today)

    def key(step: Step) -> tuple[str, str, str, str, bool]:
        return (step.entry, step.event, step.before, step.after, step.allowed)

    def past(steps: list[Step]) -> list[tuple[Step, bool]]:
        """The steps of entries no correction names, each with whether a corrected
        entry's step came before it (then the states it moves between may differ)."""
        found: list[tuple[Step, bool]] = []
        downstream = False
        for step in steps:
            if step.entry in corrected:
                downstream = True
            else:
                found.append((step, downstream))
        return found

    old_steps, new_steps = past(before.steps), past(after.steps)
    for k, (old, old_downstream) in enumerate(old_steps):
        new, new_downstream = new_steps[k] if k < len(new_steps) else (None, False)
        if new is not None:
            if key(new) == key(old):
                continue
            if (
                (old_downstream or new_downstream)
                and (new.entry, new.event) == (old.entry, old.event)
                and (new.allowed or not old.allowed)
            ):
                continue
        where = new.path if new is not None else ("id",)
        now = f"now {_describe(new)}" if new is not None else "now there is no such move"
        change.report(
            doc,
            where,
            "MC401",
            f"this change rewrites the case's past: at the base revision "
            f"{_describe(old)}; {now}. The state at the base was {before.state}; "
            "past moves change only through a recorded correction naming that entry",
        )
        break
    known = {s.entry for s in before.steps} - corrected
    for step in after.steps:
        if step.entry in known or step.allowed:
            continue
        before_word = "a new case" if step.before == "new" else step.before
        change.report(
            doc,
            step.path,
            "MC401",
            f"{step.entry} ({step.event}) would move the case from {before_word} to "
            f"{step.after}: policy/transitions.yaml at the base revision does not allow it",
        )
