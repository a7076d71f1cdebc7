"""Judge one small case in memory: the scenario suite's harness.

A scenario is a case (built with `casebuilder`), a day and, where a setting matters, the policy
with that setting changed. `verdict` runs every snapshot rule family on it and returns the rule
ids found, sorted, so a test states the policy's expected verdict as a list. Nothing touches the
disk or a keystore: the case is plain YAML, judged as an opened case file is.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from managed_contact.register.findings import Finding
from managed_contact.register.index import Index
from managed_contact.register.lifecycle import Status, derive
from managed_contact.register.loading import load_bytes
from managed_contact.register.model import Case
from managed_contact.register.policy import Policy
from managed_contact.register.rules import MODELINE
from managed_contact.register.rules.run import check_case
from managed_contact.register.snapshot import CaseFile, load_policy
from managed_contact.register.validation import validate

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 28)
_POLICY: list[Policy] = []


def repo_policy() -> Policy:
    """The repository's own policy data, loaded once."""
    if not _POLICY:
        loaded, _, problems = load_policy(REPO)
        assert not problems, problems
        assert loaded is not None
        _POLICY.append(loaded)
    return _POLICY[0]


def with_settings(policy: Policy | None = None, **changes: Any) -> Policy:
    """The policy with some of `policy/settings.yaml` changed, as a council would change it."""
    base = policy or repo_policy()
    settings = base.settings.model_validate({**base.settings.model_dump(by_alias=True), **changes})
    return base.model_copy(update={"settings": settings})


class _Plain(yaml.SafeDumper):
    """Writes a value used twice in full both times, as a case file must (no anchors)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def loaded_case(data: dict[str, Any]) -> CaseFile:
    """A case's data as the register loads a case file (which must be valid)."""
    file = f"cases/{data['id']}.yaml"
    raw = (MODELINE + "\n" + yaml.dump(data, Dumper=_Plain, sort_keys=False)).encode()
    doc, problems = load_bytes(raw, file)
    assert not problems, problems
    assert doc is not None
    case, invalid = validate(Case, doc)
    assert case is not None, invalid
    return CaseFile(REPO / file, file, doc, case)


def findings(
    data: dict[str, Any],
    today: date = TODAY,
    policy: Policy | None = None,
    strict_dates: bool = False,
) -> list[Finding]:
    """Every finding the snapshot rules give on the case."""
    return check_case(loaded_case(data), Index(policy or repo_policy()), today, strict_dates)


def verdict(
    data: dict[str, Any],
    today: date = TODAY,
    policy: Policy | None = None,
    strict_dates: bool = False,
) -> list[str]:
    """The rule ids found on the case, sorted (an empty list: the case passes)."""
    return sorted(f.rule for f in findings(data, today, policy, strict_dates))


def located(
    data: dict[str, Any],
    today: date = TODAY,
    policy: Policy | None = None,
    strict_dates: bool = False,
) -> list[tuple[str, str]]:
    """Each finding's rule id and the path it points at (`decisions[0].decided_by`), sorted."""
    return sorted((f.rule, f.path) for f in findings(data, today, policy, strict_dates))


def status(data: dict[str, Any], today: date = TODAY, policy: Policy | None = None) -> Status:
    """The case's derived state and dates."""
    return derive(loaded_case(data).case, policy or repo_policy(), today)
