"""Subject access: everything the register holds about one person, in plain words.

`subject_access` reads the case file as it is now and every past version of it in git history,
opens them with the case's key, and gathers, in date order: identity and contact details,
incidents, adjustments, resolution attempts, decisions and reasons, reviews, letters,
challenges, police reports, legal holds, activity, councillors' choices, and corrections (the
person's rectifications); what the front-line page shows staff; when the case will be deleted;
the reply deadline of a recorded subject access request; and a list of third-party items to
review for redaction before anything is sent. `write_report` writes it as Markdown and JSON,
readable by the owner only, in files named by case id.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..changes.git import GitError, Repository
from ..errors import ExitCode, McrError
from ..register.files import NotAFile, check_targets, private_folder, read_bytes, write_in
from ..register.index import Index
from ..register.lifecycle import STATE_WORDS, Status, derive
from ..register.loading import load_bytes
from ..register.model import Case, Measure
from ..register.personal import personal_values
from ..register.policy import Policy
from ..register.progress import Progress, counted
from ..register.schedule import open_holds, sar_deadline
from ..register.snapshot import case_from, load_policy
from ..register.words import describe_measure
from ..sealing.tokens import CaseKey


class AccessError(McrError):
    """The subject access report cannot be made; the message says why."""

    exit_code = ExitCode.FINDINGS


@dataclass(frozen=True)
class Item:
    """One thing held, dated, in plain words."""

    day: str
    section: str
    entry: str
    text: str


@dataclass(frozen=True)
class ThirdParty:
    """Something about someone other than the person: review it before disclosure."""

    where: str
    kind: str
    text: str


@dataclass
class Report:
    """What `subject_access` found."""

    case_id: str
    made_on: str
    versions: int
    identity: dict[str, list[str]] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    earlier: list[Item] = field(default_factory=list)
    front_line: list[str] = field(default_factory=list)
    state: str = ""
    deletion: str = ""
    sar_deadlines: list[str] = field(default_factory=list)
    third_parties: list[ThirdParty] = field(default_factory=list)
    unreadable: int = 0


class _Words:
    """Ids turned into the words people use."""

    def __init__(self, policy: Policy) -> None:
        self.people = {p.id: p.name for p in policy.people.people}
        vocab = policy.vocabulary
        self.labels: dict[str, str] = {c.id: c.label for c in vocab.conduct}
        self.labels |= {c.id: c.label for c in vocab.channels}
        self.labels |= {s.id: s.label for s in vocab.services}
        self.index = Index(policy)

    def person(self, pid: str | None) -> str:
        return self.people.get(pid or "", pid or "")

    def label(self, slug: str) -> str:
        return self.labels.get(slug, slug)

    def labels_of(self, slugs: list[str]) -> str:
        return ", ".join(self.label(s) for s in slugs)

    def measure(self, m: Measure) -> str:
        return describe_measure(m, self.index)


def _items(case: Case, w: _Words) -> Iterator[Item]:
    for i in case.incidents:
        text = (
            f"Incident: by {w.label(i.channel)} to {w.label(i.service)}; recorded as "
            f"{w.labels_of(i.categories)}; staff affected: {i.staff_affected}. What happened: "
            f"{i.account}"
        )
        for o in i.opinions:
            text += f" Opinion of {w.person(o.by)}: {o.text}"
        yield Item(i.date.isoformat(), "incidents", i.id, text)
    for a in case.adjustments:
        yield Item(
            a.date.isoformat(),
            "adjustments",
            a.id,
            f"Adjustment considered ({a.outcome}): {a.description}",
        )
    for r in case.resolution_attempts:
        yield Item(
            r.date.isoformat(),
            "resolution_attempts",
            r.id,
            f"Attempt to resolve your concerns by {w.label(r.service)}: {r.description}",
        )
    for d in case.decisions:
        text = (
            f"Decision by {w.person(d.decided_by)}: stage {d.stage}, because of "
            f"{w.labels_of(d.conduct)}. Reason given: {d.reason}"
        )
        if d.extreme_reason:
            text += f" Why the conduct was judged extreme: {d.extreme_reason}"
        if d.business_case:
            text += f" Business case: {d.business_case.summary}"
        if d.against_recommendation_reason:
            text += (
                " Decided against the Customer Relations Team's recommendation, because: "
                f"{d.against_recommendation_reason}"
            )
        if d.statutory_access:
            text += f" Access to statutory services: {d.statutory_access}"
        text += " Measures: " + " | ".join(w.measure(m) for m in d.measures)
        yield Item(d.date.isoformat(), "decisions", d.id, text)
    for rev in case.reviews:
        people = ", ".join(w.person(p) for p in rev.reviewed_by)
        text = f"Review by {people}: outcome {rev.outcome}. Considerations: {rev.considerations}"
        if rev.measures:
            text += " Measures: " + " | ".join(w.measure(m) for m in rev.measures)
        yield Item(rev.date.isoformat(), "reviews", rev.id, text)
    for letter in case.letters:
        yield Item(
            letter.date.isoformat(),
            "letters",
            letter.id,
            f"A {letter.medium} from {w.person(letter.sent_by)} about {letter.about}",
        )
    for c in case.challenges:
        text = f"Your challenge to {c.against}. Your grounds: {c.grounds}"
        if c.outcome:
            text += f" Decided by {w.person(c.decided_by)} on {c.decided}: {c.outcome}"
        yield Item(c.received.isoformat(), "challenges", c.id, text)
    for p in case.police_reports:
        yield Item(
            p.date.isoformat(),
            "police_reports",
            p.id,
            f"Reported to the police (reference {p.reference}) about {', '.join(p.incidents)}",
        )
    for h in case.legal_holds:
        end = f", ended {h.end}" if h.end else ", open"
        yield Item(
            h.start.isoformat(),
            "legal_holds",
            h.id,
            f"Record kept from deletion: {h.reason} (reference {h.reference}){end}",
        )
    for t in case.activity:
        yield Item(t.date.isoformat(), "activity", t.id, f"Contact while closed: {t.summary}")
    for ch in case.councillors:
        yield Item(
            ch.date.isoformat(),
            "councillors",
            ch.councillor,
            f"Councillor {w.person(ch.councillor)}: {ch.choice}"
            + (f", withdrawn {ch.withdrawn}" if ch.withdrawn else ""),
        )
    for k in case.corrections:
        yield Item(
            k.date.isoformat(),
            "corrections",
            k.id,
            f"Rectification of {k.entry}: corrected by {w.person(k.made_by)}, approved by "
            f"{w.person(k.approved_by)}, because: {k.reason}",
        )


_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+\b")


def _third_parties(case: Case, w: _Words) -> Iterator[ThirdParty]:
    for i in case.incidents:
        yield ThirdParty(f"incidents[{i.id}].staff_affected", "staff affected", i.staff_affected)
        for o in i.opinions:
            yield ThirdParty(f"incidents[{i.id}].opinions", "opinion's author", w.person(o.by))
    measures = [(f"decisions[{d.id}]", m) for d in case.decisions for m in d.measures]
    measures += [(f"reviews[{r.id}]", m) for r in case.reviews for m in r.measures or []]
    for where, m in measures:
        if m.advocate:
            yield ThirdParty(f"{where}.measures", "advocate", m.advocate)
    known = {case.customer.name, *case.customer.aliases, *w.people.values(), *w.labels.values()}
    for _, label, value in personal_values(case.model_dump(mode="json")):
        if label.startswith("customer.") or not isinstance(value, str):
            continue
        for name in sorted(set(_NAME.findall(value)) - known):
            yield ThirdParty(label, "possible name in free text (a prompt: check by reading)", name)


def _versions(root: Path, case_id: str) -> list[bytes]:
    try:
        repo = Repository(root)
        repo.resolve("HEAD")
    except GitError:
        return []
    path = repo.prefix() + f"cases/{case_id}.yaml"
    return [v.content for v in repo.versions(path) if v.content is not None]


def _open(raw: bytes, case_id: str, key: CaseKey) -> Case | None:
    """One version of the case, every value opened; None if any value does not open."""
    file = f"cases/{case_id}.yaml"
    loaded, _, _ = case_from(Path(file), file, load_bytes(raw, file), lambda _: key)
    return loaded.case if loaded is not None and not loaded.sealed else None


def subject_access(
    root: Path, case_id: str, key: CaseKey, today: date, progress: Progress | None = None
) -> Report:
    """Everything held about the person of `case_id`, now and in every past version
    (`progress` hears of each version opened)."""
    policy, _, _ = load_policy(root)
    if policy is None:
        raise AccessError("the policy data does not load: run `mcr check`")
    path = root / "cases" / f"{case_id}.yaml"
    raws = _versions(root, case_id)
    try:
        raws.append(read_bytes(path))
    except FileNotFoundError:
        pass
    except NotAFile as exc:
        raise AccessError(
            f"cases/{case_id}.yaml is {exc.kind}, not a regular file: run `mcr check`"
        ) from None
    if not raws:
        raise AccessError(f"there is no case {case_id}, now or in history")
    w = _Words(policy)
    report = Report(case_id, today.isoformat(), len(raws))
    cases: list[Case] = []
    seen: dict[bytes, Case | None] = {}
    for raw in counted(raws, progress, "opening versions"):
        if raw not in seen:
            seen[raw] = _open(raw, case_id, key)
        case = seen[raw]
        if case is None:
            report.unreadable += 1
        else:
            cases.append(case)
    if not cases:
        raise AccessError(f"no version of {case_id} opens with its key")
    current = cases[-1]
    for case in cases:
        c = case.customer
        for name, values in (
            ("name", [c.name]),
            ("aliases", list(c.aliases)),
            ("address", [c.address] if c.address else []),
            ("email", [c.email] if c.email else []),
            ("phone", [c.phone] if c.phone else []),
            ("reference", [c.reference] if c.reference else []),
        ):
            held = report.identity.setdefault(name, [])
            held.extend(v for v in values if v not in held)
    now = {(i.section, i.entry): i for i in _items(current, w)}
    report.items = sorted(now.values(), key=lambda i: (i.day, i.section, i.entry))
    earlier: dict[tuple[str, str, str], Item] = {}
    for case in cases[:-1]:
        for item in _items(case, w):
            if now.get((item.section, item.entry)) != item:
                earlier.setdefault((item.section, item.entry, item.text), item)
    report.earlier = sorted(earlier.values(), key=lambda i: (i.day, i.section, i.entry))
    status = derive(current, policy, today)
    report.state = STATE_WORDS[status.state]
    report.front_line = [w.measure(m) for m in status.measures] if status.active else []
    report.deletion = _deletion_words(status, policy)
    for hold in open_holds(current.legal_holds, today):
        deadline = sar_deadline(hold)
        if deadline is not None:
            report.sar_deadlines.append(
                f"request received {hold.start} (hold {hold.id}): reply due by {deadline}"
            )
    third: dict[tuple[str, str, str], ThirdParty] = {}
    for case in cases:
        for t in _third_parties(case, w):
            third.setdefault((t.where, t.kind, t.text), t)
    report.third_parties = list(third.values())
    return report


def _deletion_words(status: Status, policy: Policy) -> str:
    months = policy.periods.dormant_retention_months
    if status.state == "dormant" and status.deletion_due is not None:
        held = f" (kept longer while legal hold {', '.join(status.open_holds)} is open)"
        return f"due for deletion on {status.deletion_due}" + (held if status.open_holds else "")
    return f"{months} months after the case closes (goes dormant), unless there is further contact"


def markdown(report: Report) -> str:
    """The report in plain words, as Markdown."""
    out = [f"# Subject access: {report.case_id}", ""]
    out += [
        f"Made on {report.made_on} from the current case file and {report.versions} versions "
        "in the register's history.",
        "",
    ]
    if report.sar_deadlines:
        out += ["## Deadline", ""] + [f"- {d}" for d in report.sar_deadlines] + [""]
    out += ["## Identity and contact details", ""]
    for name, values in report.identity.items():
        if values:
            out.append(f"- {name}: " + "; ".join(values))
    out += ["", "## What is recorded, in date order", ""]
    out += [f"- {i.day} ({i.section} {i.entry}): {i.text}" for i in report.items]
    if report.earlier:
        out += ["", "## Earlier versions of entries (held in the register's history)", ""]
        out += [f"- {i.day} ({i.section} {i.entry}): {i.text}" for i in report.earlier]
    out += ["", "## What staff see on the internal site", "", f"- state: {report.state}"]
    out += [f"- {m}" for m in report.front_line] or ["- no measures in force"]
    out += ["", "## When it will be deleted", "", f"- {report.deletion}", ""]
    out += ["## For redaction review (third parties; not for disclosure as is)", ""]
    out += [f"- {t.where}: {t.kind}: {t.text}" for t in report.third_parties] or ["- none"]
    if report.unreadable:
        out += ["", f"{report.unreadable} version(s) could not be opened with the case's key."]
    return "\n".join(out) + "\n"


def write_report(report: Report, directory: Path) -> list[Path]:
    """Write the report as `<case id>-sar.md` and `.json` in `directory` (mode 0600), which
    must be private: made 0700 if missing, else owned by this user, no symbolic link, and
    open to no one else (NotPrivate if not)."""
    names = [f"{report.case_id}-sar.md", f"{report.case_id}-sar.json"]
    data: dict[str, Any] = asdict(report)
    texts = [markdown(report), json.dumps(data, indent=2, ensure_ascii=False) + "\n"]
    folder = private_folder(directory, "a subject access report")
    try:
        check_targets(folder, names, directory)
        for name, text in zip(names, texts, strict=True):
            write_in(folder, name, text, mode=0o600, shown=directory / name)
    finally:
        os.close(folder)
    return [directory / name for name in names]
