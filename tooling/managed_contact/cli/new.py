"""`mcr new`: the next free case file with its opening facts, its key made, sealed; first a
warning when a case for someone with the same name already exists."""

from __future__ import annotations

import dataclasses
import sys
from datetime import date
from pathlib import Path

import click

from ..errors import ExitCode
from ..register.finding import Search, find_cases, listed
from ..register.policy import Policy
from ..register.scaffold import Opening
from ..register.snapshot import demo_keystore, load_policy
from ..sealing.keystore import Keystore, creating_keystore
from .find import unsearched_text
from .options import (
    day_from,
    handle_errors,
    keystore_option,
    register_option,
    register_root,
    today_from,
    today_option,
)


def _on_terminal() -> bool:
    """Whether a person is at the keyboard to answer questions."""
    return sys.stdin.isatty()


def _services(given: list[str], policy: Policy | None) -> tuple[str, ...]:
    known = {s.id for s in policy.vocabulary.services} if policy is not None else None
    wrong = [s for s in given if known is not None and s not in known]
    if wrong:
        raise click.BadParameter(
            f"{', '.join(wrong)}: not a service in policy/vocabulary.yaml; use one of: "
            + ", ".join(sorted(known or ())),
            param_hint="--service",
        )
    return tuple(dict.fromkeys(given))


def _ask(label: str, default: str = "") -> str:
    answer: str = click.prompt(label, default=default, show_default=bool(default))
    return answer.strip()


def _ask_services(policy: Policy | None) -> list[str]:
    if policy is not None:
        click.echo("Services:")
        for service in policy.vocabulary.services:
            click.echo(f"  {service.id:<24} {service.label}")
    while True:
        answer = _ask("Services affected (their ids, separated by commas)")
        given = [s.strip() for s in answer.split(",") if s.strip()]
        try:
            if given:
                _services(given, policy)
                return given
            click.echo("At least one service, please.")
        except click.BadParameter as exc:
            click.echo(exc.message)


def _asked_names(opening: Opening) -> Opening:
    """The customer's name and other names, when not given as options: asked first, so that a
    case for the same name is found before anything else is typed."""
    click.echo("Opening a case. Press Enter to leave an optional answer empty.")
    name = opening.name
    while not name:
        name = _ask("The customer's full name")
    aliases = opening.aliases or tuple(
        a.strip()
        for a in _ask("Other names they use (optional; separated by ';')").split(";")
        if a.strip()
    )
    return dataclasses.replace(opening, name=name, aliases=aliases)


def _asked(opening: Opening, policy: Policy | None, today: date) -> Opening:
    """The other opening facts not given as options, asked for one by one."""
    facts = {
        field: getattr(opening, field) or _ask(label) or None
        for field, label in (
            ("address", "Postal address (optional)"),
            ("email", "Email address (optional)"),
            ("phone", "Telephone number (optional)"),
            ("reference", "CRM reference (optional)"),
        )
    }
    services = opening.services or tuple(_ask_services(policy))
    council_wide = opening.council_wide or click.confirm(
        "Is the conduct council-wide, or across several services?", default=False
    )
    opened = opening.opened
    while opened is None:
        try:
            opened = day_from(_ask("Opened on", today.isoformat()), "opened", not_after=today)
        except click.BadParameter as exc:
            click.echo(exc.message)
    return Opening(
        name=opening.name,
        aliases=opening.aliases,
        services=_services(list(services), policy),
        council_wide=council_wide,
        opened=opened,
        **facts,
    )


def _same_name(search: Search, confirmed: bool, terminal: bool) -> None:
    """Warn of cases for someone with the same name (ids and states only); go on only when
    the user says so."""
    for line in unsearched_text(search):
        click.echo(f"mcr: {line}", err=True)
    if not search.matches:
        return
    click.echo(
        f"mcr: a case for someone with this name already exists: {listed(search.matches)}. "
        "Check it is not the same person before opening another.",
        err=True,
    )
    if confirmed:
        return
    if terminal and click.confirm("Open a new case anyway?", default=False, err=True):
        return
    click.echo(
        "mcr: no case opened"
        + ("" if terminal else "; once you have checked, give --yes to open it anyway"),
        err=True,
    )
    sys.exit(ExitCode.FINDINGS)


@click.command()
@click.option("--name", default="", help="The customer's full name, as staff would hear it.")
@click.option("--alias", "aliases", multiple=True, help="Another name they use (repeatable).")
@click.option("--address", default=None, help="Their postal address (optional).")
@click.option("--email", default=None, help="Their email address (optional).")
@click.option("--phone", default=None, help="Their telephone number (optional).")
@click.option("--reference", default=None, help="Their reference in the council's CRM (optional).")
@click.option(
    "--service",
    "services",
    multiple=True,
    metavar="SERVICE",
    help="A service affected, by its id in policy/vocabulary.yaml (repeatable; at least one).",
)
@click.option(
    "--council-wide",
    is_flag=True,
    help="The conduct is council-wide or across several services (§6).",
)
@click.option(
    "--opened",
    default=None,
    metavar="YYYY-MM-DD",
    help="When the case was opened (default: today).",
)
@click.option(
    "--yes",
    is_flag=True,
    help="Open the case even when one exists for someone with the same name (checked first).",
)
@register_option
@keystore_option
@today_option
@handle_errors
def new(
    name: str,
    aliases: tuple[str, ...],
    address: str | None,
    email: str | None,
    phone: str | None,
    reference: str | None,
    services: tuple[str, ...],
    council_wide: bool,
    opened: str | None,
    yes: bool,
    register_dir: Path | None,
    keystore_spec: str | None,
    today: str | None,
) -> None:
    """Open a case: the next free case file with its opening facts, its key made, sealed.

    On a terminal it asks for each fact not given as an option: the customer's name (and other
    names, address, email, phone, CRM reference, all optional), the services affected, whether
    the conduct is council-wide, and the opening date (default today). Without a terminal,
    --name and --service are needed. It first warns if a case for someone with the same name or
    alias exists (case ids and states only) and asks before going on (--yes to go on). Record
    what happened with 'mcr record KIND CASE'. Keep to what staff need to know (data
    minimisation).
    """
    from ..register.scaffold import scaffold

    root = register_root(register_dir)
    day = today_from(today)
    policy, _, _ = load_policy(root)
    opening = Opening(
        name=name.strip(),
        aliases=tuple(a.strip() for a in aliases if a.strip()),
        address=address,
        email=email,
        phone=phone,
        reference=reference,
        services=_services(list(services), policy),
        council_wide=council_wide,
        opened=day_from(opened, "--opened", not_after=day) if opened else None,
    )
    terminal = _on_terminal()
    if terminal:
        opening = _asked_names(opening)
    else:
        missing = [o for o, v in (("--name", opening.name), ("--service", services)) if not v]
        if missing:
            raise click.UsageError(
                f"give {' and '.join(missing)} (or run mcr new on a terminal to be asked)"
            )
    keystore: Keystore = creating_keystore(keystore_spec, root, demo_keystore(root))
    search = find_cases(root, [opening.name, *opening.aliases], day, keystore.get)
    _same_name(search, yes, terminal)
    if terminal:
        opening = _asked(opening, policy, day)
    path = scaffold(root / "cases", day, keystore, opening)
    click.echo(
        f"created {path.relative_to(root).as_posix()}; record what happened with: "
        f"mcr record incident {path.stem}"
    )
