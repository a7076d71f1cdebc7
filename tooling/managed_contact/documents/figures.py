"""Committee figures for a period: cases opened, escalated, closed and deleted, by service and by
conduct; reviews held on time; challenges and their outcomes; median days at each stage.

The figures count live cases from their dated history (`register/lifecycle.py`) and deleted
cases from their anonymous records in `cases/deletions.yaml` (`changes/deletions.py` keeps the
statistics). Nothing here reads a personal field, so the figures are worked out without keys.

Definitions (the period runs from `start` to `end`, both days included):

* **opened**: the case's `opened` date is in the period.
* **escalated**: an allowed move to stage 2 in the period for a case not already at stage 2:
  a stage 2 decision (from stage 1, after a review that escalated; from dormant; or a new case
  straight to stage 2). A review that escalates leaves the case at stage 1 until that decision.
* **closed**: an allowed move to dormant in the period (a review that closed, or an upheld
  challenge).
* **deleted**: a deletion record dated in the period.
  Each counts cases: a case that did the same twice in the period counts once.
* **by service / by conduct**: a case counts once under each service it affected (its scope
  and its incidents' services) and each conduct category on its record (its incidents and its
  decisions), as the deletion records keep them; so the rows of a breakdown add up to more
  than its total when a case has several.
* **reviews held on time**: of the reviews that fell due in the period, the share held on or
  before the day they were due. A review falls due `review_months` after the last decision or
  review (or at the arrangement's expiry, if sooner). A review due and not yet held counts as
  late once its due day has passed (before `today`); one not yet due by `today` is left out.
* **challenges**: challenges received in the period, by their outcome as recorded now
  (undecided: none yet).
* **median days at each stage**: of the stays at stage 1, at stage 2 and dormant that ended in
  the period (the case moved out of that state, or a dormant case was deleted), the median
  length in days. Stays still running at the end of the period are counted apart, not in the
  median.

Deleted cases are dated by month (`opened_month`, each stay's months, each review's month due,
each challenge's month), or by year when only `opened_year` was kept. Such an event counts when
its whole month (or year) is in the period; one whose month is only partly in it cannot be
placed and is reported as such, and so is a figure a record made before it was kept lacks.
Periods of whole months are therefore exact.

Small counts: a count from 1 to `small_count_threshold` - 1 (`policy/settings.yaml`, default 5)
is shown as "fewer than 5"; 0 is shown as 0 (it says nothing about anyone). So that a
suppressed count cannot be worked out by subtracting the shown ones from a total, each
breakdown suppresses further cells, smallest first, until the suppressed cells together are
not a small number either; where no cell is left to suppress, the total is suppressed too. A
percentage or median is shown only when the counts it rests on are shown.
"""

from __future__ import annotations

import csv
import gc
import io
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from pathlib import Path
from typing import Literal, NoReturn

from ..changes.deletions import conduct_of, reviews_due, services_of, stays
from ..errors import McrError
from ..register.dates import add_months
from ..register.lifecycle import derive
from ..register.model import Case, Deletion
from ..register.policy import Policy
from ..register.progress import Progress
from ..register.snapshot import load_register

FIGURES = ("opened", "escalated", "closed", "deleted")
FIGURE_WORDS = {
    "opened": "Cases opened",
    "escalated": "Cases escalated to stage 2",
    "closed": "Cases closed (to dormant)",
    "deleted": "Cases deleted",
}
STAGES = ("stage-1", "stage-2", "dormant")
STAGE_WORDS = {"stage-1": "Stage 1", "stage-2": "Stage 2", "dormant": "Dormant"}
OUTCOMES = ("upheld", "varied", "not-upheld", "undecided")
Place = Literal["in", "out", "partial"]


class BadPeriod(McrError):
    """The period asked for is not a period (it ends before it starts)."""


@dataclass(frozen=True)
class Span:
    """A date known to lie between `first` and `last` (the same day when known exactly)."""

    first: date
    last: date

    @classmethod
    def day(cls, day: date) -> Span:
        return cls(day, day)

    @classmethod
    def month(cls, text: str) -> Span:
        year, month = int(text[:4]), int(text[5:7])
        first = date(year, month, 1)
        return cls(first, add_months(first, 1) - timedelta(days=1))

    @classmethod
    def year(cls, year: int) -> Span:
        return cls(date(year, 1, 1), date(year, 12, 31))

    def place(self, start: date, end: date) -> Place:
        if self.first >= start and self.last <= end:
            return "in"
        if self.last < start or self.first > end:
            return "out"
        return "partial"


@dataclass(frozen=True)
class StayFact:
    state: str
    began: Span
    ended: Span | None
    days: int | None


@dataclass
class Facts:
    """What the figures need of one case, live or deleted: no personal data."""

    services: tuple[str, ...]
    conduct: tuple[str, ...]
    events: dict[str, list[Span]] = field(default_factory=dict)
    #: Figures whose dates this case's record does not hold.
    unrecorded: set[str] = field(default_factory=set)
    stays: list[StayFact] = field(default_factory=list)
    reviews: list[tuple[Span, bool]] = field(default_factory=list)
    challenges: list[tuple[Span, str]] = field(default_factory=list)
    deleted: bool = False


def live_facts(case: Case, policy: Policy, today: date) -> Facts:
    """The facts of a case in the register, from its dated history as of `today`."""
    status = derive(case, policy, today)
    facts = Facts(services_of(case), conduct_of(case))
    facts.events["opened"] = [Span.day(case.opened)]
    facts.events["deleted"] = []
    for stay in stays(status):
        ended = Span.day(stay.ended) if stay.ended is not None else None
        days = (stay.ended - stay.began).days if stay.ended is not None else None
        facts.stays.append(StayFact(stay.state, Span.day(stay.began), ended, days))
    _moves(facts)
    facts.reviews = [(Span.day(due), on_time) for due, on_time in reviews_due(status, today)]
    facts.challenges = [(Span.day(c.received), c.outcome or "undecided") for c in case.challenges]
    return facts


def _moves(facts: Facts) -> None:
    """Escalations and closures from the stays: each stay at stage 2 began with an escalation
    (consecutive stays are in different states), each dormant one with a closure."""
    facts.events["escalated"] = [s.began for s in facts.stays if s.state == "stage-2"]
    facts.events["closed"] = [s.began for s in facts.stays if s.state == "dormant"]


def deleted_facts(record: Deletion) -> Facts:
    """The facts of a deleted case, from its anonymous record."""
    stats = record.statistics
    facts = Facts(tuple(stats.services), tuple(stats.conduct), deleted=True)
    facts.events["deleted"] = [Span.day(record.deleted)]
    facts.events["opened"] = [
        Span.month(stats.opened_month) if stats.opened_month else Span.year(stats.opened_year)
    ]
    if stats.stays is None:
        facts.unrecorded |= {"escalated", "closed", "stays"}
        facts.events["escalated"] = facts.events["closed"] = []
    else:
        for stay in stats.stays:
            began, ended = Span.month(stay.began), Span.month(stay.ended)
            facts.stays.append(StayFact(stay.state, began, ended, stay.days))
        _moves(facts)
    if stats.reviews is None:
        facts.unrecorded.add("reviews")
    else:
        facts.reviews = [(Span.month(r.due), r.on_time) for r in stats.reviews]
    if stats.challenges is None:
        facts.unrecorded.add("challenges")
    else:
        facts.challenges = [(Span.month(c.received), c.outcome) for c in stats.challenges]
    return facts


# --- The figures ----------------------------------------------------------------------------


@dataclass
class Count:
    """One figure: its total (cases), its breakdowns, and the cases it could not place."""

    total: int = 0
    by_service: dict[str, int] = field(default_factory=dict)
    by_conduct: dict[str, int] = field(default_factory=dict)
    #: Deleted cases whose month is only partly in the period.
    unplaced: int = 0
    #: Deleted cases whose record does not hold this figure's date.
    unrecorded: int = 0


@dataclass
class StageFigure:
    ended: int = 0
    median_days: float | None = None
    running: int = 0
    unplaced: int = 0
    unrecorded: int = 0


@dataclass
class Figures:
    """The committee figures for one period, worked out but not yet shown."""

    start: date
    end: date
    today: date
    threshold: int
    labels: dict[str, str]
    counts: dict[str, Count]
    reviews_due: int
    reviews_on_time: int
    reviews_unplaced: int
    reviews_unrecorded: int
    challenges: int
    outcomes: dict[str, int]
    challenges_unplaced: int
    challenges_unrecorded: int
    stages: dict[str, StageFigure]
    services: tuple[str, ...]
    conduct: tuple[str, ...]


def _order(known: Sequence[str], seen: Iterable[str]) -> tuple[str, ...]:
    extra = sorted(set(seen) - set(known))
    return (*known, *extra)


def compute(
    policy: Policy,
    cases: Iterable[Case],
    deletions: Iterable[Deletion],
    start: date,
    end: date,
    today: date,
) -> Figures:
    """The figures for the period `start` to `end` (both included) over the live `cases` and
    the deleted cases' `deletions` records, as of `today`."""
    if start > end:
        _refuse_period(start, end)
    every = [live_facts(c, policy, today) for c in cases]
    every += [deleted_facts(d) for d in deletions]
    counts = {name: Count() for name in FIGURES}
    for facts in every:
        for name in FIGURES:
            count = counts[name]
            if name in facts.unrecorded:
                count.unrecorded += 1
                continue
            places = {span.place(start, end) for span in facts.events.get(name, [])}
            if "in" in places:
                count.total += 1
                for s in facts.services:
                    count.by_service[s] = count.by_service.get(s, 0) + 1
                for c in facts.conduct:
                    count.by_conduct[c] = count.by_conduct.get(c, 0) + 1
            elif "partial" in places:
                count.unplaced += 1
    due = on_time = r_unplaced = r_unrecorded = 0
    received = c_unplaced = c_unrecorded = 0
    outcomes = dict.fromkeys(OUTCOMES, 0)
    stage_days: dict[str, list[int]] = {s: [] for s in STAGES}
    stages = {s: StageFigure() for s in STAGES}
    for facts in every:
        if "reviews" in facts.unrecorded:
            r_unrecorded += 1
        for span, held in facts.reviews:
            where = span.place(start, end)
            if where == "in":
                due += 1
                on_time += held
            elif where == "partial":
                r_unplaced += 1
        if "challenges" in facts.unrecorded:
            c_unrecorded += 1
        for span, outcome in facts.challenges:
            where = span.place(start, end)
            if where == "in":
                received += 1
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
            elif where == "partial":
                c_unplaced += 1
        if "stays" in facts.unrecorded:
            for figure in stages.values():
                figure.unrecorded += 1
        for stay in facts.stays:
            figure = stages[stay.state]
            if stay.ended is not None:
                where = stay.ended.place(start, end)
                if where == "in" and stay.days is not None:
                    figure.ended += 1
                    stage_days[stay.state].append(stay.days)
                    continue
                if where == "partial":
                    figure.unplaced += 1
                    continue
            began_by = stay.began.last <= end
            running_after = stay.ended is None or stay.ended.first > end
            if began_by and running_after:
                figure.running += 1
            elif stay.began.place(start, end) == "partial" or (
                stay.ended is not None and stay.ended.place(start, end) == "partial"
            ):
                figure.unplaced += 1
    for state, days in stage_days.items():
        if days:
            stages[state].median_days = float(statistics.median(days))
    vocabulary = policy.vocabulary
    labels = {s.id: s.label for s in vocabulary.services}
    labels |= {c.id: c.label for c in vocabulary.conduct}
    seen_services = [s for c in counts.values() for s in c.by_service]
    seen_conduct = [s for c in counts.values() for s in c.by_conduct]
    return Figures(
        start=start,
        end=end,
        today=today,
        threshold=policy.settings.small_count_threshold,
        labels=labels,
        counts=counts,
        reviews_due=due,
        reviews_on_time=on_time,
        reviews_unplaced=r_unplaced,
        reviews_unrecorded=r_unrecorded,
        challenges=received,
        outcomes=outcomes,
        challenges_unplaced=c_unplaced,
        challenges_unrecorded=c_unrecorded,
        stages=stages,
        services=_order([s.id for s in vocabulary.services], seen_services),
        conduct=_order([c.id for c in vocabulary.conduct], seen_conduct),
    )


class RegisterUnreadable(McrError):
    """The register does not load well enough to count: `mcr check` says why."""


def report_figures(
    root: Path, start: date, end: date, today: date, progress: Progress | None = None
) -> Figures:
    """The figures for a period over the register on disk (read without keys; `progress`
    hears of each case read, the report's longest step)."""
    if start > end:
        _refuse_period(start, end)
    # Loading builds many small, acyclic objects: the cyclic collector only slows it down.
    collecting = gc.isenabled()
    gc.disable()
    try:
        register, _ = load_register(root, progress=progress)
    finally:
        if collecting:
            gc.enable()
    if register.policy is None or register.deletions is None:
        raise RegisterUnreadable(
            "the policy data or cases/deletions.yaml does not load: run `mcr check`"
        )
    if len(register.cases) != len(register.case_files):
        missing = len(register.case_files) - len(register.cases)
        raise RegisterUnreadable(
            f"{missing} case file(s) do not load, so the figures would leave them out: run "
            "`mcr check`"
        )
    return compute(
        register.policy,
        (c.case for c in register.cases),
        register.deletions.deletions,
        start,
        end,
        today,
    )


def _refuse_period(start: date, end: date) -> NoReturn:
    raise BadPeriod(
        f"the period starts on {start}, after it ends on {end}: --from must not be after --to"
    )


def last_whole_months(today: date, months: int = 12) -> tuple[date, date]:
    """The `months` whole calendar months before the month of `today` (the site's period)."""
    this_month = today.replace(day=1)
    return add_months(this_month, -months), this_month - timedelta(days=1)


# --- Showing small counts -------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A count as it may be shown: the number, or "fewer than N"."""

    value: int
    suppressed: bool
    threshold: int

    @property
    def text(self) -> str:
        return f"fewer than {self.threshold}" if self.suppressed else str(self.value)


def small(value: int, threshold: int) -> bool:
    """Whether `value` is a small count that could identify someone (0 is not)."""
    return 0 < value < threshold


def shown(value: int, threshold: int) -> Shown:
    """One count on its own, suppressed if small."""
    return Shown(value, small(value, threshold), threshold)


def shown_group(
    values: Sequence[int], threshold: int, total: int | None = None
) -> tuple[list[Shown], Shown | None]:
    """The cells of one breakdown (and its total, if shown beside them), suppressed so that no
    small count is shown and none can be worked out by subtraction: while the suppressed cells
    add up to a small number, the smallest cell still shown (not 0) is suppressed too; where
    none is left, the total is."""
    hidden = [small(v, threshold) for v in values]
    hide_total = total is not None and small(total, threshold)

    def recoverable() -> bool:
        hidden_sum = sum(v for v, h in zip(values, hidden, strict=True) if h)
        return any(hidden) and small(hidden_sum, threshold)

    while recoverable() and not hide_total:
        candidates = [i for i, v in enumerate(values) if not hidden[i] and v > 0]
        if not candidates:
            hide_total = total is not None and total > 0
            break
        hidden[min(candidates, key=lambda i: values[i])] = True
    cells = [Shown(v, h, threshold) for v, h in zip(values, hidden, strict=True)]
    shown_total = None if total is None else Shown(total, hide_total, threshold)
    return cells, shown_total


# --- Rendering ------------------------------------------------------------------------------


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Row:
    """One line of the figures as shown: which figure, which breakdown, which key, its value."""

    figure: str
    breakdown: str
    key: str
    label: str
    value: str


def _breakdown(figures: Figures, name: str) -> tuple[Shown, list[Row]]:
    count = figures.counts[name]
    t = figures.threshold
    # The total is suppressed with the breakdown that would let it be recovered.
    services = [count.by_service.get(s, 0) for s in figures.services]
    conduct = [count.by_conduct.get(c, 0) for c in figures.conduct]
    by_service, total_a = shown_group(services, t, count.total)
    by_conduct, total_b = shown_group(conduct, t, count.total)
    assert total_a is not None
    assert total_b is not None
    total = total_a if total_a.suppressed else total_b
    rows = [
        Row(name, "service", s, figures.labels.get(s, s), v.text)
        for s, v in zip(figures.services, by_service, strict=True)
    ]
    rows += [
        Row(name, "conduct", c, figures.labels.get(c, c), v.text)
        for c, v in zip(figures.conduct, by_conduct, strict=True)
        if count.by_conduct.get(c, 0) or c in figures.labels
    ]
    return total, rows


def rows(figures: Figures) -> list[Row]:
    """Every figure as shown (small counts suppressed), in the order the report gives them."""
    t = figures.threshold
    out: list[Row] = []
    for name in FIGURES:
        total, breakdown = _breakdown(figures, name)
        out.append(Row(name, "total", "", FIGURE_WORDS[name], total.text))
        out += breakdown
        count = figures.counts[name]
        if count.unplaced:
            out.append(
                Row(
                    name,
                    "note",
                    "unplaced",
                    "Deleted cases in a month partly in the period",
                    shown(count.unplaced, t).text,
                )
            )
        if count.unrecorded:
            out.append(
                Row(
                    name,
                    "note",
                    "unrecorded",
                    "Deleted cases whose record lacks this figure",
                    shown(count.unrecorded, t).text,
                )
            )
    late = figures.reviews_due - figures.reviews_on_time
    (held, missed), due = shown_group([figures.reviews_on_time, late], t, figures.reviews_due)
    assert due is not None
    out.append(Row("reviews", "total", "due", "Reviews due in the period", due.text))
    out.append(Row("reviews", "outcome", "on-time", "Held on time", held.text))
    out.append(Row("reviews", "outcome", "late", "Late or not held", missed.text))
    percent = "-"
    if figures.reviews_due and not (due.suppressed or held.suppressed or missed.suppressed):
        percent = f"{100 * figures.reviews_on_time / figures.reviews_due:.0f}%"
    out.append(Row("reviews", "percent", "on-time", "Reviews held on time (%)", percent))
    for key, n, label in (
        (
            "unplaced",
            figures.reviews_unplaced,
            "Deleted cases' reviews due in a month partly in the period",
        ),
        ("unrecorded", figures.reviews_unrecorded, "Deleted cases whose record lacks reviews"),
    ):
        if n:
            out.append(Row("reviews", "note", key, label, shown(n, t).text))
    cells, received = shown_group([figures.outcomes[o] for o in OUTCOMES], t, figures.challenges)
    assert received is not None
    out.append(Row("challenges", "total", "received", "Challenges received", received.text))
    for outcome, cell in zip(OUTCOMES, cells, strict=True):
        out.append(Row("challenges", "outcome", outcome, outcome.replace("-", " "), cell.text))
    for key, n, label in (
        (
            "unplaced",
            figures.challenges_unplaced,
            "Deleted cases' challenges received in a month partly in the period",
        ),
        (
            "unrecorded",
            figures.challenges_unrecorded,
            "Deleted cases whose record lacks challenges",
        ),
    ):
        if n:
            out.append(Row("challenges", "note", key, label, shown(n, t).text))
    for state in STAGES:
        stage = figures.stages[state]
        ended = shown(stage.ended, t)
        median = "-"
        if stage.median_days is not None and not ended.suppressed:
            median = f"{stage.median_days:g}"
        words = STAGE_WORDS[state]
        out.append(Row("stages", "ended", state, f"{words}: stays ended", ended.text))
        out.append(Row("stages", "median-days", state, f"{words}: median days", median))
        out.append(
            Row(
                "stages",
                "running",
                state,
                f"{words}: stays running at the end",
                shown(stage.running, t).text,
            )
        )
        for key, n in (("unplaced", stage.unplaced), ("unrecorded", stage.unrecorded)):
            if n:
                label = (
                    f"{words}: deleted cases' stays in a month partly in the period"
                    if key == "unplaced"
                    else f"{words}: deleted cases whose record lacks stays"
                )
                out.append(Row("stages", "note", key, label, shown(n, t).text))
    return out


def to_csv(figures: Figures) -> str:
    """The figures as CSV: one row per figure, breakdown and key, small counts suppressed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["period_from", "period_to", "figure", "breakdown", "key", "label", "value"])
    for row in rows(figures):
        writer.writerow(
            [
                figures.start.isoformat(),
                figures.end.isoformat(),
                row.figure,
                row.breakdown,
                row.key,
                _cell(row.label),
                row.value,
            ]
        )
    return buffer.getvalue()


def _cell(text: str) -> str:
    """A label that a spreadsheet cannot run as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# Chart layout in pixels: a label column, then the bar, then its value.
LABEL_WIDTH = 230
BAR_WIDTH = 260
ROW = 22
CHART_WIDTH = LABEL_WIDTH + BAR_WIDTH + 110


def svg_chart(chart_id: str, title: str, bars: Sequence[tuple[str, Shown]]) -> str:
    """A horizontal bar chart as inline SVG, every text escaped. A suppressed count gets no bar
    (its length would give it away), only the words "fewer than N"."""
    most = max((s.value for _, s in bars if not s.suppressed), default=0) or 1
    height = ROW * len(bars) + 8
    described = "; ".join(f"{label}: {s.text}" for label, s in bars) or "no cases"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{CHART_WIDTH}" '
        f'height="{height}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(described)}</desc>',
    ]
    for n, (label, value) in enumerate(bars):
        y = n * ROW + 4
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end" '
            f'font-size="12">{escape(label)}</text>'
        )
        width = 0 if value.suppressed else round(value.value / most * BAR_WIDTH)
        if width:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{width}" height="14" '
                f'fill="#3f51b5"></rect>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 14}" font-size="12">'
            f"{escape(value.text)}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _table(caption: str, head: tuple[str, str], body: Sequence[tuple[str, str]]) -> str:
    lines = [
        "<table>",
        f"<caption>{escape(caption)}</caption>",
        f'<thead><tr><th scope="col">{escape(head[0])}</th>'
        f'<th scope="col">{escape(head[1])}</th></tr></thead>',
        "<tbody>",
    ]
    lines += [f"<tr><td>{escape(a)}</td><td>{escape(b)}</td></tr>" for a, b in body]
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def to_markdown(figures: Figures, heading_level: int = 2) -> str:
    """The figures as Markdown: HTML tables and SVG bar charts (both escaped), so that the same
    text reads in a committee paper and on the internal site."""
    h = "#" * heading_level
    t = figures.threshold
    shown_rows = rows(figures)
    by: dict[tuple[str, str], list[Row]] = {}
    for row in shown_rows:
        by.setdefault((row.figure, row.breakdown), []).append(row)

    def labelled(figure: str, *breakdowns: str) -> list[tuple[str, str]]:
        """The rows of `figure`, breakdown by breakdown, as (label, value) table rows."""
        return [(r.label, r.value) for key in breakdowns for r in by.get((figure, key), [])]

    out = [
        f"<p>From {_day(figures.start)} to {_day(figures.end)}, both included; worked out on "
        f"{_day(figures.today)}, counting deleted cases through their anonymous records. "
        + (
            f"A count of 1 to {t - 1} is shown as “fewer than {t}”, and where it could be "
            "worked out from the others, another count is hidden too.</p>"
            if t > 1
            else "Every count is shown (small_count_threshold is 1).</p>"
        ),
        "",
        f"{h} Summary",
        "",
        _table(
            "Cases in the period",
            ("Figure", "Cases"),
            [(r.label, r.value) for name in FIGURES for r in by[(name, "total")]],
        ),
        "",
    ]
    totals: list[tuple[str, Shown]] = []
    for name in FIGURES:
        total, _ = _breakdown(figures, name)
        totals.append((FIGURE_WORDS[name], total))
    out += [svg_chart("figures-totals", "Cases in the period", totals), ""]
    for name in FIGURES:
        out += [f"{h} {FIGURE_WORDS[name]}", ""]
        total, breakdown = _breakdown(figures, name)
        services = [r for r in breakdown if r.breakdown == "service"]
        conduct = [r for r in breakdown if r.breakdown == "conduct"]
        counted = figures.counts[name]
        service_cells, _ = shown_group(
            [counted.by_service.get(s, 0) for s in figures.services], t, counted.total
        )
        out.append(
            svg_chart(
                f"figures-{name}-service",
                f"{FIGURE_WORDS[name]} by service",
                [(r.label, s) for r, s in zip(services, service_cells, strict=True)],
            )
        )
        out += [
            "",
            _table(
                f"{FIGURE_WORDS[name]} by service",
                ("Service", "Cases"),
                [(r.label, r.value) for r in services],
            ),
            "",
        ]
        out += [
            _table(
                f"{FIGURE_WORDS[name]} by conduct",
                ("Conduct", "Cases"),
                [(r.label, r.value) for r in conduct],
            ),
            "",
        ]
        notes = by.get((name, "note"), [])
        if notes:
            out += [
                _table(
                    f"{FIGURE_WORDS[name]}: not counted",
                    ("Deleted cases", "Cases"),
                    [(r.label, r.value) for r in notes],
                ),
                "",
            ]
    out += [f"{h} Reviews held on time", ""]
    out.append(
        _table(
            "Reviews due in the period",
            ("Reviews", "Number"),
            labelled("reviews", "total", "outcome", "percent", "note"),
        )
    )
    out += ["", f"{h} Challenges", ""]
    out.append(
        _table(
            "Challenges received in the period, by outcome",
            ("Challenges", "Number"),
            labelled("challenges", "total", "outcome", "note"),
        )
    )
    out += ["", f"{h} Median days at each stage", ""]
    out.append(
        _table(
            "Stays that ended in the period",
            ("Stage", "Days or stays"),
            labelled("stages", "ended", "median-days", "running", "note"),
        )
    )
    out += [
        "",
        f"{h} How the figures are counted",
        "",
        "<ul>",
        *(f"<li>{escape(line)}</li>" for line in DEFINITIONS),
        "</ul>",
        "",
    ]
    return "\n".join(out)


DEFINITIONS = (
    "Opened: the case was opened in the period. Escalated: a stage 2 decision in the period "
    "for a case not already at stage 2. Closed: a review closed it, or a challenge was "
    "upheld, in the period. Deleted: its file was deleted in the period. Each counts cases.",
    "By service and by conduct: a case counts under each service it affected and each conduct "
    "on its record, so a breakdown can add up to more than its total.",
    "Reviews held on time: of the reviews due in the period, the share held on or before the "
    "day due; one due and not held counts as late once its day has passed.",
    "Challenges: received in the period, by their outcome as recorded now.",
    "Median days: of the stays at each stage that ended in the period (the case moved out of "
    "it, or was deleted while dormant); stays still running at its end are counted apart.",
    "Deleted cases are dated by month (or by year, in older records): an event counts when its "
    "whole month is in the period, so periods of whole months are exact.",
    "Small counts: a count under small_count_threshold (policy/settings.yaml) is shown as "
    "“fewer than” it, and has no bar in a chart; 0 is shown, as it says nothing about anyone. "
    "Where the hidden counts of a table could be worked out from its total, more counts are "
    "hidden, or the total; a percentage or median resting on a hidden count is not shown.",
)
