"""I4 and E16 over OMOP (issue 19): the compiled SQL and the evaluator give every person the
same status, and the status the cell of docs/criteria.md says.

I4 reads the target knee's WOMAC and ultrasound synovitis: an observation's side comes
from its ``qualifier_concept_id`` (SNOMED CT 7771000 left, 24028007 right) or from a
lateralised code (ICD-10-CM M65.861 / M65.862); a reading of the other knee does not
count; one with no side is taken as the target knee's (I4's protocol assumption); one
whose qualifier names another site cannot be placed. E16 reads the sign of an observation
row in the device value set: recorded as absent (a coded Absent / Negative, or
``value_as_string`` 'false') is no device.

Screening 2026-03-02, baseline 2026-03-16: the screening period is 2026-02-02..2026-03-15.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from omopbuild import Cdm, Vocab, standard_vocab
from trialdesk.criteria.screening import Screener
from trialdesk.criteria.sql.query import STATUS_NAMES
from trialdesk.facts.record import Laterality
from trialdesk.feasibility.population import screen_population
from trialdesk.patients.omop import read_omop
from trialdesk.study.loader import Study, load_study

SCREENING, BASELINE = date(2026, 3, 2), date(2026, 3, 16)
IN, LATER = date(2026, 2, 20), date(2026, 3, 1)  # both inside the screening period
CRITERIA = ("I4", "E16")


def _vocab() -> Vocab:
    v = standard_vocab()
    v.add("syn:right", "ICD10CM", "M65.861", "Other synovitis and tenosynovitis, right leg")
    v.add("syn:left", "ICD10CM", "M65.862", "Other synovitis and tenosynovitis, left leg")
    v.add("site:left-eye", "SNOMED", "8966001", "Left eye structure")
    v.add("severe", "SNOMED", "24484000", "Severe")
    v.add("absent", "SNOMED", "2667000", "Absent")
    v.add("present", "SNOMED", "52101004", "Present")
    return v


VOCAB = _vocab()


def womac(score: float, side: str | None = None, day: date = IN) -> dict[str, Any]:
    return {
        "table": "observation",
        "observation_concept_id": VOCAB["womac_pain"],
        "observation_date": day,
        "value_as_number": float(score),
        "unit_concept_id": VOCAB["unit:{score}"],
        "qualifier_concept_id": VOCAB[side] if side else 0,
    }


def ultrasound(result: str, side: str | None = None, day: date = IN) -> dict[str, Any]:
    return {
        "table": "observation",
        "observation_concept_id": VOCAB["knee_ultrasound_synovitis"],
        "observation_date": day,
        "value_as_concept_id": VOCAB[result],
        "qualifier_concept_id": VOCAB[side] if side else 0,
    }


def synovitis_condition(side: str) -> dict[str, Any]:
    return {
        "table": "condition_occurrence",
        "condition_concept_id": VOCAB[f"syn:{side}"],
        "condition_start_date": IN,
    }


def device_finding(**value: Any) -> dict[str, Any]:
    return {
        "table": "observation",
        "observation_concept_id": VOCAB["mri_contraindicated_device"],
        "observation_date": date(2025, 1, 1),
        **value,
    }


# (rows, target knee, expected I4, expected E16)
PEOPLE: list[tuple[str, list[dict[str, Any]], str | None, str, str]] = [
    ("both-right", [womac(6, "side:right"), ultrasound("positive", "side:right")], "right",
     "needs_review", "not_met"),
    ("womac-other-knee", [womac(6, "side:left"), ultrasound("positive")], "right",
     "unknown", "not_met"),
    ("unsided-assumed", [womac(6), ultrasound("positive")], "right", "needs_review", "not_met"),
    ("unsided-no-target", [womac(6), ultrasound("positive")], None, "needs_review", "not_met"),
    ("sided-no-target", [womac(6, "side:right"), ultrasound("positive")], None,
     "unknown", "not_met"),
    ("womac-3-right", [womac(3, "side:right"), ultrasound("positive", "side:right")], "right",
     "not_met", "not_met"),
    ("later-left-score-ignored",
     [womac(6, "side:right"), womac(2, "side:left", LATER), ultrasound("positive")], "right",
     "needs_review", "not_met"),
    ("later-unplaceable-score",
     [womac(6, "side:right"), womac(2, "site:left-eye", LATER), ultrasound("positive")],
     "right", "unknown", "not_met"),
    ("severity-qualifier-is-no-side", [womac(6, "severe"), ultrasound("positive")], "right",
     "needs_review", "not_met"),
    ("ultrasound-negative-right", [womac(6), ultrasound("negative", "side:right")], "right",
     "not_met", "not_met"),
    ("ultrasound-left-only", [womac(6), ultrasound("positive", "side:left")], "right",
     "unknown", "not_met"),
    ("ultrasound-left-positive-right-negative",
     [womac(6), ultrasound("positive", "side:left"), ultrasound("negative", "side:right")],
     "right", "not_met", "not_met"),
    ("condition-right-knee", [womac(6), synovitis_condition("right")], "right",
     "needs_review", "not_met"),
    ("condition-left-knee", [womac(6), synovitis_condition("left")], "right",
     "unknown", "not_met"),
    ("device-absent-coded", [device_finding(value_as_concept_id=VOCAB["absent"])], "right",
     "unknown", "not_met"),
    ("device-negative", [device_finding(value_as_concept_id=VOCAB["negative"])], "right",
     "unknown", "not_met"),
    ("device-false", [device_finding(value_as_string="false")], "right", "unknown", "not_met"),
    ("device-no-value", [device_finding()], "right", "unknown", "met"),
    ("device-present", [device_finding(value_as_concept_id=VOCAB["present"])], "right",
     "unknown", "met"),
    ("device-absent-and-present",
     [device_finding(value_as_string="false"),
      device_finding(value_as_concept_id=VOCAB["present"])],
     "right", "unknown", "met"),
]  # fmt: skip

OBSERVATION = {
    "observation_source_concept_id": 0,
    "value_as_number": None,
    "value_as_concept_id": 0,
    "value_as_string": None,
    "unit_concept_id": 0,
    "qualifier_concept_id": 0,
    "visit_occurrence_id": None,
}
CONDITION = {
    "condition_source_concept_id": 0,
    "condition_end_date": None,
    "visit_occurrence_id": None,
}


def _cdm(knee: str | None) -> tuple[Cdm, list[str]]:
    """One CDM holding the people screened with this target knee, and their case ids."""
    cdm = Cdm(VOCAB)
    names = []
    for name, rows, target, _, _ in PEOPLE:
        if target != knee:
            continue
        names.append(name)
        pid = len(names)
        cdm.person(pid, date(1975, 6, 15), "female")
        for row in rows:
            values = dict(row)
            table = values.pop("table")
            base = OBSERVATION if table == "observation" else CONDITION
            cdm.row(table, person_id=pid, **{**base, **values})
    return cdm, names


def _subset(study: Study) -> Study:
    chosen = tuple(c for c in study.criteria.criteria if c.id in CRITERIA)
    return replace(study, criteria=replace(study.criteria, criteria=chosen))


@pytest.fixture(scope="module")
def statuses() -> dict[str, dict[str, tuple[str, str]]]:
    """Per case, per criterion: (the evaluator's status, the SQL's status)."""
    study = _subset(load_study())
    screener = Screener(study.criteria, study.valuesets, study.id)
    dates = {"screening": SCREENING, "baseline": BASELINE}
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for knee in ("right", None):
        cdm, names = _cdm(knee)
        with cdm.source() as source:
            pop = screen_population(source, study, dates=dates, parameters={"target_knee": knee})
            records = read_omop(source)
        side = Laterality(knee) if knee else None
        for i, record in enumerate(records):
            python = screener.screen(record, dates=dates, parameters={"target_knee": side})
            out[names[int(record.id) - 1]] = {
                c.criterion.id: (c.status.value, STATUS_NAMES[int(pop.statuses[i, j])])
                for j, c in enumerate(python.criteria)
            }
    return out


@pytest.mark.parametrize(
    ("name", "criterion", "expected"),
    [
        pytest.param(name, cid, want, id=f"{cid}-{want}-{name}")
        for name, _, _, i4, e16 in PEOPLE
        for cid, want in (("I4", i4), ("E16", e16))
    ],
)
def test_sql_and_evaluator_agree_with_the_matrix_cell(
    statuses: dict[str, dict[str, tuple[str, str]]], name: str, criterion: str, expected: str
) -> None:
    python, sql = statuses[name][criterion]
    assert (python, sql) == (expected, expected), name
