"""The MkDocs adapter: adds the pages `managed_contact.site.pages` generates to a MkDocs build.

Everything here is glue. The pages themselves (and every escaping decision but one: the theme
escapes the protective marking it prints) live in `pages`, so moving to another generator means
writing another thin adapter, not rewriting the site.

    plugins:
      - managed-contact:
          register: .        # the register directory, relative to mkdocs.yml (default: .)

The protective marking in policy/settings.yaml goes to the theme as
`config.extra.protective_marking`; site/overrides/main.html shows it at the top of every page,
with a "fictional demo data" banner when the register is marked as the demo (`config.extra.demo`).

The case files' sealed values are opened with the keystore `site.build` sets on the plugin (from
`mcr build --keystore`); a plain `mkdocs build` finds one as every command does: `$MCR_KEYSTORE`,
the demo's committed one, else the register's own. Without keys the build stops.

"Today" is `MCR_TODAY` when set (as `mcr build --today` and `mcr serve --today` arrange), else
the clock; `site.build.build_site` sets it on the plugin directly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from ..documents.calendar import calendar_feed
from ..errors import McrError
from ..register.dates import parse_today
from ..register.progress import Progress
from ..register.snapshot import demo_keystore
from ..sealing.keystore import Keystore, open_keystore
from .pages import CASES_DIR, Renderer, load_site_data
from .reference import reference_pages

MARKING_KEY = "protective_marking"
"""The key in `config.extra` under which the theme finds the protective marking."""
CALENDAR_FILE = "calendar.ics"
"""The calendar feed's place in the site (`documents.calendar`), linked from the dashboard."""
DEMO_KEY = "demo"
"""The key in `config.extra` that makes the theme show the "fictional demo data" banner."""


class RegisterPluginConfig(Config):  # type: ignore[no-untyped-call]
    register = c.Type(str, default=".")
    today = c.Optional(c.Type(str))


class RegisterPlugin(BasePlugin[RegisterPluginConfig]):  # type: ignore[no-untyped-call]
    """Generate the register's pages at build time; never write them into the docs dir."""

    served_pages: ClassVar[Mapping[str, str]] = {}
    """Pages handed in from outside the site (the command line's reference) while a `serve`
    runs: `mkdocs serve` makes a new plugin for every rebuild, so they are held here."""
    served_keystore: ClassVar[Keystore | None] = None
    """The keystore a `serve` opens the cases with, held here for the same reason."""
    served_failure: ClassVar[McrError | None] = None
    """Why the last build of a `serve` stopped, for `site.build.serve_site` to report."""

    def __init__(self) -> None:
        super().__init__()
        self.today: date | None = None
        self.root: Path | None = None
        self.renderer: Renderer | None = None
        self.error: str | None = None
        self.failure: McrError | None = None
        self.workers = 1
        self.pages: Mapping[str, str] = self.served_pages
        self.keystore: Keystore | None = self.served_keystore
        self.progress: Progress | None = None
        self.pages_built = 0
        self.pages_total = 0

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # A one-off build may load a large register in several processes; `serve` keeps to one
        # (its live-reload server runs threads, and forking those is unsafe).
        self.workers = (os.cpu_count() or 1) if command == "build" else 1

    def on_shutdown(self) -> None:
        self.today = None
        self.keystore = None

    def _root(self, config: MkDocsConfig) -> Path:
        base = Path(config.config_file_path or ".").resolve().parent
        return (base / self.config.register).resolve()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # MkDocs keeps plugin instances between builds in one process: start each one clean.
        self.error = None
        self.failure = None
        self.renderer = None
        self.root = self._root(config)
        if config.nav is not None:
            config.nav = expand_folders(config.nav, Path(config.docs_dir))
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        assert self.root is not None
        try:
            today = self.today or parse_today(self.config.today)
            keystore = self.keystore or open_keystore(None, self.root, demo_keystore(self.root))
            data = load_site_data(self.root, today, self.workers, keystore, self.progress)
            renderer = Renderer(data, config.use_directory_urls)
            pages = {**renderer.pages(), **reference_pages(data.policy), **self.pages}
            # The dashboard links the feed for Customer Relations to subscribe to.
            feed = calendar_feed(data.cases, data.statuses, data.policy, today)
        except (McrError, ValueError) as exc:
            self.error = str(exc)
            if isinstance(exc, McrError):
                self.failure = type(self).served_failure = exc
            raise PluginError(f"managed-contact: {exc}") from None
        self.renderer = renderer
        # The theme shows it at the top of every page (site/overrides/main.html escapes it).
        config.extra[MARKING_KEY] = data.policy.settings.protective_marking
        config.extra[DEMO_KEY] = data.policy.settings.demo
        for src, content in pages.items():
            # Case pages stay out of the navigation: with them in it the build grows with the
            # square of the case count. The register table and the search find them.
            inclusion = (
                InclusionLevel.NOT_IN_NAV
                if src.startswith(f"{CASES_DIR}/")
                else InclusionLevel.UNDEFINED
            )
            existing = files.get_file_from_path(src)
            if existing is not None:
                raise PluginError(
                    f"managed-contact: {config.docs_dir}/{src} would hide a generated page; "
                    "remove it (generated pages are never written into the docs directory)"
                )
            files.append(File.generated(config, src, content=content, inclusion=inclusion))
        files.append(File.generated(config, CALENDAR_FILE, content=feed))
        self.pages_built = 0
        self.pages_total = len(files.documentation_pages())
        return files

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        self.pages_built += 1
        if self.progress is not None:
            self.progress("building pages", self.pages_built, self.pages_total)
        return output

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if self.renderer is None or page.file.generated_by is not None:
            return markdown
        try:
            return self.renderer.fill(markdown, page.file.src_uri)
        except McrError as exc:
            self.error = str(exc)
            raise PluginError(f"managed-contact: {exc}") from None

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        assert self.root is not None
        for name in ("cases", "policy"):
            path = self.root / name
            if path.is_dir():
                server.watch(str(path))
        return server


def expand_folders(nav: Any, docs_dir: Path) -> Any:
    """Replace a nav entry naming a folder ("guides/") by that folder's pages not listed yet.

    New pages in the folder then appear in the navigation without editing mkdocs.yml, and a
    page that is absent is simply not listed (an explicit entry for it would warn).
    """
    listed: set[str] = set()

    def collect(item: Any) -> None:
        if isinstance(item, str):
            listed.add(item)
        elif isinstance(item, dict):
            for value in item.values():
                collect(value)
        elif isinstance(item, list):
            for value in item:
                collect(value)

    collect(nav)

    def expand(item: Any) -> list[Any]:
        if isinstance(item, str) and item.endswith("/") and "://" not in item:
            folder = docs_dir / item
            found = sorted(p.relative_to(docs_dir).as_posix() for p in folder.glob("*.md"))
            return [p for p in found if p not in listed]
        if isinstance(item, dict):
            return [{k: _expand_value(v) for k, v in item.items()}]
        if isinstance(item, list):
            return [_expand_list(item)]
        return [item]

    def _expand_value(value: Any) -> Any:
        if isinstance(value, list):
            return _expand_list(value)
        return value

    def _expand_list(items: list[Any]) -> list[Any]:
        out: list[Any] = []
        for item in items:
            out.extend(expand(item))
        return out

    return _expand_list(nav) if isinstance(nav, list) else nav
