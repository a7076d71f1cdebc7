"""Reporters: findings, case summaries and due lists as text for people or JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from ..register.findings import Finding
from ..register.front_line import front_line, what_to_do
from ..register.index import Index
from ..register.lifecycle import STATE_WORDS, Status
from ..register.model import Case
from ..register.schedule import DueItem, grouped, open_challenges
from ..register.words import WITHHELD, describe_measure


def findings_text(findings: Sequence[Finding], checked: int) -> str:
    lines = [
        f"{f.location()}: {f.severity.value}: {f.rule}: "
        + (f"{f.path}: " if f.path else "")
        + f.message
        for f in findings
    ]
    errors = sum(1 for f in findings if f.severity.value == "error")
    warnings = len(findings) - errors
    lines.append(f"{checked} case file(s) checked: {errors} error(s), {warnings} warning(s)")
    return "\n".join(lines)


def findings_json(
    findings: Sequence[Finding], checked: int, skipped: dict[str, list[str]] | None = None
) -> str:
    """The findings as JSON; `skipped` gives the rules that could not run (no key) and on
    which cases."""
    payload = {
        "checked": checked,
        "errors": sum(1 for f in findings if f.severity.value == "error"),
        "warnings": sum(1 for f in findings if f.severity.value == "warning"),
        "findings": [
            {
                "file": f.file,
                "line": f.line,
                "column": f.column,
                "path": f.path,
                "rule": f.rule,
                "severity": f.severity.value,
                "message": f.message,
            }
            for f in findings
        ],
        "skipped": [
            {"rule": rule, "cases": cases} for rule, cases in sorted((skipped or {}).items())
        ],
    }
    return json.dumps(payload, indent=2)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def show_data(
    case: Case, status: Status, index: Index, today: date, *, reveal: bool = False
) -> dict[str, Any]:
    """One case for `mcr show --format json`; personal values only with `reveal`."""
    return {
        "id": case.id,
        "revealed": reveal,
        "customer": case.customer.name if reveal else WITHHELD,
        "state": status.state,
        "since": _day(status.since),
        "services": case.scope.services,
        "council_wide": case.scope.council_wide,
        "measures": (
            [describe_measure(m, index, reveal=reveal) for m in status.measures]
            if status.active
            else []
        ),
        "expires": _day(status.expires),
        "next_review_due": _day(status.next_review_due),
        "review_overdue": bool(status.next_review_due and status.next_review_due < today),
        "escalation_pending": status.escalation_pending,
        "dormant_since": _day(status.dormant_since),
        "deletion_due": _day(status.deletion_due),
        "legal_holds_open": list(status.open_holds),
        "open_challenges": [
            {"id": c.id, "against": c.against, "received": _day(c.received)}
            for c in open_challenges(case.challenges)
        ],
        "front_line": _front_line_data(status, index, reveal) if status.active else None,
        "councillors": [
            {
                "councillor": c.councillor,
                "choice": c.choice,
                "date": _day(c.date),
                "withdrawn": _day(c.withdrawn),
            }
            for c in case.councillors
        ],
        "history": [
            {
                "date": _day(s.day),
                "entry": s.entry,
                "event": s.event,
                "from": s.before,
                "to": s.after,
                "allowed": s.allowed,
            }
            for s in status.steps
        ],
    }


def _front_line_data(status: Status, index: Index, reveal: bool) -> dict[str, Any]:
    line = front_line(status.measures, index, reveal=reveal)
    return {
        "single_point_of_contact": line.spoc_text(),
        "channel": line.channel_text(),
        "in_any_contact": [s.plain() for s in line.general],
        "situations": [
            {"heading": s.heading, "allowed": s.allowed, "steps": [i.plain() for i in s.steps]}
            for s in line.situations
        ],
    }


def show_text(
    case: Case, status: Status, index: Index, today: date, *, reveal: bool = False
) -> str:
    data = show_data(case, status, index, today, reveal=reveal)
    out = [
        case.id,
        f"  customer: {case.customer.name}"
        if reveal
        else f"  customer: {WITHHELD} (mcr show --reveal to see personal values)",
        f"  state: {STATE_WORDS[status.state]}"
        + (f" since {data['since']}" if data["since"] else ""),
    ]
    services = ", ".join(
        index.services[s].label if s in index.services else s for s in case.scope.services
    )
    out.append(f"  scope: {'council-wide; ' if case.scope.council_wide else ''}{services}")
    if status.active:
        out.append("  measures:")
        out.extend(f"    - {m}" for m in data["measures"])
        if status.expires:
            out.append(f"  arrangement expires: {data['expires']}")
        if status.next_review_due:
            flag = "  OVERDUE" if data["review_overdue"] else ""
            out.append(f"  next review due: {data['next_review_due']}{flag}")
        if status.escalation_pending:
            out.append("  escalation to stage 2 pending a decision")
        line = front_line(status.measures, index, reveal=reveal)
        out.append("  what front-line staff do (as on the case page):")
        out.append(f"    single point of contact: {line.spoc_text()}")
        out.append(f"    allowed channel: {line.channel_text()}")
        out.extend(f"    {text}" for text in what_to_do(line))
    if status.state == "dormant":
        out.append(f"  dormant since: {data['dormant_since']}")
        if status.last_activity:
            out.append(f"  activity while dormant: last on {status.last_activity}")
        if status.unconsidered_activity:
            out.append(
                f"  not yet considered: activity on {status.unconsidered_activity} "
                "(consider urgently whether to reintroduce measures, §7)"
            )
        held = (
            f" (blocked by legal hold {', '.join(status.open_holds)})" if status.open_holds else ""
        )
        out.append(f"  deletion due: {data['deletion_due']}{held}")
    challenges = data["open_challenges"]
    if challenges:
        out.append("  open challenges (awaiting a decision by a senior officer not involved):")
        out.extend(
            f"    - {c['id']} against {c['against']}, received {c['received']}" for c in challenges
        )
    else:
        out.append("  open challenges: none")
    if case.councillors:
        out.append("  councillors:")
        for c in case.councillors:
            person = index.people.get(c.councillor)
            name = person.name if person else c.councillor
            end = f", withdrawn {c.withdrawn}" if c.withdrawn else ""
            out.append(f"    - {name}: {c.choice} from {c.date}{end}")
    out.append("  history:")
    for step in status.steps:
        mark = "" if step.allowed else "  (not an allowed transition)"
        out.append(
            f"    {step.day}  {step.entry}  {step.event}: {step.before} -> {step.after}{mark}"
        )
    return "\n".join(out)


def _name(names: dict[str, str | None], case_id: str) -> str:
    name = names.get(case_id)
    return name if name is not None else f"({WITHHELD}: no key)"


def due_text(
    items: Sequence[DueItem], within: int, names: dict[str, str | None] | None = None
) -> str:
    """What is due under a heading per category with its count, in aligned columns (due, case,
    the customer's name with `names`, what); `names` maps a case id to the customer's name, None
    where it could not be unsealed."""
    if not items:
        return f"Nothing due or overdue within {within} days."
    who = {i.case_id: _name(names, i.case_id) for i in items} if names is not None else {}
    width = max((len(n) for n in who.values()), default=0)
    lines: list[str] = []
    for heading, rows in grouped(items, within):
        if lines:
            lines.append("")
        lines.append(f"{heading} ({len(rows)})")
        for item in rows:
            name = f"  {who[item.case_id]:<{width}}" if names is not None else ""
            what = item.note or item.label
            lines.append(f"  {item.due}  {item.case_id}{name}  {what}".rstrip())
    return "\n".join(lines)


def due_json(
    items: Sequence[DueItem], within: int, names: dict[str, str | None] | None = None
) -> str:
    """What is due as JSON, each item with the `heading` it is listed under; with `names`,
    each item has the customer's `name`."""
    rows: list[dict[str, Any]] = []
    for i in items:
        row: dict[str, Any] = {
            "due": i.due.isoformat(),
            "case": i.case_id,
            "kind": i.kind,
            "overdue": i.overdue,
            "note": i.note,
            "heading": i.heading(within),
        }
        if names is not None:
            row["name"] = names.get(i.case_id)
        rows.append(row)
    return json.dumps(rows, indent=2)


def skipped_text(skipped: dict[str, list[str]]) -> str:
    """The rules a check without keys could not run, and on how many cases."""
    lines = []
    for rule, cases in sorted(skipped.items()):
        lines.append(
            f"skipped: {rule} on {len(cases)} case(s) whose sealed values could not all be "
            "opened (no keystore, no key, or values that do not open): it reads personal text."
        )
    return "\n".join(lines)
