"""Derived values recomputed pass after pass (conduct/derive.py): within one recompute a
form is computed again only when something it reads moved since it was computed, and
what comes out is what computing every derived item again and again until nothing moves
gives, whatever the order of a form's items (a score that reads a score after it in its
own form needs a second pass)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from trialdesk.study.loader import Study, load_study
from trialdesk.trial.conduct import derive
from trialdesk.trial.conduct.form_data import FormValues, ParticipantForms

STUDY = load_study("NCT06947746")
SCORES = "disease_activity"
VISITS = {  # tjc28, sjc28, crp (mg/L), esr (mm/h), patient and evaluator global (mm)
    "D1": ((9, 6, "18.5", 42, 64, 52), date(2026, 3, 16)),
    "W4": ((5, 3, "9.5", 30, 45, 38), date(2026, 4, 13)),
}


def _eular_first(study: Study) -> Study:
    """The study with the EULAR responses placed before the DAS28 scores they read."""
    form = study.forms[SCORES]
    eular = tuple(i for i in form.items if i.derived and i.derived.calculator == "eular_response")
    others = tuple(i for i in form.items if i not in eular)
    return replace(study, forms={**study.forms, SCORES: replace(form, items=eular + others)})


def _data(study: Study) -> ParticipantForms:
    forms: dict[tuple[str, str, int], FormValues] = {}
    for visit, ((tjc, sjc, crp, esr, patient, evaluator), _) in VISITS.items():
        typed = {
            "joint_counts": {"tjc28": tjc, "sjc28": sjc, "tjc68": 12, "sjc66": 7},
            "acute_phase": {"crp": crp, "esr": esr},
            "global_assessments": {"patient_global": patient, "evaluator_global": evaluator},
        }
        for form_id, values in typed.items():
            forms[(visit, form_id, 1)] = FormValues(visit, form_id, 1, values)
    dates: dict[str, date | None] = {visit: on for visit, (_, on) in VISITS.items()}
    return ParticipantForms(study, forms, dates)


def _by_passes(study: Study) -> dict[str, dict[str, Any]]:
    """Every derived value as a recompute of data read from the store computes them."""
    data, moved, ticks = _data(study), set[derive._Key](), derive._Ticks()
    for _ in range(derive._MAX_PASSES):
        if not derive._pass(study, data, moved, None, ticks):
            break
    return {k: data.forms[(k, SCORES, 1)].derived for k in VISITS}


def _computations(study: Study, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many times a recompute of data read from the store computes a form."""
    computed = []
    original = derive._compute_form

    def counted(*args: Any) -> bool:
        computed.append(args[2])
        return bool(original(*args))

    monkeypatch.setattr(derive, "_compute_form", counted)
    _by_passes(study)
    monkeypatch.undo()
    return len(computed)


def _until_settled(study: Study) -> dict[str, dict[str, Any]]:
    """Every derived item of every form computed again until none moves."""
    data = _data(study)
    for visit in VISITS:
        data.forms[(visit, SCORES, 1)] = FormValues(visit, SCORES, 1, {})
    for _ in range(10):
        moved = False
        for where in data.forms.values():
            form = study.forms[where.form_id]
            for item in form.derived:
                new = derive.compute_item(study, data, where, form, item)
                if where.derived.get(item.id) != new:
                    where.derived[item.id] = new
                    moved = True
        if not moved:
            break
    return {k: data.forms[(k, SCORES, 1)].derived for k in VISITS}


@pytest.mark.parametrize("study", [STUDY, _eular_first(STUDY)], ids=["as-declared", "eular-first"])
def test_passes_give_what_computing_until_settled_gives(study: Study) -> None:
    scores = _by_passes(study)
    assert scores == _until_settled(study)
    assert scores["W4"]["eular_response_esr"]["value"] in ("good", "moderate", "none")
    assert scores["W4"]["das28_esr"]["value"] is not None
    assert scores["D1"]["eular_response_esr"].get("not_applicable") is True


def test_a_form_whose_items_read_later_items_is_computed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert derive._ordered(STUDY, STUDY.forms[SCORES])
    reordered = _eular_first(STUDY)
    assert not derive._ordered(reordered, reordered.forms[SCORES])
    # as declared, each form is computed once, and once more only when a form it reads
    # (the baseline's scores, for the week-4 EULAR response) moved after it was computed
    assert _computations(reordered, monkeypatch) > _computations(STUDY, monkeypatch)
