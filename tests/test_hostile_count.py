"""The hostile inputs `make test` runs: at least 150 in all, and some in every class.

Two kinds are counted. Every corpus entry (`tests/test_corpus.py`: the files in
`tests/corpus/cases/` and `tests/corpus/policy/`, and the ones generated there), each of the
class of the first rule it expects; and every `HOSTILE_INPUTS` list of a `tests/test_hostile_*.py`
module, one (class, id) per input it tries. A module is found by its name, so one added later is
counted without a change here.
"""

from __future__ import annotations

import importlib
from collections import Counter
from pathlib import Path

import pytest
from test_corpus import ENTRIES, Entry

TESTS = Path(__file__).resolve().parent
MINIMUM = 150
CLASSES = (
    "yaml",
    "schema",
    "policy",
    "file-kinds",
    "git",
    "sealed",
    "rendering",
    "interrupted-writes",
    "dates",
    "lines",
)
#: Rules about dates: an impossible or badly written date, dates out of order or in the
#: future, reviews and deletions late.
DATE_RULES = {"MC008", "MC340", "MC341", "MC350", "MC351", "MC352"}


def corpus_class(entry: Entry) -> str:
    """The class of a corpus entry, from the first rule it expects."""
    rule = entry.expected[0].rule
    number = int(rule.removeprefix("MC"))
    if rule in DATE_RULES:
        return "dates"
    if number < 10 or 20 <= number < 30:
        return "yaml"
    if number < 20:
        return "sealed"
    if number < 40:
        return "rendering"
    if entry.name.startswith("policy/") or number >= 500:
        return "policy"
    return "schema"


def hostile_modules() -> list[str]:
    return sorted(p.stem for p in TESTS.glob("test_hostile_*.py") if p.stem != Path(__file__).stem)


def counted() -> list[tuple[str, str]]:
    """(class, id) of every hostile input: the corpus's and the hostile modules'."""
    found = [(corpus_class(e), f"corpus:{e.name}") for e in ENTRIES]
    for name in hostile_modules():
        inputs = importlib.import_module(name).HOSTILE_INPUTS
        found += [(kind, f"{name}:{ident}") for kind, ident in inputs]
    return found


def test_every_hostile_module_lists_its_inputs_by_class() -> None:
    assert "test_hostile_sealed" in hostile_modules()
    for name in hostile_modules():
        inputs = getattr(importlib.import_module(name), "HOSTILE_INPUTS", None)
        assert isinstance(inputs, list), f"{name} has no HOSTILE_INPUTS list"
        assert inputs, f"{name}: HOSTILE_INPUTS is empty"
        for kind, ident in inputs:
            assert kind in CLASSES, f"{name}: {ident}: unknown class {kind!r}"
            assert isinstance(ident, str), f"{name}: {ident!r}"
            assert ident.strip(), f"{name}: an input without an id"
        duplicated = sorted(i for i, n in Counter(map(tuple, inputs)).items() if n > 1)
        assert not duplicated, f"{name}: inputs listed twice: {duplicated}"


def test_at_least_150_hostile_inputs_run() -> None:
    found = counted()
    assert len(found) == len(set(found))
    assert len(found) >= MINIMUM, Counter(kind for kind, _ in found)


@pytest.mark.parametrize("kind", CLASSES)
def test_every_class_has_a_hostile_input(kind: str) -> None:
    assert any(k == kind for k, _ in counted()), f"no hostile input of class {kind}"


def test_corpus_classes_follow_the_rule_ranges() -> None:
    by_name = {e.name: corpus_class(e) for e in ENTRIES}
    assert by_name["cases/mc004-duplicate-key.yaml"] == "yaml"
    assert by_name["cases/mc011-cut-short-and-altered.yaml"] == "sealed"
    assert by_name["cases/mc008-february-30.yaml"] == "dates"
    assert by_name["cases/mc030-right-to-left-override-in-the-name.yaml"] == "rendering"
    assert by_name["cases/mc101-decided-bye.yaml"] == "schema"
    assert by_name["policy/mc501-person-unknown-role.yaml"] == "policy"
    assert by_name["policy/mc101-periods-unknown-key.yaml"] == "policy"
