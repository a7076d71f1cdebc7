"""Sealed case files for tests: the session's keystore, and sealing text as `mcr seal` does.

`conftest` points ``$MCR_KEYSTORE`` at a keystore made for the test session, so the CLI opens
what these helpers seal; `run_check` and `check_change` called directly run keyless unless a
test passes `keys()`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from managed_contact.register.personal import load_spans, seal_edits, seal_text
from managed_contact.sealing.keystore import DirectoryKeystore
from managed_contact.sealing.tokens import CaseKey


def keystore() -> DirectoryKeystore:
    """The test session's keystore (``$MCR_KEYSTORE``)."""
    return DirectoryKeystore(Path(os.environ["MCR_KEYSTORE"]))


def key_for(case_id: str) -> CaseKey:
    """The case's key in the session keystore, made on first use."""
    store = keystore()
    return store.get(case_id) or store.create(case_id)


def keys() -> Callable[[str], CaseKey | None]:
    """A key lookup for `run_check(..., keys=...)`."""
    return keystore().get


def sealed(text: str, case_id: str) -> str:
    """`text` (a case file) with its personal values sealed with the case's test key."""
    return seal_text(text, f"cases/{case_id}.yaml", key_for(case_id))


def sealed_with_line_map(text: str, case_id: str) -> tuple[str, dict[int, int]]:
    """`sealed`, and where each line of `text` is in the sealed text (block scalars shrink to
    one line when sealed)."""
    doc = load_spans(text, f"cases/{case_id}.yaml")
    if doc is None:
        return text, {n: n for n in range(1, text.count("\n") + 2)}
    edits = seal_edits(doc, key_for(case_id))
    removed = sorted(
        (e.end, doc.text.count("\n", e.start, e.end) - e.replacement.count("\n")) for e in edits
    )
    mapping: dict[int, int] = {}
    offset = 0
    for number, line in enumerate(doc.text.split("\n"), 1):
        gone = sum(n for end, n in removed if end <= offset)
        mapping[number] = number - gone
        offset += len(line) + 1
    return sealed(text, case_id), mapping


def write_case(root: Path, data: dict[str, Any], store: DirectoryKeystore | None = None) -> None:
    """`data` as the case file `cases/<id>.yaml`, sealed: with the session's key, or with a new
    key only `store` holds."""
    from managed_contact.register.rules import MODELINE

    case_id = str(data["id"])
    text = MODELINE + "\n" + yaml.safe_dump(data, sort_keys=False)
    if store is not None:
        text = seal_text(text, f"cases/{case_id}.yaml", store.create(case_id))
    else:
        text = sealed(text, case_id)
    (root / "cases" / f"{case_id}.yaml").write_text(text, encoding="utf-8")
