"""The site's generated pages: the register, a front-line page per active case, the dashboard,
the councillors page and Part A, rendered from the register as Markdown with HTML inside.

This module knows nothing about MkDocs: it turns a register into `{path: markdown}` and into the
fragments hand-written pages ask for (``<!-- managed-contact:NAME -->``). A static-site generator
only has to add those pages to its build (`mkdocs_plugin` does it for MkDocs), so moving to
another generator is a configuration change.

Safety: every value that comes from a case is escaped, by Jinja's autoescape or by
`markupsafe.escape`, and sits inside an HTML block, where Markdown does not parse it. Names like
``<img src=x onerror=...>``, ``{{ 7*7 }}``, ``|``, backticks or ``[x](javascript:...)`` come out
as the text they are. Tables are HTML tables, never Markdown pipe tables.

Data minimisation: a case page shows what a front-line officer needs (the customer's name,
aliases and case id; the measures in plain English; the single point of contact; the allowed
channel; dates; councillors' choices). The evidence, incidents, reasons, business case and every
other field holding personal data stay with the Customer Relations Team.

Sealed values: the register's personal values are sealed in the case files, and the site is built
from them opened with the case keys (a `Keystore`). A build that cannot open every one of them
stops (`SiteKeysMissing`) rather than publish placeholders where staff expect a name.
"""

from __future__ import annotations

import multiprocessing
import os
import posixpath
import re
import textwrap
import types
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape
from pydantic import BaseModel

from ..documents import figures
from ..errors import McrError
from ..register import front_line as said
from ..register.findings import Finding, Severity
from ..register.front_line import Contact, Piece, Situation, Step, front_line
from ..register.index import Index
from ..register.lifecycle import STATE_WORDS, Status, derive
from ..register.model import PERSONAL_MARK, Case, Deletion
from ..register.policy import Policy
from ..register.progress import Progress
from ..register.schedule import DueItem, due_items
from ..register.snapshot import CASE_NAME, CaseFile, case_paths, load_case, load_register
from ..sealing.keystore import ENV as KEYSTORE_ENV
from ..sealing.keystore import Keystore

PART_A = Path("policy") / "part-a.md"
"""Part A of the policy, word for word, in the register (guarded by tests/test_part_a.py)."""

CASES_DIR = "cases"
FRAGMENT = re.compile(r"<!--\s*managed-contact:([a-z-]+)\s*-->")
"""A hand-written page asks for a generated fragment with ``<!-- managed-contact:NAME -->``."""


class SiteDataError(McrError):
    """The register cannot be published: policy data or a case file does not load."""


class SiteKeysMissing(McrError):
    """Sealed values the build could not open: no keystore, or no key for some cases."""


@dataclass(frozen=True)
class SiteData:
    """What the site is made from: the register as loaded, with each case's derived status."""

    root: Path
    today: date
    policy: Policy
    index: Index
    cases: tuple[Case, ...]
    statuses: dict[str, Status]
    deleted: int = 0
    #: The deleted cases' anonymous records, for the statistics page.
    deletions: tuple[Deletion, ...] = ()

    @property
    def active(self) -> list[Case]:
        return [c for c in self.cases if self.statuses[c.id].active]


PARALLEL_FROM = 200
"""Registers with at least this many case files are loaded by several processes in a build."""
CHUNKS_PER_WORKER = 4


@dataclass
class _Loaded:
    cases: list[Case] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    #: Cases with sealed values that did not open (no key): never published as placeholders.
    unopened: list[str] = field(default_factory=list)

    def add(self, files: list[CaseFile], findings: list[Finding]) -> None:
        self.findings.extend(findings)
        for loaded in files:
            self.cases.append(loaded.case)
            if loaded.placeholders:
                self.unopened.append(loaded.case.id)

    def merge(self, other: _Loaded) -> None:
        self.cases += other.cases
        self.findings += other.findings
        self.unopened += other.unopened


def _load_cases(root: Path, paths: list[Path], keystore: Keystore | None) -> _Loaded:
    """Load, open and validate some case files (in a worker process, for large registers).

    The keystore travels to the worker pickled, and opens its keys there."""
    out = _Loaded()
    keys = keystore.get if keystore is not None else None
    for path in paths:
        loaded, _, problems = load_case(root, path, keys)
        out.add([] if loaded is None else [loaded], problems)
    return out


def _load_parallel(
    root: Path, workers: int, keystore: Keystore | None, progress: Progress | None
) -> _Loaded | None:
    """The case files loaded by `workers` forked processes, or None when not worth it."""
    paths = [p for p in case_paths(root) if CASE_NAME.match(p.name)]
    if workers < 2 or len(paths) < PARALLEL_FROM or os.name != "posix":
        return None
    # A few chunks per worker, so that progress is heard of as each one comes back.
    count = workers * CHUNKS_PER_WORKER
    chunks = [paths[i::count] for i in range(count)]
    out = _Loaded()
    context = multiprocessing.get_context("fork")
    done = 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for chunk, loaded in zip(
            chunks, pool.map(_load_cases, [root] * count, chunks, [keystore] * count), strict=True
        ):
            out.merge(loaded)
            done += len(chunk)
            if progress is not None:
                progress("reading cases", done, len(paths))
    return out


def _keys_missing(unopened: list[str], keystore: Keystore | None) -> SiteKeysMissing:
    shown = ", ".join(sorted(unopened)[:10]) + (" and more" if len(unopened) > 10 else "")
    where = (
        "no keystore was found"
        if keystore is None
        else f"the keystore {keystore.name} has no key for {len(unopened)} of them ({shown})"
    )
    return SiteKeysMissing(
        f"the site shows customers' names, which are sealed in the case files, and {where}; "
        "the site is never published with placeholders. Build it where the keys are: "
        f"mcr build --keystore DIR|vault:MOUNT/PREFIX (or ${KEYSTORE_ENV})"
    )


def load_site_data(
    root: Path,
    today: date,
    workers: int = 1,
    keystore: Keystore | None = None,
    progress: Progress | None = None,
) -> SiteData:
    """Load the register, opening its sealed values with `keystore`, and derive every case's
    status; the full rule check is `mcr check`'s.

    A case file that does not load would silently vanish from the site (and a front-line
    officer would not be warned), so any loading error stops the build, and so does a sealed
    value that no key opens (`SiteKeysMissing`). With `workers` > 1 a large register's case
    files are loaded by that many processes (a build's longest step).
    """
    parallel = _load_parallel(root, workers, keystore, progress)
    keys = keystore.get if keystore is not None else None
    # With workers, the case files were loaded there; the rest of cases/ is listed here, so
    # that a link or a FIFO in it stops the build as it does without them (MC020).
    rest = [p for p in case_paths(root) if not CASE_NAME.match(p.name)]
    register, findings = load_register(
        root, None if parallel is None else rest, keys, progress if parallel is None else None
    )
    loaded = _Loaded()
    loaded.add(register.cases, findings)
    if parallel is not None:
        loaded.merge(parallel)
    cases, findings = loaded.cases, loaded.findings
    errors = [f for f in findings if f.severity is Severity.ERROR]
    for case_id, count in Counter(c.id for c in cases).items():
        if count > 1:
            # Two files claiming one id would show one customer's measures under the other's
            # name; the build stops as it does for a file that does not load.
            errors.append(
                Finding(
                    f"{CASES_DIR}/",
                    1,
                    1,
                    "id",
                    "MC105",
                    Severity.ERROR,
                    f"{count} case files carry the id {case_id}",
                )
            )
    if errors or register.policy is None:
        shown = "\n".join(f"  {f.location()}: {f.rule}: {f.message}" for f in errors[:10])
        more = f"\n  ... and {len(errors) - 10} more" if len(errors) > 10 else ""
        raise SiteDataError(
            "the register does not load, so the site cannot be built; run `mcr check`:\n"
            + shown
            + more
        )
    if loaded.unopened:
        raise _keys_missing(loaded.unopened, keystore)
    policy = register.policy
    statuses = {case.id: derive(case, policy, today) for case in cases}
    deletions = tuple(register.deletions.deletions) if register.deletions else ()
    return SiteData(
        root=root,
        today=today,
        policy=policy,
        index=Index(policy),
        cases=tuple(sorted(cases, key=lambda c: c.id)),
        statuses=statuses,
        deleted=len(deletions),
        deletions=deletions,
    )


# --- Personal data held ---------------------------------------------------------------------

#: The personal fields a front-line case page shows (by their path in `personal_fields`), and
#: those the dashboard shows; every other one is seen by the Customer Relations Team only.
SHOWN_ON_CASE_PAGES = frozenset(
    {
        "customer.name",
        "customer.aliases",
        "decisions[].statutory_access",
        *(
            f"{entry}[].measures[].{name}"
            for entry in ("decisions", "reviews", "challenges")
            for name in ("times", "premises", "description")
        ),
    }
)
SHOWN_ON_DASHBOARD = frozenset({"legal_holds[].reference"})


@dataclass(frozen=True)
class PersonalField:
    """A field of a case file that holds personal data (sealed in the file)."""

    path: str
    description: str
    #: Where the site shows it ("case page", "dashboard"), or None: in the case file only.
    shown_on: str | None


def _model_of(annotation: Any) -> tuple[type[BaseModel], bool] | None:
    """The model inside a field's type, and whether the field is a list of them."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    origin = get_origin(annotation)
    if origin in (list, Union, types.UnionType):
        for arg in get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found[0], found[1] or origin is list
    return None


def _personal(model: type[BaseModel], prefix: str) -> Iterator[PersonalField]:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        extra = info.json_schema_extra
        if isinstance(extra, dict) and extra.get(PERSONAL_MARK):
            shown = (
                "case page"
                if path in SHOWN_ON_CASE_PAGES
                else "dashboard"
                if path in SHOWN_ON_DASHBOARD
                else None
            )
            yield PersonalField(path, info.description or "", shown)
            continue
        found = _model_of(info.annotation)
        if found is not None:
            sub, many = found
            yield from _personal(sub, f"{path}[]." if many else f"{path}.")


def personal_fields() -> list[PersonalField]:
    """Every field of a case file marked as personal data (``x-personal-data``), in order."""
    return list(_personal(Case, ""))


# --- Links ---------------------------------------------------------------------------------


def page_url(src: str, directory_urls: bool = True) -> str:
    """The URL (relative to the site root) a Markdown page at `src` is published at."""
    stem = src[: -len(".md")] if src.endswith(".md") else src
    head, _, name = stem.rpartition("/")
    if name in ("index", "README"):
        return f"{head}/" if head else ""
    if directory_urls:
        return f"{stem}/"
    return f"{stem}.html"


def relative_url(from_src: str, to_src: str, directory_urls: bool = True) -> str:
    """A link from the page at `from_src` to the page at `to_src`, as a relative URL."""
    here = page_url(from_src, directory_urls)
    there = page_url(to_src, directory_urls)
    base = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"
    rel = posixpath.relpath("/" + there, "/" + base)
    if there.endswith("/") or not there:
        rel = rel.rstrip("/") + "/" if rel != "." else "./"
    return rel


def case_src(case_id: str) -> str:
    return f"{CASES_DIR}/{case_id}.md"


# --- View models -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """A councillor's choice about one arrangement."""

    councillor: str
    case_id: str
    customer: str
    choice: str
    since: date
    withdrawn: date | None
    url: str | None


@dataclass(frozen=True)
class CaseView:
    """An active case as the site shows it."""

    id: str
    name: str
    aliases: tuple[str, ...]
    stage: int
    state: str
    since: date | None
    expires: date | None
    next_review: date | None
    review_overdue: bool
    escalation_pending: bool
    council_wide: bool
    services: tuple[str, ...]
    statutory: tuple[str, ...]
    statutory_access: str | None
    measures: tuple[str, ...]
    spocs: tuple[Contact, ...]
    allowed_channel: str | None
    blocked_channels: tuple[str, ...]
    general: tuple[Step, ...]
    situations: tuple[Situation, ...]
    councillors: tuple[Choice, ...]

    @property
    def scope(self) -> str:
        if self.council_wide:
            return "Council-wide"
        return "One service" if len(self.services) == 1 else "Several services"


def pieces_html(pieces: tuple[Piece, ...]) -> Markup:
    """A step's text in HTML (the templates' `pieces` filter): every part escaped, a case's
    value in bold."""
    out = Markup("")
    for piece in pieces:
        if piece.value:
            out += Markup("<strong>{}</strong>").format(piece.text)
        else:
            out += escape(piece.text)
    return out


def current_choices(case: Case, data: SiteData) -> list[Choice]:
    """Councillors' choices on this case not withdrawn by `today`."""
    return [c for c in choices(case, data) if c.withdrawn is None or c.withdrawn > data.today]


def choices(case: Case, data: SiteData) -> list[Choice]:
    out = []
    for choice in case.councillors:
        person = data.index.people.get(choice.councillor)
        out.append(
            Choice(
                councillor=person.name if person else choice.councillor,
                case_id=case.id,
                customer=case.customer.name,
                choice=choice.choice,
                since=choice.date,
                withdrawn=choice.withdrawn,
                url=None,
            )
        )
    return out


def case_view(case: Case, data: SiteData) -> CaseView:
    """Everything a front-line officer needs about an active case, and nothing else."""
    status = data.statuses[case.id]
    index = data.index
    line = front_line(status.measures, index)
    services = [index.services[s] for s in case.scope.services if s in index.services]
    decision = status.decision
    return CaseView(
        id=case.id,
        name=case.customer.name,
        aliases=tuple(case.customer.aliases),
        stage=status.stage or 0,
        state=STATE_WORDS[status.state],
        since=status.since,
        expires=status.expires,
        next_review=status.next_review_due,
        review_overdue=bool(status.next_review_due and status.next_review_due < data.today),
        escalation_pending=status.escalation_pending,
        council_wide=case.scope.council_wide,
        services=tuple(s.label for s in services),
        statutory=tuple(s.label for s in services if s.statutory),
        statutory_access=decision.statutory_access if decision else None,
        measures=tuple(
            index.measures[m.measure].label if m.measure in index.measures else m.measure
            for m in status.measures
        ),
        spocs=line.spocs,
        allowed_channel=line.allowed_channel,
        blocked_channels=line.blocked_channels,
        general=line.general,
        situations=line.situations,
        councillors=tuple(current_choices(case, data)),
    )


# --- Dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One bar: its label and count, and whether the count is too small to show (then it has
    no bar, whose length would give it away, and reads "fewer than N")."""

    label: str
    value: int
    suppressed: bool = False
    threshold: int = 0

    @property
    def text(self) -> str:
        return f"fewer than {self.threshold}" if self.suppressed else str(self.value)


def _bars(labels: list[str], values: list[int], threshold: int) -> tuple[Bar, ...]:
    """A chart's bars with small counts suppressed, so that none can be worked out from the
    others (`documents.figures.shown_group`)."""
    cells, _ = figures.shown_group(values, threshold)
    return tuple(
        Bar(label, cell.value, cell.suppressed, threshold)
        for label, cell in zip(labels, cells, strict=True)
    )


# A chart's layout, in CSS pixels. The chart has no viewBox: it is as wide as the page allows (at
# most 600px, in register.css) and its text is never scaled down, so labels keep their size on a
# phone. A label wraps after LABEL_CHARS characters to fit a phone's width; a bar's length is a
# share of the chart's width, the longest BAR_SHARE per cent (leaving room for its value).
LABEL_CHARS = 36
LABEL_LINE = 18
LABEL_BASELINE = 14
BAR_HEIGHT = 14
ROW_GAP = 7
BAR_SHARE = 85.0


@dataclass(frozen=True)
class BarRow:
    """One bar as drawn: its label's lines (each with its baseline), the bar's top, and its
    length as a percentage of the chart's width."""

    bar: Bar
    lines: tuple[tuple[int, str], ...]
    bar_top: int
    share: float
    bar_height: int = BAR_HEIGHT

    @property
    def value_baseline(self) -> int:
        return self.bar_top + self.bar_height - 2


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart, drawn as inline SVG by the template."""

    id: str
    title: str
    bars: tuple[Bar, ...]
    unit: str = "cases"

    @property
    def most(self) -> int:
        return max((b.value for b in self.bars if not b.suppressed), default=0) or 1

    @property
    def layout(self) -> tuple[tuple[BarRow, ...], int]:
        """The bars from the top down, and the height they take."""
        rows = []
        top = 0
        for bar in self.bars:
            words = textwrap.wrap(bar.label, LABEL_CHARS) or [""]
            lines = tuple(
                (top + LABEL_BASELINE + LABEL_LINE * n, line) for n, line in enumerate(words)
            )
            bar_top = top + LABEL_LINE * len(lines) + 1
            share = 0.0 if bar.suppressed else round(bar.value / self.most * BAR_SHARE, 1)
            rows.append(BarRow(bar, lines, bar_top, share))
            top = bar_top + BAR_HEIGHT + ROW_GAP
        return tuple(rows), top + 4

    @property
    def description(self) -> str:
        return "; ".join(f"{b.label}: {b.text}" for b in self.bars) or "no cases"


@dataclass(frozen=True)
class Due:
    """A due item with what the page needs to show it."""

    item: DueItem
    case: Case
    url: str | None
    active: bool


@dataclass(frozen=True)
class Hold:
    case_id: str
    url: str | None
    name: str | None
    reason: str
    start: date
    reference: str


@dataclass(frozen=True)
class OpenChallenge:
    case_id: str
    url: str | None
    name: str | None
    entry: str
    against: str
    received: date


def _charts(data: SiteData) -> tuple[Chart, ...]:
    index = data.index
    states = Counter(data.statuses[c.id].state for c in data.cases)
    active = data.active
    services: Counter[str] = Counter()
    conduct: Counter[str] = Counter()
    for case in active:
        services.update(case.scope.services)
        decision = data.statuses[case.id].decision
        if decision is not None:
            conduct.update(decision.conduct)
    threshold = data.policy.settings.small_count_threshold
    kept = [c for c in index.policy.vocabulary.conduct if conduct[c.id]]
    return (
        Chart(
            "chart-stage",
            "Cases by stage",
            _bars(
                ["Stage 1", "Stage 2", "Dormant"],
                [states["stage-1"], states["stage-2"], states["dormant"]],
                threshold,
            ),
        ),
        Chart(
            "chart-service",
            "Active cases by service",
            _bars(
                [s.label for s in index.policy.vocabulary.services],
                [services[s.id] for s in index.policy.vocabulary.services],
                threshold,
            ),
        ),
        Chart(
            "chart-conduct",
            "Active cases by conduct (as decided)",
            _bars([c.label for c in kept], [conduct[c.id] for c in kept], threshold),
        ),
    )


def state_counts(data: SiteData) -> dict[str, str]:
    """The number of cases in each state as the site shows it: small counts suppressed, so that
    none can be worked out from the others."""
    states: Counter[str] = Counter(s.state for s in data.statuses.values())
    names = ("stage-1", "stage-2", "dormant")
    cells, _ = figures.shown_group(
        [states[n] for n in names], data.policy.settings.small_count_threshold
    )
    return {n: c.text for n, c in zip(names, cells, strict=True)}


#: The site's statistics page covers this many whole calendar months before the current one.
STATISTICS_MONTHS = 12


# --- Rendering -----------------------------------------------------------------------------


@dataclass
class Renderer:
    """Renders the generated pages and fragments from `SiteData`."""

    data: SiteData
    directory_urls: bool = True
    env: Environment = field(init=False)
    _views: dict[str, CaseView] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.env = Environment(
            loader=PackageLoader("managed_contact.site", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.globals["settings"] = self.data.policy.settings
        self.env.globals["today"] = self.data.today
        self.env.globals["said"] = said
        self.env.filters["pieces"] = pieces_html

    def view(self, case: Case) -> CaseView:
        """The case as the site shows it, worked out once per build."""
        found = self._views.get(case.id)
        if found is None:
            found = self._views[case.id] = case_view(case, self.data)
        return found

    def _url(self, here: str, case_id: str) -> str | None:
        status = self.data.statuses.get(case_id)
        if status is None or not status.active:
            return None
        return relative_url(here, case_src(case_id), self.directory_urls)

    def _link(self, here: str, target: str) -> str:
        return relative_url(here, target, self.directory_urls)

    def _render(self, template: str, here: str, **context: object) -> str:
        return self.env.get_template(template).render(
            here=here,
            link=lambda target: self._link(here, target),
            **context,
        )

    def pages(self) -> dict[str, str]:
        """Every generated page, by its path in the docs tree."""
        out = {
            "policy/index.md": self.policy_page(),
            "register.md": self.register_page(),
            "dashboard.md": self.dashboard_page(),
            "councillors.md": self.councillors_page(),
            "personal-data.md": self.personal_data_page(),
            "statistics.md": self.statistics_page(),
        }
        for case in self.data.active:
            out[case_src(case.id)] = self.case_page(case)
        return out

    def case_sources(self) -> list[str]:
        return [case_src(c.id) for c in self.data.active]

    def policy_page(self) -> str:
        part_a = (self.data.root / PART_A).read_text(encoding="utf-8").lstrip()
        heading, _, body = part_a.partition("\n")
        # Part A is the council's own Markdown, published as written (a test guards its words).
        return self._render(
            "policy.md.j2", "policy/index.md", heading=Markup(heading), body=Markup(body)
        )

    def register_page(self) -> str:
        here = "register.md"
        views = [self.view(c) for c in self.data.active]
        dormant = sum(1 for s in self.data.statuses.values() if s.state == "dormant")
        opened = sum(1 for s in self.data.statuses.values() if s.state == "new")
        return self._render(
            "register.md.j2",
            here,
            cases=views,
            urls={v.id: self._url(here, v.id) for v in views},
            dormant=dormant,
            opened=opened,
        )

    def case_page(self, case: Case) -> str:
        here = case_src(case.id)
        return self._render("case.md.j2", here, case=self.view(case))

    def due(self, here: str) -> list[Due]:
        by_id = {c.id: c for c in self.data.cases}
        items = due_items(
            self.data.statuses, self.data.today, self.data.policy.periods.due_soon_days
        )
        return [
            Due(
                item=item,
                case=by_id[item.case_id],
                url=self._url(here, item.case_id),
                active=self.data.statuses[item.case_id].active,
            )
            for item in items
        ]

    def dashboard_page(self) -> str:
        here = "dashboard.md"
        data = self.data
        holds: list[Hold] = []
        challenges: list[OpenChallenge] = []
        for case in data.cases:
            active = data.statuses[case.id].active
            url = self._url(here, case.id)
            name = case.customer.name if active else None
            for hold in case.legal_holds:
                if hold.end is None or hold.end >= data.today:
                    holds.append(Hold(case.id, url, name, hold.reason, hold.start, hold.reference))
            for challenge in case.challenges:
                if challenge.outcome is None:
                    challenges.append(
                        OpenChallenge(
                            case.id, url, name, challenge.id, challenge.against, challenge.received
                        )
                    )
        escalations = [self.view(c) for c in data.active if data.statuses[c.id].escalation_pending]
        return self._render(
            "dashboard.md.j2",
            here,
            due=self.due(here),
            holds=holds,
            challenges=challenges,
            escalations=escalations,
            urls={c.id: self._url(here, c.id) for c in data.active},
            charts=_charts(data),
            window=data.policy.periods.due_soon_days,
            deleted=figures.shown(data.deleted, data.policy.settings.small_count_threshold).text,
        )

    def statistics_page(self) -> str:
        """The committee figures for the last whole months, as `mcr report` gives them."""
        data = self.data
        start, end = figures.last_whole_months(data.today, STATISTICS_MONTHS)
        found = figures.compute(data.policy, data.cases, data.deletions, start, end, data.today)
        return self._render(
            "statistics.md.j2",
            "statistics.md",
            body=Markup(figures.to_markdown(found)),
            months=STATISTICS_MONTHS,
        )

    def councillors_page(self) -> str:
        here = "councillors.md"
        data = self.data
        councillors = [
            p for p in data.policy.people.people if any(r.role == "councillor" for r in p.roles)
        ]
        by_person: dict[str, list[Choice]] = {p.id: [] for p in councillors}
        for case in data.active:
            for raw, choice in zip(case.councillors, choices(case, data), strict=True):
                by_person.setdefault(raw.councillor, []).append(
                    Choice(
                        councillor=choice.councillor,
                        case_id=choice.case_id,
                        customer=choice.customer,
                        choice=choice.choice,
                        since=choice.since,
                        withdrawn=choice.withdrawn,
                        url=self._url(here, case.id),
                    )
                )
        people = {p.id: p.name for p in data.policy.people.people}
        rows = [
            (people.get(pid, pid), sorted(items, key=_choice_key))
            for pid, items in by_person.items()
        ]
        return self._render("councillors.md.j2", here, councillors=rows)

    def personal_data_page(self) -> str:
        policy = self.data.policy
        return self._render(
            "personal_data.md.j2",
            "personal-data.md",
            fields=personal_fields(),
            periods=policy.periods,
            demo=policy.settings.demo,
        )

    def fragment(self, name: str, here: str) -> str | None:
        """A generated fragment a hand-written page asked for, or None if there is none."""
        if name == "overdue":
            overdue = [d for d in self.due(here) if d.item.overdue]
            return self._render("overdue.html.j2", here, overdue=overdue)
        if name == "right-to-challenge":
            return self._render("challenge.html.j2", here)
        if name == "counts":
            return self._render("counts.html.j2", here, states=state_counts(self.data))
        return None

    def fill(self, markdown: str, here: str) -> str:
        """Replace each ``<!-- managed-contact:NAME -->`` in a hand-written page."""

        def replace(match: re.Match[str]) -> str:
            found = self.fragment(match.group(1), here)
            if found is None:
                raise SiteDataError(f"{here}: no generated fragment named {match.group(1)!r}")
            return found

        return FRAGMENT.sub(replace, markdown)


def _choice_key(choice: Choice) -> tuple[str, date]:
    return (choice.case_id, choice.since)


def render_site(
    root: Path, today: date, directory_urls: bool = True, keystore: Keystore | None = None
) -> tuple[Renderer, dict[str, str]]:
    """Load the register (opened with `keystore`) and render every generated page (for tests
    and other generators)."""
    renderer = Renderer(load_site_data(root, today, keystore=keystore), directory_urls)
    return renderer, renderer.pages()
