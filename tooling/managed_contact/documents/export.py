"""The front-line export: the active arrangements (stage 1 and stage 2) as the marker a council
CRM imports, so a caller's record says "managed contact: what to do" where staff look first.

Two formats, for two readers:

* **JSON is for machines.** Its shape is `FrontLineExport` (``"format"`` and ``"version"``
  say which; a new version is a new number, never a changed meaning), and it round-trips
  exactly: `parse` gives back what `to_json` was given. Values are as the register holds them:
  a reference such as ``+44 7700 900123`` or ``=A1`` stays as written. CRM imports read this.
* **CSV is for people** opening it in a spreadsheet. A cell that starts with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return would run as a formula there, so it is written with
  a leading ``'`` (OWASP, "CSV Injection"), every cell quoted. That changes the value: never
  import the CSV into a machine; use the JSON.

Each arrangement carries: the case id, the customer's CRM reference (sealed: the export needs
the case keys, and refuses, naming them, the cases it could not open, rather than leave a
marker out), the stage, the scope (council-wide, or the services), the measures by their
policy labels, the single points of contact (person id and name, policy/people.yaml), the one
channel allowed or the channels blocked, and the date it stands until: the next review (or
expiry). A date in the past means the review is overdue: the arrangement stands until the
register records it.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import ExitCode, McrError
from ..register.index import Index
from ..register.lifecycle import Status, derive
from ..register.model import Case
from ..register.snapshot import Keys
from .calendar import load_whole

FORMAT: Literal["managed-contact-front-line"] = "managed-contact-front-line"
VERSION: Literal[1] = 1
#: What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CSV_COLUMNS = (
    "Case",
    "Customer reference",
    "Stage",
    "Scope",
    "Measures",
    "Single point of contact",
    "Allowed channel",
    "Valid until",
)


class ExportRefused(McrError):
    """Some active cases could not be opened: their markers would be missing from the CRM."""

    exit_code = ExitCode.FINDINGS


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ExportScope(_Shape):
    council_wide: bool = Field(description="The arrangement covers the whole council.")
    services: tuple[str, ...] = Field(description="Ids of the services affected.")


class ExportMeasure(_Shape):
    id: str = Field(description="The measure's id (policy/measures.yaml).")
    label: str = Field(description="Its label, as the policy words it.")


class ExportContact(_Shape):
    id: str = Field(description="The member of staff's person id (policy/people.yaml).")
    name: str = Field(description="Their name.")


class Arrangement(_Shape):
    """One active case, as the CRM marks its customer."""

    case_id: str
    customer_reference: str | None = Field(description="The CRM reference; null if none.")
    stage: Literal[1, 2]
    scope: ExportScope
    measures: tuple[ExportMeasure, ...]
    single_points_of_contact: tuple[ExportContact, ...]
    allowed_channel: str | None = Field(description="The one channel allowed, if one is.")
    blocked_channels: tuple[str, ...] = Field(description="Channels the customer may not use.")
    valid_until: date | None = Field(description="The next review or expiry date.")


class FrontLineExport(_Shape):
    """The export's JSON document."""

    format: Literal["managed-contact-front-line"] = FORMAT
    version: Literal[1] = VERSION
    as_of: date = Field(description="The day the register was read as of.")
    arrangements: tuple[Arrangement, ...]


def arrangements(root: Path, today: date, keys: Keys | None) -> tuple[FrontLineExport, Index]:
    """The active arrangements of the register at `root` as of `today`, their references
    opened with `keys`, and the policy's lookups (for the words of the CSV).

    Refuses (`ExportRefused`) if any active case could not be opened, and
    (`RegisterIncomplete`) if a case file does not load: a marker must never go missing."""
    register = load_whole(root, "the export", keys)
    assert register.policy is not None
    policy = register.policy
    index = Index(policy)
    out: list[Arrangement] = []
    unopened: list[str] = []
    for loaded in sorted(register.cases, key=lambda c: c.case.id):
        status = derive(loaded.case, policy, today)
        if status.stage is None:
            continue
        if loaded.sealed:
            unopened.append(loaded.case.id)
        else:
            out.append(arrangement(loaded.case, status, index))
    if unopened:
        raise ExportRefused(
            f"{len(unopened)} active case(s) could not be opened (no key in the keystore, or a "
            f"damaged sealed value): {', '.join(unopened)}. The export is refused rather than "
            "leave their markers out of the CRM; export where the keys are (--keystore, or "
            "$MCR_KEYSTORE)."
        )
    return FrontLineExport(as_of=today, arrangements=tuple(out)), index


def arrangement(case: Case, status: Status, index: Index) -> Arrangement:
    """One active case's marker, from the measures in force."""
    allowed: str | None = None
    blocked: list[str] = []
    spocs: dict[str, None] = {}
    for measure in status.measures:
        kind = index.measures.get(measure.measure)
        if kind is not None and kind.only_channel and measure.channel:
            allowed = measure.channel
        if kind is not None:
            blocked.extend(c for c in kind.blocks_channels if c not in blocked)
        if measure.spoc:
            spocs[measure.spoc] = None
    return Arrangement(
        case_id=case.id,
        customer_reference=case.customer.reference,
        stage=2 if status.stage == 2 else 1,
        scope=ExportScope(
            council_wide=case.scope.council_wide, services=tuple(case.scope.services)
        ),
        measures=tuple(
            ExportMeasure(id=m.measure, label=_label(m.measure, index)) for m in status.measures
        ),
        single_points_of_contact=tuple(
            ExportContact(id=p, name=index.people[p].name if p in index.people else p)
            for p in spocs
        ),
        allowed_channel=allowed,
        blocked_channels=tuple(blocked),
        valid_until=status.next_review_due or status.expires,
    )


def _label(measure: str, index: Index) -> str:
    kind = index.measures.get(measure)
    return kind.label if kind else measure


def to_json(export: FrontLineExport) -> str:
    """The machine format: the document as JSON, its fields in a fixed order."""
    return export.model_dump_json(indent=2) + "\n"


def parse(text: str) -> FrontLineExport:
    """A JSON export read back, checked against its shape."""
    return FrontLineExport.model_validate_json(text)


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text: a leading ``'`` where it would start a formula."""
    return f"'{cell}" if cell.startswith(FORMULA_START) else cell


def csv_rows(export: FrontLineExport, index: Index) -> list[list[str]]:
    """The CSV's rows in words for people, the header first, before neutralising."""
    rows = [list(CSV_COLUMNS)]
    for a in export.arrangements:
        scope = (
            "council-wide"
            if a.scope.council_wide
            else "; ".join(
                index.services[s].label if s in index.services else s for s in a.scope.services
            )
        )
        rows.append(
            [
                a.case_id,
                a.customer_reference or "",
                str(a.stage),
                scope,
                "; ".join(m.label for m in a.measures),
                "; ".join(f"{c.name} ({c.id})" for c in a.single_points_of_contact),
                _channels(a, index),
                a.valid_until.isoformat() if a.valid_until else "",
            ]
        )
    return rows


def _channels(arrangement: Arrangement, index: Index) -> str:
    def label(channel: str) -> str:
        found = index.channels.get(channel)
        return (found.label if found else channel).lower()

    if arrangement.allowed_channel:
        return f"{label(arrangement.allowed_channel)} only"
    if arrangement.blocked_channels:
        return "any channel except " + ", ".join(label(c) for c in arrangement.blocked_channels)
    return "any channel"


def to_csv(export: FrontLineExport, index: Index) -> str:
    """The format for people: every cell quoted, none able to run as a formula; UTF-8 with a
    byte order mark, which spreadsheets need to read accented names right."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in csv_rows(export, index):
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()


def render(export: FrontLineExport, index: Index, fmt: str) -> str:
    """The export in `fmt` (json or csv)."""
    return to_json(export) if fmt == "json" else to_csv(export, index)
