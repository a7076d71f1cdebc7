"""`mcr record KIND CASE`: record one step of a case's history, checked before it is written.

Every value is an option, for scripts; on a terminal, the values not given are asked for in
plain words, with the policy's choices listed. Without a terminal a missing value is a usage
error naming its option.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from ..casework.entries import (
    MEASURE_WORDS,
    QUESTIONS,
    BadAnswer,
    Question,
    answer,
    applies,
    assemble,
    measure,
    measure_value,
    opinion,
)
from ..casework.recording import KINDS, Recorded, RecordRefused, entry_ids, record
from ..errors import ExitCode, McrError
from ..register.policy import Policy
from ..register.snapshot import load_policy
from .options import (
    handle_errors,
    keystore_for,
    keystore_option,
    register_option,
    register_root,
    today_from,
    today_option,
)

#: What an option shared by several kinds means, in its help.
SHARED_HELP = {
    "--date": "The entry's date, YYYY-MM-DD",
    "--channel": "A channel (policy/vocabulary.yaml)",
    "--service": "A service (policy/vocabulary.yaml)",
    "--description": "What was done or considered",
    "--outcome": "The outcome: adjustment made, not-suitable, declined; review continue, "
    "escalate, close; challenge upheld, varied, not-upheld",
    "--stage": "The stage, 1 or 2",
    "--decided-by": "Who decided (name or id)",
    "--reason": "Decision or correction: why (text); legal hold: ombudsman-complaint, "
    "subject-access-request, legal-claim, police-matter",
    "--reference": "The police or matter reference",
}

#: The lists whose ids are offered when an entry is asked for, by the field asking.
ENTRY_CHOICES = {
    "about": ("decisions", "reviews", "challenges"),
    "against": ("decisions", "reviews"),
    "challenge": ("challenges",),
    "incidents": ("incidents",),
}

#: Options that may be given more than once.
REPEATED = {"--measure": "MEASURE", "--opinion": "PERSON=TEXT"}


def _param(option: str) -> str:
    return option.lstrip("-").replace("-", "_")


def _all_options() -> dict[str, list[str]]:
    """Every option of every kind, with the kinds that take it."""
    found: dict[str, list[str]] = {}
    for kind, questions in QUESTIONS.items():
        for q in questions:
            found.setdefault(q.option, []).append(kind)
    return found


def _with_entry_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option, kinds in reversed(list(_all_options().items())):
        q = next(q for q in QUESTIONS[kinds[0]] if q.option == option)
        if option == "--measure":
            text = (
                "A measure: its id, then its values as name=value, quoted as a whole, e.g. "
                "'spoc spoc=liam-treadwell times=\"Tuesdays 10:00-12:00\"'. Repeat for each."
            )
        elif option == "--opinion":
            text = "An opinion about the incident, PERSON=TEXT. Repeat for each."
        elif option in SHARED_HELP:
            text = SHARED_HELP[option]
        else:
            text = (q.words or q.field.replace("_", " ").replace(".", " ")).rstrip("?")
            if q.choices:
                text += f" ({', '.join(q.choices)})"
            if q.kind.endswith("list") or q.kind in ("people", "states", "entries"):
                text += "; separate several with commas"
        text += f" [{', '.join(kinds)}]"
        func = click.option(
            option,
            _param(option),
            multiple=option in REPEATED,
            metavar=REPEATED.get(option, "TEXT"),
            help=text,
        )(func)
    return func


@click.command("record")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.argument("case_id", metavar="CASE")
@_with_entry_options
@register_option
@keystore_option
@today_option
@handle_errors
def record_command(
    kind: str,
    case_id: str,
    register_dir: Path | None,
    keystore_spec: str | None,
    today: str | None,
    **given: Any,
) -> None:
    """Record one step of CASE's history: KIND is what happened.

    The entry gets the next id of its list, goes in at the end of it with every other byte of
    the file kept, has its personal values sealed, and is checked as `mcr check` would check
    the case: an entry that would break a rule is refused, naming the rule, and nothing is
    written. It ends with the commit to make and who must sign it.

    Give the values as options (a list with commas: --categories verbal-abuse,threats; a
    person by name or id). On a terminal, what is missing is asked for; otherwise a missing
    value is an error naming its option.
    """
    root = register_root(register_dir)
    day = today_from(today)
    policy, _, _ = load_policy(root)
    if policy is None:
        raise McrError("the policy data does not load: run 'mcr check' and fix what it reports")
    store = keystore_for(root, keystore_spec)
    if store is None:
        raise McrError(
            f"no keystore holds the key of {case_id}: give it with --keystore (or $MCR_KEYSTORE)"
        )
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    values = _values(kind, case_id, root, given, policy, day, interactive)
    try:
        done = record(root, case_id, kind, values, store, day)
    except RecordRefused as refused:
        click.echo(f"mcr: {refused}", err=True)
        for f in refused.findings:
            click.echo(f"  {f.rule}: {f.path}: {f.message}", err=True)
        sys.exit(ExitCode.FINDINGS)
    _report(done, case_id)


def _values(
    kind: str,
    case_id: str,
    root: Path,
    given: dict[str, Any],
    policy: Policy,
    today: date,
    interactive: bool,
) -> dict[str, Any]:
    questions = QUESTIONS[kind]
    mine = {q.option for q in questions}
    for option in _all_options():
        if option not in mine and given.get(_param(option)):
            raise click.UsageError(f"{option} is not one of the values of '{kind}'")
    flat: dict[str, Any] = {}
    for q in questions:
        raw = given.get(_param(q.option))
        if raw in (None, ()):
            continue
        try:
            flat[q.field] = _parse(q, raw, policy, today)
        except BadAnswer as exc:
            raise click.BadParameter(str(exc), param_hint=q.option) from None
    by_field = {q.field: q for q in questions}
    for q in questions:
        if not applies(q, flat):
            if q.field in flat and q.when is not None:
                on, value = q.when
                raise click.UsageError(
                    f"{q.option} applies only when {by_field[on].option} is {value}"
                )
            continue
        if q.field in flat:
            continue
        if not q.required:
            # On a terminal an optional value is offered too, and a blank answer leaves it out.
            if interactive and q.words:
                found = _ask(q, kind, case_id, root, policy, today, flat)
                if found not in (None, []):
                    flat[q.field] = found
            continue
        if not interactive:
            raise click.UsageError(f"give {q.option} (a {kind} needs it), or run on a terminal")
        flat[q.field] = _ask(q, kind, case_id, root, policy, today, flat)
    return assemble(flat)


def _parse(q: Question, raw: Any, policy: Policy, today: date) -> Any:
    if q.kind == "measures":
        return [measure(m, policy, today) for m in raw]
    if q.kind == "opinions":
        return [opinion(o, policy) for o in raw]
    return answer(q, raw, policy, today)


def _numbered(options: list[tuple[str, str]]) -> dict[str, str]:
    for n, (ident, label) in enumerate(options, 1):
        click.echo(f"  {n:>2}. {label} ({ident})")
    return {str(n): ident for n, (ident, _) in enumerate(options, 1)}


def _by_number(raw: str, numbers: dict[str, str]) -> str:
    return ",".join(numbers.get(p.strip(), p.strip()) for p in raw.split(","))


def _choices_of(q: Question, policy: Policy) -> list[tuple[str, str]]:
    vocab = policy.vocabulary
    if q.kind == "service":
        return [(s.id, s.label) for s in vocab.services]
    if q.kind == "channel":
        return [(c.id, c.label) for c in vocab.channels]
    if q.kind == "conduct-list":
        return [(c.id, c.label) for c in vocab.conduct]
    if q.kind == "states":
        return [(c.id, c.label) for c in policy.settings.letter_contents]
    if q.kind == "choice":
        return [(c, c) for c in q.choices]
    return []


def _ask(
    q: Question,
    kind: str,
    case_id: str,
    root: Path,
    policy: Policy,
    today: date,
    flat: dict[str, Any],
) -> Any:
    if q.kind == "measures":
        if not q.required and not click.confirm(q.words, default=False):
            return None
        return _ask_measures(policy, today, flat)
    if q.kind == "opinions":
        return _ask_opinions(q, policy)
    words = q.words
    if q.kind in ("entry", "entries"):
        held = entry_ids(root, case_id)
        sections = ENTRY_CHOICES.get(q.field, tuple(held))
        ids = [i for section in sections for i in held.get(section, [])]
        words += f" ({', '.join(ids) or 'none recorded yet'})"
    options = _choices_of(q, policy)
    several = q.kind in ("conduct-list", "states", "people", "entries")
    while True:
        if options:
            click.echo(words)
            numbers = _numbered(options)
            hint = "numbers or ids, separated by commas" if several else "a number or an id"
            raw = click.prompt(f"  Choose ({hint})", default="", show_default=False)
        else:
            numbers = {}
            raw = click.prompt(words, default="", show_default=False, prompt_suffix=" ")
        if not raw.strip() and not q.required:
            return None
        try:
            return answer(q, _by_number(raw, numbers) if numbers else raw, policy, today)
        except BadAnswer as exc:
            click.echo(f"  {exc}; try again")


def _ask_opinions(q: Question, policy: Policy) -> list[dict[str, Any]]:
    """Opinions one at a time, until a blank answer."""
    found: list[dict[str, Any]] = []
    while True:
        raw = click.prompt(q.words, default="", show_default=False, prompt_suffix=" ")
        if not raw.strip():
            return found
        try:
            found.append(opinion(raw, policy))
        except BadAnswer as exc:
            click.echo(f"  {exc}; try again")


def _ask_measures(policy: Policy, today: date, flat: dict[str, Any]) -> list[dict[str, Any]]:
    stage = flat.get("stage")
    catalogue = [m for m in policy.measures.measures if stage is None or m.stage in (None, stage)]
    while True:
        click.echo("Which measures apply?")
        numbers = _numbered([(m.id, m.label) for m in catalogue])
        raw = click.prompt(
            "  Choose (numbers or ids, separated by commas)", default="", show_default=False
        )
        chosen = [numbers.get(p.strip(), p.strip()) for p in raw.split(",") if p.strip()]
        by_id = {m.id: m for m in policy.measures.measures}
        unknown = [c for c in chosen if c not in by_id]
        if chosen and not unknown:
            break
        wrong = f": not {', '.join(unknown)}" if unknown else ""
        click.echo(f"  choose at least one measure from the list{wrong}")
    measures: list[dict[str, Any]] = []
    for ident in chosen:
        kind = by_id[ident]
        values: dict[str, Any] = {"measure": ident}
        for name in [*kind.required, *kind.optional]:
            required = name in kind.required
            while True:
                words = MEASURE_WORDS.get(name, name)
                suffix = "" if required else " (blank: leave out)"
                raw = click.prompt(
                    f"{kind.label}: {words}{suffix}",
                    default="",
                    show_default=False,
                    prompt_suffix=" ",
                )
                if not raw.strip() and not required:
                    break
                try:
                    values[name] = measure_value(name, raw, policy)
                    break
                except BadAnswer as exc:
                    click.echo(f"  {exc}; try again")
        measures.append(values)
    return measures


def _report(done: Recorded, case_id: str) -> None:
    click.echo(
        f"{done.file}: {KINDS[done.kind].words} {done.entry} recorded; checked against "
        f"{len(done.rules)} rules, no new errors"
    )
    for f, command in done.next_steps:
        click.echo(f"still to record: {f.message} ({f.rule}, {f.path})")
        click.echo(f"  record it with: {command}")
    click.echo("then commit both:" if done.owed else "next, commit it:")
    click.echo(f"  {done.commit}")
    if done.approvals:
        click.echo("the change needs the signed approval (a signed commit, or the forge's) of:")
        for a in done.approvals:
            click.echo(f"  {a.person} ({a.what})")
    else:
        click.echo("no named approval is needed: sign the commit with your own key")
