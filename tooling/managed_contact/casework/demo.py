"""The demo repository, ended as a register ends a case: deleted when due, its key shredded.

`make_demo` builds the signed, sealed history (`changes.demo.build_demo`), then deletes its
fictional retiring case with `mcr delete`'s own code, commits that signed by the approver, and
shreds the case's key as `mcr keys shred` does, so every version of that case in the new
history stays sealed for good while every commit and signature stays as it was.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..changes.demo import DemoRepo, build_demo, commit_deletion
from ..sealing.keystore import DirectoryKeystore
from .keys import shred_key
from .retention import delete_case


def make_demo(source: Path, target: Path, today: date) -> DemoRepo:
    """Build the demo repository in `target` from the register at `source`, as of `today`."""
    made = build_demo(source, target, today)
    retiring, approver = made.retiring, made.approver
    if retiring is None or approver is None:
        return made
    delete_case(made.path, retiring, "retention", approver, today)
    made = commit_deletion(made, retiring, today)
    shred_key(made.path, DirectoryKeystore(made.keystore), retiring, today, "main")
    return made
