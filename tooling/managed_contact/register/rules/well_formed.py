"""Well-formed files: what is checked while a file is read and validated, before any family runs.

A case or policy file is UTF-8, within the size bound, one YAML document with no syntax errors,
duplicate keys, anchors, aliases or tags (MC001 to MC007, reported by `loading`), with no control
character (MC009) and no merge-conflict marker (MC111), each reported at its own line before the
file is parsed. Its values match the models: no unknown keys, no missing ones, values of the
right type and range, and real ISO 8601 dates (MC101 to MC103 and MC008) in the register's date
window, 1900-01-01 to 2199-12-31 (MC112, `register/dates.py`), reported by `validation`. A file
that fails these is not judged by the other rules. The `reviews` and `challenges` families also
report MC103, for values a review or a challenge carries only with some outcomes.
"""

from __future__ import annotations

from ..dates import window_words
from .rule import E, Rule

RULES = (
    Rule("MC001", E, "File is not UTF-8."),
    Rule("MC002", E, "File is larger than the size bound."),
    Rule("MC003", E, "YAML syntax error."),
    Rule("MC004", E, "Duplicate key."),
    Rule("MC005", E, "YAML anchors and aliases are not allowed."),
    Rule("MC006", E, "YAML tags are not allowed."),
    Rule("MC007", E, "More than one YAML document in a file."),
    Rule("MC008", E, "Dates are ISO 8601 (YYYY-MM-DD) and real calendar dates."),
    Rule("MC009", E, "No control characters (other than tab and line breaks) in a file."),
    Rule("MC101", E, "Unknown key (a typo must not pass silently)."),
    Rule("MC102", E, "Missing required key."),
    Rule("MC103", E, "Value of the wrong type or out of range."),
    Rule("MC111", E, "No merge-conflict markers: a merge left unresolved."),
    Rule("MC112", E, f"Dates lie {window_words()}, the register's date window."),
)
