"""`mcr record` on a terminal: an officer answers its questions, and the case checks after each
step with no file edited by hand.

The case is opened with `mcr new`, given its opening facts (the customer's name, the service).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from managed_contact.register.snapshot import load_policy

from casebuilder import LETTER_STATES

MCR = str(Path(sys.executable).with_name("mcr"))
CASE = "MC-2026-0001"

#: `mcr new` with the opening facts a script gives it.
NEW = ["new", "--name", "Jordan Fictitious", "--service", "council-tax"]


@pytest.fixture(autouse=True)
def _own_keystore(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test opens case MC-2026-0001 with a key of its own."""
    monkeypatch.setenv("MCR_KEYSTORE", str(tmp_path / "keys"))


def _env(today: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "MCR_TODAY": today, "TERM": "dumb", "COLUMNS": "100", **extra}


def _check(root: Path, today: str) -> tuple[int, str]:
    done = subprocess.run(
        [MCR, "check", "--register", str(root)],
        env=_env(today),
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def _record(root: Path, kind: str, today: str, answers: list[tuple[str, str]]) -> str:
    child = pexpect.spawn(
        MCR,
        ["record", kind, CASE, "--register", str(root)],
        env=_env(today),
        encoding="utf-8",
        timeout=20,
    )
    for question, reply in answers:
        child.expect_exact(question)
        child.sendline(reply)
    child.expect(pexpect.EOF)
    child.close()
    output: str = child.before or ""
    assert child.exitstatus == 0, output
    assert "recorded; checked against" in output
    return output


def test_a_stage_1_case_recorded_at_the_terminal(register: Path) -> None:
    root = register
    policy, _, _ = load_policy(root)
    assert policy is not None
    shouting = str([c.id for c in policy.vocabulary.conduct].index("shouting") + 1)
    states = ",".join(LETTER_STATES)

    opened = subprocess.run(
        [MCR, *NEW, "--register", str(root)], env=_env("2026-01-05"), check=True
    )
    assert opened.returncode == 0
    assert _check(root, "2026-01-05")[0] == 0

    out = _record(
        root,
        "incident",
        "2026-01-06",
        [
            ("When did it happen (YYYY-MM-DD)?", "2099-01-01"),
            ("after today", ""),
            ("When did it happen (YYYY-MM-DD)?", "2026-01-06"),
            ("How did the customer make contact?", ""),
            ("Choose", "telephone"),
            ("Which service was being contacted?", ""),
            ("Choose", "council-tx"),
            ("did you mean council-tax", ""),
            ("Choose", "council-tax"),
            ("Which kinds of conduct were shown?", ""),
            ("Choose", shouting),
            ("Who was affected, by role or team?", "Two call handlers, Council Tax"),
            ("What happened, stated as fact?", 'Shouted: "I will not pay" and rang off.'),
        ],
    )
    assert "incident I1 recorded" in out
    assert _check(root, "2026-01-06")[0] == 0
    text = (root / "cases" / f"{CASE}.yaml").read_text(encoding="utf-8")
    assert "I will not pay" not in text

    _record(
        root,
        "resolution-attempt",
        "2026-01-08",
        [
            ("When did the service try", "2026-01-08"),
            ("Which service tried?", ""),
            ("Choose", "council-tax"),
            ("What did it do", "A final-position letter with a deadline."),
        ],
    )
    assert _check(root, "2026-01-08")[0] == 0
    _record(
        root,
        "adjustment",
        "2026-01-09",
        [
            ("When was the adjustment considered", "2026-01-09"),
            ("What adjustment was considered", "Offered a weekly call at a set time."),
            ("What came of it?", ""),
            ("Choose", "declined"),
        ],
    )
    assert _check(root, "2026-01-09")[0] == 0

    out = _record(
        root,
        "decision",
        "2026-01-20",
        [
            ("Date of the decision", "2026-01-20"),
            ("Which stage is decided?", ""),
            ("Choose", "1"),
            ("Who decided (name or id)?", "Hugo Barret"),
            ("Hugo Barrett (hugo-barrett)", ""),
            ("Who decided (name or id)?", "Hugo Barrett"),
            ("Which kinds of conduct does the decision rely on?", ""),
            ("Choose", "shouting"),
            ("Why is the conduct unacceptable", "Repeated shouting at call handlers."),
            ("Which measures apply?", ""),
            ("Choose", "time-limits"),
            ("How many minutes per contact?", "15"),
            ("When was Customer Relations notified", "2026-01-20"),
        ],
    )
    assert "hugo-barrett (the decider)" in out
    code, said = _check(root, "2026-01-20")
    assert code == 1
    assert said.count("error: ") == 1
    assert "MC320" in said

    def letter(today: str, about: str) -> None:
        _record(
            root,
            "letter",
            today,
            [
                ("When was it sent", today),
                ("Which decision, review or challenge does it tell of?", about),
                ("Was it a letter or an email?", ""),
                ("Choose", "letter"),
                ("Who signed it (name or id)?", "Hugo Barrett"),
                ("What does it state?", ""),
                ("Choose", states),
            ],
        )
        code, said = _check(root, today)
        assert code == 0, said

    letter("2026-01-21", "D1")

    _record(
        root,
        "review",
        "2026-07-15",
        [
            ("Date of the review", "2026-07-15"),
            ("Who reviewed", "Amara Okafor, Hugo Barrett"),
            ("What was decided?", ""),
            ("Choose", "continue"),
            ("What was considered?", "Calls are shorter; still shouting at times."),
            ("To when is the arrangement extended", "2027-01-15"),
        ],
    )
    letter("2026-07-16", "R1")

    _record(
        root,
        "challenge",
        "2026-07-25",
        [
            ("When was the request received", "2026-07-25"),
            ("Which decision or review does the customer challenge? (D1, R1)", "R1"),
            ("What are the customer's grounds?", "I have been polite since March."),
        ],
    )
    assert _check(root, "2026-07-25")[0] == 0
    out = _record(
        root,
        "challenge-outcome",
        "2026-08-10",
        [
            ("Which challenge was decided? (C1)", "C1"),
            ("Who decided the challenge (name or id)?", "Eleanor Voss"),
            ("When was it decided", "2026-08-10"),
            ("What was the outcome?", ""),
            ("Choose", "not-upheld"),
        ],
    )
    assert "eleanor-voss (the officer who decided the challenge)" in out
    letter("2026-08-11", "C1")


def test_no_questions_without_a_terminal(register: Path) -> None:
    subprocess.run([MCR, *NEW, "--register", str(register)], env=_env("2026-01-05"), check=True)
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
