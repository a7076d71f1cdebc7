"""One error root for the tool, and the exit-code contract the CLI keeps."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What `mcr` exits with. Documented in README.md; scripts and CI rely on it."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    INTERNAL = 3


class McrError(Exception):
    """A problem the user can act on (bad argument, missing register, unknown case)."""

    exit_code: ExitCode = ExitCode.USAGE


class RegisterNotFound(McrError):
    """The directory given is not a register (no `policy/` or `cases/`)."""


class UnknownCase(McrError):
    """A case id that no file in `cases/` carries."""
