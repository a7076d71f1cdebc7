"""`mcr signers`: allowed_signers that git accepts, with the registry's windows, and CODEOWNERS."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from changerepo import dump_yaml
from click.testing import CliRunner

from managed_contact.changes.signers import (
    allowed_signers,
    codeowners,
    registry_keys,
    ssh_fingerprint,
)
from managed_contact.cli.main import main
from managed_contact.errors import ExitCode
from managed_contact.register.policy import People, Policy

from gitfixtures import SshKey, commit, make_repo, make_ssh_key, run_git

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def key(tmp_path_factory: pytest.TempPathFactory) -> SshKey:
    return make_ssh_key(tmp_path_factory.mktemp("keys"), "ann")


def people(*keys: dict[str, object]) -> People:
    return People.model_validate(
        {
            "people": [
                {
                    "id": "ann-example",
                    "name": "Ann Example",
                    "email": "ann@example.org",
                    "roles": [{"role": "officer", "service": "parking", "start": "2020-01-01"}],
                    "keys": list(keys),
                }
            ]
        }
    )


def test_fingerprint_is_ssh_keygens(key: SshKey) -> None:
    assert ssh_fingerprint(key.public_text)[0] == key.fingerprint


@pytest.mark.parametrize(
    "text",
    ["", "ssh-ed25519", "ssh-dss AAAA", "ssh-ed25519 not-base64!", "ssh-rsa AAAAC3NzaC1lZDI1NTE5"],
)
def test_malformed_keys_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        ssh_fingerprint(text)


def test_allowed_signers_line_has_comma_separated_options_and_an_exclusive_end(
    key: SshKey,
) -> None:
    keys, problems = registry_keys(
        people({"type": "ssh", "key": key.public_text, "start": "2026-01-01", "end": "2026-06-30"})
    )
    assert problems == []
    blob = " ".join(key.public_text.split()[:2])
    assert allowed_signers(keys).splitlines()[-1] == (
        'ann@example.org namespaces="git",valid-after="20260101",valid-before="20260701" ' + blob
    )
    assert allowed_signers(keys, windows=False).splitlines()[-1] == (
        f'ann@example.org namespaces="git" {blob}'
    )


def test_git_accepts_the_generated_file_and_its_window(tmp_path: Path, key: SshKey) -> None:
    keys, _ = registry_keys(
        people({"type": "ssh", "key": key.public_text, "start": "2026-01-01", "end": "2026-06-30"})
    )
    signers = tmp_path / "allowed_signers"
    signers.write_text(allowed_signers(keys), encoding="utf-8")
    repo = make_repo(tmp_path)
    commit(repo, {"a": "a"}, "inside", key=key, date="2026-03-01T12:00:00+00:00")
    commit(repo, {"b": "b"}, "after", key=key, date="2026-08-01T12:00:00+00:00")
    out = run_git(repo, "-c", f"gpg.ssh.allowedSignersFile={signers}", "log", "--format=%G? %GS %s")
    assert out.splitlines() == ["U  after", "G ann@example.org inside"]


def test_a_key_listed_for_two_people_counts_for_neither(key: SshKey) -> None:
    data = people({"type": "ssh", "key": key.public_text, "start": "2026-01-01"}).model_dump(
        mode="json"
    )
    twin = dict(data["people"][0], id="bob-example", name="Bob Example", email="bob@example.org")
    keys, problems = registry_keys(People.model_validate({"people": [*data["people"], twin]}))
    assert keys == []
    assert len(problems) == 2


def test_codeowners_from_the_registry(policy: Policy) -> None:
    text = codeowners(policy, date(2026, 11, 28))
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert "/cases/ @aokafor @bholloway @cmarsh" in lines
    assert "/policy/ @aokafor @drenshaw" in lines
    assert "/.gitlab-ci.yml @aokafor @drenshaw" in lines


def test_mcr_signers_writes_and_checks(register: Path, tmp_path: Path, key: SshKey) -> None:
    data = yaml.safe_load((register / "policy" / "people.yaml").read_text(encoding="utf-8"))
    data["people"][0]["keys"] = [{"type": "ssh", "key": key.public_text, "start": "2026-01-01"}]
    (register / "policy" / "people.yaml").write_text(dump_yaml(data), encoding="utf-8")
    out_dir = tmp_path / "out"
    runner = CliRunner()
    args = ["signers", "--register", str(register), "--output-dir", str(out_dir)]
    assert runner.invoke(main, [*args, "--check"]).exit_code == ExitCode.FINDINGS
    result = runner.invoke(main, args)
    assert result.exit_code == ExitCode.OK, result.output
    assert "amara.okafor@council.example" in (out_dir / "allowed_signers").read_text()
    assert (out_dir / "CODEOWNERS").is_file()
    assert runner.invoke(main, [*args, "--check"]).exit_code == ExitCode.OK


def test_mcr_signers_reports_a_malformed_key(register: Path, tmp_path: Path) -> None:
    shutil.copy(REPO / "policy" / "people.yaml", register / "policy" / "people.yaml")
    data = yaml.safe_load((register / "policy" / "people.yaml").read_text(encoding="utf-8"))
    data["people"][0]["keys"] = [{"type": "ssh", "key": "ssh-ed25519 AAAA", "start": "2026-01-01"}]
    (register / "policy" / "people.yaml").write_text(dump_yaml(data), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["signers", "--register", str(register), "--output-dir", str(tmp_path)]
    )
    assert result.exit_code == ExitCode.FINDINGS
    assert "MC408" in result.stderr
