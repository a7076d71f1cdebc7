"""Rewriting values inside YAML text, leaving every other byte as it was.

Sealing and unsealing replace scalars in place, at the positions the strict loader recorded, so
a file's layout, its flow lists, its comments-free modeline and its line endings survive.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import yaml


@dataclass(frozen=True, order=True)
class Edit:
    """Replace ``text[start:end]`` with `replacement`."""

    start: int
    end: int
    replacement: str


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """`text` with each edit made; edits must not overlap."""
    out: list[str] = []
    at = 0
    for edit in sorted(edits):
        if edit.start < at:
            raise ValueError("overlapping edits")
        out += [text[at : edit.start], edit.replacement]
        at = edit.end
    out.append(text[at:])
    return "".join(out)


_TRAILING_BREAKS = re.compile(r"(?:\r?\n[ \t]*)*\r?\n[ \t]*\Z")


def scalar_edit(
    text: str, start: int, end: int, block: bool, replacement: str, *, flow: bool = False
) -> Edit:
    """The edit that puts `replacement` (one line) where the scalar at `start:end` was.

    A block scalar (``|`` or ``>``) owns the line breaks after its last line; they are kept.
    In a flow collection (``[a, b]``), where a bracket or comma would end the value, the
    replacement is written quoted."""
    if block:
        trailing = _TRAILING_BREAKS.search(text, start, end)
        if trailing is not None:
            end = trailing.start()
    return Edit(start, end, _quoted(replacement) if flow else replacement)


_PLAIN_SAFE = re.compile(r"[A-Za-z0-9(][A-Za-z0-9 .,'()/&+@_-]*\Z")
_WORDS_WITH_MEANING = re.compile(
    r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|"
    r"null|Null|NULL|~|[-+]?[0-9][0-9_.:eE+-]*)\Z"
)


def _quoted(value: str) -> str:
    out = ['"']
    for char in value:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif 0x20 <= code < 0x7F or (code > 0xA0 and char.isprintable() and code not in (0xFEFF,)):
            out.append(char)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def _folded(value: str, indent: int, width: int = 96) -> str | None:
    """`value` as a folded block scalar, or None when folding cannot keep it exactly."""
    if not value or value != value.strip() or "\n" in value or "  " in value:
        return None
    if any(not char.isprintable() for char in value):
        return None
    lines: list[str] = []
    line = ""
    for word in value.split(" "):
        if line and len(line) + 1 + len(word) > width - indent:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    pad = " " * indent
    return ">-\n" + "\n".join(pad + part for part in lines)


def _literal(value: str, indent: int) -> str | None:
    """`value` as a literal block scalar (keeping its line breaks), or None."""
    if "\n" not in value or value != value.strip() or "\r" in value:
        return None
    if any(not (char.isprintable() or char == "\n") for char in value):
        return None
    if any(line != line.rstrip() or not line for line in value.split("\n")):
        return None
    pad = " " * indent
    return "|-\n" + "\n".join(pad + part for part in value.split("\n"))


def _reads_back(candidate: str, value: str) -> bool:
    try:
        loaded = yaml.safe_load(f"k: {candidate}\n")
    except yaml.YAMLError:
        return False
    return isinstance(loaded, dict) and loaded.get("k") == value


def render_scalar(value: str, indent: int, *, flow: bool, width: int = 96) -> str:
    """`value` written as YAML for a person to read and edit, reading back exactly as `value`.

    `indent` is the column the block scalar's lines start at. In a flow list (``[a, b]``) only
    quoted text is possible."""
    candidates: list[Callable[[], str | None]] = []
    if not flow:
        candidates.append(
            lambda: (
                value if _PLAIN_SAFE.match(value) and not _WORDS_WITH_MEANING.match(value) else None
            )
        )
        if len(value) > width - indent:
            candidates.append(lambda: _folded(value, indent, width))
        candidates.append(lambda: _literal(value, indent))
    for make in candidates:
        candidate = make()
        if candidate is not None and _reads_back(_for_check(candidate), value):
            return candidate
    return _quoted(value)


def _for_check(candidate: str) -> str:
    """A block scalar re-indented for the one-key document `_reads_back` parses."""
    if candidate.startswith((">-\n", "|-\n")):
        head, _, body = candidate.partition("\n")
        lines = [line.strip() if line.strip() else "" for line in body.split("\n")]
        if candidate.startswith(">-"):
            return head + "\n" + "\n".join("  " + line for line in lines)
        # a literal keeps inner indentation: strip only the common indent
        common = min(len(line) - len(line.lstrip(" ")) for line in body.split("\n") if line)
        return head + "\n" + "\n".join("  " + line[common:] for line in body.split("\n"))
    return candidate
