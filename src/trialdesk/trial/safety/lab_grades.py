"""Every laboratory value a participant's visit forms hold, graded with CTCAE v5.0
(clinical/ctcae/labs.yaml) against the laboratory's limits entered beside it and the
participant's baseline value, and the baseline value's own grade.

A lab is an item whose SDTM target is an LB test (``sdtm: {domain: LB, testcd: ...}``)
that CTCAE v5.0 grades (urea, CRP and ESR it does not); its limits are the items its
``reference`` names on the same form (LBORNRLO/LBORNRHI). The baseline is the same item at
the schedule's baseline visit (``baseline_visit``: day 1, before the injection).

Computed from the stored values every time it is read, never stored: a grade cannot be
stale. Which grades propose an adverse event is proposals.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from trialdesk.clinical.ctcae import CtcaeGrade, grade_lab, worse_than_baseline
from trialdesk.clinical.ctcae.lab_table import lab_terms
from trialdesk.errors import FactError
from trialdesk.study.forms import Form, Item
from trialdesk.study.loader import Study
from trialdesk.study.texts import Text
from trialdesk.trial.conduct.form_data import FormValues, ParticipantForms, participant_forms
from trialdesk.trial.conduct.models import LOG
from trialdesk.trial.conduct.participants import Participant
from trialdesk.trial.store.db import Session

__all__ = ["LabGrade", "graded_items", "lab_grades"]


@dataclass(frozen=True)
class LabGrade:
    """One lab value at one visit with its CTCAE grade (``None`` with ``problem`` when
    it could not be graded, e.g. a limit it needs was not entered) and its baseline's."""

    visit_key: str
    visit_date: date | None
    form_id: str
    item_id: str
    label: Text
    testcd: str
    value: str  # decimal text, in ``unit`` (the item's)
    unit: str | None
    grade: CtcaeGrade | None
    problem: str | None
    baseline_value: str | None
    baseline: CtcaeGrade | None  # the baseline value's own grade
    baseline_problem: str | None
    # after the baseline: on or after day 1 and not the baseline visit itself
    after_baseline: bool

    @property
    def proposes(self) -> bool:
        """A grade new or worse than baseline, after baseline: an adverse event to propose.
        A baseline that could not be graded counts as none (the proposal errs on the side
        of asking the investigator)."""
        return self.after_baseline and worse_than_baseline(self.grade, self.baseline)


def graded_items(form: Form) -> list[Item]:
    """The items of ``form`` that CTCAE v5.0 grades: LB tests with a grading in labs.yaml."""
    return [
        item
        for item in form.items
        if item.sdtm is not None
        and item.sdtm.domain == "LB"
        and item.sdtm.testcd
        and item.sdtm.variable is None
        and lab_terms(item.sdtm.testcd)
    ]


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _grade(
    testcd: str, item: Item, where: FormValues, baseline: Decimal | None = None
) -> tuple[Decimal | None, CtcaeGrade | None, str | None]:
    value = _number(where.value(item.id))
    if value is None:
        return None, None, None
    lln = _number(where.value(item.reference_low)) if item.reference_low else None
    uln = _number(where.value(item.reference_high)) if item.reference_high else None
    try:
        graded = grade_lab(testcd, value, item.unit, lln=lln, uln=uln, baseline=baseline)
    except FactError as exc:
        return value, None, exc.message
    return value, graded, None


def _text(number: Decimal) -> str:
    return format(number, "f")


def lab_grades(
    session: Session,
    study: Study,
    participant: Participant,
    forms: ParticipantForms | None = None,
) -> list[LabGrade]:
    """The graded lab values of the participant, in visit order, then form and item order."""
    forms = forms if forms is not None else participant_forms(session, study, participant)
    day1 = participant.day1(study)
    baseline_key = forms.baseline_key()
    order = {key: i for i, key in enumerate(forms.visit_keys())}
    found: list[LabGrade] = []
    for (visit_key, form_id, _row), where in sorted(
        forms.forms.items(), key=lambda kv: (order.get(kv[0][0], len(order)), kv[0][1:])
    ):
        form = study.forms.get(form_id)
        if visit_key == LOG or form is None:
            continue
        at_baseline = forms.at(baseline_key, form_id) if baseline_key is not None else None
        on = forms.visit_dates.get(visit_key)
        after = day1 is not None and on is not None and on >= day1 and visit_key != baseline_key
        for item in graded_items(form):
            assert item.sdtm is not None and item.sdtm.testcd is not None
            testcd = item.sdtm.testcd
            base_value = base_grade = base_problem = None
            if at_baseline is not None:
                base_value, base_grade, base_problem = _grade(testcd, item, at_baseline)
            value, grade, problem = _grade(testcd, item, where, base_value)
            if value is None:
                continue
            found.append(
                LabGrade(
                    visit_key=visit_key,
                    visit_date=on,
                    form_id=form_id,
                    item_id=item.id,
                    label=item.label,
                    testcd=testcd,
                    value=_text(value),
                    unit=item.unit,
                    grade=grade,
                    problem=problem,
                    baseline_value=_text(base_value) if base_value is not None else None,
                    baseline=base_grade,
                    baseline_problem=base_problem,
                    after_baseline=after,
                )
            )
    return found
