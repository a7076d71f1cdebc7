"""The `mcr` command line: output, exit codes and the commands' contracts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from managed_contact.cli import check as check_command
from managed_contact.cli.main import main
from managed_contact.errors import ExitCode
from managed_contact.register import front_line as said
from managed_contact.register.rules import MODELINE
from managed_contact.sealing.keystore import DirectoryKeystore

from casebuilder import case, decision, letter, review
from sealkit import sealed


def write_case(root: Path, data: dict[str, object]) -> Path:
    path = root / "cases" / f"{data['id']}.yaml"
    text = MODELINE + "\n" + yaml.safe_dump(data, sort_keys=False)
    path.write_text(sealed(text, str(data["id"])), encoding="utf-8")
    return path


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--register", str(root)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def stage_1(register: Path) -> Path:
    write_case(
        register,
        case(
            decisions=[decision("D1", "2026-08-03")],
            letters=[letter("L1", "2026-08-04", "D1")],
        ),
    )
    return register


def test_check_passes_a_valid_register(stage_1: Path) -> None:
    code, out, _ = run(stage_1, "check")
    assert code == ExitCode.OK
    assert out.strip().endswith("1 case file(s) checked: 0 error(s), 0 warning(s)")


def test_check_reports_every_finding_with_file_line_and_rule(register: Path) -> None:
    data = case(decisions=[decision("D1", "2026-08-03", decided_by="kate-ormsby")])
    write_case(register, data)
    code, out, _ = run(register, "check")
    assert code == ExitCode.FINDINGS
    lines = out.splitlines()
    assert any(
        re.match(
            r"cases/MC-2026-0001\.yaml:\d+:\d+: error: MC310: decisions\[0\]\.decided_by: ", line
        )
        for line in lines
    )
    # Not only the first: the missing letter is reported too.
    assert any(": MC320: " in line for line in lines)


def test_check_json_is_machine_readable(register: Path) -> None:
    write_case(register, case(decisions=[decision("D1", "2026-08-03")]))
    code, out, _ = run(register, "check", "--format", "json")
    payload = json.loads(out)
    assert code == ExitCode.FINDINGS
    assert payload["checked"] == 1
    assert payload["errors"] >= 1
    rules = {f["rule"] for f in payload["findings"]}
    assert "MC320" in rules
    first = payload["findings"][0]
    assert set(first) == {"file", "line", "column", "path", "rule", "severity", "message"}
    assert payload["skipped"] == []


def test_check_json_says_which_rules_were_skipped_without_keys(
    stage_1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MCR_KEYSTORE")
    code, out, _ = run(stage_1, "check", "--format", "json")
    assert code == ExitCode.OK
    skipped = json.loads(out)["skipped"]
    assert skipped
    assert all(item["cases"] == ["MC-2026-0001"] for item in skipped)
    assert "MC381" in {item["rule"] for item in skipped}


def test_overdue_review_warns_normally_and_fails_the_scheduled_check(register: Path) -> None:
    write_case(
        register,
        case(decisions=[decision("D1", "2026-01-05")], letters=[letter("L1", "2026-01-06", "D1")]),
    )
    code, out, _ = run(register, "check")
    assert code == ExitCode.OK
    assert "warning: MC350" in out
    code, out, _ = run(register, "check", "--strict-dates")
    assert code == ExitCode.FINDINGS
    assert "error: MC350" in out


def test_check_one_file(stage_1: Path) -> None:
    code, out, _ = run(stage_1, "check", str(stage_1 / "cases" / "MC-2026-0001.yaml"))
    assert code == ExitCode.OK
    assert "1 case file(s) checked" in out


def test_today_comes_from_the_option_then_the_environment(
    stage_1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MCR_TODAY", "2027-06-01")
    code, out, _ = run(stage_1, "check")
    assert code == ExitCode.OK
    assert "warning: MC350" in out  # due 2027-02-03, overdue by June
    code, out, _ = run(stage_1, "check", "--today", "2026-11-28")
    assert code == ExitCode.OK
    assert "MC350" not in out


@pytest.mark.parametrize(
    "args",
    [["check", "--today", "2026-02-30"], ["check", "--format", "xml"], ["show"], ["nonsense"]],
)
def test_usage_errors_exit_2(stage_1: Path, args: list[str]) -> None:
    code, _, _ = run(stage_1, *args)
    assert code == ExitCode.USAGE


def test_not_a_register_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, "check")
    assert code == ExitCode.USAGE
    assert "not inside a register" in err or "no cases/" in err


def test_internal_error_exit_3_with_the_traceback_in_a_log(
    stage_1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(check_command, "run_check", boom)
    code, out, err = run(stage_1, "check")
    assert code == ExitCode.INTERNAL
    assert "Traceback" not in out + err
    log = Path(re.search(r"written to (\S+)\.", err).group(1))  # type: ignore[union-attr]
    assert "disk on fire" in log.read_text()
    log.unlink()


def test_show_in_plain_words(stage_1: Path) -> None:
    code, out, _ = run(stage_1, "show", "MC-2026-0001")
    assert code == ExitCode.OK
    assert "state: stage 1 (warning and monitoring) since 2026-08-03" in out
    assert "Time limits on telephone conversations and personal contacts (15 minutes)" in out
    assert "next review due: 2027-02-03" in out
    assert "customer: sealed" in out
    assert "Jordan" not in out


def test_show_reveals_personal_values_only_when_asked(register: Path) -> None:
    spoc = {"measure": "spoc", "spoc": "liam-treadwell", "times": "Tuesdays 10:00-12:00"}
    write_case(
        register,
        case(
            decisions=[decision("D1", "2026-08-03", measures=[spoc])],
            letters=[letter("L1", "2026-08-04", "D1")],
        ),
    )
    code, out, _ = run(register, "show", "MC-2026-0001")
    assert code == ExitCode.OK
    assert "times: sealed" in out
    assert "Tuesdays" not in out
    assert "Jordan" not in out
    code, out, _ = run(register, "show", "MC-2026-0001", "--reveal")
    assert code == ExitCode.OK
    assert "customer: Jordan Fictitious" in out
    assert "times: Tuesdays 10:00-12:00" in out
    code, out, _ = run(register, "show", "MC-2026-0001", "--format", "json")
    data = json.loads(out)
    assert (data["customer"], data["revealed"]) == ("sealed", False)
    code, out, _ = run(register, "show", "MC-2026-0001", "--format", "json", "--reveal")
    assert json.loads(out)["customer"] == "Jordan Fictitious"


def test_show_reveal_needs_the_keystore(stage_1: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MCR_KEYSTORE")
    code, _out, err = run(stage_1, "show", "MC-2026-0001", "--reveal")
    assert code == ExitCode.USAGE
    assert "keystore is needed for --reveal" in err


def test_show_json(stage_1: Path) -> None:
    code, out, _ = run(stage_1, "show", "MC-2026-0001", "--format", "json")
    data = json.loads(out)
    assert code == ExitCode.OK
    assert (data["state"], data["next_review_due"], data["expires"]) == (
        "stage-1",
        "2027-02-03",
        "2027-02-03",
    )


def test_show_unknown_case(stage_1: Path) -> None:
    code, _, err = run(stage_1, "show", "MC-2026-0099")
    assert code == ExitCode.FINDINGS
    assert "no case MC-2026-0099" in err
    assert "mcr find NAME" in err


def test_show_on_something_that_is_not_a_case_id(stage_1: Path) -> None:
    code, out, err = run(stage_1, "show", "Pellow")
    assert code == ExitCode.FINDINGS
    assert "Pellow is not a case id: case ids look like MC-2026-0001" in err
    assert "mcr find NAME" in err
    assert out == ""


def test_show_says_what_front_line_staff_do_in_the_case_pages_words(register: Path) -> None:
    measures = [
        {"measure": "spoc", "spoc": "liam-treadwell"},
        {"measure": "time-limits", "minutes": 15},
        {"measure": "one-channel", "channel": "email"},
        {"measure": "other", "description": "Write to the customer in large print."},
    ]
    write_case(
        register,
        case(
            decisions=[decision("D1", "2026-08-03", measures=measures)],
            letters=[letter("L1", "2026-08-04", "D1")],
        ),
    )
    code, out, _ = run(register, "show", "MC-2026-0001")
    assert code == ExitCode.OK
    lines = out.splitlines()
    start = lines.index("  what front-line staff do (as on the case page):")
    section = lines[start : lines.index("  open challenges: none")]
    assert "    single point of contact: Liam Treadwell (liam.treadwell@council.example)" in section
    assert "    allowed channel: email only" in section
    assert (
        "    - Single point of contact. All contact goes through the single point of contact, "
        "Liam Treadwell. Do not deal with the matter yourself; pass it on the same day."
    ) in section
    assert "    If the customer emails:" in section
    assert f"    - {said.ALLOWED_HERE}" in section
    assert "    - Other special measure. sealed" in section
    assert "large print" not in out
    code, out, _ = run(register, "show", "MC-2026-0001", "--reveal")
    assert "    - Other special measure. Write to the customer in large print." in out
    code, out, _ = run(register, "show", "MC-2026-0001", "--format", "json")
    line = json.loads(out)["front_line"]
    assert line["channel"] == "email only"
    assert [s["heading"] for s in line["situations"]] == [h for _, _, h in said.SITUATIONS]
    assert "large print" not in out


def test_show_lists_open_challenges(register: Path) -> None:
    challenges = [
        {"id": "C1", "received": "2026-08-20", "against": "D1", "grounds": "Unfair."},
    ]
    write_case(
        register,
        case(
            decisions=[decision("D1", "2026-08-03")],
            letters=[letter("L1", "2026-08-04", "D1")],
            challenges=challenges,
        ),
    )
    code, out, _ = run(register, "show", "MC-2026-0001")
    assert code == ExitCode.OK
    assert "  open challenges (awaiting a decision by a senior officer not involved):" in out
    assert "    - C1 against D1, received 2026-08-20" in out
    assert "Unfair" not in out
    _, out, _ = run(register, "show", "MC-2026-0001", "--format", "json")
    assert json.loads(out)["open_challenges"] == [
        {"id": "C1", "against": "D1", "received": "2026-08-20"}
    ]


def test_due_lists_soonest_first(register: Path) -> None:
    def active(case_id: str, day: str, letter_day: str) -> dict[str, object]:
        return case(
            id=case_id,
            decisions=[decision("D1", day)],
            letters=[letter("L1", letter_day, "D1")],
        )

    write_case(register, active("MC-2026-0001", "2026-06-10", "2026-06-11"))
    write_case(register, active("MC-2026-0003", "2026-05-01", "2026-05-02"))
    write_case(
        register,
        case(
            id="MC-2026-0002",
            decisions=[decision("D1", "2025-01-10")],
            reviews=[review("R1", "2025-12-20", "close")],
            letters=[letter("L1", "2025-01-11", "D1"), letter("L2", "2025-12-21", "R1")],
        ),
    )
    code, out, _ = run(register, "due", "--within", "30", "--format", "json")
    assert code == ExitCode.OK
    assert [(i["due"], i["case"], i["kind"], i["overdue"]) for i in json.loads(out)] == [
        ("2026-11-01", "MC-2026-0003", "monitoring-end", True),
        ("2026-11-01", "MC-2026-0003", "review", True),
        ("2026-12-10", "MC-2026-0001", "monitoring-end", False),
        ("2026-12-10", "MC-2026-0001", "review", False),
        ("2026-12-20", "MC-2026-0002", "deletion", False),
    ]
    code, out, _ = run(register, "due", "--within", "15")
    assert out.splitlines() == [
        "Reviews overdue (1)",
        "  2026-11-01  MC-2026-0003  review due",
        "",
        "Reviews due within 15 days (1)",
        "  2026-12-10  MC-2026-0001  review due",
        "",
        "Monitoring periods ended (1)",
        "  2026-11-01  MC-2026-0003  monitoring period ends",
        "",
        "Monitoring periods ending within 15 days (1)",
        "  2026-12-10  MC-2026-0001  monitoring period ends",
    ]
    assert "Jordan" not in out


def test_due_names_customers_only_when_asked(stage_1: Path) -> None:
    code, out, _ = run(stage_1, "due", "--within", "90")
    assert code == ExitCode.OK
    assert "  2027-02-03  MC-2026-0001  review due" in out
    assert "Jordan Fictitious" not in out
    code, out, _ = run(stage_1, "due", "--within", "90", "--names")
    assert code == ExitCode.OK
    assert "  2027-02-03  MC-2026-0001  Jordan Fictitious  review due" in out
    code, out, _ = run(stage_1, "due", "--within", "90", "--names", "--format", "json")
    assert {item["name"] for item in json.loads(out)} == {"Jordan Fictitious"}


def test_due_names_need_the_keystore(
    stage_1: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MCR_KEYSTORE")
    code, out, err = run(stage_1, "due", "--within", "90", "--names")
    assert code == ExitCode.USAGE
    assert "keystore is needed for --names" in err
    assert "Jordan" not in out + err
    empty = tmp_path / "empty-keystore"
    code, out, _ = run(stage_1, "due", "--within", "90", "--names", "--keystore", str(empty))
    assert code == ExitCode.OK
    assert "  2027-02-03  MC-2026-0001  (sealed: no key)  review due" in out


OPENING = ("--name", "Sam Example", "--service", "council-tax")


def test_new_scaffolds_the_next_free_id(stage_1: Path) -> None:
    (stage_1 / "cases" / "deletions.yaml").write_text(
        "deletions:\n  - id: MC-2026-0007\n", encoding="utf-8"
    )
    code, out, _ = run(stage_1, "new", *OPENING)
    assert code == ExitCode.OK
    assert out.strip() == (
        "created cases/MC-2026-0008.yaml; record what happened with: "
        "mcr record incident MC-2026-0008"
    )
    text = (stage_1 / "cases" / "MC-2026-0008.yaml").read_text()
    assert text.splitlines()[0] == MODELINE
    assert "id: MC-2026-0008" in text


def test_new_makes_the_key_and_seals(register: Path, tmp_path: Path) -> None:
    store = tmp_path / "new-keystore"
    code, _, _ = run(register, "new", *OPENING, "--keystore", str(store))
    assert code == ExitCode.OK
    text = (register / "cases" / "MC-2026-0001.yaml").read_text()
    assert re.search(r"^  name: ENC\[mcr1,1,", text, flags=re.MULTILINE)
    assert (store / "keys" / "MC-2026-0001.mcrkey").is_file()
    code, out, _ = run(register, "check", "--keystore", str(store), "--format", "json")
    assert {f["rule"] for f in json.loads(out)["findings"]}.isdisjoint({"MC010", "MC012", "MC013"})


def test_new_refuses_an_id_that_already_has_a_key(register: Path, tmp_path: Path) -> None:
    store = tmp_path / "new-keystore"
    DirectoryKeystore(store).create("MC-2026-0001")
    code, _, err = run(register, "new", *OPENING, "--keystore", str(store))
    assert code == ExitCode.USAGE
    assert "already holds a key for it" in err
    assert not (register / "cases" / "MC-2026-0001.yaml").exists()


def test_due_has_the_dashboards_categories_with_counts_and_aligned_columns(
    register: Path,
) -> None:
    challenge = {"id": "C1", "received": "2026-09-01", "against": "D1", "grounds": "Unfair."}
    write_case(
        register,
        case(
            decisions=[decision("D1", "2026-08-03")],
            letters=[letter("L1", "2026-08-04", "D1")],
            challenges=[challenge],
        ),
    )
    write_case(
        register,
        case(
            id="MC-2026-0002",
            decisions=[decision("D1", "2026-07-01")],
            reviews=[review("R1", "2026-11-02", "escalate")],
            letters=[letter("L1", "2026-07-02", "D1"), letter("L2", "2026-11-03", "R1")],
        ),
    )
    code, out, _ = run(register, "due", "--within", "10", "--names")
    assert code == ExitCode.OK
    assert out.splitlines() == [
        "Escalations pending: a stage 2 decision is awaited (1)",
        "  2026-11-02  MC-2026-0002  Jordan Fictitious  since 2026-11-02",
        "",
        "Open challenges: awaiting a decision by a senior officer not involved (1)",
        "  2026-09-01  MC-2026-0001  Jordan Fictitious  C1 against D1, received 2026-09-01",
    ]
    assert "Unfair" not in out
    code, out, _ = run(register, "due", "--within", "10", "--format", "json")
    rows = {(r["kind"], r["case"], r["heading"]) for r in json.loads(out)}
    assert rows == {
        ("escalation", "MC-2026-0002", "Escalations pending: a stage 2 decision is awaited"),
        (
            "challenge",
            "MC-2026-0001",
            "Open challenges: awaiting a decision by a senior officer not involved",
        ),
    }


def test_due_with_nothing_due_says_so(register: Path) -> None:
    code, out, _ = run(register, "due", "--within", "10")
    assert (code, out.strip()) == (ExitCode.OK, "Nothing due or overdue within 10 days.")
