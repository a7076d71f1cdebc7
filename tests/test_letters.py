"""`mcr letter`: the letter about a decision, review or challenge outcome, drafted from the
council's Word templates, refused when it would not state what the policy requires."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shlex
import shutil
import stat
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import markdown as markdown_lib
import pytest
from changerepo import TODAY, case_yaml
from click.testing import CliRunner

from managed_contact.cli.main import main
from managed_contact.documents.letters import (
    PLACEHOLDERS,
    Draft,
    LetterRefused,
    letter_for,
    md_escape,
)
from managed_contact.register.check import run_check
from managed_contact.register.snapshot import load_policy
from managed_contact.sealing.keystore import DirectoryKeystore

from casebuilder import case, decision, review
from conftest import REPO
from sealkit import keys

SNAPSHOTS = Path(__file__).parent / "snapshots" / "letters"
DEMO_KEYS = DirectoryKeystore(REPO / "demo-keystore")
CASE = "MC-2026-0001"
FILE = f"cases/{CASE}.yaml"
HOSTILE = [
    "Smith & Sons <Ltd>",
    "<b>bold</b>",
    "{{ 7*7 }}",
    "{% if x %}y{% endif %}",
    "a & b < c",
    "*not emphasis* and [no link](x)",
    "# not a heading",
]

#: One demo letter of each kind: case, entry, kind.
DEMO = [
    ("MC-2025-0003", "D1", "decision"),
    ("MC-2025-0003", "R1", "review"),
    ("MC-2026-0003", "C1", "challenge-outcome"),
]


def demo_letter(case_id: str, entry: str) -> Draft:
    return letter_for(REPO, case_id, entry, DEMO_KEYS.get, TODAY)


def mcr(root: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["letter", *args, "--register", str(root)])


def put(root: Path, data: dict[str, Any]) -> Path:
    path = root / FILE
    path.write_text(case_yaml(data), encoding="utf-8")
    return path


def docx_text(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.blocks.append(data)


def html_text(source: str) -> str:
    parser = _Text()
    parser.feed(source)
    return "\n".join(parser.blocks)


# --- the demo's letters -----------------------------------------------------------------------


@pytest.mark.parametrize(("case_id", "entry", "kind"), DEMO)
def test_each_kind_pinned_by_a_snapshot(case_id: str, entry: str, kind: str) -> None:
    letter = demo_letter(case_id, entry)
    assert letter.kind == kind
    assert letter.template == f"{kind}.docx"
    snapshot = SNAPSHOTS / f"{case_id}-{entry}.md"
    if os.environ.get("MCR_UPDATE_SNAPSHOTS"):
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(letter.markdown, encoding="utf-8")
    assert letter.markdown == snapshot.read_text(encoding="utf-8")
    assert letter.text_sha256 == hashlib.sha256(letter.markdown.encode()).hexdigest()


def test_the_decision_letter_states_each_required_element(tmp_path: Path) -> None:
    out = tmp_path / "letters"
    result = mcr(
        REPO, "MC-2025-0003", "D1", "--output", str(out), "--keystore", str(REPO / "demo-keystore")
    )
    assert result.exit_code == 0, result.output
    text = "\n".join(docx_text(out / "MC-2025-0003-D1-letter.docx"))
    policy, _, _ = load_policy(REPO)
    assert policy is not None
    labels = {c.id: c.label for c in policy.vocabulary.conduct}
    expected = [
        # who and what
        "Cheshire West and Chester Council",
        "Philip Marchbank",
        "15 Cinder Row, Oakhollow, TB4 0ZZ",
        "Our reference: MC-2025-0003 D1",
        # behaviour: each conduct label of the decision, and why
        *(labels[c] for c in ("rudeness", "derogatory-remarks", "high-volume", "verbal-abuse")),
        "Rude and derogatory remarks to collection crews",
        # impact: the incidents relied on (I1, I2 before 8 September 2025)
        "4 August 2025, in person, Waste and Recycling",
        "18 August 2025, telephone, Waste and Recycling",
        # measures and scope
        "Single point of contact (single point of contact: Oscar Pennant",
        "Restricting the number of telephone calls taken (2 call(s) a week)",
        "The measures apply only to: Waste and Recycling.",
        # contact routes: SPOC, channel, times
        "Your single point of contact: Oscar Pennant (oscar.pennant@council.example)",
        "How you may contact us: any channel",
        "When: Weekdays 09:00-17:00",
        # dates: the decision, and six months on
        "The decision was made on 8 September 2025.",
        "no later than 8 March 2026",
        # challenge, LGSCO, statutory rights, other formats
        "reviewed by a senior officer who was not involved in it",
        "Local Government and Social Care Ombudsman, www.lgo.org.uk, 0300 061 0614",
        "does not affect your statutory rights",
        "available in other formats",
    ]
    for element in expected:
        assert element in text, element
    assert "no right of appeal" not in text.lower()


@pytest.mark.parametrize(("case_id", "entry", "kind"), DEMO)
def test_every_docx_states_what_settings_require(
    tmp_path: Path, case_id: str, entry: str, kind: str
) -> None:
    letter = demo_letter(case_id, entry)
    path = tmp_path / "letter.docx"
    path.write_bytes(letter.docx)
    text = "\n".join(docx_text(path))
    policy, _, _ = load_policy(REPO)
    assert policy is not None
    required = [c.id for c in policy.settings.letter_contents if c.required != "challenge-off"]
    assert set(letter.states) == set(required)
    assert policy.settings.lgsco in text
    assert policy.settings.council_name in text
    assert "Dates" in text
    assert "How you can still contact us" in text
    assert "{{" not in text
    assert "{%" not in text
    # The email text says what the document says, paragraph for paragraph.
    paragraphs = [p.strip() for p in docx_text(path) if p.strip()]
    assert html_text(letter.html).split("\n")[1:] == paragraphs


# --- refusals ---------------------------------------------------------------------------------


def test_refusal_names_every_missing_item(register: Path) -> None:
    data = case(
        decisions=[
            decision(
                "D1",
                "2023-06-10",
                conduct=["threats"],
                measures=[{"measure": "email-diversion", "frequency": "weekly"}],
                reason="Threats to Dana Whitlock.",
            )
        ]
    )
    put(register, data)
    result = mcr(register, CASE, "D1", "--output", str(register.parent / "out"))
    assert result.exit_code == 1
    message = result.output
    assert "impact (The impact of the conduct on the service)" in message
    assert "contact-routes" in message
    assert "email-diversion" in message
    for item in ("behaviour", "dates", "measures", "lgsco"):
        assert f"- {item} " not in message
    for personal in ("Jordan Fictitious", "Dana Whitlock", "01632 960001"):
        assert personal not in message
    assert not (register.parent / "out").exists()


def test_refusal_for_an_entry_the_lifecycle_did_not_allow(register: Path) -> None:
    put(register, case(reviews=[review("R1", "2023-07-01", "continue", extend_to="2024-01-01")]))
    with pytest.raises(LetterRefused) as refused:
        letter_for(register, CASE, "R1", keys(), TODAY)
    named = [m.split(" ")[0] for m in refused.value.missing]
    assert named == ["behaviour", "measures", "dates", "impact"]
    assert "Reviewed the contact" not in str(refused.value)


def _without(template: Path, *placeholders: str) -> None:
    document = docx.Document(str(template))
    for paragraph in list(document.paragraphs):
        if any("{{ " + p + " }}" in paragraph.text for p in placeholders):
            element = paragraph._element
            element.getparent().remove(element)
    document.save(str(template))


def test_a_template_without_a_required_placeholder_is_refused(register: Path) -> None:
    put(register, case(decisions=[decision("D1", "2023-06-10")]))
    _without(register / "policy" / "letters" / "decision.docx", "lgsco", "statutory_rights")
    result = mcr(register, CASE, "D1", "--output", str(register.parent / "out"))
    assert result.exit_code == 1
    assert "lgsco (The Local Government and Social Care Ombudsman's details): template " in (
        result.output
    )
    assert "policy/letters/decision.docx has no {{ lgsco }}" in result.output
    assert "statutory-rights" in result.output
    assert "{{ statutory_rights }}" in result.output
    assert "other-formats" not in result.output


def test_an_undecided_challenge_has_no_letter_yet() -> None:
    with pytest.raises(LetterRefused, match="not decided yet"):
        demo_letter("MC-2026-0004", "C1")


def test_every_content_the_settings_name_has_its_placeholders() -> None:
    policy, _, _ = load_policy(REPO)
    assert policy is not None
    assert {c.id for c in policy.settings.letter_contents} <= set(PLACEHOLDERS)


# --- hostile text -----------------------------------------------------------------------------


def test_hostile_text_comes_out_as_written(register: Path) -> None:
    data = case(
        decisions=[
            decision(
                "D1",
                "2023-06-10",
                reason=" ".join(HOSTILE),
                measures=[{"measure": "spoc", "spoc": "hugo-barrett", "times": "Mon <9-12> & Tue"}],
            )
        ]
    )
    data["customer"] = {"name": "Smith & Sons <Ltd>", "address": "{{ address }} & <Road>"}
    data["incidents"][0]["staff_affected"] = "{% raw %}<i>two</i>"
    put(register, data)
    out = register.parent / "out"
    result = mcr(register, CASE, "D1", "--output", str(out))
    assert result.exit_code == 0, result.output
    stem = out / f"{CASE}-D1-letter"
    written = [
        "\n".join(docx_text(stem.with_suffix(".docx"))),
        html_text(markdown_lib.markdown(stem.with_suffix(".md").read_text(encoding="utf-8"))),
        html_text(stem.with_suffix(".html").read_text(encoding="utf-8")),
    ]
    for text in written:
        assert " ".join(HOSTILE) in text
        assert "Dear Smith & Sons <Ltd>," in text
        assert "{{ address }} & <Road>" in text
        assert "{% raw %}<i>two</i>" in text
        assert "When: Mon <9-12> & Tue" in text
        assert "49" not in text
    html_source = stem.with_suffix(".html").read_text(encoding="utf-8")
    assert "<b>" not in html_source
    assert "&lt;b&gt;bold&lt;/b&gt;" in html_source
    # Names are in the letter, never in the files' names or on the screen.
    assert "Smith" not in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        f"{CASE}-D1-letter.{ext}" for ext in ("docx", "html", "md")
    ]


@pytest.mark.parametrize("text", [*HOSTILE, "1. not a list", "- not an item", "\\back", "`code`"])
def test_markdown_escaping_renders_the_text_itself(text: str) -> None:
    rendered = markdown_lib.markdown(md_escape(text))
    assert html_text(rendered) == text


# --- where letters go, and recording them -------------------------------------------------------


def test_written_private_outside_the_repository(register: Path) -> None:
    put(register, case(decisions=[decision("D1", "2023-06-10")]))
    out = register.parent / "private" / "letters"
    result = mcr(register, CASE, "D1", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.name.startswith(f"{CASE}-D1-letter.")
        assert "Jordan" not in path.name
        assert "Fictitious" not in path.name
    assert "Jordan" not in result.output


@pytest.mark.parametrize("where", ["inside", "work-tree", "link"])
def test_output_inside_the_repository_refused(tmp_path: Path, where: str) -> None:
    tree = tmp_path / "repo"
    root = tree / "register"
    shutil.copytree(REPO / "policy", root / "policy")
    (root / "cases").mkdir()
    (tree / ".git").mkdir()
    put(root, case(decisions=[decision("D1", "2023-06-10")]))
    target = {
        "inside": root / "letters",
        "work-tree": tree / "elsewhere",
        "link": tmp_path / "link" / "letters",
    }[where]
    if where == "link":
        (tmp_path / "link").symlink_to(tree)
    result = mcr(root, CASE, "D1", "--output", str(target))
    assert result.exit_code == 1
    assert "inside the repository" in result.output
    assert not (tree / "elsewhere").exists()
    assert not (root / "letters").exists()


def test_a_directory_others_can_read_is_refused(register: Path) -> None:
    put(register, case(decisions=[decision("D1", "2023-06-10")]))
    out = register.parent / "open-folder"
    out.mkdir(mode=0o755)
    out.chmod(0o755)
    result = mcr(register, CASE, "D1", "--output", str(out))
    assert result.exit_code == 1
    assert "can be read or written by others" in result.output
    assert list(out.iterdir()) == []


def test_default_output_is_a_new_private_directory(register: Path) -> None:
    put(register, case(decisions=[decision("D1", "2023-06-10")]))
    result = mcr(register, CASE, "D1")
    assert result.exit_code == 0, result.output
    first = Path(result.output.splitlines()[0].removeprefix("wrote ")).parent
    try:
        assert register not in first.parents
        assert stat.S_IMODE(first.stat().st_mode) == 0o700
    finally:
        shutil.rmtree(first)


def test_record_appends_a_letter_that_passes_the_check(register: Path) -> None:
    path = put(register, case(decisions=[decision("D1", "2023-06-10")]))
    before = run_check(register, TODAY, keys=keys()).findings.errors
    assert [f.rule for f in before] == ["MC320"]
    out = register.parent / "out"
    result = mcr(
        register,
        CASE,
        "D1",
        "--output",
        str(out),
        "--record",
        "--medium",
        "email",
        "--sent-by",
        "Hugo Barrett",
        "--date",
        "2023-06-12",
    )
    assert result.exit_code == 0, result.output
    assert f"recorded L1 in {FILE}" in result.output
    assert run_check(register, TODAY, keys=keys()).findings.errors == []
    text = (out / f"{CASE}-D1-letter.md").read_text(encoding="utf-8")
    assert "12 June 2023" in text
    assert "Hugo Barrett" in text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    recorded = path.read_text(encoding="utf-8")
    assert f"text_sha256: {digest}" in recorded or f'text_sha256: "{digest}"' in recorded
    assert "template: decision.docx" in recorded
    assert "sent_by: hugo-barrett" in recorded
    assert "medium: email" in recorded
    assert (
        "states: [behaviour, measures, contact-routes, dates, statutory-rights, other-formats, "
        "lgsco, how-to-challenge, impact]" in recorded
    )
    assert "Jordan" not in recorded


def test_record_needs_how_and_by_whom(register: Path) -> None:
    put(register, case(decisions=[decision("D1", "2023-06-10")]))
    result = mcr(register, CASE, "D1", "--record", "--medium", "letter")
    assert result.exit_code == 2
    assert "--record needs --medium and --sent-by" in result.output
    result = mcr(register, CASE, "D1", "--sent-by", "hugo-barrett")
    assert result.exit_code == 2


def test_a_letter_needs_the_cases_key(register: Path) -> None:
    put(register, case(decisions=[decision("D1", "2023-06-10")]))
    empty = register.parent / "empty-keystore"
    empty.mkdir()
    result = mcr(register, CASE, "D1", "--keystore", str(empty))
    assert result.exit_code == 1
    assert "could not be opened: a letter needs the case's key" in result.output
    assert "Jordan" not in result.output


def test_html_is_escaped_by_the_standard_library() -> None:
    letter = demo_letter("MC-2025-0003", "D1")
    assert letter.html.startswith("<!DOCTYPE html>")
    assert "<h2>Dates</h2>" in letter.html
    assert io.StringIO(letter.html).read().count("<ul>") == letter.html.count("</ul>")


def _guide_commands() -> list[str]:
    found = []
    for guide in sorted((REPO / "site" / "guides").glob("*.md")):
        text = guide.read_text(encoding="utf-8")
        for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL):
            command = textwrap.dedent(block).strip()
            if command.startswith("mcr letter "):
                found.append(command)
    return found


def test_the_guides_letter_commands_work(tmp_path: Path) -> None:
    commands = _guide_commands()
    assert len(commands) >= 2
    for name in ("cases", "policy", "demo-keystore"):
        shutil.copytree(REPO / name, tmp_path / "register" / name)
    root = tmp_path / "register"
    for command in commands:
        argv = shlex.split(command.replace("\\\n", " "))[1:]
        argv[argv.index("--output") + 1] = str(tmp_path / "letters")
        result = CliRunner().invoke(
            main,
            [*argv, "--register", str(root), "--keystore", str(root / "demo-keystore")],
        )
        assert result.exit_code == 0, (command, result.output)
        assert (tmp_path / "letters" / f"{argv[1]}-{argv[2]}-letter.docx").is_file()
        if "--record" in argv:
            assert f"recorded L3 in cases/{argv[1]}.yaml" in result.output
    errors = run_check(root, TODAY, keys=DirectoryKeystore(root / "demo-keystore").get)
    assert errors.findings.errors == []


def test_with_the_right_to_challenge_off_the_letter_says_there_is_no_appeal(
    register: Path,
) -> None:
    settings = register / "policy" / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        text.replace("right_to_challenge: true", "right_to_challenge: false"), encoding="utf-8"
    )
    put(register, case(decisions=[decision("D1", "2023-06-10")]))
    letter = letter_for(register, CASE, "D1", keys(), TODAY)
    assert "There is no right of appeal against this decision." in letter.markdown
    assert "reviewed by a senior officer" not in letter.markdown
    assert "no-right-of-appeal" in letter.states
    assert "how-to-challenge" not in letter.states
    out = register.parent / "out"
    result = mcr(
        register,
        *(CASE, "D1", "--output", str(out), "--record"),
        *("--medium", "letter", "--sent-by", "hugo-barrett", "--date", "2023-06-12"),
    )
    assert result.exit_code == 0, result.output
    assert run_check(register, TODAY, keys=keys()).findings.errors == []
