"""Deletion at the end of retention, legal holds, and what `mcr due` shows of them."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import pytest
import yaml
from test_cli import run, write_case

from managed_contact.changes.deletions import statistics_for
from managed_contact.register.policy import Policy
from managed_contact.register.snapshot import load_case

from casebuilder import case, decision, letter, review

CASE = "MC-2026-0001"


def dormant(closed: str = "2023-12-01", **extra: object) -> dict[str, object]:
    return case(
        decisions=[decision("D1", "2023-06-10")],
        reviews=[review("R1", closed, "close")],
        letters=[letter("L1", "2023-06-11", "D1"), letter("L2", closed, "R1")],
        **extra,
    )


def test_statistics_are_worked_out_from_the_case(register: Path, policy: Policy) -> None:
    path = write_case(register, dormant())
    loaded = load_case(register, path)[0]
    assert loaded is not None
    stats = statistics_for(loaded.case, policy, date(2026, 11, 28), "retention")
    assert stats is not None
    assert stats.model_dump(exclude_none=True) == {
        "opened_year": 2023,
        "highest_stage": 1,
        "services": ["council-tax"],
        "conduct": ["shouting"],
        "outcome": "closed",
        "days_at_stage_1": (date(2023, 12, 1) - date(2023, 6, 10)).days,
        "days_at_stage_2": 0,
        "days_dormant": (date(2026, 11, 28) - date(2023, 12, 1)).days,
        "opened_month": "2023-06",
        "stays": [
            {
                "state": "stage-1",
                "began": "2023-06",
                "ended": "2023-12",
                "days": (date(2023, 12, 1) - date(2023, 6, 10)).days,
            },
            {
                "state": "dormant",
                "began": "2023-12",
                "ended": "2026-11",
                "days": (date(2026, 11, 28) - date(2023, 12, 1)).days,
            },
        ],
        # The review fell due six months after the decision (10 December) and was held first.
        "reviews": [{"due": "2023-12", "on_time": True}],
        "challenges": [],
    }
    erased = statistics_for(loaded.case, policy, date(2026, 11, 28), "erasure")
    assert erased is not None
    assert erased.outcome == "erased"


def test_a_case_erased_before_any_decision_is_recorded_at_stage_0(register: Path) -> None:
    write_case(register, case())  # incidents and attempts, no decision yet
    code, _, err = run(
        register, "delete", CASE, "--reason", "erasure", "--approved-by", "amara-okafor"
    )
    assert code == 0, err
    log = yaml.safe_load((register / "cases" / "deletions.yaml").read_text(encoding="utf-8"))
    stats = log["deletions"][0]["statistics"]
    assert (stats["highest_stage"], stats["outcome"]) == (0, "erased")
    assert stats["days_at_stage_1"] == stats["days_at_stage_2"] == 0
    assert run(register, "check")[0] == 0


def test_delete_removes_the_file_and_appends_the_record(register: Path) -> None:
    write_case(register, dormant())
    log = register / "cases" / "deletions.yaml"
    before = "# yaml-language-server: $schema=../schemas/deletions.schema.json\ndeletions: []\n"
    log.write_text(before, encoding="utf-8")
    code, out, err = run(
        register, "delete", CASE, "--reason", "retention", "--approved-by", "amara-okafor"
    )
    assert code == 0, err
    assert "mcr keys shred MC-2026-0001" in out
    assert not (register / "cases" / f"{CASE}.yaml").exists()
    text = log.read_text(encoding="utf-8")
    assert text.startswith(before.splitlines()[0] + "\ndeletions:\n  - id: MC-2026-0001\n")
    record = yaml.safe_load(text)["deletions"][0]
    assert record["reason"] == "retention"
    assert record["approved_by"] == "amara-okafor"
    assert record["statistics"]["days_at_stage_1"] == 174
    # A second deletion keeps every byte of the first.
    write_case(register, dormant(id="MC-2026-0002"))
    assert (
        run(
            register,
            "delete",
            "MC-2026-0002",
            "--reason",
            "erasure",
            "--approved-by",
            "amara-okafor",
        )[0]
        == 0
    )
    after = log.read_text(encoding="utf-8")
    assert after.startswith(text)
    assert [d["id"] for d in yaml.safe_load(after)["deletions"]] == [CASE, "MC-2026-0002"]
    assert run(register, "check")[0] == 0


def test_delete_refuses_a_case_not_yet_due(register: Path) -> None:
    write_case(register, dormant("2026-06-01"))
    code, _, err = run(
        register, "delete", CASE, "--reason", "retention", "--approved-by", "amara-okafor"
    )
    assert code == 1
    assert "MC-2026-0001 is not due for deletion until 2027-06-01" in err
    assert (register / "cases" / f"{CASE}.yaml").exists()


def test_delete_refuses_an_active_case_for_retention(register: Path) -> None:
    write_case(
        register,
        case(decisions=[decision("D1", "2026-08-03")], letters=[letter("L1", "2026-08-04", "D1")]),
    )
    code, _, err = run(
        register, "delete", CASE, "--reason", "retention", "--approved-by", "amara-okafor"
    )
    assert code == 1
    assert "is stage-1, not dormant" in err


def test_a_hold_blocks_deletion_until_it_ends(register: Path) -> None:
    write_case(register, dormant())
    code, out, err = run(
        register,
        "hold",
        CASE,
        "add",
        "--reason",
        "subject-access-request",
        "--reference",
        "SAR-2026-117 Kestrel",
        "--start",
        "2026-11-20",
    )
    assert code == 0, err
    assert "legal hold H1 recorded" in out
    text = (register / "cases" / f"{CASE}.yaml").read_text(encoding="utf-8")
    assert "SAR-2026-117" not in text
    assert "ENC[mcr1," in text
    assert run(register, "check")[0] == 0

    code, _, err = run(
        register, "delete", CASE, "--reason", "retention", "--approved-by", "amara-okafor"
    )
    assert code == 1
    assert "under open legal hold H1" in err
    code, _, err = run(
        register, "delete", CASE, "--reason", "erasure", "--approved-by", "amara-okafor"
    )
    assert code == 1
    assert "legal hold H1" in err

    code, out, _ = run(register, "due", "--format", "json")
    kinds = {(i["kind"], i["due"]) for i in json.loads(out)}
    assert ("legal-hold", "2026-11-20") in kinds
    assert ("sar-deadline", "2026-12-20") in kinds

    code, out, err = run(register, "hold", CASE, "end", "H1", "--end", "2026-11-25")
    assert code == 0, err
    assert run(register, "check")[0] == 0
    code, out, _ = run(register, "due", "--format", "json")
    assert not {i["kind"] for i in json.loads(out)} & {"legal-hold", "sar-deadline"}
    code, _, err = run(
        register, "delete", CASE, "--reason", "retention", "--approved-by", "amara-okafor"
    )
    assert code == 0, err


def test_ending_a_hold_twice_or_an_unknown_one_is_refused(register: Path) -> None:
    write_case(
        register,
        dormant(
            legal_holds=[
                {
                    "id": "H1",
                    "reason": "legal-claim",
                    "start": "2025-01-01",
                    "end": "2025-02-01",
                    "reference": "CL-1",
                }
            ]
        ),
    )
    code, _, err = run(register, "hold", CASE, "end", "H1", "--end", "2026-11-25")
    assert code == 1
    assert "already ended" in err
    code, _, err = run(register, "hold", CASE, "end", "H7", "--end", "2026-11-25")
    assert code == 1
    assert "no legal hold H7" in err
    code, out, err = run(
        register,
        "hold",
        CASE,
        "add",
        "--reason",
        "police-matter",
        "--reference",
        "PX-9",
        "--start",
        "2026-11-01",
    )
    assert code == 0, err
    assert "H2" in out


@pytest.mark.parametrize("reason", ["retention", "erasure"])
def test_delete_refuses_an_unknown_approver(register: Path, reason: str) -> None:
    write_case(register, dormant())
    code, _, err = run(register, "delete", CASE, "--reason", reason, "--approved-by", "nobody")
    assert code == 1
    assert "'nobody' is not a person" in err


def test_delete_replaces_the_log_whole_and_keeps_its_mode(register: Path) -> None:
    """The deletion log is written as a new file renamed over the old one (so a crash leaves
    the old log or the new, never half of one), keeping its permissions."""
    write_case(register, dormant())
    log = register / "cases" / "deletions.yaml"
    log.write_text("deletions: []\n", encoding="utf-8")
    log.chmod(0o640)
    linked = register / "old-log.yaml"
    linked.hardlink_to(log)
    code, _, err = run(
        register, "delete", CASE, "--reason", "retention", "--approved-by", "amara-okafor"
    )
    assert code == 0, err
    assert linked.read_text(encoding="utf-8") == "deletions: []\n"  # replaced, not rewritten
    assert stat.S_IMODE(log.stat().st_mode) == 0o640
    assert [d["id"] for d in yaml.safe_load(log.read_text("utf-8"))["deletions"]] == [CASE]
    assert not (register / "cases" / f"{CASE}.yaml").exists()
    assert not list((register / "cases").glob(".mcr-write-*"))


@pytest.mark.parametrize("mode", [0o600, 0o664], ids=oct)
def test_a_hold_keeps_the_case_file_mode(register: Path, mode: int) -> None:
    path = write_case(register, dormant())
    path.chmod(mode)
    linked = register / "old-case.yaml"
    linked.hardlink_to(path)
    before = linked.read_bytes()
    code, _, err = run(
        register, "hold", CASE, "add", "--reason", "legal-claim", "--reference", "CL-9",
        "--start", "2026-11-20",
    )  # fmt: skip
    assert code == 0, err
    assert stat.S_IMODE(path.stat().st_mode) == mode
    code, _, err = run(register, "hold", CASE, "end", "H1", "--end", "2026-11-25")
    assert code == 0, err
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert linked.read_bytes() == before
    assert not list((register / "cases").glob(".*.tmp")) + list(
        (register / "cases").glob(".mcr-write-*")
    )
