"""`mcr seal`, `mcr unseal` and `mcr setup`: sealing in place, reading sealed files, and git
showing key holders plain text (and everyone else the sealed text)."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from managed_contact.cli.main import main
from managed_contact.errors import ExitCode
from managed_contact.register.personal import seal_text, unseal_text
from managed_contact.register.rules import MODELINE
from managed_contact.register.snapshot import CASE_NAME, DEMO_KEYSTORE
from managed_contact.sealing.keystore import DirectoryKeystore
from managed_contact.sealing.tokens import is_token

from casebuilder import case, decision, letter
from conftest import REPO
from gitfixtures import commit, git_env, make_repo, run_git
from sealkit import key_for, sealed

CASE = "MC-2026-0001"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def plain_case(**extra: object) -> str:
    data = case(
        decisions=[decision("D1", "2026-08-03")],
        letters=[letter("L1", "2026-08-04", "D1")],
        **extra,
    )
    return MODELINE + "\n" + yaml.safe_dump(data, sort_keys=False)


def demo_plaintexts() -> list[tuple[str, str]]:
    """Every demo case as plain text (unsealed with the demo's keystore where it is sealed)."""
    demo = DirectoryKeystore(REPO / DEMO_KEYSTORE)
    found = []
    for path in sorted((REPO / "cases").glob("MC-*.yaml")):
        text = path.read_text(encoding="utf-8")
        key = demo.get(path.stem)
        if key is not None:
            text = unseal_text(text, f"cases/{path.name}", key)
        found.append((path.stem, text))
    return found


@pytest.mark.parametrize(("case_id", "plain"), demo_plaintexts(), ids=lambda v: v[:12])
def test_seal_unseal_round_trip_on_every_demo_case(case_id: str, plain: str) -> None:
    file = f"cases/{case_id}.yaml"
    once = sealed(plain, case_id)
    assert once != plain
    opened = unseal_text(once, file, key_for(case_id))
    assert yaml.safe_load(opened) == yaml.safe_load(plain)
    assert seal_text(opened, file, key_for(case_id)) == once  # re-sealing changes 0 bytes
    assert seal_text(once, file, key_for(case_id)) == once


def test_seal_seals_every_case_in_place_and_then_changes_nothing(
    register: Path, tmp_path: Path
) -> None:
    store = tmp_path / "keys"
    for number, (_, plain) in enumerate(demo_plaintexts()[:3], 1):
        case_id = f"MC-2026-{number:04d}"
        text = re.sub(r"^id: .*$", f"id: {case_id}", plain, count=1, flags=re.MULTILINE)
        (register / "cases" / f"{case_id}.yaml").write_text(text, encoding="utf-8")
    code, out, err = run("seal", "--register", str(register), "--keystore", str(store))
    assert code == ExitCode.OK, err
    lines = out.splitlines()
    assert len(lines) == 3
    assert all(" sealed " in line and "(new key in" in line for line in lines)
    assert sorted(DirectoryKeystore(store).case_ids()) == [f"MC-2026-{n:04d}" for n in (1, 2, 3)]
    files = sorted((register / "cases").glob("MC-*.yaml"))
    before = {p: p.read_bytes() for p in files}
    code, out, _ = run("seal", "--register", str(register), "--keystore", str(store))
    assert code == ExitCode.OK
    assert out.count("nothing in plain text") == 3
    assert {p: p.read_bytes() for p in files} == before
    code, out, _ = run("check", "--register", str(register), "--keystore", str(store))
    assert "MC010" not in out
    assert "MC012" not in out


def test_seal_counts_values_and_never_prints_them(register: Path) -> None:
    path = register / "cases" / f"{CASE}.yaml"
    path.write_text(plain_case(), encoding="utf-8")
    code, out, _ = run("seal", str(path))
    assert code == ExitCode.OK
    assert out.startswith(f"cases/{CASE}.yaml: sealed ")
    assert "Jordan" not in out
    text = path.read_text(encoding="utf-8")
    assert "Jordan" not in text
    assert "name: ENC[mcr1," in text


def test_seal_names_why_a_file_could_not_be_sealed(register: Path, tmp_path: Path) -> None:
    broken = register / "cases" / "MC-2026-0002.yaml"
    broken.write_text(MODELINE + "\nid: MC-2026-0002\nid: again\n", encoding="utf-8")
    good = register / "cases" / f"{CASE}.yaml"
    good.write_text(plain_case(), encoding="utf-8")
    lost = register / "cases" / "MC-2026-0003.yaml"
    lost.write_text(
        re.sub(
            r"^( *description: )ENC\[.*$",
            r"\1A plain note.",
            sealed(plain_case(id="MC-2026-0003"), "MC-2026-0003"),
            count=1,
            flags=re.MULTILINE,
        ),
        encoding="utf-8",
    )
    assert "A plain note." in lost.read_text(encoding="utf-8")
    before = broken.read_bytes(), lost.read_bytes()
    store = tmp_path / "other-keystore"
    code, out, err = run("seal", "--register", str(register), "--keystore", str(store))
    assert code == ExitCode.FINDINGS
    assert "cases/MC-2026-0002.yaml: does not load strictly" in err
    assert "cases/MC-2026-0003.yaml: has sealed values but" in err
    assert "2 file(s) could not be sealed" in err
    assert f"cases/{CASE}.yaml: sealed " in out
    assert (broken.read_bytes(), lost.read_bytes()) == before
    assert DirectoryKeystore(store).case_ids() == [CASE]


@pytest.mark.parametrize(
    ("field", "written", "label"),
    [
        ("phone", 7700900123, "customer.phone"),
        ("phone", True, "customer.phone"),
        ("address", {"line": "9 Quillmarsh Road"}, "customer.address"),
        ("email", ["jordan@example.org", {"work": "jordan@example.org"}], "customer.email[1]"),
        ("phone", "ENC[not-a-token 7700 900123]", "customer.phone"),
        ("phone", "ENC[mcr1,1,AAAA]", "customer.phone"),
        ("aliases", ["Jo F", 7700900123], "customer.aliases[1]"),
    ],
)
def test_seal_refuses_a_personal_value_it_cannot_seal(
    register: Path, tmp_path: Path, field: str, written: object, label: str
) -> None:
    """A number, a date, a mapping or list, or a broken sealed value under a personal field:
    the file is refused, naming the place (never the value), and nothing is reported sealed."""
    path = register / "cases" / f"{CASE}.yaml"
    text = plain_case(customer={"name": "Jordan Fictitious", field: written})
    path.write_text(text, encoding="utf-8")
    store = tmp_path / "keys"
    code, out, err = run("seal", str(path), "--keystore", str(store))
    assert code == ExitCode.FINDINGS, out
    assert f"cases/{CASE}.yaml: cannot seal {label}:" in err
    assert "sealed " not in out
    for shown in ("7700", "Quillmarsh", "jordan@", "AAAA", "Jordan", "Jo F"):
        assert shown not in out + err
    assert path.read_text(encoding="utf-8") == text


def test_unseal_prints_the_plain_text(register: Path) -> None:
    path = register / "cases" / f"{CASE}.yaml"
    path.write_text(sealed(plain_case(), CASE), encoding="utf-8")
    before = path.read_bytes()
    code, out, _ = run("unseal", str(path))
    assert code == ExitCode.OK
    assert "name: Jordan Fictitious" in out
    assert yaml.safe_load(out) == yaml.safe_load(plain_case())
    assert path.read_bytes() == before


def test_unseal_refuses_without_a_keystore_or_a_key(
    register: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = register / "cases" / f"{CASE}.yaml"
    path.write_text(sealed(plain_case(), CASE), encoding="utf-8")
    monkeypatch.delenv("MCR_KEYSTORE")
    code, out, err = run("unseal", str(path))
    assert code == ExitCode.USAGE
    assert "keystore is needed" in err
    assert out == ""
    code, out, err = run("unseal", str(path), "--keystore", str(tmp_path / "empty"))
    assert code == ExitCode.USAGE
    assert f"holds no key for {CASE}" in err


def test_textconv_never_fails(
    register: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = os.environ["MCR_KEYSTORE"]
    path = register / "cases" / f"{CASE}.yaml"
    text = sealed(plain_case(), CASE)
    path.write_text(text, encoding="utf-8")
    code, out, _ = run("unseal", "--textconv", str(path))
    assert (code, "name: Jordan Fictitious" in out) == (0, True)
    # git hands over past versions as temporary files named XXXXXX_<name>
    copy = tmp_path / f"a1B2c3_{CASE}.yaml"
    copy.write_text(text, encoding="utf-8")
    code, out, _ = run("unseal", "--textconv", str(copy))
    assert (code, "name: Jordan Fictitious" in out) == (0, True)
    monkeypatch.setenv("MCR_KEYSTORE", str(tmp_path / "empty"))
    assert run("unseal", "--textconv", str(path)) == (0, text, "")
    other = register / "policy" / "settings.yaml"
    assert run("unseal", "--textconv", str(other)) == (0, other.read_text(encoding="utf-8"), "")
    torn = tmp_path / f"{CASE}.yaml"
    torn.write_text(text.replace("ENC[mcr1,1,", "ENC[mcr1,1,x", 1), encoding="utf-8")
    monkeypatch.setenv("MCR_KEYSTORE", keys)
    assert run("unseal", "--textconv", str(torn)) == (0, torn.read_text(encoding="utf-8"), "")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A register in a real git repository, with the committed .gitattributes."""
    root = make_repo(tmp_path)
    shutil.copytree(REPO / "policy", root / "policy")
    (root / "cases").mkdir()
    shutil.copy(REPO / ".gitattributes", root / ".gitattributes")
    return root


def _git(root: Path, *args: str, keystore: Path) -> str:
    env = git_env(root.parent)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["MCR_KEYSTORE"] = str(keystore)
    return run_git(root, *args, env=env)


def test_git_shows_plain_text_to_key_holders_and_sealed_text_to_others(
    repo: Path, tmp_path: Path
) -> None:
    assert "cases/MC-*.yaml diff=mcr" in (REPO / ".gitattributes").read_text().splitlines()
    code, _out, _ = run("setup", "--register", str(repo))
    assert code == ExitCode.OK
    config = run_git(repo, "config", "--local", "--get-regexp", r"^diff\.mcr\.")
    assert config.splitlines() == [
        "diff.mcr.textconv mcr unseal --textconv",
        "diff.mcr.cachetextconv false",
    ]
    assert run("setup", "--register", str(repo))[0] == ExitCode.OK  # again: the same
    assert run_git(repo, "config", "--local", "--get-regexp", r"^diff\.mcr\.") == config

    file = f"cases/{CASE}.yaml"
    first = sealed(plain_case(), CASE)
    commit(repo, {".gitattributes": (REPO / ".gitattributes").read_text(), file: first}, "new")
    second = sealed(plain_case().replace("01632 960001", "01632 960777"), CASE)
    commit(repo, {file: second}, "phone")
    third = sealed(plain_case().replace("Jordan Fictitious", "Jordan Renamed"), CASE)
    (repo / file).write_text(third, encoding="utf-8")

    keys = Path(os.environ["MCR_KEYSTORE"])
    log = _git(repo, "log", "-p", "--", file, keystore=keys)
    assert "-  phone: 01632 960001" in log
    assert "+  phone: 01632 960777" in log
    assert "name: Jordan Fictitious" in log
    diff = _git(repo, "diff", "--", file, keystore=keys)
    assert "-  name: Jordan Fictitious" in diff
    assert "+  name: Jordan Renamed" in diff

    nobody = tmp_path / "no-keys"
    log = _git(repo, "log", "-p", "--", file, keystore=nobody)
    assert "ENC[mcr1,1," in log
    assert "Jordan" not in log
    assert "960777" not in log
    diff = _git(repo, "diff", "--", file, keystore=nobody)
    assert "+  name: ENC[mcr1,1," in diff
    assert "Jordan" not in diff
    # nothing of the plain text was cached in the repository
    assert "textconv" not in run_git(repo, "for-each-ref")


def test_setup_needs_a_git_repository(register: Path) -> None:
    code, _, err = run("setup", "--register", str(register))
    assert code == ExitCode.USAGE
    assert "git" in err


def test_sealed_values_are_every_personal_value() -> None:
    for case_id, plain in demo_plaintexts():
        assert CASE_NAME.match(f"{case_id}.yaml")
        doc = yaml.safe_load(sealed(plain, case_id))
        assert is_token(doc["customer"]["name"])
