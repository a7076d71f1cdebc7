"""Progress through long work: the core says how far it has gone; the command line decides
whether anyone is shown.

A long task (checking 5,000 cases, the commits of a change, the pages of the site) takes a
`Progress` and calls it after each step with what it is doing, how many steps are done and how
many there are. The core never prints: `cli/progress.py` draws a bar on a terminal, and nothing
at all elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

#: Called as progress(what, done, total) after each step of `what` ("checking cases").
Progress = Callable[[str, int, int], None]

T = TypeVar("T")


def quiet(what: str, done: int, total: int) -> None:
    """The progress of a task nobody watches."""


def counted(items: Sequence[T], progress: Progress | None, what: str) -> Iterator[T]:
    """Each of `items` in turn, telling `progress` once each has been dealt with."""
    total = len(items)
    for done, item in enumerate(items, 1):
        yield item
        if progress is not None:
            progress(what, done, total)
