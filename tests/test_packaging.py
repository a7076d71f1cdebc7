"""What `pip install` brings: the package alone checks a register; the `site` extra builds it.

The package is installed from a copy of the repository into an empty virtual environment, as a
council's CI or the pre-commit hook would install it, and used on a copy of the demo register.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, TODAY

pytestmark = pytest.mark.slow

SOURCE = ("pyproject.toml", "README.md", "tooling")
REGISTER = ("cases", "policy", "schemas", "site", "mkdocs.yml", "demo-keystore")


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """A command as on a fresh clone: no $MCR_KEYSTORE, so the demo finds its own keys."""
    env = {k: v for k, v in os.environ.items() if k != "MCR_KEYSTORE"}
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def _copy(names: tuple[str, ...], target: Path) -> Path:
    target.mkdir(parents=True)
    for name in names:
        source = REPO / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy(source, target / name)
    return target


def _installed_names(bin_dir: Path) -> set[str]:
    listed = _run(bin_dir / "pip", "list", "--format=freeze")
    assert listed.returncode == 0, listed.stderr
    return {line.split("==")[0].lower() for line in listed.stdout.split()}


def test_the_package_checks_alone_and_builds_the_site_with_its_extra(tmp_path: Path) -> None:
    source = _copy(SOURCE, tmp_path / "source")
    register = _copy(REGISTER, tmp_path / "register")
    venv = tmp_path / "venv"
    made = _run(sys.executable, "-m", "venv", venv)
    assert made.returncode == 0, made.stderr
    bin_dir = venv / "bin"
    today = TODAY.isoformat()

    # `pip install .`: the runtime dependencies and nothing of the site.
    done = _run(bin_dir / "pip", "install", "--quiet", source)
    assert done.returncode == 0, done.stderr
    names = _installed_names(bin_dir)
    assert {"click", "pydantic", "pyyaml", "managed-contact"} <= names
    assert not names & {"mkdocs", "mkdocs-material", "jinja2", "markupsafe", "gitpython"}

    # That is enough to check a register...
    check = _run(bin_dir / "mcr", "check", "--today", today, cwd=register)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "15 case file(s) checked: 0 error(s)" in check.stdout

    # ...and building the site says which extra to install, writing nothing.
    before = _run(bin_dir / "mcr", "build", "--today", today, cwd=register)
    assert before.returncode == 2, before.stdout + before.stderr
    assert "needs the 'site' extra" in before.stderr
    assert "pip install 'managed-contact[site]'" in before.stderr
    assert "Traceback" not in before.stderr
    assert not (register / "public").exists()

    # So do letters and the calendar, which need the 'documents' extra.
    for command in (["letter", "MC-2025-0003", "D1"], ["calendar"], ["export"]):
        said = _run(bin_dir / "mcr", *command, "--today", today, cwd=register)
        assert said.returncode == 2, said.stdout + said.stderr
        assert "needs the 'documents' extra" in said.stderr
        assert "Traceback" not in said.stderr

    # `pip install '.[site]'` then builds it, templates and reference pages included.
    extra = _run(bin_dir / "pip", "install", "--quiet", f"{source}[site]")
    assert extra.returncode == 0, extra.stderr
    after = _run(bin_dir / "mcr", "build", "--today", today, cwd=register)
    assert after.returncode == 0, after.stdout + after.stderr
    assert (register / "public" / "register" / "index.html").is_file()
    assert (register / "public" / "reference" / "cli" / "index.html").is_file()
