"""Legal holds: an ombudsman complaint, subject access request, legal claim or police matter
that keeps a case from deletion (and its key from shredding) until it ends.

A hold is written into the case file's text in place: a new entry at the end of
`legal_holds`, or an `end:` added to an open one, every other byte kept. The matter's reference
is personal data, so the file is re-sealed with the case's key after the text goes in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import ExitCode, McrError
from ..register.files import NotAFile, read_bytes, write_atomic
from ..register.personal import load_spans, seal_text
from ..sealing.tokens import CaseKey

REASONS = ("ombudsman-complaint", "subject-access-request", "legal-claim", "police-matter")


class HoldRefused(McrError):
    """The hold cannot be recorded or ended as asked; the message says why."""

    exit_code = ExitCode.FINDINGS


@dataclass(frozen=True)
class HoldChange:
    """What was written: the case file and the hold's id."""

    file: str
    hold: str


def _read(root: Path, case_id: str) -> tuple[Path, str, str, dict[str, Any]]:
    path = root / "cases" / f"{case_id}.yaml"
    file = f"cases/{case_id}.yaml"
    try:
        text = read_bytes(path).decode("utf-8")
    except FileNotFoundError:
        raise HoldRefused(f"there is no case file {file}") from None
    except NotAFile as exc:
        raise HoldRefused(f"{file} is {exc.kind}, not a regular file: run `mcr check`") from None
    doc = load_spans(text, file)
    if doc is None or not isinstance(doc.data, dict):
        raise HoldRefused(f"{file} does not load: run `mcr check` on it")
    return path, file, text, doc.data


def _holds(data: dict[str, Any]) -> list[dict[str, Any]]:
    holds = data.get("legal_holds") or []
    return [h for h in holds if isinstance(h, dict)] if isinstance(holds, list) else []


_TOP_KEY = re.compile(r"^[A-Za-z_]", re.MULTILINE)
_ITEM = re.compile(r"^([ \t]*)- id:", re.MULTILINE)


def _with_entry(text: str, lines: list[str]) -> str:
    """`text` with a new last item (`lines`, unindented) in the top-level `legal_holds` list."""
    found = _ITEM.search(text)
    indent = found.group(1) if found else "  "
    item = "".join(f"{indent}{'- ' if i == 0 else '  '}{line}\n" for i, line in enumerate(lines))
    empty = re.search(r"^legal_holds:[ \t]*(\[\])?[ \t]*\r?\n?", text, re.MULTILINE)
    if empty is None:
        if not text.endswith("\n"):
            text += "\n"
        return f"{text}legal_holds:\n{item}"
    if empty.group(1):  # legal_holds: []
        return text[: empty.start()] + "legal_holds:\n" + item + text[empty.end() :]
    after = _TOP_KEY.search(text, empty.end())
    at = after.start() if after is not None else len(text)
    head = text[:at]
    if not head.endswith("\n"):
        head += "\n"
    return head + item + text[at:]


def add_hold(
    root: Path, case_id: str, reason: str, reference: str, start: date, key: CaseKey
) -> HoldChange:
    """Record a new open hold on `case_id`; its reference is sealed with the case's `key`."""
    if reason not in REASONS:
        raise HoldRefused(f"a hold's reason is one of {', '.join(REASONS)}")
    if not reference.strip() or "\n" in reference:
        raise HoldRefused("give the matter's reference on one line")
    path, file, text, data = _read(root, case_id)
    holds = _holds(data)
    numbers = [int(h["id"][1:]) for h in holds if re.fullmatch(r"H[0-9]+", str(h.get("id")))]
    hold_id = f"H{max(numbers, default=0) + 1}"
    lines = [
        f"id: {hold_id}",
        f"reason: {reason}",
        f"start: {start.isoformat()}",
        f"reference: {json.dumps(reference, ensure_ascii=False)}",
    ]
    new = seal_text(_with_entry(text, lines), file, key)
    doc = load_spans(new, file)
    if doc is None or not isinstance(doc.data, dict) or len(_holds(doc.data)) != len(holds) + 1:
        raise HoldRefused(f"{file} is laid out in a way this command cannot extend")
    write_atomic(path, new)
    return HoldChange(file, hold_id)


def end_hold(root: Path, case_id: str, hold_id: str, end: date) -> HoldChange:
    """Record the day hold `hold_id` of `case_id` ended."""
    path, file, text, data = _read(root, case_id)
    doc = load_spans(text, file)
    assert doc is not None
    raw_holds = data.get("legal_holds") or []
    index = next(
        (i for i, h in enumerate(raw_holds) if isinstance(h, dict) and h.get("id") == hold_id),
        None,
    )
    if index is None:
        raise HoldRefused(f"{case_id} has no legal hold {hold_id}")
    hold = raw_holds[index]
    if hold.get("end") is not None:
        raise HoldRefused(f"legal hold {hold_id} of {case_id} has already ended")
    started = str(hold.get("start"))
    if end.isoformat() < started:
        raise HoldRefused(f"legal hold {hold_id} started on {started}: it cannot end before")
    span = doc.spans.get(("legal_holds", index, "start"))
    if span is None:
        raise HoldRefused(f"legal hold {hold_id} of {case_id} has no start date to follow")
    bom = text[: len(text) - len(doc.text)]
    body = doc.text
    if span.flow:
        new = body[: span.end] + f", end: {end.isoformat()}" + body[span.end :]
    else:
        line_start = body.rfind("\n", 0, span.start) + 1
        lead = re.match(r"[ \t]*(?:- )*", body[line_start : span.start])
        indent = " " * (lead.end() if lead else 0)
        line_end = body.find("\n", span.end)
        line_end = len(body) if line_end < 0 else line_end
        new = body[:line_end] + f"\n{indent}end: {end.isoformat()}" + body[line_end:]
    check = load_spans(bom + new, file)
    if check is None or str(_holds(check.data)[index].get("end")) != end.isoformat():
        raise HoldRefused(f"{file} is laid out in a way this command cannot extend")
    write_atomic(path, bom + new)
    return HoldChange(file, hold_id)
