"""`mcr`, the command line: the group, and the commands it is made of.

Each command lives in a module of its own (`check`, `show`, `due`, `new`, `schema`, `site`,
`signers`, `demo`): it parses its options, calls one core function, renders the result with
`report` and picks the exit code (`options`).
"""

from __future__ import annotations

import click

from .audit import audit
from .calendar import calendar
from .check import check
from .delete import delete
from .demo import demo_repo
from .due import due
from .edit import edit
from .export import export
from .figures import report_command
from .find import find
from .hold import hold
from .keys import keys
from .letter import letter
from .new import new
from .record import record_command
from .sar import sar
from .schema import schema
from .seal import seal, setup, unseal
from .show import show
from .signers import signers
from .site import build, serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="managed-contact")
def main() -> None:
    """The Managed Contact register: check cases, see what is due, build the site."""


for command in (check, show, due, new, schema, build, serve, signers, demo_repo):
    main.add_command(command)
for command in (record_command, edit, find, seal, unseal, setup, delete, hold, keys, sar):
    main.add_command(command)
for command in (audit, letter, calendar, export, report_command):
    main.add_command(command)


if __name__ == "__main__":  # pragma: no cover
    main()
