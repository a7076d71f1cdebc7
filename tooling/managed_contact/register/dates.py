"""The policy's date arithmetic: calendar months that clamp to the month's end, and "today".

The register's date window: every date a case or policy file holds, and every "today" a
command is given, lies between `EARLIEST` and `LATEST` (1900-01-01 to 2199-12-31). The policy's
periods are at most ten years (`policy/periods.yaml`, bounded by its model) and `mcr due` looks
at most `MAX_WITHIN_DAYS` ahead, so no date the tool works out from one in the window comes near
the calendar's end (9999-12-31): the arithmetic cannot overflow. A date outside the window is a
finding (MC112) in a file and a usage error in an option.

Dates before the policy existed (`POLICY_SINCE`, v3.0 of September 2019) are possible, since an
incident may be years old, but more likely a mistyped year: they are a warning (MC113).
"""

from __future__ import annotations

import calendar
import os
import re
from datetime import date

TODAY_ENV = "MCR_TODAY"

#: The first and last day a date in the register, or a command's "today", may be.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
#: The furthest ahead `mcr due --within` looks: a hundred years.
MAX_WITHIN_DAYS = 36_525
#: The Managed Contact Policy v3.0, September 2019 (DOMAIN.md §0): nothing in a case is older.
POLICY_SINCE = date(2019, 9, 1)


def in_window(day: date) -> bool:
    """Whether `day` lies in the register's date window."""
    return EARLIEST <= day <= LATEST


def window_words() -> str:
    return f"between {EARLIEST.isoformat()} and {LATEST.isoformat()}"


def add_months(start: date, months: int) -> date:
    """`start` plus whole calendar months; a day past the new month's end becomes its last day.

    31 August + 6 months is 28 February (29 in a leap year); 29 February + 12 months is
    28 February. `months` may be negative.
    """
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


def parse_day(value: str) -> date:
    """A date given by a person (an option, an answer): written YYYY-MM-DD, real, and in the
    register's window; otherwise ValueError, saying which in plain words."""
    given = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", given):
        raise ValueError(f"give a date written YYYY-MM-DD, not {given!r}")
    try:
        day = date.fromisoformat(given)
    except ValueError:
        raise ValueError(f"{given} is not a real calendar date") from None
    if not in_window(day):
        raise ValueError(f"{given} is not a date the register holds: give one {window_words()}")
    return day


def parse_today(value: str | None) -> date:
    """Today's date: `value` (YYYY-MM-DD) when given, else `$MCR_TODAY`, else the clock; in
    the register's window."""
    chosen = value or os.environ.get(TODAY_ENV)
    if chosen:
        try:
            return parse_day(chosen)
        except ValueError as exc:
            raise ValueError(f"today: {exc}") from None
    return date.today()
