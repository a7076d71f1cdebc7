"""Sealed personal data: every personal value in a case file is sealed, and each seal is sound.

Reported while a case is opened (`personal.open_document`), before any family runs. A personal
field holding plain text is an error: sealing is not optional (MC010). A sealed value that is cut
short or altered is an error with or without keys (MC011); one that the case's key does not open,
because it was sealed for another case or field or changed, is found where the key is at hand
(MC012). Case files hold no comments beyond the modeline, since a comment cannot be sealed
(MC013).
"""

from __future__ import annotations

from .rule import E, Rule

RULES = (
    Rule("MC010", E, "Personal data is sealed, never written in plain text."),
    Rule("MC011", E, "A sealed value is whole: not cut short or altered."),
    Rule(
        "MC012",
        E,
        "A sealed value opens with its case's key, in the field it was sealed for.",
        needs_keys=True,
    ),
    Rule("MC013", E, "Case files hold no comments beyond the modeline."),
)
