"""`mcr letter CASE ENTRY`: draft the letter telling the customer of a decision, review outcome
or challenge outcome, and (with `--record`) record that it was sent."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from ..casework.entries import BadAnswer, day, person
from ..casework.recording import RecordRefused
from ..errors import ExitCode, McrError
from .options import (
    documents_missing,
    handle_errors,
    keystore_for,
    keystore_option,
    register_option,
    register_root,
    today_from,
    today_option,
)


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
    try:
        from ..casework.letters import Sent, draft_and_record
        from ..documents.letters import default_output
    except ModuleNotFoundError as exc:
        raise documents_missing(exc, "letter") from None

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
