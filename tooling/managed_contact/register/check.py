"""`mcr check`: load the register, apply every rule, collect every finding."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .findings import Finding, Findings
from .index import Index
from .lifecycle import Status, derive
from .progress import Progress
from .rules import CATALOGUE, check_policy, check_register
from .snapshot import Keys, Register, load_register


@dataclass
class CheckResult:
    """What a check found, and the register and derived states it found it in."""

    register: Register
    findings: Findings
    statuses: dict[str, Status] = field(default_factory=dict)
    index: Index | None = None
    #: Rules that read personal text, with the cases they could not be run on (no key).
    skipped: dict[str, list[str]] = field(default_factory=dict)


def run_check(
    root: Path,
    today: date,
    *,
    strict_dates: bool = False,
    only: list[Path] | None = None,
    keys: Keys | None = None,
    progress: Progress | None = None,
) -> CheckResult:
    """Check policy data and cases (all of them, or `only` those files), opening sealed values
    with `keys` where given (the rules that read personal text skip the cases they cannot);
    `progress` hears of each case read and each case checked."""
    # Loading builds many small, acyclic objects: the cyclic collector only slows it down.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        register, loaded = load_register(root, only, keys, progress)
        return check_loaded(register, loaded, today, strict_dates, progress)
    finally:
        if gc_was_enabled:
            gc.enable()


def check_loaded(
    register: Register,
    loaded: list[Finding],
    today: date,
    strict_dates: bool = False,
    progress: Progress | None = None,
) -> CheckResult:
    """Every snapshot rule over a register already loaded (from disk or from a revision)."""
    findings = Findings()
    findings.extend(loaded)
    index = None
    if register.policy is not None:
        index = Index(register.policy)
        findings.extend(check_policy(register.policy, register.policy_docs))
    findings.extend(check_register(register, index, today, strict_dates, progress))
    result = CheckResult(register, findings, index=index)
    unread = [loaded.case.id for loaded in register.cases if loaded.sealed]
    if unread:
        result.skipped = {r.id: unread for r in CATALOGUE.values() if r.needs_keys}
    if register.policy is not None:
        for loaded_case in register.cases:
            result.statuses[loaded_case.case.id] = derive(loaded_case.case, register.policy, today)
    return result
