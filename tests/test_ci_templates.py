"""The CI templates and the approvers' guide cannot drift from the tool: every `mcr` command
and option they use exists, the pipelines run what the issue asks, and the guide lists every
change rule."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from managed_contact.changes.check import CHANGE_CATALOGUE
from managed_contact.cli.main import main

REPO = Path(__file__).resolve().parents[1]
GITLAB = REPO / ".gitlab-ci.yml"
GITHUB = REPO / ".github" / "workflows" / "register.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
GUIDE = REPO / "site" / "guides" / "approving.md"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def mcr_commands(text: str) -> list[list[str]]:
    """Every `mcr ...` command line in a template (continuation lines joined)."""
    text = re.sub(r"\s*\n\s*--", " --", text)
    found = []
    for match in re.finditer(r"(?<![\w/-])mcr ([^\n'`]*)", text):
        words = shlex.split(match.group(1).split("#")[0].replace("$APPROVALS", ""))
        found.append([w for w in words if w])
    return found


@pytest.mark.parametrize("path", [GITLAB, GITHUB, HOOKS], ids=lambda p: p.name)
def test_every_mcr_command_and_option_in_the_templates_exists(path: Path) -> None:
    commands = mcr_commands(path.read_text(encoding="utf-8"))
    assert commands
    for words in commands:
        command = main.commands.get(words[0])
        assert isinstance(command, click.Command), words
        options = {o for p in command.params for o in getattr(p, "opts", [])}
        for word in words[1:]:
            if word.startswith("--"):
                assert word in options, (words, word)


def scripts(pipeline: dict[str, Any]) -> dict[str, str]:
    return {
        name: "\n".join(job.get("script", []))
        for name, job in pipeline.items()
        if isinstance(job, dict) and "script" in job
    }


def runs(workflow: dict[str, Any]) -> dict[str, str]:
    return {
        name: "\n".join(step.get("run", "") for step in job["steps"])
        for name, job in workflow["jobs"].items()
    }


def test_gitlab_pipelines() -> None:
    pipeline = load(GITLAB)
    jobs = scripts(pipeline)
    assert 'mcr check --base "$CI_MERGE_REQUEST_DIFF_BASE_SHA"' in jobs["check-merge-request"]
    assert pipeline["check-merge-request"]["variables"]["GIT_DEPTH"] == "0"
    assert "mcr check --strict-dates" in jobs["daily"]
    assert "mcr due" in jobs["daily"]
    assert "mcr build --output public" in jobs["pages"]
    assert pipeline["pages"]["artifacts"]["paths"] == ["public"]


def test_artifacts_expire_well_before_the_retention_period() -> None:
    months = load(REPO / "policy" / "periods.yaml")["dormant_retention_months"]
    days, unit = load(GITLAB)["pages"]["artifacts"]["expire_in"].split()
    assert unit in ("day", "days")
    assert int(days) < months * 28
    steps = load(GITHUB)["jobs"]["pages"]["steps"]
    [upload] = [s for s in steps if "upload-pages-artifact" in s.get("uses", "")]
    assert int(upload["with"]["retention-days"]) < months * 28


def test_github_workflow() -> None:
    workflow = load(GITHUB)
    steps = runs(workflow)
    assert "--base" in steps["change"]
    assert "--approvals approvals.json" in steps["change"]
    assert "mcr check --strict-dates" in steps["daily"]
    assert "mcr due" in steps["daily"]
    assert "mcr build --output public" in steps["pages"]
    checkout = workflow["jobs"]["change"]["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0


KEY_WORDS = ("MCR_KEYSTORE", "BAO_", "VAULT_", "--keystore", "secrets.")


def _job_text(job: dict[str, Any]) -> str:
    return yaml.safe_dump(job)


def test_gitlab_checks_are_keyless_and_only_pages_has_keys() -> None:
    pipeline = load(GITLAB)
    jobs = {n: j for n, j in pipeline.items() if isinstance(j, dict) and "script" in j}
    assert {"check-merge-request", "check-register", "daily", "pages"} <= set(jobs)
    for name, job in jobs.items():
        text = _job_text(job)
        assert "--names" not in text, name
        assert "--reveal" not in text, name
        if name != "pages":
            assert not any(word in text for word in KEY_WORDS), name
            assert "tags" not in job, name
    # The keyed job: on the default branch only, on the protected runner.
    pages = jobs["pages"]
    assert pages["tags"] == ["mcr-keys"]
    assert pages["rules"]
    for rule in pages["rules"]:
        assert "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" in rule["if"], rule
        assert "merge_request" not in rule["if"], rule
    assert not any(word in _job_text(pages.get("variables", {})) for word in KEY_WORDS)


def test_gitlab_documents_the_keys_variables() -> None:
    header = GITLAB.read_text(encoding="utf-8").split("\ndefault:", 1)[0]
    assert "MCR_KEYSTORE   vault:secret/mcr" in header
    assert "BAO_ADDR" in header
    assert "VAULT_ADDR" in header
    assert "BAO_TOKEN      a read-only token" in header
    assert '"Protected"' in header
    assert '"Masked"' in header
    assert "protected runner" in header
    assert "deploy/vault/" in header


def test_github_checks_are_keyless_and_only_pages_has_keys() -> None:
    workflow = load(GITHUB)
    jobs = workflow["jobs"]
    assert "env" not in workflow or not any(w in _job_text(workflow["env"]) for w in KEY_WORDS)
    for name, job in jobs.items():
        text = _job_text(job)
        assert "--names" not in text, name
        if name != "pages":
            assert not any(word in text for word in KEY_WORDS), name
            assert job["runs-on"] == "ubuntu-latest", name
    pages = jobs["pages"]
    assert "github.ref == 'refs/heads/main'" in pages["if"]
    assert "pull_request" not in pages["if"]
    assert pages["runs-on"] == ["self-hosted", "mcr-keys"]
    assert pages["environment"]["name"] == "github-pages"
    assert pages["env"]["BAO_TOKEN"] == "${{ secrets.BAO_TOKEN }}"
    assert pages["env"]["MCR_KEYSTORE"] == "${{ vars.MCR_KEYSTORE }}"


def test_the_daily_jobs_list_case_ids_not_names() -> None:
    for text in (scripts(load(GITLAB))["daily"], runs(load(GITHUB))["daily"]):
        due = [words for words in mcr_commands(text) if words[0] == "due"]
        assert due == [["due"]]


def test_pre_commit_hook() -> None:
    [hook] = load(HOOKS)
    assert hook["id"] == "mcr-check"
    assert hook["entry"] == "mcr check"
    assert hook["pass_filenames"] is False
    assert hook["language_version"] == "python3"
    assert hook["minimum_pre_commit_version"]


@pytest.mark.parametrize("path", [GITLAB, GITHUB], ids=lambda p: p.name)
def test_the_job_that_builds_the_site_installs_the_site_extra(path: Path) -> None:
    data = load(path)
    variables = data["variables" if path == GITLAB else "env"]
    assert variables["MCR_SITE_PACKAGE"] == ".[site,vault]"
    jobs = scripts(data) if path == GITLAB else runs(data)
    builders = {name for name, text in jobs.items() if "mcr build" in text}
    extras = {name for name, text in jobs.items() if '"$MCR_SITE_PACKAGE"' in text}
    assert builders
    assert extras == builders


def test_guide_lists_every_change_rule() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    for rule in CHANGE_CATALOGUE:
        assert f"| {rule} |" in text, rule
