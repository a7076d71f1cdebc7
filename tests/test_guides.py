"""The guides cannot drift: every YAML example is checked by the real rules, and every
`mcr record` command is run against a copy of the demo register and writes that example."""

from __future__ import annotations

import copy
import json
import re
import shlex
import shutil
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from scenario import REPO, findings, repo_policy

from managed_contact.cli.main import main
from managed_contact.register.model import HISTORY_SECTIONS
from managed_contact.register.personal import unseal_text
from managed_contact.register.policy import SigningKey
from managed_contact.register.rules.rule import E
from managed_contact.register.snapshot import DEMO_KEYSTORE
from managed_contact.sealing.keystore import DirectoryKeystore
from managed_contact.site.fields import FIELDS_PAGE, cell, fields_markdown
from managed_contact.site.reference import reference_pages

GUIDES = REPO / "site" / "guides"
TODAY = date(2026, 12, 1)
_FENCE = re.compile(r"^( *)```(\w+)\n(.*?)^\1```$", re.MULTILINE | re.DOTALL)
_REFUSED = re.compile(r"^# refused: (MC\d{3})$", re.MULTILINE)


@dataclass(frozen=True)
class Block:
    guide: str
    lang: str
    text: str

    @property
    def name(self) -> str:
        return f"{self.guide}:{self.text.splitlines()[0][:60]}"


def blocks() -> list[Block]:
    found = []
    for guide in sorted(GUIDES.glob("*.md")):
        for m in _FENCE.finditer(guide.read_text(encoding="utf-8")):
            found.append(Block(guide.name, m.group(2), textwrap.dedent(m.group(3))))
    return found


def yaml_blocks() -> list[Block]:
    return [b for b in blocks() if b.lang == "yaml"]


def record_commands() -> list[tuple[Block, Block]]:
    """Each `mcr record` command with the YAML example that follows it."""
    pairs, waiting = [], None
    for b in blocks():
        if b.lang == "sh" and b.text.startswith("mcr record "):
            waiting = b
        elif b.lang == "yaml" and waiting is not None:
            pairs.append((waiting, b))
            waiting = None
    return pairs


def source(block: Block) -> str:
    """The file the example is from: its first line names it."""
    first = block.text.splitlines()[0]
    assert first.startswith("# "), f"{block.name}: the first line names the file it is from"
    return first[2:]


def demo_case(file: str) -> dict[str, Any]:
    keys = DirectoryKeystore(REPO / DEMO_KEYSTORE)
    case_id = Path(file).stem
    key = keys.get(case_id)
    assert key is not None
    text = unseal_text((REPO / file).read_text(encoding="utf-8"), file, key)
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def merged(case: dict[str, Any], fragment: dict[str, Any]) -> dict[str, Any]:
    """The case with each entry of the fragment in place of the one with its id (or added)."""
    out = copy.deepcopy(case)
    for section, value in fragment.items():
        if section in HISTORY_SECTIONS:
            entries = out.setdefault(section, [])
            for entry in value:
                at = next((i for i, e in enumerate(entries) if e.get("id") == entry["id"]), None)
                if at is None:
                    entries.append(entry)
                else:
                    entries[at] = entry
        else:
            out[section] = value
    return out


def test_the_guides_have_examples() -> None:
    assert {b.guide for b in yaml_blocks()} >= {
        "open-a-case.md",
        "record-a-decision.md",
        "record-a-review.md",
        "record-a-challenge.md",
        "close-a-case.md",
    }
    assert len(record_commands()) >= 12


@pytest.mark.parametrize("block", yaml_blocks(), ids=lambda b: b.name)
def test_each_yaml_example_passes_the_rules(block: Block) -> None:
    file = source(block)
    fragment = yaml.safe_load(block.text)
    if file == "policy/people.yaml":
        for key in fragment["keys"]:
            SigningKey.model_validate(
                {**key, "key": key["key"].replace("AAAA...", "AAAAC3NzaC1lZDI1NTE5")}
            )
        return
    assert file.startswith("cases/"), f"{block.name}: an example is of a case file"
    assert set(fragment) <= set(HISTORY_SECTIONS) | {"customer", "scope"}
    found = findings(merged(demo_case(file), fragment), TODAY)
    errors = sorted({f.rule for f in found if f.severity == E})
    refused = _REFUSED.search(block.text)
    if refused:
        assert refused.group(1) in errors, f"{block.name}: should be refused by it"
    else:
        assert errors == [], [(f.rule, f.path, f.message) for f in found]


def _argv(command: str) -> list[str]:
    return shlex.split(command.replace("\\\n", " "))[1:]


@pytest.mark.parametrize(("command", "example"), record_commands(), ids=lambda b: b.name)
def test_each_record_command_writes_its_example(
    command: Block, example: Block, tmp_path: Path
) -> None:
    """The command, run on the demo register as it stood before that entry, writes it."""
    argv = _argv(command.text)
    kind, case_id = argv[1], argv[2]
    file = source(example)
    assert file == f"cases/{case_id}.yaml", f"{command.name}: the example is of its case"
    fragment = yaml.safe_load(example.text)
    ((section, (shown,)),) = fragment.items()
    for name in ("cases", "policy", DEMO_KEYSTORE):
        shutil.copytree(REPO / name, tmp_path / name)
    path = tmp_path / file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    # Rewind the case: the shown entry and the rest of its list go (or its outcome does).
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{section}:"))
    first = next(i for i in range(start, len(lines)) if lines[i].strip() == f"- id: {shown['id']}")
    end = next(
        (i for i in range(first + 1, len(lines)) if not lines[i].startswith(" ")), len(lines)
    )
    if kind == "challenge-outcome":
        kept = lines[first:end]
        cut = next(i for i, line in enumerate(kept) if line.strip().startswith("decided_by:"))
        lines[first:end] = kept[:cut]
    else:
        del lines[first:end]
        if first == start + 1 and (first == len(lines) or not lines[first].startswith(" ")):
            del lines[start]  # the list is empty now: `mcr record` starts it again
    path.write_text("".join(lines), encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            *argv,
            "--register",
            str(tmp_path),
            "--keystore",
            str(tmp_path / DEMO_KEYSTORE),
            "--today",
            TODAY.isoformat(),
        ],
    )
    assert result.exit_code == 0, result.output
    key = DirectoryKeystore(tmp_path / DEMO_KEYSTORE).get(case_id)
    assert key is not None
    data = yaml.safe_load(unseal_text(path.read_text(encoding="utf-8"), file, key))
    written = next(e for e in data[section] if e["id"] == shown["id"])
    assert written == shown


def _schema_keys(node: Any, defs: dict[str, Any], path: str = "") -> set[str]:
    if "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    keys: set[str] = set()
    for sub in [*node.get("anyOf", []), *node.get("oneOf", [])]:
        keys |= _schema_keys(sub, defs, path)
    if isinstance(node.get("items"), dict):
        keys |= _schema_keys(node["items"], defs, f"{path}[]")
    for key, sub in node.get("properties", {}).items():
        here = f"{path}.{key}" if path else key
        keys.add(here)
        keys |= _schema_keys(sub, defs, here)
    return keys


def test_the_field_reference_covers_every_key_of_the_case_schema() -> None:
    schema = json.loads((REPO / "schemas" / "case.schema.json").read_text(encoding="utf-8"))
    keys = _schema_keys(schema, schema["$defs"])
    page = fields_markdown(repo_policy())
    shown = set(re.findall(r"^\| `([^`]+)` \|", page, re.MULTILINE))
    assert keys
    assert keys <= shown, sorted(keys - shown)
    assert FIELDS_PAGE in reference_pages(repo_policy())
    policy = repo_policy()
    for word in (
        *(s.id for s in policy.vocabulary.services),
        *(m.id for m in policy.measures.measures),
        *(c.id for c in policy.settings.letter_contents),
    ):
        assert cell(word) in page


def test_the_field_reference_escapes_what_it_renders() -> None:
    assert cell("a | b") == "a \\| b"
    assert cell("two\nlines <b>") == "two lines \\<b\\>"
    page = fields_markdown(repo_policy())
    for line in page.splitlines():
        if line.startswith("| `"):
            assert len(re.findall(r"(?<!\\)\|", line)) == 7, line


def _commands(guide: str) -> list[str]:
    return [
        line
        for b in blocks()
        if b.guide == guide and b.lang == "sh"
        for line in b.text.splitlines()
        if line.startswith("mcr ")
    ]


def test_the_reminders_and_reports_commands_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command of the reminders, reports and audit guide runs as written, in the signed
    demo repository (the audit needs its history), and writes what the guide says."""
    from managed_contact.casework.demo import make_demo

    demo = make_demo(REPO, tmp_path / "register", date(2026, 11, 28))
    monkeypatch.chdir(demo.path)
    home = tmp_path / "home"
    home.mkdir()
    commands = _commands("reminders-reports-and-audit.md")
    assert len(commands) == 4
    for command in commands:
        args = [a.replace("~", str(home), 1) for a in shlex.split(command)[1:]]
        result = CliRunner().invoke(
            main,
            [*args, "--register", str(demo.path)],
            env={"MCR_TODAY": "2026-11-28", "MCR_KEYSTORE": str(demo.keystore)},
        )
        assert result.exit_code == 0, f"{command}: {result.output}"
    assert (demo.path / "reminders.ics").read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
    marker = json.loads((home / "crm-marker.json").read_text(encoding="utf-8"))
    assert marker["arrangements"]
