"""Sending a letter: the draft of `documents.letters` written outside the repository, then (when
it is sent) recorded as the case's letter entry, checked as `mcr record letter` checks it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..documents.letters import Draft, letter_for, write_letter
from ..errors import McrError
from ..register.snapshot import Keys
from ..sealing.keystore import Keystore
from .recording import Recorded, record


@dataclass(frozen=True)
class Sent:
    """How the letter was sent, for `--record`."""

    medium: str
    sent_by: str
    date: date


def draft_and_record(
    root: Path,
    case_id: str,
    entry_id: str,
    store: Keystore | None,
    day: date,
    output: Path,
    sent: Sent | None,
) -> tuple[Draft, list[Path], Recorded | None]:
    """Draft the letter, write it to `output`, and record it as sent when `sent` is given."""
    keys: Keys | None = store.get if store is not None else None
    letter = letter_for(
        root, case_id, entry_id, keys, sent.date if sent else day, sent.sent_by if sent else None
    )
    files = write_letter(letter, output, root)
    if sent is None:
        return letter, files, None
    if store is None:  # pragma: no cover - the letter above needed the keystore
        raise McrError(f"no keystore holds the key of {case_id}")
    values = {
        "date": sent.date.isoformat(),
        "about": entry_id,
        "medium": sent.medium,
        "sent_by": sent.sent_by,
        "states": list(letter.states),
        "template": letter.template,
        "text_sha256": letter.text_sha256,
    }
    return letter, files, record(root, case_id, "letter", values, store, day)
