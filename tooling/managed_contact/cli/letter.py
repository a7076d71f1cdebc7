"""`mcr letter CASE ENTRY`: draft the letter telling the customer of a decision, review outcome
or challenge outcome, and (with `--record`) record that it was sent."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click

from ..casework.entries import BadAnswer, day, person
from ..casework.recording import Recorded, RecordRefused, record
from ..documents.letters import Draft, default_output, letter_for, write_letter
from ..errors import ExitCode, McrError
from ..register.snapshot import Keys
from ..sealing.keystore import Keystore
from .options import (
    handle_errors,
    keystore_for,
    keystore_option,
    register_option,
    register_root,
    today_from,
    today_option,
)


@dataclass(frozen=True)
class Sent:
    """How the letter was sent, for `--record`."""

    medium: str
    sent_by: str
    date: date


def draft_and_record(
    root: Path,
    case_id: str,
    entry_id: str,
    store: Keystore | None,
    day: date,
    output: Path,
    sent: Sent | None,
) -> tuple[Draft, list[Path], Recorded | None]:
    """Draft the letter, write it to `output`, and record it as sent when `sent` is given."""
    keys: Keys | None = store.get if store is not None else None
    letter = letter_for(
        root, case_id, entry_id, keys, sent.date if sent else day, sent.sent_by if sent else None
    )
    files = write_letter(letter, output, root)
    if sent is None:
        return letter, files, None
    if store is None:  # pragma: no cover - the letter above needed the keystore
        raise McrError(f"no keystore holds the key of {case_id}")
    values = {
        "date": sent.date.isoformat(),
        "about": entry_id,
        "medium": sent.medium,
        "sent_by": sent.sent_by,
        "states": list(letter.states),
        "template": letter.template,
        "text_sha256": letter.text_sha256,
    }
    return letter, files, record(root, case_id, "letter", values, store, day)


@click.command("letter")
@click.argument("case_id", metavar="CASE")
@click.argument("entry_id", metavar="ENTRY")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The directory the letter is written to, outside the repository (default: a new "
    "private directory in the system's temporary directory).",
)
@click.option(
    "--record",
    "record_it",
    is_flag=True,
    help="Record the letter as sent (a 'letter' entry with the contents it states, its "
    "template and the hash of its text).",
)
@click.option(
    "--medium", type=click.Choice(["letter", "email"]), default=None, help="How it is sent."
)
@click.option("--sent-by", metavar="PERSON", default=None, help="Who signs it (name or id).")
@click.option(
    "--date",
    "sent_on",
    metavar="YYYY-MM-DD",
    default=None,
    help="When it is sent (default: today).",
)
@register_option
@keystore_option
@today_option
@handle_errors
def letter(
    case_id: str,
    entry_id: str,
    output: Path | None,
    record_it: bool,
    medium: str | None,
    sent_by: str | None,
    sent_on: str | None,
    register_dir: Path | None,
    keystore_spec: str | None,
    today: str | None,
) -> None:
    """Draft the letter about ENTRY (a decision D1, review R1 or challenge outcome C1) of CASE.

    The letter comes from the template of its kind in policy/letters/ and is written as .docx,
    .md and .html (mode 0600) named CASE-ENTRY-letter, outside the repository: it holds the
    customer's name and address and is never committed. It is refused, naming every missing
    item, unless the case gives everything policy/settings.yaml letter_contents requires and
    the template has a placeholder for each. With --record, the letter entry is added to the
    case (checked as 'mcr record letter' checks it). Nothing personal is printed.
    """
    root = register_root(register_dir)
    now = today_from(today)
    sent: Sent | None = None
    if record_it:
        if medium is None or sent_by is None:
            raise click.UsageError("--record needs --medium and --sent-by")
        from ..register.snapshot import load_policy

        policy, _, _ = load_policy(root)
        if policy is None:
            raise McrError("the policy data does not load: run 'mcr check' and fix it")
        try:
            when = date.fromisoformat(day(sent_on, now)) if sent_on else now
            signer = person(sent_by, policy)
        except BadAnswer as exc:
            raise click.BadParameter(str(exc)) from None
        sent = Sent(medium, signer, when)
    elif medium or sent_by or sent_on:
        raise click.UsageError("--medium, --sent-by and --date go with --record")
    store = keystore_for(root, keystore_spec)
    try:
        drafted, files, done = draft_and_record(
            root, case_id, entry_id, store, now, output or default_output(), sent
        )
    except RecordRefused as refused:
        click.echo(f"mcr: the letter was drafted but not recorded: {refused}", err=True)
        for f in refused.findings:
            click.echo(f"  {f.rule}: {f.path}: {f.message}", err=True)
        sys.exit(ExitCode.FINDINGS)
    for path in files:
        click.echo(f"wrote {path}")
    click.echo(f"states: {', '.join(drafted.states)}")
    click.echo(f"template: {drafted.template}; text sha256: {drafted.text_sha256}")
    if done is not None:
        click.echo(f"recorded {done.entry} in {done.file}")
        click.echo(f"next: {done.commit}")
