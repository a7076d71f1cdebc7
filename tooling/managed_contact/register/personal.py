"""Personal data in a case file: which values it is, and sealing them in place.

The case model marks the fields that hold personal data (``x-personal-data``); this module turns
those marks into the paths of one file's personal values, each with the *stable path* its token
is bound to (``incidents[I2].account``: an entry is named by its id, not its place in the list).

`open_document` is the one place a loaded case's sealed values are opened (with the case's key)
or stood in for by a placeholder (without one), so that every rule runs on every case with or
without keys. `seal_text` and `unseal_text` rewrite only the personal scalars of a file's text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel

from ..sealing.text import Edit, apply_edits, render_scalar, scalar_edit
from ..sealing.tokens import CaseKey, Sealer, TokenError, is_token, parse, placeholder
from .findings import Finding, Severity
from .loading import Document, Path_, Span, load_bytes
from .model import PERSONAL_MARK, Case, model_in
from .types import ENTRY_ID_PATTERN

# Rule ids; declared, with their summaries, in rules/sealed.py.
PLAINTEXT = "MC010"
MALFORMED = "MC011"
DOES_NOT_OPEN = "MC012"
COMMENT = "MC013"

_ENTRY_ID = re.compile(ENTRY_ID_PATTERN.strip("^$") + r"\Z")


@dataclass(frozen=True)
class Spec:
    """Where personal values are under one model: `leaf` fields hold them, `inner` recurse."""

    leaf: frozenset[str] = frozenset()
    inner: dict[str, Spec] = field(default_factory=dict)


@cache
def spec_of(model: type[BaseModel]) -> Spec:
    """The personal fields of `model` and of the models inside it."""
    leaf: set[str] = set()
    inner: dict[str, Spec] = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, dict) and extra.get(PERSONAL_MARK):
            leaf.add(name)
            continue
        sub = model_in(info.annotation)
        if sub is not None:
            found = spec_of(sub)
            if found.leaf or found.inner:
                inner[name] = found
    return Spec(frozenset(leaf), inner)


def _step(label: str, item: Any, index: int) -> str:
    entry = item.get("id") if isinstance(item, dict) else None
    if isinstance(entry, str) and _ENTRY_ID.match(entry):
        return f"{label}[{entry}]"
    return f"{label}[{index}]"


def _walk(data: Any, spec: Spec, path: Path_, label: str) -> Iterator[tuple[Path_, str, Any]]:
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        name = f"{label}.{key}" if label else key
        if key in spec.leaf:
            if isinstance(value, list):
                for i, item in enumerate(value):
                    yield (*path, key, i), f"{name}[{i}]", item
            elif value is not None:
                yield (*path, key), name, value
        elif key in spec.inner:
            sub = spec.inner[key]
            if isinstance(value, list):
                for i, item in enumerate(value):
                    yield from _walk(item, sub, (*path, key, i), _step(name, item, i))
            else:
                yield from _walk(value, sub, (*path, key), name)


def personal_values(data: Any) -> Iterator[tuple[Path_, str, Any]]:
    """Each personal value in a case's data: its path, its stable path, and the value."""
    yield from _walk(data, spec_of(Case), (), "")


def _set(data: Any, path: Path_, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


@dataclass
class Opened:
    """What opening a case's sealed values found."""

    findings: list[Finding] = field(default_factory=list)
    #: Values stood in for by a placeholder: no key, or a token that would not open.
    placeholders: int = 0
    sealed: int = 0


def open_document(doc: Document, case_id: str, key: CaseKey | None) -> Opened:
    """Open every sealed value of `doc` in place (or put a placeholder where no key opens it).

    Plaintext in a personal field is an error (MC010): sealing is not optional. A token that is
    cut short or altered is an error with or without a key (MC011); one the case's key does not
    open is an error where the key is at hand (MC012). No finding shows a value."""
    opened = Opened()
    sealer = Sealer(key) if key is not None else None
    values = list(personal_values(doc.data))
    labels = [label for _, label, _ in values]
    for path, label, value in values:
        if not isinstance(value, str):
            continue  # the wrong type: validation reports it, without the value
        if not is_token(value):
            opened.findings.append(
                doc.finding(
                    path,
                    PLAINTEXT,
                    "personal data written in plain text: seal it with "
                    f"'mcr seal {doc.file}' (or record it with mcr edit / mcr new)",
                )
            )
            continue
        opened.sealed += 1
        plain: str | None = None
        try:
            if sealer is None:
                parse(value)
            else:
                plain = sealer.open(label, value)
        except TokenError as exc:
            message = f"sealed value cannot be used: {exc}"
            elsewhere = sealer.opens_as(labels, value) if sealer is not None else None
            if elsewhere is not None:
                message = f"sealed value belongs to {elsewhere}, not here: was it copied?"
            rule = DOES_NOT_OPEN if sealer is not None and is_token(value) else MALFORMED
            try:
                parse(value)
            except TokenError:
                rule = MALFORMED
            opened.findings.append(doc.finding(path, rule, message))
        if plain is None:
            opened.placeholders += 1
            plain = placeholder(value)
        _set(doc.data, path, plain)
    return opened


def load_spans(text: str, file: str) -> Document | None:
    doc, findings = load_bytes(text.encode("utf-8"), file, spans=True)
    return doc if doc is not None and not findings else None


def _indent(text: str, start: int) -> int:
    line_start = text.rfind("\n", 0, start) + 1
    line = text[line_start:start]
    lead = len(line) - len(line.lstrip(" "))
    rest = line[lead:]
    while rest.startswith("- "):
        lead += 2 + len(rest[2:]) - len(rest[2:].lstrip(" "))
        rest = rest[2:].lstrip(" ")
    return lead + 2


def seal_text(text: str, file: str, key: CaseKey) -> str:
    """`text` with every personal value in plain text sealed; every other byte as it was.

    A file that does not load strictly is returned unchanged (the check says why)."""
    doc = load_spans(text, file)
    return text if doc is None else _rejoin(text, doc.text, seal_edits(doc, key))


def seal_edits(doc: Document, key: CaseKey) -> list[Edit]:
    """The edits that seal each plain-text personal value of `doc` (loaded with spans)."""
    sealer = Sealer(key)
    edits: list[Edit] = []
    for path, label, value in personal_values(doc.data):
        if isinstance(value, str) and not is_token(value):
            span = doc.spans[path]
            edits.append(
                scalar_edit(
                    doc.text,
                    span.start,
                    span.end,
                    span.block,
                    sealer.seal(label, value),
                    flow=span.flow,
                )
            )
    return edits


def unseal_text(text: str, file: str, key: CaseKey) -> str:
    """`text` with every sealed value opened and written as readable YAML.

    TokenError if a value does not open: a file is never half unsealed."""
    doc = load_spans(text, file)
    if doc is None:
        return text
    sealer = Sealer(key)
    edits: list[Edit] = []
    for path, label, value in personal_values(doc.data):
        if isinstance(value, str) and is_token(value):
            span = doc.spans[path]
            plain = sealer.open(label, value)
            shown = render_scalar(plain, _indent(doc.text, span.start), flow=span.flow)
            edits.append(Edit(span.start, span.end, shown))
    return _rejoin(text, doc.text, edits)


def _rejoin(original: str, decoded: str, edits: list[Edit]) -> str:
    if not edits:
        return original
    bom = original[: len(original) - len(decoded)]  # a byte-order mark the loader dropped
    return bom + apply_edits(decoded, edits)


def comment_lines(text: str, file: str) -> list[int]:
    """The lines that hold a YAML comment (case files allow none but a schema modeline on
    line 1: a comment cannot be sealed, and would keep personal data in history for good).

    A ``#`` at the start of a line or after a space is a comment unless it is inside a scalar.
    Every YAML line break counts (CR, NEL, LS and PS too), and a block scalar's header line
    (``|-  # note``) is not part of its value."""
    body = text.removeprefix("\ufeff")
    hashes = [m.start() for m in _COMMENT_START.finditer(body)]
    if hashes and hashes[0] == 0 and _MODELINE.match(body):
        hashes = hashes[1:]  # a schema modeline is the one comment allowed
    if not hashes:
        return []
    doc = load_spans(text, file)
    if doc is None:
        return []
    spans = sorted(_value_span(doc.text, s) for s in doc.spans.values())
    starts = [start for start, _ in spans]
    lines: set[int] = set()
    for at in hashes:
        i = bisect.bisect_right(starts, at) - 1
        if i < 0 or not spans[i][0] <= at < spans[i][1]:
            lines.add(len(_BREAK.findall(body, 0, at)) + 1)
    return sorted(lines)


def _value_span(text: str, span: Span) -> tuple[int, int]:
    """Where a scalar's value is: for a block scalar, after its header line."""
    if not span.block:
        return span.start, span.end
    found = _BREAK.search(text, span.start, span.end)
    return (found.end() if found else span.end), span.end


_LINE_BREAKS = "\r\n\x85\u2028\u2029"
_BREAK = re.compile(f"\r\n|[{_LINE_BREAKS}]")
_COMMENT_START = re.compile(f"(?:\\A|(?<=[ \t{_LINE_BREAKS}]))#")
#: A yaml-language-server schema modeline, alone on line 1 (rule MC109 says if it is the right one).
_MODELINE = re.compile(f"# yaml-language-server: \\$schema=[^\\s#]+[ \t]*(?:[{_LINE_BREAKS}]|\\Z)")


def comment_findings(text: str, file: str) -> list[Finding]:
    """MC013 for each comment line after the modeline."""
    return [
        Finding(
            file,
            line,
            1,
            "",
            COMMENT,
            Severity.ERROR,
            "comments are not allowed in a case file (only the modeline on line 1): a comment "
            "cannot be sealed; put the note in the entry it is about",
        )
        for line in comment_lines(text, file)
    ]
