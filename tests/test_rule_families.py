"""Every snapshot rule has one owner: the module of register/rules/ that declares it."""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict

import managed_contact.register.rules as rules_package
from managed_contact.register.rules import CATALOGUE, Rule


def _declared() -> dict[str, tuple[Rule, ...]]:
    """Each module of the rules package that declares `RULES`, by its name, with them."""
    declared: dict[str, tuple[Rule, ...]] = {}
    for info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"{rules_package.__name__}.{info.name}")
        rules = getattr(module, "RULES", None)
        if rules is not None:
            declared[info.name] = tuple(rules)
    return declared


def test_every_rule_is_owned_by_one_module_and_the_catalogue_is_in_id_order() -> None:
    declared = _declared()
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
