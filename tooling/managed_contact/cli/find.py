"""`mcr find NAME`: the cases whose customer's name or an alias matches, spelling forgiven."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import ExitCode
from ..register.finding import STATE_SHORT, Search, find_cases
from .options import (
    format_option,
    handle_errors,
    keystore_option,
    register_option,
    register_root,
    today_from,
    today_option,
)
from .seal import require_keystore


def unsearched_text(search: Search) -> list[str]:
    """The cases a search could not look in, by id, grouped by why, with what to do."""
    lines = []
    by_why: dict[str, list[str]] = {}
    for item in search.unsearched:
        by_why.setdefault(item.why, []).append(item.case_id)
    for why, ids in by_why.items():
        lines.append(f"{len(ids)} case(s) could not be searched: {why}: {', '.join(ids)}")
    if search.unsearched:
        lines.append(
            "  check them another way before relying on this search (ask whoever holds "
            "their keys, or give the keystore with --keystore)"
        )
    return lines


@click.command()
@click.argument("name", nargs=-1, required=True)
@register_option
@keystore_option
@today_option
@format_option
@handle_errors
def find(
    name: tuple[str, ...],
    register_dir: Path | None,
    keystore_spec: str | None,
    today: str | None,
    fmt: str,
) -> None:
    """Find the cases (opened, stage 1, stage 2 or dormant) for a customer's NAME or alias.

    Spelling is forgiven as the site's search forgives it: capitals, accents, a letter or two
    wrong or swapped, the surname alone, initials ('J. Pellow'). Names are sealed, so this needs
    the keystore; a case whose key is missing is listed by id as not searched. Prints each
    match's case id, state and the name that matched, nothing else. Exit 0 with matches,
    1 with none.
    """
    root = register_root(register_dir)
    keys = require_keystore(root, keystore_spec, "to search names (they are sealed)").get
    wanted = " ".join(name)
    search = find_cases(root, [wanted], today_from(today), keys)
    if fmt == "json":
        payload = {
            "searched": search.searched,
            "matches": [
                {"case": m.case_id, "state": m.state, "name": m.name, "alias": m.alias}
                for m in search.matches
            ],
            "unsearched": [{"case": u.case_id, "why": u.why} for u in search.unsearched],
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        width = max((len(STATE_SHORT[m.state]) for m in search.matches), default=0)
        for m in search.matches:
            also = "  (another name they use)" if m.alias else ""
            click.echo(f"{m.case_id}  {STATE_SHORT[m.state]:<{width}}  {m.name}{also}")
        found = len(search.matches)
        click.echo(
            f"{found} case(s) found among {search.searched} searched"
            if found
            else f"no case found among {search.searched} searched"
        )
        for line in unsearched_text(search):
            click.echo(line)
    sys.exit(ExitCode.OK if search.matches else ExitCode.FINDINGS)
