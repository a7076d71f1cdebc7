"""`mcr record`: each kind of entry recorded by options, in place, sealed, and checked first."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pytest
from changerepo import TODAY, RegisterRepo, case_yaml
from click.testing import CliRunner

from managed_contact.casework.recording import RecordRefused, next_entry_id, record
from managed_contact.cli.main import main
from managed_contact.register.check import run_check

from casebuilder import LETTER_STATES, case, decision, letter
from sealkit import keys, keystore

CASE = "MC-2026-0001"
FILE = f"cases/{CASE}.yaml"
STATES = ",".join(LETTER_STATES)
DECIDED = [decision("D1", "2023-06-10")]
LETTERED = {"decisions": DECIDED, "letters": [letter("L1", "2023-06-11", "D1")]}
CHALLENGED = {
    **LETTERED,
    "challenges": [
        {"id": "C1", "received": "2023-06-20", "against": "D1", "grounds": "Unfair, I say."}
    ],
}


def put(root: Path, **sections: Any) -> Path:
    path = root / FILE
    path.write_text(case_yaml(case(**sections)), encoding="utf-8")
    return path


def mcr(root: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["record", *args, "--register", str(root)])


def errors(root: Path) -> list[tuple[str, str]]:
    result = run_check(root, TODAY, keys=keys())
    return [(f.rule, f.path) for f in result.findings.errors]


def only_inserted(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`; fails unless it is one block and nothing else."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    ops = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    changed = [op for op in ops if op[0] != "equal"]
    assert len(changed) == 1, changed
    assert changed[0][0] == "insert", changed
    _, _, _, j1, j2 = changed[0]
    assert "".join(new[:j1] + new[j2:]) == before
    return new[j1:j2]


#: kind, the case's history before, the options, the id expected, the plain text given.
KINDS: list[tuple[str, dict[str, Any], list[str], str, list[str]]] = [
    (
        "incident",
        {},
        [
            "--date=2023-06-05",
            "--channel=telephone",
            "--service=council-tax",
            "--categories=shouting",
            "--staff-affected=One call handler",
            '--account=Said: "you will hear from my solicitor"',
            "--opinion=Hugo Barrett=Upsetting for the team.",
        ],
        "I2",
        ["One call handler", "solicitor", "Upsetting"],
    ),
    (
        "resolution-attempt",
        {},
        ["--date=2023-06-05", "--service=council-tax", "--description=Met to go through it."],
        "S2",
        ["Met to go through it."],
    ),
    (
        "adjustment",
        {},
        ["--date=2023-06-05", "--description=Offered a weekly call.", "--outcome=made"],
        "A2",
        ["Offered a weekly call."],
    ),
    (
        "decision",
        {},
        [
            "--date=2023-06-10",
            "--stage=1",
            "--decided-by=Hugo Barrett",
            "--conduct=shouting",
            "--reason=Shouting at call handlers.",
            '--measure=spoc spoc=liam-treadwell times="Tuesdays 10:00-12:00"',
            "--measure=call-limits calls=1 period=week",
            "--crt-notified=2023-06-10",
        ],
        "D1",
        ["Shouting at call handlers.", "Tuesdays 10:00-12:00"],
    ),
    (
        "letter",
        {"decisions": DECIDED},
        [
            "--date=2023-06-11",
            "--about=D1",
            "--medium=letter",
            "--sent-by=hugo-barrett",
            f"--states={STATES}",
        ],
        "L1",
        [],
    ),
    (
        "review",
        LETTERED,
        [
            "--date=2023-12-01",
            "--reviewed-by=amara-okafor,Hugo Barrett",
            "--outcome=continue",
            "--considerations=Contact has calmed.",
            "--extend-to=2024-06-01",
        ],
        "R1",
        ["Contact has calmed."],
    ),
    (
        "challenge",
        LETTERED,
        ["--received=2023-06-20", "--against=D1", "--grounds=I was never rude."],
        "C1",
        ["I was never rude."],
    ),
    (
        "challenge-outcome",
        CHALLENGED,
        [
            "--challenge=C1",
            "--decided-by=eleanor-voss",
            "--decided=2023-07-01",
            "--outcome=varied",
            "--measure=time-limits minutes=20",
        ],
        "C1",
        [],
    ),
    (
        "police-report",
        {},
        ["--date=2023-06-05", "--reference=CRI/1234/23", "--incidents=I1"],
        "P1",
        ["CRI/1234/23"],
    ),
    (
        "legal-hold",
        {},
        ["--reason=ombudsman-complaint", "--start=2023-06-05", "--reference=LGSCO 23 001 234"],
        "H1",
        ["LGSCO 23 001 234"],
    ),
    (
        "councillor",
        LETTERED,
        ["--councillor=cllr-olive-brandt", "--choice=opt-in", "--date=2023-06-15"],
        "cllr-olive-brandt",
        [],
    ),
    (
        "activity",
        {},
        ["--date=2023-06-05", "--summary=Rang twice about the bins."],
        "T1",
        ["Rang twice about the bins."],
    ),
    (
        "correction",
        {},
        [
            "--date=2023-06-05",
            "--entry=I1",
            "--made-by=amara-okafor",
            "--approved-by=amara-okafor",
            "--reason=The date was wrong.",
        ],
        "K1",
        ["The date was wrong."],
    ),
]


@pytest.mark.parametrize(
    ("kind", "history", "options", "entry", "plain"), KINDS, ids=[k[0] for k in KINDS]
)
def test_each_kind_recorded_by_options(
    register: Path,
    kind: str,
    history: dict[str, Any],
    options: list[str],
    entry: str,
    plain: list[str],
) -> None:
    path = put(register, **history)
    before = path.read_text(encoding="utf-8")
    old_errors = errors(register)
    result = mcr(register, kind, CASE, *options)
    assert result.exit_code == 0, result.output
    assert f" {entry} recorded" in result.output
    assert "git add cases/MC-2026-0001.yaml && git commit -S -m" in result.output
    after = path.read_text(encoding="utf-8")
    added = "".join(only_inserted(before, after))
    for text in plain:
        assert text not in after
        assert text not in result.output
    if plain:
        assert "ENC[mcr1," in added
    owed = {("MC320", p) for p in ("decisions[0]", "reviews[0]", "challenges[0]")}
    assert set(errors(register)) - set(old_errors) <= owed


def test_decision_names_who_must_sign(register: Path) -> None:
    put(register)
    options = KINDS[3][2]
    result = mcr(register, "decision", CASE, *options)
    assert result.exit_code == 0, result.output
    assert 'git commit -S -m "MC-2026-0001: decision D1"' in result.output
    assert "hugo-barrett (the decider)" in result.output
    assert "mcr record letter MC-2026-0001 --about D1" in result.output


def test_stage_2_decision_names_author_and_recommender() -> None:
    from managed_contact.casework.recording import approvals_for

    values = decision("D2", "2024-01-01", stage=2)
    assert [a.person for a in approvals_for("decision", values)] == [
        "david-renshaw",
        "farid-qureshi",
        "ben-holloway",
    ]
    reviewers = approvals_for("review", {"reviewed_by": ["amara-okafor", "hugo-barrett"]})
    assert [a.person for a in reviewers] == ["amara-okafor", "hugo-barrett"]


def _refused(root: Path, path: Path, kind: str, values: dict[str, Any], rule: str) -> None:
    before = path.read_bytes()
    stamp = path.stat().st_mtime_ns
    with pytest.raises(RecordRefused) as refused:
        record(root, CASE, kind, values, keystore(), TODAY)
    assert rule in {f.rule for f in refused.value.findings}, refused.value.findings
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == stamp
    for f in refused.value.findings:
        assert "Shouting" not in f.message
        assert "Jordan" not in f.message


D_VALUES = {k: v for k, v in decision("X", "2023-06-10").items() if k != "id"}
L_VALUES = {k: v for k, v in letter("X", "2023-06-11", "D1").items() if k != "id"}


@pytest.mark.parametrize(
    ("history", "kind", "values", "rule"),
    [
        ({"incidents": []}, "decision", D_VALUES, "MC300"),
        ({}, "decision", {**D_VALUES, "decided_by": "liam-treadwell"}, "MC310"),
        ({"decisions": DECIDED}, "letter", {**L_VALUES, "states": ["behaviour"]}, "MC321"),
        ({"decisions": DECIDED}, "letter", {**L_VALUES, "date": "2023-06-01"}, "MC340"),
        (
            LETTERED,
            "review",
            {
                "date": "2023-12-01",
                "reviewed_by": ["amara-okafor"],
                "outcome": "close",
                "considerations": "Calm now.",
            },
            "MC315",
        ),
        (
            CHALLENGED,
            "challenge-outcome",
            {
                "challenge": "C1",
                "decided_by": "hugo-barrett",
                "decided": "2023-07-01",
                "outcome": "not-upheld",
            },
            "MC370",
        ),
        (
            {},
            "incident",
            {
                "date": "2023-06-05",
                "channel": "telephone",
                "service": "council-tax",
                "categories": ["pigeon-fancying"],
                "staff_affected": "A handler",
                "account": "Shouting again.",
            },
            "MC201",
        ),
        ({}, "decision", {**D_VALUES, "decided_by": "nobody-known"}, "MC205"),
        # identity: a letter about an entry the case does not have
        ({"decisions": DECIDED}, "letter", {**L_VALUES, "about": "D7"}, "MC108"),
        # transitions: a review of a case no decision has opened
        (
            {},
            "review",
            {
                "date": "2023-06-20",
                "reviewed_by": ["amara-okafor", "hugo-barrett"],
                "outcome": "close",
                "considerations": "Nothing to review.",
            },
            "MC342",
        ),
        # councillors: an opt-in by someone who is not a councillor
        (
            {},
            "councillor",
            {"councillor": "hugo-barrett", "choice": "opt-in", "date": "2023-06-20"},
            "MC360",
        ),
        # safeguards: a measure that takes away the channel an adjustment relies on
        (
            {
                "adjustments": [
                    {
                        "id": "A1",
                        "date": "2023-06-02",
                        "description": "Calls at a set time: the customer cannot read small print.",
                        "outcome": "made",
                        "channel": "telephone",
                    }
                ]
            },
            "decision",
            {**D_VALUES, "measures": [{"measure": "one-channel", "channel": "email"}]},
            "MC380",
        ),
    ],
    ids=[
        "MC300",
        "MC310",
        "MC321",
        "MC340",
        "MC315",
        "MC370",
        "MC201",
        "MC205",
        "MC108",
        "MC342",
        "MC360",
        "MC380",
    ],
)
def test_refused_before_writing(
    register: Path, history: dict[str, Any], kind: str, values: dict[str, Any], rule: str
) -> None:
    path = put(register, **history)
    _refused(register, path, kind, values, rule)


def test_refusal_names_the_rule_on_the_command_line(register: Path) -> None:
    path = put(register)
    before = path.read_bytes()
    options = [o for o in KINDS[3][2] if not o.startswith("--decided-by")]
    result = mcr(register, "decision", CASE, *options, "--decided-by=liam-treadwell")
    assert result.exit_code == 1
    assert "MC310: decisions[0].decided_by:" in result.output
    assert "nothing was written" in result.output
    assert path.read_bytes() == before


def test_next_id_is_one_more_than_the_highest() -> None:
    assert next_entry_id([{"id": "I1"}, {"id": "I2"}], "incidents") == "I3"
    assert next_entry_id([{"id": "I1"}, {"id": "I5"}, {"id": "X9"}], "incidents") == "I6"
    assert next_entry_id([], "reviews") == "R1"


def test_next_id_in_the_file(register: Path) -> None:
    first = case()["incidents"][0]
    put(register, incidents=[first, {**first, "id": "I2", "date": "2023-06-02"}])
    done = record(register, CASE, "incident", {**first, "id": None}, keystore(), TODAY)
    assert done.entry == "I3"


def test_an_empty_flow_list_becomes_a_block_list(register: Path) -> None:
    path = put(register, letters=[], decisions=DECIDED)
    before = path.read_text(encoding="utf-8")
    assert "letters: []\n" in before
    done = record(register, CASE, "letter", L_VALUES, keystore(), TODAY)
    after = path.read_text(encoding="utf-8")
    assert done.entry == "L1"
    assert "letters:\n- id: L1\n" in after  # the file's own style: dashes at the key's column
    assert errors(register) == []


def test_missing_value_without_a_terminal_is_a_usage_error(register: Path) -> None:
    path = put(register)
    before = path.read_bytes()
    result = mcr(register, "incident", CASE, "--date=2023-06-05")
    assert result.exit_code == 2
    assert "--channel" in result.output
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--date=2030-01-01"], "after today"),
        (["--date=2023-02-30"], "not a real calendar date"),
        (["--date=1 June"], "YYYY-MM-DD"),
        (["--service=counciltax"], "did you mean council-tax"),
        (["--decided-by=Hugo Baret"], "Hugo Barrett (hugo-barrett)"),
        (["--measure=spoc"], "needs spoc="),
        (["--measure=spoc minutes=3"], "takes spoc=..."),
        (["--about=D1"], "not one of the values of 'incident'"),
    ],
)
def test_values_checked_against_policy(register: Path, options: list[str], words: str) -> None:
    put(register)
    kind = (
        "decision" if any(o.startswith(("--decided", "--measure")) for o in options) else "incident"
    )
    result = mcr(register, kind, CASE, *options)
    assert result.exit_code == 2, result.output
    assert words in result.output


def test_signed_decision_passes_the_change_check(reg: RegisterRepo) -> None:
    reg.case(case(), "MC-2026-0001: opened", key="amara")
    store = keystore()
    record(reg.path, CASE, "decision", D_VALUES, store, TODAY)
    record(reg.path, CASE, "letter", L_VALUES, store, TODAY)
    text = (reg.path / FILE).read_text(encoding="utf-8")
    reg.commit({FILE: text}, "MC-2026-0001: decision D1", key="hugo")
    assert reg.errors() == set()


def test_the_files_own_indentation_is_kept(register: Path) -> None:
    from managed_contact.sealing.keystore import DirectoryKeystore

    repo = Path(__file__).resolve().parents[1]
    demo = DirectoryKeystore(repo / "demo-keystore")
    name = "MC-2026-0003"
    path = register / "cases" / f"{name}.yaml"
    before = (repo / "cases" / f"{name}.yaml").read_text(encoding="utf-8")
    path.write_text(before, encoding="utf-8")
    values = {
        "date": "2026-07-30",
        "channel": "telephone",
        "service": "benefits",
        "categories": ["verbal-abuse"],
        "staff_affected": "A benefits officer",
        "account": "Swore at the officer.",
    }
    done = record(register, name, "incident", values, demo, TODAY)
    added = only_inserted(before, path.read_text(encoding="utf-8"))
    assert done.entry == "I3"
    assert added[0] == "  - id: I3\n"
    assert added[1] == "    date: 2026-07-30\n"
    assert [f.rule for f in run_check(register, TODAY, keys=demo.get).findings.errors] == []


def test_windows_line_breaks_are_kept(register: Path) -> None:
    path = put(register, decisions=DECIDED)
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(text.encode("utf-8"))
    record(register, CASE, "letter", L_VALUES, keystore(), TODAY)
    after = path.read_bytes().decode("utf-8")
    assert "\n" not in after.replace("\r\n", "")
    assert only_inserted(text, after)[0] == "letters:\r\n"


def test_violence_is_recorded_and_the_police_report_asked_for_next(register: Path) -> None:
    """An incident of violence breaks MC330 until its police report is recorded, and the report
    names the incident: so the incident is recorded, and the report is the next step."""
    put(register)
    incident = [
        "incident",
        CASE,
        "--date=2023-06-20",
        "--channel=in-person",
        "--service=council-tax",
        "--categories=violence",
        "--staff-affected=A reception officer",
        "--account=Pushed the officer aside at the counter.",
    ]
    result = mcr(register, *incident)
    assert result.exit_code == 0, result.output
    assert "still to record:" in result.output
    assert "(MC330, incidents[1])" in result.output
    assert f"record it with: mcr record police-report {CASE} --incidents I2" in result.output
    assert errors(register) == [("MC330", "incidents[1]")]

    reported = ["police-report", CASE, "--date=2023-06-20", "--reference=PX-0001"]
    result = mcr(register, *reported, "--incidents=I2")
    assert result.exit_code == 0, result.output
    assert "still to record" not in result.output
    assert errors(register) == []
