"""`mcr new`: the opening facts asked for or given as options, sealed in the new case file, and
a warning first when a case for someone with the same name already exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from managed_contact.cli import new as new_command
from managed_contact.cli.main import main
from managed_contact.errors import ExitCode
from managed_contact.register.rules import MODELINE
from managed_contact.register.snapshot import load_case

from casebuilder import case, decision, letter
from conftest import TODAY
from sealkit import keys, sealed


def write_case(root: Path, data: dict[str, object]) -> None:
    text = MODELINE + "\n" + yaml.safe_dump(data, sort_keys=False)
    (root / "cases" / f"{data['id']}.yaml").write_text(sealed(text, str(data["id"])), "utf-8")


def run(root: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["new", *args, "--register", str(root)], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def opened(root: Path, case_id: str) -> dict[str, object]:
    """The new case's customer and scope as the register reads them, opened with its key."""
    loaded, _, findings = load_case(root, root / "cases" / f"{case_id}.yaml", keys())
    assert loaded is not None, findings
    assert not loaded.sealed
    return {
        "opened": loaded.case.opened,
        "customer": loaded.case.customer.model_dump(exclude_defaults=True),
        "scope": loaded.case.scope.model_dump(),
    }


@pytest.fixture(autouse=True)
def own_keystore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A keystore for this test alone: the session's already holds keys for the ids `mcr new`
    would give (other tests made them), and it refuses an id that has a key."""
    monkeypatch.setenv("MCR_KEYSTORE", str(tmp_path / "keystore"))


@pytest.fixture
def existing(register: Path) -> Path:
    """A stage 1 case for Jordan Fictitious, also known as J. F. Smith."""
    data = case(
        decisions=[decision("D1", "2026-08-03")],
        letters=[letter("L1", "2026-08-04", "D1")],
    )
    data["customer"] = {
        "name": "Jordan Fictitious",
        "aliases": ["Jo Smith"],
        "phone": "01632 960001",
    }
    write_case(register, data)
    return register


def test_new_takes_the_opening_facts_as_options_and_seals_them(register: Path) -> None:
    code, out, err = run(
        register,
        "--name", "Robin O'Hara: senior",
        "--alias", "Rob Hara",
        "--alias", "R. O'Hara",
        "--address", "2 Imaginary Lane",
        "--email", "robin@example.invalid",
        "--phone", "01632 960777",
        "--reference", "CRM-0042",
        "--service", "council-tax",
        "--service", "benefits",
        "--council-wide",
        "--opened", "2026-10-01",
    )  # fmt: skip
    assert (code, err) == (ExitCode.OK, "")
    assert out.strip() == (
        "created cases/MC-2026-0001.yaml; record what happened with: "
        "mcr record incident MC-2026-0001"
    )
    text = (register / "cases" / "MC-2026-0001.yaml").read_text()
    assert text.splitlines()[0] == MODELINE
    for private in ("Robin", "Hara", "Imaginary", "robin@", "960777", "CRM-0042"):
        assert private not in text
    assert re.search(r"^  name: ENC\[mcr1,", text, flags=re.MULTILINE)
    assert opened(register, "MC-2026-0001") == {
        "opened": TODAY.replace(year=2026, month=10, day=1),
        "customer": {
            "name": "Robin O'Hara: senior",
            "aliases": ["Rob Hara", "R. O'Hara"],
            "address": "2 Imaginary Lane",
            "email": "robin@example.invalid",
            "phone": "01632 960777",
            "reference": "CRM-0042",
        },
        "scope": {"council_wide": True, "services": ["council-tax", "benefits"]},
    }


def test_the_opening_date_is_today_by_default(register: Path) -> None:
    code, _, _ = run(register, "--name", "Sam Example", "--service", "council-tax")
    assert code == ExitCode.OK
    assert opened(register, "MC-2026-0001")["opened"] == TODAY


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--service", "council-tax"), "give --name (or run mcr new on a terminal"),
        (("--name", "Sam Example"), "give --service (or run mcr new on a terminal"),
        (("--name", "Sam Example", "--service", "parking-fines"), "not a service in policy"),
        (
            ("--name", "Sam Example", "--service", "council-tax", "--opened", "2099-01-01"),
            "is after today",
        ),
        (
            ("--name", "Sam Example", "--service", "council-tax", "--opened", "1 May"),
            "give a date written YYYY-MM-DD",
        ),
    ],
)
def test_a_missing_or_wrong_value_without_a_terminal_is_a_usage_error(
    register: Path, args: tuple[str, ...], said: str
) -> None:
    code, _, err = run(register, *args)
    assert code == ExitCode.USAGE
    assert said in err
    assert list((register / "cases").iterdir()) == []


def test_new_warns_of_a_case_for_the_same_name_and_opens_nothing_without_yes(
    existing: Path,
) -> None:
    code, out, err = run(existing, "--name", "jordan fictitous", "--service", "council-tax")
    assert code == ExitCode.FINDINGS
    assert (
        "a case for someone with this name already exists: MC-2026-0001 (stage 1). Check it is "
        "not the same person before opening another." in err
    )
    assert "give --yes to open it anyway" in err
    assert not (existing / "cases" / "MC-2026-0002.yaml").exists()
    # Ids and states only: nothing of the other case's data.
    for private in ("Jordan", "Jo Smith", "01632"):
        assert private not in out + err


def test_an_alias_is_matched_too_and_yes_opens_the_case(existing: Path) -> None:
    code, out, err = run(
        existing, "--name", "Sam Other", "--alias", "J. Smith", "--service", "council-tax", "--yes"
    )
    assert code == ExitCode.OK
    assert "already exists: MC-2026-0001 (stage 1)" in err
    assert "created cases/MC-2026-0002.yaml" in out


def test_a_different_name_opens_without_a_warning(existing: Path) -> None:
    code, out, err = run(existing, "--name", "Riley Bellamy", "--service", "council-tax")
    assert (code, err) == (ExitCode.OK, "")
    assert "created cases/MC-2026-0002.yaml" in out


def test_a_case_that_could_not_be_searched_is_named(existing: Path, tmp_path: Path) -> None:
    other = tmp_path / "other-keystore"
    code, out, err = run(
        existing, "--name", "Riley Bellamy", "--service", "council-tax", "--keystore", str(other)
    )
    assert code == ExitCode.OK
    assert "1 case(s) could not be searched: no key: MC-2026-0001" in err
    assert "created cases/MC-2026-0002.yaml" in out


def test_on_a_terminal_new_asks_for_each_fact(
    existing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(new_command, "_on_terminal", lambda: True)
    answers = [
        "",  # name: asked again
        "Jordan Fictitious",
        "JF; Jo F",  # aliases
        "y",  # open it anyway: asked before the other facts
        "",  # address
        "",  # email
        "01632 960555",  # phone
        "",  # CRM reference
        "swimming",  # not a service: asked again
        "council-tax, benefits",
        "y",  # council-wide
        "2026-13-01",  # not a date: asked again
        "2026-09-15",
    ]
    code, out, err = run(existing, stdin="\n".join(answers) + "\n")
    assert code == ExitCode.OK, out + err
    assert "The customer's full name" in out
    assert "Council Tax" in out  # the services offered
    assert "swimming: not a service in policy/vocabulary.yaml" in out
    assert "already exists: MC-2026-0001 (stage 1)" in err
    assert "Open a new case anyway?" in err
    assert opened(existing, "MC-2026-0002") == {
        "opened": TODAY.replace(year=2026, month=9, day=15),
        "customer": {
            "name": "Jordan Fictitious",
            "aliases": ["JF", "Jo F"],
            "phone": "01632 960555",
        },
        "scope": {"council_wide": True, "services": ["council-tax", "benefits"]},
    }


def test_on_a_terminal_no_to_the_warning_opens_nothing(
    existing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(new_command, "_on_terminal", lambda: True)
    code, _, err = run(
        existing,
        "--name", "Jordan Fictitious", "--service", "council-tax", "--opened", "2026-09-15",
        stdin="\n\n\n\n\nn\nn\n",
    )  # fmt: skip
    assert code == ExitCode.FINDINGS
    assert "no case opened" in err
    assert not (existing / "cases" / "MC-2026-0002.yaml").exists()
