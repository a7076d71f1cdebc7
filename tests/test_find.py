"""`mcr find NAME`: cases found by the customer's name or an alias, spelling forgiven, where
their keys are; the others named by id as not searched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from managed_contact.cli.main import main
from managed_contact.errors import ExitCode
from managed_contact.register.finding import names_match, slips, words
from managed_contact.sealing.keystore import DirectoryKeystore

from casebuilder import case, decision, letter, review
from sealkit import write_case


@pytest.mark.parametrize(
    ("typed", "held"),
    [
        ("Jordan Pellow", "Jordan Pellow"),
        ("jordan pellow", "JORDAN PELLOW"),
        ("Pellow", "Jordan Pellow"),
        ("J. Pellow", "Jordan Pellow"),
        ("J Pellow", "Jordan Alex Pellow"),
        ("Pellow, Jordan", "Jordan Pellow"),
        ("Jordan Pelow", "Jordan Pellow"),
        ("Jrodan Pellow", "Jordan Pellow"),
        ("Jordan Pillow", "Jordan Pellow"),
        ("Jordon Pellowe", "Jordan Pellow"),
        ("Siobhan Ni Bhriain", "Siobhán Ní Bhriain"),
        ("Zoe Lund", "Zoë Lünd"),
        ("OBrien", "Sean O'Brien"),
        ("O\u2019Brien", "Sean O'Brien"),
        ("McDonald", "Ross Mc Donald"),
        ("Jordan Alex Pellow", "Jordan Pellow"),
        ("Pel", "Jordan Pellow"),
        ("Christopherson", "Chris Christophersen"),
    ],
)
def test_close_spellings_match(typed: str, held: str) -> None:
    assert names_match(typed, held)


@pytest.mark.parametrize(
    ("typed", "held"),
    [
        ("Jordan Smith", "Jordan Pellow"),
        ("J", "Jordan Pellow"),
        ("J. P.", "Jordan Pellow"),
        ("Ann Lee", "Bob Lee"),
        ("Pellow", "Jordan Bellamy"),
        ("Kim", "Tim Lund"),
        ("", "Jordan Pellow"),
        ("Pwllow", "Jordan Bryce"),
    ],
)
def test_other_names_do_not(typed: str, held: str) -> None:
    assert not names_match(typed, held)


def test_words_fold_case_accents_and_punctuation() -> None:
    assert words("  ZOË  O\u2019Brien-Łukasz ") == ("zoe", "obrien", "lukasz")
    assert slips("jordan", "jrodan") == 1
    assert slips("pellow", "pelow") == 1
    assert slips("pellow", "bellows") == 2


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--register", str(root)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def _own_keystore(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A keystore of each test's own: the session's may hold a key for MC-2026-0002, which the
    search must find missing."""
    monkeypatch.setenv("MCR_KEYSTORE", str(tmp_path / "keys"))


@pytest.fixture
def people(register: Path, tmp_path: Path) -> Path:
    """Four cases: one at stage 1, one dormant found by an alias, one sealed with a key the
    session's keystore does not hold, one for someone else."""
    write_case(
        register,
        case(
            id="MC-2026-0001",
            customer={"name": "Jordan Pellow", "phone": "01632 960001"},
            decisions=[decision("D1", "2026-08-03")],
            letters=[letter("L1", "2026-08-04", "D1")],
        ),
    )
    write_case(
        register,
        case(
            id="MC-2025-0004",
            customer={
                "name": "Morgan Hale",
                "aliases": ["Jo Pellow"],
                "address": "1 Fictional Row",
            },
            decisions=[decision("D1", "2025-01-10")],
            reviews=[review("R1", "2025-12-20", "close")],
            letters=[letter("L1", "2025-01-11", "D1"), letter("L2", "2025-12-21", "R1")],
        ),
    )
    write_case(
        register,
        case(id="MC-2026-0002", customer={"name": "Jordan Pellow"}),
        DirectoryKeystore(tmp_path / "elsewhere"),
    )
    write_case(register, case(id="MC-2026-0003", customer={"name": "Riley Bellamy"}))
    return register


def test_find_lists_cases_by_name_and_alias_with_their_state(people: Path) -> None:
    code, out, err = run(people, "find", "J.", "Pellow")
    assert code == ExitCode.OK
    assert out.splitlines() == [
        "MC-2025-0004  dormant  Jo Pellow  (another name they use)",
        "MC-2026-0001  stage 1  Jordan Pellow",
        "2 case(s) found among 3 searched",
        "1 case(s) could not be searched: no key: MC-2026-0002",
        "  check them another way before relying on this search (ask whoever holds their keys, "
        "or give the keystore with --keystore)",
    ]
    # The names asked for, and nothing else of the case: no phone, no address, no other name.
    for private in ("01632", "Fictional Row", "Morgan", "Bellamy"):
        assert private not in out + err


def test_find_forgives_spelling(people: Path) -> None:
    code, out, _ = run(people, "find", "jrodan pelow")
    assert code == ExitCode.OK
    assert "MC-2026-0001  stage 1  Jordan Pellow" in out
    code, out, _ = run(people, "find", "BELLAMY")
    assert "MC-2026-0003" in out


def test_find_with_no_match_exits_1_and_still_names_what_it_could_not_search(
    people: Path,
) -> None:
    code, out, _ = run(people, "find", "Quentin Nobody")
    assert code == ExitCode.FINDINGS
    assert "no case found among 3 searched" in out
    assert "could not be searched: no key: MC-2026-0002" in out


def test_find_json(people: Path) -> None:
    code, out, _ = run(people, "find", "Pellow", "--format", "json")
    assert code == ExitCode.OK
    assert json.loads(out) == {
        "searched": 3,
        "matches": [
            {"case": "MC-2025-0004", "state": "dormant", "name": "Jo Pellow", "alias": True},
            {"case": "MC-2026-0001", "state": "stage-1", "name": "Jordan Pellow", "alias": False},
        ],
        "unsearched": [{"case": "MC-2026-0002", "why": "no key"}],
    }


def test_a_case_file_that_does_not_load_is_named_not_skipped(people: Path) -> None:
    (people / "cases" / "MC-2026-0009.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    code, out, _ = run(people, "find", "Pellow")
    assert code == ExitCode.OK
    assert "could not be searched: the file does not load (mcr check): MC-2026-0009" in out


def test_find_needs_the_keystore(people: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MCR_KEYSTORE")
    code, out, err = run(people, "find", "Pellow")
    assert code == ExitCode.USAGE
    assert "keystore is needed to search names" in err
    assert "Jordan" not in out + err
