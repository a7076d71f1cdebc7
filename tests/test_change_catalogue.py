"""The change-rule catalogue is assembled from the family modules that report the rules."""

from __future__ import annotations

from collections import defaultdict

import managed_contact.changes as changes
from managed_contact.changes.check import CHANGE_CATALOGUE

from rulefamilies import declared_rules


def test_every_change_rule_is_owned_by_exactly_one_family_and_listed_in_id_order() -> None:
    owners: dict[str, list[str]] = defaultdict(list)
    for name, rules in declared_rules(changes).items():
        for rule in rules:
            owners[rule.id].append(name)
            assert CHANGE_CATALOGUE.get(rule.id) == rule, (name, rule.id)
    assert set(owners) == set(CHANGE_CATALOGUE)
    assert {rule: found for rule, found in owners.items() if len(found) != 1} == {}
    assert list(CHANGE_CATALOGUE) == sorted(CHANGE_CATALOGUE)
