"""Documentation that cannot drift from the code."""

from __future__ import annotations

import re
import subprocess

from click.testing import CliRunner

import managed_contact.changes as changes_package
import managed_contact.register.rules as rules_package
from managed_contact.changes.check import ALL_RULES
from managed_contact.cli.main import main
from managed_contact.cli.reference import cli_markdown
from managed_contact.errors import ExitCode
from managed_contact.site.reference import rules_markdown

from conftest import REPO
from rulefamilies import declared_rules

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme() -> None:
    documented = set(re.findall(r"^\| `mcr (\w[\w-]*)", README, flags=re.MULTILINE))
    assert documented == set(main.commands)


def test_readme_gives_exactly_the_two_quickstart_commands() -> None:
    quickstart = README.split("## Quickstart", 1)[1].split("##", 1)[0]
    block = re.search(r"```sh\n(.*?)```", quickstart, flags=re.DOTALL)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands == ["make site", "make test"]


def test_readme_documents_the_exit_codes() -> None:
    table = README.split("### Exit codes", 1)[1].split("###", 1)[0]
    assert {int(n) for n in re.findall(r"^\| (\d) \|", table, flags=re.MULTILINE)} == {
        int(code) for code in ExitCode
    }


def test_cli_reference_has_every_command_and_option() -> None:
    page = cli_markdown(main)
    for name, command in main.commands.items():
        assert f"## `mcr {name}`" in page
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert opt in page, (name, opt)


def test_help_runs_for_every_command() -> None:
    runner = CliRunner()
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Usage: " in result.output


def test_rules_reference_lists_every_rule() -> None:
    page = rules_markdown()
    for rule_id, rule in ALL_RULES.items():
        assert f"| {rule_id} | {rule.severity.value} |" in page


ARCHITECTURE = REPO / "ARCHITECTURE.md"
PACKAGE = REPO / "tooling" / "managed_contact"
_RULE_ROW = re.compile(r"^\| (MC\d{3}[^|]*) \| `([a-z_/]+\.py)`", re.MULTILINE)


def _rule_ids(cell: str) -> set[str]:
    """The ids a table cell names: single ids, and ranges written with an en dash."""
    found: set[str] = set()
    for part in cell.split(","):
        ends = [int(n) for n in re.findall(r"MC(\d{3})", part)]
        found.update(f"MC{n:03d}" for n in range(ends[0], ends[-1] + 1))
    return found


def _owners() -> dict[str, str]:
    """Each rule id, by the module (relative to the package) whose RULES declare it."""
    owners: dict[str, str] = {}
    for folder, package in (("register/rules", rules_package), ("changes", changes_package)):
        for name, rules in declared_rules(package).items():
            owners.update((rule.id, f"{folder}/{name}.py") for rule in rules)
    return owners


def test_architecture_names_only_modules_that_exist() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:register|changes|site|cli)/[a-z_/]+\.py)`", text))
    assert len(named) >= 30
    missing = sorted(p for p in named if not (PACKAGE / p).is_file())
    assert not missing, f"ARCHITECTURE.md names modules that do not exist: {missing}"


def test_architecture_gives_every_rule_the_module_that_owns_it() -> None:
    owners = _owners()
    assert set(owners) == set(ALL_RULES)
    listed: dict[str, str] = {}
    for ids, module in _RULE_ROW.findall(ARCHITECTURE.read_text(encoding="utf-8")):
        for rule in _rule_ids(ids):
            assert rule not in listed, f"{rule} is listed twice in ARCHITECTURE.md"
            listed[rule] = module
    assert listed == owners


GUIDES = REPO / "site" / "guides"
_BRANCH = re.compile(r"git (?:switch -c|checkout -b|branch) ([^\s`]+)")


def test_guides_name_branches_by_case_id_never_by_a_person() -> None:
    named = []
    for guide in sorted(GUIDES.glob("*.md")):
        for branch in _BRANCH.findall(guide.read_text(encoding="utf-8")):
            named.append(branch)
            assert re.search(r"MC-(?:YYYY-NNNN|\d{4}-\d{4})\Z", branch), (guide.name, branch)
            assert "name" not in branch, (guide.name, branch)
    assert named, "a guide says how to name a branch"


def test_readme_personal_data_states_the_facts() -> None:
    section = README.split("## Personal data", 1)[1].split("\n## ", 1)[0]
    for fact in (
        "one key per case",
        "--keystore DIR",
        "$MCR_KEYSTORE",
        "mcr-keys",
        "vault:secret/mcr",
        "shredded",
        "every commit id and signature stays exactly as it was",
        "Keyless CI",
        "demo-keystore/",
        "Sealing is not retroactive",
        "mcr demo-repo",
    ):
        assert fact.lower() in section.lower(), fact


def test_no_tracked_file_keeps_a_merge_conflict_marker() -> None:
    """A merge resolved by hand can leave both sides in a file; both then pass every other
    check (each command is still documented), so look for the markers themselves. Corpus
    files that test the markers (`# expect: MC111`) keep them on purpose."""
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    marker = re.compile(r"^(<{7} |={7}$|>{7} )", flags=re.MULTILINE)
    left = []
    for name in filter(None, tracked):
        path = REPO / name
        if not path.is_file() or path.is_symlink():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if name.startswith("tests/corpus/") and "# expect: MC111 " in text:
            continue
        left += [f"{name}:{text.count(chr(10), 0, m.start()) + 1}" for m in marker.finditer(text)]
    assert left == []
