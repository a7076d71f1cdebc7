"""Text as it is shown: nothing in a value changes how the text around it reads.

A bidirectional control character (an override such as U+202E, an embedding, an isolate or a
directional mark) is invisible, and turns the text after it around on a screen, in a letter or
in a spreadsheet: a name ending in one can make the case id beside it read backwards. No name,
account or reason needs one (a right-to-left script shows right to left without them), so a
personal value holding one is an error (MC030), named by the character, never by the value.
Combining characters (accents) are text, and stay.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from ..personal import personal_values
from .rule import E, Rule

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (
    Rule(
        "MC030",
        E,
        "No value holds a bidirectional control character (an override, embedding, isolate "
        "or mark) that changes how the text around it reads.",
        needs_keys=True,
    ),
)

#: U+061C, U+200E and U+200F (marks), U+202A to U+202E (embeddings and overrides), U+2066 to
#: U+2069 (isolates).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def bidi_controls(text: str) -> list[str]:
    """The bidirectional control characters in `text`, each once, in the order met."""
    return list(dict.fromkeys(c for c in text if c in BIDI_CONTROLS))


def check(cx: CaseContext) -> None:
    """Every personal value the key opened, for bidirectional controls."""
    if cx.loaded.sealed:
        return  # a placeholder stands for some value: what it hides cannot be read
    for path, _, value in personal_values(cx.doc.data):
        if not isinstance(value, str):
            continue
        found = bidi_controls(value)
        if found:
            named = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'control')}" for c in found)
            cx.report(
                path,
                "MC030",
                f"holds {named}, invisible, which changes how the text around it reads (a case "
                "id beside it can read backwards): delete it (mcr edit); right-to-left text "
                "needs no such character",
            )
