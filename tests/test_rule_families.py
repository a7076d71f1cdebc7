"""Every snapshot rule has one owner: the module of register/rules/ that declares it."""

from __future__ import annotations

from collections import defaultdict

import managed_contact.register.rules as rules_package
from managed_contact.register.rules import CATALOGUE

from rulefamilies import declared_rules


def test_every_rule_is_owned_by_one_module_and_the_catalogue_is_in_id_order() -> None:
    declared = declared_rules(rules_package)
    owners: dict[str, list[str]] = defaultdict(list)
    for module, rules in declared.items():
        for rule in rules:
            owners[rule.id].append(module)
    twice = {rule: modules for rule, modules in owners.items() if len(modules) > 1}
    assert not twice, f"rules declared more than once: {twice}"
    unowned = sorted(set(CATALOGUE) - set(owners))
    assert not unowned, f"rules in the catalogue that no module declares: {unowned}"
    uncatalogued = sorted(set(owners) - set(CATALOGUE))
    assert not uncatalogued, f"rules declared but missing from the catalogue: {uncatalogued}"
    for rules in declared.values():
        for rule in rules:
            assert CATALOGUE[rule.id] is rule, f"{rule.id} in the catalogue is not its owner's"
    assert list(CATALOGUE) == sorted(CATALOGUE), "the catalogue is not in id order"
