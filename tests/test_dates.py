"""Date arithmetic against hand-worked answers, and the invariants it must keep."""

from __future__ import annotations

import calendar
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from managed_contact.register.dates import add_months, parse_today

# (start, months, expected), each worked out by hand on a calendar.
HAND_WORKED = [
    (date(2026, 1, 15), 6, date(2026, 7, 15)),  # plain
    (date(2026, 1, 31), 1, date(2026, 2, 28)),  # month end, common year
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # month end, leap year
    (date(2025, 8, 31), 6, date(2026, 2, 28)),  # the policy's example: 31 Aug + 6 months
    (date(2027, 8, 31), 6, date(2028, 2, 29)),  # ... into a leap February
    (date(2024, 2, 29), 12, date(2025, 2, 28)),  # 29 February + a year
    (date(2024, 2, 29), 48, date(2028, 2, 29)),  # 29 February + four years
    (date(2024, 2, 29), 6, date(2024, 8, 29)),  # 29 February is not a month end in August
    (date(2026, 3, 31), 6, date(2026, 9, 30)),  # 31 -> 30-day month
    (date(2026, 5, 31), 6, date(2026, 11, 30)),
    (date(2026, 6, 30), 6, date(2026, 12, 30)),  # 30th stays the 30th in December
    (date(2026, 7, 15), 6, date(2027, 1, 15)),  # across the year end
    (date(2026, 12, 31), 1, date(2027, 1, 31)),
    (date(2026, 12, 31), 2, date(2027, 2, 28)),
    (date(2026, 10, 31), 12, date(2027, 10, 31)),  # dormant retention, 12 months
    (date(2026, 1, 1), 0, date(2026, 1, 1)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2099, 12, 31), 1, date(2100, 1, 31)),  # 2100 is not a leap year...
    (date(2099, 12, 31), 2, date(2100, 2, 28)),
]


@pytest.mark.parametrize(("start", "months", "expected"), HAND_WORKED)
def test_add_months_hand_worked(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
months = st.integers(min_value=0, max_value=120)


@given(starts, months)
def test_never_before_the_start(start: date, n: int) -> None:
    assert add_months(start, n) >= start


@given(starts, months)
def test_lands_in_the_right_month_and_never_past_its_end(start: date, n: int) -> None:
    result = add_months(start, n)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == n
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day <= last
    # Same day of the month, or clamped to the last day when that day does not exist.
    assert result.day == start.day or (result.day == last and start.day > last)


@given(starts, starts, months)
def test_monotonic_in_the_start_date(a: date, b: date, n: int) -> None:
    first, second = sorted((a, b))
    assert add_months(first, n) <= add_months(second, n)


@given(starts, months, months)
def test_monotonic_in_the_number_of_months(start: date, m: int, n: int) -> None:
    fewer, more = sorted((m, n))
    assert add_months(start, fewer) <= add_months(start, more)


def test_today_from_option_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCR_TODAY", "2026-03-01")
    assert parse_today(None) == date(2026, 3, 1)
    assert parse_today("2026-04-02") == date(2026, 4, 2)


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("2026-02-30", "today: 2026-02-30 is not a real calendar date"),
        ("20260101", "today: give a date written YYYY-MM-DD, not '20260101'"),
        ("tomorrow", "today: give a date written YYYY-MM-DD, not 'tomorrow'"),
        ("2026-1-1", "today: give a date written YYYY-MM-DD, not '2026-1-1'"),
    ],
)
def test_today_must_be_a_real_iso_date(bad: str, says: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(says)}$"):
        parse_today(bad)


def test_today_falls_back_to_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MCR_TODAY")
    assert parse_today(None) == date.today()
