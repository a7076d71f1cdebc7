"""Text as it is shown: nothing in a value changes how the text around it reads.

A bidirectional control character (an override such as U+202E, an embedding, an isolate or a
directional mark) is invisible, and turns the text after it around on a screen, in a letter or
in a spreadsheet: a name ending in one can make the case id beside it read backwards. No name,
account or reason needs one (a right-to-left script shows right to left without them). A control
character (which YAML lets a quoted value write as an escape, such as ``"\\e"``) can recolour or
rewrite a terminal that prints it; and a line break or tab in a one-line value (a name, alias,
reference or address) splits the row of every table and listing that shows it. A personal value
holding any of these is an error (MC030), named by the character, never by the value. Free text
keeps its line breaks and tabs; combining characters (accents) are text, and stay.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, get_args

from ..model import Case, model_in
from ..personal import personal_values
from ..types import ShortText
from .rule import E, Rule

if TYPE_CHECKING:
    from pydantic import BaseModel

    from .context import CaseContext

RULES = (
    Rule(
        "MC030",
        E,
        "No value holds an invisible control: a bidirectional override, embedding, isolate or "
        "mark, a terminal control, or a line break or tab in a one-line value (a name, alias or "
        "reference).",
        needs_keys=True,
    ),
)

#: U+061C, U+200E and U+200F (marks), U+202A to U+202E (embeddings and overrides), U+2066 to
#: U+2069 (isolates).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
#: What free text may hold that a one-line value may not.
MULTI_LINE = frozenset("\n\t")
_NAMES = {"\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\x1b": "ESCAPE"}


def controls(text: str, one_line: bool) -> list[str]:
    """The invisible controls in `text` (each once, in the order met): bidirectional controls,
    and control characters, line breaks and tabs allowed only where `one_line` is false."""
    allowed = frozenset() if one_line else MULTI_LINE
    found = [
        c
        for c in text
        if c in BIDI_CONTROLS
        or c in "\u2028\u2029"
        or (unicodedata.category(c) == "Cc" and c not in allowed)
    ]
    return list(dict.fromkeys(found))


def _named(c: str) -> str:
    return f"U+{ord(c):04X} {_NAMES.get(c) or unicodedata.name(c, 'CONTROL')}"


def _mentions(annotation: Any, wanted: Any) -> bool:
    return bool(annotation == wanted or any(_mentions(a, wanted) for a in get_args(annotation)))


@cache
def one_line(path: tuple[str | int, ...]) -> bool:
    """Whether the case field at `path` holds one line (a `ShortText`: name, alias, reference)."""
    model: type[BaseModel] | None = Case
    annotation: Any = None
    for part in path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model is not None else None
        if field is None:
            return False
        # pydantic keeps a field's own constraints apart from its type: put them back
        annotation = (
            Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
        )
        model = model_in(field.annotation)
    return annotation is not None and _mentions(annotation, ShortText)


def check(cx: CaseContext) -> None:
    """Every personal value the key opened, for invisible controls."""
    if cx.loaded.sealed:
        return  # a placeholder stands for some value: what it hides cannot be read
    for path, _, value in personal_values(cx.doc.data):
        if not isinstance(value, str):
            continue
        found = controls(value, one_line(tuple(path)))
        if found:
            cx.report(
                path,
                "MC030",
                f"holds {', '.join(map(_named, found))}, invisible, which changes how the text "
                "around it reads or is shown (a case id beside it can read backwards, a "
                "table row can split): delete it (mcr edit)",
            )
