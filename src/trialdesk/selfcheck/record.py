"""A PatientRecord built from self-check answers, through the criteria file's fact mappings.

An answer often gives a date only roughly ("March 2024", "in the last 8 weeks", "yes, but
I don't know since when"). Each such date is a range, and the record is built twice: once
with every range at its earliest day and once at its latest. A criterion counts as
decided only when both records give it the same status, so a rough date never decides
more than it supports. (Each criterion here compares a date with one window ending on or
before the self-check day, so the two ends of a range stand for every day in it.)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING

from trialdesk.clinical.routes import ROUTES
from trialdesk.clinical.valuesets import ValueSet
from trialdesk.criteria.evaluator import shift
from trialdesk.criteria.model import DateSpec, FactTemplate, SelfCheckItem
from trialdesk.criteria.nodes import Duration
from trialdesk.errors import StudyError
from trialdesk.facts.codesystems import SYSTEMS
from trialdesk.facts.record import Coding, Dose, Fact, FactKind, PatientRecord, Quantity
from trialdesk.selfcheck.answers import AnswerValue, MonthYear, to_text

if TYPE_CHECKING:
    from trialdesk.study.loader import Study

__all__ = ["FLOOR", "build_record", "check_mappings", "date_range"]

FLOOR = date(1900, 1, 1)  # "some day in the past" when nothing narrows it down
# A stand-in dose for a medicine whose dose the patient was not asked: only whether it
# changed is known, and the engine detects a change as two different doses.
NOMINAL_DOSE_MG = 1.0
ONE_DAY = timedelta(days=1)

_KINDS: dict[str, tuple[FactKind, frozenset[str], str]] = {
    # fact kind -> (FactKind, value-set kinds it may use, default status)
    "condition": (FactKind.CONDITION, frozenset({"condition", "finding"}), "active"),
    "medication": (FactKind.MEDICATION, frozenset({"medication"}), "active"),
    "procedure": (FactKind.PROCEDURE, frozenset({"procedure"}), "completed"),
    "immunization": (FactKind.IMMUNIZATION, frozenset({"vaccine"}), "completed"),
    "device": (FactKind.DEVICE, frozenset({"device"}), "active"),
    "observation": (FactKind.OBSERVATION, frozenset({"lab", "vital", "score"}), "final"),
}


def _fail(study: Study, item: SelfCheckItem, fact: FactTemplate, message: str) -> StudyError:
    return StudyError(
        message, file=study.criteria.file, line=fact.line, field=f"selfcheck.{item.id}.facts"
    )


def coding_for(study: Study, item: SelfCheckItem, fact: FactTemplate) -> Coding:
    """The code a fact is recorded with: ``code:`` if given, else the value set's first."""
    vs: ValueSet | None = study.valuesets.get(fact.target)
    if vs is None:
        raise _fail(study, item, fact, f"unknown value set '{fact.target}'")
    if vs.kind not in _KINDS[fact.kind][1]:
        raise _fail(study, item, fact, f"a {fact.kind} cannot use the {vs.kind} set {vs.name}")
    if fact.code is not None:
        alias, _, code = fact.code.partition("|")
        coding = Coding(SYSTEMS[alias], code)
        found = vs.match((coding,))
        if found is None or found.confidence != "code":
            raise _fail(study, item, fact, f"code {fact.code} is not in value set {vs.name}")
        entry = next((e for e in vs.entries if e.code == code), None)
        return Coding(coding.system, code, (entry.display if entry else None) or vs.title)
    entry = next((e for e in vs.entries if not e.prefix), vs.entries[0])
    return Coding(entry.system, entry.code, entry.display or vs.title)


_CODINGS: dict[int, tuple[Study, dict[int, Coding]]] = {}


def check_mappings(study: Study) -> dict[int, Coding]:
    """The code of every fact template, by ``id()`` of the template, checked once per loaded
    study. Raises StudyError for a fact whose value set does not fit it (a kind mismatch, a
    code outside the set): these need the value sets, so loading cannot check them."""
    cached = _CODINGS.get(id(study))
    if cached is None or cached[0] is not study:
        codings = {
            id(fact): coding_for(study, item, fact)
            for item in study.criteria.selfcheck
            for fact in item.facts
            if fact.kind in _KINDS
        }
        cached = _CODINGS[id(study)] = (study, codings)
    return cached[1]


def build_record(
    study: Study, answers: Mapping[str, AnswerValue], today: date, late: bool
) -> PatientRecord:
    """The record the answers describe; ``late`` puts every rough date at its latest day."""
    return _Builder(study, answers, today, late).build()


def date_range(
    study: Study, answers: Mapping[str, AnswerValue], today: date, spec: DateSpec
) -> tuple[date, date]:
    """The days a self-reported event may have happened on, earliest and latest; an
    earliest day of FLOOR means the answers do not narrow it down at all."""
    return _Builder(study, answers, today, late=False).range(spec)


class _Builder:
    def __init__(
        self, study: Study, answers: Mapping[str, AnswerValue], today: date, late: bool
    ) -> None:
        self.study = study
        self.answers = answers
        self.today = today
        self.late = late

    def build(self) -> PatientRecord:
        birth: date | None = None
        sex: str | None = None
        facts: list[Fact] = []
        for item in self.study.criteria.selfcheck:
            value = self.answers.get(item.id)
            if value is None:
                continue
            for n, template in enumerate(item.facts):
                if template.if_answer and to_text(value) not in template.if_answer:
                    continue
                resource = f"QuestionnaireResponse/selfcheck#{item.id}.{n}"
                if template.kind == "birth_date":
                    birth = self.birth_date(self.answers.get(template.target))
                elif template.kind == "sex":
                    sex = to_text(self.answers.get(template.target, "unknown"))
                else:
                    facts.extend(self.facts(item, template, resource))
        # the answers are the whole record: a "no" puts nothing on it, and means none
        return PatientRecord(
            id="selfcheck", birth_date=birth, sex=sex, facts=tuple(facts), clinical_record=True
        )

    def birth_date(self, value: AnswerValue | None) -> date | None:
        if isinstance(value, date):
            return value
        if not isinstance(value, float):
            return None
        # completed years: born between (age + 1) years less a day and age years ago
        years = int(value)
        if self.late:
            return shift(self.today, "-", Duration(years, "years"))
        return shift(self.today, "-", Duration(years + 1, "years")) + ONE_DAY

    def day(self, spec: DateSpec) -> date:
        low, high = self.range(spec)
        return high if self.late else low

    def range(self, spec: DateSpec) -> tuple[date, date]:
        today = self.today
        if spec.answer is not None:
            value = self.answers.get(spec.answer)
            if isinstance(value, MonthYear):
                return value.first(), min(value.last(), today)
            if isinstance(value, date):
                return value, value
            if isinstance(value, Duration):
                ago = shift(today, "-", value)
                return ago, ago
            return FLOOR, today  # not answered: any day up to today
        if spec.ago is not None:
            ago = shift(today, "-", spec.ago)
            return ago, ago
        low = shift(today, "-", spec.within) if spec.within else FLOOR
        if spec.more_than is not None:
            high = shift(today, "-", spec.more_than) - ONE_DAY
        else:
            # "in the last 8 weeks" includes today; "in the past" means before today
            high = today if spec.within else today - ONE_DAY
        return low, max(low, high)

    def facts(self, item: SelfCheckItem, t: FactTemplate, resource: str) -> list[Fact]:
        start = self.day(t.date)
        if t.kind == "study":
            status = t.status or "off-study"
            return [Fact(FactKind.STUDY, resource, text=t.target, start=start, status=status)]
        kind, _, default_status = _KINDS[t.kind]
        codes = (check_mappings(self.study)[id(t)],)
        status = t.status or default_status
        if t.kind == "medication":
            return self.medication(t, resource, codes, start, status)
        if t.kind == "observation":
            value = t.value
            if t.value_answer is not None:
                answer = self.answers.get(t.value_answer)
                value = answer if isinstance(answer, float) else None
            if value is None:
                return []
            quantity = Quantity(value, t.unit)
            return [Fact(kind, resource, codes, start=start, status=status, value=quantity)]
        return [Fact(kind, resource, codes, start=start, status=status)]

    def medication(
        self,
        t: FactTemplate,
        resource: str,
        codes: tuple[Coding, ...],
        start: date,
        status: str,
    ) -> list[Fact]:
        route: tuple[Coding, ...] = ()
        if t.route is not None:
            code, display = ROUTES[t.route]
            route = (Coding(SYSTEMS["snomed"], code, display),)
        mg: float | None = None
        if t.dose is not None:
            answer = self.answers.get(t.dose)
            mg = answer if isinstance(answer, float) else None
        changed = self.answers.get(t.changed) if t.changed is not None else None
        if t.dose is None and isinstance(changed, bool):
            mg = NOMINAL_DOSE_MG

        def fact(res: str, begin: date, end: date | None, dose: float | None, st: str) -> Fact:
            given = Dose(Quantity(dose, "mg"), per_day=1.0) if dose is not None else None
            return Fact(
                FactKind.MEDICATION,
                res,
                codes,
                start=begin,
                end=end,
                status=st,
                route=route,
                dose=given,
            )

        if changed is True and mg is not None and t.changed_within is not None:
            # a dose change inside the window: an earlier dose, then the current one
            begin = max(start, shift(self.today, "-", t.changed_within))
            switch = min(begin + (self.today - begin) // 2 + ONE_DAY, self.today)
            before = mg / 2 if mg > 0 else NOMINAL_DOSE_MG
            return [
                fact(
                    resource + "-before", start, max(start, switch - ONE_DAY), before, "completed"
                ),
                fact(resource, switch, None, mg, status),
            ]
        return [fact(resource, start, None, mg, status)]
