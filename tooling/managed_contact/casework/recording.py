"""`mcr record`: one new entry written into a sealed case's history, checked before it is saved.

The entry is given as plain values. It gets the next id of its list (the list's letter from
`ENTRY_PREFIX` and one more than the highest number the list holds), and goes in at the end of
its list in the case file's text, in the file's own indentation, every other byte kept; a list
the file does not have yet is added at its end. A challenge's outcome is the one kind that is
not a new entry: it fills in the open challenge's `decided_by`, `decided`, `outcome` (and, when
varied, `measures`), in place.

The entry's personal values are sealed with the case's key as they go in, so plain text never
reaches the disk. The new text is then checked as `mcr check` would check the file, with keys;
an error the file did not have before is a refusal, naming each rule and its message (never a
value), and nothing is written. Otherwise the file is replaced whole (`writing.write_atomic`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..errors import ExitCode, McrError, UnknownCase
from ..register.files import NotAFile, holds, read_bytes, write_atomic
from ..register.findings import Finding
from ..register.loading import Document
from ..register.model import (
    ENTRY_PREFIX,
    Activity,
    Adjustment,
    Challenge,
    Correction,
    CouncillorChoice,
    Decision,
    Incident,
    LegalHold,
    Letter,
    PoliceReport,
    ResolutionAttempt,
    Review,
)
from ..register.personal import load_spans, personal_values, seal_edits
from ..register.rules import CATALOGUE
from ..sealing.keystore import Keystore
from ..sealing.text import Edit, apply_edits
from ..sealing.tokens import is_token
from .editing import check_edit


@dataclass(frozen=True)
class Kind:
    """One kind of entry `mcr record` writes: its list in the case file and its model."""

    name: str
    section: str
    model: type[BaseModel]
    words: str


#: Every kind, by the name `mcr record` takes.
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("incident", "incidents", Incident, "incident"),
        Kind("resolution-attempt", "resolution_attempts", ResolutionAttempt, "resolution attempt"),
        Kind("adjustment", "adjustments", Adjustment, "adjustment"),
        Kind("decision", "decisions", Decision, "decision"),
        Kind("review", "reviews", Review, "review"),
        Kind("letter", "letters", Letter, "letter"),
        Kind("challenge", "challenges", Challenge, "challenge"),
        Kind("challenge-outcome", "challenges", Challenge, "challenge outcome"),
        Kind("police-report", "police_reports", PoliceReport, "police report"),
        Kind("legal-hold", "legal_holds", LegalHold, "legal hold"),
        Kind("councillor", "councillors", CouncillorChoice, "councillor's choice"),
        Kind("activity", "activity", Activity, "activity"),
        Kind("correction", "corrections", Correction, "correction"),
    )
}

#: Rules an entry may break on its own until the next entry is recorded: each says what is still
#: owed (a decision's letter, the police report of an incident of violence), and the `mcr record`
#: that puts it right. Refusing them would leave nothing to attach the follow-up to.
FOLLOW_UPS: dict[str, str] = {
    "MC320": "mcr record letter {case} --about {entry}",
    "MC330": "mcr record police-report {case} --incidents {entry}",
}

#: The fields a challenge's outcome fills in.
OUTCOME_FIELDS = ("decided_by", "decided", "outcome", "measures")


class RecordRefused(McrError):
    """The entry was not recorded; the case file is as it was. `findings` are the rules the
    entry would have broken (empty when the refusal is not a rule's)."""

    exit_code = ExitCode.FINDINGS

    def __init__(self, message: str, findings: Sequence[Finding] = ()) -> None:
        super().__init__(message)
        self.findings = list(findings)


@dataclass(frozen=True)
class Approval:
    """Someone whose signed commit (or approval) the change needs, and for what."""

    person: str
    what: str


@dataclass(frozen=True)
class Recorded:
    """What was written: the file, the entry, the rules it passed, and what to do next."""

    file: str
    case_id: str
    kind: str
    entry: str
    #: The rules the case was checked against (none of them found a new error).
    rules: tuple[str, ...]
    approvals: tuple[Approval, ...] = field(default_factory=tuple)
    #: What the case still needs because of this entry (a letter telling of it), by rule.
    owed: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def next_steps(self) -> tuple[tuple[Finding, str], ...]:
        """Each finding still owed, with the command that records what it asks for."""
        return tuple(
            (f, FOLLOW_UPS[f.rule].format(case=self.case_id, entry=self.entry)) for f in self.owed
        )

    @property
    def commit(self) -> str:
        """The exact commit step."""
        return f'git add {self.file} && git commit -S -m "{self.case_id}: {self.kind} {self.entry}"'


def next_entry_id(entries: Sequence[Any], section: str) -> str:
    """The next id of a history list: its letter and one more than the highest number."""
    letter = ENTRY_PREFIX[section]
    pattern = re.compile(rf"{letter}([0-9]+)\Z")
    numbers = [
        int(m.group(1))
        for e in entries
        if isinstance(e, dict)
        for m in [pattern.match(str(e.get("id", "")))]
        if m
    ]
    return f"{letter}{max(numbers, default=0) + 1}"


def approvals_for(kind: str, values: Mapping[str, Any]) -> tuple[Approval, ...]:
    """Who must sign or approve the new entry (as `changes/requirements.py` asks)."""
    found: list[Approval] = []

    def add(person: Any, what: str) -> None:
        if isinstance(person, str) and person and all(a.person != person for a in found):
            found.append(Approval(person, what))

    if kind == "decision":
        add(values.get("decided_by"), "the decider")
        if values.get("stage") == 2:
            business = values.get("business_case") or {}
            recommendation = values.get("recommendation") or {}
            add(business.get("author"), "the business case's author")
            add(recommendation.get("by"), "the recommender")
    elif kind == "review":
        for who in values.get("reviewed_by") or []:
            add(who, "a reviewer")
    elif kind == "challenge-outcome":
        add(values.get("decided_by"), "the officer who decided the challenge")
    elif kind == "correction":
        add(values.get("approved_by"), "the correction's approver")
    return tuple(found)


# --- writing the entry as YAML text -------------------------------------------------------

_SAFE_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*\Z")
_MEANS_SOMETHING = re.compile(
    r"(?:y|n|yes|no|true|false|on|off|null|~|[-+]?[0-9][0-9_.:eE+-]*)\Z", re.IGNORECASE
)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    if _SAFE_PLAIN.match(text) and not _MEANS_SOMETHING.match(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _plain(value: Any) -> Any:
    """`value` as the loader reads it back (dates as text)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _mapping_lines(values: Mapping[str, Any], indent: str, step: str) -> list[str]:
    """`values` as block-mapping lines at `indent`; lists of mappings have items `step` in."""
    lines: list[str] = []
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, dict):
            lines.append(f"{indent}{key}:")
            lines += _mapping_lines(value, indent + "  ", step)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{indent}{key}:")
            for item in value:
                lines += _item_lines(item, indent + step, step)
        elif isinstance(value, list):
            lines.append(f"{indent}{key}: [{', '.join(_scalar(v) for v in value)}]")
        else:
            lines.append(f"{indent}{key}: {_scalar(value)}")
    return lines


def _item_lines(values: Mapping[str, Any], indent: str, step: str) -> list[str]:
    """`values` as one block-sequence item whose dash is at `indent`."""
    lines = _mapping_lines(values, indent + "  ", step)
    if lines:
        lines[0] = f"{indent}- {lines[0][len(indent) + 2 :]}"
    return lines


def _ordered(model: type[BaseModel], values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` in the model's field order (unknown keys last, for the check to name)."""
    known = [k for k in model.model_fields if values.get(k) is not None]
    extra = [k for k in values if k not in model.model_fields and values.get(k) is not None]
    return {k: values[k] for k in (*known, *extra)}


_ITEM = re.compile(r"^( *)- [A-Za-z_]+:", re.MULTILINE)
_TOP_KEY = re.compile(r"^[A-Za-z_\"']", re.MULTILINE)


def _layout(body: str) -> tuple[str, str]:
    """The file's line break and how far in its list items' dashes are."""
    newline = "\r\n" if "\r\n" in body else "\n"
    found = _ITEM.search(body)
    return newline, (found.group(1) if found else "  ")


def _appended(body: str, section: str, item: list[str], file: str) -> tuple[str, int, int]:
    """`body` with `item` (lines) as the last item of top-level list `section`, and where the
    item's text is in the result."""
    newline, _ = _layout(body)
    text = newline.join(item)
    head = re.search(
        rf"^{re.escape(section)}:[ \t]*([^\r\n]*?)[ \t]*(?=\r?\n|\Z)", body, re.MULTILINE
    )
    if head is None:
        lead = body if body.endswith(("\n", "\r")) or not body else body + newline
        start = len(lead) + len(section) + 1 + len(newline)
        return f"{lead}{section}:{newline}{text}{newline}", start, start + len(text)
    rest = head.group(1)
    if rest in ("[]", "null", "~"):
        start = head.start() + len(section) + 1 + len(newline)
        new = body[: head.start()] + f"{section}:{newline}{text}" + body[head.end() :]
        return new, start, start + len(text)
    if rest:
        raise RecordRefused(
            f"{file} writes {section} on one line ({section}: [...]); this command adds entries "
            f"only to a list written one item per line: rewrite the list with 'mcr edit', "
            "then record again"
        )
    after = _TOP_KEY.search(body, head.end())
    end = after.start() if after is not None else len(body)
    at = len(body[:end].rstrip())
    start = at + len(newline)
    return body[:at] + newline + text + body[at:], start, start + len(text)


def _filled(
    body: str, doc: Document, index: int, values: Mapping[str, Any], step: str, file: str
) -> tuple[str, int, int]:
    """`body` with `values` added to challenge `index` after its last line."""
    newline, _ = _layout(body)
    spans = [s for p, s in doc.spans.items() if p[:2] == ("challenges", index)]
    first = doc.spans.get(("challenges", index, "id"))
    if first is None or not spans or any(s.flow for s in spans):
        raise RecordRefused(
            f"{file}: the challenge is written on one line; rewrite it one value per line "
            "with 'mcr edit', then record its outcome again"
        )
    line_start = body.rfind("\n", 0, first.start) + 1
    lead = re.match(r"[ \t]*(?:- +)*", body[line_start : first.start])
    column = lead.end() if lead else 0
    last = len(body[: max(s.end for s in spans)].rstrip())
    line_end = body.find("\n", last)
    line_end = len(body) if line_end < 0 else line_end
    if line_end > 0 and body[line_end - 1] == "\r":
        line_end -= 1
    text = newline.join(_mapping_lines(values, " " * column, step))
    start = line_end + len(newline)
    return body[:line_end] + newline + text + body[line_end:], start, start + len(text)


# --- recording ----------------------------------------------------------------------------


def _load(text: str, file: str) -> Document:
    doc = load_spans(text, file)
    if doc is None or not isinstance(doc.data, dict):
        raise RecordRefused(f"{file} does not load strictly: fix what 'mcr check {file}' reports")
    return doc


def _entries(data: Mapping[str, Any], section: str, file: str) -> list[Any]:
    entries = data.get(section)
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise RecordRefused(f"{file}: {section} is not a list: fix what 'mcr check' reports")
    return entries


def _key(f: Finding) -> tuple[str, str, str]:
    return (f.rule, f.path, f.message)


def record(
    root: Path,
    case_id: str,
    kind: str,
    values: Mapping[str, Any],
    keystore: Keystore,
    today: date,
) -> Recorded:
    """Record an entry of `kind` with `values` in case `case_id`, checked before it is saved.

    For a challenge outcome, `values["challenge"]` names the open challenge. RecordRefused
    (the file unchanged) if the entry would add an error to the case, or cannot be written."""
    if kind not in KINDS:
        raise RecordRefused(f"'{kind}' is not a kind of entry: one of {', '.join(KINDS)}")
    spec = KINDS[kind]
    path = root / "cases" / f"{case_id}.yaml"
    file = f"cases/{case_id}.yaml"
    try:
        original = read_bytes(path)
    except FileNotFoundError:
        raise UnknownCase(f"no case {case_id}: there is no {file}") from None
    except NotAFile as exc:
        raise RecordRefused(
            f"{file} is {exc.kind}, not a regular file: nothing was written; replace it by "
            "the case file itself"
        ) from None
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordRefused(f"{file} is not UTF-8 text: 'mcr check {file}' says where") from None
    key = keystore.get(case_id)
    if key is None:
        raise McrError(
            f"{keystore.name} holds no key for {case_id}: the entry's personal values cannot "
            "be sealed (give the keystore that has it with --keystore)"
        )
    doc = _load(text, file)
    bom = text[: len(text) - len(doc.text)]
    body = doc.text
    entries = _entries(doc.data, spec.section, file)
    _, step = _layout(body)

    if kind == "challenge-outcome":
        entry_id = str(values.get("challenge") or "")
        index = next(
            (i for i, c in enumerate(entries) if isinstance(c, dict) and c.get("id") == entry_id),
            None,
        )
        if index is None:
            open_ones = [
                str(c.get("id"))
                for c in entries
                if isinstance(c, dict) and c.get("outcome") is None
            ]
            hint = f" (open: {', '.join(open_ones)})" if open_ones else " (it has none open)"
            raise RecordRefused(f"{case_id} has no challenge '{entry_id}'{hint}")
        challenge = entries[index]
        if any(k in challenge for k in OUTCOME_FIELDS[:3]):
            raise RecordRefused(
                f"challenge {entry_id} of {case_id} already has an outcome: a change to it is "
                "a correction ('mcr record correction')"
            )
        filled = {k: values[k] for k in OUTCOME_FIELDS if values.get(k) is not None}
        new_body, start, end = _filled(body, doc, index, filled, step, file)
        expected = {**challenge, **_plain(filled)}
    else:
        given = {k: v for k, v in values.items() if k != "id"}
        if "id" in spec.model.model_fields:
            entry_id = next_entry_id(entries, spec.section)
            given = {"id": entry_id, **given}
        else:
            entry_id = str(values.get("councillor") or "")
        entry = _ordered(spec.model, given)
        new_body, start, end = _appended(body, spec.section, _item_lines(entry, step, step), file)
        index = len(entries)
        expected = _plain(entry)

    # The new text reads back as the old, with the entry added (its values as given).
    unsealed = _load(bom + new_body, file)
    after = _entries(unsealed.data, spec.section, file)
    before_rest = {k: v for k, v in doc.data.items() if k != spec.section}
    after_rest = {k: v for k, v in unsealed.data.items() if k != spec.section}
    if (
        before_rest != after_rest
        or len(after) != len(entries) + (kind != "challenge-outcome")
        or after[:index] != entries[:index]
        or after[index] != expected
        or after[index + 1 :] != entries[index + 1 :]
    ):
        raise RecordRefused(
            f"{file} is laid out in a way this command cannot extend: use 'mcr edit'"
        )

    edits: list[Edit] = [e for e in seal_edits(unsealed, key) if start <= e.start < end]
    new_body = apply_edits(new_body, edits)
    new_text = bom + new_body
    sealed = _load(new_text, file)
    if any(
        isinstance(v, str) and not is_token(v)
        for p, _, v in _personal_in(sealed, spec.section, index)
    ):  # pragma: no cover - every value in the entry is sealed above
        raise RecordRefused(f"{file}: the entry could not be sealed; nothing was written")

    old_errors = {_key(f) for f in check_edit(root, path, original, keystore, today)}
    new_findings = check_edit(root, path, new_text.encode("utf-8"), keystore, today)
    added = [f for f in new_findings if _key(f) not in old_errors]
    here = f"{spec.section}[{index}]"
    owed = tuple(f for f in added if f.rule in FOLLOW_UPS and f.path == here)
    added = [f for f in added if f not in owed]
    if added:
        raise RecordRefused(
            f"{file}: the {spec.words} was not recorded, because the case would then break "
            f"{'this rule' if len(added) == 1 else 'these rules'}; nothing was written",
            added,
        )
    if not holds(path, original):
        raise RecordRefused(f"{file} changed on disk meanwhile: nothing was written; record again")
    write_atomic(path, new_text)
    broken = {f.rule for f in new_findings}
    rules = tuple(sorted(r for r in CATALOGUE if r not in broken))
    return Recorded(file, case_id, kind, entry_id, rules, approvals_for(kind, values), owed)


def _personal_in(doc: Document, section: str, index: int) -> list[tuple[Any, str, Any]]:
    return [(p, label, v) for p, label, v in personal_values(doc.data) if p[:2] == (section, index)]


def entry_ids(root: Path, case_id: str) -> dict[str, list[str]]:
    """The entry ids of each history list of case `case_id` (for offering them as choices);
    UnknownCase if there is no such case. Reads no personal value."""
    path = root / "cases" / f"{case_id}.yaml"
    file = f"cases/{case_id}.yaml"
    if not path.is_file():
        raise UnknownCase(f"no case {case_id}: there is no {file}")
    doc = _load(path.read_bytes().decode("utf-8", errors="replace"), file)
    return {
        section: [
            str(e.get("id")) for e in _entries(doc.data, section, file) if isinstance(e, dict)
        ]
        for section in ENTRY_PREFIX
    }
