"""The internal site: build it with MkDocs (Material) into `public/`, or serve it with live reload.

The pages made from the register come from `pages`, added to the build by the `managed-contact`
plugin (`mkdocs_plugin`); `mkdocs.yml` at the register's root is plain configuration. "Today" is
handed to the plugin, so the dashboard and the overdue list are reproducible.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from ..errors import ExitCode, McrError
from ..register.dates import TODAY_ENV
from ..register.progress import Progress
from ..sealing.keystore import Keystore

SITE_EXTRA = "managed-contact[site]"
SITE_PACKAGES = ("mkdocs", "material", "jinja2", "markupsafe", "icalendar")
"""What the `site` extra installs, as imported (mkdocs-material is the `material` theme;
icalendar writes the calendar feed the site publishes)."""


class SiteExtraMissing(McrError):
    """The site's dependencies (the `site` extra) are not installed."""


def _missing_extra(name: str) -> SiteExtraMissing:
    return SiteExtraMissing(
        f"building the site needs the 'site' extra, and {name} is not installed: "
        f"pip install '{SITE_EXTRA}' (in a clone of the register: make site)"
    )


try:
    from mkdocs.commands.build import build
    from mkdocs.config.base import load_config
    from mkdocs.exceptions import MkDocsException

    from .mkdocs_plugin import RegisterPlugin
    from .pages import SiteKeysMissing
except ModuleNotFoundError as exc:
    if (exc.name or "").partition(".")[0] not in SITE_PACKAGES:
        raise
    raise _missing_extra(exc.name or "mkdocs") from None
if importlib.util.find_spec("material") is None:
    raise _missing_extra("mkdocs-material")

CONFIG_NAME = "mkdocs.yml"
PLUGIN_NAME = "managed-contact"
BUILD_MARK = "search/search_index.json"
"""A file every build of the site writes: how an earlier build is recognised."""


class SiteBuildError(McrError):
    """MkDocs refused to build the site (a warning in strict mode, a broken page, bad config)."""

    exit_code = ExitCode.FINDINGS


def _config_file(root: Path) -> Path:
    path = root / CONFIG_NAME
    if not path.is_file():
        raise McrError(f"{root} has no {CONFIG_NAME}: the site cannot be built")
    return path


def _check_output(root: Path, output: Path) -> None:
    """MkDocs empties the output directory before it builds: refuse any that holds something
    other than an earlier build (the register itself, cases/, policy/, a stray folder)."""
    register = root.resolve()
    if output == register or output in register.parents:
        raise McrError(f"cannot build the site into {output}: it holds the register")
    if output.exists() and not output.is_dir():
        raise McrError(f"cannot build the site into {output}: it is a file")
    if output.is_dir() and any(output.iterdir()) and not (output / BUILD_MARK).is_file():
        raise McrError(
            f"cannot build the site into {output}: it is not empty and holds no earlier build "
            f"(no {BUILD_MARK}); building would delete what is there"
        )


def build_site(
    root: Path,
    output: Path,
    today: date,
    pages: Mapping[str, str] | None = None,
    keystore: Keystore | None = None,
    progress: Progress | None = None,
) -> Path:
    """Build the site into `output` (strictly: any MkDocs warning fails the build), with
    `pages` (path in the site: Markdown) made elsewhere, e.g. the command line's reference,
    opening the cases' sealed values with `keystore` (else the one every command finds)."""
    config_file = _config_file(root)
    output = output.resolve()
    _check_output(root, output)
    plugin: RegisterPlugin | None = None
    try:
        config = load_config(config_file=str(config_file), site_dir=str(output), strict=True)
        found = config.plugins.get(PLUGIN_NAME)
        if not isinstance(found, RegisterPlugin):
            raise SiteBuildError(f"{config_file.name} does not use the {PLUGIN_NAME} plugin")
        plugin = found
        plugin.today = today
        plugin.pages = dict(pages or {})
        plugin.keystore = keystore
        plugin.progress = progress
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as exc:
        if plugin is not None and isinstance(plugin.failure, SiteKeysMissing):
            raise plugin.failure from None
        detail = plugin.error if plugin is not None and plugin.error else str(exc)
        raise SiteBuildError(f"the site did not build: {detail}") from None
    return output


def serve_site(
    root: Path,
    today: date,
    dev_addr: str,
    pages: Mapping[str, str] | None = None,
    keystore: Keystore | None = None,
) -> None:
    """Serve the site on `dev_addr`, rebuilding when a page, a case or policy data changes."""
    from mkdocs.commands.serve import serve

    config_file = _config_file(root)
    # `mkdocs serve` loads the configuration again for every rebuild, so today is handed to
    # the plugin through the environment rather than set on it.
    os.environ[TODAY_ENV] = today.isoformat()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    RegisterPlugin.served_pages = dict(pages or {})
    RegisterPlugin.served_keystore = keystore
    RegisterPlugin.served_failure = None
    try:
        serve(config_file=str(config_file), dev_addr=dev_addr, livereload=True)
    except MkDocsException as exc:
        if isinstance(RegisterPlugin.served_failure, SiteKeysMissing):
            raise RegisterPlugin.served_failure from None
        raise SiteBuildError(f"the site could not be served: {exc}") from None
    finally:
        RegisterPlugin.served_pages = {}
        RegisterPlugin.served_keystore = None
        RegisterPlugin.served_failure = None
        logger.removeHandler(handler)
