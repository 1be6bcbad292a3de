"""The default study (NCT06947746), criterion by criterion, on small FHIR R4 bundles.

Each case is a Patient and the few resources that matter, read by the real FHIR adapter
and screened by the real Screener. A case names the status it expects and a piece of text
the evidence (met, not_met, needs_review) or the missing list (unknown) must contain, so a
right status for the wrong reason fails too.

Study dates: screening 2026-03-02, baseline 2026-03-16, so the screening period is
2026-02-02..2026-03-15. The default patient is a woman born 1975-06-15 (50 years old).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from fhirbuild import (
    ABNORMAL,
    KNEE,
    LEFT_KNEE,
    NEGATIVE,
    NORMAL,
    POSITIVE,
    PRESENT,
    RIGHT_KNEE,
    RIGHT_SIDE,
    SHOULDER,
    component,
    condition,
    consent,
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
from trialdesk.criteria.screening import (
    Attestation,
    CriterionResult,
    Screener,
    ScreeningResult,
    Status,
    Verdict,
)
from trialdesk.facts.record import Laterality
from trialdesk.study.loader import Study

SCREENING = date(2026, 3, 2)
BASELINE = date(2026, 3, 16)
IN = "2026-02-20"  # a day inside the screening period
RIGHT, LEFT = Laterality.RIGHT, Laterality.LEFT

Json = dict[str, Any]
Screen = Callable[..., ScreeningResult]

# codes used below
WOMAC = ("trialdesk", "womac-pain")
US_SYNOVITIS = ("trialdesk", "knee-us-synovitis")
ALT, AST = "1742-6", "1920-8"
CREAT, CREAT_MOL = "2160-0", "14682-9"
WEIGHT, HEIGHT, BMI = "29463-7", "8302-2", "39156-5"
HB, WBC, ANC, PLT = "718-7", "6690-2", "751-8", "777-3"
HIV, HBSAG, HCV, RPR = "7917-8", "5195-3", "16128-1", "20507-0"
ECG, PREG_TEST = "11524-6", "2106-3"
MTX_10MG = "105586"  # methotrexate 10 MG Oral Tablet
LEFLUNOMIDE = "27169"
PREDNISONE, PREDNISONE_5MG = "8640", "312617"
METHYLPRED, TRIAMCINOLONE = "6902", "10759"
CEFTRIAXONE, AMOXICILLIN_500 = "2193", "308192"
ISONIAZID = "6038"
WEEKLY = (1, 1, "wk")
# Any clinical fact: the record was supplied, so history over it is closed-world (a record
# with no clinical data at all leaves history unknown: test_empty_record_*).
VISIT = encounter("AMB", "2025-06-01", "2025-06-01", rid="visit")


@pytest.fixture
def screen(screener: Screener) -> Screen:
    def run(
        *resources: Json,
        target_knee: Laterality | None = None,
        attestations: list[Attestation] | None = None,
    ) -> ScreeningResult:
        return screener.screen(
            record(*resources),
            dates={"screening": SCREENING, "baseline": BASELINE},
            parameters={"target_knee": target_knee},
            attestations=attestations,
        )

    return run


def result_for(result: ScreeningResult, criterion: str) -> CriterionResult:
    return next(c for c in result.criteria if c.criterion.id == criterion)


def evidence_text(r: CriterionResult) -> str:
    parts = []
    for e in r.evidence:
        parts += [e.note, e.resource or "", str(e.value or ""), e.unit or ""]
    return " | ".join(parts)


def explain(r: CriterionResult) -> str:
    return (
        f"{r.criterion.id} {r.status.value}\n  evidence: {evidence_text(r)}\n  missing: {r.missing}"
    )


def case(
    criterion: str,
    status: str,
    *resources: Json,
    ev: str | None = None,
    miss: str | None = None,
    knee: Laterality | None = None,
    id: str,
) -> Any:
    """One screening case: ``ev`` must be in the evidence, ``miss`` in the missing list."""
    if status == "unknown":
        assert miss, f"{id}: an unknown case must say what is missing"
    else:
        assert ev, f"{id}: a decided case must name its evidence"
    return pytest.param(
        criterion, Status(status), resources, ev, miss, knee, id=f"{criterion}-{status}-{id}"
    )


def bp(systolic: float, diastolic: float, day: str = IN, rid: str | None = None) -> Json:
    parts = [component("8480-6", systolic, "mm[Hg]"), component("8462-4", diastolic, "mm[Hg]")]
    return obs("85354-9", None, None, day, components=parts, rid=rid)


def qual(code: str | tuple[str, ...], result: tuple[str, ...], day: str = IN, **kw: Any) -> Json:
    """A qualitative result (coded positive / negative / present...)."""
    return obs(code, None, None, day, result=result, **kw)


def inpatient(rid: str, start: str = "2026-02-10", end: str = "2026-02-15") -> Json:
    return encounter("IMP", start, end, rid=rid)


MAN = patient(sex="male")

# --- I1-I6 ----------------------------------------------------------------------------------

I1 = [
    case("I1", "met", consent("2026-02-01", rid="icf"), ev="Consent/icf", id="signed"),
    case(
        "I1",
        "met",
        consent("2026-03-02", rid="icf-day"),
        ev="Consent/icf-day",
        id="on-screening-day",
    ),
    case(
        "I1",
        "not_met",
        consent("2026-02-01", "rejected", rid="icf-rej"),
        ev="Consent/icf-rej",
        id="rejected",
    ),
    case(
        "I1",
        "not_met",
        consent("2026-02-01", provision="deny", rid="icf-deny"),
        ev="refused",
        id="provision-deny",
    ),
    case(
        "I1",
        "not_met",
        consent("2026-01-10"),
        consent("2026-02-01", "inactive", rid="icf-withdrawn"),
        ev="Consent/icf-withdrawn",
        id="withdrawn-later",
    ),
    case("I1", "unknown", miss="research consent on or before 2026-03-02", id="none-on-file"),
    case(
        "I1",
        "unknown",
        consent("2026-03-03"),
        miss="research consent on or before",
        id="after-screening",
    ),
    case(
        "I1",
        "unknown",
        consent("2026-02-01", "proposed"),
        miss="research consent",
        id="proposed-not-signed",
    ),
    case("I1", "unknown", consent("2026-02-01", "draft"), miss="research consent", id="draft"),
    case(
        "I1",
        "unknown",
        consent("2026-02-01", scope="patient-privacy"),
        miss="research consent",
        id="privacy-consent-only",
    ),
    case(
        "I1",
        "unknown",
        consent("soon", rid="icf-nodate"),
        miss="the date of Consent/icf-nodate",
        id="date-unreadable",
    ),
]

I2 = [
    case(
        "I2",
        "met",
        patient("2008-01-10"),
        consent("2026-01-10"),
        ev="age 18 years on 2026-01-10",
        id="18th-birthday-on-consent",
    ),
    case(
        "I2",
        "not_met",
        patient("2008-01-11"),
        consent("2026-01-10"),
        ev="age 17",
        id="18th-birthday-day-after-consent",
    ),
    case("I2", "met", patient("1960-06-01"), consent("2026-01-10"), ev="age 65 years", id="65"),
    case(
        "I2",
        "not_met",
        patient("1960-01-10"),
        consent("2026-01-10"),
        ev="age 66 years on 2026-01-10",
        id="66th-birthday-on-consent",
    ),
    case(
        "I2",
        "not_met",
        patient("1960-01-09"),
        consent("2026-01-10"),
        ev="age 66",
        id="66th-birthday-day-before",
    ),
    case(
        "I2",
        "met",
        patient("1960-01-11"),
        consent("2026-01-10"),
        ev="age 65",
        id="66th-birthday-day-after",
    ),
    case(
        "I2",
        "met",
        patient("1960-02-15"),
        consent("2026-01-10"),
        ev="age 65 years on 2026-01-10",
        id="consent-date-not-screening",
    ),
    case(
        "I2",
        "not_met",
        patient("1960-02-15"),
        ev="age 66 years on 2026-03-02",
        id="no-consent-screening-date",
    ),
    case(
        "I2",
        "not_met",
        patient("1960-02-15"),
        consent("2026-03-05"),
        ev="on 2026-03-02",
        id="consent-after-screening-ignored",
    ),
    case(
        "I2",
        "met",
        patient("2008-03-02"),
        ev="age 18 years on 2026-03-02",
        id="18-on-screening-day",
    ),
    case(
        "I2",
        "not_met",
        patient("2008-02-29"),
        consent("2026-02-28"),
        ev="age 17",
        id="leap-day-born-feb-28",
    ),
    case(
        "I2",
        "met",
        patient("2008-02-29"),
        consent("2026-03-01"),
        ev="age 18",
        id="leap-day-born-mar-1",
    ),
    case("I2", "unknown", patient(None), miss="the birth date", id="no-birth-date"),
]

RA = "69896004"
I3 = [
    case(
        "I3",
        "met",
        condition(RA, onset="2025-12-02", rid="ra"),
        ev="Condition/ra",
        id="exactly-3-months",
    ),
    case(
        "I3",
        "met",
        condition("M05.79", "icd10cm", "2020-05-01", rid="ra-icd"),
        ev="Condition/ra-icd",
        id="icd10cm-M05",
    ),
    case(
        "I3",
        "met",
        condition(RA, onset="2019-01-01"),
        qual("11572-5", NEGATIVE),
        qual("32218-0", NEGATIVE),
        obs("1988-5", 2, "mg/L", IN, 5),
        obs("4537-7", 10, "mm/h", IN, 20),
        ev="ACR/EULAR 2010 score between 1 and 6",
        id="seronegative-normal-apr-joints-unknown",
    ),
    case(
        "I3",
        "not_met",
        condition(RA, onset="2025-12-03"),
        ev="searched the record for Rheumatoid arthritis on or before 2025-12-02",
        id="one-day-short",
    ),
    case("I3", "not_met", VISIT, ev="Rheumatoid arthritis", id="no-ra"),
    case(
        "I3",
        "not_met",
        condition("M08.00", "icd10cm", "2010-01-01"),
        ev="none on file",
        id="juvenile-arthritis-not-ra",
    ),
    case(
        "I3",
        "unknown",
        condition(RA, onset=None, rid="ra-nodate"),
        miss="the date of Condition/ra-nodate",
        id="no-onset",
    ),
    case(
        "I3",
        "unknown",
        condition(RA, onset="2025-13-01", rid="ra-bad"),
        miss="the date of Condition/ra-bad",
        id="onset-unparseable",
    ),
]

SYNOVITIS = qual(US_SYNOVITIS, PRESENT, rid="us")
I4 = [
    case(
        "I4",
        "needs_review",
        obs(WOMAC, 4, "{score}", IN, rid="womac"),
        SYNOVITIS,
        ev="Observation/womac",
        id="womac-4",
    ),
    case(
        "I4",
        "needs_review",
        obs(WOMAC, 7, "{score}", "2026-03-15"),
        SYNOVITIS,
        ev="Observation/us",
        id="last-day-of-period",
    ),
    case(
        "I4",
        "needs_review",
        {**obs(WOMAC, None, None, IN), "valueInteger": 6},
        condition("M65.861", "icd10cm", IN, rid="syn-cond"),  # right lower leg (knee)
        ev="Condition/syn-cond",
        knee=RIGHT,
        id="womac-integer-synovitis-condition",
    ),
    case("I4", "not_met", obs(WOMAC, 3.9, "{score}", IN), SYNOVITIS, ev="3.9", id="womac-3.9"),
    case(
        "I4",
        "not_met",
        obs(WOMAC, 7, "{score}", IN),
        qual(US_SYNOVITIS, NEGATIVE, rid="us-neg"),
        ev="Observation/us-neg",
        id="ultrasound-negative",
    ),
    case("I4", "unknown", SYNOVITIS, miss="WOMAC pain", id="no-womac"),
    case(
        "I4",
        "unknown",
        obs(WOMAC, 7, "{score}", "2026-03-16"),
        SYNOVITIS,
        miss="WOMAC pain",
        id="womac-on-baseline-day",
    ),
    case(
        "I4",
        "unknown",
        obs(WOMAC, 7, "{score}", "2026-02-01"),
        SYNOVITIS,
        miss="WOMAC pain",
        id="womac-before-period",
    ),
    case(
        "I4",
        "unknown",
        obs(WOMAC, 7, "{score}", IN),
        miss="Synovitis of the knee",
        id="no-ultrasound",
    ),
    case(
        "I4",
        "unknown",
        obs(WOMAC, 7, "{score}", IN),
        obs(US_SYNOVITIS, None, None, IN),
        miss="a readable Synovitis",
        id="ultrasound-without-result",
    ),
]


def mtx(start: str, mg: float = 15, **kw: Any) -> Json:
    return med_request(MTX_10MG, start, mg, None, "oral", every=WEEKLY, **kw)


I5 = [
    case(
        "I5",
        "met",
        mtx("2025-10-01", rid="mtx"),
        ev="MedicationRequest/mtx",
        id="mtx-5-months-stable",
    ),
    case(
        "I5",
        "met",
        mtx("2025-12-02"),
        ev="continuous course since 2025-12-02",
        id="exactly-3-months",
    ),
    case(
        "I5",
        "met",
        mtx("2025-09-01", end="2025-11-30", status="completed"),
        mtx("2025-12-15"),
        ev="since 2025-09-01",
        id="orders-15-days-apart-join",
    ),
    case(
        "I5",
        "met",
        med_request(LEFLUNOMIDE, "2025-06-01", 20, 1, "oral", rid="lef"),
        ev="MedicationRequest/lef",
        id="leflunomide",
    ),
    case("I5", "not_met", mtx("2025-12-03"), ev="since 2025-12-03", id="one-day-short"),
    case(
        "I5",
        "not_met",
        VISIT,
        ev="searched medications for Conventional synthetic DMARD",
        id="none",
    ),
    case(
        "I5",
        "not_met",
        mtx("2025-06-01", end="2026-01-01", status="completed"),
        ev="active on 2026-03-02: none",
        id="stopped-before-screening",
    ),
    case(
        "I5",
        "not_met",
        mtx("2025-06-01", end="2026-02-14", status="completed"),
        mtx("2026-02-15", 20, rid="mtx-20"),
        ev="MedicationRequest/mtx-20",
        id="dose-raised-2-weeks-before",
    ),
    case(
        "I5",
        "unknown",
        med_request(MTX_10MG, "2025-10-01"),
        miss="the dose and frequency of Conventional synthetic DMARD",
        id="dose-not-recorded",
    ),
    case(
        "I5",
        "unknown",
        med_request(MTX_10MG, "last year", rid="mtx-nodate"),
        miss="MedicationRequest/mtx-nodate",
        id="order-date-unparseable",
    ),
]

I6 = [
    case("I6", "met", mtx("2025-10-01", rid="mtx6"), ev="MedicationRequest/mtx6", id="stable-mtx"),
    case(
        "I6",
        "not_met",
        med_request(LEFLUNOMIDE, "2025-06-01", 20, 1, "oral"),
        ev="Methotrexate",
        id="no-mtx",
    ),
    case(
        "I6",
        "not_met",
        mtx("2025-06-01", end="2026-02-14", status="completed"),
        mtx("2026-02-15", 20, rid="mtx6-20"),
        ev="MedicationRequest/mtx6-20",
        id="dose-changed",
    ),
    case(
        "I6",
        "unknown",
        med_request(MTX_10MG, "2025-10-01"),
        miss="the dose and frequency of Methotrexate",
        id="no-dose",
    ),
]

# --- E1-E9 ----------------------------------------------------------------------------------

E1 = [
    case("E1", "needs_review", condition("9014002", rid="pso"), ev="Condition/pso", id="psoriasis"),
    case(
        "E1",
        "needs_review",
        condition("M32.9", "icd10", "2015-01-01", rid="sle"),
        ev="Condition/sle",
        id="sle-who-icd10",
    ),
    case("E1", "not_met", VISIT, ev="searched the record for Other immune-mediated", id="none"),
    case(
        "E1",
        "not_met",
        condition("34000006", onset="2010-01-01", status="resolved", abated="2012-01-01"),
        ev="none on file",
        id="crohn-resolved",
    ),
    case(
        "E1",
        "unknown",
        condition("9014002", onset=None, rid="pso-nd"),
        miss="the date of Condition/pso-nd",
        id="undated",
    ),
]

NEGATIVE_SEROLOGY = (
    qual(HIV, NEGATIVE, rid="hiv-neg"),
    qual(HBSAG, NEGATIVE, rid="hbsag-neg"),
    qual(HCV, NEGATIVE, rid="hcv-neg"),
    qual(RPR, NEGATIVE, rid="rpr-neg"),
)
E3 = [
    case("E3", "not_met", *NEGATIVE_SEROLOGY, ev="Observation/rpr-neg", id="all-four-negative"),
    case(
        "E3",
        "not_met",
        qual(HIV, NEGATIVE, "2026-02-02"),
        *NEGATIVE_SEROLOGY[1:],
        ev="Observation/hcv-neg",
        id="test-on-first-day-of-period",
    ),
    case(
        "E3",
        "met",
        qual(HIV, POSITIVE, rid="hiv-pos"),
        *NEGATIVE_SEROLOGY[1:],
        ev="Observation/hiv-pos",
        id="hiv-positive",
    ),
    case(
        "E3",
        "met",
        obs(HBSAG, None, None, IN, interpretation="POS", rid="hbsag-pos"),
        ev="Observation/hbsag-pos",
        id="hbsag-interpretation-pos",
    ),
    case(
        "E3",
        "met",
        qual(HCV, POSITIVE, rid="hcv-pos"),
        ev="Observation/hcv-pos",
        id="hcv-positive-others-missing",
    ),
    case(
        "E3",
        "met",
        *NEGATIVE_SEROLOGY[:3],
        qual(RPR, POSITIVE, rid="rpr-pos"),
        ev="Observation/rpr-pos",
        id="syphilis-positive",
    ),
    case(
        "E3",
        "met",
        condition("61977001", onset="2010-01-01", rid="hbv"),
        ev="Condition/hbv",
        id="chronic-hepatitis-b-on-file",
    ),
    case("E3", "unknown", *NEGATIVE_SEROLOGY[:3], miss="Syphilis serology", id="syphilis-missing"),
    case("E3", "unknown", *NEGATIVE_SEROLOGY[1:], miss="HIV screening", id="hiv-missing"),
    case(
        "E3",
        "unknown",
        qual(HIV, NEGATIVE, "2026-02-01"),
        *NEGATIVE_SEROLOGY[1:],
        miss="HIV screening",
        id="hiv-test-day-before-period",
    ),
    case(
        "E3",
        "unknown",
        *NEGATIVE_SEROLOGY[:3],
        obs(RPR, None, None, IN, rid="rpr-nores"),
        miss="a readable Syphilis",
        id="syphilis-result-unreadable",
    ),
    case(
        "E3",
        "unknown",
        *NEGATIVE_SEROLOGY[:3],
        qual(RPR, NEGATIVE, "2026-02-31", rid="rpr-baddate"),
        miss="the date of Observation/rpr-baddate",
        id="syphilis-date-unparseable",
    ),
]

TB = "56717001"
E4 = [
    case(
        "E4", "met", condition(TB, onset="2026-01-01", rid="tb"), ev="Condition/tb", id="active-tb"
    ),
    case(
        "E4",
        "met",
        condition(TB, onset="2010-01-01", status="resolved", abated="2010-09-01", rid="tb-old"),
        ev="searched the record for Tuberculosis treatment",
        id="past-tb-untreated",
    ),
    case(
        "E4",
        "needs_review",
        condition(TB, onset="2010-01-01", status="resolved", abated="2010-09-01", rid="tb-treated"),
        med_request(ISONIAZID, "2010-01-05", end="2010-07-05", status="completed"),
        ev="Condition/tb-treated",
        id="past-tb-treated",
    ),
    case("E4", "not_met", VISIT, ev="searched the record for Active tuberculosis", id="none"),
    case(
        "E4",
        "not_met",
        condition("Z22.7", "icd10cm", "2019-01-01"),
        ev="Active tuberculosis",
        id="latent-tb-only",
    ),
    case(
        "E4",
        "unknown",
        condition(TB, onset=None, rid="tb-nd"),
        miss="the date of Condition/tb-nd",
        id="undated",
    ),
]

E5 = [
    case(
        "E5",
        "needs_review",
        condition("D66", "icd10cm", "1990-01-01", rid="haemo"),
        ev="Condition/haemo",
        id="haemophilia",
    ),
    case("E5", "not_met", VISIT, ev="searched the record for Coagulation disorder", id="none"),
    case(
        "E5",
        "not_met",
        condition("302215000", onset="2019-01-01", status="resolved", abated="2019-06-01"),
        ev="none on file",
        id="thrombocytopenia-resolved",
    ),
    case(
        "E5",
        "unknown",
        condition("D66", "icd10cm", None, rid="haemo-nd"),
        miss="the date of Condition/haemo-nd",
        id="undated",
    ),
]

PNEUMONIA = "233604007"


def infection(
    enc: str | None, onset: str = "2026-02-10", abated: str = "2026-02-20", rid: str | None = None
) -> Json:
    return condition(
        PNEUMONIA, onset=onset, status="resolved", abated=abated, encounter=enc, rid=rid
    )


def iv_ceftriaxone(start: str, end: str, route: str | None = "iv", rid: str | None = None) -> Json:
    return med_request(CEFTRIAXONE, start, 1000, 1, route, end=end, status="completed", rid=rid)


E6 = [
    case(
        "E6",
        "met",
        inpatient("enc-1"),
        infection("Encounter/enc-1", rid="pn-1"),
        iv_ceftriaxone("2026-02-10", "2026-02-14", rid="cef-5d"),
        ev="inpatient stay Encounter/enc-1",
        id="inpatient-iv-5-days",
    ),
    case(
        "E6",
        "met",
        inpatient("enc-2"),
        infection("Encounter/enc-2"),
        iv_ceftriaxone("2026-02-10", "2026-02-12", rid="cef-3d"),
        ev="MedicationRequest/cef-3d",
        id="iv-exactly-3-days",
    ),
    case(
        "E6",
        "not_met",
        inpatient("enc-3"),
        infection("Encounter/enc-3"),
        iv_ceftriaxone("2026-02-10", "2026-02-11", rid="cef-2d"),
        ev="MedicationRequest/cef-2d",
        id="iv-2-days",
    ),
    case(
        "E6",
        "not_met",
        encounter("AMB", "2026-02-10", "2026-02-10", rid="enc-amb"),
        infection("Encounter/enc-amb"),
        iv_ceftriaxone("2026-02-10", "2026-02-14"),
        ev="not in hospital: Encounter/enc-amb is class AMB",
        id="outpatient",
    ),
    case(
        "E6",
        "not_met",
        inpatient("enc-4"),
        infection("Encounter/enc-4"),
        ev="none 2026-02-02 to 2026-03-02",
        id="inpatient-no-iv-anti-infective",
    ),
    case(
        "E6",
        "not_met",
        inpatient("enc-5", "2025-12-01", "2025-12-10"),
        infection("Encounter/enc-5", "2025-12-01", "2025-12-15"),
        iv_ceftriaxone("2025-12-01", "2025-12-08"),
        ev="searched the record for Serious infection",
        id="stay-2-months-before",
    ),
    case(
        "E6",
        "met",
        condition("128045006", onset="2026-02-25", rid="cellulitis"),
        med_request(AMOXICILLIN_500, "2026-02-25", 500, 3, "oral", rid="amox"),
        ev="MedicationRequest/amox",
        id="active-infection-treated-at-screening",
    ),
    case(
        "E6",
        "unknown",
        inpatient("enc-6"),
        infection("Encounter/enc-6"),
        iv_ceftriaxone("2026-02-10", "2026-02-14", None, rid="cef-noroute"),
        miss="the route of administration of MedicationRequest/cef-noroute",
        id="route-not-recorded",
    ),
    case(
        "E6",
        "unknown",
        infection(None, rid="pn-noenc"),
        iv_ceftriaxone("2026-02-10", "2026-02-14"),
        miss="whether Condition/pn-noenc was treated in hospital",
        id="stay-unknown",
    ),
    case(
        "E6",
        "not_met",
        inpatient("enc-7"),
        infection("Encounter/enc-7"),
        iv_ceftriaxone("2026-02-10", "2026-02-10"),
        iv_ceftriaxone("2026-02-11", "2026-02-11", None),
        ev="MedicationRequest",
        id="one-iv-day-one-unknown-route-day-is-at-most-2",
    ),
]

STAPH_KNEE_RIGHT = "M00.061"


def knee_infection(code: str = STAPH_KNEE_RIGHT, onset: str = "2026-01-10", **kw: Any) -> Json:
    return condition(code, "icd10cm", onset, status="resolved", **kw)


E7 = [
    case(
        "E7",
        "met",
        knee_infection(rid="sa-r"),
        knee=RIGHT,
        ev="right knee, the target knee",
        id="right-knee-target-right",
    ),
    case(
        "E7",
        "not_met",
        knee_infection(rid="sa-r2"),
        knee=LEFT,
        ev="Condition/sa-r2",
        id="right-knee-target-left",
    ),
    case(
        "E7",
        "unknown",
        knee_infection("M00.069", rid="sa-u"),
        knee=RIGHT,
        miss="the side (left or right knee) of Condition/sa-u",
        id="side-unknown",
    ),
    case("E7", "unknown", knee_infection(), miss="the target knee", id="target-knee-not-given"),
    case(
        "E7",
        "met",
        condition(
            "M00.86",
            "icd10",
            "2026-02-01",
            text="Septic arthritis of knee",
            body_site=RIGHT_KNEE,
            rid="sa-site",
        ),
        knee=RIGHT,
        ev="Condition/sa-site",
        id="side-from-body-site",
    ),
    case(
        "E7",
        "met",
        condition("M00.86", "icd10", "2026-02-01", text="Septic arthritis of both knees"),
        knee=LEFT,
        ev="bilateral knee",
        id="both-knees-text",
    ),
    case(
        "E7",
        "met",
        knee_infection(onset="2025-12-16"),
        knee=RIGHT,
        ev="target knee",
        id="first-day-of-3-months",
    ),
    case(
        "E7",
        "not_met",
        knee_infection(onset="2025-12-15"),
        knee=RIGHT,
        ev="searched the record for Infection of the knee",
        id="day-before-3-months",
    ),
    case("E7", "not_met", VISIT, knee=RIGHT, ev="none on file", id="none"),
]

IA_INJECTION = "20610"


def ia_injection(day: str, site: Any, rid: str | None = None) -> Json:
    return procedure(IA_INJECTION, day, "cpt", body_site=site, rid=rid)


E8 = [
    case(
        "E8",
        "met",
        ia_injection("2026-02-01", RIGHT_KNEE, "ia-r"),
        knee=RIGHT,
        ev="Procedure/ia-r",
        id="right-knee-target-right",
    ),
    case(
        "E8",
        "not_met",
        ia_injection("2026-02-01", LEFT_KNEE, "ia-l"),
        knee=RIGHT,
        ev="left knee, not the target knee",
        id="left-knee-target-right",
    ),
    case(
        "E8",
        "unknown",
        ia_injection("2026-02-01", None, "ia-ns"),
        knee=RIGHT,
        miss="the side (left or right knee) of Procedure/ia-ns",
        id="no-body-site",
    ),
    case(
        "E8",
        "unknown",
        ia_injection("2026-02-01", KNEE, "ia-k"),
        knee=RIGHT,
        miss="Procedure/ia-k",
        id="knee-without-side",
    ),
    case(
        "E8",
        "unknown",
        ia_injection("2026-02-01", RIGHT_KNEE),
        miss="the target knee",
        id="target-knee-not-given",
    ),
    case(
        "E8",
        "met",
        ia_injection("2025-12-16", LEFT_KNEE, "ia-edge"),
        knee=LEFT,
        ev="Procedure/ia-edge",
        id="first-day-of-3-months",
    ),
    case(
        "E8",
        "met",
        ia_injection("2026-02-01", [KNEE, RIGHT_SIDE], "ia-q"),
        knee=RIGHT,
        ev="Procedure/ia-q",
        id="knee-with-side-qualifier",
    ),
    case(
        "E8",
        "unknown",
        ia_injection("2026-02-01", [SHOULDER, RIGHT_SIDE], "ia-sh"),
        knee=RIGHT,
        miss="whether the body site of Procedure/ia-sh (Shoulder region structure) is a knee",
        id="shoulder-with-side-qualifier-is-not-taken-for-a-knee",
    ),
    case(
        "E8",
        "not_met",
        ia_injection("2025-12-15", LEFT_KNEE),
        knee=LEFT,
        ev="2025-12-16 to 2026-03-16",
        id="day-before-3-months",
    ),
]

TKR = "609588000"
E9 = [
    case(
        "E9",
        "met",
        procedure(TKR, "2025-06-01", body_site=LEFT_KNEE, rid="tkr-l"),
        knee=LEFT,
        ev="Procedure/tkr-l",
        id="tkr-left-target-left",
    ),
    case(
        "E9",
        "met",
        condition("S83.511A", "icd10cm", "2025-06-01", status="resolved", rid="acl-r"),
        knee=RIGHT,
        ev="Condition/acl-r",
        id="acl-sprain-right-icd10cm",
    ),
    case(
        "E9",
        "not_met",
        condition("S83.511A", "icd10cm", "2025-06-01", status="resolved"),
        knee=LEFT,
        ev="right knee, not the target knee",
        id="acl-sprain-right-target-left",
    ),
    case(
        "E9",
        "met",
        procedure(TKR, "2025-03-16", body_site=RIGHT_KNEE),
        knee=RIGHT,
        ev="right knee",
        id="first-day-of-year",
    ),
    case(
        "E9",
        "not_met",
        procedure(TKR, "2025-03-15", body_site=RIGHT_KNEE),
        knee=RIGHT,
        ev="2025-03-16 to 2026-03-16",
        id="day-before-year",
    ),
    case(
        "E9",
        "unknown",
        condition("239720000", onset="2025-09-01", status="resolved", rid="menisc"),
        knee=RIGHT,
        miss="the side (left or right knee) of Condition/menisc",
        id="meniscus-tear-side-unknown",
    ),
    case(
        "E9",
        "unknown",
        procedure(TKR, "2025-06-01", body_site=LEFT_KNEE),
        miss="the target knee",
        id="target-knee-not-given",
    ),
]

# --- E10-E15 --------------------------------------------------------------------------------

AST_OK = obs(AST, 20, "U/L", IN, 40, rid="ast-ok")
AST_OK_DEFAULT = obs(AST, 20, "U/L", IN, rid="ast-ok-def")
E10 = [
    case(
        "E10",
        "met",
        obs(ALT, 80, "U/L", IN, 40, rid="alt-2x"),
        ev="Observation/alt-2x",
        id="alt-exactly-2x-own-range",
    ),
    case(
        "E10",
        "met",
        obs(ALT, 80, "U/L", IN, 40),
        ev="= 2×ULN (ULN 40, the result's own reference range)",
        id="alt-2x-ast-missing",
    ),
    case(
        "E10",
        "not_met",
        obs(ALT, 79.9, "U/L", IN, 40, rid="alt-1.99"),
        AST_OK,
        ev="1.99×ULN",
        id="alt-just-below-own-range",
    ),
    case(
        "E10",
        "met",
        obs(ALT, 82, "U/L", IN, rid="alt-f"),
        ev="ULN 41, default table",
        id="female-default-uln-2x",
    ),
    case(
        "E10",
        "not_met",
        obs(ALT, 81.9, "U/L", IN),
        AST_OK_DEFAULT,
        ev="ULN 41",
        id="female-default-uln-below",
    ),
    case("E10", "met", MAN, obs(ALT, 118, "U/L", IN), ev="ULN 59", id="male-default-uln-2x"),
    case(
        "E10",
        "not_met",
        MAN,
        obs(ALT, 117.9, "U/L", IN),
        AST_OK_DEFAULT,
        ev="ULN 59",
        id="male-default-uln-below",
    ),
    case(
        "E10",
        "not_met",
        MAN,
        obs(ALT, 82, "U/L", IN),
        AST_OK_DEFAULT,
        ev="ULN 59",
        id="male-82-is-not-2x",
    ),
    case(
        "E10",
        "met",
        obs(ALT, 30, "U/L", IN),
        obs(AST, 68, "U/L", IN, rid="ast-2x"),
        ev="Observation/ast-2x",
        id="ast-2x-default-uln",
    ),
    case(
        "E10",
        "met",
        obs(ALT, 1.37, "ukat/L", IN, rid="alt-ukat"),
        ev="Observation/alt-ukat",
        id="alt-in-ukat-per-l",
    ),
    case(
        "E10",
        "met",
        obs(ALT, 30, "U/L", "2026-02-05", 40),
        obs(ALT, 85, "U/L", IN, 40, rid="alt-hi"),
        AST_OK,
        ev="Observation/alt-hi",
        id="highest-of-two",
    ),
    case(
        "E10",
        "unknown",
        patient(sex=None),
        obs(ALT, 82, "U/L", IN),
        AST_OK_DEFAULT,
        miss="upper limit of normal for Alanine",
        id="sex-unknown-no-range",
    ),
    case("E10", "unknown", miss="Alanine aminotransferase (ALT)", id="no-results"),
    case(
        "E10",
        "unknown",
        obs(ALT, 30, "U/L", IN, 40),
        miss="Aspartate aminotransferase (AST)",
        id="ast-missing",
    ),
    case(
        "E10",
        "unknown",
        obs(ALT, 90, "U/L", "2026-01-30", 40),
        AST_OK,
        miss="Alanine aminotransferase",
        id="alt-before-period",
    ),
]

E11 = [
    case(
        "E11",
        "not_met",
        MAN,
        obs(CREAT, 2.0, "mg/dL", IN, rid="cr-2"),
        obs(WEIGHT, 72, "kg", IN),
        ev="CrCl 45 mL/min",
        id="exactly-45",
    ),
    case(
        "E11",
        "met",
        MAN,
        obs(CREAT, 2.01, "mg/dL", IN, rid="cr-201"),
        obs(WEIGHT, 72, "kg", IN),
        ev="CrCl 44.78 mL/min",
        id="44.78",
    ),
    case(
        "E11",
        "met",
        MAN,
        obs(CREAT_MOL, 200, "umol/L", IN, rid="cr-umol"),
        obs(WEIGHT, 72, "kg", IN),
        ev="CrCl 39.78",
        id="umol-per-l-converts",
    ),
    case(
        "E11",
        "not_met",
        MAN,
        obs(CREAT_MOL, 88.4, "umol/L", IN),
        obs(WEIGHT, 72, "kg", IN),
        ev="creatinine 1 mg/dL",
        id="umol-per-l-normal",
    ),
    case(
        "E11",
        "not_met",
        MAN,
        obs(CREAT, 2.0, "mg/dL", IN),
        obs(WEIGHT, 220.462, "[lb_av]", IN),
        ev="weight 100 kg",
        id="weight-in-lb-converts",
    ),
    case(
        "E11",
        "not_met",
        obs(CREAT, 1.7, "mg/dL", IN),
        obs(WEIGHT, 72, "kg", IN),
        ev="CrCl 45 mL/min",
        id="female-factor-exactly-45",
    ),
    case(
        "E11",
        "met",
        obs(CREAT, 1.71, "mg/dL", IN),
        obs(WEIGHT, 72, "kg", IN),
        ev="female",
        id="female-below-45",
    ),
    case("E11", "unknown", obs(WEIGHT, 72, "kg", IN), miss="Creatinine", id="no-creatinine"),
    case("E11", "unknown", obs(CREAT, 1.0, "mg/dL", IN), miss="Body weight", id="no-weight"),
    case(
        "E11",
        "unknown",
        patient(sex=None),
        obs(CREAT, 1.0, "mg/dL", IN),
        obs(WEIGHT, 72, "kg", IN),
        miss="sex (male or female)",
        id="sex-unknown",
    ),
    case(
        "E11",
        "unknown",
        obs(CREAT, 1.0, "mg/dL", "2026-01-15"),
        obs(WEIGHT, 72, "kg", IN),
        miss="Creatinine",
        id="creatinine-before-period",
    ),
]


def cbc(hb: float = 13, wbc: float = 6, anc: float = 3, plt: float = 250) -> list[Json]:
    return [
        obs(HB, hb, "g/dL", IN, rid=f"hb-{hb}"),
        obs(WBC, wbc, "10*3/uL", IN, rid=f"wbc-{wbc}"),
        obs(ANC, anc, "10*3/uL", IN, rid=f"anc-{anc}"),
        obs(PLT, plt, "10*3/uL", IN, rid=f"plt-{plt}"),
    ]


E12 = [
    case("E12", "not_met", *cbc(), ev="Observation/plt-250", id="all-normal"),
    case("E12", "not_met", *cbc(hb=9.0), ev="Observation/hb-9.0", id="hb-exactly-9"),
    case("E12", "met", *cbc(hb=8.9), ev="Observation/hb-8.9", id="hb-8.9"),
    case(
        "E12",
        "met",
        obs(HB, 89, "g/L", IN, rid="hb-gl"),
        ev="8.9 g/dL",
        id="hb-in-g-per-l-converts",
    ),
    case("E12", "met", *cbc(wbc=2.9), ev="Observation/wbc-2.9", id="wbc-2.9"),
    case("E12", "met", *cbc(anc=1.1), ev="Observation/anc-1.1", id="anc-1.1"),
    case(
        "E12",
        "met",
        obs(PLT, 99, "10*9/L", IN, rid="plt-si"),
        ev="Observation/plt-si",
        id="platelets-99-si-units",
    ),
    case("E12", "unknown", *cbc()[:3], miss="Platelet count", id="platelets-missing"),
    case("E12", "unknown", *cbc()[1:], miss="Hemoglobin", id="hb-missing"),
]

E13 = [
    case(
        "E13",
        "needs_review",
        qual(ECG, ABNORMAL, rid="ecg-abn"),
        ev="Observation/ecg-abn",
        id="abnormal-coded",
    ),
    case(
        "E13",
        "needs_review",
        obs(ECG, None, None, IN, interpretation="A", rid="ecg-a"),
        ev="Observation/ecg-a",
        id="interpretation-abnormal",
    ),
    case(
        "E13",
        "needs_review",
        qual(ECG, ABNORMAL, "2026-03-16", rid="ecg-bl"),
        ev="Observation/ecg-bl",
        id="on-baseline-day",
    ),
    case("E13", "not_met", qual(ECG, NORMAL, rid="ecg-n"), ev="Observation/ecg-n", id="normal"),
    case("E13", "unknown", miss="12-lead ECG", id="none"),
    case(
        "E13", "unknown", qual(ECG, ABNORMAL, "2026-02-01"), miss="12-lead ECG", id="before-window"
    ),
]

E14 = [
    case("E14", "not_met", bp(159, 89, rid="bp-ok"), ev="Observation/bp-ok", id="159-89"),
    case("E14", "met", bp(160, 80, rid="bp-160"), ev="160 mmHg", id="systolic-160"),
    case("E14", "met", bp(150, 90, rid="bp-90"), ev="90 mmHg", id="diastolic-90"),
    case(
        "E14",
        "met",
        bp(140, 80, "2026-02-05"),
        bp(165, 85, rid="bp-165"),
        ev="165 mmHg",
        id="highest-reading",
    ),
    case(
        "E14",
        "met",
        bp(160, 80, "2026-03-16", rid="bp-bl"),
        ev="Observation/bp-bl",
        id="on-baseline-day",
    ),
    case(
        "E14",
        "unknown",
        obs("8480-6", 150, "mm[Hg]", IN),
        miss="Diastolic blood pressure",
        id="diastolic-missing",
    ),
    case("E14", "unknown", miss="Systolic blood pressure", id="none"),
]

OLD_HEIGHT = obs(HEIGHT, 160, "cm", "2015-01-01", rid="ht-160")
E15 = [
    case(
        "E15",
        "not_met",
        obs(BMI, 30.0, "kg/m2", IN, rid="bmi-30"),
        ev="Observation/bmi-30",
        id="observed-exactly-30",
    ),
    case(
        "E15",
        "met",
        obs(BMI, 30.1, "kg/m2", IN, rid="bmi-30.1"),
        ev="Observation/bmi-30.1",
        id="observed-30.1",
    ),
    case(
        "E15",
        "not_met",
        obs(WEIGHT, 76.8, "kg", IN),
        OLD_HEIGHT,
        ev="BMI 30 kg/m2 from weight 76.8 kg",
        id="computed-exactly-30",
    ),
    case(
        "E15", "met", obs(WEIGHT, 77, "kg", IN), OLD_HEIGHT, ev="BMI 30.1 kg/m2", id="computed-30.1"
    ),
    case(
        "E15",
        "met",
        obs(WEIGHT, 180, "[lb_av]", IN, rid="wt-lb"),
        obs(HEIGHT, 63, "[in_i]", "2015-01-01"),
        ev="Observation/wt-lb",
        id="pounds-and-inches",
    ),
    case("E15", "unknown", obs(WEIGHT, 77, "kg", IN), miss="Body mass index", id="weight-only"),
    case(
        "E15",
        "unknown",
        obs(WEIGHT, 77, "kg", "2026-01-30"),
        OLD_HEIGHT,
        miss="or weight and height",
        id="weight-before-period",
    ),
]

# --- E16-E27 --------------------------------------------------------------------------------

PACEMAKER = "706004007"
E16 = [
    case(
        "E16",
        "met",
        device_use(PACEMAKER, "2018-05-01", rid="pm"),
        ev="DeviceUseStatement/pm",
        id="pacemaker",
    ),
    case(
        "E16",
        "met",
        condition("Z95.0", "icd10cm", "2018-05-01", rid="z950"),
        ev="Condition/z950",
        id="presence-of-pacemaker-icd",
    ),
    case(
        "E16",
        "met",
        procedure("415070008", "2020-01-01", rid="pci"),
        ev="Procedure/pci",
        id="coronary-stent-procedure",
    ),
    case("E16", "not_met", VISIT, ev="searched the record for Implanted device", id="none"),
    case(
        "E16",
        "met",
        device(PACEMAKER, rid="pm-dev"),
        ev="active, no date on file: present now",
        id="active-device-without-date",
    ),
    case(
        "E16",
        "unknown",
        {**device(PACEMAKER, rid="pm-off"), "status": "inactive"},
        miss="the date of Device/pm-off",
        id="inactive-device-without-date",
    ),
]

E17 = [
    case(
        "E17",
        "needs_review",
        condition("35489007", onset="2010-01-01", status="resolved", rid="dep"),
        ev="Condition/dep",
        id="past-depression",
    ),
    case(
        "E17",
        "needs_review",
        condition("F41.1", "icd10cm", "2024-01-01", rid="gad"),
        ev="Condition/gad",
        id="anxiety-icd10cm",
    ),
    case("E17", "not_met", VISIT, ev="searched the record for Psychiatric disorder", id="none"),
    case(
        "E17",
        "unknown",
        condition("35489007", onset=None, rid="dep-nd"),
        miss="the date of Condition/dep-nd",
        id="undated",
    ),
]

E18 = [
    case(
        "E18",
        "met",
        condition("254837009", onset="2015-01-01", rid="breast"),
        ev="Condition/breast",
        id="breast-cancer",
    ),
    case(
        "E18",
        "met",
        condition("Z85.3", "icd10cm", "2018-01-01", rid="z853"),
        ev="Condition/z853",
        id="history-of-breast-cancer",
    ),
    case(
        "E18",
        "needs_review",
        condition("C44.311", "icd10cm", "2015-01-01", status="resolved", rid="bcc"),
        ev="Condition/bcc",
        id="skin-bcc",
    ),
    case(
        "E18",
        "met",
        condition("C44.311", "icd10cm", "2015-01-01", status="resolved"),
        condition("C78.00", "icd10cm", "2016-01-01", rid="mets"),
        ev="Condition/mets",
        id="bcc-with-metastases",
    ),
    case("E18", "not_met", VISIT, ev="searched the record for Malignancy", id="none"),
    case(
        "E18",
        "not_met",
        condition("D05.10", "icd10cm", "2015-01-01"),
        ev="none on file",
        id="carcinoma-in-situ",
    ),
    case(
        "E18",
        "unknown",
        condition("254837009", onset=None, rid="ca-nd"),
        miss="the date of Condition/ca-nd",
        id="undated",
    ),
]

E19 = [
    case("E19", "not_met", VISIT, MAN, ev="searched the record for Pregnancy", id="male-no-test"),
    case(
        "E19",
        "not_met",
        MAN,
        qual(PREG_TEST, POSITIVE),
        ev="none on file",
        id="male-positive-hcg-ignored",
    ),
    case("E19", "unknown", miss="Pregnancy test", id="female-no-test"),
    case(
        "E19",
        "not_met",
        qual(PREG_TEST, NEGATIVE, rid="hcg-neg"),
        ev="Observation/hcg-neg",
        id="female-negative-test",
    ),
    case(
        "E19",
        "met",
        qual(PREG_TEST, POSITIVE, rid="hcg-pos"),
        ev="Observation/hcg-pos",
        id="female-positive-test",
    ),
    case(
        "E19",
        "met",
        condition("77386006", onset="2026-01-01", rid="preg"),
        ev="Condition/preg",
        id="pregnancy-on-file",
    ),
    case(
        "E19",
        "met",
        condition("169750002", onset="2025-11-01", rid="bf"),
        ev="Condition/bf",
        id="breastfeeding",
    ),
    case("E19", "unknown", patient(sex=None), miss="the person's sex", id="sex-not-recorded"),
    case(
        "E19",
        "unknown",
        qual(PREG_TEST, NEGATIVE, "2026-03-16"),
        miss="Pregnancy test",
        id="test-on-baseline-day",
    ),
    case(
        "E19",
        "unknown",
        qual(PREG_TEST, NEGATIVE),
        qual(PREG_TEST, POSITIVE, "2026-02-30", rid="hcg-bad"),
        miss="the date of Observation/hcg-bad",
        id="second-test-date-unparseable",
    ),
]


def oral_steroid(
    code: str, mg: float, per_day: float = 1, day: str = "2026-02-20", **kw: Any
) -> Json:
    return med_request(code, day, mg, per_day, "oral", **kw)


E20 = [
    case(
        "E20",
        "met",
        med_admin(METHYLPRED, "2026-03-01", 125, "iv", rid="mp-iv"),
        ev="MedicationAdministration/mp-iv",
        id="iv-methylprednisolone",
    ),
    case(
        "E20",
        "met",
        med_admin(TRIAMCINOLONE, "2026-03-01", 40, "im", rid="tri-im"),
        ev="MedicationAdministration/tri-im",
        id="im-triamcinolone",
    ),
    case(
        "E20",
        "met",
        oral_steroid(PREDNISONE, 15, rid="pred-15"),
        ev="15 mg/day prednisone-equivalent",
        id="oral-prednisone-15",
    ),
    case(
        "E20",
        "not_met",
        oral_steroid(PREDNISONE, 10, rid="pred-10"),
        ev="MedicationRequest/pred-10",
        id="oral-prednisone-10",
    ),
    case(
        "E20",
        "met",
        oral_steroid(PREDNISONE, 5, 3),
        ev="15 mg/day",
        id="prednisone-5mg-three-times-a-day",
    ),
    case(
        "E20",
        "met",
        med_request(PREDNISONE_5MG, "2026-02-20", 3, 1, dose_unit="{tbl}"),
        ev="15 mg/day",
        id="three-5mg-tablets",
    ),
    case(
        "E20",
        "met",
        oral_steroid(METHYLPRED, 16),
        ev="20 mg/day prednisone-equivalent",
        id="oral-methylprednisolone-16",
    ),
    case(
        "E20",
        "met",
        oral_steroid(PREDNISONE, 5, end="2026-02-27", status="completed"),
        oral_steroid(PREDNISONE, 7.5, day="2026-02-28", rid="pred-7.5"),
        ev="MedicationRequest/pred-7.5",
        id="dose-changed",
    ),
    case(
        "E20",
        "met",
        med_admin(METHYLPRED, "2026-02-16", 125, "iv", rid="mp-edge"),
        ev="MedicationAdministration/mp-edge",
        id="iv-first-day-of-28",
    ),
    case(
        "E20",
        "not_met",
        med_admin(METHYLPRED, "2026-02-15", 125, "iv"),
        ev="2026-02-16 to 2026-03-16",
        id="iv-day-before-28",
    ),
    case("E20", "not_met", VISIT, ev="searched the record for Systemic corticosteroid", id="none"),
    case(
        "E20",
        "unknown",
        med_request(PREDNISONE_5MG, "2026-02-20", rid="pred-nodose"),
        miss="the daily dose of Systemic corticosteroid",
        id="dose-not-recorded",
    ),
    case(
        "E20",
        "unknown",
        med_request(PREDNISONE, "2026-02-20", 5, 1, rid="pred-noroute"),
        miss="the route of administration of MedicationRequest/pred-noroute",
        id="route-not-recorded",
    ),
    case(
        "E20",
        "not_met",
        med_request(TRIAMCINOLONE, "2026-03-01", 40, None, "ia", every=(1, 3, "mo"), rid="tri-ia"),
        ev="local route, not parenteral",
        id="intra-articular-is-not-iv-im",
    ),
]

OTHER = research_study("A phase 2 trial of drug X in knee pain", rid="other")
THIS = research_study("An injection trial in RA knees", "NCT06947746", rid="this")
E22 = [
    case(
        "E22",
        "met",
        OTHER,
        research_subject(OTHER, "2026-01-01", rid="rs-on"),
        ev="ResearchSubject/rs-on",
        id="ongoing",
    ),
    case(
        "E22",
        "met",
        OTHER,
        research_subject(OTHER, "2025-06-01", "2026-02-16", "off-study", rid="rs-edge"),
        ev="ResearchSubject/rs-edge",
        id="ended-exactly-4-weeks-before",
    ),
    case(
        "E22",
        "needs_review",
        OTHER,
        research_subject(OTHER, "2025-06-01", "2026-02-15", "off-study", rid="rs-5w"),
        ev="ResearchSubject/rs-5w",
        id="ended-4-weeks-and-a-day-before",
    ),
    case(
        "E22",
        "needs_review",
        OTHER,
        research_subject(OTHER, "2025-01-01", "2025-10-01", "off-study", rid="rs-yr"),
        ev="A phase 2 trial",
        id="within-a-year",
    ),
    case(
        "E22",
        "not_met",
        OTHER,
        research_subject(OTHER, "2023-01-01", "2024-12-01", "off-study"),
        ev="no other research study",
        id="ended-over-a-year-ago",
    ),
    case(
        "E22",
        "not_met",
        THIS,
        research_subject(THIS, "2026-02-20"),
        ev="no other research study",
        id="this-study-by-identifier",
    ),
    case(
        "E22",
        "not_met",
        research_subject("NCT06947746 knee injection study", "2026-02-20"),
        ev="no other research study",
        id="this-study-by-name",
    ),
    case(
        "E22",
        "not_met",
        OTHER,
        research_subject(OTHER, "2026-02-01", status="candidate"),
        ev="no other",
        id="candidate-only",
    ),
    case(
        "E22",
        "unknown",
        OTHER,
        research_subject(OTHER, None, rid="rs-nd"),
        miss="the dates of ResearchSubject/rs-nd",
        id="no-dates",
    ),
    case(
        "E22",
        "met",
        OTHER,
        research_subject(OTHER, "2026-01-01", rid="rs-on2"),
        research_subject("Some older study", None, rid="rs-undated"),
        ev="ResearchSubject/rs-on2",
        id="ongoing-beats-an-undated-one",
    ),
]

ALCOHOL_ABUSE = "15167005"
E23 = [
    case(
        "E23",
        "needs_review",
        condition(ALCOHOL_ABUSE, onset="2024-01-01", rid="alc"),
        ev="Condition/alc",
        id="ongoing",
    ),
    case(
        "E23",
        "needs_review",
        condition(
            ALCOHOL_ABUSE, onset="2020-01-01", status="resolved", abated="2025-10-01", rid="alc-r"
        ),
        ev="Condition/alc-r",
        id="ended-within-6-months",
    ),
    case(
        "E23",
        "not_met",
        condition(ALCOHOL_ABUSE, onset="2020-01-01", status="resolved", abated="2020-06-01"),
        ev="2025-09-16 to 2026-03-16",
        id="ended-years-ago",
    ),
    case("E23", "not_met", VISIT, ev="searched the record for Alcohol or drug abuse", id="none"),
    case(
        "E23",
        "unknown",
        condition(ALCOHOL_ABUSE, onset=None, rid="alc-nd"),
        miss="the date of Condition/alc-nd",
        id="undated",
    ),
]

MMR = "03"


def occurrence_string(imm: Json, text: str) -> Json:
    """The immunization dated only by free text (FHIR R4 occurrenceString)."""
    return {k: v for k, v in imm.items() if k != "occurrenceDateTime"} | {"occurrenceString": text}


E24 = [
    case(
        "E24",
        "met",
        immunization(MMR, "2026-01-19", rid="mmr-8w"),
        ev="Immunization/mmr-8w",
        id="mmr-exactly-8-weeks",
    ),
    case(
        "E24",
        "not_met",
        immunization(MMR, "2026-01-18"),
        ev="2026-01-19 to 2026-03-16",
        id="mmr-8-weeks-and-a-day",
    ),
    case(
        "E24",
        "met",
        immunization("121", "2026-03-16", rid="zos"),
        ev="Immunization/zos",
        id="zoster-live-on-baseline-day",
    ),
    case(
        "E24",
        "not_met",
        immunization("140", "2026-02-20"),
        ev="searched the record for Live virus vaccine",
        id="inactivated-flu",
    ),
    case(
        "E24",
        "not_met",
        immunization("187", "2026-02-20"),
        ev="none on file",
        id="recombinant-zoster",
    ),
    case(
        "E24",
        "unknown",
        occurrence_string(immunization(MMR, "x", rid="mmr-str"), "last spring"),
        miss="the date of Immunization/mmr-str",
        id="occurrence-string",
    ),
    case(
        "E24",
        "unknown",
        immunization(MMR, "2026-02-30", rid="mmr-bad"),
        miss="the date of Immunization/mmr-bad",
        id="date-unparseable",
    ),
]

E27 = [
    case(
        "E27",
        "needs_review",
        condition("203082005", rid="fibro"),
        ev="Condition/fibro",
        id="fibromyalgia",
    ),
    case(
        "E27",
        "needs_review",
        condition("M54.50", "icd10cm", "2025-01-01", rid="lbp"),
        ev="Condition/lbp",
        id="low-back-pain-icd10cm",
    ),
    case(
        "E27",
        "not_met",
        VISIT,
        ev="searched the record for Nervous-system or pain disorder",
        id="none",
    ),
    case(
        "E27",
        "not_met",
        condition("23056005", onset="2023-01-01", status="resolved", abated="2023-03-01"),
        ev="none on file",
        id="sciatica-resolved",
    ),
    case(
        "E27",
        "unknown",
        condition("203082005", onset=None, rid="fibro-nd"),
        miss="the date of Condition/fibro-nd",
        id="undated",
    ),
]

CASES = [
    *I1,
    *I2,
    *I3,
    *I4,
    *I5,
    *I6,
    *E1,
    *E3,
    *E4,
    *E5,
    *E6,
    *E7,
    *E8,
    *E9,
    *E10,
    *E11,
    *E12,
    *E13,
    *E14,
    *E15,
    *E16,
    *E17,
    *E18,
    *E19,
    *E20,
    *E22,
    *E23,
    *E24,
    *E27,
]


@pytest.mark.parametrize(("criterion", "status", "resources", "ev", "miss", "knee"), CASES)
def test_criterion(
    screen: Screen,
    criterion: str,
    status: Status,
    resources: tuple[Json, ...],
    ev: str | None,
    miss: str | None,
    knee: Laterality | None,
) -> None:
    r = result_for(screen(*resources, target_knee=knee), criterion)
    assert r.status is status, explain(r)
    if status is Status.UNKNOWN:
        assert miss is not None
        assert any(miss in m for m in r.missing), explain(r)
    else:
        assert not r.missing, explain(r)
    if ev is not None:
        assert ev in evidence_text(r), explain(r)


def test_every_computable_criterion_has_cases(study: Study) -> None:
    computable = {c.id for c in study.criteria.criteria if c.judgment is None}
    tested = {p.values[0] for p in CASES}
    assert computable == tested
    for c in study.criteria.criteria:
        if c.judgment is not None:
            continue
        statuses = {p.values[1] for p in CASES if p.values[0] == c.id}
        want = {Status.NOT_MET, Status.UNKNOWN}
        if c.rule is not None:
            want.add(Status.MET)
        if c.review is not None:
            want.add(Status.NEEDS_REVIEW)
        assert want <= statuses, (c.id, want - statuses)


# --- unusable facts: unknown with the resource named, never not_met -------------------------

UNUSABLE = [
    pytest.param(
        "E10",
        (obs(ALT, 50, "furlongs", IN, rid="alt-furlong"), AST_OK),
        "Observation/alt-furlong",
        id="E10-unit-furlongs",
    ),
    pytest.param(
        "E10",
        (obs(ALT, 50, "U/L", "yesterday", rid="alt-when"), AST_OK),
        "Observation/alt-when",
        id="E10-date-unparseable",
    ),
    pytest.param(
        "E11",
        (MAN, obs(CREAT, -1, "mg/dL", IN, rid="cr-neg"), obs(WEIGHT, 72, "kg", IN)),
        "Observation/cr-neg",
        id="E11-creatinine-negative",
    ),
    pytest.param(
        "E11",
        (MAN, obs(CREAT, 1, "mg/dL", IN), obs(WEIGHT, 900, "kg", IN, rid="wt-900")),
        "Observation/wt-900",
        id="E11-weight-900kg",
    ),
    pytest.param(
        "E15",
        (obs(WEIGHT, 900, "kg", IN, rid="wt-900b"), OLD_HEIGHT),
        "Observation/wt-900b",
        id="E15-weight-900kg",
    ),
    pytest.param(
        "E15",
        (obs(BMI, 31, "furlongs", IN, rid="bmi-fur"),),
        "Observation/bmi-fur",
        id="E15-bmi-unit-furlongs",
    ),
    pytest.param(
        "E12",
        (obs(HB, -1, "g/dL", IN, rid="hb-neg"), *cbc()[1:]),
        "Observation/hb-neg",
        id="E12-hb-negative",
    ),
    pytest.param(
        "E14",
        (obs("8480-6", 170, "furlongs", IN, rid="sbp-fur"), obs("8462-4", 80, "mm[Hg]", IN)),
        "Observation/sbp-fur",
        id="E14-unit-furlongs",
    ),
    pytest.param(
        "I4",
        (obs(WOMAC, 5, "{score}", "2026-02-31", rid="womac-bad"), SYNOVITIS),
        "Observation/womac-bad",
        id="I4-date-unparseable",
    ),
    pytest.param(
        "E13",
        (qual(ECG, NORMAL, "20260220", rid="ecg-bad"),),
        "Observation/ecg-bad",
        id="E13-date-unparseable",
    ),
    pytest.param(
        "E24",
        (immunization(MMR, "2026-02-30", rid="imm-bad"),),
        "Immunization/imm-bad",
        id="E24-date-unparseable",
    ),
    pytest.param(
        "I3",
        (condition(RA, onset="March 2020", rid="ra-when"),),
        "Condition/ra-when",
        id="I3-date-unparseable",
    ),
    pytest.param(
        "I1", (consent("next week", rid="icf-when"),), "Consent/icf-when", id="I1-date-unparseable"
    ),
]


@pytest.mark.parametrize(("criterion", "resources", "resource"), UNUSABLE)
def test_unusable_fact_is_unknown_naming_the_resource(
    screen: Screen, criterion: str, resources: tuple[Json, ...], resource: str
) -> None:
    r = result_for(screen(*resources), criterion)
    assert r.status is Status.UNKNOWN, explain(r)
    assert resource in evidence_text(r) + " ".join(r.missing), explain(r)


# --- overall verdicts -----------------------------------------------------------------------

JUDGED = ("E2", "E21", "E25", "E26", "E28")


def eligible_record() -> list[Json]:
    """A 50-year-old woman with every fact the computable criteria need, all in range."""
    return [
        patient("1975-06-15", "female"),
        consent("2026-02-01", rid="v-icf"),
        condition(RA, onset="2018-04-01", rid="v-ra"),
        obs(WOMAC, 6, "{score}", IN),
        qual(US_SYNOVITIS, PRESENT),
        mtx("2025-06-01", rid="v-mtx"),
        *[qual(code, NEGATIVE) for code in (HIV, HBSAG, HCV, RPR)],
        obs(ALT, 25, "U/L", IN, 40, rid="v-alt"),
        obs(AST, 22, "U/L", IN, 40),
        obs(CREAT, 0.8, "mg/dL", IN),
        obs(WEIGHT, 65, "kg", IN),
        obs(HEIGHT, 165, "cm", "2020-01-01"),
        *cbc(),
        qual(ECG, NORMAL),
        bp(128, 78),
        qual(PREG_TEST, NEGATIVE),
    ]


def attest(*ids: str, decision: Status = Status.NOT_MET) -> list[Attestation]:
    return [Attestation(i, decision, "reviewed", "Dr Test", date(2026, 3, 3)) for i in ids]


ALL_ATTESTED = [*attest(*JUDGED), *attest("I4", decision=Status.MET)]


def test_eligible_after_attestations(screen: Screen) -> None:
    result = screen(*eligible_record(), target_knee=RIGHT, attestations=ALL_ATTESTED)
    statuses = {c.criterion.id: c.status for c in result.criteria}
    bad = {
        k: v
        for k, v in statuses.items()
        if v is not (Status.MET if k.startswith("I") else Status.NOT_MET)
    }
    assert not bad, [explain(result_for(result, k)) for k in bad]
    assert result.verdict is Verdict.ELIGIBLE
    assert result_for(result, "E2").attested is not None


def test_needs_review_without_attestations(screen: Screen) -> None:
    result = screen(*eligible_record(), target_knee=RIGHT)
    assert result.verdict is Verdict.NEEDS_REVIEW
    review = {c.criterion.id for c in result.criteria if c.status is Status.NEEDS_REVIEW}
    assert review == {*JUDGED, "I4"}


def test_incomplete_when_a_lab_is_missing(screen: Screen) -> None:
    resources = [r for r in eligible_record() if r["id"] != "v-alt"]
    result = screen(*resources, target_knee=RIGHT, attestations=ALL_ATTESTED)
    assert result.verdict is Verdict.INCOMPLETE
    unknown = {c.criterion.id for c in result.criteria if c.status is Status.UNKNOWN}
    assert unknown == {"E10"}


def test_incomplete_without_target_knee_only_when_a_knee_event_exists(screen: Screen) -> None:
    assert screen(*eligible_record(), attestations=ALL_ATTESTED).verdict is Verdict.ELIGIBLE
    injection = ia_injection("2026-01-20", RIGHT_KNEE)
    result = screen(*eligible_record(), injection, attestations=ALL_ATTESTED)
    assert result.verdict is Verdict.INCOMPLETE
    assert result_for(result, "E8").missing == ("the target knee",)


@pytest.mark.parametrize(
    ("extra", "criterion"),
    [
        pytest.param(obs(BMI, 35, "kg/m2", IN), "E15", id="bmi-35"),
        pytest.param(immunization(MMR, "2026-02-01"), "E24", id="live-vaccine"),
        pytest.param(condition("254837009", onset="2015-01-01"), "E18", id="cancer"),
        pytest.param(ia_injection("2026-01-20", RIGHT_KNEE), "E8", id="knee-injection"),
    ],
)
def test_ineligible_when_an_exclusion_is_met(screen: Screen, extra: Json, criterion: str) -> None:
    result = screen(*eligible_record(), extra, target_knee=RIGHT, attestations=ALL_ATTESTED)
    assert result.verdict is Verdict.INELIGIBLE
    assert {c.criterion.id for c in result.criteria if c.excludes} == {criterion}


def test_ineligible_when_an_inclusion_is_not_met(screen: Screen) -> None:
    resources = [r for r in eligible_record() if r["id"] != "v-mtx"]
    result = screen(*resources, target_knee=RIGHT, attestations=ALL_ATTESTED)
    assert result.verdict is Verdict.INELIGIBLE
    assert {c.criterion.id for c in result.criteria if c.excludes} == {"I5", "I6"}


def test_ineligible_beats_incomplete(screen: Screen) -> None:
    resources = [r for r in eligible_record()[1:] if r["id"] not in ("v-alt", "v-icf")]
    result = screen(patient("1950-01-01"), *resources, target_knee=RIGHT)
    assert result.verdict is Verdict.INELIGIBLE
    assert result_for(result, "I2").status is Status.NOT_MET
    assert result_for(result, "E10").status is Status.UNKNOWN
