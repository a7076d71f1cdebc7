"""The letter telling the customer of a decision, a review outcome or a challenge outcome.

A letter is drafted from the council's template for its kind (`policy/letters/<kind>.docx`,
edited in Word) with `docxtpl`, autoescaping on, so a case's text comes out as written. The
Markdown and HTML for email are read back from the rendered document, so all three say the same.

Before anything is rendered, the case must give everything `policy/settings.yaml`
`letter_contents` says a letter of this kind must state, and the template must have a
placeholder for each of those items (`PLACEHOLDERS`): otherwise `LetterRefused`, naming every
missing item by its id and label, never by a value of the case.

A letter holds the customer's name and address, so it is written only outside the repository,
into a directory only its owner can read; its file names carry the case id and entry id.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import docx
from docxtpl import DocxTemplate  # type: ignore[import-untyped]

from ..errors import ExitCode, McrError, UnknownCase
from ..register.files import check_targets, private_folder, write_in
from ..register.front_line import front_line
from ..register.index import Index
from ..register.lifecycle import STATE_WORDS, Status, derive
from ..register.model import Case, Challenge, Decision, Measure, Review
from ..register.policy import Policy
from ..register.snapshot import CaseFile, Keys, load_register
from ..register.words import describe_measure

#: The template of each kind of letter, in `policy/letters/`.
TEMPLATES = {
    "decision": "decision.docx",
    "review": "review.docx",
    "challenge-outcome": "challenge-outcome.docx",
}
#: The kind of letter an entry id asks for, by the id's letter.
KIND_OF_ENTRY = {"D": "decision", "R": "review", "C": "challenge-outcome"}
TEMPLATE_DIR = "policy/letters"

#: The placeholders a template must have to state each item of `letter_contents`.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "behaviour": ("conduct", "reason"),
    "impact": ("impact",),
    "measures": ("measures", "scope"),
    "contact-routes": ("contact",),
    "dates": ("dates",),
    "statutory-rights": ("statutory_rights",),
    "other-formats": ("other_formats",),
    "lgsco": ("lgsco",),
    "how-to-challenge": ("how_to_challenge",),
    "no-right-of-appeal": ("no_right_of_appeal",),
}

ENDED = "None: the measures no longer apply."

OUTCOME_WORDS = {
    "continue": "the arrangement continues",
    "escalate": "the arrangement moves to stage 2 (managed contact), which a senior officer "
    "decides",
    "close": "the arrangement ends",
    "upheld": "upheld: the decision is set aside and the arrangement ends",
    "varied": "varied: the measures are changed",
    "not-upheld": "not upheld: the decision stands",
}


class LetterRefused(McrError):
    """The letter was not drafted: `missing` names each item, without a value of the case."""

    exit_code = ExitCode.FINDINGS

    def __init__(self, message: str, missing: Sequence[str] = ()) -> None:
        super().__init__(message + "".join(f"\n  - {m}" for m in missing))
        self.missing = list(missing)


@dataclass(frozen=True)
class Draft:
    """A drafted letter: the document and its email text, and what it states."""

    case_id: str
    entry_id: str
    kind: str
    template: str
    #: The `letter_contents` ids the letter states.
    states: tuple[str, ...]
    docx: bytes
    markdown: str
    html: str

    @property
    def text_sha256(self) -> str:
        """The SHA-256 of the letter's text (its Markdown), recorded with the letter."""
        return hashlib.sha256(self.markdown.encode("utf-8")).hexdigest()

    @property
    def stem(self) -> str:
        """The file name without its extension: case id and entry id, never a name."""
        return f"{self.case_id}-{self.entry_id}-letter"


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# --- what the letter says -------------------------------------------------------------------

#: The order of entries of one day, as `lifecycle` replays them.
_ORDER = {"escalate": 0, "decisions": 1, "reviews": 2, "challenges": 3}


def _key(
    section: str, index: int, day: date, entry: Decision | Review | Challenge
) -> tuple[date, int, int]:
    escalate = isinstance(entry, Review) and entry.outcome == "escalate"
    return (day, _ORDER["escalate" if escalate else section], index)


def _until(case: Case, subject: _Subject) -> Case:
    """The case with only the history up to and including the subject."""
    last = _key(subject.section, subject.index, subject.day, subject.entry)
    return case.model_copy(
        update={
            "decisions": [
                d for i, d in enumerate(case.decisions) if _key("decisions", i, d.date, d) <= last
            ],
            "reviews": [
                r for i, r in enumerate(case.reviews) if _key("reviews", i, r.date, r) <= last
            ],
            "challenges": [
                c
                for i, c in enumerate(case.challenges)
                if c.decided is not None and _key("challenges", i, c.decided, c) <= last
            ],
        }
    )


@dataclass(frozen=True)
class _Subject:
    kind: str
    section: str
    index: int
    day: date
    entry: Decision | Review | Challenge


def _subject(case: Case, entry_id: str) -> _Subject:
    kind = KIND_OF_ENTRY.get(entry_id[:1])
    lists: dict[str, Sequence[Decision | Review | Challenge]] = {
        "decision": case.decisions,
        "review": case.reviews,
        "challenge-outcome": case.challenges,
    }
    sections = {"decision": "decisions", "review": "reviews", "challenge-outcome": "challenges"}
    found = None
    if kind is not None:
        found = next(((i, e) for i, e in enumerate(lists[kind]) if e.id == entry_id), None)
    if kind is None or found is None:
        known = [e.id for k in lists for e in lists[k]]
        raise UnknownCase(
            f"{case.id} has no decision, review or challenge '{entry_id}' to write about "
            f"(it has: {', '.join(known) or 'none'})"
        )
    index, entry = found
    if isinstance(entry, Challenge):
        if entry.decided is None or entry.outcome is None:
            raise LetterRefused(
                f"challenge {entry_id} of {case.id} is not decided yet: record its outcome "
                "('mcr record challenge-outcome') before writing to the customer"
            )
        day = entry.decided
    else:
        day = entry.date
    return _Subject(kind, sections[kind], index, day, entry)


def _measures_context(
    measures: Sequence[Measure], ix: Index, ended: bool
) -> tuple[list[str], list[str], list[str]]:
    """The measures in words, how the customer can still contact the council, and what is
    missing from that."""
    missing: list[str] = []
    if ended:
        return [ENDED], ["You may contact the council by any channel, as any customer."], []
    words = [describe_measure(m, ix) for m in measures]
    contact: list[str] = []
    spocs: dict[str, str] = {}
    times: list[str] = []
    for m in measures:
        kind = ix.measures.get(m.measure)
        if kind is not None and "spoc" in kind.required and not m.spoc:
            missing.append(f"measure '{m.measure}' needs a single point of contact and has none")
        if m.spoc:
            person = ix.people.get(m.spoc)
            if person is None:
                missing.append(f"single point of contact '{m.spoc}' is not in policy/people.yaml")
                continue
            spocs[m.spoc] = f"{person.name} ({person.email})" if person.email else person.name
        if m.times:
            times.append(m.times)
    line = front_line(measures, ix)
    if spocs:
        contact.append(f"Your single point of contact: {'; '.join(spocs.values())}")
    contact.append(f"How you may contact us: {line.channel_text()}")
    if times:
        contact.append(f"When: {'; '.join(dict.fromkeys(times))}")
    return words, contact, missing


def _scope(case: Case, ix: Index, ended: bool) -> str:
    verb = "applied" if ended else "apply"
    if case.scope.council_wide:
        return f"The measures {verb} to all council services."
    names = [ix.services[s].label if s in ix.services else s for s in case.scope.services]
    return f"The measures {verb} only to: {', '.join(names)}."


def _impact(case: Case, decision: Decision | None, ix: Index) -> list[str]:
    if decision is None:
        return []
    relied = set(decision.conduct)
    lines = []
    for incident in sorted(case.incidents, key=lambda i: i.date):
        if incident.date > decision.date or not relied & set(incident.categories):
            continue
        channel = ix.channels.get(incident.channel)
        service = ix.services.get(incident.service)
        how = (channel.label if channel else incident.channel).lower()
        lines.append(
            f"{long_date(incident.date)}, {how}"
            f", {service.label if service else incident.service}: {incident.staff_affected}"
        )
    return lines


def context_for(
    case: Case,
    entry_id: str,
    policy: Policy,
    day: date,
    signed_by: str | None = None,
) -> tuple[str, dict[str, Any], list[str], list[str]]:
    """The kind of letter, what its template is given, the `letter_contents` it must state,
    and each required item the case does not give (as `id (label): why`)."""
    ix = Index(policy)
    settings = policy.settings
    subject = _subject(case, entry_id)
    status: Status = derive(_until(case, subject), policy, day)
    entry = subject.entry
    decision = status.decision
    if isinstance(entry, Challenge):
        decision = next((d for d in case.decisions if d.id == entry.against), decision)
    ended = status.state == "dormant"
    measures = list(entry.measures) if isinstance(entry, Decision) else list(status.measures)
    words, contact, contact_missing = _measures_context(measures, ix, ended)
    why: dict[str, str] = {}
    if contact_missing:
        why["contact-routes"] = "; ".join(contact_missing)
    if not measures and not ended:
        why["measures"] = "no measures are in force after it"
    impact = _impact(case, decision, ix)
    if not impact:
        why["impact"] = (
            "no incident on record on or before the decision shows the conduct it relies on"
        )
    conduct = []
    if decision is not None:
        conduct = [ix.conduct[c].label if c in ix.conduct else c for c in decision.conduct]
    reason = (
        entry.considerations
        if isinstance(entry, Review)
        else (decision.reason if decision is not None else "")
    )
    if not conduct or not reason:
        why["behaviour"] = "no decision on record says which conduct and why"
    dates = []
    if decision is not None:
        dates.append(f"The decision was made on {long_date(decision.date)}.")
    if isinstance(entry, Review):
        dates.append(f"It was reviewed on {long_date(entry.date)}.")
    if isinstance(entry, Challenge) and entry.decided is not None:
        dates.append(f"Your request was decided on {long_date(entry.decided)}.")
    review_due = status.next_review_due
    if ended:
        dates.append(f"The arrangement ended on {long_date(subject.day)}.")
    elif review_due is not None:
        dates.append(f"We will review the arrangement no later than {long_date(review_due)}.")
        if status.expires is not None and status.expires > review_due:
            dates.append(f"It runs until {long_date(status.expires)} unless reviewed sooner.")
    else:
        why["dates"] = "no review or expiry date follows from it"
    if not settings.lgsco.strip():
        why["lgsco"] = "policy/settings.yaml gives no lgsco details"
    on = settings.right_to_challenge
    signer = ix.people.get(signed_by) if signed_by else None
    outcome = entry.outcome if isinstance(entry, Review | Challenge) else None
    wording = settings.letter_wording
    statutory = wording.statutory_rights
    if decision is not None and decision.statutory_access and not ended:
        statutory += f" {decision.statutory_access}"
    deciders = (
        entry.reviewed_by
        if isinstance(entry, Review)
        else [entry.decided_by]
        if entry.decided_by
        else []
    )
    names = [ix.people[p].name if p in ix.people else p for p in deciders]
    values: dict[str, Any] = {
        "council_name": settings.council_name,
        "case_id": case.id,
        "entry_id": entry_id,
        "letter_date": long_date(day),
        "customer_name": case.customer.name,
        "address": case.customer.address or "",
        "stage": STATE_WORDS.get(status.state, status.state)
        if not ended
        else STATE_WORDS["dormant"],
        "decision_date": long_date(decision.date) if decision is not None else "",
        "review_date": long_date(review_due) if review_due is not None and not ended else "",
        "expiry_date": long_date(status.expires) if status.expires is not None else "",
        "decided_by": " and ".join(names),
        "outcome": OUTCOME_WORDS.get(outcome, "") if outcome else "",
        "received": long_date(entry.received) if isinstance(entry, Challenge) else "",
        "against": entry.against if isinstance(entry, Challenge) else "",
        "conduct": conduct,
        "reason": reason,
        "impact": impact,
        "measures": words,
        "scope": _scope(case, ix, ended),
        "contact": contact,
        "dates": " ".join(dates),
        "statutory_rights": statutory,
        "other_formats": wording.other_formats,
        "lgsco": settings.lgsco,
        "how_to_challenge": (
            (
                wording.how_to_challenge_again
                if isinstance(entry, Challenge)
                else wording.how_to_challenge
            )
            if on
            else ""
        ),
        "no_right_of_appeal": "" if on else wording.no_right_of_appeal,
        "signed_by": signer.name if signer is not None else "Customer Relations Team",
    }
    required = ix.required_contents(None if ended else status.stage, day)
    missing = [f"{c} ({ix.letter_contents[c].label}): {why[c]}" for c in required if c in why]
    return subject.kind, values, required, missing


# --- rendering ------------------------------------------------------------------------------


def template_path(root: Path, kind: str) -> Path:
    return root / TEMPLATE_DIR / TEMPLATES[kind]


def placeholders(template: Path) -> set[str]:
    """The variables a letter template uses."""
    found: set[str] = DocxTemplate(str(template)).get_undeclared_template_variables()
    return found


def draft(
    root: Path,
    case: Case,
    entry_id: str,
    policy: Policy,
    day: date,
    signed_by: str | None = None,
) -> Draft:
    """The letter about `entry_id` of `case`, sent on `day`; LetterRefused, naming every
    missing item, unless the case and the template give all a letter of its kind states."""
    kind, values, required, missing = context_for(case, entry_id, policy, day, signed_by)
    template = template_path(root, kind)
    where = f"{TEMPLATE_DIR}/{template.name}"
    ix_labels = {c.id: c.label for c in policy.settings.letter_contents}
    if not template.is_file():
        raise LetterRefused(f"there is no letter template {where} for a {kind} letter")
    used = placeholders(template)
    for content in required:
        names = PLACEHOLDERS.get(content)
        if names is None:
            missing.append(
                f"{content} ({ix_labels[content]}): no placeholder is known for it, so no "
                "template can state it"
            )
            continue
        lacking = [n for n in names if n not in used]
        if lacking:
            missing.append(
                f"{content} ({ix_labels[content]}): template {where} has no "
                + ", ".join("{{ " + n + " }}" for n in lacking)
            )
    if missing:
        raise LetterRefused(
            f"no letter drafted for {case.id} {entry_id}: it would not state what "
            "policy/settings.yaml letter_contents requires",
            missing,
        )
    document = DocxTemplate(str(template))
    document.render(values, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    rendered = out.getvalue()
    blocks = _blocks(rendered)
    states = tuple(
        c.id
        for c in policy.settings.letter_contents
        if c.id in PLACEHOLDERS
        and all(n in used for n in PLACEHOLDERS[c.id])
        and all(values.get(n) for n in PLACEHOLDERS[c.id])
    )
    return Draft(
        case.id,
        entry_id,
        kind,
        template.name,
        states,
        rendered,
        markdown(blocks),
        to_html(blocks, f"{policy.settings.council_name}: {case.id} {entry_id}"),
    )


Block = tuple[str, str]
"""A paragraph of the rendered letter: its kind (title, heading, item, text) and its text."""


def _blocks(rendered: bytes) -> list[Block]:
    found: list[Block] = []
    for paragraph in docx.Document(io.BytesIO(rendered)).paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = paragraph.style.name if paragraph.style is not None else ""
        style = style or ""
        if style == "Title":
            found.append(("title", text))
        elif style.startswith("Heading"):
            found.append(("heading", text))
        elif style.startswith("List"):
            found.append(("item", text))
        else:
            found.append(("text", text))
    return found


_MD_INLINE = re.compile(r"([\\`*_\[\]])")
_MD_LINE_START = re.compile(r"^([#+=-]|\d+(?=[.)]))")


def md_escape(text: str) -> str:
    """`text` as Markdown that renders as exactly that text."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = _MD_INLINE.sub(r"\\\1", escaped)
    return _MD_LINE_START.sub(
        lambda m: m.group(1) + "\\" if m.group(1).isdigit() else "\\" + m.group(1), escaped
    )


def markdown(blocks: Sequence[Block]) -> str:
    out: list[str] = []
    previous = ""
    for kind, text in blocks:
        body = md_escape(text)
        if kind == "title":
            line = f"# {body}"
        elif kind == "heading":
            line = f"## {body}"
        elif kind == "item":
            line = f"- {body}"
        else:
            line = body
        if out and not (kind == "item" and previous == "item"):
            out.append("")
        out.append(line)
        previous = kind
    return "\n".join(out) + "\n"


def to_html(blocks: Sequence[Block], title: str) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        f'<head><meta charset="utf-8"><title>{html.escape(title)}</title></head>',
        "<body>",
    ]
    in_list = False
    for kind, text in blocks:
        if kind == "item" and not in_list:
            out.append("<ul>")
            in_list = True
        elif kind != "item" and in_list:
            out.append("</ul>")
            in_list = False
        tag = {"title": "h1", "heading": "h2", "item": "li"}.get(kind, "p")
        out.append(f"<{tag}>{html.escape(text)}</{tag}>")
    if in_list:
        out.append("</ul>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


# --- the case, and where the letter goes ----------------------------------------------------


def open_case(root: Path, case_id: str, keys: Keys | None) -> tuple[CaseFile, Policy]:
    """Case `case_id` with its personal values opened, and the policy; McrError unless both
    load and every sealed value opens."""
    path = root / "cases" / f"{case_id}.yaml"
    if not path.is_file():
        raise UnknownCase(f"no case {case_id}: there is no cases/{case_id}.yaml")
    register, _ = load_register(root, only=[path], keys=keys)
    loaded = register.case(case_id)
    if register.policy is None or loaded is None:
        raise LetterRefused(
            f"cases/{case_id}.yaml or the policy data does not load: run 'mcr check' and fix "
            "what it reports"
        )
    if loaded.sealed:
        raise LetterRefused(
            f"{loaded.placeholders} sealed value(s) of {case_id} could not be opened: a letter "
            "needs the case's key (give the keystore with --keystore)"
        )
    return loaded, register.policy


def work_tree(root: Path) -> Path:
    """The git work tree the register is in (the nearest directory above it with `.git`), or
    the register itself when it is in none."""
    root = root.resolve()
    for candidate in [root, *root.parents]:
        if (candidate / ".git").exists():
            return candidate
    return root


def default_output() -> Path:
    """A new private directory (0700) for letters, outside any repository."""
    return Path(tempfile.mkdtemp(prefix="mcr-letters-"))


def _inside(path: Path, tree: Path) -> bool:
    return path == tree or tree in path.parents


def outside_the_repository(directory: Path, root: Path) -> None:
    """LetterRefused when `directory` is in the repository's work tree (also through a link):
    a letter holds the customer's name and address and is never committed."""
    target = directory.expanduser().absolute()
    tree = work_tree(root)
    if _inside(target.resolve(), tree) or _inside(target, tree):
        raise LetterRefused(
            f"{directory} is inside the repository ({tree}): a letter holds the customer's "
            "name and address and is never committed; give a directory outside it"
        )


def write_letter(letter: Draft, directory: Path, root: Path) -> list[Path]:
    """Write the letter as `.docx`, `.md` and `.html` (mode 0600) into `directory`, which is
    outside the repository and private; the files' names carry the case and entry ids."""
    files: list[tuple[str, bytes]] = [
        (f"{letter.stem}.docx", letter.docx),
        (f"{letter.stem}.md", letter.markdown.encode("utf-8")),
        (f"{letter.stem}.html", letter.html.encode("utf-8")),
    ]
    outside_the_repository(directory, root)
    folder = private_folder(directory.expanduser().absolute(), "a letter")
    try:
        check_targets(folder, [name for name, _ in files], directory)
        for name, data in files:
            write_in(folder, name, data, mode=0o600, shown=directory / name)
    finally:
        os.close(folder)
    return [directory / name for name, _ in files]


def letter_for(
    root: Path,
    case_id: str,
    entry_id: str,
    keys: Keys | None,
    day: date,
    signed_by: str | None = None,
) -> Draft:
    """The letter about `entry_id` of case `case_id`, drafted from the register on disk."""
    loaded, policy = open_case(root, case_id, keys)
    return draft(root, loaded.case, entry_id, policy, day, signed_by)
