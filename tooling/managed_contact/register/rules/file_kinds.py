"""File kinds: every path in cases/ and every policy file is a regular file.

A symbolic link (dangling, or pointing in or out of the register), a FIFO, a device, a socket,
a folder named like a case file, or a git submodule at a case path is never followed, opened or
skipped: it is MC020 at line 1 of the path, reported by `register.files` while the register is
listed and read (on disk and, for `mcr check --base`, as git holds the head). The site is not
built from a register that has one.
"""

from __future__ import annotations

from .rule import E, Rule

RULES = (
    Rule(
        "MC020",
        E,
        "Every file in cases/ and policy/ is a regular file: not a symbolic link, FIFO, "
        "device, folder in a case's place or git submodule.",
    ),
)
