"""`mcr new` and `mcr record` on a terminal: an officer answers their questions, commits each
step signed as the tool says, and the whole signed history passes `mcr check --base`, with no
file edited by hand.

The case runs its whole course: opened; incident, resolution attempt and adjustment; a stage 1
decision and its letter; a review continuing it with a new measure; a challenge against the
review and its outcome; a second incident; a review escalating it; the stage 2 decision with
its business case and recommendation; a review closing it. After each step `mcr check` passes
on the working tree, and the commit is signed by every person the tool named.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from changerepo import RegisterRepo

from managed_contact.register.snapshot import load_policy

from casebuilder import LETTER_STATES

MCR = str(Path(sys.executable).with_name("mcr"))
CASE = "MC-2026-0001"
FILE = f"cases/{CASE}.yaml"
#: Who signs with which of the session's test keys (changerepo.REGISTERED).
KEY_OF = {
    "hugo-barrett": "hugo",
    "amara-okafor": "amara",
    "david-renshaw": "david",
    "farid-qureshi": "farid",
    "ben-holloway": "ben",
}
STATES = ",".join(LETTER_STATES)


@pytest.fixture(autouse=True)
def _own_keystore(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test opens case MC-2026-0001 with a key of its own, outside the repository."""
    monkeypatch.setenv("MCR_KEYSTORE", str(tmp_path / "keys"))


def _env(today: str) -> dict[str, str]:
    return {**os.environ, "MCR_TODAY": today, "TERM": "dumb", "COLUMNS": "100"}


def _run(root: Path, today: str, *args: str) -> tuple[int, str]:
    done = subprocess.run(
        [MCR, *args, "--register", str(root)],
        env=_env(today),
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def _converse(
    args: list[str], root: Path, today: str, answers: list[tuple[str, str | None]]
) -> tuple[int, str]:
    """Run `mcr ARGS` in a pseudo-terminal, answering each question as it comes: a reply of
    None waits for the words (a question whose choices follow, an error that asks again)
    without answering."""
    child = pexpect.spawn(
        MCR, [*args, "--register", str(root)], env=_env(today), encoding="utf-8", timeout=20
    )
    said: list[str] = []
    for question, reply in answers:
        child.expect_exact(question)
        said.append((child.before or "") + str(child.after))
        if reply is not None:
            child.sendline(reply)
    child.expect(pexpect.EOF)
    said.append(child.before or "")
    child.close()
    return child.exitstatus or 0, "".join(said)


class Officer:
    """One officer recording a case at the terminal, committing each step as told."""

    def __init__(self, reg: RegisterRepo) -> None:
        self.reg = reg
        self.root = reg.path

    def record(self, kind: str, today: str, answers: list[tuple[str, str | None]]) -> str:
        code, out = _converse(["record", kind, CASE], self.root, today, answers)
        assert code == 0, out
        assert "recorded; checked against" in out
        return out

    def check(self, today: str) -> tuple[int, str]:
        return _run(self.root, today, "check")

    def commit(self, out: str, today: str, message: str) -> list[str]:
        """Commit the case as `mcr record` printed, signed by the first person it named; each
        other named person signs an empty commit approving the case. Returns who signed."""
        named = _signers(out) or ["ben-holloway"]
        text = (self.root / FILE).read_text(encoding="utf-8")
        first, *others = named
        self.reg.commit({FILE: text}, message, key=KEY_OF[first], date=today)
        for person in others:
            self.reg.commit(
                {}, f"Approve {message}\n\nApproves: {CASE}\n", key=KEY_OF[person], date=today
            )
        return named

    def letter(self, today: str, about: str, signer: str) -> str:
        out = self.record(
            "letter",
            today,
            [
                ("When was it sent", today),
                ("Which decision, review or challenge does it tell of?", about),
                ("Was it a letter or an email?", None),
                ("Choose", "letter"),
                ("Who signed it (name or id)?", signer),
                ("What does it state?", None),
                ("Choose", STATES),
            ],
        )
        code, said = self.check(today)
        assert code == 0, said
        return out


def _signers(out: str) -> list[str]:
    """The people `mcr record` says must sign, in its order."""
    lines = out.splitlines()
    starts = [i for i, line in enumerate(lines) if "needs the signed approval" in line]
    if not starts:
        return []
    found = []
    for line in lines[starts[0] + 1 :]:
        if not line.startswith("  "):
            break
        found.append(line.split()[0])
    return found


def test_a_case_recorded_from_opening_to_closure_at_the_terminal(reg: RegisterRepo) -> None:
    officer = Officer(reg)
    root = reg.path
    policy, _, _ = load_policy(root)
    assert policy is not None
    shouting = str([c.id for c in policy.vocabulary.conduct].index("shouting") + 1)

    code, out = _converse(
        ["new"],
        root,
        "2026-01-05",
        [
            ("The customer's full name", "Jordan Fictitious"),
            ("Other names they use", "J. Fictitious"),
            ("Postal address (optional)", "1 Example Row, Testville"),
            ("Email address (optional)", ""),
            ("Telephone number (optional)", "+44 7700 900123"),
            ("CRM reference (optional)", "CRM-0042"),
            ("Services affected", "council-tx"),
            ("Services affected", "council-tax"),
            ("council-wide, or across several services?", "n"),
            ("Opened on", ""),
        ],
    )
    assert code == 0, out
    assert "council-tx: not a service" in out  # refused, and asked again
    assert f"created {FILE}" in out
    assert "Jordan Fictitious" not in (root / FILE).read_text(encoding="utf-8")
    assert officer.check("2026-01-05")[0] == 0
    officer.commit("", "2026-01-05", f"{CASE}: opened")

    out = officer.record(
        "incident",
        "2026-01-06",
        [
            ("When did it happen (YYYY-MM-DD)?", "2099-01-01"),
            ("after today", None),
            ("When did it happen (YYYY-MM-DD)?", "2026-01-06"),
            ("How did the customer make contact?", None),
            ("Choose", "telephone"),
            ("Which service was being contacted?", None),
            ("Choose", "council-tx"),
            ("did you mean council-tax", None),
            ("Choose", "council-tax"),
            ("Which kinds of conduct were shown?", None),
            ("Choose", shouting),
            ("Who was affected, by role or team?", "Two call handlers, Council Tax"),
            ("What happened, stated as fact?", 'Shouted: "I will not pay" and rang off.'),
            ("Any opinion about it", "Hugo Barrett=The calls are escalating."),
            ("Any opinion about it", ""),
        ],
    )
    assert "incident I1 recorded" in out
    assert officer.check("2026-01-06")[0] == 0
    text = (root / FILE).read_text(encoding="utf-8")
    assert "I will not pay" not in text
    assert "escalating" not in text
    assert "by: hugo-barrett" in text
    officer.commit(out, "2026-01-06", f"{CASE}: incident I1")

    out = officer.record(
        "resolution-attempt",
        "2026-01-08",
        [
            ("When did the service try", "2026-01-08"),
            ("Which service tried?", None),
            ("Choose", "council-tax"),
            ("What did it do", "A final-position letter with a deadline."),
        ],
    )
    assert officer.check("2026-01-08")[0] == 0
    officer.commit(out, "2026-01-08", f"{CASE}: resolution attempt S1")
    out = officer.record(
        "adjustment",
        "2026-01-09",
        [
            ("When was the adjustment considered", "2026-01-09"),
            ("What adjustment was considered", "Offered a weekly call at a set time."),
            ("What came of it?", None),
            ("Choose", "declined"),
            ("Does it rely on one channel?", None),
            ("Choose", ""),
        ],
    )
    assert officer.check("2026-01-09")[0] == 0
    officer.commit(out, "2026-01-09", f"{CASE}: adjustment A1")

    out = officer.record(
        "decision",
        "2026-01-20",
        [
            ("Date of the decision", "2026-01-20"),
            ("Which stage is decided?", None),
            ("Choose", "1"),
            ("Who decided (name or id)?", "Hugo Barret"),
            ("Hugo Barrett (hugo-barrett)", None),
            ("Who decided (name or id)?", "Hugo Barrett"),
            ("Which kinds of conduct does the decision rely on?", None),
            ("Choose", "shouting"),
            ("Why is the conduct unacceptable", "Repeated shouting at call handlers."),
            ("Which measures apply?", None),
            ("Choose", "time-limits"),
            ("How many minutes per contact?", "15"),
            ("When was Customer Relations notified", "2026-01-20"),
            ("How many months of monitoring?", "nine"),
            ("give a whole number", None),
            ("How many months of monitoring?", ""),
            ("Until when does it apply", ""),
            ("statutory services in scope?", ""),
        ],
    )
    assert "hugo-barrett (the decider)" in out
    assert f"mcr record letter {CASE} --about D1" in out
    code, said = officer.check("2026-01-20")
    assert code == 1
    assert said.count("error: ") == 1
    assert "MC320" in said
    letter = officer.letter("2026-01-21", "D1", "Hugo Barrett")
    assert officer.commit(out, "2026-01-21", f"{CASE}: stage 1 decision D1") == ["hugo-barrett"]
    assert "no named approval is needed" in letter

    out = officer.record(
        "review",
        "2026-07-15",
        [
            ("Date of the review", "2026-07-15"),
            ("Who reviewed", "Amara Okafor, Hugo Barrett"),
            ("What was decided?", None),
            ("Choose", "continue"),
            ("What was considered?", "Calls are shorter; still shouting at times."),
            ("To when is the arrangement extended", "2027-01-15"),
            ("Continue at which stage?", None),
            ("Choose", ""),
            ("Do the measures change from now on?", "y"),
            ("Which measures apply?", None),
            ("Choose", "time-limits,spoc"),
            ("How many minutes per contact?", "15"),
            ("Who is the single point of contact", "Liam Treadwell"),
            ("When is contact accepted", "Tuesdays 10:00-12:00"),
        ],
    )
    officer.letter("2026-07-16", "R1", "Hugo Barrett")
    signed = officer.commit(out, "2026-07-16", f"{CASE}: review R1 continues stage 1")
    assert sorted(signed) == ["amara-okafor", "hugo-barrett"]
    assert "Tuesdays" not in (root / FILE).read_text(encoding="utf-8")

    out = officer.record(
        "challenge",
        "2026-07-25",
        [
            ("When was the request received", "2026-07-25"),
            ("Which decision or review does the customer challenge? (D1, R1)", "R1"),
            ("What are the customer's grounds?", "I have been polite since March."),
        ],
    )
    assert officer.check("2026-07-25")[0] == 0
    officer.commit(out, "2026-07-25", f"{CASE}: challenge C1 received")
    out = officer.record(
        "challenge-outcome",
        "2026-08-10",
        [
            ("Which challenge was decided? (C1)", "C1"),
            ("Who decided the challenge (name or id)?", "Farid Qureshi"),
            ("When was it decided", "2026-08-10"),
            ("What was the outcome?", None),
            ("Choose", "not-upheld"),
        ],
    )
    assert "farid-qureshi (the officer who decided the challenge)" in out
    officer.letter("2026-08-11", "C1", "Hugo Barrett")
    officer.commit(out, "2026-08-11", f"{CASE}: challenge C1 not upheld")

    out = officer.record(
        "incident",
        "2026-08-28",
        [
            ("When did it happen (YYYY-MM-DD)?", "2026-08-28"),
            ("How did the customer make contact?", None),
            ("Choose", "in-person"),
            ("Which service was being contacted?", None),
            ("Choose", "council-tax"),
            ("Which kinds of conduct were shown?", None),
            ("Choose", "verbal-abuse,shouting"),
            ("Who was affected, by role or team?", "The reception officer on duty"),
            ("What happened, stated as fact?", "Swore at the officer across the counter."),
            ("Any opinion about it", ""),
        ],
    )
    assert "incident I2 recorded" in out
    officer.commit(out, "2026-08-28", f"{CASE}: incident I2")

    out = officer.record(
        "review",
        "2026-09-01",
        [
            ("Date of the review", "2026-09-01"),
            ("Who reviewed", "amara-okafor, hugo-barrett"),
            ("What was decided?", None),
            ("Choose", "escalate"),
            ("What was considered?", "Abuse in person despite the time limits."),
        ],
    )
    officer.letter("2026-09-02", "R2", "Hugo Barrett")
    officer.commit(out, "2026-09-02", f"{CASE}: review R2 escalates")
    code, due = _run(root, "2026-09-02", "due")
    assert CASE in due
    assert "scalation" in due

    out = officer.record(
        "decision",
        "2026-09-20",
        [
            ("Date of the decision", "2026-09-20"),
            ("Which stage is decided?", None),
            ("Choose", "2"),
            ("Who decided (name or id)?", "David Renshaw"),
            ("Which kinds of conduct does the decision rely on?", None),
            ("Choose", "verbal-abuse,shouting"),
            ("Why is the conduct unacceptable", "Abuse of staff in person and by phone."),
            ("Which measures apply?", None),
            ("Choose", "email-diversion"),
            ("Who is the single point of contact", "liam-treadwell"),
            ("How often are responses sent", "fortnightly"),
            ("When was Customer Relations notified", "2026-09-20"),
            ("Who wrote the business case", "Farid Qureshi"),
            ("When was it completed", "2026-09-10"),
            ("Why is stage 2 justified?", "Stage 1 did not stop the abuse."),
            ("Who in Customer Relations recommended", "Ben Holloway"),
            ("When was the recommendation made", "2026-09-15"),
            ("recommend approval or rejection?", None),
            ("Choose", "approve"),
            ("Until when does it apply", ""),
            ("Straight to stage 2", ""),
            ("statutory services in scope?", ""),
        ],
    )
    signers = _signers(out)
    assert set(signers) == {"david-renshaw", "farid-qureshi", "ben-holloway"}
    officer.letter("2026-09-21", "D2", "Farid Qureshi")
    officer.commit(out, "2026-09-21", f"{CASE}: stage 2 decision D2")

    out = officer.record(
        "review",
        "2026-11-20",
        [
            ("Date of the review", "2026-11-20"),
            ("Who reviewed", "Amara Okafor, Hugo Barrett"),
            ("What was decided?", None),
            ("Choose", "close"),
            ("What was considered?", "No contact of concern since September."),
        ],
    )
    officer.letter("2026-11-21", "R3", "Hugo Barrett")
    officer.commit(out, "2026-11-21", f"{CASE}: review R3 closes the case")

    code, said = _run(root, "2026-11-28", "show", CASE)
    assert code == 0, said
    assert "dormant" in said
    code, said = _run(root, "2026-11-28", "check")
    assert code == 0, said
    code, said = _run(root, "2026-11-28", "check", "--base", reg.base)
    assert code == 0, said
    assert "0 error(s)" in said
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
        ).stdout
        == ""
    )


def test_a_second_case_for_the_same_name_is_questioned_before_anything_else(
    register: Path,
) -> None:
    opened = ["new", "--name", "Jordan Fictitious", "--service", "council-tax"]
    assert _run(register, "2026-01-05", *opened, "--alias", "JF")[0] == 0
    again = [("The customer's full name", "jordan fictitous"), ("Other names", "")]
    code, out = _converse(["new"], register, "2026-01-06", [*again, ("anyway?", "n")])
    assert code == 1
    assert "MC-2026-0001" in out
    assert "no case opened" in out
    assert "Postal address" not in out
    assert not (register / "cases" / "MC-2026-0002.yaml").exists()
    rest = [
        ("Postal address (optional)", ""),
        ("Email address (optional)", ""),
        ("Telephone number (optional)", ""),
        ("CRM reference (optional)", ""),
        ("Services affected", "parking"),
        ("council-wide, or across several services?", ""),
        ("Opened on", "2026-01-06"),
    ]
    code, out = _converse(["new"], register, "2026-01-06", [*again, ("anyway?", "y"), *rest])
    assert code == 0, out
    assert "created cases/MC-2026-0002.yaml" in out
    assert _run(register, "2026-01-06", "check")[0] == 0


def test_no_questions_without_a_terminal(register: Path) -> None:
    opened = _run(register, "2026-01-05", "new", "--name", "Jordan Fictitious", "--service", "x")
    assert opened[0] == 2
    assert "x: not a service" in opened[1]
    assert (
        _run(register, "2026-01-05", "new", "--name", "Jordan Fictitious", "--service", "parking")[
            0
        ]
        == 0
    )
    done = subprocess.run(
        [MCR, "record", "incident", CASE, "--register", str(register)],
        env=_env("2026-01-06"),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 2
    assert "give --date" in done.stderr
