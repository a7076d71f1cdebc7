"""`mcr report`: the committee figures for the demo register match figures this test works out
on its own from the case files and the deletion log (not with the code under test), deleted
cases included; small counts are never shown, in the report or on the site."""

from __future__ import annotations

import calendar
import csv
import io
import re
import shutil
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sitefixtures import REPO, build, copy_register, demo_keys

from managed_contact.cli.main import main
from managed_contact.documents.figures import shown_group
from managed_contact.register.snapshot import load_register

TODAY = date(2026, 11, 28)
#: Erased in the fixture: a dormant case and one at stage 2 (after an escalating review).
DORMANT, ERASED = "MC-2025-0002", "MC-2025-0005"
REVIEW_MONTHS = MONITORING_MONTHS = 6  # policy/periods.yaml, checked below


def mcr(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--register", str(root), "--today", str(TODAY)])
    return result.exit_code, result.stdout, result.stderr


def set_threshold(root: Path, threshold: int) -> None:
    settings = root / "policy" / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    text = re.sub(
        r"^small_count_threshold: .*$",
        f"small_count_threshold: {threshold}",
        text,
        flags=re.MULTILINE,
    )
    settings.write_text(text, encoding="utf-8")


def yaml_of(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The two cases as they were before the fixture deleted them."""
    return {c: yaml_of(REPO / "cases" / f"{c}.yaml") for c in (DORMANT, ERASED)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo register with two more cases deleted by `mcr delete`, and its site built."""
    root = copy_register(tmp_path_factory.mktemp("figures"))
    for case_id in (DORMANT, ERASED):
        code, _, err = mcr(
            root, "delete", case_id, "--reason", "erasure", "--approved-by", "amara-okafor"
        )
        assert code == 0, err
    build(root, TODAY)
    return root


@pytest.fixture
def exact(demo: Path, tmp_path: Path) -> Path:
    """The same register with a threshold of 1: every count shown, to compare."""
    root = tmp_path / "exact"
    shutil.copytree(demo / "cases", root / "cases")
    shutil.copytree(demo / "policy", root / "policy")
    set_threshold(root, 1)
    return root


# --- The test's own figures ---------------------------------------------------------------


def plus_months(day: date, months: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass
class Own:
    """What this test works out for one case: event dates, (first, last) spans for deleted."""

    services: list[str]
    conduct: list[str]
    opened: tuple[date, date]
    escalated: list[tuple[date, date]] | None
    closed: list[tuple[date, date]] | None
    deleted: date | None
    stays: list[tuple[str, tuple[date, date], int]] | None  # state, ended span, days
    running: list[tuple[str, date]]  # live stays still running: state, began
    reviews: list[tuple[tuple[date, date], bool]] | None
    challenges: list[tuple[tuple[date, date], str]] | None


def month_span(text: str) -> tuple[date, date]:
    year, month = int(text[:4]), int(text[5:7])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def day_span(day: date) -> tuple[date, date]:
    return day, day


def replay(case: dict[str, Any]) -> Own:
    """The case's moves, replayed from its YAML: decisions, reviews and upheld challenges."""
    events: list[tuple[date, int, str, dict[str, Any]]] = []
    for d in case.get("decisions", []):
        events.append((as_date(d["date"]), 1, "decision", d))
    for r in case.get("reviews", []):
        events.append((as_date(r["date"]), 0 if r["outcome"] == "escalate" else 2, "review", r))
    for c in case.get("challenges", []):
        if c.get("outcome") == "upheld":
            events.append((as_date(c["decided"]), 3, "upheld", c))
    events.sort(key=lambda e: (e[0], e[1]))
    state, since = "new", None
    anchor: date | None = None
    expires: date | None = None
    stays: list[tuple[str, date, date]] = []
    reviews: list[tuple[date, bool]] = []

    def move(to: str, day: date) -> None:
        nonlocal state, since
        if to == state:
            return
        if state != "new":
            assert since is not None
            stays.append((state, since, day))
        state, since = to, day

    def due() -> date:
        assert anchor is not None
        limit = plus_months(anchor, REVIEW_MONTHS)
        return min(limit, expires) if expires is not None else limit

    for day, _, kind, entry in events:
        if kind == "decision":
            move(f"stage-{entry['stage']}", day)
            expires = (
                as_date(entry["expires"])
                if entry.get("expires")
                else plus_months(day, MONITORING_MONTHS)
                if entry["stage"] == 1
                else None
            )
            anchor = day
        elif kind == "review":
            reviews.append((due(), day <= due()))
            anchor = day
            if entry["outcome"] == "close":
                move("dormant", day)
                expires = None
            elif entry["outcome"] == "continue":
                if entry.get("stage"):
                    move(f"stage-{entry['stage']}", day)
                expires = as_date(entry["extend_to"]) if entry.get("extend_to") else None
        else:
            move("dormant", day)
            expires = None
    if state in ("stage-1", "stage-2") and due() < TODAY:
        reviews.append((due(), False))
    services = list(
        dict.fromkeys(
            [*case["scope"]["services"], *(i["service"] for i in case.get("incidents", []))]
        )
    )
    conduct = list(
        dict.fromkeys(
            [c for i in case.get("incidents", []) for c in i["categories"]]
            + [c for d in case.get("decisions", []) for c in d["conduct"]]
        )
    )
    running = [(state, since)] if state != "new" and since is not None else []
    return Own(
        services=services,
        conduct=conduct,
        opened=day_span(as_date(case["opened"])),
        escalated=[day_span(b) for s, b, _ in stays if s == "stage-2"]
        + [day_span(b) for s, b in running if s == "stage-2"],
        closed=[day_span(b) for s, b, _ in stays if s == "dormant"]
        + [day_span(b) for s, b in running if s == "dormant"],
        deleted=None,
        stays=[(s, day_span(e), (e - b).days) for s, b, e in stays],
        running=running,
        reviews=[(day_span(d), ok) for d, ok in reviews],
        challenges=[
            (day_span(as_date(c["received"])), c.get("outcome") or "undecided")
            for c in case.get("challenges", [])
        ],
    )


def from_record(record: dict[str, Any]) -> Own:
    """A deleted case, from its record in cases/deletions.yaml."""
    stats = record["statistics"]
    opened = (
        month_span(stats["opened_month"])
        if "opened_month" in stats
        else (date(stats["opened_year"], 1, 1), date(stats["opened_year"], 12, 31))
    )
    stays = stats.get("stays")
    return Own(
        services=stats["services"],
        conduct=stats["conduct"],
        opened=opened,
        escalated=None
        if stays is None
        else [month_span(s["began"]) for s in stays if s["state"] == "stage-2"],
        closed=None
        if stays is None
        else [month_span(s["began"]) for s in stays if s["state"] == "dormant"],
        deleted=as_date(record["deleted"]),
        stays=None
        if stays is None
        else [(s["state"], month_span(s["ended"]), s["days"]) for s in stays],
        running=[],
        reviews=None
        if "reviews" not in stats
        else [(month_span(r["due"]), r["on_time"]) for r in stats["reviews"]],
        challenges=None
        if "challenges" not in stats
        else [(month_span(c["received"]), c["outcome"]) for c in stats["challenges"]],
    )


def everything(root: Path) -> list[Own]:
    cases = [yaml_of(p) for p in sorted((root / "cases").glob("MC-*.yaml"))]
    log = yaml_of(root / "cases" / "deletions.yaml")["deletions"]
    return [replay(c) for c in cases] + [from_record(r) for r in log]


def inside(span: tuple[date, date], start: date, end: date) -> bool:
    return start <= span[0] and span[1] <= end


def expected(root: Path, start: date, end: date) -> dict[tuple[str, str, str], str]:
    """(figure, breakdown, key) → value, as the CSV should give it with nothing suppressed."""
    out: dict[tuple[str, str, str], str] = {}
    every = everything(root)
    for figure in ("opened", "escalated", "closed", "deleted"):
        counted: list[Own] = []
        unrecorded = 0
        for own in every:
            if figure == "opened":
                spans = [own.opened]
            elif figure == "deleted":
                spans = [day_span(own.deleted)] if own.deleted else []
            else:
                found = own.escalated if figure == "escalated" else own.closed
                if found is None:
                    unrecorded += 1
                    continue
                spans = found
            if any(inside(s, start, end) for s in spans):
                counted.append(own)
        out[(figure, "total", "")] = str(len(counted))
        for own in counted:
            for s in own.services:
                key = (figure, "service", s)
                out[key] = str(int(out.get(key, "0")) + 1)
            for c in own.conduct:
                key = (figure, "conduct", c)
                out[key] = str(int(out.get(key, "0")) + 1)
        if unrecorded:
            out[(figure, "note", "unrecorded")] = str(unrecorded)
    due = [ok for own in every for span, ok in own.reviews or [] if inside(span, start, end)]
    out[("reviews", "total", "due")] = str(len(due))
    out[("reviews", "outcome", "on-time")] = str(sum(due))
    out[("reviews", "outcome", "late")] = str(len(due) - sum(due))
    out[("reviews", "percent", "on-time")] = f"{100 * sum(due) / len(due):.0f}%" if due else "-"
    received = [o for own in every for span, o in own.challenges or [] if inside(span, start, end)]
    out[("challenges", "total", "received")] = str(len(received))
    for outcome in ("upheld", "varied", "not-upheld", "undecided"):
        out[("challenges", "outcome", outcome)] = str(received.count(outcome))
    for state in ("stage-1", "stage-2", "dormant"):
        days = [
            d
            for own in every
            for s, span, d in own.stays or []
            if s == state and inside(span, start, end)
        ]
        out[("stages", "ended", state)] = str(len(days))
        out[("stages", "median-days", state)] = f"{statistics.median(days):g}" if days else "-"
    return out


def report_csv(root: Path, start: str, end: str) -> dict[tuple[str, str, str], str]:
    code, out, err = mcr(root, "report", "--from", start, "--to", end, "--format", "csv")
    assert code == 0, err
    return {
        (r["figure"], r["breakdown"], r["key"]): r["value"]
        for r in csv.DictReader(io.StringIO(out))
    }


# --- The figures match ----------------------------------------------------------------------


def test_the_policy_periods_are_those_this_test_assumes() -> None:
    periods = yaml_of(REPO / "policy" / "periods.yaml")
    assert periods["review_months"] == REVIEW_MONTHS
    assert periods["monitoring_months"] == MONITORING_MONTHS


def test_the_deletion_records_keep_what_the_cases_held(demo: Path, before: dict[str, Any]) -> None:
    log = {r["id"]: r for r in yaml_of(demo / "cases" / "deletions.yaml")["deletions"]}
    for case_id, case in before.items():
        stats = log[case_id]["statistics"]
        own = replay(case)
        assert stats["opened_month"] == str(case["opened"])[:7]
        deleted = as_date(log[case_id]["deleted"])
        ended = [(s, e[0].isoformat()[:7], d) for s, e, d in own.stays or []]
        ended += [(s, deleted.isoformat()[:7], (deleted - b).days) for s, b in own.running]
        assert [(s["state"], s["ended"], s["days"]) for s in stats["stays"]] == ended
        assert [(r["due"], r["on_time"]) for r in stats["reviews"]] == [
            (d[0].isoformat()[:7], ok) for d, ok in own.reviews or []
        ]
        assert len(stats["challenges"]) == len(case.get("challenges", []))
    assert "opened_month" not in log["MC-2024-0001"]["statistics"]  # an older record, as kept


@pytest.mark.parametrize(
    ("start", "end"),
    [("2024-01-01", "2026-11-30"), ("2025-01-01", "2025-12-31"), ("2026-05-01", "2026-11-30")],
)
def test_the_figures_match_those_worked_out_from_the_files(
    exact: Path, start: str, end: str
) -> None:
    want = expected(exact, date.fromisoformat(start), date.fromisoformat(end))
    got = report_csv(exact, start, end)
    for key, value in got.items():
        if key[1] in ("running", "note"):
            continue  # stays running at the end are not worked out here; notes below
        assert (key, value) == (key, want.get(key, "0"))
    assert [k for k in want if k not in got] == []
    assert int(want[("opened", "total", "")]) > 0


def test_the_whole_period_counts_deleted_cases(exact: Path) -> None:
    got = report_csv(exact, "2024-01-01", "2026-11-30")
    live = len(list((exact / "cases").glob("MC-*.yaml")))
    assert got[("deleted", "total", "")] == "4"  # two in the demo's log, two by the fixture
    assert got[("opened", "total", "")] == str(live + 4)
    # The two older records hold no stays, so they cannot be placed among escalations.
    assert got[("escalated", "note", "unrecorded")] == "2"


def test_a_period_that_excludes_everything_counts_nothing(demo: Path) -> None:
    got = report_csv(demo, "2000-01-01", "2000-12-31")
    counts = {k: v for k, v in got.items() if k[1] not in ("median-days", "percent", "note")}
    assert set(counts.values()) == {"0"}
    assert got[("reviews", "percent", "on-time")] == "-"
    code, out, _ = mcr(demo, "report", "--from", "2000-01-01", "--to", "2000-12-31")
    assert code == 0
    assert "<tr><td>Cases opened</td><td>0</td></tr>" in out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--from", "2026-05-01", "--to", "2026-04-01"), "--from must not be after --to"),
        (("--from", "2026-13-01", "--to", "2026-12-31"), "2026-13-01 is not a real calendar date"),
        (("--from", "2026-1-1", "--to", "2026-12-31"), "YYYY-MM-DD"),
    ],
)
def test_a_bad_period_is_a_usage_error(demo: Path, args: tuple[str, ...], says: str) -> None:
    code, out, err = mcr(demo, "report", *args)
    assert code == 2
    assert says in err
    assert out == ""


def test_output_writes_the_report_to_a_file(demo: Path, tmp_path: Path) -> None:
    target = tmp_path / "figures.csv"
    code, out, _ = mcr(
        demo,
        "report",
        "--from",
        "2026-01-01",
        "--to",
        "2026-10-31",
        "--format",
        "csv",
        "--output",
        str(target),
    )
    assert code == 0
    assert out.strip() == f"wrote {target}"
    assert target.read_text(encoding="utf-8").startswith("period_from,period_to,figure")


# --- Small counts ---------------------------------------------------------------------------


def test_secondary_suppression_hides_what_subtraction_would_reveal() -> None:
    cells, total = shown_group([7, 1, 6], 5, 14)
    assert [c.text for c in cells] == ["7", "fewer than 5", "fewer than 5"]
    assert total is not None
    assert total.text == "14"
    cells, total = shown_group([1, 0], 5, 1)
    assert [c.text for c in cells] == ["fewer than 5", "0"]
    assert total is not None
    assert total.suppressed
    cells, total = shown_group([3, 0, 9], 5, 12)  # the 9 goes too: 12 - 9 would give the 3
    assert [c.text for c in cells] == ["fewer than 5", "0", "fewer than 5"]
    assert total is not None
    assert total.text == "12"


SMALL = re.compile(r"(?<![\w.-])[1-4](?![\w.%-])")


def small_numbers(text: str) -> list[str]:
    """Small numbers shown as counts: the value cells of the figures' tables, chart values and
    descriptions, and the counts in bold on the home page."""
    found: list[str] = []
    for cell in re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td></tr>", text):
        found += [v for v in SMALL.findall(cell) if cell.strip() == v]
    for value in re.findall(r'class="mcr-chart__value">([^<]*)<', text):
        found += SMALL.findall(value)
    for value in re.findall(r'font-size="12">([^<]*)</text>', text):
        found += [v for v in SMALL.findall(value) if value.strip() == v]
    for desc in re.findall(r"<desc[^>]*>([^<]*)</desc>", text):
        found += re.findall(r": ([1-4])(?:;|$)", desc)
    for strong in re.findall(r"<strong>([^<]*)</strong>", text):
        found += [v for v in SMALL.findall(strong) if strong.strip() == v]
    return found


@pytest.mark.parametrize("period", [("2024-01-01", "2026-11-30"), ("2026-01-01", "2026-10-31")])
def test_no_count_under_the_threshold_is_shown(demo: Path, period: tuple[str, str]) -> None:
    start, end = period
    code, markdown, _ = mcr(demo, "report", "--from", start, "--to", end)
    assert code == 0
    assert "fewer than 5" in markdown
    # Median days are lengths, not counts; none is small in the demo, and a small one would
    # still be caught here.
    assert small_numbers(markdown) == []
    rows = list(csv.DictReader(io.StringIO(report_csv_text(demo, start, end))))
    counts = [r for r in rows if r["breakdown"] not in ("median-days", "percent")]
    assert [r for r in counts if r["value"] in {"1", "2", "3", "4"}] == []
    assert any(r["value"] == "fewer than 5" for r in counts)


def report_csv_text(root: Path, start: str, end: str) -> str:
    code, out, err = mcr(root, "report", "--from", start, "--to", end, "--format", "csv")
    assert code == 0, err
    return out


def test_a_suppressed_count_cannot_be_recovered_from_its_total(demo: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(report_csv_text(demo, "2024-01-01", "2026-11-30"))))
    for figure in ("reviews", "challenges"):
        group = [r for r in rows if r["figure"] == figure]
        total = next(r for r in group if r["breakdown"] == "total")["value"]
        cells = [r["value"] for r in group if r["breakdown"] == "outcome"]
        if total.isdigit() and "fewer than 5" in cells:
            left = int(total) - sum(int(v) for v in cells if v.isdigit())
            assert not 0 < left < 5, (figure, total, cells)


def pages(root: Path) -> Iterator[tuple[str, str]]:
    for name in ("index.html", "dashboard/index.html", "statistics/index.html"):
        yield name, (root / "public" / name).read_text(encoding="utf-8")


def test_the_site_shows_no_count_under_the_threshold(demo: Path) -> None:
    seen = dict(pages(demo))
    for name, page in seen.items():
        start = page.index('<article class="md-content__inner md-typeset">')
        article = page[start : page.index("</article>", start)]
        assert small_numbers(article) == [], name
    assert "fewer than 5" in seen["dashboard/index.html"]
    assert "Cases escalated to stage 2" in seen["statistics/index.html"]
    assert 'id="figures-totals"' in seen["statistics/index.html"]


def test_no_personal_data_reaches_the_figures(demo: Path) -> None:
    register, _ = load_register(demo, keys=demo_keys(demo).get)
    personal: set[str] = set()
    for loaded in register.cases:
        customer = loaded.case.customer
        personal |= {customer.name, *customer.aliases}
        personal |= {v for v in (customer.address, customer.email, customer.phone) if v}
    assert personal
    outputs = [
        mcr(demo, "report", "--from", "2024-01-01", "--to", "2026-11-30")[1],
        report_csv_text(demo, "2024-01-01", "2026-11-30"),
        (demo / "public" / "statistics" / "index.html").read_text(encoding="utf-8"),
    ]
    for text in outputs:
        assert "ENC[" not in text
        assert [p for p in personal if p in text] == []


def test_the_scan_finds_small_counts_where_they_are_shown(exact: Path) -> None:
    code, markdown, _ = mcr(exact, "report", "--from", "2024-01-01", "--to", "2026-11-30")
    assert code == 0
    assert not re.search(r"fewer than [0-9]", markdown)
    assert small_numbers(markdown) != []
