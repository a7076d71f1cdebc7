"""The rules: everything that can be judged on one snapshot of the register.

Each rule has a stable id, a severity and a one-line summary in `CATALOGUE`; checks collect
`Finding`s and never stop at the first. Overdue reviews and deletions are warnings in a normal
check and errors with `strict_dates` (the scheduled run), so an old, unrelated item never blocks
someone else's merge request but never goes unnoticed either.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

from ..findings import Finding, format_path
from ..index import Index
from ..lifecycle import Status, derive
from ..loading import Document
from ..model import HISTORY_SECTIONS, Case, Measure
from ..snapshot import CaseFile, Register
from . import register_wide
from .catalogue import CATALOGUE, severity_of
from .policy_data import REQUIRED_APPROVALS, check_policy
from .rule import Rule, W

__all__ = [
    "CATALOGUE",
    "MODELINE",
    "REQUIRED_APPROVALS",
    "Rule",
    "check_case",
    "check_policy",
    "check_register",
    "severity_of",
]

MODELINE = "# yaml-language-server: $schema=../schemas/case.schema.json"

#: (section, later field, earlier field, message): dates within one entry that must not run
#: backwards.
_ORDERED_FIELDS = (
    ("activity", "considered", "date", "activity {entry.id} is considered before it happened"),
    ("legal_holds", "end", "start", "legal hold {entry.id} ends before it starts"),
    ("councillors", "withdrawn", "date", "a choice cannot be withdrawn before it was made"),
)

_HOUSEHOLD_WORDS = (" and ", " & ", "family", "household", "mr and mrs", "mr & mrs", "/")


class CaseCheck:
    """All snapshot rules for one case."""

    def __init__(self, loaded: CaseFile, index: Index, today: date, strict_dates: bool) -> None:
        self.loaded = loaded
        self.case: Case = loaded.case
        self.doc: Document = loaded.doc
        self.index = index
        self.policy = index.policy
        self.today = today
        self.strict = strict_dates
        self.findings: list[Finding] = []
        self.status: Status = derive(self.case, self.policy, today)

    def report(self, path: tuple[str | int, ...], rule: str, message: str) -> None:
        self.findings.append(self.doc.finding(path, rule, message, severity_of(rule, self.strict)))

    def run(self) -> list[Finding]:
        self.identity()
        self.entries()
        self.vocabulary()
        self.proportionality()
        self.decisions()
        self.reviews()
        self.letters()
        self.challenges()
        self.police()
        self.chronology()
        self.transitions()
        self.timeliness()
        self.councillors()
        self.safeguards()
        return self.findings

    # -- rule 1: well-formed -------------------------------------------------------------
    def identity(self) -> None:
        stem = self.loaded.path.stem
        if self.case.id != stem:
            self.report(
                ("id",),
                "MC104",
                f"id '{self.case.id}' does not match the file name "
                f"'{self.loaded.path.name}': rename the file or fix the id",
            )
        first_line = self.doc.first_line
        if first_line.strip() != MODELINE:
            self.findings.append(
                Finding(
                    self.loaded.file,
                    1,
                    1,
                    "",
                    "MC109",
                    W,
                    f"first line should be the schema modeline '{MODELINE}'",
                )
            )

    def entries(self) -> None:
        seen: dict[str, tuple[str | int, ...]] = {}
        kinds: dict[str, str] = {}
        sections = HISTORY_SECTIONS
        for section in sections:
            for i, entry in enumerate(getattr(self.case, section)):
                path = (section, i, "id")
                if entry.id in seen:
                    self.report(
                        path,
                        "MC107",
                        f"entry id '{entry.id}' is already used at "
                        f"{format_path(seen[entry.id])}: give this entry a new id",
                    )
                else:
                    seen[entry.id] = path
                    kinds[entry.id] = section

        def expect(path: tuple[str | int, ...], ref: str, allowed: tuple[str, ...]) -> None:
            kind = kinds.get(ref)
            if kind is None:
                self.report(path, "MC108", f"'{ref}' is not an entry in this case")
            elif kind not in allowed:
                self.report(
                    path,
                    "MC108",
                    f"'{ref}' is in {kind}; expected an entry in {' or '.join(allowed)}",
                )

        for i, letter in enumerate(self.case.letters):
            expect(("letters", i, "about"), letter.about, ("decisions", "reviews", "challenges"))
        for i, challenge in enumerate(self.case.challenges):
            expect(("challenges", i, "against"), challenge.against, ("decisions",))
        for i, report in enumerate(self.case.police_reports):
            for j, ref in enumerate(report.incidents):
                expect(("police_reports", i, "incidents", j), ref, ("incidents",))
        for i, correction in enumerate(self.case.corrections):
            expect(
                ("corrections", i, "entry"),
                correction.entry,
                tuple(s for s in sections if s != "corrections"),
            )

    # -- rule 2: vocabulary --------------------------------------------------------------
    def vocabulary(self) -> None:
        ix = self.index

        def known(
            path: tuple[str | int, ...],
            value: str | None,
            table: Mapping[str, object],
            rule: str,
            what: str,
            where: str,
        ) -> bool:
            if value is None or value in table:
                return True
            self.report(path, rule, f"unknown {what} '{value}': use one listed in {where}")
            return False

        vocab, people = "policy/vocabulary.yaml", "policy/people.yaml"
        for i, service in enumerate(self.case.scope.services):
            known(("scope", "services", i), service, ix.services, "MC203", "service", vocab)
        for i, inc in enumerate(self.case.incidents):
            known(("incidents", i, "channel"), inc.channel, ix.channels, "MC204", "channel", vocab)
            known(("incidents", i, "service"), inc.service, ix.services, "MC203", "service", vocab)
            for j, cat in enumerate(inc.categories):
                known(
                    ("incidents", i, "categories", j),
                    cat,
                    ix.conduct,
                    "MC201",
                    "conduct category",
                    vocab,
                )
            for j, op in enumerate(inc.opinions):
                known(
                    ("incidents", i, "opinions", j, "by"),
                    op.by,
                    ix.people,
                    "MC205",
                    "person",
                    people,
                )
        for i, adj in enumerate(self.case.adjustments):
            known(
                ("adjustments", i, "channel"), adj.channel, ix.channels, "MC204", "channel", vocab
            )
        for i, att in enumerate(self.case.resolution_attempts):
            known(
                ("resolution_attempts", i, "service"),
                att.service,
                ix.services,
                "MC203",
                "service",
                vocab,
            )
        for i, dec in enumerate(self.case.decisions):
            base = ("decisions", i)
            known((*base, "decided_by"), dec.decided_by, ix.people, "MC205", "person", people)
            for j, cat in enumerate(dec.conduct):
                known((*base, "conduct", j), cat, ix.conduct, "MC201", "conduct category", vocab)
            if dec.business_case:
                known(
                    (*base, "business_case", "author"),
                    dec.business_case.author,
                    ix.people,
                    "MC205",
                    "person",
                    people,
                )
            if dec.recommendation:
                known(
                    (*base, "recommendation", "by"),
                    dec.recommendation.by,
                    ix.people,
                    "MC205",
                    "person",
                    people,
                )
            self.measures((*base, "measures"), dec.measures, dec.stage)
        for i, rev in enumerate(self.case.reviews):
            for j, who in enumerate(rev.reviewed_by):
                known(("reviews", i, "reviewed_by", j), who, ix.people, "MC205", "person", people)
            if rev.measures is not None:
                stage = rev.stage or self._stage_at(rev.date) or 1
                self.measures(("reviews", i, "measures"), rev.measures, stage)
        for i, letter in enumerate(self.case.letters):
            known(("letters", i, "sent_by"), letter.sent_by, ix.people, "MC205", "person", people)
            for j, item in enumerate(letter.states):
                known(
                    ("letters", i, "states", j),
                    item,
                    ix.letter_contents,
                    "MC208",
                    "letter content",
                    "policy/settings.yaml",
                )
        for i, ch in enumerate(self.case.challenges):
            known(
                ("challenges", i, "decided_by"), ch.decided_by, ix.people, "MC205", "person", people
            )
            if ch.measures is not None:
                stage = self._stage_at(ch.decided or ch.received) or 1
                self.measures(("challenges", i, "measures"), ch.measures, stage)
        for i, cc in enumerate(self.case.councillors):
            known(
                ("councillors", i, "councillor"),
                cc.councillor,
                ix.people,
                "MC205",
                "person",
                people,
            )
        for i, corr in enumerate(self.case.corrections):
            known(("corrections", i, "made_by"), corr.made_by, ix.people, "MC205", "person", people)
            known(
                ("corrections", i, "approved_by"),
                corr.approved_by,
                ix.people,
                "MC205",
                "person",
                people,
            )

    def measures(
        self, base: tuple[str | int, ...], measures: Sequence[Measure], stage: int
    ) -> None:
        ix = self.index
        for j, measure in enumerate(measures):
            path = (*base, j)
            kind = ix.measures.get(measure.measure)
            if kind is None:
                self.report(
                    (*path, "measure"),
                    "MC202",
                    f"unknown measure '{measure.measure}': "
                    "use one listed in policy/measures.yaml, or 'other' with a description",
                )
                continue
            if kind.stage is not None and kind.stage > stage:
                self.report(
                    (*path, "measure"),
                    "MC207",
                    f"'{measure.measure}' is a stage "
                    f"{kind.stage} measure and cannot be used at stage {stage}",
                )
            given = {
                name
                for name, value in measure.model_dump(exclude={"measure"}).items()
                if value is not None
            }
            for param in kind.required:
                if param not in given:
                    self.report(
                        path, "MC206", f"measure '{measure.measure}' needs a value for '{param}'"
                    )
            for name in sorted(given - set(kind.required) - set(kind.optional)):
                self.report(
                    (*path, name),
                    "MC206",
                    f"measure '{measure.measure}' does not take "
                    f"'{name}': remove it or choose another measure",
                )
            if measure.spoc is not None and measure.spoc not in ix.people:
                self.report(
                    (*path, "spoc"),
                    "MC205",
                    f"unknown person '{measure.spoc}': use one listed in policy/people.yaml",
                )
            if measure.channel is not None and measure.channel not in ix.channels:
                self.report(
                    (*path, "channel"),
                    "MC204",
                    f"unknown channel '{measure.channel}': "
                    "use one listed in policy/vocabulary.yaml",
                )

    def _stage_at(self, day: date) -> int | None:
        stage = None
        for step in self.status.steps:
            if step.day <= day and step.allowed and step.after in ("stage-1", "stage-2"):
                stage = 1 if step.after == "stage-1" else 2
        return stage

    # -- rule 3: proportionality ---------------------------------------------------------
    def proportionality(self) -> None:
        if not self.case.decisions:
            return
        first = min(self.case.decisions, key=lambda d: d.date)
        index = self.case.decisions.index(first)
        if not any(a.date <= first.date for a in self.case.adjustments):
            self.report(
                ("decisions", index),
                "MC301",
                f"no adjustment to the service is recorded "
                f"on or before the first decision ({first.date}): record the adjustments "
                "considered under 'adjustments' (§6)",
            )
        if not any(a.date <= first.date for a in self.case.resolution_attempts):
            self.report(
                ("decisions", index),
                "MC302",
                "no attempt by the service to resolve the "
                f"customer's concerns is recorded on or before {first.date}: record it "
                "under 'resolution_attempts' (§5, §6)",
            )

    # -- rule 4, 6: approvals, notification ---------------------------------------------
    def decisions(self) -> None:
        ix = self.index
        services = self.case.scope.services
        for step in self.status.steps:
            if step.event != "decision":
                continue
            i = int(step.path[1])
            dec = self.case.decisions[i]
            base: tuple[str | int, ...] = ("decisions", i)
            if dec.crt_notified is None:
                self.report(
                    base,
                    "MC325",
                    f"decision {dec.id}: record when Customer Relations "
                    "was notified ('crt_notified', §6)",
                )
            elif dec.crt_notified < dec.date:
                self.report(
                    (*base, "crt_notified"),
                    "MC340",
                    f"decision {dec.id}: Customer "
                    "Relations cannot be notified of an arrangement before it is decided",
                )
            if dec.stage == 1:
                if not ix.approves("decision-stage-1", [dec.decided_by], dec.date, services):
                    self.report(
                        (*base, "decided_by"),
                        "MC310",
                        f"'{dec.decided_by}' was not a "
                        f"Senior Manager or above on {dec.date}: stage 1 needs that "
                        "approval as a minimum (§6)",
                    )
                continue
            if step.before in ("new", "dormant") and not dec.extreme_reason:
                start = "a new case" if step.before == "new" else "a dormant case"
                self.report(
                    base,
                    "MC317",
                    f"decision {dec.id} takes {start} straight to stage 2: record "
                    "why the conduct is extreme in 'extreme_reason' (§6, §6.2)",
                )
            people = [dec.decided_by]
            bc, rec = dec.business_case, dec.recommendation
            if bc is None:
                self.report(
                    base,
                    "MC311",
                    f"stage 2 decision {dec.id} needs a business case by "
                    "the Director of an affected service (§6.2)",
                )
            else:
                people.append(bc.author)
                if not ix.approves("business-case", [bc.author], bc.date, services):
                    self.report(
                        (*base, "business_case", "author"),
                        "MC311",
                        f"'{bc.author}' was "
                        f"not the Director of an affected service on {bc.date} (§6.2)",
                    )
                if bc.date > dec.date:
                    self.report(
                        (*base, "business_case", "date"),
                        "MC340",
                        "the business case is dated after the decision it supports",
                    )
            if rec is None:
                self.report(
                    base,
                    "MC312",
                    f"stage 2 decision {dec.id} needs the Customer "
                    "Relations Team's recommendation (§6.2)",
                )
            else:
                people.append(rec.by)
                if not ix.approves("recommendation", [rec.by], rec.date, services):
                    self.report(
                        (*base, "recommendation", "by"),
                        "MC312",
                        f"'{rec.by}' was not in the Customer Relations Team on {rec.date} (§6.2)",
                    )
                if rec.outcome != "approve":
                    self.report(
                        (*base, "recommendation", "outcome"),
                        "MC312",
                        "the Customer "
                        "Relations Team recommended rejection; a stage 2 decision needs "
                        "a recommendation to approve",
                    )
                if rec.date > dec.date or (bc is not None and rec.date < bc.date):
                    self.report(
                        (*base, "recommendation", "date"),
                        "MC340",
                        "the recommendation "
                        "comes after the business case and before the decision (§6.2)",
                    )
            if not ix.approves("decision-stage-2", [dec.decided_by], dec.date, services):
                self.report(
                    (*base, "decided_by"),
                    "MC313",
                    f"'{dec.decided_by}' was not the Director of Governance on {dec.date} (§6.2)",
                )
            if len(set(people)) != len(people):
                self.report(
                    base,
                    "MC314",
                    f"decision {dec.id}: the business-case author, the "
                    "recommender and the Director of Governance must be three different "
                    "people",
                )

    def reviews(self) -> None:
        for i, rev in enumerate(self.case.reviews):
            if not self.index.approves(
                "review", rev.reviewed_by, rev.date, self.case.scope.services
            ):
                self.report(
                    ("reviews", i, "reviewed_by"),
                    "MC315",
                    f"review {rev.id} needs the "
                    "Customer Relations Manager and a Senior Manager (or above), each "
                    f"holding that role on {rev.date} (§7)",
                )
            if rev.outcome == "continue" and rev.extend_to is None:
                self.report(
                    ("reviews", i),
                    "MC344",
                    f"review {rev.id} continues the arrangement: "
                    "record the new expiry or extension date in 'extend_to' (§7)",
                )
            if rev.outcome != "continue":
                for key in ("extend_to", "stage", "measures"):
                    if getattr(rev, key) is not None:
                        self.report(
                            ("reviews", i, key),
                            "MC103",
                            f"'{key}' applies only to a "
                            f"review that continues the arrangement, not '{rev.outcome}'",
                        )
            if rev.extend_to is not None and rev.extend_to <= rev.date:
                self.report(
                    ("reviews", i, "extend_to"),
                    "MC340",
                    f"review {rev.id}: the new expiry date must be after the review",
                )
            if rev.outcome == "escalate":
                later = [d for d in self.case.decisions if d.stage == 2 and d.date >= rev.date]
                if not later:
                    self.report(
                        ("reviews", i),
                        "MC343",
                        f"review {rev.id} escalated the case; "
                        "record the stage 2 decision (business case, recommendation, "
                        "final decision) to complete it",
                    )

    # -- rule 5: written notice ----------------------------------------------------------
    def letters(self) -> None:
        ix = self.index
        by_subject: dict[str, list[int]] = defaultdict(list)
        for i, letter in enumerate(self.case.letters):
            by_subject[letter.about].append(i)
        subjects: list[tuple[tuple[str | int, ...], str, date, int | None]] = []
        for i, dec in enumerate(self.case.decisions):
            subjects.append((("decisions", i), dec.id, dec.date, dec.stage))
        for i, rev in enumerate(self.case.reviews):
            subjects.append(
                (("reviews", i), rev.id, rev.date, rev.stage or self._stage_at(rev.date))
            )
        for i, ch in enumerate(self.case.challenges):
            if ch.decided is not None and ch.outcome is not None:
                subjects.append((("challenges", i), ch.id, ch.decided, self._stage_at(ch.decided)))
        dates = {entry_id: day for _, entry_id, day, _ in subjects}
        for path, entry_id, _day, _stage in subjects:
            if not by_subject.get(entry_id):
                self.report(
                    path,
                    "MC320",
                    f"{entry_id} has no letter or email recorded: the "
                    "customer must be told in writing (§6, §7)",
                )
        council_wide = self.case.scope.council_wide or len(self.case.scope.services) > 1
        for i, letter in enumerate(self.case.letters):
            path = ("letters", i)
            day = dates.get(letter.about)
            if day is not None and letter.date < day:
                self.report(
                    (*path, "date"),
                    "MC340",
                    f"letter {letter.id} is dated before {letter.about}, which it tells of",
                )
            stage = self._stage_at(letter.date)
            missing = [
                c for c in ix.required_contents(stage, letter.date) if c not in letter.states
            ]
            if missing:
                labels = "; ".join(ix.letter_contents[c].label for c in missing)
                self.report(
                    (*path, "states"), "MC321", f"letter {letter.id} does not state: {labels}"
                )
            action = "letter-council-wide" if council_wide else "letter-service"
            ok = ix.approves(action, [letter.sent_by], letter.date, self.case.scope.services)
            if not ok and not council_wide:
                ok = ix.approves("letter-council-wide", [letter.sent_by], letter.date, [])
            if not ok:
                who = (
                    "the Customer Relations Team (the conduct is council-wide or across "
                    "several services)"
                    if council_wide
                    else "the service's Director or a Senior Manager by delegation"
                )
                self.report(
                    (*path, "sent_by"),
                    "MC316",
                    f"letter {letter.id} should come from "
                    f"{who}; '{letter.sent_by}' did not hold that role on {letter.date}",
                )

    # -- ombudsman: right to challenge ---------------------------------------------------
    def challenges(self) -> None:
        ix = self.index
        on = self.policy.settings.right_to_challenge
        decisions = {d.id: d for d in self.case.decisions}
        for i, ch in enumerate(self.case.challenges):
            path = ("challenges", i)
            if not on:
                self.report(
                    path,
                    "MC371",
                    "a challenge is recorded but the right to challenge "
                    "is off in policy/settings.yaml",
                )
            parts = [ch.decided_by is not None, ch.decided is not None, ch.outcome is not None]
            if any(parts) and not all(parts):
                self.report(
                    path,
                    "MC373",
                    f"challenge {ch.id}: record 'decided_by', 'decided' "
                    "and 'outcome' together once it is decided",
                )
            if ch.measures is not None and ch.outcome != "varied":
                self.report(
                    (*path, "measures"),
                    "MC103",
                    "'measures' applies only to a varied challenge outcome",
                )
            dec = decisions.get(ch.against)
            if dec is not None and ch.received < dec.date:
                self.report(
                    (*path, "received"),
                    "MC340",
                    f"challenge {ch.id} is received before decision {dec.id} was made",
                )
            if ch.decided is not None and ch.decided < ch.received:
                self.report(
                    (*path, "decided"),
                    "MC340",
                    f"challenge {ch.id} is decided before it was received",
                )
            if ch.decided_by is None or ch.decided is None:
                continue
            if dec is not None:
                involved = {dec.decided_by}
                if dec.business_case:
                    involved.add(dec.business_case.author)
                if dec.recommendation:
                    involved.add(dec.recommendation.by)
                involved.update(x.sent_by for x in self.case.letters if x.about == dec.id)
                if ch.decided_by in involved:
                    self.report(
                        (*path, "decided_by"),
                        "MC370",
                        f"'{ch.decided_by}' was involved "
                        f"in decision {dec.id}; a challenge is decided by a senior "
                        "officer who was not",
                    )
            if not ix.approves("challenge", [ch.decided_by], ch.decided, self.case.scope.services):
                self.report(
                    (*path, "decided_by"),
                    "MC372",
                    f"'{ch.decided_by}' was not a senior officer on {ch.decided}",
                )

    # -- rule 7: police ------------------------------------------------------------------
    def police(self) -> None:
        reported = {ref: r.date for r in self.case.police_reports for ref in r.incidents}
        for i, inc in enumerate(self.case.incidents):
            serious = [
                c
                for c in inc.categories
                if c in self.index.conduct and self.index.conduct[c].police_report
            ]
            if not serious:
                continue
            day = reported.get(inc.id)
            if day is None:
                self.report(
                    ("incidents", i),
                    "MC330",
                    f"incident {inc.id} records "
                    f"{', '.join(serious)}: record the police report under "
                    "'police_reports' (§6.2: always reported)",
                )
            elif day < inc.date:
                self.report(
                    ("incidents", i),
                    "MC340",
                    f"incident {inc.id} is reported to the police before it happened",
                )

    # -- rule 8: chronology --------------------------------------------------------------
    def chronology(self) -> None:
        for path, day in _dated(self.case):
            if day > self.today:
                self.report(path, "MC341", f"{day} is in the future (today is {self.today})")
        first = min((d.date for d in self.case.decisions), default=None)
        if first is not None and self.case.opened > first:
            self.report(("opened",), "MC340", "the case is opened after its first decision")
        for i, rev in enumerate(self.case.reviews):
            if first is None or rev.date < first:
                self.report(
                    ("reviews", i, "date"), "MC340", f"review {rev.id} comes before any decision"
                )
        for section, later, earlier, message in _ORDERED_FIELDS:
            for i, entry in enumerate(getattr(self.case, section)):
                end, start = getattr(entry, later), getattr(entry, earlier)
                if end is not None and end < start:
                    self.report((section, i, later), "MC340", message.format(entry=entry))
        for i, dec in enumerate(self.case.decisions):
            if dec.expires is not None and dec.expires <= dec.date:
                self.report(
                    ("decisions", i, "expires"),
                    "MC340",
                    f"decision {dec.id} expires on or before the day it is made",
                )

    # -- lifecycle -----------------------------------------------------------------------
    def transitions(self) -> None:
        for step in self.status.steps:
            if not step.allowed:
                before = "a new case" if step.before == "new" else step.before
                self.report(
                    step.path,
                    "MC342",
                    f"{step.entry} ({step.event}) cannot move "
                    f"{before} to {step.after}: policy/transitions.yaml does not allow "
                    "it",
                )

    # -- rule 9: timeliness --------------------------------------------------------------
    def timeliness(self) -> None:
        st = self.status
        for timing in st.reviews:
            if timing.late:
                self.report(
                    timing.path,
                    "MC351",
                    f"review {timing.entry} was held on "
                    f"{timing.held}, after it was due on {timing.due} (§7)",
                )
        if st.next_review_due is not None and st.next_review_due < self.today:
            days = (self.today - st.next_review_due).days
            # Point at the decision or review the next review is due from.
            since = [s for s in st.steps if s.allowed and s.event != "challenge-upheld"][-1]
            self.report(
                since.path,
                "MC350",
                f"review overdue by {days} day(s): the review after {since.entry} was due "
                f"on {st.next_review_due} (§7); hold the review and record it",
            )
        if st.deletion_due is not None and st.deletion_due < self.today and not st.open_holds:
            self.report(
                ("id",),
                "MC352",
                f"dormant case past its deletion date "
                f"({st.deletion_due}): delete the file and record it in "
                "cases/deletions.yaml (§7)",
            )

    # -- rule 10: councillors ------------------------------------------------------------
    def councillors(self) -> None:
        current: dict[str, int] = {}
        for i, cc in enumerate(self.case.councillors):
            path = ("councillors", i, "councillor")
            if cc.councillor in self.index.people and not self.index.holds(
                cc.councillor, ["councillor"], cc.date
            ):
                self.report(path, "MC360", f"'{cc.councillor}' was not a councillor on {cc.date}")
            if cc.withdrawn is None:
                if cc.councillor in current:
                    self.report(
                        path,
                        "MC361",
                        f"'{cc.councillor}' already has a current choice "
                        f"(councillors[{current[cc.councillor]}]): withdraw it first",
                    )
                current[cc.councillor] = i

    # -- ombudsman: adjustments, household, statutory services --------------------------
    def safeguards(self) -> None:
        ix = self.index
        name = f" {self.case.customer.name.lower()} "
        if any(word in name for word in _HOUSEHOLD_WORDS):
            self.report(
                ("customer", "name"),
                "MC381",
                "a case names one person: open a separate "
                "case for anyone else whose own conduct meets the policy",
            )
        needs = {a.channel: a for a in self.case.adjustments if a.channel and a.outcome == "made"}
        statutory = [
            s for s in self.case.scope.services if s in ix.services and ix.services[s].statutory
        ]
        for base, measures in self._measure_sets():
            for j, measure in enumerate(measures):
                kind = ix.measures.get(measure.measure)
                if kind is None:
                    continue
                lost = set(kind.blocks_channels)
                if kind.only_channel and measure.channel:
                    lost |= set(needs) - {measure.channel}
                for channel in sorted(lost & set(needs)):
                    adj = needs[channel]
                    self.report(
                        (*base, j),
                        "MC380",
                        f"'{measure.measure}' takes away "
                        f"{channel}, which adjustment {adj.id} relies on: change the "
                        "measure or review the adjustment",
                    )
                text = f" {(measure.description or '').lower()} "
                if any(word in text for word in ("family", "household", "partner", "relatives")):
                    self.report(
                        (*base, j, "description"),
                        "MC381",
                        "restrictions apply to the "
                        "customer only, never to family or household members",
                    )
        for i, dec in enumerate(self.case.decisions):
            if statutory and not dec.statutory_access:
                self.report(
                    ("decisions", i),
                    "MC382",
                    f"decision {dec.id} covers statutory "
                    f"service(s) {', '.join(statutory)}: say in 'statutory_access' how "
                    "the customer keeps access to them (§6)",
                )

    def _measure_sets(self) -> list[tuple[tuple[str | int, ...], Sequence[Measure]]]:
        sets: list[tuple[tuple[str | int, ...], Sequence[Measure]]] = [
            (("decisions", i, "measures"), d.measures) for i, d in enumerate(self.case.decisions)
        ]
        sets += [
            (("reviews", i, "measures"), r.measures)
            for i, r in enumerate(self.case.reviews)
            if r.measures
        ]
        sets += [
            (("challenges", i, "measures"), c.measures)
            for i, c in enumerate(self.case.challenges)
            if c.measures
        ]
        return sets


def _dated(case: Case) -> list[tuple[tuple[str | int, ...], date]]:
    """Every date in the case that records something that happened."""
    found: list[tuple[tuple[str | int, ...], date]] = [(("opened",), case.opened)]
    for section in (
        "incidents",
        "adjustments",
        "resolution_attempts",
        "decisions",
        "reviews",
        "letters",
        "police_reports",
        "activity",
        "corrections",
        "councillors",
    ):
        for i, entry in enumerate(getattr(case, section)):
            found.append(((section, i, "date"), entry.date))
    for i, dec in enumerate(case.decisions):
        if dec.crt_notified:
            found.append((("decisions", i, "crt_notified"), dec.crt_notified))
        if dec.business_case:
            found.append((("decisions", i, "business_case", "date"), dec.business_case.date))
        if dec.recommendation:
            found.append((("decisions", i, "recommendation", "date"), dec.recommendation.date))
    for i, ch in enumerate(case.challenges):
        found.append((("challenges", i, "received"), ch.received))
        if ch.decided:
            found.append((("challenges", i, "decided"), ch.decided))
    for i, hold in enumerate(case.legal_holds):
        found.append((("legal_holds", i, "start"), hold.start))
    for i, act in enumerate(case.activity):
        if act.considered:
            found.append((("activity", i, "considered"), act.considered))
    for i, cc in enumerate(case.councillors):
        if cc.withdrawn:
            found.append((("councillors", i, "withdrawn"), cc.withdrawn))
    return found


def check_case(
    loaded: CaseFile, index: Index, today: date, strict_dates: bool = False
) -> list[Finding]:
    """Every snapshot rule for one case."""
    return CaseCheck(loaded, index, today, strict_dates).run()


def check_register(
    register: Register, index: Index | None, today: date, strict_dates: bool = False
) -> list[Finding]:
    """Register-wide rules: file names, unique ids, the deletion log; then every case."""
    findings = register_wide.check(register, index)
    if index is not None:
        for loaded in register.cases:
            findings.extend(check_case(loaded, index, today, strict_dates))
    return findings
