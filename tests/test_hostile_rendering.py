"""Hostile customer text, sealed in a case and shown: every output shows it as the text it is.

Each payload (markup, `javascript:` links, template syntax, table breakers, right-to-left and
combining characters, the longest name allowed, spreadsheet formulas) is the customer's name
(after "Jordan "), their CRM reference and the single point of contact's times in a case of its
own, sealed with the register's keystore. One register holds them all and is built once. Each
output is asserted exactly: the site's case page and register table (HTML-escaped, the row
whole), `mcr show --reveal` and `mcr find` (as written), the letter (.md escaped for Markdown,
.html escaped, .docx as written), `mcr export` (JSON exactly; in the CSV a leading `'` before
`=`, `+`, `-`, `@`), and `mcr calendar` and `mcr report`, which show no customer text at all.
Controls that change how text reads are refused by the check (MC030), with their line; a name
over 300 characters is MC103.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import docx
import markdown as markdown_lib
import pytest
from click.testing import CliRunner

from managed_contact.cli.main import main
from managed_contact.cli.reference import reference_pages
from managed_contact.documents.letters import md_escape
from managed_contact.register.personal import seal_text
from managed_contact.register.snapshot import DEMO_KEYSTORE
from managed_contact.sealing.keystore import DirectoryKeystore
from managed_contact.site.build import build_site

from conftest import REPO, TODAY

BASE = (REPO / "tests" / "corpus" / "valid" / "MC-2026-0103.yaml").read_text(encoding="utf-8")
NAME_LINE = 5
LONGEST = 300 - len("Jordan ")

#: (id, text): the payloads the site and the documents must show as text.
PAYLOADS: list[tuple[str, str]] = [
    ("script", "<script>alert(1)</script>"),
    ("img-onerror", '<img src=x onerror="alert(1)">'),
    ("svg-quote-breakout", "\"'><svg onload=alert(2)>"),
    ("javascript-markdown-link", "[click me](javascript:alert(1))"),
    ("javascript-html-link", "<a href='javascript:alert(1)'>click</a>"),
    ("jinja-expression", "{{ 7*7 }}"),
    ("jinja-statement", "{% for x in range(3) %}x{% endfor %}"),
    ("jinja-comment", "{# hidden #}"),
    ("markdown-emphasis", "**bold** _em_ `code`"),
    ("markdown-heading", "# Heading"),
    ("html-entity", "&amp; &lt;b&gt;"),
    ("table-pipe", "a | b | c"),
    ("combining-characters", "Zoe\u0301 Z\u0336a\u0337l\u0338g\u0335o"),
    ("right-to-left-script", "\u05e9\u05dc\u05d5\u05dd \u0633\u0644\u0627\u0645"),
    ("formula-equals", "=1+1"),
    ("formula-plus", "+cmd|' /C calc'!A0"),
    ("formula-minus", "-2"),
    ("formula-at", "@SUM(1+1)"),
    ("longest-name", "N" * LONGEST),
]
#: (id, text, the characters the MC030 finding names): shown as text too, and refused.
REFUSED: list[tuple[str, str, str]] = [
    ("line-break", "line one\nline two", "U+000A LINE FEED"),
    ("right-to-left-override", "\u202eevil.exe", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("terminal-escape", "\x1b[31mred", "U+001B ESCAPE"),
    ("carriage-return", "first\rsecond", "U+000D CARRIAGE RETURN"),
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Commands that read no sealed value, and take no keystore.
KEYLESS = {"calendar", "report"}

HOSTILE_INPUTS: list[tuple[str, str]] = [
    *(("rendering", name) for name, _ in PAYLOADS),
    *(("rendering", name) for name, _, _ in REFUSED),
    ("rendering", "5000-character-name"),
]


@dataclass
class Shown:
    """The hostile register, built, and what each command printed."""

    root: Path
    cases: dict[str, str]  # case id -> payload
    outputs: dict[str, str] = field(default_factory=dict)

    def mcr(self, *args: str) -> str:
        """What `mcr ARGS` printed (standard output and error), run once."""
        key = " ".join(args)
        if key not in self.outputs:
            command = [*args, "--register", str(self.root), "--today", TODAY.isoformat()]
            if args[0] not in KEYLESS:
                command += ["--keystore", str(self.root / DEMO_KEYSTORE)]
            result = CliRunner().invoke(main, command)
            assert result.exit_code in (0, 1), result.output
            assert "\x1b" not in result.output  # Click drops terminal controls from a pipe
            self.outputs[key] = result.output
        return self.outputs[key]

    def page(self, url: str) -> str:
        return (self.root / "public" / url / "index.html").read_text(encoding="utf-8")


def _case_text(case_id: str, payload: str) -> str:
    text = BASE.replace("MC-2026-0103", case_id)
    text = text.replace("  name: Jordan Fictitious", f"  name: {json.dumps('Jordan ' + payload)}")
    text = text.replace('  phone: "01632 960001"', f"  reference: {json.dumps(payload)}")
    return text.replace("times: Tuesdays 10:00-12:00", f"times: {json.dumps(payload)}")


ALL = [(name, text) for name, text in PAYLOADS] + [(name, text) for name, text, _ in REFUSED]
IDS = {name: f"MC-2026-09{n:02d}" for n, (name, _) in enumerate(ALL)}


@pytest.fixture(scope="module")
def shown(tmp_path_factory: pytest.TempPathFactory) -> Shown:
    root = tmp_path_factory.mktemp("rendering") / "register"
    for name in ("policy", "site", DEMO_KEYSTORE):
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "cases").mkdir()
    store = DirectoryKeystore(root / DEMO_KEYSTORE)
    cases = {}
    for name, payload in ALL:
        case_id = IDS[name]
        file = f"cases/{case_id}.yaml"
        sealed = seal_text(_case_text(case_id, payload), file, store.create(case_id))
        assert "Jordan" not in sealed
        (root / file).write_text(sealed, encoding="utf-8")
        cases[case_id] = payload
    build_site(root, root / "public", TODAY, reference_pages(main), store)
    return Shown(root, cases)


def esc(text: str) -> str:
    """HTML-escaped as the site escapes: the five characters markup needs, and a carriage
    return read as a line break (Markdown reads lines)."""
    text = text.replace("\r", "\n")
    for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;")):
        text = text.replace(raw, entity)
    return text.replace("'", "&#39;")


#: Shown by every output: all but the terminal escape, which Click drops from a pipe (and
#: MC030 refuses).
SHOWN = [(name, text) for name, text in ALL if name != "terminal-escape"]
PARAMS = [(IDS[name], text) for name, text in SHOWN]
PARAM_IDS = [name for name, _ in SHOWN]


@pytest.mark.parametrize(("case_id", "payload"), PARAMS, ids=PARAM_IDS)
def test_the_case_page_shows_the_text_escaped(shown: Shown, case_id: str, payload: str) -> None:
    page = shown.page(f"cases/{case_id}")
    name = esc(f"Jordan {payload}")
    assert f'<h1 id="customer">{name} <span class="mcr-id">{case_id}</span></h1>' in page
    assert f'<th scope="row">Customer</th><td>{name} (also J. Fictitious)</td>' in page
    assert f"Contact times: <strong>{esc(payload)}</strong>." in page
    article = page[page.index("<article") : page.index("</article>")]
    assert "<script>alert" not in page
    assert "<img" not in article
    assert "<svg" not in article
    assert 'href="javascript:' not in page
    assert "49" not in _text(article)


@pytest.mark.parametrize(("case_id", "payload"), PARAMS, ids=PARAM_IDS)
def test_the_register_table_keeps_each_row_whole(shown: Shown, case_id: str, payload: str) -> None:
    page = shown.page("register")
    name = esc(f"Jordan {payload}")
    cell = (
        f'<td data-sort="{name}" data-label="Customer" class="mcr-key">{name}<br>'
        '<span class="mcr-muted">also J. Fictitious</span></td>'
    )
    row = re.search(rf'<tr data-stage="1">\s*<td data-sort="{case_id}".*?</tr>', page, re.DOTALL)
    assert row is not None
    assert cell in row[0]
    assert len(re.findall(r"<td[ >]", row[0])) == 8


@pytest.mark.parametrize(("case_id", "payload"), PARAMS, ids=PARAM_IDS)
def test_show_reveal_prints_the_text_as_written(shown: Shown, case_id: str, payload: str) -> None:
    out = shown.mcr("show", case_id, "--reveal")
    assert out.startswith(f"{case_id}\n  customer: Jordan {payload}\n  state: stage 1 ")
    assert f"(single point of contact: Liam Treadwell; times: {payload})" in out


def test_find_lists_each_name_as_written(shown: Shown) -> None:
    out = shown.mcr("find", "Jordan")
    for name, payload in SHOWN:
        assert f"{IDS[name]}  stage 1  Jordan {payload}\n" in out
    assert out.endswith(f"{len(shown.cases)} case(s) found among {len(shown.cases)} searched\n")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


@pytest.mark.parametrize(("case_id", "payload"), PARAMS, ids=PARAM_IDS)
def test_the_letter_states_the_text_in_each_format(
    shown: Shown, case_id: str, payload: str, tmp_path: Path
) -> None:
    out = tmp_path / "letters"
    printed = shown.mcr("letter", case_id, "D1", "--output", str(out))
    assert "Jordan" not in printed
    stem = out / f"{case_id}-D1-letter"
    lines = payload.replace("\r", "\n")  # a letter's text is written in lines
    markdown = stem.with_suffix(".md").read_text(encoding="utf-8")
    assert f"\n\n{md_escape(f'Dear Jordan {lines},')}\n\n" in markdown
    assert f"\n- {md_escape(f'When: {lines}')}\n" in markdown
    assert f"Dear Jordan {lines}," in _text(markdown_lib.markdown(markdown))
    page = stem.with_suffix(".html").read_text(encoding="utf-8")
    assert f"<p>{html.escape(f'Dear Jordan {lines},')}</p>" in page
    assert "<script>alert" not in page
    assert "<img" not in page
    paragraphs = [p.text for p in docx.Document(str(stem.with_suffix(".docx"))).paragraphs]
    assert f"Dear Jordan {lines}," in paragraphs


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (
            "Dear Jordan <script>alert(1)</script>,",
            "Dear Jordan &lt;script&gt;alert(1)&lt;/script&gt;,",
        ),
        ("# Heading", "\\# Heading"),
        ("When: **bold** _em_ `code`", "When: \\*\\*bold\\*\\* \\_em\\_ \\`code\\`"),
        ("When: [click me](javascript:alert(1))", "When: \\[click me\\](javascript:alert(1))"),
        ("When: {{ 7*7 }}", "When: {{ 7\\*7 }}"),
        ("&amp;", "&amp;amp;"),
    ],
)
def test_the_letters_markdown_escape_is_pinned(text: str, escaped: str) -> None:
    assert md_escape(text) == escaped
    assert _text(markdown_lib.markdown(escaped)) == text


def test_the_json_export_round_trips_each_reference(shown: Shown) -> None:
    exported = json.loads(shown.mcr("export", "--format", "json"))
    got = {a["case_id"]: a["customer_reference"] for a in exported["arrangements"]}
    assert got == shown.cases  # the terminal escape too, written "\u001b"


def test_the_csv_export_cannot_run_a_formula(shown: Shown) -> None:
    text = shown.mcr("export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    got = {row["Case"]: row["Customer reference"] for row in rows}
    want = {
        case_id: ("'" + payload if payload.startswith(FORMULA_STARTS) else payload)
        for case_id, payload in shown.cases.items()
    }
    assert got == {**want, IDS["terminal-escape"]: "red"}
    assert f'"{IDS["formula-equals"]}","\'=1+1","1",' in text
    assert f'"{IDS["formula-at"]}","\'@SUM(1+1)","1",' in text
    assert f'"{IDS["formula-minus"]}","\'-2","1",' in text


def test_the_calendar_names_cases_by_id_in_fixed_words(shown: Shown) -> None:
    feed = shown.mcr("calendar")
    summaries = set(re.findall(r"^SUMMARY:(.*?)\r?$", feed, re.MULTILINE))
    assert summaries == {
        f"{case_id}: {what}"
        for case_id in shown.cases
        for what in ("review due", "monitoring period ends")
    }
    assert "Jordan" not in feed
    for payload in shown.cases.values():
        if len(payload) > 4:
            assert payload not in feed


def test_the_report_shows_no_customer_text(shown: Shown) -> None:
    report = shown.mcr("report", "--from", "2026-01-01", "--to", "2026-10-31")
    assert "Stage 1: stays running at the end</td><td>" in report
    assert "Jordan" not in report
    for payload in shown.cases.values():
        if len(payload) > 4:
            assert payload not in report


@pytest.mark.parametrize(("name", "payload", "named"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_control_that_changes_how_text_reads_is_refused_on_its_line(
    shown: Shown, name: str, payload: str, named: str
) -> None:
    out = json.loads(
        shown.mcr("check", "--format", "json", str(shown.root / "cases" / f"{IDS[name]}.yaml"))
    )
    found = [
        (f["rule"], f["line"], f["path"])
        for f in out["findings"]
        if f["rule"] == "MC030" and f["file"] == f"cases/{IDS[name]}.yaml"
    ]
    assert found == [
        ("MC030", NAME_LINE, "customer.name"),
        ("MC030", 8, "customer.reference"),
        ("MC030", 40, "decisions[0].measures[0].times"),
    ]
    messages = [f["message"] for f in out["findings"] if f["rule"] == "MC030"]
    assert all(m.startswith(f"holds {named}, invisible") for m in messages), messages


def test_the_payloads_shown_pass_the_text_check(shown: Shown) -> None:
    out = json.loads(shown.mcr("check", "--format", "json"))
    refused = {IDS[name] for name, _, _ in REFUSED}
    flagged = {f["file"] for f in out["findings"] if f["rule"] == "MC030"}
    assert flagged == {f"cases/{case_id}.yaml" for case_id in refused}


def test_a_5000_character_name_is_refused_without_the_name(tmp_path: Path) -> None:
    root = tmp_path / "register"
    shutil.copytree(REPO / "policy", root / "policy")
    (root / "cases").mkdir()
    store = DirectoryKeystore(tmp_path / "keystore")
    case_id = "MC-2026-0990"
    long_name = "Jordan " + "Fictitious" * 500
    text = _case_text(case_id, "x").replace('"Jordan x"', json.dumps(long_name))
    file = f"cases/{case_id}.yaml"
    (root / file).write_text(seal_text(text, file, store.create(case_id)), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["check", "--register", str(root), "--keystore", str(store.path), "--format", "json"]
    )
    assert result.exit_code == 1, result.output
    found = json.loads(result.output)["findings"]
    assert [(f["rule"], f["line"], f["path"]) for f in found] == [
        ("MC103", NAME_LINE, "customer.name")
    ]
    assert "Fictitious" not in result.output
