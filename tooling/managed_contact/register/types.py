"""Constrained value types shared by the case and policy models."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from .dates import EARLIEST, LATEST

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")

#: Pydantic error type raised for dates that are malformed or not on the calendar.
INVALID_DATE = "invalid_date"
#: Pydantic error type raised for real dates outside the register's window (`dates.EARLIEST` to
#: `dates.LATEST`).
DATE_OUT_OF_RANGE = "date_out_of_range"


def _kind(value: Any) -> str:
    """What a value that is not text is, in words (its content is not shown)."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "nothing" if value is None else f"the {type(value).__name__} {value!r}"


def _iso_date(value: Any) -> date:
    if isinstance(value, date):
        day = value
    elif not isinstance(value, str):
        raise PydanticCustomError(
            INVALID_DATE, "expected a date written YYYY-MM-DD, got {value}", {"value": _kind(value)}
        )
    elif not _ISO_DATE.match(value):
        raise PydanticCustomError(
            INVALID_DATE, "expected a date written YYYY-MM-DD, got '{value}'", {"value": value}
        )
    else:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                INVALID_DATE, "{value} is not a real calendar date", {"value": value}
            ) from None
    if not EARLIEST <= day <= LATEST:
        raise PydanticCustomError(
            DATE_OUT_OF_RANGE,
            "{value} is outside the register's dates, {earliest} to {latest}: check the year",
            {
                "value": day.isoformat(),
                "earliest": EARLIEST.isoformat(),
                "latest": LATEST.isoformat(),
            },
        )
    return day


IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema(
        {"type": "string", "format": "date", "pattern": r"^(19[0-9]{2}|2[01][0-9]{2})-\d{2}-\d{2}$"}
    ),
]
"""A calendar date written as an ISO 8601 string (YYYY-MM-DD) in the register's window
(`dates.EARLIEST` to `dates.LATEST`); `2026-02-30` and `9999-12-20` are errors."""

SLUG_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
CASE_ID_PATTERN = r"^MC-[0-9]{4}-[0-9]{4}$"
ENTRY_ID_PATTERN = r"^[A-Z][0-9]{1,4}$"
#: Text with something to see: not only spaces.
VISIBLE_PATTERN = r"\S"

#: What each pattern means, in words, for error messages.
PATTERN_WORDS = {
    SLUG_PATTERN: "an id in lower-case-with-hyphens, e.g. 'council-tax'",
    CASE_ID_PATTERN: "a case id like 'MC-2026-0001'",
    ENTRY_ID_PATTERN: "an entry id: a capital letter and a number, e.g. 'D1'",
    VISIBLE_PATTERN: "text with something other than spaces",
}

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=60)]
"""An identifier from the policy vocabulary, in lower-case-with-hyphens."""

PersonId = Slug
"""A person's id in `policy/people.yaml`."""

CaseId = Annotated[str, StringConstraints(pattern=CASE_ID_PATTERN)]
"""A case id, `MC-<year>-<number>`, which is also the case file's name."""

EntryId = Annotated[str, StringConstraints(pattern=ENTRY_ID_PATTERN)]
"""The id of one entry in a case's history, unique within the case: D1, R2, L3, C1…"""

Text = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
"""Free text. Never empty."""

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300)]
"""A name, a reference or a one-line note."""

VisibleText = Annotated[
    str, StringConstraints(min_length=1, max_length=300, pattern=VISIBLE_PATTERN)
]
"""One line of text shown on every page, such as the protective marking: not only spaces."""
