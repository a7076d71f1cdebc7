"""`mcr keys enrol`: an approver's signing key written into the people registry, in place."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from changerepo import RegisterRepo
from click.testing import CliRunner

from managed_contact.casework.enrolment import EnrolmentRefused, enrol_key
from managed_contact.cli.main import main
from managed_contact.errors import ExitCode

from gitfixtures import SshKey, make_ssh_key

TODAY = date(2026, 11, 28)
PEOPLE = Path("policy/people.yaml")


@pytest.fixture
def fresh(tmp_path: Path) -> SshKey:
    """A key no registry knows yet."""
    return make_ssh_key(tmp_path / "fresh", "grace")


def _inserted(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`, checking that every other line is kept, in order."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    start = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), len(old))
    added = len(new) - len(old)
    assert added > 0
    assert new[:start] + new[start + added :] == old
    return new[start : start + added]


def test_enrol_adds_the_key_and_keeps_every_other_byte(register: Path, fresh: SshKey) -> None:
    before = (register / PEOPLE).read_text(encoding="utf-8")
    done = enrol_key(register, "grace-lindqvist", TODAY, public_key=fresh.public)
    after = (register / PEOPLE).read_text(encoding="utf-8")
    key_line = " ".join(fresh.public_text.split()[:2])
    assert _inserted(before, after) == [
        "    keys:\n",
        "      - type: ssh\n",
        f"        key: {key_line}\n",
        "        start: 2026-11-28\n",
    ]
    assert after.splitlines()[1].startswith("# The people registry")  # comments stay
    assert done.fingerprint == fresh.fingerprint
    assert "grace" not in after.split("keys:")[1].split("\n")[2]  # the key's comment is left out
    assert set(done.owners) == {"amara-okafor", "david-renshaw"}


def test_a_key_with_an_end_and_a_second_key_go_after_the_first(
    register: Path, fresh: SshKey, tmp_path: Path
) -> None:
    enrol_key(register, "hugo-barrett", TODAY, public_key=fresh.public)
    before = (register / PEOPLE).read_text(encoding="utf-8")
    other = make_ssh_key(tmp_path / "other", "hugo2")
    enrol_key(
        register,
        "hugo-barrett",
        TODAY,
        public_key=other.public,
        start=date(2026, 12, 1),
        end=date(2027, 12, 31),
    )
    added = _inserted(before, (register / PEOPLE).read_text(encoding="utf-8"))
    assert added[0] == "      - type: ssh\n"
    assert added[2:] == ["        start: 2026-12-01\n", "        end: 2027-12-31\n"]


def test_cli_enrols_and_mcr_signers_lists_the_key(
    register: Path, fresh: SshKey, tmp_path: Path
) -> None:
    runner = CliRunner()
    args = ["keys", "enrol", "grace-lindqvist", "--public-key", str(fresh.public)]
    result = runner.invoke(main, [*args, "--register", str(register), "--today", "2026-11-28"])
    assert result.exit_code == ExitCode.OK, result.output
    assert "git switch -c enrol-grace-lindqvist" in result.output
    assert "merge request" in result.output
    assert "policy-change" in result.output
    out = tmp_path / "out"
    signed = runner.invoke(
        main,
        ["signers", "--register", str(register), "--output-dir", str(out), "--today", "2026-11-28"],
    )
    assert signed.exit_code == ExitCode.OK, signed.output
    lines = (out / "allowed_signers").read_text().splitlines()
    key_b64 = fresh.public_text.split()[1]
    assert any(
        line.startswith("grace.lindqvist@council.example ") and key_b64 in line for line in lines
    )


def test_the_enrolled_key_counts_once_the_policy_owners_merge_it(
    tmp_path: Path, keys: dict[str, SshKey]
) -> None:
    from test_changes import stage_1

    reg = RegisterRepo.create(tmp_path / "repo", keys)
    reg.case(stage_1(), key="hugo-new")
    assert reg.errors() == {"MC411"}  # the new key is not in the registry yet
    reg.branch("enrol", reg.base)
    enrol_key(reg.path, "hugo-barrett", date(2026, 3, 1), public_key=keys["hugo-new"].public)
    text = (reg.path / PEOPLE).read_text(encoding="utf-8")
    enrolled = reg.commit(
        {str(PEOPLE): text}, "Enrol Hugo's new key", key="amara", date="2026-03-01"
    )
    assert reg.errors(head=enrolled) == set()  # the policy owner signed it: MC405 is satisfied
    reg.base = enrolled
    reg.case(stage_1(), key="hugo-new")
    assert reg.errors() == set()


def test_an_unknown_person_is_refused_with_the_closest_ids(register: Path, fresh: SshKey) -> None:
    before = (register / PEOPLE).read_bytes()
    with pytest.raises(EnrolmentRefused, match="did you mean 'grace-lindqvist'"):
        enrol_key(register, "Grace Lindqvist", TODAY, public_key=fresh.public)
    assert (register / PEOPLE).read_bytes() == before


def test_a_key_already_registered_to_anyone_is_refused(register: Path, fresh: SshKey) -> None:
    enrol_key(register, "grace-lindqvist", TODAY, public_key=fresh.public)
    before = (register / PEOPLE).read_bytes()
    with pytest.raises(EnrolmentRefused, match="already registered to grace-lindqvist"):
        enrol_key(register, "hugo-barrett", TODAY, public_key=fresh.public)
    assert (register / PEOPLE).read_bytes() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not a key\n", "not an SSH public key"),
        ("ssh-ed25519 AAAAnotbase64!!\n", "not an SSH public key"),
        ("", "one public key line"),
        ("\xff\xfe", "not a public key"),
    ],
)
def test_a_file_that_is_not_a_public_key_is_refused(
    register: Path, tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.pub"
    bad.write_bytes(content.encode("latin-1"))
    with pytest.raises(EnrolmentRefused, match=message):
        enrol_key(register, "grace-lindqvist", TODAY, public_key=bad)


def test_a_public_key_ssh_keygen_rejects_is_refused(
    register: Path, fresh: SshKey, tmp_path: Path
) -> None:
    kind, b64 = fresh.public_text.split()[:2]
    bad = tmp_path / "cut.pub"
    bad.write_text(f"{kind} {b64[:-8]}AAAAAAA=\n")
    with pytest.raises(EnrolmentRefused, match="public key"):
        enrol_key(register, "grace-lindqvist", TODAY, public_key=bad)


def test_a_private_key_is_refused(register: Path, fresh: SshKey) -> None:
    with pytest.raises(EnrolmentRefused, match="is a private key"):
        enrol_key(register, "grace-lindqvist", TODAY, public_key=fresh.private)


def test_a_link_or_a_folder_is_refused(register: Path, fresh: SshKey, tmp_path: Path) -> None:
    link = tmp_path / "link.pub"
    os.symlink(fresh.public, link)
    with pytest.raises(EnrolmentRefused, match="is a link"):
        enrol_key(register, "grace-lindqvist", TODAY, public_key=link)
    with pytest.raises(EnrolmentRefused, match="is not a file"):
        enrol_key(register, "grace-lindqvist", TODAY, public_key=tmp_path)


def test_a_linked_people_file_is_refused(register: Path, fresh: SshKey, tmp_path: Path) -> None:
    real = tmp_path / "people.yaml"
    shutil.move(register / PEOPLE, real)
    os.symlink(real, register / PEOPLE)
    with pytest.raises(EnrolmentRefused, match="is missing or a link"):
        enrol_key(register, "grace-lindqvist", TODAY, public_key=fresh.public)


def test_a_window_before_today_or_ending_before_it_starts_is_refused(
    register: Path, fresh: SshKey
) -> None:
    with pytest.raises(EnrolmentRefused, match="start on 2026-11-28 or later"):
        enrol_key(
            register, "grace-lindqvist", TODAY, public_key=fresh.public, start=date(2026, 1, 1)
        )
    with pytest.raises(EnrolmentRefused, match="before its first"):
        enrol_key(
            register, "grace-lindqvist", TODAY, public_key=fresh.public, end=date(2026, 11, 1)
        )


def test_a_gpg_fingerprint_is_enrolled_and_a_malformed_one_refused(register: Path) -> None:
    done = enrol_key(
        register, "hugo-barrett", TODAY, gpg="ABCDEF0123456789ABCDEF0123456789ABCDEF01"
    )
    assert done.type == "gpg"
    assert "type: gpg" in (register / PEOPLE).read_text(encoding="utf-8")
    with pytest.raises(EnrolmentRefused, match="--gpg"):
        enrol_key(register, "hugo-barrett", TODAY, gpg="not-hex")


def test_cli_refusals_exit_1_and_need_one_kind_of_key(register: Path, fresh: SshKey) -> None:
    runner = CliRunner()
    base = ["keys", "enrol", "--register", str(register), "--today", "2026-11-28"]
    result = runner.invoke(main, [*base, "nobody-here", "--public-key", str(fresh.public)])
    assert result.exit_code == ExitCode.FINDINGS
    assert "is not a person in policy/people.yaml" in result.output
    result = runner.invoke(main, [*base, "hugo-barrett"])
    assert result.exit_code == ExitCode.FINDINGS
    assert "--public-key FILE or --gpg FINGERPRINT" in result.output
    result = runner.invoke(
        main, [*base, "hugo-barrett", "--public-key", str(fresh.public), "--start", "1/12/2026"]
    )
    assert result.exit_code == ExitCode.USAGE
