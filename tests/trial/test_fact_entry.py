"""Facts entered by hand (trialdesk.trial.screening.fact_entry) on the default study, NCT06947746.

Each decision test screens a small record, enters the missing fact through ``to_fact`` and
screens again, so a passing test shows the engine reads the entered fact, not only that a
Fact was built. The FHIR comparisons screen the same fact read from a FHIR bundle by the
real adapter: both must give every criterion the same status.

Study dates: screening 2026-03-02, baseline 2026-03-16 (screening period 2026-02-02 to
2026-03-15); the person is a man born 1975-06-15 (50 years old).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fhirbuild import PRESENT, condition, immunization, med_request, obs, patient, procedure
from fhirbuild import record as fhir_record
from trialdesk.criteria.context import EvalContext, FactIndex, Matcher, StudyDates
from trialdesk.criteria.measures import usable_value
from trialdesk.criteria.medications import daily_dose_mg
from trialdesk.criteria.screening import CriterionResult, Screener, Status
from trialdesk.errors import InputError
from trialdesk.facts.record import Fact, FactKind, Laterality, PatientRecord, Quantity
from trialdesk.study.loader import load_study
from trialdesk.trial.screening.entry_concepts import EntryConcept, entry_concepts
from trialdesk.trial.screening.entry_values import named
from trialdesk.trial.screening.fact_entry import FactEntry, to_fact

SCREENING = date(2026, 3, 2)
BASELINE = date(2026, 3, 16)
TODAY = SCREENING
IN = date(2026, 2, 20)  # inside the screening period
BORN = date(1975, 6, 15)
DOC = "Lab report, City Hospital, 20 Feb 2026"

STUDY = load_study()
SCREENER = Screener(STUDY.criteria, STUDY.valuesets, STUDY.id)
MATCHER = Matcher(STUDY.valuesets)
_ids = itertools.count(1)


def enter(concept: str, on: date = IN, **fields: Any) -> Fact:
    fields.setdefault("source_document", DOC)
    entry = FactEntry(concept, on, **fields)
    return to_fact(STUDY, entry, resource=f"EnteredFact/{next(_ids)}", today=TODAY)


def person(*facts: Fact) -> PatientRecord:
    return PatientRecord(id="p1", birth_date=BORN, sex="male", facts=facts)


def searched() -> PatientRecord:
    """A clinical record that was supplied and holds nothing: closed world holds over it."""
    return replace(person(), clinical_record=True)


def test_no_record_at_all_is_not_a_clean_record() -> None:
    # a person added by name only: history criteria ask for the record (issue 19, D1)
    for criterion in ("I6", "E20", "E24", "I3"):
        assert status(person(), criterion) is Status.UNKNOWN, criterion


def result(rec: PatientRecord, criterion: str, knee: Laterality | None = None) -> CriterionResult:
    screened = SCREENER.screen(
        rec,
        dates={"screening": SCREENING, "baseline": BASELINE},
        parameters={"target_knee": knee.value if knee else None},
        only=(criterion,),
    )
    (found,) = screened.criteria
    return found


def status(rec: PatientRecord, criterion: str, knee: Laterality | None = None) -> Status:
    return result(rec, criterion, knee).status


def notes(r: CriterionResult) -> str:
    return " | ".join(e.note for e in r.evidence)


# --------------------------------------------------------------------------- concepts


def test_concepts_are_what_the_criteria_read() -> None:
    concepts = entry_concepts(STUDY)
    names = {c.name for c in concepts}
    # named in rules and reviews, including an option (E18 excluding=skin_bcc_scc)
    assert {"alt", "ast", "methotrexate", "womac_pain", "knee_ultrasound_synovitis"} <= names
    assert "skin_bcc_scc" in names
    # read by the engine's functions themselves: Cockcroft-Gault, BMI, ACR/EULAR 2010
    assert {"creatinine", "body_weight", "body_height", "bmi", "rheumatoid_factor"} <= names
    # bundled but read by no criterion of this study
    assert not names & {"lymphocytes_absolute", "tb_test", "cardiovascular_disorder"}
    assert [(c.kind, c.title.casefold()) for c in concepts] == sorted(
        (c.kind, c.title.casefold()) for c in concepts
    )


def test_concept_choices_say_how_to_enter_them() -> None:
    by_name = {c.name: c for c in entry_concepts(STUDY)}
    assert by_name["alt"] == EntryConcept("alt", by_name["alt"].title, "lab", "U/L", ())
    assert by_name["creatinine"].unit == "mg/dL"
    assert by_name["hbsag"].answers == ("positive", "negative", "indeterminate")
    assert by_name["knee_ultrasound_synovitis"].answers == ("present", "absent")
    assert by_name["ecg_12_lead"].answers == ("abnormal", "normal")
    assert ("rxnorm|3264", "dexamethasone (ingredient)") in by_name["systemic_corticosteroid"].codes
    for c in by_name.values():
        assert (c.unit is None) == (c.kind not in ("lab", "vital", "score") or bool(c.answers))


@pytest.mark.parametrize(
    "concept", sorted(c.name for c in entry_concepts(STUDY) if c.kind != "attestation")
)  # the record-review attestation is no fact (test_record_reviewed.py)
def test_every_concept_can_be_entered_and_matches_its_value_set(concept: str) -> None:
    c = next(x for x in entry_concepts(STUDY) if x.name == concept)
    fields: dict[str, str] = {}
    if c.unit is not None:
        plausible = {"body_height": "175", "creatinine": "1.0", "body_weight": "70"}
        fields = {"value": plausible.get(concept, "5"), "unit": c.unit}
    elif c.answers:
        fields = {"value": c.answers[0]}
    elif c.kind == "medication":
        fields = {"code": c.codes[0][0]}
    fact = enter(concept, **fields)
    assert concept in {name for name, _ in MATCHER.matches(fact)}


# --------------------------------------------------------------------------- decisions


def test_entered_alt_decides_the_transaminase_exclusion() -> None:
    base = person()
    before = result(base, "E10")
    assert before.status is Status.UNKNOWN
    assert any("Alanine aminotransferase" in m for m in before.missing)
    high = person(enter("alt", value="150", unit="U/L"))
    assert status(high, "E10") is Status.MET  # 150 / 59 (male ULN) = 2.54 x ULN
    normal = person(enter("alt", value="32", unit="IU/L"), enter("ast", value="20", unit="U/L"))
    assert status(normal, "E10") is Status.NOT_MET


def test_entered_alt_in_other_units_reads_the_same() -> None:
    # 2.5 µkat/L = 150 U/L (1 U = 1 µmol/min = 1/60 µkat)
    assert status(person(enter("alt", value="2.5", unit="ukat/L")), "E10") is Status.MET


CREATININE = [
    ("1.0", "mg/dL", Status.NOT_MET),  # CrCl (140-50) x 70 / (72 x 1.0) = 87.5 mL/min
    ("88.4", "µmol/L", Status.NOT_MET),
    ("88.4", "umol/L", Status.NOT_MET),
    ("0.0884", "mmol/L", Status.NOT_MET),
    ("10", "mg/L", Status.NOT_MET),
    ("3.0", "mg/dL", Status.MET),  # CrCl 29.2 mL/min < 45
    ("265.2", "µmol/L", Status.MET),
]


@pytest.mark.parametrize(("value", "unit", "expected"), CREATININE)
def test_creatinine_in_any_unit_decides_cockcroft_gault(
    value: str, unit: str, expected: Status
) -> None:
    weight = enter("body_weight", value="70", unit="kg")
    assert status(person(weight), "E11") is Status.UNKNOWN
    fact = enter("creatinine", value=value, unit=unit)
    assert fact.value is not None and fact.value.value == float(value)  # kept as entered
    decided = result(person(weight, fact), "E11")
    assert decided.status is expected
    assert "Cockcroft-Gault" in notes(decided)


def test_entered_methotrexate_with_its_dose_decides_stable_background_treatment() -> None:
    assert status(searched(), "I6") is Status.NOT_MET  # closed world: none on file
    weekly = dict(dose="15", dose_unit="mg", per_day="1/7", route="oral")
    mtx = enter("methotrexate", date(2025, 6, 1), **weekly)
    assert mtx.dose is not None and math.isclose(mtx.dose.per_day or 0, 1 / 7)
    now = result(person(mtx), "I6")
    assert now.status is Status.MET
    assert status(person(mtx), "I5") is Status.MET  # a csDMARD for 9 months, same dose
    # a new dose two weeks before screening is a dose change
    raised = enter("methotrexate", date(2026, 2, 16), **(weekly | {"dose": "20"}))
    stopped = enter("methotrexate", date(2025, 6, 1), end=date(2026, 2, 15), **weekly)
    changed = result(person(stopped, raised), "I6")
    assert changed.status is Status.NOT_MET
    assert "mg/day" in notes(changed)


def test_methotrexate_without_a_dose_leaves_stability_unknown() -> None:
    unknown = result(person(enter("methotrexate", date(2025, 6, 1))), "I6")
    assert unknown.status is Status.UNKNOWN
    assert any("dose" in m for m in unknown.missing)


def test_the_chosen_steroid_decides_its_prednisone_equivalent() -> None:
    assert status(searched(), "E20") is Status.NOT_MET
    oral = dict(dose="2", dose_unit="mg", per_day="1", route="oral", on=date(2026, 3, 1))
    dexa = enter("systemic_corticosteroid", code="rxnorm|3264", **oral)
    pred = enter("systemic_corticosteroid", code="rxnorm|8640", **oral)
    assert status(person(dexa), "E20") is Status.MET  # 2 mg dexamethasone = 13.3 mg prednisone
    assert status(person(pred), "E20") is Status.NOT_MET
    shot = enter("systemic_corticosteroid", code="rxnorm|6902", route="intramuscular")
    assert status(person(shot), "E20") is Status.MET


def test_entered_womac_and_ultrasound_go_to_review() -> None:
    assert status(person(), "I4") is Status.UNKNOWN
    womac = enter("womac_pain", value="6", unit="{score}")
    synovitis = enter("knee_ultrasound_synovitis", value="present", laterality="left")
    # a left-knee finding counts for a left target knee (issue 19: tied to the target knee)
    assert status(person(womac, synovitis), "I4", Laterality.LEFT) is Status.NEEDS_REVIEW
    no_unit = enter("womac_pain", value="6")  # a score needs no unit, as FHIR valueInteger
    answered = enter("knee_ultrasound_synovitis", value="Yes")  # a questionnaire's yes
    assert status(person(no_unit, answered), "I4") is Status.NEEDS_REVIEW
    absent = enter("knee_ultrasound_synovitis", value="absent", laterality="left")
    assert status(person(womac, absent), "I4", Laterality.LEFT) is Status.NOT_MET


def test_entered_serology_decides_the_infection_exclusion() -> None:
    tests = ("hiv_test", "hbsag", "hcv_antibody", "syphilis_test")
    negative = [enter(t, value="negative") for t in tests]
    assert status(person(*negative[:3]), "E3") is Status.UNKNOWN
    assert status(person(*negative), "E3") is Status.NOT_MET
    positive = enter("hbsag", value="Positive")
    assert status(person(*negative, positive), "E3") is Status.MET
    unclear = enter("syphilis_test", value="indeterminate")
    assert status(person(*negative[:3], unclear), "E3") is Status.UNKNOWN


def test_the_reports_upper_limit_grades_serology_for_acr_eular() -> None:
    """Aletaha 2010, Table 3: RF or ACPA > 3 x ULN is high positive (3 points), > ULN low
    positive (2). Without the report's ULN a number cannot be graded."""
    ra = enter("rheumatoid_arthritis", on=date(2024, 5, 1))

    def acr(*facts: Fact) -> str:
        return notes(result(person(ra, *facts), "I3"))

    ungraded = acr(enter("rheumatoid_factor", value="50", unit="[IU]/mL"))
    assert "serology" in ungraded.split("unknown: ")[1]
    high = enter("rheumatoid_factor", value="50", unit="[IU]/mL", upper_limit="14")
    assert "high-positive" in acr(high)  # 50 > 3 x 14
    low = enter("anti_ccp", value="20", unit="U/mL", upper_limit="17")
    assert "low-positive" in acr(low)  # 17 < 20 <= 51
    assert "negative" in acr(enter("anti_ccp", value="5", unit="U/mL", upper_limit="17"))
    assert high.reference_high == Quantity(14.0, high.value.unit)  # type: ignore[union-attr]


def test_the_reports_upper_limit_grades_the_acute_phase_reactants() -> None:
    ra = enter("rheumatoid_arthritis", on=date(2024, 5, 1))
    crp = enter("crp", value="12", unit="mg/L", upper_limit="5")
    assert "abnormal" in notes(result(person(ra, crp), "I3"))
    ungraded = notes(result(person(ra, enter("crp", value="12", unit="mg/L")), "I3"))
    assert "acute-phase reactants" in ungraded.split("unknown: ")[1]


def test_the_upper_limit_is_read_in_the_unit_it_was_entered_in() -> None:
    # ALT 1.5 µkat/L against ULN 0.5 µkat/L (30 U/L): 3 x ULN, whatever the unit.
    ast = enter("ast", value="20", unit="U/L")
    alt = enter("alt", value="1.5", unit="ukat/L", upper_limit="0.5")
    assert status(person(ast, alt), "E10") is Status.MET
    # CRP 1.2 mg/dL against ULN 0.5 mg/dL: abnormal (the same as 12 mg/L against 5).
    ra = enter("rheumatoid_arthritis", on=date(2024, 5, 1))
    crp = enter("crp", value="1.2", unit="mg/dL", upper_limit="0.5")
    assert "abnormal" in notes(result(person(ra, crp), "I3"))


def test_the_reports_upper_limit_replaces_the_default_for_x_uln() -> None:
    # 90 U/L is 1.5 x the default male ULN (59 U/L) but 3 x this laboratory's 30 U/L.
    ast = enter("ast", value="20", unit="U/L")
    assert status(person(ast, enter("alt", value="90", unit="U/L")), "E10") is Status.NOT_MET
    own = enter("alt", value="90", unit="U/L", upper_limit="30")
    assert status(person(ast, own), "E10") is Status.MET
    assert "ULN 30" in notes(result(person(ast, own), "E10"))


def test_entered_ecg_result() -> None:
    assert status(person(), "E13") is Status.UNKNOWN
    assert status(person(enter("ecg_12_lead", value="normal")), "E13") is Status.NOT_MET
    assert status(person(enter("ecg_12_lead", value="abnormal")), "E13") is Status.NEEDS_REVIEW


def test_knee_surgery_laterality_decides_the_target_knee() -> None:
    left = enter("knee_surgery", date(2025, 9, 1), laterality="left")
    assert status(person(left), "E9", Laterality.LEFT) is Status.MET
    assert status(person(left), "E9", Laterality.RIGHT) is Status.NOT_MET
    both = enter("knee_surgery", date(2025, 9, 1), laterality="Bilateral")
    assert status(person(both), "E9", Laterality.RIGHT) is Status.MET
    sideless = result(person(enter("knee_surgery", date(2025, 9, 1))), "E9", Laterality.LEFT)
    assert sideless.status is Status.UNKNOWN
    assert any("side" in m for m in sideless.missing)


def test_entered_vaccine_and_diagnosis() -> None:
    assert status(searched(), "E24") is Status.NOT_MET
    vaccine = enter("live_virus_vaccine", date(2026, 2, 1), code="cvx|21")  # varicella
    assert status(person(vaccine), "E24") is Status.MET
    assert status(searched(), "I3") is Status.NOT_MET
    ra = enter("rheumatoid_arthritis", date(2024, 5, 1))
    assert status(person(ra), "I3") is not Status.NOT_MET
    resolved = enter("pregnancy", date(2025, 1, 1), end=date(2025, 10, 1))
    assert resolved.status == "resolved"
    assert status(person(resolved), "E19") is not Status.MET


# --------------------------------------------------------------------------- same as FHIR

FHIR_CASES: list[tuple[str, dict[str, Any], dict[str, Any], Laterality | None]] = [
    # (label, FactEntry fields, FHIR resource, target knee)
    (
        "alt",
        {"concept": "alt", "on": IN, "value": "150", "unit": "U/L"},
        obs("1742-6", 150, "U/L", IN.isoformat()),
        None,
    ),
    (
        "creatinine umol/L",
        {"concept": "creatinine", "on": IN, "value": "265.2", "unit": "umol/L"},
        obs("2160-0", 265.2, "umol/L", IN.isoformat()),
        None,
    ),
    (
        "methotrexate weekly",
        {
            "concept": "methotrexate",
            "on": date(2025, 6, 1),
            "dose": "15",
            "dose_unit": "mg",
            "per_day": "1/7",
            "route": "oral",
        },
        med_request("6851", "2025-06-01", 15, every=(1, 1, "wk"), route="oral"),
        None,
    ),
    (
        "knee surgery left",
        {"concept": "knee_surgery", "on": date(2025, 9, 1), "laterality": "left"},
        procedure("609588000", "2025-09-01", body_site=("snomed", "82169009", "Left knee")),
        Laterality.LEFT,
    ),
    (
        "ultrasound synovitis",
        {"concept": "knee_ultrasound_synovitis", "on": IN, "value": "present"},
        obs(("trialdesk", "knee-us-synovitis"), None, None, IN.isoformat(), result=PRESENT),
        None,
    ),
    (
        "live vaccine",
        {"concept": "live_virus_vaccine", "on": date(2026, 2, 1)},
        immunization("03", "2026-02-01"),
        None,
    ),
    (
        "rheumatoid arthritis",
        {"concept": "rheumatoid_arthritis", "on": date(2024, 5, 1)},
        condition("69896004", onset="2024-05-01"),
        None,
    ),
]


@pytest.mark.parametrize(
    ("fields", "resource", "knee"),
    [case[1:] for case in FHIR_CASES],
    ids=[case[0] for case in FHIR_CASES],
)
def test_entered_fact_screens_like_the_same_fact_from_fhir(
    fields: dict[str, Any], resource: dict[str, Any], knee: Laterality | None
) -> None:
    weight = enter("body_weight", value="70", unit="kg")
    from_fhir = fhir_record(patient("1975-06-15", "male"), resource)
    from_fhir = replace(from_fhir, facts=(*from_fhir.facts, weight))
    entered = person(weight, enter(**fields))
    dates = {"screening": SCREENING, "baseline": BASELINE}
    parameters = {"target_knee": knee.value if knee else None}
    a = SCREENER.screen(from_fhir, dates=dates, parameters=parameters)
    b = SCREENER.screen(entered, dates=dates, parameters=parameters)
    assert [(r.criterion.id, r.status) for r in a.criteria] == [
        (r.criterion.id, r.status) for r in b.criteria
    ]


# --------------------------------------------------------------------------- validation

LONG = "x" * 201
STEROID = "systemic_corticosteroid"
RA_LEFT_KNEE = "snomed|1073731000119100"
MTX: dict[str, Any] = {"concept": "methotrexate", "dose": "15", "dose_unit": "mg"}
INVALID: list[tuple[dict[str, Any], str]] = [
    ({"concept": "no_such_concept"}, "concept"),
    ({"concept": "lymphocytes_absolute", "value": "1", "unit": "10*3/uL"}, "concept"),
    ({"concept": "  "}, "concept"),
    ({"concept": "rheumatoid_arthritis", "on": date(2026, 3, 3)}, "on"),
    ({"concept": "rheumatoid_arthritis", "on": date(1899, 12, 31)}, "on"),
    ({"concept": "pregnancy", "on": IN, "end": date(2026, 2, 19)}, "end"),
    ({"concept": "pregnancy", "on": IN, "end": date(2026, 3, 5)}, "end"),
    ({"concept": "alt", "unit": "U/L"}, "value"),
    ({"concept": "alt", "value": "abc", "unit": "U/L"}, "value"),
    ({"concept": "alt", "value": "nan", "unit": "U/L"}, "value"),
    ({"concept": "alt", "value": "inf", "unit": "U/L"}, "value"),
    ({"concept": "alt", "value": "1e999", "unit": "U/L"}, "value"),
    ({"concept": "alt", "value": "-5", "unit": "U/L"}, "value"),
    ({"concept": "alt", "value": "1,5", "unit": "U/L"}, "value"),
    ({"concept": "alt", "value": "<5", "unit": "U/L"}, "value"),
    ({"concept": "alt", "value": "32"}, "unit"),
    ({"concept": "alt", "value": "32", "unit": "kg"}, "unit"),
    ({"concept": "alt", "value": "32", "unit": "furlongs"}, "unit"),
    ({"concept": "alt", "value": "32", "unit": "U/L\x00"}, "unit"),
    ({"concept": "creatinine", "value": "88", "unit": "mg/dL"}, "value"),  # µmol/L typed
    ({"concept": "body_weight", "value": "70", "unit": "g"}, "value"),  # 0.07 kg
    ({"concept": "womac_pain", "value": "14", "unit": "{score}"}, "value"),
    ({"concept": "hbsag", "value": "maybe"}, "value"),
    ({"concept": "hbsag"}, "value"),
    ({"concept": "hbsag", "value": "positive", "unit": "U/L"}, "unit"),
    (
        {"concept": "knee_ultrasound_synovitis", "value": "present", "laterality": "up"},
        "laterality",
    ),
    ({"concept": "alt", "value": "32", "unit": "U/L", "laterality": "left"}, "laterality"),
    ({"concept": "rheumatoid_arthritis", "value": "positive"}, "value"),
    ({"concept": "alt", "value": "32", "unit": "U/L", "end": IN}, "end"),
    ({"concept": "alt", "value": "32", "unit": "U/L", "dose": "5"}, "dose"),
    ({"concept": "alt", "value": "32", "unit": "U/L", "route": "oral"}, "route"),
    ({"concept": "alt", "value": "32", "unit": "U/L", "code": "loinc|1742-6"}, "code"),
    ({"concept": "alt", "value": "32", "unit": "U/L", "upper_limit": "0"}, "upper_limit"),
    ({"concept": "alt", "value": "32", "unit": "U/L", "upper_limit": "-3"}, "upper_limit"),
    ({"concept": "alt", "value": "32", "unit": "U/L", "upper_limit": "<40"}, "upper_limit"),
    ({"concept": "alt", "value": "32", "unit": "U/L", "upper_limit": "forty"}, "upper_limit"),
    ({"concept": "alt", "value": "32", "unit": "U/L", "upper_limit": "300"}, "upper_limit"),
    ({"concept": "alt", "value": "0.5", "unit": "ukat/L", "upper_limit": "30"}, "upper_limit"),
    ({"concept": "body_weight", "value": "70", "unit": "kg", "upper_limit": "90"}, "upper_limit"),
    ({"concept": "hbsag", "value": "negative", "upper_limit": "1"}, "upper_limit"),
    ({"concept": "alt", "value": "32", "unit": "U/L", "source_document": ""}, "source_document"),
    ({"concept": "alt", "value": "32", "unit": "U/L", "source_document": LONG}, "source_document"),
    (
        {"concept": "alt", "value": "32", "unit": "U/L", "source_document": "a\nb"},
        "source_document",
    ),
    (
        {"concept": "alt", "value": "32", "unit": "U/L", "source_document": "a\x07"},
        "source_document",
    ),
    (MTX | {"dose": "0"}, "dose"),
    (MTX | {"dose": "-1"}, "dose"),
    (MTX | {"dose": "lots"}, "dose"),
    (MTX | {"dose": "nan"}, "dose"),
    (MTX | {"dose_unit": None}, "dose_unit"),
    (MTX | {"dose_unit": "mL"}, "dose_unit"),
    (MTX | {"per_day": "0"}, "per_day"),
    (MTX | {"per_day": "1/0"}, "per_day"),
    (MTX | {"per_day": "30"}, "per_day"),
    (MTX | {"per_day": "weekly"}, "per_day"),
    ({"concept": "methotrexate", "per_day": "1"}, "dose"),
    (MTX | {"route": "nasal"}, "route"),
    (MTX | {"code": "rxnorm|105585", "route": "intravenous"}, "route"),  # an oral tablet
    (MTX | {"code": "rxnorm|999999"}, "code"),
    (MTX | {"code": "6851"}, "code"),
    ({"concept": STEROID, "dose": "5", "dose_unit": "mg"}, "code"),
    # the code is "rheumatoid arthritis of left knee"
    (
        {"concept": "rheumatoid_arthritis", "code": RA_LEFT_KNEE, "laterality": "right"},
        "laterality",
    ),
]


@pytest.mark.parametrize(("fields", "field"), INVALID)
def test_invalid_entries_name_their_field(fields: dict[str, Any], field: str) -> None:
    fields = {"on": IN, "source_document": DOC} | fields
    with pytest.raises(InputError) as caught:
        to_fact(STUDY, FactEntry(**fields), resource="EnteredFact/1", today=TODAY)
    assert caught.value.field == field
    # named in words, not by its code: the page shows it under the field's label (D20)
    assert named(field) in caught.value.message.lower(), caught.value.message
    assert field not in caught.value.message or "_" not in field, caught.value.message


def test_a_value_is_kept_in_the_unit_entered() -> None:
    fact = enter("creatinine", value="88.4", unit="µmol/L")
    assert fact.value == Quantity(88.4, "umol/L")
    assert fact.kind is FactKind.OBSERVATION and fact.start == IN
    assert fact.resource.startswith("EnteredFact/")


# --------------------------------------------------------------------------- properties

QUANTITIES = sorted(c.name for c in entry_concepts(STUDY) if c.unit is not None)
UNITS = [
    "U/L", "IU/L", "ukat/L", "umol/L", "µmol/L", "mmol/L", "mg/dL", "mg/L", "g/dL", "g/L",
    "10*9/L", "10*3/uL", "x10^9/L", "kg", "g", "lb", "[lb_av]", "cm", "m", "in", "mm[Hg]",
    "mmHg", "kPa", "kg/m2", "mm/h", "{score}", "U/mL", "[IU]/mL", "%", "1", "",
]  # fmt: skip
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _context(fact: Fact) -> EvalContext:
    rec = person(fact)
    return EvalContext(
        rec, FactIndex(rec, MATCHER), StudyDates(SCREENING, BASELINE), STUDY.valuesets
    )


@FAST
@given(
    concept=st.sampled_from(QUANTITIES),
    number=st.floats(allow_nan=False, allow_infinity=False),
    unit=st.sampled_from(UNITS),
)
def test_any_finite_value_with_a_unit_is_a_usable_fact_or_an_input_error(
    concept: str, number: float, unit: str
) -> None:
    try:
        fact = enter(concept, value=repr(number), unit=unit)
    except InputError as exc:
        assert exc.field in ("value", "unit")
        return
    assert fact.value is not None and fact.value.value == number
    # what is accepted here is what the engine can use
    ctx = _context(fact)
    (hit,) = ctx.index.hits(concept)
    value, problem = usable_value(ctx, hit, concept)
    assert value is not None, problem


FIELDS = ("value", "unit", "dose", "dose_unit", "per_day", "route", "laterality", "code")


@FAST
@given(
    concept=st.sampled_from(sorted(c.name for c in entry_concepts(STUDY)) + ["bogus"]),
    texts=st.fixed_dictionaries(
        {}, optional={f: st.one_of(st.none(), st.text(max_size=12)) for f in FIELDS}
    ),
    on=st.dates(min_value=date(1850, 1, 1), max_value=date(2030, 1, 1)),
    source=st.text(max_size=210),
)
def test_any_form_input_is_a_fact_or_an_input_error(
    concept: str, texts: dict[str, str | None], on: date, source: str
) -> None:
    entry = FactEntry(concept, on, source_document=source, **texts)
    try:
        fact = to_fact(STUDY, entry, resource="EnteredFact/9", today=TODAY)
    except InputError as exc:
        assert exc.field in {"concept", "on", "source_document", *FIELDS}
        return
    assert fact.start == on
    assert concept in {name for name, _ in MATCHER.matches(fact)}


@FAST
@given(
    dose=st.floats(min_value=0, allow_nan=False, allow_infinity=False),
    per_day=st.one_of(
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.tuples(st.integers(0, 100), st.integers(0, 100)).map(lambda t: f"{t[0]}/{t[1]}"),
    ),
)
def test_an_accepted_dose_gives_a_finite_daily_dose(dose: float, per_day: str) -> None:
    try:
        fact = enter("methotrexate", dose=repr(dose), dose_unit="mg", per_day=per_day)
    except InputError as exc:
        assert exc.field in ("dose", "per_day")
        return
    ctx = _context(fact)
    (hit,) = ctx.index.hits("methotrexate")
    daily = daily_dose_mg(hit)
    assert daily is not None and math.isfinite(daily) and daily > 0
