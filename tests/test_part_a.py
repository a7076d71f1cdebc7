"""Part A of the Managed Contact Policy is published word for word in ``policy/part-a.md``.

The council's source text of Part A is kept in the repository, in ``policy/source/``. These tests
compare its word sequence with the words of the Markdown once its syntax is stripped, so any
added, dropped or changed word fails the build.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PART_A_MD = REPO_ROOT / "policy" / "part-a.md"
SOURCE = REPO_ROOT / "policy" / "source" / "managed-contact-policy-v3-part-a.txt"

PART_A_START = re.compile(r"^PART A: Published Policy \(external\)[ \t]*$", re.MULTILINE)
SECTION_HEADING = re.compile(r"^(?P<number>\d+\.(?:\d+)?) \S.*$", re.MULTILINE)
EXPECTED_SECTIONS = ["1.", "2.", "3.", "4.", "5.", "6.", "6.1", "6.2", "7."]

FRONT_MATTER = re.compile(r"\A---\n.*?\n---[ \t]*\n", re.DOTALL)
MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.MULTILINE)
LIST_MARKER = re.compile(r"^[ \t]*[-*+][ \t]+", re.MULTILINE)
BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
AUTOLINK = re.compile(r"<((?:https?://)?[^<>\s]+)>")
CONTEXT_WORDS = 12


def read_source() -> str:
    return SOURCE.read_text(encoding="utf-8")


def extract_part_a(source: str) -> str:
    """Part A runs from its own heading line to the end of the document."""
    starts = list(PART_A_START.finditer(source))
    if len(starts) != 1:
        raise ValueError(
            f"expected exactly one 'PART A: Published Policy (external)' line, found {len(starts)}"
        )
    return source[starts[0].start() :]


def source_words(part_a: str) -> list[str]:
    """Words of the plain-text source, without its own bullet dashes and ``**`` bold marks."""
    text = LIST_MARKER.sub("", part_a)
    text = text.replace("**", "")
    return text.split()


def markdown_words(markdown: str) -> list[str]:
    """Words of the Markdown with front matter, heading hashes, list markers, ``**``,
    backslash escapes and autolink brackets removed."""
    text = FRONT_MATTER.sub("", markdown.replace("\r\n", "\n"), count=1)
    text = MD_HEADING.sub("", text)
    text = LIST_MARKER.sub("", text)
    text = text.replace("**", "")
    text = BACKSLASH_ESCAPE.sub(r"\1", text)
    text = AUTOLINK.sub(r"\1", text)
    return text.split()


def _snippet(words: list[str], start: int, end: int) -> str:
    before = " ".join(words[max(0, start - CONTEXT_WORDS) : start])
    changed = " ".join(words[start:end])
    after = " ".join(words[end : end + CONTEXT_WORDS])
    return f"... {before} [[{changed}]] {after} ..."


def first_difference(expected: list[str], actual: list[str]) -> str | None:
    """None if the word sequences are equal, else a description of the first difference."""
    if expected == actual:
        return None
    matcher = difflib.SequenceMatcher(a=expected, b=actual, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        return (
            f"Part A differs from the source at word {i1 + 1} of the source "
            f"(word {j1 + 1} of the Markdown): {tag}\n"
            f"  source:   {_snippet(expected, i1, i2)}\n"
            f"  markdown: {_snippet(actual, j1, j2)}"
        )
    raise AssertionError("unreachable: unequal sequences with no differing opcode")


def compare_part_a(source: str, markdown: str) -> str | None:
    return first_difference(source_words(extract_part_a(source)), markdown_words(markdown))


@pytest.fixture(scope="module")
def markdown() -> str:
    return PART_A_MD.read_text(encoding="utf-8")


def test_part_a_is_published_word_for_word(markdown: str) -> None:
    source = read_source()
    difference = compare_part_a(source, markdown)
    assert difference is None, difference


def test_the_source_kept_is_part_a_alone() -> None:
    """The council's control sheet (officers' names, version history) is not carried."""
    source = read_source()
    assert extract_part_a(source) == source
    assert source.startswith("PART A: Published Policy (external)")
    assert "Document Control Information" not in source
    assert "Version History" not in source


@pytest.mark.parametrize(
    ("original", "replacement", "changed_word"),
    [
        ("six months", "three months", "three"),
        ("senior manager level", "senior officer level", "officer"),
        ("- shouting\n", "- swearing\n", "swearing"),
        ("www.lgo.org.uk", "www.lgo.gov.uk", "www.lgo.gov.uk"),
    ],
)
def test_a_changed_word_is_detected(
    markdown: str, original: str, replacement: str, changed_word: str
) -> None:
    source = read_source()
    assert markdown.count(original) == 1
    mutated = markdown.replace(original, replacement)
    difference = compare_part_a(source, mutated)
    assert difference is not None
    assert f"[[{changed_word}]]" in difference


def test_a_dropped_or_added_word_is_detected(markdown: str) -> None:
    source = read_source()
    assert compare_part_a(source, markdown.replace("rudeness", "", 1)) is not None
    assert compare_part_a(source, markdown + "\nEnd of policy.\n") is not None


def test_markdown_syntax_is_not_counted_as_words() -> None:
    markdown = "---\ntitle: Part A\n---\n# Title\n\n## 1\\. Intro\n\n- **bold** item\n<www.x.uk>\n"
    assert markdown_words(markdown) == ["Title", "1.", "Intro", "bold", "item", "www.x.uk"]


def test_sections_are_markdown_headings(markdown: str) -> None:
    source = read_source()
    headings = {
        m["number"]: m.group(0).rstrip() for m in SECTION_HEADING.finditer(extract_part_a(source))
    }
    assert list(headings) == EXPECTED_SECTIONS

    md_headings: dict[str, str] = {}
    for line in markdown.splitlines():
        match = re.match(r"^(#{1,6}) (.+?)\s*$", line)
        if match:
            md_headings[BACKSLASH_ESCAPE.sub(r"\1", match[2])] = match[1]

    assert md_headings.get("PART A: Published Policy (external)") == "#"
    for number, heading in headings.items():
        level = "###" if "." in number.rstrip(".") else "##"
        assert md_headings.get(heading) == level, f"{heading!r} is not a {level} heading"
