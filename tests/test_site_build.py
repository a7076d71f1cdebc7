"""The internal site, built for real with MkDocs from the demo register (today: 2026-11-28).

Assertions are on the HTML MkDocs writes, as staff would get it.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sitefixtures import (
    REPO,
    TODAY,
    XSS_ALIAS,
    XSS_BACKTICK,
    XSS_CASE_ID,
    XSS_LINK,
    XSS_NAME,
    XSS_PIPE,
    XSS_SVG,
    XSS_TEMPLATE,
    build,
    copy_register,
    demo_keys,
    xss_register,
)

from managed_contact.cli.main import main
from managed_contact.errors import McrError
from managed_contact.register.lifecycle import derive
from managed_contact.register.policy import PROTECTIVE_MARKING, Settings
from managed_contact.register.snapshot import load_register
from managed_contact.site import pages
from managed_contact.site.build import SiteBuildError, build_site
from managed_contact.site.mkdocs_plugin import expand_folders
from managed_contact.site.pages import load_site_data, page_url, relative_url


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo register, built once for this module."""
    root = copy_register(tmp_path_factory.mktemp("demo"))
    build(root)
    return root


@pytest.fixture(scope="module")
def xss(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = xss_register(tmp_path_factory.mktemp("xss"))
    build(root)
    return root


def html(root: Path, url: str) -> str:
    return (root / "public" / url / "index.html").read_text(encoding="utf-8")


def article(page: str) -> str:
    """The page's content, without the theme's navigation and header."""
    start = page.index('<article class="md-content__inner md-typeset">')
    return page[start : page.index("</article>", start)]


def text_of(fragment: str) -> str:
    """The text a browser would show: tags dropped, entities decoded, whitespace collapsed."""

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []

        def handle_data(self, data: str) -> None:
            self.parts.append(data)

    parser = Text()
    parser.feed(fragment)
    return " ".join(" ".join(parser.parts).split())


def demo_statuses() -> dict[str, tuple[str, str, list[str]]]:
    """Each demo case: (state, customer name, aliases), derived by the core, not by the site."""
    register, _ = load_register(REPO, keys=demo_keys(REPO).get)
    assert register.policy is not None
    return {
        c.case.id: (
            derive(c.case, register.policy, TODAY).state,
            c.case.customer.name,
            list(c.case.customer.aliases),
        )
        for c in register.cases
    }


def test_generated_pages_are_not_written_into_the_docs_dir(demo: Path) -> None:
    site = demo / "site"
    assert not (site / "register.md").exists()
    assert not (site / "cases").exists()
    assert not (site / "policy").exists()
    for url in ("register", "dashboard", "councillors", "policy", "guides", "about"):
        assert (demo / "public" / url / "index.html").is_file(), url


def test_register_lists_active_cases_only(demo: Path) -> None:
    statuses = demo_statuses()
    page = article(html(demo, "register"))
    table = page[page.index("<table") : page.index("</table>")]
    active = {cid: v for cid, v in statuses.items() if v[0] in ("stage-1", "stage-2")}
    dormant = {cid: v for cid, v in statuses.items() if v[0] == "dormant"}
    assert active, "the demo register has active cases"
    assert dormant, "the demo register has dormant cases"
    for case_id, (state, name, _) in active.items():
        assert f'href="../cases/{case_id}/"' in table
        assert name in table
        row = table[table.index(f'href="../cases/{case_id}/"') :]
        row = row[: row.index("</tr>")]
        assert f"Stage {state[-1]}" in row
    for case_id, (_, name, _) in dormant.items():
        assert case_id not in page
        assert name not in page
    assert f"{len(dormant)} dormant (closed) case" in text_of(page)
    assert table.count("<tr data-stage=") == len(active)
    headers = re.findall(r'<th scope="col">([^<]+)</th>', table)
    assert headers == [
        "Case",
        "Customer",
        "Stage",
        "Services",
        "Scope",
        "Main measures",
        "Single point of contact",
        "Next review",
    ]


def test_a_page_per_active_case_and_none_for_dormant(demo: Path) -> None:
    for case_id, (state, name, aliases) in demo_statuses().items():
        path = demo / "public" / "cases" / case_id / "index.html"
        if state in ("stage-1", "stage-2"):
            page = text_of(article(path.read_text(encoding="utf-8")))
            assert name in page
            assert all(alias in page for alias in aliases)
            for heading in (
                "If the customer phones",
                "If the customer emails",
                "If the customer visits",
                "Single point of contact",
                "Allowed channel",
                "In place since",
                "Councillors",
            ):
                assert heading in page, (case_id, heading)
        else:
            assert not path.exists(), case_id


def test_case_pages_keep_the_evidence_with_customer_relations(demo: Path) -> None:
    """Data minimisation: nothing marked personal other than the name and aliases, no
    incidents, reasons, business case, opinions or considerations."""
    register, _ = load_register(demo)
    assert register.policy is not None
    checked = 0
    for loaded in register.cases:
        case = loaded.case
        path = demo / "public" / "cases" / case.id / "index.html"
        if not path.exists():
            continue
        checked += 1
        page = text_of(path.read_text(encoding="utf-8"))
        secrets = [case.customer.address, case.customer.email, case.customer.phone]
        secrets += [case.customer.reference]
        secrets += [i.account for i in case.incidents]
        secrets += [o.text for i in case.incidents for o in i.opinions]
        secrets += [a.description for a in case.adjustments]
        secrets += [r.description for r in case.resolution_attempts]
        secrets += [d.reason for d in case.decisions]
        secrets += [d.extreme_reason for d in case.decisions]
        secrets += [d.business_case.summary for d in case.decisions if d.business_case]
        secrets += [r.considerations for r in case.reviews]
        secrets += [c.grounds for c in case.challenges]
        secrets += [a.summary for a in case.activity]
        for secret in secrets:
            if secret:
                needle = " ".join(secret.split())[:60]
                assert needle not in page, (case.id, needle)
    assert checked


def test_case_page_fills_front_line_text_from_the_catalogue(demo: Path) -> None:
    """Every placeholder in a measure's `front_line` is filled from the case."""
    for path in (demo / "public" / "cases").glob("*/index.html"):
        page = text_of(article(path.read_text(encoding="utf-8")))
        assert not re.search(r"\{[a-z_]+\}", page), path


def test_call_termination_script_is_shown_where_it_applies(demo: Path) -> None:
    register, _ = load_register(demo)
    assert register.policy is not None
    found = 0
    for loaded in register.cases:
        status = derive(loaded.case, register.policy, TODAY)
        if not status.active:
            continue
        page = html(demo, f"cases/{loaded.case.id}")
        uses = any(m.measure == "call-termination" for m in status.measures)
        assert ('class="mcr-script"' in page) == uses, loaded.case.id
        if uses:
            found += 1
            assert "I am sorry, I am not able to take your call." in page
    assert found, "the demo register has a stage 2 case with call termination"


def test_dashboard_lists_the_overdue_review(demo: Path) -> None:
    data = load_site_data(demo, TODAY, keystore=demo_keys(demo))
    overdue = [
        cid
        for cid, st in data.statuses.items()
        if st.active and st.next_review_due is not None and st.next_review_due < TODAY
    ]
    assert overdue, "the demo register has an overdue review"
    page = article(html(demo, "dashboard"))
    reviews = page[page.index('<table id="reviews">') :]
    reviews = reviews[: reviews.index("</table>")]
    for case_id in overdue:
        row = reviews[reviews.index(case_id) :]
        row = row[: row.index("</tr>")]
        assert "overdue" in row
    for heading in (
        "Reviews due",
        "Monitoring periods ending",
        "Deletions due",
        "Legal holds",
        "Open challenges",
        "Counts",
    ):
        assert f">{heading}</h2>" in page
    assert page.count("<svg") == 3
    assert 'role="img"' in page


def test_home_page_shows_overdue_items_and_a_search_box(demo: Path) -> None:
    page = article(html(demo, ""))
    assert 'role="search"' in page
    assert 'id="home-search"' in page
    # The box has no name: nothing a person types can be submitted into a URL.
    assert 'name="q"' not in page
    overdue = page[page.index('id="overdue"') :]
    assert "MC-2026-0001" in overdue
    assert "Review due" in text_of(overdue)
    assert "Right to challenge: on" in text_of(page)


def test_policy_page_is_part_a_with_the_right_to_challenge_setting(demo: Path) -> None:
    page = article(html(demo, "policy"))
    part_a = (demo / "policy" / "part-a.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#{2,3} (.+)$", part_a, flags=re.MULTILINE)
    assert headings
    for heading in headings:
        assert text_of(heading) in text_of(page)
    assert "<h1" in page
    assert "PART A: Published Policy" in page
    assert "Right to challenge: on" in text_of(page)


def test_right_to_challenge_off_is_stated(tmp_path: Path) -> None:
    root = copy_register(tmp_path)
    settings = root / "policy" / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("right_to_challenge: true", "right_to_challenge: false"))
    # Letters must then state there is no right of appeal; the site only needs the policy to
    # load, so the demo's letters are not rewritten here.
    build(root)
    assert "Right to challenge: off" in text_of(article(html(root, "policy")))
    assert "no right of appeal" in text_of(article(html(root, "")))


def test_councillors_page_lists_choices(demo: Path) -> None:
    data = load_site_data(demo, TODAY, keystore=demo_keys(demo))
    page = text_of(article(html(demo, "councillors")))
    names = {p.id: p.name for p in data.policy.people.people}
    for case in data.active:
        for choice in case.councillors:
            assert names[choice.councillor] in page
            assert case.id in page


def test_case_pages_are_out_of_the_navigation(demo: Path) -> None:
    page = html(demo, "register")
    nav = page[page.index('<nav class="md-nav md-nav--primary"') :]
    nav = nav[: nav.index('<div class="md-content"')]
    assert "cases/MC-" not in nav
    for label in ("Register", "Dashboard", "Councillors", "Customer Relations guides"):
        assert label in nav


def test_search_index_finds_cases_by_name_alias_and_id(demo: Path) -> None:
    index = json.loads((demo / "public" / "search" / "search_index.json").read_text())
    by_location: dict[str, str] = {}
    for doc in index["docs"]:
        page = doc["location"].split("#")[0]
        by_location[page] = by_location.get(page, "") + " " + doc["title"] + " " + doc["text"]
    for case_id, (state, name, aliases) in demo_statuses().items():
        text = by_location.get(f"cases/{case_id}/", "")
        if state in ("stage-1", "stage-2"):
            assert case_id in text
            assert name in text
            assert all(alias in text for alias in aliases)
        else:
            assert not text
            assert all(name not in t for t in by_location.values()), name


def test_no_request_leaves_the_site(demo: Path) -> None:
    """No web fonts, no CDN: every src and href in every page is local (or mailto)."""
    attribute = re.compile(r'\b(?:src|href)="([^"]*)"')
    for path in (demo / "public").rglob("*.html"):
        for url in attribute.findall(path.read_text(encoding="utf-8")):
            assert not re.match(r"(?i)(https?:)?//", url), (path, url)
    for path in (demo / "public").rglob("*.css"):
        assert "fonts.googleapis" not in path.read_text(encoding="utf-8")


def test_no_inline_script_in_any_page(demo: Path) -> None:
    """The site runs under `script-src 'self'`: scripts are files, never inline or handlers."""
    for path in (demo / "public").rglob("*.html"):
        page = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", page, flags=re.DOTALL):
            attributes, body = match.groups()
            assert "src=" in attributes or 'type="application/json"' in attributes, path
            assert not body.strip() or 'type="application/json"' in attributes, path
        assert not re.search(r"<[^>]+\son[a-z]+=", page), path


MARKING = re.compile(
    r'<aside class="mcr-marking" aria-label="Protective marking">\s*'
    r'<p class="mcr-marking__text">(.*?)</p>\s*</aside>',
    flags=re.DOTALL,
)
"""The protective marking as site/overrides/main.html writes it, above the theme's header."""


def markings(page: str) -> list[str]:
    """The text of each protective marking on a page, as a browser shows it."""
    return [text_of(found) for found in MARKING.findall(page)]


def test_every_page_carries_the_protective_marking(demo: Path) -> None:
    data = load_site_data(demo, TODAY, keystore=demo_keys(demo))
    marking = data.policy.settings.protective_marking
    assert marking == "OFFICIAL-SENSITIVE: personal data, for council staff only"
    built = {p.relative_to(demo / "public").as_posix() for p in (demo / "public").rglob("*.html")}
    for kind in (
        "index.html",
        "404.html",
        "about/index.html",
        "policy/index.html",
        "register/index.html",
        "dashboard/index.html",
        "councillors/index.html",
        "guides/index.html",
        "guides/record-a-decision/index.html",
        "reference/cli/index.html",
        "cases/MC-2026-0001/index.html",
    ):
        assert kind in built, kind
    for url in sorted(built):
        page = (demo / "public" / url).read_text(encoding="utf-8")
        assert markings(page) == [marking], url
        # Before the theme's header, so the sticky header never covers it.
        assert page.index('class="mcr-marking"') < page.index('<header class="md-header'), url


DEMO_BANNER = re.compile(
    r'<aside class="mcr-demo" aria-label="Demo data">\s*<p class="mcr-demo__text">(.*?)</p>',
    flags=re.DOTALL,
)


def test_every_page_of_the_demo_says_its_data_is_fictional(demo: Path) -> None:
    assert load_site_data(demo, TODAY, keystore=demo_keys(demo)).policy.settings.demo
    built = sorted((demo / "public").rglob("*.html"))
    assert len(built) > 20
    for path in built:
        page = path.read_text(encoding="utf-8")
        [banner] = DEMO_BANNER.findall(page)
        assert text_of(banner).startswith("Fictional demo data."), path
        assert page.index('class="mcr-demo"') < page.index('<header class="md-header'), path


def test_a_register_not_marked_as_demo_has_no_banner(tmp_path: Path) -> None:
    root = copy_register(tmp_path)
    settings = root / "policy" / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    assert "\ndemo: true\n" in text
    settings.write_text(text.replace("\ndemo: true\n", "\ndemo: false\n"), encoding="utf-8")
    build(root)
    built = list((root / "public").rglob("*.html"))
    assert built
    for path in built:
        page = path.read_text(encoding="utf-8")
        assert 'class="mcr-demo"' not in page, path
        assert "Fictional demo data" not in page, path


def test_the_site_is_built_with_the_keys(demo: Path) -> None:
    """Every name shows where it belongs, and no sealed value reaches any file of the site."""
    for path in (demo / "public").rglob("*"):
        if path.suffix in (".html", ".json", ".xml", ".txt"):
            assert "ENC[mcr1" not in path.read_text(encoding="utf-8"), path
            assert "[sealed " not in path.read_text(encoding="utf-8"), path
    register = html(demo, "register")
    active = [
        (cid, name) for cid, (state, name, _) in demo_statuses().items() if state != "dormant"
    ]
    assert active
    for case_id, name in active:
        if demo_statuses()[case_id][0] in ("stage-1", "stage-2"):
            assert name in register, case_id
            assert name in html(demo, f"cases/{case_id}"), case_id


@pytest.mark.parametrize("keystore", ["empty", "none"])
def test_building_without_the_keys_stops_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keystore: str
) -> None:
    root = copy_register(tmp_path / "register")
    args = ["build", "--register", str(root)]
    if keystore == "empty":
        (tmp_path / "keys").mkdir()
        args += ["--keystore", str(tmp_path / "keys")]
        expected = f"the keystore {tmp_path / 'keys'} has no key for 15 of them"
    else:  # not the demo, and no keystore anywhere: not in git, no $MCR_KEYSTORE
        monkeypatch.delenv("MCR_KEYSTORE")
        settings = root / "policy" / "settings.yaml"
        text = settings.read_text(encoding="utf-8")
        settings.write_text(text.replace("\ndemo: true\n", "\n"), encoding="utf-8")
        expected = "no keystore was found"
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "never published with placeholders" in result.output
    assert "--keystore" in result.output
    for name in ("Kettleby", "Pellow", "Lowndes"):
        assert name not in result.output
    assert not (root / "public" / "register").exists()


def test_a_case_without_its_key_stops_the_build(tmp_path: Path) -> None:
    root = copy_register(tmp_path)
    (root / "demo-keystore" / "keys" / "MC-2026-0004.mcrkey").unlink()
    with pytest.raises(McrError, match=r"has no key for 1 of them \(MC-2026-0004\)"):
        build(root)


def test_the_personal_data_page_says_what_is_held_why_how_long_and_who_sees_it(
    demo: Path,
) -> None:
    page = article(html(demo, "personal-data"))
    shown = text_of(page)
    for heading in ("Why it is held", "What is held", "Who sees it", "How long it is kept"):
        assert f">{heading}</h2>" in page
    fields = pages.personal_fields()
    assert {"customer.name", "incidents[].account", "corrections[].reason"} <= {
        f.path for f in fields
    }
    for field in fields:
        assert f"<code>{field.path}</code>" in page, field.path
    assert {f.path for f in fields if f.shown_on == "case page"} == pages.SHOWN_ON_CASE_PAGES
    assert {f.path for f in fields if f.shown_on == "dashboard"} == pages.SHOWN_ON_DASHBOARD
    months = yaml.safe_load((REPO / "policy" / "periods.yaml").read_text(encoding="utf-8"))
    retention = months["dormant_retention_months"]
    assert f"deleted {retention} months after it went dormant" in shown
    assert "shreds its key" in shown
    assert "To be completed from the council's record of processing" in shown
    assert "Lawful basis (Article 6): [" in shown
    nav = html(demo, "")
    assert "personal-data/" in nav[nav.index('<nav class="md-nav md-nav--primary"') :]


def test_the_personal_data_page_follows_the_retention_period(tmp_path: Path) -> None:
    root = copy_register(tmp_path)
    periods = root / "policy" / "periods.yaml"
    text = periods.read_text(encoding="utf-8")
    periods.write_text(
        text.replace("dormant_retention_months: 12", "dormant_retention_months: 18"),
        encoding="utf-8",
    )
    build(root)
    shown = text_of(article(html(root, "personal-data")))
    assert "deleted 18 months after it went dormant" in shown


def test_the_protective_marking_is_escaped(tmp_path: Path) -> None:
    root = copy_register(tmp_path)
    settings = root / "policy" / "settings.yaml"
    marking = '<script>window.__xss=1</script> & <b>"OFFICIAL"</b>'
    text = settings.read_text(encoding="utf-8")
    changed = re.sub(
        r"^protective_marking: .*$",
        f"protective_marking: {json.dumps(marking)}",
        text,
        flags=re.MULTILINE,
    )
    assert changed != text
    settings.write_text(changed, encoding="utf-8")
    build(root)
    pages_built = list((root / "public").rglob("*.html"))
    assert pages_built
    for path in pages_built:
        page = path.read_text(encoding="utf-8")
        assert "<script>window.__xss" not in page, path
        assert "<b>" not in page, path
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt; &amp; &lt;b&gt;" in page, path
        assert markings(page) == [marking], path


def test_the_protective_marking_has_a_default() -> None:
    data = yaml.safe_load((REPO / "policy" / "settings.yaml").read_text(encoding="utf-8"))
    assert data.pop("protective_marking") == PROTECTIVE_MARKING
    assert Settings.model_validate(data).protective_marking == PROTECTIVE_MARKING


def test_xss_payloads_render_as_text(xss: Path) -> None:
    page = html(xss, f"cases/{XSS_CASE_ID}")
    content = article(page)
    shown = text_of(content)
    for payload in (
        XSS_NAME,
        XSS_ALIAS,
        XSS_TEMPLATE,
        XSS_PIPE,
        XSS_BACKTICK,
        XSS_LINK,
        XSS_SVG,
    ):
        assert payload in shown, payload
    for raw in ("<img src=x", "<script>window", "<svg onload", "<script>alert"):
        assert raw not in page, raw
    assert "javascript:" not in re.findall(r'href="([^"]*)"', page)
    assert "49" not in shown
    assert "<code>rm -rf /</code>" not in content
    # The data the page must not show, even when a field tries to break out of its element.
    for secret in ("SECRET-ACCOUNT", "SECRET-REASON", "SECRET-ADJUSTMENT", "1 Secret Street"):
        assert secret not in page


def test_xss_payloads_break_no_table(xss: Path) -> None:
    register = article(html(xss, "register"))
    table = register[register.index("<tbody>") : register.index("</tbody>")]
    for row in re.findall(r"<tr data-stage=.*?</tr>", table, flags=re.DOTALL):
        assert len(re.findall(r"<td[ >]", row)) == 8, row
    assert XSS_NAME in text_of(table)
    dashboard = article(html(xss, "dashboard"))
    assert "<img src=x" not in dashboard
    assert XSS_NAME in text_of(dashboard)  # the legal hold's reference
    councillors = article(html(xss, "councillors"))
    assert "<img src=x" not in councillors
    assert XSS_NAME in text_of(councillors)
    for path in (xss / "public").rglob("*.html"):
        page = path.read_text(encoding="utf-8")
        assert "<img src=x" not in page, path
        assert "onerror=alert" not in page.replace("&lt;img src=x onerror=alert(1)&gt;", ""), path


def test_xss_payloads_are_escaped_in_the_search_index(xss: Path) -> None:
    index = (xss / "public" / "search" / "search_index.json").read_text(encoding="utf-8")
    docs = json.loads(index)["docs"]
    for doc in docs:
        assert "<img" not in doc["title"] + doc["text"]
        assert "<script" not in doc["title"] + doc["text"]


def test_a_new_guide_joins_the_navigation(tmp_path: Path) -> None:
    root = copy_register(tmp_path)
    guide = root / "site" / "guides" / "approving.md"
    guide.unlink(missing_ok=True)
    build(root)
    assert "guides/approving/" not in html(root, "")
    guide.write_text("# Approve a merge request\n\nSign the commit.\n", encoding="utf-8")
    shutil.rmtree(root / "public")
    build(root)
    assert "Approve a merge request" in html(root, "guides")


def test_a_case_that_does_not_load_stops_the_build(tmp_path: Path) -> None:
    root = copy_register(tmp_path)
    (root / "cases" / "MC-2026-0998.yaml").write_text("id: MC-2026-0998\nbogus: 1\n")
    with pytest.raises(SiteBuildError, match="MC-2026-0998"):
        build(root)


def test_two_files_with_one_case_id_stop_the_build(tmp_path: Path) -> None:
    root = copy_register(tmp_path)
    original = (root / "cases" / "MC-2026-0001.yaml").read_text()
    (root / "cases" / "MC-2026-0099.yaml").write_text(original)
    with pytest.raises(SiteBuildError, match="2 case files carry the id MC-2026-0001"):
        build(root)


@pytest.mark.parametrize("target", ["cases", "policy", ".", "..", "stray"])
def test_the_build_never_empties_a_folder_that_is_not_an_earlier_build(
    tmp_path: Path, target: str
) -> None:
    root = copy_register(tmp_path / "register")
    (root / "stray").mkdir()
    (root / "stray" / "notes.txt").write_text("keep me")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(McrError, match="cannot build the site into"):
        build_site(root, root / target, TODAY)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_an_earlier_build_is_rebuilt_in_place(tmp_path: Path) -> None:
    root = copy_register(tmp_path)
    build(root)
    (root / "public" / "stale.html").write_text("old")
    build(root)
    assert not (root / "public" / "stale.html").exists()
    assert (root / "public" / "index.html").is_file()


def test_a_warning_fails_the_build(tmp_path: Path) -> None:
    root = copy_register(tmp_path)
    (root / "site" / "broken.md").write_text("# Broken\n\n[missing](nowhere.md)\n")
    with pytest.raises(SiteBuildError, match="strict"):
        build(root)


def test_mcr_build_reads_today(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MCR_KEYSTORE")  # the demo register's own keystore is found
    root = copy_register(tmp_path)
    result = CliRunner().invoke(
        main, ["build", "--register", str(root), "--today", "2026-11-28"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "28 November 2026" in html(root, "dashboard")
    result = CliRunner().invoke(
        main,
        ["build", "--register", str(root), "--output", str(tmp_path / "out")],
        env={"MCR_TODAY": "2027-01-15"},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert "15 January 2027" in page


@pytest.mark.parametrize(
    ("src", "url"),
    [
        ("index.md", ""),
        ("register.md", "register/"),
        ("policy/index.md", "policy/"),
        ("cases/MC-2026-0001.md", "cases/MC-2026-0001/"),
    ],
)
def test_page_url(src: str, url: str) -> None:
    assert page_url(src) == url


@pytest.mark.parametrize(
    ("here", "there", "link"),
    [
        ("index.md", "register.md", "register/"),
        ("index.md", "cases/MC-2026-0001.md", "cases/MC-2026-0001/"),
        ("register.md", "cases/MC-2026-0001.md", "../cases/MC-2026-0001/"),
        ("cases/MC-2026-0001.md", "register.md", "../../register/"),
        ("policy/index.md", "index.md", "../"),
        ("register.md", "register.md", "./"),
    ],
)
def test_relative_url(here: str, there: str, link: str) -> None:
    assert relative_url(here, there) == link


def test_relative_url_without_directory_urls() -> None:
    assert relative_url("register.md", "cases/MC-2026-0001.md", False) == (
        "cases/MC-2026-0001.html"
    )


def test_expand_folders(tmp_path: Path) -> None:
    (tmp_path / "guides").mkdir()
    for name in ("index.md", "a.md", "b.md"):
        (tmp_path / "guides" / name).write_text("# x\n")
    nav = [{"Home": "index.md"}, {"Guides": ["guides/index.md", "guides/b.md", "guides/"]}]
    assert expand_folders(nav, tmp_path) == [
        {"Home": "index.md"},
        {"Guides": ["guides/index.md", "guides/b.md", "guides/a.md"]},
    ]


def test_today_matters(tmp_path: Path) -> None:
    """A year later, the demo's active cases' reviews are all overdue on the home page."""
    root = copy_register(tmp_path)
    build(root, date(2027, 11, 28))
    assert "Overdue:" in text_of(article(html(root, "")))


def test_parallel_loading_matches_sequential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_register(tmp_path)
    sequential = load_site_data(root, TODAY, keystore=demo_keys(root))
    monkeypatch.setattr(pages, "PARALLEL_FROM", 1)
    parallel = load_site_data(root, TODAY, workers=2, keystore=demo_keys(root))
    assert parallel.cases == sequential.cases
    assert parallel.statuses.keys() == sequential.statuses.keys()
    assert parallel.deleted == sequential.deleted


def test_reference_pages_are_generated_from_the_code(demo: Path) -> None:
    from managed_contact.changes.check import ALL_RULES
    from managed_contact.cli.main import main

    cli_page = html(demo, "reference/cli/")
    for name in main.commands:
        assert f"mcr {name}" in cli_page
    rules_page = html(demo, "reference/rules/")
    for rule_id in ALL_RULES:
        assert f"<td>{rule_id}</td>" in rules_page


def test_the_rules_page_lists_the_council_s_choices_as_this_register_makes_them(
    demo: Path,
) -> None:
    from managed_contact.register.policy import Choices

    rules_page = html(demo, "reference/rules/")
    assert "The council&rsquo;s choices" in rules_page or "The council's choices" in rules_page
    for name in Choices.model_fields:
        assert f"<code>choices.{name}</code>" in rules_page
    rows = re.findall(r"<tr>(.*?)</tr>", rules_page, re.DOTALL)
    (row,) = [r for r in rows if "choices.monitoring_may_be_shorter" in r]
    cells = re.findall(r"<td>(.*?)</td>", row, re.DOTALL)
    assert cells[1:3] == ["No", "No"]
    assert cells[0].startswith("May a stage 1 monitoring period be shorter")


def test_no_page_gives_two_elements_one_id(demo: Path) -> None:
    """A heading's id (made from its words) and a table's must differ: links, the browser
    tests and assistive technology find an element by its id."""
    twice = {}
    for page in sorted((demo / "public").rglob("*.html")):
        ids = re.findall(r'\sid="([^"]+)"', page.read_text(encoding="utf-8"))
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            twice[page.relative_to(demo / "public").as_posix()] = repeated
    assert twice == {}
