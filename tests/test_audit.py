"""`mcr audit` on the signed demo repository: the right signer and commit for every approval,
read back independently from git; an entry whose approval the change rules refused is marked
so; JSON and text say the same; no personal value is printed."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from managed_contact.casework.demo import make_demo
from managed_contact.changes.demo import DemoRepo, approvals_of, dump_case
from managed_contact.changes.git import Repository
from managed_contact.cli.main import main
from managed_contact.errors import ExitCode
from managed_contact.register.loading import load_bytes
from managed_contact.register.model import Case
from managed_contact.register.personal import personal_values, seal_text, unseal_text
from managed_contact.register.snapshot import case_paths
from managed_contact.register.validation import validate
from managed_contact.sealing.keystore import DirectoryKeystore

from gitfixtures import git_env, run_git

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 28)
#: A case at stage 1 on the demo's day, and the new review the refused change records.
ACTIVE = "MC-2026-0002"
REVIEWERS = ["amara-okafor", "priya-castell"]
WRONG_SIGNER = "david-renshaw"  # holds a key, is named by nothing in the new review


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRepo:
    return make_demo(REPO, tmp_path_factory.mktemp("audit") / "register", TODAY)


def audit(repo: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["audit", *args, "--repo", str(repo)])


def trail(repo: Path, case_id: str) -> dict[str, Any]:
    result = audit(repo, case_id, "--format", "json")
    assert result.exit_code in (ExitCode.OK, ExitCode.FINDINGS), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def git_signatures(demo: DemoRepo, tmp_path: Path) -> dict[str, tuple[str, str, str]]:
    """Each commit's `%G? %GK %GS`, verified by git against an allowed-signers file written here
    from the demo's own public keys (the principal is the person's id)."""
    lines = []
    for person, private in demo.keys.items():
        kind, blob, *_ = private.with_name(private.name + ".pub").read_text().split()
        lines.append(f'{person} namespaces="git" {kind} {blob}')
    signers = tmp_path / "allowed_signers"
    signers.write_text("\n".join(lines) + "\n")
    out = subprocess.run(
        [
            "git",
            "-C",
            str(demo.path),
            "-c",
            f"gpg.ssh.allowedSignersFile={signers}",
            "log",
            "--format=%H %G? %GK %GS",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {}
    for line in out.splitlines():
        sha, status, *rest = line.split(" ")
        key, person = ([*rest, "", ""])[:2]
        found[sha] = (status, key, person)
    return found


def subjects(path: Path) -> dict[str, str]:
    out = subprocess.run(
        ["git", "-C", str(path), "log", "--format=%H %s"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line.split(" ", 1)[1]: line.split(" ", 1)[0] for line in out.splitlines()}


def source_cases() -> list[Case]:
    cases = []
    for path in case_paths(REPO):
        if path.name == "deletions.yaml":
            continue
        doc, problems = load_bytes(path.read_bytes(), f"cases/{path.name}")
        case = validate(Case, doc)[0] if doc is not None and not problems else None
        if case is not None:
            cases.append(case)
    return cases


def test_every_approval_names_the_signer_and_commit_git_reports(
    demo: DemoRepo, tmp_path: Path
) -> None:
    signatures = git_signatures(demo, tmp_path)
    by_subject = subjects(demo.path)
    checked = 0
    for case in source_cases():
        entries = trail(demo.path, case.id)["entries"]
        for approval in approvals_of(case):
            kind = {
                "decisions": "decision",
                "reviews": "review",
                "challenges": "challenge-outcome",
                "corrections": "correction",
            }[approval.section]
            (entry,) = [e for e in entries if (e["kind"], e["id"]) == (kind, approval.entry)]
            # The commit that introduced it is the demo's commit for that step.
            assert entry["commit"] == by_subject[f"{case.id}: {approval.summary}"]
            assert entry["verdict"] == "approved", entry["findings"]
            named = {s["person"]: s for s in entry["signers"] if s["named"]}
            expected = set(approval.people)
            if kind == "decision":  # the recommendation is an entry of its own
                dec = next(d for d in case.decisions if d.id == approval.entry)
                expected = {dec.decided_by}
                expected |= {dec.business_case.author} if dec.business_case else set()
                assert expected <= set(approval.people)
            assert set(named) == expected, (case.id, approval.entry)
            # The first person the step names signed the step's commit itself.
            assert named[approval.people[0]]["commit"] == entry["commit"]
            for signer in entry["signers"]:
                status, key, person = signatures[signer["commit"]]
                assert (status, key, person) == ("G", signer["key"], signer["person"])
                assert signer["roles"], signer
            checked += 1
        recommended = [d for d in case.decisions if d.recommendation is not None]
        for dec in recommended:
            assert dec.recommendation is not None
            (rec,) = [e for e in entries if (e["kind"], e["id"]) == ("recommendation", dec.id)]
            (decision,) = [e for e in entries if (e["kind"], e["id"]) == ("decision", dec.id)]
            assert rec["commit"] == decision["commit"]
            assert [s["person"] for s in rec["signers"] if s["named"]] == [dec.recommendation.by]
    assert checked >= 20


def test_the_deletion_is_audited_and_the_first_commits_entries_are_not_judged(
    demo: DemoRepo, tmp_path: Path
) -> None:
    assert demo.retiring is not None
    assert demo.approver is not None
    entries = trail(demo.path, demo.retiring)["entries"]
    kinds = {e["kind"]: e for e in entries}
    deletion = kinds["deletion"]
    assert deletion["commit"] == demo.head
    assert deletion["verdict"] == "approved"
    status, key, person = git_signatures(demo, tmp_path)[demo.head]
    assert [(s["person"], s["key"]) for s in deletion["signers"]] == [(demo.approver, key)]
    assert (status, person) == ("G", demo.approver)
    for entry in entries:
        if entry["kind"] != "deletion":
            assert entry["commit"] == demo.first_commit
            assert entry["verdict"] == "not judged"
            assert entry["change"]["base"] is None


def add_review(copy: Path) -> str:
    """Write a new review R2 of ACTIVE into the work tree of `copy`, sealed; its path."""
    file = f"cases/{ACTIVE}.yaml"
    key = DirectoryKeystore(copy / ".git" / "mcr-keys").get(ACTIVE)
    assert key is not None
    data = yaml.safe_load(unseal_text((copy / file).read_text(), file, key))
    data["reviews"].append(
        {
            "id": "R2",
            "date": "2026-11-28",
            "reviewed_by": REVIEWERS,
            "outcome": "continue",
            "extend_to": "2027-05-28",
            "considerations": "Contact has stayed within the agreement.",
        }
    )
    (copy / file).write_text(seal_text(dump_case(data).decode(), file, key))
    return file


CRT = ("Customer Relations Team", "customer.relations@council.example")


@pytest.fixture(scope="module")
def refused(demo: DemoRepo, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the demo with one more commit: a new review of ACTIVE, signed by someone it
    does not name. Returns the copy and the new commit."""
    copy = tmp_path_factory.mktemp("refused") / "register"
    shutil.copytree(demo.path, copy, symlinks=True)
    file = add_review(copy)
    sha = Repository(copy).commit(
        [file],
        f"{ACTIVE}: review R2 (continue)\n",
        author=CRT,
        when=datetime(2026, 11, 28, 12, 0, tzinfo=UTC),
        signing_key=copy / ".git" / "demo-keys" / WRONG_SIGNER,
    )
    return copy, sha


def test_a_review_signed_by_someone_it_does_not_name_is_refused(
    refused: tuple[Path, str],
) -> None:
    copy, sha = refused
    result = audit(copy, ACTIVE)
    assert result.exit_code == ExitCode.FINDINGS, result.output
    block = next(b for b in result.stdout.split("\n\n") if b.startswith("review R2 "))
    assert f"commit   {sha[:12]}" in block
    assert "verdict  REFUSED" in block
    assert "MC410  reviews[1].reviewed_by[0]:" in block
    assert "MC410  reviews[1].reviewed_by[1]:" in block
    assert f"signed   {WRONG_SIGNER}  " in block
    assert "(not named by the entry)" in block

    data = trail(copy, ACTIVE)
    (r2,) = [e for e in data["entries"] if e["id"] == "R2"]
    assert r2["verdict"] == "refused"
    assert {f["rule"] for f in r2["findings"]} == {"MC410"}
    assert [(s["person"], s["named"]) for s in r2["signers"]] == [(WRONG_SIGNER, False)]
    # The entries before it keep the verdict they had.
    assert all(e["verdict"] == "approved" for e in data["entries"] if e["id"] != "R2")


def test_an_unsigned_step_is_refused_and_names_no_signer(
    refused: tuple[Path, str], tmp_path: Path
) -> None:
    copy, _ = refused
    unsigned = tmp_path / "register"
    shutil.copytree(copy, unsigned, symlinks=True)
    subprocess.run(["git", "-C", str(unsigned), "reset", "-q", "--hard", "HEAD~1"], check=True)
    shutil.copy(copy / "cases" / f"{ACTIVE}.yaml", unsigned / "cases" / f"{ACTIVE}.yaml")
    Repository(unsigned).commit(
        [f"cases/{ACTIVE}.yaml"],
        f"{ACTIVE}: review R2 (continue)\n",
        author=CRT,
        when=datetime(2026, 11, 28, 12, 0, tzinfo=UTC),
    )
    (r2,) = [e for e in trail(unsigned, ACTIVE)["entries"] if e["id"] == "R2"]
    assert r2["verdict"] == "refused"
    assert r2["signers"] == []
    assert {f["path"] for f in r2["findings"] if f["rule"] == "MC410"} == {
        "reviews[1].reviewed_by[0]",
        "reviews[1].reviewed_by[1]",
    }


def test_json_parses_and_says_what_the_text_says(refused: tuple[Path, str]) -> None:
    copy, _ = refused
    data = trail(copy, ACTIVE)
    text = audit(copy, ACTIVE).stdout
    blocks = text.split("\n\n")
    assert blocks[0].startswith(f"Audit trail of {ACTIVE} at main ({data['commit'][:12]}): ")
    assert len(blocks) - 1 == len(data["entries"])
    for block, entry in zip(blocks[1:], data["entries"], strict=True):
        lines = block.splitlines()
        assert lines[0] == f"{entry['kind']} {entry['id']}  {entry['date']}  names " + ", ".join(
            entry["names"]
        )
        assert f"  commit   {entry['commit'][:12]}  " in block
        signed = [line for line in lines if line.startswith("  signed   ")]
        assert len(signed) == max(1, len(entry["signers"]))
        for line, signer in zip(signed, entry["signers"], strict=False):
            assert line.startswith(f"  signed   {signer['person']}  ")
            assert f"  {signer['key']}  commit {signer['commit'][:12]}" in line
        verdict = {"approved": "approved", "refused": "REFUSED", "not judged": "not judged"}
        assert f"  verdict  {verdict[entry['verdict']]}" in lines
        for finding in entry["findings"]:
            assert f"    {finding['rule']}  {finding['path']}: {finding['message']}" in lines


def test_a_case_in_no_version_of_the_history_exits_1_with_a_message(demo: DemoRepo) -> None:
    result = audit(demo.path, "MC-2030-0999")
    assert result.exit_code == ExitCode.FINDINGS
    assert "MC-2030-0999 is not in the history of main" in result.stderr
    assert result.stdout == ""
    result = audit(demo.path, "../policy/people")
    assert result.exit_code == ExitCode.FINDINGS
    assert "is not a case id" in result.stderr


def test_no_personal_value_of_any_case_is_printed(refused: tuple[Path, str]) -> None:
    copy, _ = refused
    store = DirectoryKeystore(copy / ".git" / "mcr-keys")
    repo = Repository(copy)
    values: set[str] = {"Contact has stayed within the agreement."}
    outputs: list[str] = []
    for case in source_cases():
        file = f"cases/{case.id}.yaml"
        key = store.get(case.id)
        raw = repo.read_file("HEAD", file)
        assert key is not None
        assert raw is not None
        data = yaml.safe_load(unseal_text(raw.decode(), file, key))
        for _, _, value in personal_values(data):
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str) and len(text) >= 4:
                    values.add(text)
        outputs += [audit(copy, case.id).stdout, audit(copy, case.id, "--format", "json").stdout]
    assert len(values) > 50
    everything = "\n".join(outputs)
    assert "Audit trail of" in everything
    assert '"entries"' in everything
    leaked = sorted(v for v in values if v in everything)
    assert not leaked, leaked


def test_merge_request_approvals_count_for_the_change_at_the_tip(
    refused: tuple[Path, str], tmp_path: Path
) -> None:
    copy, sha = refused
    approvals = tmp_path / "approvals.json"
    users = [{"user": {"username": name}} for name in ("aokafor", "pcastell")]
    approvals.write_text(json.dumps({"approved_by": users}))
    result = audit(copy, ACTIVE, "--approvals", str(approvals), "--format", "json")
    assert result.exit_code == ExitCode.OK, result.output
    entries = json.loads(result.stdout)["entries"]
    (r2,) = [e for e in entries if e["id"] == "R2"]
    assert r2["verdict"] == "approved"
    assert r2["forge"] == [
        {"person": person, "kind": "merge-request", "commit": sha, "named": True}
        for person in REVIEWERS
    ]
    # They are of the merge request at the tip: no earlier change counts them.
    assert all(e["forge"] == [] for e in entries if e["id"] != "R2")


def test_a_merged_merge_request_is_one_change_on_the_first_parent_line(
    demo: DemoRepo, tmp_path: Path
) -> None:
    """A branch with the review and its second approver's commit, merged into main with a
    merge commit after main moved on: the merge introduced the entry, and the change runs from
    its first parent over every commit of the branch."""
    copy = tmp_path / "register"
    shutil.copytree(demo.path, copy, symlinks=True)
    repo = Repository(copy)
    keys = copy / ".git" / "demo-keys"
    env = git_env(tmp_path, author=CRT, date="2026-11-28T15:00:00+00:00")
    run_git(copy, "checkout", "-q", "-b", "review-r2", env=env)
    when = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    first = repo.commit(
        [add_review(copy)],
        f"{ACTIVE}: review R2 (continue)\n",
        author=CRT,
        when=when,
        signing_key=keys / REVIEWERS[0],
    )
    second = repo.commit(
        [],
        f"{ACTIVE}: approve review R2\n\nApproves: {ACTIVE}\n",
        author=CRT,
        when=when,
        signing_key=keys / REVIEWERS[1],
    )
    run_git(copy, "checkout", "-q", "main", env=env)
    moved = repo.commit([], "Unrelated work on main\n", author=CRT, when=when)
    run_git(
        copy, "merge", "-q", "--no-ff", "--no-gpg-sign", "-m", "Merge review R2", second, env=env
    )
    merge = repo.resolve("HEAD")

    (r2,) = [e for e in trail(copy, ACTIVE)["entries"] if e["id"] == "R2"]
    assert r2["commit"] == merge
    assert r2["change"] == {"base": moved, "head": merge, "commits": 3}
    assert [(s["person"], s["commit"]) for s in r2["signers"]] == [
        (REVIEWERS[0], first),
        (REVIEWERS[1], second),
    ]
    assert r2["verdict"] == "approved", r2["findings"]
