"""Early dates: a date in a case from before the policy existed is most likely a mistyped year.

Every date a case holds lies in the register's window (MC112, `register/dates.py`). The Managed
Contact Policy v3.0 dates from September 2019 (`dates.POLICY_SINCE`): a case opened, or anything
recorded in it, before then is a warning (MC113), not an error, since an incident that led to a
case may be older than the policy. An incident before the case was opened is normal and is not
reported; chronology (MC340) judges the order of the case's own steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from ..dates import POLICY_SINCE
from .rule import Rule, W

if TYPE_CHECKING:
    from .context import CaseContext

RULES = (Rule("MC113", W, "A date in a case is not before the policy existed (September 2019)."),)


def _dates(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], date]]:
    """Every date inside a model instance, with its data path (by the names the file uses)."""
    if isinstance(value, date):
        yield path, value
    elif isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            yield from _dates(getattr(value, name), (*path, info.alias or name))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _dates(item, (*path, i))


def check(cx: CaseContext) -> None:
    """A warning for each date before the policy existed."""
    for path, day in _dates(cx.case, ()):
        if day < POLICY_SINCE:
            cx.report(
                path,
                "MC113",
                f"{day} is before the policy existed ({POLICY_SINCE:%B %Y}): check the year",
            )
