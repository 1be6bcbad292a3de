"""Issue 19: every fact, in every shape real records send it (the matrix in docs/criteria.md).

One case per matrix cell that this file owns: a small FHIR R4 bundle in the shape a
hospital export sends (SNOMED CT, LOINC, RxNorm, ICD-10-CM, WHO ICD-10 as Chinese hospitals
send it, CVX), read by the real FHIR adapter and screened by the real Screener. The cells
already proven in test_default_study.py are listed in the matrix with that file's case ids.

Study dates as in test_default_study.py: screening 2026-03-02, baseline 2026-03-16.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fhirbuild import (
    ABNORMAL,
    LEFT_KNEE,
    NEGATIVE,
    NORMAL,
    POSITIVE,
    RIGHT_KNEE,
    cc,
    condition,
    device,
    device_use,
    encounter,
    immunization,
    med_admin,
    med_request,
    obs,
    patient,
    procedure,
    record,
    research_study,
    research_subject,
)
from trialdesk.criteria.screening import CriterionResult, Screener, Status
from trialdesk.facts.record import Laterality

Json = dict[str, Any]
SCREENING, BASELINE = date(2026, 3, 2), date(2026, 3, 16)
RIGHT, LEFT = Laterality.RIGHT, Laterality.LEFT
VISIT = encounter("AMB", "2025-06-01", "2025-06-01", rid="visit")  # the record is supplied

PACEMAKER = "706004007"  # SNOMED CT Implantable cardiac pacemaker
TRIAMCINOLONE_INJ = "1085728"  # RxNorm triamcinolone acetonide 40 MG/ML Injectable Suspension
TRIAMCINOLONE = "10759"  # RxNorm ingredient
PREDNISONE_5MG = "312617"  # RxNorm clinical drug: prednisone 5 MG Oral Tablet
PREDNISONE = "8640"
MTX_10MG = "105586"
PREG_TEST, ECG = "2106-3", "11524-6"


def _run(screener: Screener, resources: tuple[Json, ...], knee: Laterality | None, cid: str) -> Any:
    result = screener.screen(
        record(*resources),
        dates={"screening": SCREENING, "baseline": BASELINE},
        parameters={"target_knee": knee},
    )
    return next(c for c in result.criteria if c.criterion.id == cid)


def _explain(r: CriterionResult) -> str:
    notes = " | ".join(f"{e.note} {e.resource or ''}" for e in r.evidence)
    return f"{r.criterion.id} {r.status.value}: {notes}; missing {r.missing}"


def _with(res: Json, **fields: Any) -> Json:
    return {**res, **fields}


def ia_admin(site: Any, *, rid: str, kind: str = "MedicationAdministration") -> Json:
    """An intra-articular triamcinolone injection as hospital systems send it: route
    intra-articular (SNOMED CT 12130007), dosage site the knee (SNOMED CT body structure)."""
    res = med_admin(TRIAMCINOLONE_INJ, "2026-02-01", 40, "ia", rid=rid)
    if site is not None:
        res["dosage"]["site"] = cc(site)
    if kind == "MedicationAdministration":
        return res
    dosage = res.pop("dosage")
    dosage.pop("dose")
    res = _with(
        res, resourceType=kind, status="active" if kind != "MedicationDispense" else "completed"
    )
    res.pop("effectiveDateTime")
    if kind == "MedicationRequest":
        return _with(res, intent="order", authoredOn="2026-02-01", dosageInstruction=[dosage])
    if kind == "MedicationStatement":
        return _with(res, effectiveDateTime="2026-02-01", dosage=[dosage])
    return _with(res, whenHandedOver="2026-02-01", dosageInstruction=[dosage])


def text_route(res: Json) -> Json:
    """The same medicine with its route sent as text only (no coding)."""
    res["dosage"]["route"] = {"text": "Intra-articular"}
    return res


def dr(code: str, conclusion: tuple[str, ...], day: str, *, rid: str) -> Json:
    """A DiagnosticReport (LOINC code) with a coded conclusion."""
    return {
        "resourceType": "DiagnosticReport",
        "id": rid,
        "status": "final",
        "code": cc(("loinc", code)),
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": day,
        "conclusionCode": [cc(conclusion)],
    }


def cell(
    cid: str, status: str, *res: Json, knee: Laterality | None = None, says: str, id: str
) -> Any:
    """One matrix cell: ``says`` must be in the evidence (decided) or in the missing list."""
    return pytest.param(cid, Status(status), res, knee, says, id=f"{cid}-{status}-{id}")


CELLS = [
    # E16: an implanted device, in every resource that carries it
    cell(
        "E16",
        "met",
        VISIT,
        device(PACEMAKER, rid="pm"),
        says="present now",
        id="Device-active-undated",
    ),
    cell(
        "E16",
        "unknown",
        VISIT,
        _with(device(PACEMAKER, rid="pm0"), status="inactive"),
        says="the date of Device/pm0",
        id="Device-inactive-undated",
    ),
    cell(
        "E16",
        "met",
        VISIT,
        {k: v for k, v in device_use(PACEMAKER, "x", rid="dus").items() if k != "timingDateTime"},
        says="DeviceUseStatement/dus",
        id="DeviceUseStatement-active-undated",
    ),
    cell(
        "E16",
        "met",
        condition("Z95.0", "icd10", "2018-05-01", rid="who"),
        says="Condition/who",
        id="Condition-WHO-ICD-10-Z95.0",
    ),
    cell(
        "E16",
        "met",
        procedure("33208", "2018-05-01", "cpt", rid="cpt"),
        says="Procedure/cpt",
        id="Procedure-CPT-pacemaker-insertion",
    ),
    cell(
        "E16",
        "met",
        obs(
            ("snomed", "441509002", "Cardiac pacemaker in situ"),
            None,
            None,
            "2025-01-01",
            result=("snomed", "52101004", "Present"),
            rid="obs-pm",
        ),
        says="Observation/obs-pm",
        id="Observation-finding-pacemaker-in-situ",
    ),
    # E8: an intra-articular injection into the target knee, as a procedure or a medicine
    cell(
        "E8",
        "met",
        ia_admin(RIGHT_KNEE, rid="ma-r"),
        knee=RIGHT,
        says="MedicationAdministration/ma-r",
        id="MedicationAdministration-right-knee",
    ),
    cell(
        "E8",
        "not_met",
        ia_admin(LEFT_KNEE, rid="ma-l"),
        knee=RIGHT,
        says="not the target knee",
        id="MedicationAdministration-left-knee",
    ),
    cell(
        "E8",
        "unknown",
        ia_admin(None, rid="ma-ns"),
        knee=RIGHT,
        says="the side (left or right knee) of MedicationAdministration/ma-ns",
        id="MedicationAdministration-no-site",
    ),
    cell(
        "E8",
        "met",
        text_route(ia_admin(RIGHT_KNEE, rid="ma-t")),
        knee=RIGHT,
        says="MedicationAdministration/ma-t",
        id="MedicationAdministration-route-as-text",
    ),
    cell(
        "E8",
        "met",
        ia_admin(RIGHT_KNEE, rid="mr", kind="MedicationRequest"),
        knee=RIGHT,
        says="MedicationRequest/mr",
        id="MedicationRequest-route-site",
    ),
    cell(
        "E8",
        "met",
        ia_admin(RIGHT_KNEE, rid="ms", kind="MedicationStatement"),
        knee=RIGHT,
        says="MedicationStatement/ms",
        id="MedicationStatement-route-site",
    ),
    cell(
        "E8",
        "met",
        ia_admin(RIGHT_KNEE, rid="md", kind="MedicationDispense"),
        knee=RIGHT,
        says="MedicationDispense/md",
        id="MedicationDispense-route-site",
    ),
    cell(
        "E8",
        "not_met",
        VISIT,
        med_admin(TRIAMCINOLONE, "2026-02-01", 40, "im", rid="ma-im"),
        knee=RIGHT,
        says="none on file",
        id="intramuscular-is-not-intra-articular",
    ),
    # E20: the same intra-articular steroid is local, not systemic; an IM one is parenteral
    cell(
        "E20",
        "not_met",
        VISIT,
        ia_admin(RIGHT_KNEE, rid="ma-ia"),
        says="by the parenteral route",
        id="intra-articular-steroid-is-not-systemic",
    ),
    cell(
        "E20",
        "met",
        med_admin(TRIAMCINOLONE, "2026-03-01", 40, "im", rid="ma-im2"),
        says="MedicationAdministration/ma-im2",
        id="MedicationAdministration-IM",
    ),
    cell(
        "E20",
        "met",
        med_request(PREDNISONE_5MG, "2026-02-20", 3, 1, "oral", dose_unit="{tbl}", rid="mr-pred"),
        says="MedicationRequest/mr-pred",
        id="MedicationRequest-RxNorm-clinical-drug-15mg",
    ),
    # E13 / DiagnosticReport.conclusionCode
    cell(
        "E13",
        "needs_review",
        dr(ECG, ABNORMAL, "2026-02-20", rid="dr-ecg"),
        says="DiagnosticReport/dr-ecg",
        id="DiagnosticReport-conclusion-abnormal",
    ),
    cell(
        "E13",
        "not_met",
        dr(ECG, NORMAL, "2026-02-20", rid="dr-ecg-n"),
        says="DiagnosticReport/dr-ecg-n",
        id="DiagnosticReport-conclusion-normal",
    ),
    # E19: a pregnancy test only of women who can become pregnant
    cell("E19", "unknown", VISIT, says="Pregnancy test", id="woman-no-test"),
    cell(
        "E19",
        "not_met",
        procedure("287664005", "2015-01-01", rid="btl"),
        says="Procedure/btl",
        id="Procedure-tubal-ligation-Synthea",
    ),
    cell(
        "E19",
        "not_met",
        condition("Z78.0", "icd10cm", "2020-01-01", rid="meno"),
        says="Condition/meno",
        id="Condition-ICD-10-CM-menopause",
    ),
    cell(
        "E19",
        "not_met",
        condition("N95.1", "icd10", "2020-01-01", rid="meno-who"),
        says="Condition/meno-who",
        id="Condition-WHO-ICD-10-menopause",
    ),
    cell(
        "E19",
        "not_met",
        procedure("58150", "2015-01-01", "cpt", rid="hyst"),
        says="Procedure/hyst",
        id="Procedure-CPT-hysterectomy",
    ),
    cell(
        "E19",
        "met",
        procedure("287664005", "2015-01-01"),
        obs(PREG_TEST, None, None, "2026-02-20", result=POSITIVE, rid="hcg"),
        says="Observation/hcg",
        id="positive-test-beats-sterilisation",
    ),
    cell(
        "E19",
        "not_met",
        obs(PREG_TEST, None, None, "2026-02-20", result=NEGATIVE, rid="hcg-n"),
        says="Observation/hcg-n",
        id="negative-test",
    ),
    cell(
        "E19",
        "unknown",
        procedure("287664005", "2027-01-01"),
        says="Pregnancy test",
        id="sterilisation-after-screening-does-not-count",
    ),
    # I3: RA as a Chinese hospital codes it (WHO ICD-10)
    cell(
        "I3",
        "met",
        condition("M06.900", "icd10", "2024-01-01", rid="ra-who"),
        says="Condition/ra-who",
        id="Condition-WHO-ICD-10-M06.900",
    ),
    # E24: a live vaccine (CVX without its leading zero)
    cell(
        "E24",
        "met",
        immunization("3", "2026-02-01", rid="mmr"),
        says="Immunization/mmr",
        id="Immunization-CVX-3",
    ),
    # I5/I6: a medicine sent without a dose (Synthea sends none): stability unknown, said so
    cell(
        "I6",
        "unknown",
        med_request(MTX_10MG, "2025-06-01", rid="mtx"),
        says="dose",
        id="no-dose-stability-unknown",
    ),
]


@pytest.mark.parametrize(("cid", "status", "resources", "knee", "says"), CELLS)
def test_cell(
    screener: Screener,
    cid: str,
    status: Status,
    resources: tuple[Json, ...],
    knee: Laterality | None,
    says: str,
) -> None:
    r = _run(screener, resources, knee, cid)
    assert r.status is status, _explain(r)
    if status is Status.UNKNOWN:
        assert any(says in m for m in r.missing), _explain(r)
    else:
        assert not r.missing, _explain(r)
        assert any(says in f"{e.note} {e.resource or ''}" for e in r.evidence), _explain(r)


# --- an empty record: a person added by name only -------------------------------------------

HISTORY_CRITERIA = ("I3", "I5", "I6", "E1", "E4", "E16", "E17", "E18", "E20", "E23", "E24")


@pytest.mark.parametrize("cid", HISTORY_CRITERIA)
def test_empty_record_leaves_history_unknown(screener: Screener, cid: str) -> None:
    r = _run(screener, (patient(),), None, cid)
    assert r.status is Status.UNKNOWN, _explain(r)
    assert any("clinical record" in m for m in r.missing), _explain(r)


@pytest.mark.parametrize("cid", ["E16", "E18", "E24"])
def test_one_clinical_fact_makes_history_closed_world(screener: Screener, cid: str) -> None:
    r = _run(screener, (VISIT,), None, cid)
    assert r.status is Status.NOT_MET, _explain(r)
    assert any("none on file" in e.note for e in r.evidence), _explain(r)


def test_empty_record_still_sees_a_study_on_file(screener: Screener) -> None:
    study = research_study("Another RA trial", "NCT00000001")
    r = _run(screener, (study, research_subject(study, "2026-01-01")), None, "E22")
    assert r.status is Status.MET, _explain(r)


def test_empty_record_is_incomplete_not_ineligible(screener: Screener) -> None:
    result = screener.screen(
        record(patient(birth="1975-06-15")),
        dates={"screening": SCREENING, "baseline": BASELINE},
        parameters={"target_knee": RIGHT},
    )
    assert result.verdict.value == "incomplete", [
        (c.criterion.id, c.status.value) for c in result.criteria
    ]
