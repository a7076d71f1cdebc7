"""The progress bar of a long command, on a terminal only.

Commands that work over many cases or commits (`check`, `check --base`, `build`, `report`,
`audit`, `sar`) hand a `Bar` to the core as its `register.progress.Progress`. The bar stays
hidden for the first second, so a quick run looks as it always did, and is drawn on standard
error, over one line, only when that is a terminal and `$CI` is not set: a pipe, a log file or a
CI job never gets a byte of it. It is wiped before the command prints its result.
`MCR_PROGRESS_AFTER` (seconds) changes the first second, e.g. to 0 to see the bar at once.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

#: Redraw no more often than this (seconds), so the bar never slows the work it shows.
REDRAW = 0.1
WIDTH = 30


def wanted(stream: TextIO) -> bool:
    """Whether a bar may be drawn on `stream`: a terminal, outside CI."""
    if os.environ.get("CI"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _after() -> float:
    raw = os.environ.get("MCR_PROGRESS_AFTER", "")
    try:
        return max(0.0, float(raw)) if raw else 1.0
    except ValueError:
        return 1.0


class Bar:
    """A `Progress` that draws `what [#####.....] done/total` once the work runs past `after`
    seconds."""

    def __init__(
        self,
        stream: TextIO,
        *,
        enabled: bool,
        after: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.enabled = enabled
        self.after = after
        self.clock = clock
        self.started = clock()
        self.drawn_at: float | None = None
        self.width = 0

    def __call__(self, what: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now - self.started < self.after:
            return
        if self.drawn_at is not None and now - self.drawn_at < REDRAW and done < total:
            return
        filled = WIDTH * done // total if total else WIDTH
        line = f"{what} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total}"
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = max(self.width, len(line))
        self.drawn_at = now

    def clear(self) -> None:
        """Wipe the bar, if it was drawn, leaving the cursor at the start of its line."""
        if self.drawn_at is not None:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.drawn_at = None
            self.width = 0


@contextmanager
def progress_bar() -> Iterator[Bar]:
    """A bar on standard error for the work done inside the block, wiped at its end."""
    bar = Bar(sys.stderr, enabled=wanted(sys.stderr), after=_after())
    try:
        yield bar
    finally:
        bar.clear()
