"""The evaluator (one person) and the compiled SQL (a population) cannot disagree.

Hypothesis writes small OMOP populations whose dates sit on the edges of every window of
the default study; each person is screened twice — by the SQL over the CDM, and by the
Python evaluator over the same rows read through the OMOP adapter — and every criterion
must get the same status. The real Synthea27Nj CDM is checked the same way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omopbuild import Cdm, Vocab, standard_vocab
from shared_data import SHARED, need
from trialdesk.criteria.screening import Screener
from trialdesk.criteria.sql.query import STATUS_NAMES
from trialdesk.facts.record import Laterality
from trialdesk.feasibility.population import screen_population
from trialdesk.feasibility.sources import Source, open_source
from trialdesk.patients.omop import read_omop
from trialdesk.study.loader import load_study

SCREENING, BASELINE = date(2026, 3, 2), date(2026, 3, 16)
# Day offsets from screening on the edges of the study's windows (28-day screening period,
# 4 weeks, 1/3 months, 8 weeks, 6 months and 1 year before baseline, 30-day course gaps).
EDGES = [
    -800,
    -400,
    -366,
    -352,
    -351,
    -200,
    -170,
    -169,
    -120,
    -93,
    -92,
    -91,
    -90,
    -89,
    -76,
    -43,
    -42,
    -41,
    -29,
    -28,
    -27,
    -14,
    -1,
    0,
    1,
    13,
    14,
    15,
    40,
]

STUDY = load_study()
VOCAB = standard_vocab()

CONDITIONS = [
    "rheumatoid_arthritis",
    "other_immune_mediated",
    "hiv_infection",
    "hepatitis_b",
    "tuberculosis_active",
    "coagulation_disorder",
    "serious_infection",
    "knee_infection",
    "knee_injury",
    "psychiatric_disorder",
    "malignancy",
    "skin_bcc_scc",
    "metastatic_disease",
    "pregnancy",
    "substance_abuse",
    "neuro_pain_disorder",
    "noise:hypertension",
]
LABS = {  # value set: (unit keys to pick from, typical values)
    "alt": (["U/L"], [10, 33, 40, 59, 80, 118, 120]),
    "ast": (["U/L"], [12, 34, 68, 70]),
    "creatinine": (["mg/dL", "umol/L", "kg"], [0.6, 1.0, 1.6, 1.62, 2.0, 2.4, 80, 141.5, -1]),
    "hemoglobin": (["g/dL"], [8.5, 9, 12]),
    "wbc": (["10*3/uL"], [2.5, 3, 6]),
    "neutrophils_absolute": (["10*3/uL"], [1.0, 1.2, 4]),
    "platelets": (["10*3/uL"], [90, 100, 250]),
    "body_weight": (["kg", "[lb_av]"], [50, 70, 76.8, 90, 154, 900]),
    "body_height": (["cm", "[in_i]"], [160, 170, 63, 66]),
    "bmi": (["kg/m2"], [24.9, 30, 30.1, 33]),
    "systolic_bp": (["mm[Hg]"], [120, 159, 160]),
    "diastolic_bp": (["mm[Hg]"], [80, 89, 90]),
    "crp": (["mg/L"], [3, 12]),
    "esr": (["mm/h"], [10, 40]),
    "noise:glucose": (["mg/dL"], [90]),
}
TESTS = [
    "hiv_test",
    "hbsag",
    "hcv_antibody",
    "syphilis_test",
    "pregnancy_test",
    "rheumatoid_factor",
    "anti_ccp",
]
DRUGS = [
    "methotrexate",
    "csdmard",
    "systemic_corticosteroid",
    "parenteral_anti_infective",
    "anti_infective",
    "tb_treatment",
    "live_virus_vaccine",
]
PROCEDURES = ["intra_articular_injection", "knee_surgery", "mri_contraindicated_device"]
JOINT_COUNTS = [
    "tender_joint_count_28",
    "swollen_joint_count_28",
    "tender_joint_count_68",
    "swollen_joint_count_66",
    "joints_large_involved",
    "joints_small_involved",
]

offsets = st.sampled_from(EDGES)


def day(offset: int) -> date:
    return SCREENING + timedelta(days=offset)


@st.composite
def person_rows(draw: Any, pid: int, cdm: Cdm) -> None:
    v: Vocab = cdm.vocab
    born = draw(
        st.sampled_from(
            [
                date(1960, 3, 2),
                date(1961, 3, 3),
                date(1980, 2, 29),
                date(2008, 3, 2),
                date(2008, 3, 3),
                date(1990, 6, 15),
            ]
        )
    )
    cdm.person(pid, born, draw(st.sampled_from(["male", "female"])))
    visits = []
    for _ in range(draw(st.integers(0, 2))):
        vid = pid * 100 + len(visits) + 1
        start = draw(offsets)
        cdm.row(
            "visit_occurrence",
            visit_occurrence_id=vid,
            person_id=pid,
            visit_concept_id=draw(st.sampled_from([9201, 9202, 9203, 0])),
            visit_start_date=day(start),
            visit_end_date=day(start + draw(st.sampled_from([0, 2, 5]))),
        )
        visits.append(vid)
    visit = st.sampled_from([None, *visits])
    # an observation's side (qualifier_concept_id): none, left or right knee (I4)
    qualifier = st.sampled_from([0, v["side:left"], v["side:right"]])
    for _ in range(draw(st.integers(0, 3))):
        vs = draw(st.sampled_from(CONDITIONS))
        start = draw(offsets)
        end = draw(st.sampled_from([None, start, start + 10, start + 400]))
        cdm.row(
            "condition_occurrence",
            person_id=pid,
            condition_concept_id=v[vs],
            condition_source_concept_id=0,
            condition_start_date=day(start),
            condition_end_date=day(end) if end is not None else None,
            visit_occurrence_id=draw(visit),
        )
    for _ in range(draw(st.integers(0, 5))):
        vs = draw(st.sampled_from(sorted(LABS)))
        units, values = LABS[vs]
        unit = draw(st.sampled_from(units))
        cdm.row(
            "measurement",
            person_id=pid,
            measurement_concept_id=v[vs],
            measurement_source_concept_id=0,
            measurement_date=day(draw(offsets)),
            value_as_number=float(draw(st.sampled_from(values))),
            value_as_concept_id=0,
            # the UCUM concept, or none (the text is read then); the text as written,
            # in another spelling, or missing
            unit_concept_id=draw(st.sampled_from([v[f"unit:{unit}"], 0, None])),
            unit_source_value=draw(st.sampled_from([unit, unit.lower(), None])),
            range_low=None,
            range_high=draw(st.sampled_from([None, 40.0, 59.0, 33.0])),
            visit_occurrence_id=None,
        )
    for _ in range(draw(st.integers(0, 3))):
        vs = draw(st.sampled_from(TESTS))
        result = draw(st.sampled_from(["positive", "negative", None]))
        cdm.row(
            "measurement",
            person_id=pid,
            measurement_concept_id=v[vs],
            measurement_source_concept_id=0,
            measurement_date=day(draw(offsets)),
            value_as_number=draw(st.sampled_from([None, 5.0, 50.0])),
            value_as_concept_id=v[result] if result else 0,
            unit_concept_id=0,
            unit_source_value=None,
            range_low=None,
            range_high=draw(st.sampled_from([None, 14.0])),
            visit_occurrence_id=None,
        )
    for _ in range(draw(st.integers(0, 3))):
        # joint counts (I3's ACR/EULAR joint domain): some not whole, some beyond their joints
        cdm.row(
            "measurement",
            person_id=pid,
            measurement_concept_id=v[draw(st.sampled_from(JOINT_COUNTS))],
            measurement_source_concept_id=0,
            measurement_date=day(draw(offsets)),
            value_as_number=float(draw(st.sampled_from([0, 1, 2, 4, 7, 11, 12, 2.5, 40]))),
            value_as_concept_id=0,
            unit_concept_id=0,
            unit_source_value=None,
            range_low=None,
            range_high=None,
            visit_occurrence_id=None,
        )
    if draw(st.booleans()):
        # coded by its concept, or only by its source concept (no concept: not a consent)
        concept, source_concept = draw(
            st.sampled_from([(v["womac_pain"], 0), (None, v["womac_pain"]), (0, v["womac_pain"])])
        )
        cdm.row(
            "observation",
            person_id=pid,
            observation_concept_id=concept,
            observation_source_concept_id=source_concept,
            observation_date=day(draw(offsets)),
            value_as_number=float(draw(st.sampled_from([3, 4, 6]))),
            value_as_concept_id=0,
            value_as_string=None,
            unit_concept_id=v["unit:{score}"],
            qualifier_concept_id=draw(qualifier),
            visit_occurrence_id=None,
        )
    for _ in range(draw(st.integers(0, 2))):
        result = draw(st.sampled_from(["positive", "negative", None]))
        cdm.row(
            "observation",
            person_id=pid,
            observation_concept_id=v["knee_ultrasound_synovitis"],
            observation_source_concept_id=0,
            observation_date=day(draw(offsets)),
            value_as_number=None,
            value_as_concept_id=v[result] if result else 0,
            value_as_string=None,
            unit_concept_id=0,
            qualifier_concept_id=draw(qualifier),
            visit_occurrence_id=None,
        )
    if draw(st.booleans()):
        # a device's "presence of" finding (E16), its value saying present, absent or none
        result = draw(st.sampled_from(["positive", "negative", None]))
        cdm.row(
            "observation",
            person_id=pid,
            observation_concept_id=v["mri_contraindicated_device"],
            observation_source_concept_id=0,
            observation_date=day(draw(offsets)),
            value_as_number=None,
            value_as_concept_id=v[result] if result else 0,
            value_as_string=draw(st.sampled_from([None, "false", "true"])),
            unit_concept_id=0,
            qualifier_concept_id=0,
            visit_occurrence_id=None,
        )
    if draw(st.booleans()):
        cdm.row(
            "observation",
            person_id=pid,
            observation_concept_id=v["consent"],
            observation_source_concept_id=0,
            observation_date=day(draw(offsets)),
            value_as_number=None,
            value_as_concept_id=0,
            value_as_string=None,
            unit_concept_id=0,
            qualifier_concept_id=0,
            visit_occurrence_id=None,
        )
    for _ in range(draw(st.integers(0, 4))):
        vs = draw(st.sampled_from(DRUGS))
        start = draw(offsets)
        cdm.row(
            "drug_exposure",
            person_id=pid,
            drug_concept_id=v[vs],
            drug_source_concept_id=0,
            drug_exposure_start_date=day(start),
            drug_exposure_end_date=day(start + draw(st.sampled_from([0, 2, 3, 30, 90, 400]))),
            quantity=draw(st.sampled_from([None, 7.0, 30.0, 60.0])),
            days_supply=draw(st.sampled_from([None, 0, 7, 30])),
            route_concept_id=draw(
                st.sampled_from([0, v["route:oral"], v["route:iv"], v["route:ia"]])
            ),
            visit_occurrence_id=draw(visit),
        )
    for _ in range(draw(st.integers(0, 2))):
        vs = draw(st.sampled_from(PROCEDURES))
        cdm.row(
            "procedure_occurrence",
            person_id=pid,
            procedure_concept_id=v[vs],
            procedure_source_concept_id=0,
            procedure_date=day(draw(offsets)),
            modifier_concept_id=draw(st.sampled_from([0, v["side:left"], v["side:right"]])),
            visit_occurrence_id=draw(visit),
        )
    if draw(st.booleans()):
        start = draw(offsets)
        cdm.row(
            "device_exposure",
            person_id=pid,
            device_concept_id=v["mri_contraindicated_device"],
            device_source_concept_id=0,
            device_exposure_start_date=day(start),
            device_exposure_end_date=draw(st.sampled_from([None, day(start + 1)])),
        )


@st.composite
def populations(draw: Any) -> Cdm:
    cdm = Cdm(VOCAB)
    for pid in range(1, draw(st.integers(1, 6)) + 1):
        draw(person_rows(pid, cdm))
    return cdm


def disagreements(source: Source, screening: date, baseline: date, knee: str | None) -> list[str]:
    dates = {"screening": screening, "baseline": baseline}
    pop = screen_population(source, STUDY, dates=dates, parameters={"target_knee": knee})
    records = read_omop(source)
    screener = Screener(STUDY.criteria, STUDY.valuesets, STUDY.id)
    side = Laterality(knee) if knee else None
    out = []
    assert [str(p) for p in pop.person_ids] == [r.id for r in records]
    for i, record in enumerate(records):
        result = screener.screen(record, dates=dates, parameters={"target_knee": side})
        for j, c in enumerate(result.criteria):
            sql = STATUS_NAMES[int(pop.statuses[i, j])]
            if sql != c.status.value:
                out.append(
                    f"person {record.id} {c.criterion.id}: python {c.status.value}, sql {sql}"
                    f" ({'; '.join(e.note for e in c.evidence)[:300]})"
                )
    return out


@settings(
    max_examples=int(os.environ.get("TRIALDESK_DIFF_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(populations(), st.sampled_from(["right", "left", None]))
def test_sql_and_evaluator_agree_on_generated_populations(cdm: Cdm, knee: str | None) -> None:
    source = cdm.source()
    try:
        assert disagreements(source, SCREENING, BASELINE, knee) == []
    finally:
        source.close()


@pytest.fixture(scope="module")
def synthea27nj() -> Iterator[Any]:
    """The real Synthea27Nj CDM, loaded once for every screening date (loading is the cost)."""
    path = need(SHARED / "omop-synthea27nj-cdm54" / "Synthea27Nj_5.4.zip")
    with open_source(str(path)) as source:
        yield source


# two screening dates a decade apart (each about 20 s): the same people with a short and a
# long history; the generated populations above cover the shapes in between
@pytest.mark.parametrize("screening", [date(2010, 3, 1), date(2019, 6, 1)])
def test_sql_and_evaluator_agree_on_synthea27nj(synthea27nj: Any, screening: date) -> None:
    assert disagreements(synthea27nj, screening, screening + timedelta(days=14), "right") == []
