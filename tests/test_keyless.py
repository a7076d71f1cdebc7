"""`mcr check --base` with no keystore judges a change as it does with one.

CI checks merge requests without keys. Each scenario commits sealed case files to a real
repository and runs the change check twice, keyless and with the test keys: the findings must be
the same, except those of the rules that need keys to read personal text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from changerepo import TODAY, RegisterRepo
from click.testing import CliRunner
from test_changes import stage_1

from managed_contact.changes.check import ChangeResult, check_change
from managed_contact.cli.main import main
from managed_contact.register.findings import Finding
from managed_contact.register.rules import CATALOGUE

import sealkit
from casebuilder import letter, review

NEEDS_KEYS = {rule.id for rule in CATALOGUE.values() if rule.needs_keys}


def _with_review() -> dict[str, Any]:
    data = stage_1()
    data["reviews"] = [review("R1", "2026-09-01", "continue", extend_to="2027-03-01")]
    data["letters"].append(letter("L2", "2026-09-02", "R1"))
    return data


def _shown(finding: Finding) -> tuple[str, int, int, str, str, str]:
    return (finding.file, finding.line, finding.column, finding.path, finding.rule, finding.message)


def _both(reg: RegisterRepo, base: str) -> tuple[ChangeResult, ChangeResult]:
    def run(keyed: bool) -> ChangeResult:
        return check_change(reg.path, base, "HEAD", TODAY, keys=sealkit.keys() if keyed else None)

    return run(False), run(True)


def _assert_same(keyless: ChangeResult, keyed: ChangeResult) -> None:
    expected = sorted(_shown(f) for f in keyed.findings if f.rule not in NEEDS_KEYS)
    assert sorted(map(_shown, keyless.findings)) == expected


def test_an_edit_to_a_sealed_past_entry_is_refused_with_or_without_keys(
    reg: RegisterRepo,
) -> None:
    reg.case(_with_review(), key="amara")
    base = reg.commit({}, "Approve\n\nApproves: MC-2026-0001\n", key="hugo")
    data = _with_review()
    data["reviews"][0]["considerations"] = "Rewritten after the fact."
    reg.case(data, "Reword the review", key="amara", date="2026-10-01")
    keyless, keyed = _both(reg, base)
    _assert_same(keyless, keyed)
    assert {f.rule for f in keyed.findings.errors} == {"MC403"}


def test_a_corrected_phone_number_passes_with_or_without_keys(reg: RegisterRepo) -> None:
    base = reg.case(stage_1(), key="hugo")
    data = stage_1()
    data["customer"]["phone"] = "01632 960999"
    reg.case(data, "New phone number")
    keyless, keyed = _both(reg, base)
    _assert_same(keyless, keyed)
    assert not keyed.findings.errors


def test_a_household_named_in_a_change_is_found_only_with_keys(reg: RegisterRepo) -> None:
    data = stage_1()
    data["customer"]["name"] = "Jordan and Casey Fictitious"
    reg.case(data, key="hugo")
    keyless, keyed = _both(reg, reg.base)
    _assert_same(keyless, keyed)
    assert "MC381" in {f.rule for f in keyed.findings.errors}
    assert "MC381" not in {f.rule for f in keyless.findings}


def test_mcr_check_base_opens_the_change_with_the_keystore_it_is_given(
    reg: RegisterRepo, tmp_path: Path
) -> None:
    data = stage_1()
    data["customer"]["name"] = "Jordan and Casey Fictitious"
    reg.case(data, key="hugo")

    def check(*options: str) -> str:
        args = ["check", "--base", reg.base, "--register", str(reg.path), *options]
        result = CliRunner().invoke(main, args)
        return result.stdout

    assert "MC381" in check()  # $MCR_KEYSTORE: the session's keys
    empty = tmp_path / "no-keys"
    assert "MC381" not in check("--keystore", str(empty))
