"""Validation against the models, with pydantic's errors translated into our findings.

Pydantic never reaches the user: each error becomes a `Finding` with the file, the line of the
offending key, the data path and one of our rule ids.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .findings import Finding, Severity, format_path, shown_key
from .loading import Document
from .model import PERSONAL_MARK, model_in
from .types import DATE_OUT_OF_RANGE, INVALID_DATE, PATTERN_WORDS, SLUG_PATTERN

UNKNOWN_KEY = "MC101"
MISSING_KEY = "MC102"
BAD_VALUE = "MC103"
BAD_DATE = "MC008"
DATE_OUT_OF_WINDOW = "MC112"

M = TypeVar("M", bound=BaseModel)

PEOPLE_FILE = "policy/people.yaml"

#: What an id in lower-case-with-hyphens names, by the key it is written under, and an example
#: of that kind: a person's id where a person belongs, a service where a service does.
ID_KINDS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        (
            "by",
            "author",
            "decided_by",
            "reviewed_by",
            "sent_by",
            "spoc",
            "councillor",
            "made_by",
            "approved_by",
        ),
        ("person", "hugo-barrett"),
    ),
    "services": ("service", "council-tax"),
    "service": ("service", "council-tax"),
    "channel": ("channel", "telephone"),
    "blocks_channels": ("channel", "telephone"),
    "categories": ("conduct category", "shouting"),
    "conduct": ("conduct category", "shouting"),
    "measure": ("measure", "time-limits"),
    "states": ("letter content", "lgsco"),
    "role": ("role", "senior-manager"),
}
#: Where each kind of id is listed.
ID_SOURCES = {
    "person": PEOPLE_FILE,
    "measure": "policy/measures.yaml",
    "letter content": "policy/settings.yaml",
    "role": "policy/roles.yaml",
}


def closest_people(value: str, people: Mapping[str, str], n: int = 3) -> list[str]:
    """The ids of the people whose name or id is closest to `value` (`Hugo Barrett`,
    `hugo barrett` and `hugo-barret` all give `hugo-barrett`), closest first."""
    wanted = value.strip().lower()
    by_text: dict[str, str] = {}
    for pid, name in people.items():
        by_text.setdefault(pid, pid)
        by_text.setdefault(name.lower(), pid)
    out: list[str] = []
    for probe in (wanted, "-".join(wanted.split())):
        for text in difflib.get_close_matches(probe, list(by_text), n=n, cutoff=0.6):
            if by_text[text] not in out:
                out.append(by_text[text])
    return out[:n]


def person_hint(value: str, people: Mapping[str, str] | None) -> str:
    """How to name a person, with the closest ids to what was written where there are any."""
    hint = f"people are named by their id in {PEOPLE_FILE}"
    close = closest_people(value, people) if people else []
    if close:
        return hint + ": did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    return hint + ", e.g. 'hugo-barrett'"


def _id_kind(loc: tuple[str | int, ...]) -> tuple[str, str] | None:
    """What kind of id belongs at `loc`, from the key it is written under."""
    names = [part for part in loc if isinstance(part, str)]
    return ID_KINDS.get(names[-1]) if names else None


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model that owns the mapping at `loc`, walking through lists and optionals."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            by_alias = [f for f in current.model_fields.values() if f.alias == part]
            if not by_alias:
                return None
            field = by_alias[0]
        current = model_in(field.annotation)
    return current


def _keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _visible(text: str) -> str:
    """`text` with what cannot be seen (control and format characters: a zero-width space, a
    right-to-left override) written as its code, so a key that looks right shows why not."""
    return "".join(
        c if c.isprintable() and unicodedata.category(c) != "Cf" else f"\\u{ord(c):04x}"
        for c in text
    )


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@cache
def _holds_personal(model: type[BaseModel]) -> bool:
    """Whether `model`, or a model inside it, has a field marked as personal data."""
    for field in model.model_fields.values():
        extra = field.json_schema_extra
        if isinstance(extra, dict) and extra.get(PERSONAL_MARK):
            return True
        inner = model_in(field.annotation)
        if inner is not None and inner is not model and _holds_personal(inner):
            return True
    return False


def personal_path(model: type[BaseModel], loc: tuple[str | int, ...]) -> bool:
    """The one rule for what a finding may quote: nothing at a *personal path*, which is a field
    the model marks as personal data (`model.PERSONAL_MARK`), anything inside one, or an
    ancestor of one: where a mapping or list holding such fields belongs (``customer: "<name
    and address>"``, a history section or an entry written as text, a whole file written as one
    line, the top of the file). Findings end up in CI logs. (The loader, which knows no model,
    quotes only names written like field names: `findings.shown_key`.)"""
    owner = _model_at(model, loc)
    if owner is not None and _holds_personal(owner):
        return True
    for depth in range(1, len(loc) + 1):
        *parent, name = loc[:depth]
        if isinstance(name, int):
            continue
        owner = _model_at(model, tuple(parent))
        field = owner.model_fields.get(name) if owner is not None else None
        extra = field.json_schema_extra if field is not None else None
        if isinstance(extra, dict) and extra.get(PERSONAL_MARK):
            return True
    return False


def _got(error: Any, model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    if personal_path(model, loc):
        return "(personal data, not shown)"
    value = error.get("input")
    if isinstance(value, dict | list):  # what is inside is anyone's guess: say only what it is
        return "a mapping" if isinstance(value, dict) else "a list"
    return _shown(value)


def translate(
    error: Any,
    model: type[BaseModel],
    doc: Document,
    people: Mapping[str, str] | None = None,
) -> Finding:
    """One pydantic error as our finding; `people` (id → name) lets a person's name written
    where their id belongs be answered with the closest ids."""
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        key = str(loc[-1])
        close = difflib.get_close_matches(key, _keys(owner), n=1) if owner is not None else []
        if not close and not shown_key(key):
            # not a mistyped field name but text, maybe a name or an address: never shown
            pos = doc.locate(loc)
            allowed = f"; allowed here: {', '.join(_keys(owner))}" if owner is not None else ""
            return Finding(
                doc.file,
                pos.line,
                pos.column,
                format_path(loc[:-1]),
                UNKNOWN_KEY,
                Severity.ERROR,
                f"unknown key (not shown: it may be personal data){allowed}",
            )
        hint = ""
        if owner is not None:
            hint = (
                f"; did you mean '{close[0]}'?"
                if close
                else (f"; allowed here: {', '.join(_keys(owner))}")
            )
        return doc.finding(loc, UNKNOWN_KEY, f"unknown key '{_visible(key)}'{hint}")
    if kind == "missing":
        return doc.finding(loc, MISSING_KEY, f"missing required key '{loc[-1]}'")
    if kind == INVALID_DATE:
        return doc.finding(loc, BAD_DATE, error["msg"])
    if kind == DATE_OUT_OF_RANGE:
        return doc.finding(loc, DATE_OUT_OF_WINDOW, error["msg"])
    if kind == "string_pattern_mismatch":
        pattern = (error.get("ctx") or {}).get("pattern", "")
        expected = PATTERN_WORDS.get(pattern, f"text matching {pattern}")
        kind = _id_kind(loc) if pattern == SLUG_PATTERN else None
        got = _got(error, model, loc)
        if kind is not None and kind[0] == "person" and not personal_path(model, loc):
            value = str(error.get("input"))
            return doc.finding(
                loc, BAD_VALUE, f"should be a person's id, got {got}: {person_hint(value, people)}"
            )
        if kind is not None:
            what, example = kind
            where = ID_SOURCES.get(what, "policy/vocabulary.yaml")
            expected = f"a {what} id from {where}, e.g. '{example}' (lower case, hyphens)"
        return doc.finding(loc, BAD_VALUE, f"should be {expected}, got {got}")
    message = error["msg"].replace(" after validation", "")
    for subject in ("Input", "List", "String", "Dictionary"):
        if message.startswith(f"{subject} should "):
            message = message[len(subject) + 1 :]
    if kind == "model_type" or kind == "model_attributes_type":
        message = "should be a mapping of keys to values"
    return doc.finding(loc, BAD_VALUE, f"{message}, got {_got(error, model, loc)}")


def validate(
    model: type[M], doc: Document, people: Mapping[str, str] | None = None
) -> tuple[M | None, list[Finding]]:
    """Validate a loaded document against a model; all errors, never the first only. With
    `people` (the registry's ids and names), a person written by name is offered their id."""
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        return None, [translate(err, model, doc, people) for err in errors]
