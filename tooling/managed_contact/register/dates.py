"""The policy's date arithmetic: calendar months that clamp to the month's end, and "today"."""

from __future__ import annotations

import calendar
import os
import re
from datetime import date

TODAY_ENV = "MCR_TODAY"


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


def parse_today(value: str | None) -> date:
    """Today's date: `value` (YYYY-MM-DD) when given, else `$MCR_TODAY`, else the clock."""
    chosen = value or os.environ.get(TODAY_ENV)
    if chosen:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", chosen):
                raise ValueError(chosen)
            return date.fromisoformat(chosen)
        except ValueError:
            raise ValueError(f"today must be a date written YYYY-MM-DD, got {chosen!r}") from None
    return date.today()
