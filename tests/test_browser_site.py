"""The built site in a real browser: Debian's headless Chromium, driven by Playwright.

The site is built from the demo register (today: 2026-11-28) and served by a local HTTP server on
127.0.0.1 that sends the Content-Security-Policy documented in site/about.md. Screenshots of each
page type go to test-artifacts/ (not committed).
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright
from sitefixtures import (
    REPO,
    TODAY,
    XSS_CASE_ID,
    XSS_NAME,
    build,
    copy_register,
    demo_keys,
    xss_register,
)

from managed_contact.site.pages import load_site_data

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ARTIFACTS = REPO / "test-artifacts" / "screenshots"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site with the headers an intranet server should send."""

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Site:
    root: Path
    url: str


@dataclass
class Watch:
    """What a page did: requests made, dialogs opened, console errors, uncaught errors."""

    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def serve(public: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = partial(Handler, directory=str(public))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = copy_register(tmp_path_factory.mktemp("browser-demo"))
    build(root)
    server, url = serve(root / "public")
    yield Site(root, url)
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def xss(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = xss_register(tmp_path_factory.mktemp("browser-xss"))
    build(root)
    server, url = serve(root / "public")
    yield Site(root, url)
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium); "
            ".ci/run does this in CI",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def watched(browser: Browser) -> Iterator[tuple[Page, Watch]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    watch = Watch()
    page.on("request", lambda request: watch.requests.append(request.url))
    page.on("dialog", lambda dialog: (watch.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: watch.errors.append(str(error)))

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watch.errors.append(message.text)

    page.on("console", console)
    yield page, watch
    context.close()


def shot(page: Page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def active_cases(site: Site) -> list[tuple[str, str, list[str], int]]:
    data = load_site_data(site.root, TODAY, keystore=demo_keys(site.root))
    return [
        (c.id, c.customer.name, list(c.customer.aliases), data.statuses[c.id].stage or 0)
        for c in data.active
    ]


PAGE_TYPES = {
    "home": "",
    "policy": "policy/",
    "register": "register/",
    "dashboard": "dashboard/",
    "councillors": "councillors/",
    "guide": "guides/record-a-decision/",
    "personal-data": "personal-data/",
}


def test_searching_a_customer_name_leads_to_their_case_page(
    demo: Site, watched: tuple[Page, Watch]
) -> None:
    page, watch = watched
    case_id, name, _, _ = active_cases(demo)[0]
    page.goto(demo.url)
    page.get_by_label("Find a customer by name, alias or case id").fill(name)
    page.get_by_role("button", name="Search").click()
    result = page.locator(f'.md-search-result__link[href*="cases/{case_id}/"]').first
    expect(result).to_be_visible(timeout=15_000)
    shot(page, "search")
    # The name never reaches a URL (server logs, browser history): no ?q=, no ?h= highlight.
    assert "?" not in page.url
    assert "?" not in (result.get_attribute("href") or "")
    result.click()
    page.wait_for_url(re.compile(rf"/cases/{case_id}/$"))
    expect(page.locator("h1")).to_contain_text(name)
    shot(page, "case")
    assert not watch.errors, watch.errors


def test_search_finds_a_case_by_alias_and_by_id(demo: Site, watched: tuple[Page, Watch]) -> None:
    page, _ = watched
    with_alias = [c for c in active_cases(demo) if c[2]]
    assert with_alias, "the demo register has an active case with an alias"
    case_id, _, aliases, _ = with_alias[0]
    for query in (aliases[0], case_id):
        page.goto(f"{demo.url}?q={query}")
        result = page.locator(f'.md-search-result__link[href*="cases/{case_id}/"]').first
        expect(result).to_be_visible(timeout=15_000)


def test_register_table_filters_by_stage(demo: Site, watched: tuple[Page, Watch]) -> None:
    page, watch = watched
    cases = active_cases(demo)
    page.goto(f"{demo.url}register/")
    rows = page.locator("#register-table tbody tr")
    expect(rows).to_have_count(len(cases))
    for stage in (1, 2):
        page.get_by_label("Stage", exact=True).select_option(str(stage))
        wanted = sorted(c[0] for c in cases if c[3] == stage)
        visible = page.locator("#register-table tbody tr:visible td:first-child")
        expect(visible).to_have_count(len(wanted))
        assert sorted(visible.all_inner_texts()) == wanted
        expect(page.locator("[data-mcr-count]")).to_have_text(
            f"{len(wanted)} of {len(cases)} cases shown"
        )
    page.get_by_label("Stage", exact=True).select_option("")
    page.get_by_label("Filter by name").fill(cases[-1][1])
    expect(page.locator("#register-table tbody tr:visible")).to_have_count(1)
    page.get_by_label("Filter by name").fill("")
    page.get_by_role("button", name="Customer").click()
    names = page.locator("#register-table tbody tr td:nth-child(2)").all_inner_texts()
    firsts = [n.split("\n")[0].lower() for n in names]
    assert firsts == sorted(firsts)
    expect(page.locator("th", has_text="Customer")).to_have_attribute("aria-sort", "ascending")
    shot(page, "register")
    assert not watch.errors, watch.errors


def test_dashboard_lists_the_overdue_review(demo: Site, watched: tuple[Page, Watch]) -> None:
    page, watch = watched
    data = load_site_data(demo.root, TODAY, keystore=demo_keys(demo.root))
    overdue = [
        cid
        for cid, st in data.statuses.items()
        if st.active and st.next_review_due is not None and st.next_review_due < TODAY
    ]
    assert overdue
    page.goto(f"{demo.url}dashboard/")
    for case_id in overdue:
        row = page.locator("#reviews tr.mcr-row-overdue", has_text=case_id)
        expect(row).to_be_visible()
        expect(row).to_contain_text("overdue", ignore_case=True)
    expect(page.locator("svg[role=img]")).to_have_count(3)
    shot(page, "dashboard")
    page.goto(demo.url)
    expect(page.locator("#overdue")).to_contain_text(overdue[0])
    shot(page, "home")
    assert not watch.errors, watch.errors


def test_xss_payload_does_not_execute(xss: Site, watched: tuple[Page, Watch]) -> None:
    page, watch = watched
    for url in ("", "register/", "dashboard/", "councillors/", f"cases/{XSS_CASE_ID}/"):
        page.goto(xss.url + url)
        page.wait_for_load_state("load")
        assert page.evaluate("() => window.__xss") is None, url
    expect(page.locator("h1")).to_contain_text(XSS_NAME)
    shot(page, "case-xss")
    # The payload through the search results, which the theme renders in the page.
    page.goto(f"{xss.url}?q=onerror")
    expect(page.locator(".md-search-result__item").first).to_be_visible(timeout=15_000)
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__xss") is None
    assert not watch.dialogs, watch.dialogs
    assert not any(r.rstrip("/").endswith("/x") for r in watch.requests), watch.requests
    assert not watch.errors, watch.errors


def test_every_request_stays_on_the_local_server(xss: Site, watched: tuple[Page, Watch]) -> None:
    """No web fonts, no CDN, nothing outside the site; and no CSP violation on any page."""
    page, watch = watched
    for url in [*PAGE_TYPES.values(), f"cases/{XSS_CASE_ID}/", "?q=managed"]:
        page.goto(xss.url + url)
        page.wait_for_load_state("networkidle")
    assert watch.requests
    outside = [r for r in watch.requests if not r.startswith(xss.url)]
    assert not outside, outside
    assert not watch.errors, watch.errors  # CSP refusals are console errors


def _axe(page: Page) -> list[dict[str, Any]]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(n["target"]) for n in v["nodes"][:5]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", [*PAGE_TYPES, "case"])
def test_no_wcag_22_aa_violations(demo: Site, browser: Browser, name: str) -> None:
    if not AXE.is_file():
        pytest.fail(f"{AXE} missing: run `npm ci` (make test does)", pytrace=False)
    url = PAGE_TYPES.get(name)
    if url is None:
        # The case page with the most to show: a stage 2 case with the call-termination script.
        cases = active_cases(demo)
        scripted = [
            c
            for c in cases
            if "mcr-script" in (demo.root / "public" / "cases" / c[0] / "index.html").read_text()
        ]
        url = f"cases/{(scripted or cases)[0][0]}/"
    # axe is injected by the test, not served by the site: let it past the CSP.
    for width, height, label in ((1280, 900, ""), (390, 844, "-narrow")):
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        try:
            page = context.new_page()
            page.goto(demo.url + url)
            page.wait_for_load_state("networkidle")
            violations = _axe(page)
            assert not violations, f"{name} ({url}) at {width}px:\n{_describe(violations)}"
            if label:
                shot(page, f"{name}{label}")
        finally:
            context.close()


def test_screenshots_of_each_page_type(demo: Site, watched: tuple[Page, Watch]) -> None:
    page, _ = watched
    for name, url in PAGE_TYPES.items():
        page.goto(demo.url + url)
        page.wait_for_load_state("networkidle")
        shot(page, f"page-{name}")
    assert all((ARTIFACTS / f"page-{name}.png").is_file() for name in PAGE_TYPES)


# --- Layout at a desktop and a phone width ---------------------------------------------------

SCREENS = {1280: 800, 390: 844}
"""Viewport widths (and heights) the layout is checked at: a laptop and a phone."""

TEXT_BOX = """(root, text) => {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(text);
    if (at !== -1) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + text.length);
      const r = range.getBoundingClientRect();
      return {x: r.left, y: r.top, width: r.width, height: r.height};
    }
  }
  return null;
}"""
"""Where a piece of text inside an element is drawn (None if it is not there)."""

CLIP_BOX = """el => {
  const scroller = el.closest('.mcr-scroll');
  const r = (scroller || document.documentElement).getBoundingClientRect();
  return {x: r.left, y: r.top, width: r.width, height: r.height};
}"""
"""The box an element is shown through: its table's scrolling region, or the page."""


@contextmanager
def screen(browser: Browser, width: int) -> Iterator[tuple[Page, Watch]]:
    context = browser.new_context(
        viewport={"width": width, "height": SCREENS[width]}, locale="en-GB"
    )
    page = context.new_page()
    watch = Watch()
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    try:
        yield page, watch
    finally:
        context.close()


Box = dict[str, float]


def _inside_across(box: Box | None, width: float, clip: Box) -> bool:
    """Drawn, and within the viewport's width and the box it is shown through."""
    if box is None or box["width"] <= 0 or box["height"] <= 0:
        return False
    left, right = box["x"], box["x"] + box["width"]
    return (
        left >= -0.5
        and right <= width + 0.5
        and left >= clip["x"] - 0.5
        and right <= clip["x"] + clip["width"] + 0.5
    )


def assert_shown(page: Page, root: Any, texts: dict[str, str], where: str) -> None:
    """Each text (by what it is) is drawn inside `root`, with no sideways scrolling needed.

    Messages name what is missing and where, never the text itself (it may be a name)."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    clip: Box = root.evaluate(CLIP_BOX)
    for what, text in texts.items():
        box: Box | None = root.evaluate(TEXT_BOX, text)
        assert _inside_across(box, width, clip), f"{where}: {what} at {width}px: {box}"


def assert_element_shown(page: Page, element: Any, where: str) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    expect(element).to_be_visible()
    box: Box | None = element.bounding_box()
    clip: Box = element.evaluate(CLIP_BOX)
    assert _inside_across(box, width, clip), f"{where} at {width}px: {box}"


def assert_no_sideways_scroll(page: Page, where: str) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert scroll <= inner, f"{where}: the page is {scroll}px wide in a {inner}px window"


def overdue_reviews(site: Site) -> set[str]:
    data = load_site_data(site.root, TODAY, keystore=demo_keys(site.root))
    return {
        cid
        for cid, st in data.statuses.items()
        if st.active and st.next_review_due is not None and st.next_review_due < TODAY
    }


def marking_text(site: Site) -> str:
    data = load_site_data(site.root, TODAY, keystore=demo_keys(site.root))
    return data.policy.settings.protective_marking


def assert_marking_shown(page: Page, marking: str, where: str) -> None:
    """The protective marking is on screen, readable in full, and nothing is drawn over it."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    height = page.viewport_size["height"] if page.viewport_size else 0
    element = page.locator("aside.mcr-marking")
    expect(element).to_have_count(1)
    expect(element).to_be_visible()
    expect(element).to_have_accessible_name("Protective marking")
    expect(element).to_have_text(marking)
    box = element.bounding_box()
    on_screen = (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= width
        and box["y"] + box["height"] <= height
    )
    assert on_screen, f"{where} at {width}px: the marking is at {box}"
    text = page.locator(".mcr-marking__text")
    on_top = page.evaluate(
        """el => {
          const r = el.getBoundingClientRect();
          const points = [[r.left + 2, r.top + 2], [r.left + r.width / 2, r.top + r.height / 2],
                          [r.right - 2, r.bottom - 2]];
          return points.every(([x, y]) => el.contains(document.elementFromPoint(x, y)));
        }""",
        text.element_handle(),
    )
    assert on_top, f"{where} at {width}px: something is drawn over the marking"


@pytest.mark.parametrize("width", sorted(SCREENS, reverse=True))
def test_protective_marking_is_on_screen_on_every_page_type(
    demo: Site, browser: Browser, width: int
) -> None:
    marking = marking_text(demo)
    case_id = active_cases(demo)[0][0]
    pages = {
        **PAGE_TYPES,
        "case": f"cases/{case_id}/",
        "guides": "guides/",
        "reference": "reference/cli/",
        "about": "about/",
        "not-found": "404.html",
    }
    with screen(browser, width) as (page, watch):
        for name, url in pages.items():
            page.goto(demo.url + url)
            assert_marking_shown(page, marking, name)
            header = page.locator("header.md-header").bounding_box()
            marked = page.locator("aside.mcr-marking").bounding_box()
            assert header is not None
            assert marked is not None
            assert header["y"] >= marked["y"] + marked["height"] - 0.5, name
            # The demo says on every page, between the marking and the header, that it is made up.
            banner = page.locator("aside.mcr-demo")
            expect(banner).to_have_count(1)
            expect(banner).to_be_visible()
            expect(banner).to_have_accessible_name("Demo data")
            expect(banner).to_contain_text("Fictional demo data.")
            shown = banner.bounding_box()
            assert shown is not None
            assert shown["y"] >= marked["y"] + marked["height"] - 0.5, name
            assert header["y"] >= shown["y"] + shown["height"] - 0.5, name
            assert shown["x"] >= 0
            assert shown["x"] + shown["width"] <= width, name
        # The search results: a drop-down on a laptop, the whole screen on a phone.
        page.goto(f"{demo.url}?q=managed")
        expect(page.locator(".md-search-result__item").first).to_be_visible(timeout=15_000)
        assert_marking_shown(page, marking, "search results")
        page.wait_for_timeout(300)  # the theme's search opens with a short transition
        # The screen as it is: a whole-page picture misplaces the search's fixed layers.
        shot(page, f"search-{width}", full_page=False)
        assert not watch.errors, watch.errors


@pytest.mark.parametrize("width", sorted(SCREENS, reverse=True))
def test_register_rows_show_case_name_stage_and_overdue_on_screen(
    demo: Site, browser: Browser, width: int
) -> None:
    cases = active_cases(demo)
    overdue = overdue_reviews(demo)
    assert overdue & {c[0] for c in cases}, "the demo register has an overdue active case"
    with screen(browser, width) as (page, watch):
        page.goto(f"{demo.url}register/")
        page.wait_for_load_state("networkidle")
        assert_marking_shown(page, marking_text(demo), "register")
        assert_no_sideways_scroll(page, "register")
        for case_id, name, _, stage in cases:
            link = page.locator(f'a[href$="cases/{case_id}/"]')
            row = page.locator("#register-table tbody tr", has=link)
            expect(row).to_have_count(1)
            assert_shown(
                page,
                row,
                {"case id": case_id, "name": name, "stage": f"Stage {stage}"},
                f"register row {case_id}",
            )
            marker = row.locator(".mcr-overdue")
            if case_id in overdue:
                expect(marker).to_have_text("overdue")
                assert_element_shown(page, marker, f"register row {case_id}: overdue mark")
            else:
                expect(marker).to_have_count(0)
        shot(page, f"register-{width}")
        # The stage filter hides rows (cards, on a phone) as it does in the table.
        page.get_by_label("Stage", exact=True).select_option("2")
        wanted = sum(1 for c in cases if c[3] == 2)
        expect(page.locator("#register-table tbody tr:visible")).to_have_count(wanted)
        assert not watch.errors, watch.errors


@pytest.mark.parametrize("width", sorted(SCREENS, reverse=True))
def test_dashboard_rows_show_case_name_and_overdue_on_screen(
    demo: Site, browser: Browser, width: int
) -> None:
    names = {c[0]: c[1] for c in active_cases(demo)}
    overdue = overdue_reviews(demo)
    with screen(browser, width) as (page, watch):
        page.goto(f"{demo.url}dashboard/")
        page.wait_for_load_state("networkidle")
        assert_marking_shown(page, marking_text(demo), "dashboard")
        assert_no_sideways_scroll(page, "dashboard")
        marked: set[str] = set()
        for table in ("reviews", "monitoring", "deletions", "holds", "challenges"):
            rows = page.locator(f"table#{table} tbody tr")
            for n in range(rows.count()):
                row = rows.nth(n)
                found = re.search(r"MC-\d{4}-\d{4}", row.inner_text())
                assert found, f"{table} row {n}"
                case_id = found.group(0)
                texts = {"case id": case_id}
                if case_id in names:
                    texts["name"] = names[case_id]
                assert_shown(page, row, texts, f"{table} row {case_id}")
                for cell in range(row.locator("td").count()):
                    assert_element_shown(page, row.locator("td").nth(cell), f"{table} {case_id}")
                marker = row.locator(".mcr-overdue")
                if marker.count():
                    assert_element_shown(page, marker, f"{table} row {case_id}: overdue mark")
                    if table == "reviews":
                        marked.add(case_id)
        assert marked == overdue
        shot(page, f"dashboard-{width}")
        assert not watch.errors, watch.errors


@pytest.mark.parametrize("width", sorted(SCREENS, reverse=True))
def test_case_pages_show_name_id_stage_and_overdue_on_screen(
    demo: Site, browser: Browser, width: int
) -> None:
    overdue = overdue_reviews(demo)
    with screen(browser, width) as (page, watch):
        for case_id, name, _, stage in active_cases(demo):
            page.goto(f"{demo.url}cases/{case_id}/")
            assert_marking_shown(page, marking_text(demo), f"case {case_id}")
            assert_no_sideways_scroll(page, f"case {case_id}")
            assert_shown(
                page, page.locator("h1"), {"name": name, "case id": case_id}, f"case {case_id}"
            )
            facts = page.locator("table.mcr-facts")
            stage_row = facts.locator("tr", has=page.locator("th", has_text="Stage"))
            assert_shown(page, stage_row, {"stage": f"stage {stage}"}, f"case {case_id}")
            marker = facts.locator(".mcr-overdue")
            if case_id in overdue:
                assert_element_shown(page, marker, f"case {case_id}: overdue mark")
                shot(page, f"case-{width}")
            else:
                expect(marker).to_have_count(0)
        assert not watch.errors, watch.errors


CHART_TEXT = """svg => [...svg.querySelectorAll('text')].map(t => {
  const scale = svg.getScreenCTM().a;
  const size = parseFloat(getComputedStyle(t).fontSize);
  const b = t.getBBox();
  const s = svg.getBoundingClientRect();
  return {
    kind: t.getAttribute('class'),
    computed: size,
    drawn: size * scale,
    left: b.x * scale, right: (b.x + b.width) * scale, chart: s.width, chartLeft: s.left,
  };
})"""
"""Each text in a chart: its computed font size, the size it is drawn at (the computed size
times the chart's scale), and where it starts and ends across the chart, in screen pixels."""


@pytest.mark.parametrize("width", sorted(SCREENS, reverse=True))
def test_chart_labels_are_at_least_12px(demo: Site, browser: Browser, width: int) -> None:
    with screen(browser, width) as (page, watch):
        page.goto(f"{demo.url}dashboard/")
        charts = page.locator("svg.mcr-chart__svg")
        expect(charts).to_have_count(3)
        for n in range(3):
            texts: list[dict[str, Any]] = charts.nth(n).evaluate(CHART_TEXT)
            assert any(t["kind"] == "mcr-chart__label" for t in texts)
            for t in texts:
                assert t["computed"] >= 12, (n, t)
                assert t["drawn"] >= 12, (n, t)
                # Not cut off by the chart's edge nor the screen's (a glyph such as "(" may
                # reach a pixel left of where its text starts).
                assert t["left"] >= -1.5, (n, t)
                assert t["right"] <= t["chart"], (n, t)
                assert t["chartLeft"] + t["chart"] <= width, (n, t)
        assert not watch.errors, watch.errors
