"""The layering contract in pyproject.toml holds, and it fails when a forbidden import is added.

`make test` runs `lint-imports` on the package itself; these tests run it on a copy of the
package with one forbidden import written in, to show each contract can fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tmp_path: Path, module: str, line: str) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on a copy of the package in which `module` also imports `line`."""
    tooling = tmp_path / "tooling"
    shutil.copytree(
        REPO / "tooling" / "managed_contact",
        tooling / "managed_contact",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    if module:
        path = tooling / "managed_contact" / module
        path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tooling)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_package_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint(tmp_path, "", "")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(CONTRACTS)} kept, 0 broken" in result.stdout


LAYERS = "Layers: cli > site, casework > documents > changes > register > sealing"
CLICK = "Only the CLI imports Click"
SITE_EXTRA = "Only the site imports MkDocs and Jinja (the 'site' extra)"
CRYPTO = "Only sealing imports cryptography"
HVAC = "Only the Vault keystore imports hvac (the 'vault' extra)"
DOCUMENTS = "Only documents imports docxtpl, docx and icalendar"
CONTRACTS = (LAYERS, CLICK, SITE_EXTRA, CRYPTO, HVAC, DOCUMENTS)


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("register/dates.py", "from ..changes import git as _git", {LAYERS}),
        ("changes/revision.py", "from ..site import pages as _pages", {LAYERS}),
        # The CLI imports Click, so the site would import it too, through the CLI.
        ("site/pages.py", "from ..cli import main as _main", {LAYERS, CLICK}),
        ("register/lifecycle.py", "import click as _click", {CLICK}),
        ("changes/approvals.py", "import jinja2 as _jinja2", {SITE_EXTRA}),
        ("sealing/tokens.py", "from ..register import dates as _dates", {LAYERS}),
        ("casework/__init__.py", "from ..site import pages as _pages", {LAYERS}),
        ("register/personal.py", "import cryptography as _cryptography", {CRYPTO}),
        ("sealing/keystore.py", "import hvac as _hvac", {HVAC}),
        ("documents/__init__.py", "from ..casework import writing as _writing", {LAYERS}),
        ("register/lifecycle.py", "import icalendar as _icalendar", {DOCUMENTS}),
        ("site/pages.py", "import docx as _docx", {DOCUMENTS}),
    ],
    ids=[
        "register-to-changes",
        "changes-to-site",
        "site-to-cli",
        "click-in-core",
        "jinja-out",
        "sealing-to-register",
        "casework-to-site",
        "crypto-out",
        "hvac-out",
        "documents-to-casework",
        "icalendar-out",
        "docx-out",
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, line: str, broken: set[str]
) -> None:
    result = _lint(tmp_path, module, line)
    assert result.returncode == 1, result.stdout + result.stderr
    found = {name for name in CONTRACTS if f"{name} BROKEN" in result.stdout}
    assert found == broken, result.stdout
    assert f"{len(CONTRACTS) - len(broken)} kept, {len(broken)} broken" in result.stdout
