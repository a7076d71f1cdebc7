"""Strict YAML loading: the one way the tool reads any YAML file.

The loader works from the parser's event stream rather than PyYAML's constructors, so that it can
record where every value came from and refuse what a register must never contain:

* duplicate keys, anchors and aliases, explicit or custom tags, several documents in one file;
* files that are not UTF-8 or are larger than a bound;
* characters no YAML file may hold (C0 and C1 control characters other than tab, line feed and
  carriage return; DEL; U+2028 and U+2029, which the parser would count as line breaks), each
  reported at its own line and column and named (U+0000);
* merge-conflict markers (``<<<<<<<``, ``|||||||``, ``=======``, ``>>>>>>>`` at the start of a
  line), found before parsing, each at its line: the file is a merge left unresolved;
* YAML 1.1 retyping: only ``true``/``false``, ``null``/``~``, and decimal integers without a leading
  zero (at most 18 digits) are typed. ``no``, ``on``, ``0123``, ``12:30`` and ``2026-01-05``
  stay strings (dates are checked as real dates by the models).

Every problem becomes a `Finding` with file, line and column; loading never stops at the first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .findings import Finding, Severity, format_path, shown_key

#: Largest file the loader reads. A case is a few kilobytes; anything this big is a mistake.
MAX_BYTES = 256 * 1024
#: Deepest nesting of lists and mappings the loader builds. A case is six levels deep.
MAX_DEPTH = 64

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
#: Decimal integers, up to 18 digits: a longer run of digits stays text (and is the wrong type
#: wherever a number belongs), so no value can be too long for Python to convert.
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,17})\Z")
_STANDARD_TAG = "tag:yaml.org,2002:"  # the parser expands `!!str` to this; show it as written

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in a file."""

    line: int
    column: int


@dataclass(frozen=True)
class Span:
    """Where a scalar's text is: ``text[start:end]``, in characters of the decoded file."""

    start: int
    end: int
    block: bool  # a `|` or `>` block scalar, which owns the line breaks after it
    flow: bool  # inside a flow collection (`[a, b]`), where only quoted text can go


@dataclass
class Document:
    """A loaded YAML file: its data and where each value in it came from."""

    file: str
    data: Any
    positions: dict[Path_, Position] = field(default_factory=dict)
    first_line: str = ""
    #: The decoded text, and every scalar's span when loaded with ``spans=True`` (to rewrite
    #: values in place).
    text: str = ""
    spans: dict[Path_, Span] = field(default_factory=dict)

    def locate(self, path: Path_) -> Position:
        """The position of `path`, or of its nearest ancestor that exists in the file."""
        probe = tuple(path)
        while probe:
            found = self.positions.get(probe)
            if found is not None:
                return found
            probe = probe[:-1]
        return self.positions.get((), Position(1, 1))

    def finding(
        self,
        path: Path_,
        rule: str,
        message: str,
        severity: Severity = Severity.ERROR,
    ) -> Finding:
        pos = self.locate(path)
        return Finding(self.file, pos.line, pos.column, format_path(path), rule, severity, message)


# Rule ids for loading problems; declared, with their descriptions, in rules/well_formed.py.
NOT_UTF8 = "MC001"
TOO_LARGE = "MC002"
SYNTAX = "MC003"
DUPLICATE_KEY = "MC004"
ALIAS = "MC005"
TAG = "MC006"
MULTI_DOC = "MC007"
CONTROL = "MC009"
CONFLICT = "MC111"

#: Characters no register file may hold: YAML forbids most of them, and the parser counts the
#: others (NEL, U+2028, U+2029) as line breaks where editors and our line numbers do not.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
_CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "BACKSPACE",
    0x0B: "VERTICAL TAB",
    0x0C: "FORM FEED",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
    0x2028: "LINE SEPARATOR",
    0x2029: "PARAGRAPH SEPARATOR",
}
#: At most this many control characters are reported in one file, one per line.
_MAX_CONTROL_FINDINGS = 10
#: The lines git writes around the two sides of a conflict it could not merge.
_CONFLICT = re.compile(r"^(<{7}|\|{7}|={7}|>{7})(?: |$)", re.MULTILINE)
_CONFLICT_WORDS = {
    "<": "the start of our side",
    "|": "the common ancestor",
    "=": "the divide between the two sides",
    ">": "the end of their side",
}


def _named(sigil: str, name: str) -> str:
    """An anchor's or a custom tag's name as a finding shows it: only one written like a field
    name. It is the writer's own text, maybe a name, and findings reach CI logs."""
    return f"'{sigil}{name}'" if shown_key(name) else f"'{sigil}…' (name not shown)"


class _Builder:
    """Builds plain Python values from parser events, recording positions and problems."""

    def __init__(self, file: str, events: Iterator[Any], spans: bool = False) -> None:
        self.file = file
        self.events = events
        self.positions: dict[Path_, Position] = {}
        self.findings: list[Finding] = []
        self.spans: dict[Path_, Span] | None = {} if spans else None
        self.flow = 0
        self.depth = 0

    def _pos(self, event: Any) -> Position:
        mark = event.start_mark
        return Position(mark.line + 1, mark.column + 1)

    def _problem(self, event: Any, path: Path_, rule: str, message: str) -> None:
        pos = self._pos(event)
        self.findings.append(
            Finding(
                self.file, pos.line, pos.column, format_path(path), rule, Severity.ERROR, message
            )
        )

    def _check_node(self, event: Any, path: Path_) -> None:
        if getattr(event, "anchor", None) is not None:
            self._problem(
                event,
                path,
                ALIAS,
                f"anchor {_named('&', event.anchor)} is not allowed: write each value out in full",
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = (
                "'!!" + tag.removeprefix(_STANDARD_TAG) + "'"
                if tag.startswith(_STANDARD_TAG)
                else _named("!", tag.removeprefix("!"))
            )
            self._problem(
                event, path, TAG, f"tag {shown} is not allowed: values are plain YAML, untagged"
            )

    def node(self, event: Any, path: Path_) -> Any:
        if isinstance(event, yaml.AliasEvent):
            named = _named("*", event.anchor or "")
            self._problem(
                event, path, ALIAS, f"alias {named} is not allowed: write each value out in full"
            )
            return None
        self._check_node(event, path)
        if isinstance(event, yaml.ScalarEvent):
            if self.spans is not None and event.start_mark and event.end_mark:
                self.spans[path] = Span(
                    event.start_mark.index,
                    event.end_mark.index,
                    event.style in ("|", ">"),
                    self.flow > 0,
                )
            return _resolve(event)
        if self.depth == MAX_DEPTH:
            self._problem(
                event,
                path,
                SYNTAX,
                f"lists and mappings nested more than {MAX_DEPTH} deep: a register file is a "
                "few levels deep; check the brackets and the indentation",
            )
            self._skip(event)
            return None
        flow = 1 if getattr(event, "flow_style", False) else 0
        self.flow += flow
        self.depth += 1
        try:
            return self._collection(event, path)
        finally:
            self.flow -= flow
            self.depth -= 1

    def _skip(self, event: Any) -> None:
        """Consume the events of the collection `event` opens, without building it."""
        open_ = 1
        for ev in self.events:
            if isinstance(ev, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                open_ += 1
            elif isinstance(ev, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                open_ -= 1
                if open_ == 0:
                    return

    def _collection(self, event: Any, path: Path_) -> Any:
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
            for ev in self.events:
                if isinstance(ev, yaml.SequenceEndEvent):
                    return items
                child = (*path, len(items))
                self.positions[child] = self._pos(ev)
                items.append(self.node(ev, child))
            return items
        if isinstance(event, yaml.MappingStartEvent):
            mapping: dict[str, Any] = {}
            for key_event in self.events:
                if isinstance(key_event, yaml.MappingEndEvent):
                    return mapping
                if not isinstance(key_event, yaml.ScalarEvent):
                    self._problem(key_event, path, SYNTAX, "mapping keys must be plain text")
                    self.node(key_event, path)
                    self.node(next(self.events), path)
                    continue
                self._check_node(key_event, path)
                key = str(key_event.value)
                child = (*path, key)
                if key in mapping:
                    first = self.positions[child]
                    shown = shown_key(key)
                    self._problem(
                        key_event,
                        child if shown else path,
                        DUPLICATE_KEY,
                        f"duplicate key {repr(key) if shown else '(not shown)'} "
                        f"(first at line {first.line}): keep one and merge the values",
                    )
                    self.node(next(self.events), child)
                    continue
                self.positions[child] = self._pos(key_event)
                mapping[key] = self.node(next(self.events), child)
            return mapping
        raise yaml.YAMLError(f"unexpected {type(event).__name__}")  # pragma: no cover


def _resolve(event: Any) -> Any:
    value: str = event.value
    if event.style not in (None, ""):  # quoted or block scalars are always text
        return value
    if value in _NULLS:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.match(value):
        return int(value)
    return value


def _position_in_text(text: str, offset: int) -> Position:
    """The line and column (in characters) of `text[offset]`, lines counted by line feeds."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Position(line, column)


def _before_parsing(text: str, file: str) -> list[Finding]:
    """What makes a file unreadable and must be reported where it is, not where the parser
    gives up: merge-conflict markers, and control characters."""

    def at(pos: Position, rule: str, message: str) -> Finding:
        return Finding(file, pos.line, pos.column, "", rule, Severity.ERROR, message)

    findings: list[Finding] = []
    for match in _CONFLICT.finditer(text):
        marker = match.group(1)
        findings.append(
            at(
                _position_in_text(text, match.start()),
                CONFLICT,
                f"merge conflict marker '{marker}' ({_CONFLICT_WORDS[marker[0]]}): a merge left "
                "unresolved; keep the right lines of each side and remove every marker line",
            )
        )
    lines: set[int] = set()
    wide = text.count("\x00") * 4 >= len(text) > 0  # UTF-16 or UTF-32 read as UTF-8
    for match in _CONTROL.finditer(text):
        pos = _position_in_text(text, match.start())
        if pos.line in lines:
            continue
        if len(lines) == (1 if wide else _MAX_CONTROL_FINDINGS):
            break
        lines.add(pos.line)
        code = ord(match.group())
        name = _CONTROL_NAMES.get(code)
        shown = f"U+{code:04X}" + (f" ({name})" if name else "")
        hint = (
            "the file looks saved as UTF-16 or UTF-32: save it as UTF-8"
            if wide
            else "delete it (it is invisible in most editors; write a line break as a new line)"
        )
        findings.append(
            at(
                pos,
                CONTROL,
                f"control character {shown} is not allowed in a register file: {hint}",
            )
        )
    return findings


def _line_of_offset(raw: bytes, offset: int) -> Position:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return Position(line, column)


#: PyYAML's words for a colon and a space inside text that is not in quotes.
_COLON_IN_TEXT = "mapping values are not allowed"
#: The key a line of a mapping starts with (`    account: ...`, `  - account: ...`).
_LINE_KEY = re.compile(r"\s*(?:-\s+)*([^\s:#'\"][^:#]*?):(?:\s|$)")


def _syntax_hint(problem: str, text: str, line: int | None) -> str:
    """What to do about a syntax error people make by hand, or nothing. Only the key of the
    line is named, never its value, which is free text (personal data) until it is sealed."""
    if not problem.startswith(_COLON_IN_TEXT):
        return ""
    lines = text.split("\n")
    found = _LINE_KEY.match(lines[line]) if line is not None and line < len(lines) else None
    key = found.group(1).strip() if found else ""
    example = f'{key}: "…"' if key and shown_key(key) else 'key: "…"'
    return (
        ": a colon followed by a space inside text that is not in quotes starts a new key; "
        f"put the whole text in double quotes, e.g. {example}, and write any double quote "
        'inside it as \\"'
    )


def load_bytes(
    raw: bytes,
    file: str,
    *,
    max_bytes: int = MAX_BYTES,
    size: int | None = None,
    spans: bool = False,
) -> tuple[Document | None, list[Finding]]:
    """Load one YAML document from bytes. Returns the document (None if unreadable) and findings.

    `size` is the whole file's size when `raw` is only its first `max_bytes + 1` bytes. With
    `spans`, the document also keeps its text and where each scalar is in it."""

    def fail(pos: Position, rule: str, message: str) -> tuple[None, list[Finding]]:
        return None, [Finding(file, pos.line, pos.column, "", rule, Severity.ERROR, message)]

    if len(raw) > max_bytes:
        return fail(
            Position(1, 1),
            TOO_LARGE,
            f"file is {max(size or 0, len(raw)):,} bytes, over the {max_bytes:,}-byte limit: "
            "keep attachments out of the register",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return fail(
            _line_of_offset(raw, exc.start),
            NOT_UTF8,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}): save the file as UTF-8",
        )
    text = text.removeprefix("\ufeff")
    unreadable = _before_parsing(text, file)
    if unreadable:
        return None, unreadable
    builder = _Builder(file, iter(()), spans)
    try:
        events = yaml.parse(text, Loader=_Loader)
        builder.events = events
        data: Any = None
        documents = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    pos = builder._pos(event)
                    builder.findings.append(
                        Finding(
                            file,
                            pos.line,
                            pos.column,
                            "",
                            MULTI_DOC,
                            Severity.ERROR,
                            "more than one YAML document: a file holds exactly one",
                        )
                    )
                    break
            elif isinstance(
                event,
                yaml.ScalarEvent
                | yaml.SequenceStartEvent
                | yaml.MappingStartEvent
                | yaml.AliasEvent,
            ):
                builder.positions[()] = builder._pos(event)
                data = builder.node(event, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        hint = _syntax_hint(problem, text, mark.line if mark else None)
        return fail(pos, SYNTAX, f"YAML syntax: {problem}{context}{hint}")
    except yaml.YAMLError as exc:
        return fail(Position(1, 1), SYNTAX, f"YAML syntax: {exc}")
    except RecursionError:
        return fail(Position(1, 1), SYNTAX, "YAML nested too deeply")
    doc = Document(file, data, builder.positions, text.split("\n", 1)[0], text)
    if builder.spans is not None:
        doc.spans = builder.spans
    return doc, builder.findings


def load_file(
    path: Path, file: str | None = None, *, max_bytes: int = MAX_BYTES
) -> tuple[Document | None, list[Finding]]:
    """Load a YAML file from disk, reading no more than the size bound allows."""
    name = file if file is not None else str(path)
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        raw = handle.read(max_bytes + 1)
    return load_bytes(raw, name, max_bytes=max_bytes, size=size)
