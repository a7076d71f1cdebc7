"""The rules each module of a package declares in its `RULES`, found by walking the package
itself rather than trusting the catalogue built from them."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from managed_contact.register.rules import Rule


def declared_rules(package: ModuleType) -> dict[str, tuple[Rule, ...]]:
    """Each module of `package` that declares `RULES`, by its name, with them."""
    declared: dict[str, tuple[Rule, ...]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        rules = getattr(module, "RULES", None)
        if rules is not None:
            declared[info.name] = tuple(rules)
    return declared
