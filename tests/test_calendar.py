"""`mcr calendar`: the iCalendar feed of what falls due, by case id, with UIDs that stay."""

from __future__ import annotations

import calendar as months
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from ical.calendar_stream import IcsCalendarStream
from ical.exceptions import CalendarParseError
from icalendar import Calendar

from managed_contact.cli.main import main
from managed_contact.documents.calendar import (
    UID_DOMAIN,
    RegisterIncomplete,
    register_calendar,
    response_days,
)
from managed_contact.register.personal import personal_values
from managed_contact.register.rules import MODELINE
from managed_contact.register.snapshot import DEMO_KEYSTORE, load_register
from managed_contact.sealing.keystore import DirectoryKeystore

from casebuilder import case, decision, letter, review
from sealkit import sealed

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 28)


def write_case(root: Path, data: dict[str, Any]) -> Path:
    path = root / "cases" / f"{data['id']}.yaml"
    text = MODELINE + "\n" + yaml.safe_dump(data, sort_keys=False)
    path.write_text(sealed(text, str(data["id"])), encoding="utf-8")
    return path


def run(root: Path, *args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(main, [*args, "--register", str(root)])
    return result.exit_code, result.stdout_bytes, result.stderr


def events_of(feed: bytes) -> dict[str, Any]:
    """The feed parsed back with icalendar: each event by its UID."""
    parsed = Calendar.from_ical(feed)
    found = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    assert len(found) == len(parsed.walk("VEVENT")), "two events share a UID"
    return found


def day_of(event: Any) -> date:
    value = event.decoded("DTSTART")
    assert type(value) is date, "every event is a whole day"
    return value


# A stage 1 case, a stage 2 case with a weekly email diversion and an open subject access
# request, and a dormant one: every kind of event.
STAGE_2_MEASURES = [
    {"measure": "email-diversion", "spoc": "liam-treadwell", "frequency": "weekly"},
    {"measure": "call-termination"},
]


def stage_1() -> dict[str, Any]:
    return case(
        id="MC-2026-0001",
        decisions=[decision("D1", "2026-08-03")],
        letters=[letter("L1", "2026-08-04", "D1")],
    )


def stage_2(*reviews: dict[str, Any]) -> dict[str, Any]:
    return case(
        id="MC-2026-0002",
        decisions=[decision("D1", "2026-07-06", stage=2, measures=STAGE_2_MEASURES)],
        reviews=list(reviews),
        letters=[letter("L1", "2026-07-07", "D1", sent_by="david-renshaw")]
        + [letter(f"L{i}", r["date"], r["id"]) for i, r in enumerate(reviews, start=2)],
        legal_holds=[
            {
                "id": "H1",
                "reason": "subject-access-request",
                "start": "2026-11-20",
                "reference": "SAR-2026-118",
            }
        ],
    )


def dormant() -> dict[str, Any]:
    return case(
        id="MC-2025-0001",
        decisions=[decision("D1", "2025-02-03")],
        reviews=[review("R1", "2025-08-01", "close")],
        letters=[letter("L1", "2025-02-04", "D1"), letter("L2", "2025-08-02", "R1")],
    )


@pytest.fixture
def cases(register: Path) -> Path:
    for data in (stage_1(), stage_2(), dormant()):
        write_case(register, data)
    return register


def test_the_feed_parses_back_with_every_kind_of_event(cases: Path) -> None:
    feed, count = register_calendar(cases, TODAY)
    found = events_of(feed)
    assert count == len(found)
    assert {day_of(e) for e in found.values()}
    assert all(e.decoded("DTEND") == day_of(e) + timedelta(days=1) for e in found.values())
    uid = f"@{UID_DOMAIN}"
    assert day_of(found[f"MC-2026-0001.review{uid}"]) == date(2027, 2, 3)
    assert day_of(found[f"MC-2026-0001.monitoring-end{uid}"]) == date(2027, 2, 3)
    assert day_of(found[f"MC-2026-0002.review{uid}"]) == date(2027, 1, 6)
    assert day_of(found[f"MC-2026-0002.sar-deadline.H1{uid}"]) == date(2026, 12, 20)
    assert day_of(found[f"MC-2025-0001.deletion{uid}"]) == date(2026, 8, 1)
    # Weekly from the decision on 2026-07-06, from today to due_soon_days (30) ahead.
    responses = sorted((day_of(e), str(u)) for u, e in found.items() if ".response." in u)
    first = date(2026, 7, 6)
    expected = [
        first + timedelta(weeks=n)
        for n in range(1, 60)
        if TODAY <= first + timedelta(weeks=n) <= TODAY + timedelta(days=30)
    ]
    assert [d for d, _ in responses] == expected
    number = (expected[0] - first).days // 7
    assert responses[0][1] == f"MC-2026-0002.response.D1.m1.{number}{uid}"
    spoc = found[responses[0][1]]
    assert "liam-treadwell" in str(spoc["DESCRIPTION"])
    assert found[f"MC-2026-0001.review{uid}"]["SUMMARY"] == "MC-2026-0001: review due"


def test_the_feed_is_valid_rfc_5545(cases: Path) -> None:
    feed, _ = register_calendar(cases, TODAY)
    text = feed.decode("utf-8")
    # ical (allenporter) parses RFC 5545 strictly into pydantic models: a bad value is refused.
    parsed = IcsCalendarStream.calendar_from_ics(text)
    assert len(parsed.events) == feed.count(b"BEGIN:VEVENT") > 0
    broken = text.replace("DTSTART;VALUE=DATE:2027", "DTSTART;VALUE=DATE:2027-", 1)
    with pytest.raises(CalendarParseError):
        IcsCalendarStream.calendar_from_ics(broken)
    # What the parser would default: each event's UID and DTSTAMP (RFC 5545 3.6.1), the
    # calendar's PRODID and VERSION; lines end CRLF and are no longer than 75 octets.
    own = Calendar.from_ical(feed)
    assert own["VERSION"] == "2.0"
    assert own["PRODID"]
    for event in own.walk("VEVENT"):
        assert event["UID"]
        assert event["DTSTAMP"]
        assert not event.errors
    lines = feed.split(b"\r\n")
    assert lines[-1] == b""
    assert all(b"\n" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75


def test_uids_and_stamps_stay_across_regenerations(cases: Path) -> None:
    first, _ = register_calendar(cases, TODAY)
    assert register_calendar(cases, TODAY)[0] == first
    stamp = events_of(first)[f"MC-2026-0002.review@{UID_DOMAIN}"].decoded("DTSTAMP")
    # The latest day the case records (the hold's start), never the wall clock.
    assert stamp == datetime(2026, 11, 20, tzinfo=UTC)


def test_an_event_keeps_its_uid_when_a_review_moves_its_date(cases: Path) -> None:
    before = events_of(register_calendar(cases, TODAY)[0])
    moved = stage_2(review("R1", "2026-11-25", "continue", extend_to="2027-05-25"))
    write_case(cases, moved)
    after = events_of(register_calendar(cases, TODAY)[0])
    uid = f"MC-2026-0002.review@{UID_DOMAIN}"
    assert day_of(before[uid]) == date(2027, 1, 6)
    assert day_of(after[uid]) == date(2027, 5, 25)
    assert after[uid].decoded("DTSTAMP") > before[uid].decoded("DTSTAMP")
    # The responses run on from the decision that set the measures: same days, same UIDs.
    responses = {u: day_of(e) for u, e in before.items() if ".response." in u}
    assert responses
    assert {u: day_of(after[u]) for u in responses} == responses
    # Nothing else changed; nothing was added or lost.
    assert set(after) == set(before)


def test_monthly_responses_clamp_to_the_month_end() -> None:
    since = date(2026, 1, 31)
    got = list(response_days(since, "monthly", date(2026, 1, 31), date(2027, 1, 31)))

    def clamped(n: int) -> date:
        year, month = divmod(since.month - 1 + n, 12)
        last = months.monthrange(since.year + year, month + 1)[1]
        return date(since.year + year, month + 1, min(since.day, last))

    assert got == [(n, clamped(n)) for n in range(1, 13)]
    assert got[0][1] == date(2026, 2, 28)
    later = list(response_days(since, "monthly", date(2026, 6, 1), date(2026, 8, 31)))
    assert later == [(5, date(2026, 6, 30)), (6, date(2026, 7, 31)), (7, date(2026, 8, 31))]
    fortnightly = list(response_days(since, "fortnightly", date(2026, 2, 14), date(2026, 3, 1)))
    assert fortnightly == [(1, date(2026, 2, 14)), (2, date(2026, 2, 28))]


def test_no_personal_value_of_any_demo_case_reaches_the_feed() -> None:
    feed, count = register_calendar(REPO, TODAY)
    assert count > 0
    unfolded = feed.replace(b"\r\n ", b"").decode("utf-8")
    decoded = " ".join(
        str(value) for event in Calendar.from_ical(feed).walk("VEVENT") for value in event.values()
    )
    keys = DirectoryKeystore(REPO / DEMO_KEYSTORE)
    register, _ = load_register(REPO, keys=keys.get)
    values: set[str] = set()
    for loaded in register.cases:
        assert not loaded.sealed, loaded.case.id
        for _, where, value in personal_values(loaded.case.model_dump(mode="json")):
            values.add(str(value))
            if where.startswith(("customer.name", "customer.aliases", "customer.address")):
                # Each word of a name or an address on its own (but "The", "St").
                parts = str(value).replace(",", " ").split()
                values.update(p for p in parts if len(p) >= 4)
    assert len(values) > 50
    assert "ENC[" not in unfolded
    for value in sorted(v for v in values if len(v) >= 3 and not v.isdigit()):
        assert value not in unfolded, value
        assert value not in decoded, value


def test_the_command_writes_stdout_or_a_file(cases: Path, tmp_path: Path) -> None:
    code, out, _ = run(cases, "calendar", "--today", TODAY.isoformat())
    assert code == 0
    assert out == register_calendar(cases, TODAY)[0]
    target = tmp_path / "feed.ics"
    code, printed, _ = run(cases, "calendar", "--today", TODAY.isoformat(), "--output", str(target))
    assert code == 0
    assert target.read_bytes() == out
    assert printed.decode().startswith(f"wrote {target}:")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.ics", "register"]


def test_a_case_file_that_does_not_load_refuses_the_feed(cases: Path) -> None:
    broken = cases / "cases" / "MC-2026-0003.yaml"
    broken.write_text(MODELINE + "\nid: MC-2026-0003\nopened: 2026-13-01\n", encoding="utf-8")
    with pytest.raises(RegisterIncomplete, match=r"cases/MC-2026-0003\.yaml"):
        register_calendar(cases, TODAY)
    code, out, err = run(cases, "calendar")
    assert code == 1
    assert out == b""
    assert "cases/MC-2026-0003.yaml" in err


def test_the_site_publishes_the_feed(tmp_path: Path) -> None:
    from sitefixtures import build, copy_register

    root = copy_register(tmp_path / "register")
    site = build(root)
    published = (site / "calendar.ics").read_bytes()
    assert published == register_calendar(root, TODAY)[0]
    dashboard = (site / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert 'href="../calendar.ics"' in dashboard
    shutil.rmtree(site)


def test_responses_follow_the_measures_a_review_sets(cases: Path) -> None:
    monthly = [{"measure": "email-diversion", "spoc": "kate-ormsby", "frequency": "monthly"}]
    write_case(
        cases,
        stage_2(review("R1", "2026-10-31", "continue", extend_to="2026-12-15", measures=monthly)),
    )
    found = events_of(register_calendar(cases, TODAY)[0])
    responses = sorted((day_of(e), u) for u, e in found.items() if ".response." in u)
    # Monthly from the review on 31 October, clamped to 30 November; the next (31 December)
    # falls after the arrangement's review on 15 December, which will say what follows.
    assert responses == [
        (date(2026, 11, 30), f"MC-2026-0002.response.R1.m1.1@{UID_DOMAIN}"),
    ]
    assert "kate-ormsby" in str(found[responses[0][1]]["DESCRIPTION"])
    assert day_of(found[f"MC-2026-0002.review@{UID_DOMAIN}"]) == date(2026, 12, 15)
