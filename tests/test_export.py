"""`mcr export`: the active arrangements as a CRM's marker, JSON exact and CSV unable to run."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from managed_contact.cli.main import main
from managed_contact.documents.export import arrangements, parse, to_json
from managed_contact.sealing.keystore import DirectoryKeystore

from casebuilder import case, decision, review
from sealkit import keys, write_case

TODAY = "2026-11-28"
PHONE_LIKE = "+44 7700 900123"
#: What a spreadsheet would run (OWASP "CSV Injection"), each as a customer reference.
PAYLOADS = ("=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1")


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--register", str(root), "--today", TODAY])
    return result.exit_code, result.stdout, result.stderr


def customer(reference: str | None) -> dict[str, Any]:
    found: dict[str, Any] = {"name": "Jordan Fictitious", "phone": "01632 960001"}
    if reference is not None:
        found["reference"] = reference
    return found


STAGE_2_MEASURES = [
    {"measure": "call-termination"},
    {"measure": "email-diversion", "spoc": "liam-treadwell", "frequency": "weekly"},
    {"measure": "spoc", "spoc": "ben-holloway"},
]


@pytest.fixture
def cases(register: Path) -> Path:
    write_case(
        register,
        case(
            id="MC-2026-0001",
            customer=customer(PHONE_LIKE),
            decisions=[
                decision(
                    "D1",
                    "2026-08-03",
                    measures=[
                        {"measure": "one-channel", "channel": "letter"},
                        {"measure": "spoc", "spoc": "liam-treadwell"},
                    ],
                )
            ],
        ),
    )
    write_case(
        register,
        case(
            id="MC-2026-0002",
            customer=customer(None),
            scope={"council_wide": True, "services": ["council-tax", "housing-options"]},
            decisions=[decision("D1", "2026-07-06", stage=2, measures=STAGE_2_MEASURES)],
        ),
    )
    # Dormant, and opened with no decision yet: neither is an arrangement in force.
    write_case(
        register,
        case(
            id="MC-2025-0001",
            customer=customer("CRM-1"),
            decisions=[decision("D1", "2025-02-03")],
            reviews=[review("R1", "2025-08-01", "close")],
        ),
    )
    write_case(register, case(id="MC-2026-0003", customer=customer("CRM-3")))
    return register


#: What the register says, worked out by hand from the cases above.
EXPECTED: dict[str, Any] = {
    "format": "managed-contact-front-line",
    "version": 1,
    "as_of": TODAY,
    "arrangements": [
        {
            "case_id": "MC-2026-0001",
            "customer_reference": PHONE_LIKE,
            "stage": 1,
            "scope": {"council_wide": False, "services": ["council-tax"]},
            "measures": [
                {"id": "one-channel", "label": "Limiting the customer to one medium of contact"},
                {"id": "spoc", "label": "Single point of contact"},
            ],
            "single_points_of_contact": [{"id": "liam-treadwell", "name": "Liam Treadwell"}],
            "allowed_channel": "letter",
            "blocked_channels": [],
            "valid_until": "2027-02-03",
        },
        {
            "case_id": "MC-2026-0002",
            "customer_reference": None,
            "stage": 2,
            "scope": {"council_wide": True, "services": ["council-tax", "housing-options"]},
            "measures": [
                {
                    "id": "call-termination",
                    "label": "Telephone calls terminated using a script, customer directed to "
                    "online webforms",
                },
                {
                    "id": "email-diversion",
                    "label": "Emails diverted to a single point of contact, with responses on a "
                    "set time frame",
                },
                {"id": "spoc", "label": "Single point of contact"},
            ],
            "single_points_of_contact": [
                {"id": "liam-treadwell", "name": "Liam Treadwell"},
                {"id": "ben-holloway", "name": "Ben Holloway"},
            ],
            "allowed_channel": None,
            "blocked_channels": ["telephone"],
            "valid_until": "2027-01-06",
        },
    ],
}


def test_json_is_what_the_register_says_and_round_trips(cases: Path) -> None:
    code, out, err = run(cases, "export", "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == EXPECTED
    assert json.loads(out)["arrangements"][0]["customer_reference"] == PHONE_LIKE
    assert to_json(parse(out)) == out
    document, _ = arrangements(cases, parse(out).as_of, keys())
    assert parse(out) == document


def test_csv_neutralises_every_formula_and_json_keeps_it(register: Path) -> None:
    for n, payload in enumerate(PAYLOADS, start=1):
        write_case(
            register,
            case(
                id=f"MC-2026-{n:04d}",
                customer=customer(payload),
                decisions=[decision("D1", "2026-08-03")],
            ),
        )
    code, out, _ = run(register, "export", "--format", "csv")
    assert code == 0
    assert out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"), newline="")))
    header, body = rows[0], rows[1:]
    column = header.index("Customer reference")
    assert [r[column] for r in body] == [f"'{p}" for p in PAYLOADS]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    code, out, _ = run(register, "export")
    assert code == 0
    got = [a["customer_reference"] for a in json.loads(out)["arrangements"]]
    assert got == list(PAYLOADS)


def test_csv_reads_as_words_for_people(cases: Path) -> None:
    code, out, _ = run(cases, "export", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"), newline="")))
    assert [r["Case"] for r in rows] == ["MC-2026-0001", "MC-2026-0002"]
    assert rows[0]["Customer reference"] == f"'{PHONE_LIKE}"
    assert rows[0]["Allowed channel"] == "letter only"
    assert rows[1]["Scope"] == "council-wide"
    assert rows[1]["Allowed channel"] == "any channel except telephone"
    assert rows[1]["Single point of contact"] == (
        "Liam Treadwell (liam-treadwell); Ben Holloway (ben-holloway)"
    )


def test_a_case_that_cannot_be_opened_is_named_not_skipped(cases: Path, tmp_path: Path) -> None:
    elsewhere = DirectoryKeystore(tmp_path / "other-keys")
    write_case(
        cases,
        case(
            id="MC-2026-0009",
            customer=customer("CRM-9"),
            decisions=[decision("D1", "2026-08-03")],
        ),
        elsewhere,
    )
    code, out, err = run(cases, "export")
    assert code == 1
    assert out == ""
    assert "MC-2026-0009" in err
    assert "MC-2026-0001" not in err
    code, out, err = run(cases, "export", "--keystore", str(tmp_path / "other-keys"))
    assert code == 1
    assert "2 active case(s) could not be opened" in err
    assert "MC-2026-0001, MC-2026-0002" in err


def test_output_file_is_private_and_the_same(cases: Path, tmp_path: Path) -> None:
    target = tmp_path / "markers.json"
    code, printed, _ = run(cases, "export", "--output", str(target))
    assert code == 0
    assert printed.startswith(f"wrote {target}: 2 arrangement(s)")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text(encoding="utf-8")) == EXPECTED


def test_help_says_machines_import_json() -> None:
    out = " ".join(CliRunner().invoke(main, ["export", "--help"]).stdout.split())
    assert "Machines import the JSON" in out
    assert PHONE_LIKE in out
