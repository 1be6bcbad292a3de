"""The SDTM Findings domains made from the case report forms (VS, LB, QS, MK, RS and any
other domain a form item targets), driven by each item's SDTM target (findings_plan.py).

One record per result item per saved form (SDTMIG 3.4 Section 6.3; the Findings class):
- --TESTCD/--TEST, --CAT/--SCAT, --LOC/--LAT/--METHOD, --TPT from the item's target; a form
  item that names a variable (QSLAT, MKLAT) qualifies every record of its form, and one
  declared as a per-participant parameter falls back to that parameter;
- --ORRES as collected (what was typed, in the unit it was typed in), --STRESC/--STRESN in
  the item's own unit, which the store holds every value in, --ORRESU/--STRESU its CDISC
  UNIT submission value from the target (Section 4.5.1);
- --STAT "NOT DONE" with --REASND where a form records a result as not done (Section
  4.5.1.1; the form's ``not_done``: item id, or "" for the whole form, -> reason);
- a derived item (a score computed on the server) is a record with --DRVFL "Y" (origin
  Derived in define.xml, ``extra["tests"]``);
- LB: LBORNRLO/LBORNRHI from the laboratory's limits entered beside the result, LBSTNRLO/
  LBSTNRHI, LBNRIND, and LBTOX/LBTOXGR, the CTCAE v5.0 grade (findings_flags.py);
- --LOBXFL, VISITNUM/VISIT/VISITDY/EPOCH, --DTC and --DY (findings_context.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, NamedTuple

from trialdesk.clinical.ctcae import SOURCE as CTCAE_SOURCE
from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.reports.cdisc.dataset import Dataset, Value, Variable
from trialdesk.reports.cdisc.sdtm.findings_context import (
    FormKey,
    Subject,
    VisitInfo,
    form_key,
    iso_dtc,
    subject_of,
)
from trialdesk.reports.cdisc.sdtm.findings_flags import flag_last_before_exposure, is_after_dose
from trialdesk.reports.cdisc.sdtm.findings_items import (
    LabGrades,
    ResultItem,
    reference_range,
    result_items,
)
from trialdesk.reports.cdisc.sdtm.findings_plan import (
    DomainPlan,
    findings_domain_names,
    findings_plans,
    fit_label,
    plan_problems,
    shortened,
    test_metadata,
    unmapped_items,
)
from trialdesk.reports.cdisc.sdtm.findings_values import FormValues, Results, coded, item_value
from trialdesk.reports.cdisc.sdtm.findings_variables import FINDINGS_ORDER, findings_variable
from trialdesk.reports.cdisc.sdtm.supp import Qualifier
from trialdesk.reports.cdisc.sdtm.timing import epoch_before_day1
from trialdesk.study.forms import Form, Item, ItemType
from trialdesk.study.loader import Study

__all__ = ["findings_domains"]

# SDTMIG 3.4 Section 3.2.1 (Dataset-level Metadata): description and structure.
_DATASETS = {
    "VS": ("Vital Signs",
           "One record per vital sign measurement per time point per visit per subject"),
    "LB": ("Laboratory Test Results",
           "One record per lab test per time point per visit per subject"),
    "QS": ("Questionnaires",
           "One record per questionnaire per question per time point per visit per subject"),
    "MK": ("Musculoskeletal System Findings",
           "One record per assessment per visit per subject"),
    "RS": ("Disease Response and Clin Classification",
           "One record per response assessment or clinical classification assessment per "
           "time point per visit per subject per assessor per medical evaluator"),
}  # fmt: skip

# define.xml origin of each variable (a derived result's origin is value-level, in extra)
_ORIGIN = {
    "STUDYID": "Assigned", "DOMAIN": "Assigned", "USUBJID": "Assigned", "--SEQ": "Derived",
    "--ORRES": "Collected", "--ORNRLO": "Collected", "--ORNRHI": "Collected",
    "--STAT": "Collected", "--REASND": "Collected", "--LAT": "Collected",
    "--DTC": "Collected", "--STRESC": "Derived", "--STRESN": "Derived",
    "--STNRLO": "Derived", "--STNRHI": "Derived", "--NRIND": "Derived",
    "--LOBXFL": "Derived", "--DRVFL": "Derived", "--TOX": "Derived", "--TOXGR": "Derived",
    "--DY": "Derived", "EPOCH": "Derived",
}  # fmt: skip
_INTERNAL = "_"  # row keys starting with it are the builder's, never written


@dataclass(slots=True)
class _Record:
    values: dict[str, Value]
    sort: tuple[Any, ...]
    before_exposure: bool
    supplemental: list[tuple[Item, str]] = field(default_factory=list)


def findings_domains(study: Study, casebooks: Sequence[Mapping[str, Any]]) -> list[Dataset]:
    """Every Findings domain the study's forms target, from the participants' casebooks
    (trial/review/casebook.py ``casebooks``), in the order the forms first name them.

    Raises:
        FieldErrors: a form's SDTM target gives a test code or qualifier name that is not
            an SDTM short name (each one named with its form and item).
    """
    plans = findings_plans(study)
    problems = plan_problems(study, plans)
    if problems:
        errors: list[TrialdeskError] = [InputError(p, field="sdtm") for p in problems]
        raise FieldErrors(errors, resource=f"{study.id} forms")
    time_points = _time_points(study, plans)
    position = {form_id: i for i, form_id in enumerate(study.forms)}
    records: dict[str, list[_Record]] = {d: [] for d in findings_domain_names(study)}
    # what is fixed about each result item, worked out once per form and domain
    items = {
        (form_id, domain): result_items(study.forms[form_id], plan, time_points.get(domain, {}))
        for form_id, by_domain in plans.items()
        for domain, plan in by_domain.items()
    }
    results = Results()  # each distinct stored value of an item worked out once
    grades = LabGrades(results)
    for book in casebooks:
        subject = subject_of(study, book)
        for text, content in book.get("forms", {}).items():
            key = form_key(text)
            form = study.forms.get(key.form_id)
            if form is None or key.form_id not in plans:
                continue
            for domain, plan in plans[key.form_id].items():
                records[domain].extend(
                    _form_records(study, subject, book, key, form, content, plan,
                                  items[(form.id, domain)], position[form.id], grades,
                                  results)
                )  # fmt: skip
    notes = {"unmapped": unmapped_items(study), "shortened": shortened(plans)}
    return [_dataset(study, domain, records[domain], plans, notes) for domain in sorted(records)]


def _time_points(
    study: Study, plans: Mapping[str, Mapping[str, DomainPlan]]
) -> dict[str, dict[str, int]]:
    """--TPTNUM: each domain's time points numbered in the order the forms list them."""
    out: dict[str, dict[str, int]] = {}
    for by_domain in plans.values():
        for domain, plan in by_domain.items():
            for item in plan.results:
                assert item.sdtm is not None
                if item.sdtm.tpt:
                    numbers = out.setdefault(domain, {})
                    numbers.setdefault(item.sdtm.tpt, len(numbers) + 1)
    return out


def _text_of(item: Item, raw: Any, study: Study) -> str:
    if item.type in (ItemType.DATE, ItemType.DATETIME):
        return iso_dtc(raw, study.schedule)
    if item.type in (ItemType.CHOICE, ItemType.BOOLEAN) or isinstance(raw, bool):
        return coded(raw)
    return str(raw)


def _record_values(
    study: Study, subject: Subject, content: Mapping[str, Any], plan: DomainPlan
) -> dict[str, Value]:
    """What the form's variable items say of all its records (QSLAT, --DTC, --EVAL)."""
    out: dict[str, Value] = {}
    for variable, item in plan.record_items.items():
        raw = item_value(content, item)
        if (raw is None or raw == "") and item.parameter:
            raw = subject.parameters.get(item.parameter)  # participant.yaml parameter
        if raw is not None and raw != "":
            out[variable] = _text_of(item, raw, study)
    return out


class _Names(NamedTuple):
    """A domain's per-record variable names, spelt once rather than per record."""

    dtc: str
    stat: str
    reasnd: str
    orres: str
    orresu: str
    stresc: str
    stresn: str
    stresu: str
    drvfl: str
    dy: str


@cache
def _names(d: str) -> _Names:
    return _Names(*(f"{d}{v.upper()}" for v in _Names._fields))


def _form_records(
    study: Study,
    subject: Subject,
    book: Mapping[str, Any],
    key: FormKey,
    form: Form,
    content: Mapping[str, Any],
    plan: DomainPlan,
    items: tuple[ResultItem, ...],
    form_position: int,
    grades: LabGrades,
    results: Results,
) -> list[_Record]:
    d = plan.domain
    n = _names(d)
    visit = subject.visits.get(key.visit)
    base: dict[str, Value] = {
        "STUDYID": subject.studyid, "DOMAIN": d, "USUBJID": subject.usubjid,
        n.dtc: iso_dtc(visit.on.isoformat() if visit and visit.on else None, study.schedule),
    }  # fmt: skip
    if visit is not None:
        base.update(VISITNUM=visit.visitnum, VISIT=visit.visit, VISITDY=visit.visitdy,
                    EPOCH=visit.epoch)  # fmt: skip
    base.update(_record_values(study, subject, content, plan))
    supplemental = [
        (item, _text_of(item, raw, study))
        for item in plan.supplemental
        if (raw := item_value(content, item)) is not None and raw != ""
    ]
    stored = FormValues(content)
    not_done: Mapping[str, str] = content.get("not_done") or {}
    baseline = _baseline_form(study, book, key) if d == "LB" else None
    before_dose = FormValues(baseline) if baseline is not None else None
    # every record of the form shares its date (--DTC is the form's), so its study day
    dtc_text = str(base[n.dtc] or "")
    day = subject.study_day(dtc_text)
    sort = (visit.visitnum if visit else float("inf"), dtc_text,
            visit.form_order(form.id) if visit else 0, form_position, key.row)  # fmt: skip
    before_at: dict[str | None, bool] = {}  # taken before exposure, by time point
    epoch_before: list[str] = []  # the element before day 1's, once a record needs it
    out = []
    for r in items:
        item = r.item
        result = results.result(stored.of(item), stored.entered.get(item.id), item, r.numeric)
        if result is None:
            reason = not_done.get(item.id, not_done.get(""))
            if reason is None:
                continue  # not entered: no record (a visit not done is SV's)
            row = {**base, **r.qualifiers, n.stat: "NOT DONE", n.reasnd: str(reason)}
        else:
            row = {
                **base, **r.qualifiers, n.orres: result.orres, n.orresu: result.orresu or None,
                n.stresc: result.stresc, n.stresn: result.stresn, n.stresu: result.stresu or None,
            }  # fmt: skip
        if item.derived is not None:
            row[n.drvfl] = "Y"
        reference_range(row, d, r, stored, results)
        if d == "LB" and result is not None:
            grades.grade(row, r, stored, before_dose)
        row[n.dy] = day
        before = before_at.get(r.tpt)
        if before is None:
            before = before_at[r.tpt] = _before_exposure(subject, visit, dtc_text, r.tpt)
        if before and study.schedule and subject.day1 and day == 1:
            # taken before the dose on day 1: the element before day 1's (SDTMIG 3.4
            # §4.1.3.1, EPOCH of the element the observation falls in)
            if not epoch_before:
                epoch_before.append(epoch_before_day1(study.schedule, subject.day1))
            row["EPOCH"] = epoch_before[0]
        out.append(
            _Record(values=row, sort=(*sort, r.index), before_exposure=before,
                    supplemental=supplemental)
        )  # fmt: skip
    return out


def _baseline_form(study: Study, book: Mapping[str, Any], key: FormKey) -> Mapping[str, Any] | None:
    schedule = study.schedule
    if schedule is None or schedule.baseline_visit is None:
        return None
    found = book.get("forms", {}).get(f"{schedule.baseline_visit}/{key.form_id}#1")
    return found if isinstance(found, Mapping) else None


def _before_exposure(subject: Subject, visit: VisitInfo | None, dtc: str, tpt: str | None) -> bool:
    """Taken before the first dose: dated before day 1, or at the baseline visit on day 1
    and not at a time point after the dose (PROTOCOL ASSUMPTION: the schedule's baseline
    visit is done before the injection, schedule.yaml). No dose yet: nothing is flagged."""
    if subject.day1 is None or len(dtc) < 10:
        return False
    on = date.fromisoformat(dtc[:10])
    if on < subject.day1:
        return True
    return on == subject.day1 and visit is not None and visit.baseline and not is_after_dose(tpt)


def _dataset(
    study: Study,
    d: str,
    records: list[_Record],
    plans: Mapping[str, Mapping[str, DomainPlan]],
    notes: Mapping[str, Any],
) -> Dataset:
    records.sort(key=lambda r: (str(r.values["USUBJID"]), r.sort))
    rows = [r.values for r in records]
    flag_last_before_exposure(
        rows, d, before_exposure={i: r.before_exposure for i, r in enumerate(records)}
    )
    numbered = _numbered(rows, f"{d}SEQ")
    qualifiers = [
        Qualifier(
            rdomain=d, usubjid=str(row["USUBJID"]), idvar=f"{d}SEQ", idvarval=str(row[f"{d}SEQ"]),
            qnam=str(item.sdtm.variable), qlabel=fit_label(item.sdtm.test or item.label.en),
            qval=value, qorig="DERIVED" if item.derived is not None else "CRF",
        )
        for row, record in zip(numbered, records, strict=True)
        for item, value in record.supplemental
        if item.sdtm is not None
    ]  # fmt: skip
    # the variables some record has a value of (most have one in the first rows)
    held = set().union(*numbered)  # every row's keys
    present = {k for k in held if any(row.get(k) not in (None, "") for row in numbered)}
    variables = []
    for spec in FINDINGS_ORDER:
        meta = findings_variable(d, spec.name)
        name = meta.named(d)
        if meta.core in ("Req", "Exp") or name in present:
            variables.append(
                Variable(name=name, label=meta.label, data_type=meta.data_type,
                         role=meta.role, core=meta.core, codelist=meta.codelist,
                         origin=_ORIGIN.get(spec.name, "Assigned"))
            )  # fmt: skip
    names = {v.name for v in variables}
    label, structure = _DATASETS.get(
        d, (f"{d} Findings", "One record per test per visit per subject")
    )
    keys = tuple(
        n for n in ("STUDYID", "USUBJID", f"{d}TESTCD", f"{d}CAT", f"{d}SCAT", f"{d}LOC",
                    f"{d}LAT", f"{d}METHOD", "VISITNUM", f"{d}TPTNUM")
        if n in names and (n in present or n in ("STUDYID", "USUBJID", f"{d}TESTCD"))
    )  # fmt: skip
    extra: dict[str, Any] = {
        "domain": d,
        "tests": test_metadata(d, plans),
        "supplemental": tuple(qualifiers),
        "unmapped": [u for u in notes["unmapped"] if u.domain == d],
        "shortened": notes["shortened"],
    }
    if d == "LB":
        extra["toxicity_grading"] = CTCAE_SOURCE
    dropped = held - names  # the rows were built here: ours to change
    for row in numbered if dropped else ():
        for k in dropped:
            row.pop(k, None)
    return Dataset(
        name=d, label=label, variables=tuple(variables), rows=tuple(numbered),
        keys=keys, structure=structure, dataset_class="FINDINGS", extra=extra,
    )  # fmt: skip


def _numbered(rows: list[dict[str, Value]], name: str) -> list[dict[str, Value]]:
    """``with_sequence`` on rows built here, numbered in place rather than copied."""
    counters: dict[Value, int] = {}
    for row in rows:
        usubjid = row["USUBJID"]
        row[name] = counters[usubjid] = counters.get(usubjid, 0) + 1
    return rows
