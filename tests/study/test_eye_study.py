"""A second study that declares a different parameter: the study eye (tests/data/studies/
NCT09900001, with dates named entry, day1 and consent). With no code change it loads,
passes `study check`, screens FHIR patients by side of the eye, and compiles to SQL that
agrees with the evaluator on an OMOP population."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fhirbuild import bundle, condition, patient, procedure, record, to_bytes
from omopbuild import Cdm, standard_vocab
from trialdesk.cli import app
from trialdesk.criteria.screening import CriterionResult, Screener, ScreeningResult, Status
from trialdesk.criteria.sql.query import STATUS_NAMES
from trialdesk.feasibility.population import screen_population
from trialdesk.patients.omop import read_omop
from trialdesk.study.loader import check_study, load_study

FOLDER = Path(__file__).resolve().parents[1] / "data" / "studies" / "NCT09900001"
STUDY = load_study(str(FOLDER))
SCREENING, DAY1 = date(2026, 3, 2), date(2026, 3, 9)
DATES = {"entry": SCREENING, "day1": DAY1}

# SNOMED CT eye structures (facts/body_sites.yaml) and laterality qualifiers
RIGHT_EYE = ("snomed", "18944008", "Right eye structure")
LEFT_EYE = ("snomed", "8966001", "Left eye structure")
BOTH_EYES = ("snomed", "40638003", "Structure of both eyes")
EYE = ("snomed", "244486005", "Entire eye")
LEFT = ("snomed", "7771000", "Left")
KNEE = ("snomed", "72696002", "Knee region structure")
IVT = "67028"  # CPT: Intravitreal injection of a pharmacologic agent (separate procedure)


def test_it_loads_and_passes_study_check() -> None:
    assert check_study(FOLDER) == []
    result = CliRunner().invoke(app, ["study", "check", str(FOLDER)])
    assert result.exit_code == 0, result.stderr
    assert list(STUDY.participant.anchors) == ["entry", "day1", "consent"]
    eye = STUDY.participant.parameters["target_eye"]
    assert (eye.site, eye.words) == ("eye", "study eye")


def screen(*resources: dict[str, Any], eye: str | None) -> ScreeningResult:
    return STUDY.screener.screen(
        record(patient("1950-01-01"), *resources),
        dates=DATES,
        parameters={"target_eye": eye},
    )


def result_for(result: ScreeningResult, criterion: str) -> CriterionResult:
    return next(c for c in result.criteria if c.criterion.id == criterion)


def _text(r: CriterionResult) -> str:
    return " | ".join([*(e.note for e in r.evidence), *r.missing])


INJECTED = "2026-01-20"  # within 3 months before day 1


@pytest.mark.parametrize(
    ("site", "eye", "status", "says"),
    [
        (RIGHT_EYE, "right", Status.MET, "right eye, the study eye"),
        (RIGHT_EYE, "left", Status.NOT_MET, "right eye, not the study eye"),
        ([EYE, LEFT], "left", Status.MET, "left eye, the study eye"),
        (LEFT_EYE, "right", Status.NOT_MET, "left eye, not the study eye"),
        (BOTH_EYES, "left", Status.MET, "bilateral eye, the study eye"),
        (RIGHT_EYE, None, Status.UNKNOWN, "right eye; study eye not given"),
        (RIGHT_EYE, None, Status.UNKNOWN, "the study eye"),
        (EYE, "right", Status.UNKNOWN, "side of the body not recorded"),
        (EYE, "right", Status.UNKNOWN, "the side (left or right eye) of Procedure/ivt"),
        (KNEE, "right", Status.UNKNOWN, "body site Knee region structure not recognised as an eye"),
        (None, "right", Status.UNKNOWN, "the side (left or right eye) of Procedure/ivt"),
    ],
)
def test_an_injection_is_placed_by_the_side_of_the_eye(
    site: Any, eye: str | None, status: Status, says: str
) -> None:
    shot = procedure(IVT, INJECTED, "cpt", body_site=site, rid="ivt")
    r = result_for(screen(shot, eye=eye), "E1")
    assert r.status is status, _text(r)
    assert says in _text(r)


def test_an_injection_before_the_window_or_none_at_all_is_not_met() -> None:
    old = procedure(IVT, "2025-10-01", "cpt", body_site=RIGHT_EYE)
    r = result_for(screen(old, eye="right"), "E1")
    assert r.status is Status.NOT_MET
    assert "in the study eye 2025-12-09 to 2026-03-09: none on file" in _text(r)


@pytest.mark.parametrize(
    ("code", "eye", "status"),
    [
        ("H35.3211", "right", Status.MET),  # exudative AMD, right eye, active CNV
        ("H35.3221", "right", Status.NOT_MET),  # left eye
        ("H35.3231", "left", Status.MET),  # bilateral
        ("H35.3291", "left", Status.UNKNOWN),  # unspecified eye
    ],
)
def test_a_diagnosis_is_placed_by_its_icd10cm_sixth_character(
    code: str, eye: str, status: Status
) -> None:
    amd = condition(code, "icd10cm", "2025-06-01")
    r = result_for(screen(amd, eye=eye), "I3")
    assert r.status is status, _text(r)


def test_the_json_keys_are_the_study_s_own() -> None:
    shot = procedure(IVT, INJECTED, "cpt", body_site=RIGHT_EYE)
    doc = screen(shot, eye="left").to_json()
    assert list(doc) == [
        "patient",
        "study",
        "entry_date",
        "day1_date",
        "target_eye",
        "verdict",
        "criteria",
    ]
    assert (doc["day1_date"], doc["target_eye"]) == ("2026-03-09", "left")


def test_the_cli_takes_its_dates_and_parameter_generically(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    shot = procedure(IVT, INJECTED, "cpt", body_site=LEFT_EYE, rid="ivt")
    path.write_bytes(to_bytes(bundle(patient("1950-01-01"), shot)))
    runner = CliRunner()
    args = ["screen", str(path), "--study", str(FOLDER), "--format", "json"]
    ok = runner.invoke(app, [*args, *DATE_ARGS, "--param", "target_eye=left"])
    assert ok.exit_code == 0, ok.stderr
    (doc,) = json.loads(ok.stdout)
    assert (doc["entry_date"], doc["day1_date"], doc["target_eye"]) == (
        "2026-03-02",
        "2026-03-09",  # day1's declared default: entry + 7 days
        "left",
    )
    e1 = next(c for c in doc["criteria"] if c["id"] == "E1")
    assert e1["status"] == "met"
    knee = runner.invoke(app, [*args, *DATE_ARGS, "--target-knee", "left"])
    assert knee.exit_code == 2
    assert "the study has no such parameter (parameters: target_eye)" in knee.stderr
    table = runner.invoke(app, ["screen", str(path), "--study", str(FOLDER), *DATE_ARGS])
    assert table.exit_code == 0, table.stderr
    assert "day1 2026-03-09" in table.stdout
    assert "study eye not given: study-eye criteria I3 and E1 cannot place eye" in table.stdout


DATE_ARGS = ["--date", "entry=2026-03-02"]


# -- the SQL and the evaluator agree --------------------------------------------------------


def _cdm() -> Cdm:
    """Every combination of the eye's side on a procedure's modifier and a diagnosis's
    ICD-10-CM code, each on the edges of the 3-month window before day 1."""
    vocab = standard_vocab()
    vocab.add("ivt", "CPT4", "67028", "Intravitreal injection of a pharmacologic agent")
    vocab.add("ivt:snomed", "SNOMED", "231755001", "Injection of drug into vitreous")
    for code in ("H35.3211", "H35.3221", "H35.3231", "H35.3291", "H35.32"):
        vocab.add(f"amd:{code}", "ICD10CM", code, f"Exudative AMD {code}")
    vocab.add("site:eye", "SNOMED", "244486005", "Entire eye")
    vocab.add("site:right_eye", "SNOMED", "18944008", "Right eye structure")
    vocab.add("site:knee", "SNOMED", "72696002", "Knee region structure")
    cdm = Cdm(vocab)
    v = cdm.vocab
    modifiers = [0, v["side:left"], v["side:right"], v["site:eye"], v["site:right_eye"]]
    modifiers += [v["site:knee"]]
    offsets = [-200, -92, -91, -90, -89, -1, 0, 7, 8]
    procedures = [v["ivt"], v["ivt:snomed"]]
    pid = 0
    for modifier, offset, concept in itertools.product(modifiers, offsets, procedures):
        pid += 1
        cdm.person(pid, date(1950, 1, 1), "female")
        cdm.row(
            "procedure_occurrence",
            person_id=pid,
            procedure_concept_id=concept,
            procedure_source_concept_id=0,
            procedure_date=DAY1 + timedelta(days=offset),
            modifier_concept_id=modifier,
        )
    for code, offset in itertools.product(
        ("H35.3211", "H35.3221", "H35.3231", "H35.3291", "H35.32"), (-30, 0, 1)
    ):
        pid += 1
        cdm.person(pid, date(1950, 1, 1), "male")
        cdm.row(
            "condition_occurrence",
            person_id=pid,
            condition_concept_id=0,
            condition_source_concept_id=v[f"amd:{code}"],
            condition_start_date=SCREENING + timedelta(days=offset),
            condition_end_date=None,
        )
        cdm.row(
            "observation",
            person_id=pid,
            observation_concept_id=v["consent"],
            observation_source_concept_id=0,
            observation_date=SCREENING - timedelta(days=offset),
        )
    return cdm


@pytest.mark.parametrize("eye", ["right", "left", None])
def test_the_sql_and_the_evaluator_agree(eye: str | None) -> None:
    with _cdm().source() as source:
        pop = screen_population(source, STUDY, dates=DATES, parameters={"target_eye": eye})
        assert pop.query.params["target_eye"] == eye
        records = read_omop(source)
    screener = Screener(STUDY.criteria, STUDY.valuesets, STUDY.id)
    assert [str(p) for p in pop.person_ids] == [r.id for r in records]
    seen: set[tuple[str, str]] = set()
    out = []
    for i, rec in enumerate(records):
        result = screener.screen(rec, dates=DATES, parameters={"target_eye": eye})
        for j, c in enumerate(result.criteria):
            sql = STATUS_NAMES[int(pop.statuses[i, j])]
            seen.add((c.criterion.id, c.status.value))
            if sql != c.status.value:
                out.append(f"person {rec.id} {c.criterion.id}: python {c.status.value}, sql {sql}")
    assert out == []
    # the population reaches every status the side can give
    expected = {"met", "not_met", "unknown"} if eye else {"not_met", "unknown"}
    assert {s for cid, s in seen if cid == "E1"} == expected
    assert {s for cid, s in seen if cid == "I3"} == expected
