"""Each SDTM domain builder on a hand-made casebook (no store): values worked out by hand
from the study folder (schedule.yaml, forms/injection.yaml, ctgov.json)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from trialdesk.reports.cdisc.sdtm.ae import ae_domain
from trialdesk.reports.cdisc.sdtm.dm import dm_domain
from trialdesk.reports.cdisc.sdtm.ds import ds_domain
from trialdesk.reports.cdisc.sdtm.ex import ex_domain
from trialdesk.reports.cdisc.sdtm.ie import ie_domain
from trialdesk.reports.cdisc.sdtm.se import se_domain
from trialdesk.reports.cdisc.sdtm.source import SdtmSource, source_of
from trialdesk.reports.cdisc.sdtm.supp import supp_datasets
from trialdesk.reports.cdisc.sdtm.sv import sv_domain
from trialdesk.reports.cdisc.sdtm.trial_design import ti_domain, tv_domain
from trialdesk.reports.cdisc.sdtm.ts import ts_domain
from trialdesk.reports.cdisc.sdtm.variables import ig_variables
from trialdesk.study.loader import load_study
from trialdesk.trial.review.extract import CriterionOutcome, Screened

STUDY = load_study("NCT06947746")


def casebook() -> dict[str, Any]:
    return {
        "participant": "01-001", "study": STUDY.id,
        "dates": {"screening": "2026-03-05", "baseline": "2026-03-10", "day1": "2026-03-10"},
        "parameters": {"target_knee": "left"},
        "withdrawn": None,
        "visits": {
            "SCR": {"date": "2026-03-05", "missed_reason": None},
            "D1": {"date": "2026-03-10", "missed_reason": None},
            "D2": {"date": None, "missed_reason": "patient travelling"},
            "W1": {"date": "2026-03-18", "missed_reason": None},
            "UNS": {"date": "2026-03-20", "missed_reason": None},
        },
        "forms": {
            "D1/injection#1": {"status": "complete", "entered": {}, "derived": {}, "values": {
                "administered_at": "2026-03-10T02:30:00+00:00",  # 10:30 in Shanghai
                "knee": "left", "product_lot": "LOT-1", "dose": "50", "volume": "5"}},
        },
        "adverse_events": {
            "1": {"sequence": 1, "verbatim": "knee swelling", "term": "Joint swelling",
                  "meddra_code": "10023232",
                  "soc": "Musculoskeletal and connective tissue disorders",
                  "onset_date": "2026-03-10", "end_date": "2026-03-14", "grade": 2,
                  "death": False, "life_threatening": False, "hospitalisation": True,
                  "disability": False, "congenital_anomaly": False, "medically_important": False,
                  "action_taken": "NOT APPLICABLE", "outcome": "RECOVERED/RESOLVED",
                  "causality": {"product": "possible", "procedure": "probable", "expected": True}},
            "2": {"sequence": 2, "verbatim": "headache", "term": "Headache", "meddra_code": None,
                  "soc": "Nervous system disorders", "onset_date": "2026-03", "end_date": None,
                  "grade": 1, "death": False, "life_threatening": False, "hospitalisation": False,
                  "disability": False, "congenital_anomaly": False, "medically_important": False,
                  "action_taken": "NOT APPLICABLE", "outcome": "NOT RECOVERED/NOT RESOLVED",
                  "causality": None},
            "3": {"sequence": 3, "verbatim": "rash", "term": "Rash", "meddra_code": None,
                  "soc": "Skin", "onset_date": "2026-03-08", "end_date": "2026-03-09", "grade": 1,
                  "death": False, "life_threatening": False, "hospitalisation": False,
                  "disability": False, "congenital_anomaly": False, "medically_important": False,
                  "action_taken": "NOT APPLICABLE", "outcome": "RECOVERED/RESOLVED",
                  "causality": {"product": "unrelated", "procedure": "unrelated",
                                "expected": False}},
        },
        "disposition": {"term": "COMPLETED", "ended_on": "2026-08-26", "reason": None},
    }  # fmt: skip


def participant(**changes: Any) -> Screened:
    fields: dict[str, Any] = dict(
        candidate_id=4, subject_number="01-001", sex="female", birth_date=date(1970, 3, 6),
        consented_on=date(2026, 3, 3), screened_on=date(2026, 3, 5), enrolled_on=date(2026, 3, 5),
        status="enrolled", outcome_on=date(2026, 3, 5), outcome_reason=None,
        criteria=(CriterionOutcome("I1", True, "met", False),), history=(), deviations=(),
        casebook=casebook(),
    )  # fmt: skip
    fields.update(changes)
    return Screened(**fields)


def screen_failure() -> Screened:
    return participant(
        candidate_id=7, subject_number=None, sex="male", consented_on=date(2026, 2, 1),
        screened_on=date(2026, 2, 2), enrolled_on=None, status="screen_failed",
        outcome_on=date(2026, 2, 2), outcome_reason="ALT 3 x ULN", casebook=None,
        criteria=(CriterionOutcome("I2", True, "not_met", True),
                  CriterionOutcome("E10", False, "met", True),
                  CriterionOutcome("E12", False, "unknown", False)),
    )  # fmt: skip


@pytest.fixture
def source() -> SdtmSource:
    return source_of(STUDY, [participant(), screen_failure()],
                     created=datetime(2026, 9, 1, tzinfo=UTC), site_id="01")  # fmt: skip


def test_a_decline_after_consent_is_not_a_screen_failure() -> None:
    declined = replace(screen_failure(), status="declined", outcome_reason="moving away")
    source = source_of(STUDY, [declined], created=datetime(2026, 9, 1, tzinfo=UTC), site_id="01")
    [dm] = dm_domain(source).records()
    assert (dm["ARMCD"], dm["ARMNRS"]) == ("", "NOT ASSIGNED")
    ds = [(r["DSTERM"], r["DSDECOD"]) for r in ds_domain(source).records()]
    assert ds[-1] == ("moving away", "OTHER")


def test_dm_participant_and_screen_failure(source: SdtmSource) -> None:
    dm = {r["SUBJID"]: r for r in dm_domain(source).records()}
    p, sf = dm["01-001"], dm["SF-007"]
    assert p["USUBJID"] == "NCT06947746-01-001"
    assert p["RFSTDTC"] == p["RFXSTDTC"] == "2026-03-10T10:30"  # site time (Asia/Shanghai)
    assert p["RFICDTC"] == "2026-03-03" and p["RFPENDTC"] == "2026-08-26"
    assert p["AGE"] == 55 and p["AGEU"] == "YEARS"  # 1970-03-06 to 2026-03-03: not yet 56
    assert (p["SEX"], p["ARMCD"], p["ACTARMCD"], p["ARMNRS"]) == ("F", "HISCS", "HISCS", "")
    assert p["COUNTRY"] == "CHN" and p["SITEID"] == "01"
    assert (sf["ARMCD"], sf["ARMNRS"], sf["RFSTDTC"], sf["SEX"]) == ("", "SCREEN FAILURE", "", "M")


def test_ex_one_injection_with_route_location_laterality(source: SdtmSource) -> None:
    ex = ex_domain(source).records()
    assert len(ex) == 1
    row = ex[0]
    assert (row["EXTRT"], row["EXROUTE"], row["EXLOC"], row["EXLAT"]) == (
        "hiSCs", "INTRA-ARTICULAR", "KNEE JOINT", "LEFT")  # fmt: skip
    assert (row["EXDOSE"], row["EXDOSU"], row["EXDOSFRQ"]) == (
        50.0,
        "10^6 Therapeutic Cells",
        "ONCE",
    )
    assert (row["EXSTDTC"], row["EXSTDY"], row["EPOCH"], row["EXSEQ"]) == (
        "2026-03-10T10:30", 1, "TREATMENT", 1)  # fmt: skip
    variables = ex_domain(source).variable
    assert variables("EXROUTE").codelist == "C66729" and variables("EXLAT").codelist == "C99073"


def test_ex_items_mapped_to_suppex_are_qualifiers_of_their_record(source: SdtmSource) -> None:
    ex = ex_domain(source)
    [volume] = ex.extra["supplemental"]  # only the volume was entered in this casebook
    assert (volume.rdomain, volume.idvar, volume.idvarval) == ("EX", "EXSEQ", "1")
    assert (volume.qnam, volume.qlabel, volume.qval) == ("EXVOL", "Volume Injected", "5 mL")
    [suppex] = supp_datasets([ex])
    assert suppex.name == "SUPPEX" and suppex.records()[0]["USUBJID"] == ex.records()[0]["USUBJID"]


def test_ae_seriousness_severity_causality_days_epochs(source: SdtmSource) -> None:
    ae = {r["AESPID"]: r for r in ae_domain(source).records()}
    swelling, headache, rash = ae["1"], ae["2"], ae["3"]
    assert (swelling["AESER"], swelling["AESHOSP"], swelling["AESDTH"]) == ("Y", "Y", "N")
    assert (swelling["AESEV"], swelling["AETOXGR"]) == ("MODERATE", "2")
    assert (swelling["AEREL"], swelling["AERLPRT"]) == ("POSSIBLE", "PROBABLE")
    assert (swelling["AESTDY"], swelling["AEENDY"], swelling["EPOCH"]) == (1, 5, "TREATMENT")
    assert (swelling["AELLTCD"], swelling["AEPTCD"]) == (10023232, None)  # CTCAE: an LLT
    assert (headache["AESER"], headache["AESTDY"], headache["EPOCH"]) == ("N", None, "")
    assert headache["AEREL"] == ""  # no causality assessed yet
    assert (rash["AESTDY"], rash["AEENDY"], rash["EPOCH"], rash["AEREL"]) == (
        -2, -1, "SCREENING", "NOT RELATED")  # fmt: skip
    # --SEQ in the order of onset: the partial March date sorts before the 8th
    assert [r["AESPID"] for r in ae_domain(source).records()] == ["2", "3", "1"]


def test_sv_numbers_missed_and_unscheduled_visits(source: SdtmSource) -> None:
    rows = [r for r in sv_domain(source).records() if r["USUBJID"].endswith("01-001")]
    by_visit = {r["VISIT"]: r for r in rows}
    assert [r["VISITNUM"] for r in rows] == [1.0, 2.0, 3.0, 4.0, 4.01]
    assert (
        by_visit["DAY 2"]["SVOCCUR"] == "N"
        and by_visit["DAY 2"]["SVREASOC"] == "patient travelling"
    )
    assert by_visit["WEEK 1"]["SVSTDY"] == 9 and by_visit["WEEK 1"]["VISITDY"] == 8
    uns = by_visit["UNSCHEDULED VISIT 4.01"]
    assert (uns["SVPRESP"], uns["SVOCCUR"], uns["VISITDY"], uns["SVSTDY"]) == ("", "", None, 11)
    sf = [r for r in sv_domain(source).records() if r["USUBJID"].endswith("SF-007")]
    assert [(r["VISIT"], r["SVSTDTC"]) for r in sf] == [("SCREENING", "2026-02-02")]


def test_ie_only_the_criteria_that_excluded(source: SdtmSource) -> None:
    rows = ie_domain(source).records()
    assert [(r["USUBJID"], r["IETESTCD"], r["IECAT"], r["IEORRES"]) for r in rows] == [
        ("NCT06947746-SF-007", "I2", "INCLUSION", "N"),
        ("NCT06947746-SF-007", "E10", "EXCLUSION", "Y"),
    ]
    assert rows[0]["VISITNUM"] == 1.0 and rows[0]["IEDTC"] == "2026-02-02"
    assert rows[0]["EPOCH"] == "SCREENING" and rows[0]["IEDY"] is None
    ti = {r["IETESTCD"]: r["IETEST"] for r in ti_domain(STUDY).records()}
    assert rows[0]["IETEST"] == ti["I2"] and len(ti) == len(STUDY.criteria.criteria)
    assert all(len(t) <= 200 and t.isascii() for t in ti.values())


def test_ds_and_se(source: SdtmSource) -> None:
    ds = [(r["USUBJID"][-6:], r["DSDECOD"], r["DSCAT"], r["EPOCH"], r["DSSTDY"])
          for r in ds_domain(source).records()]  # fmt: skip
    assert ds == [
        ("01-001", "INFORMED CONSENT OBTAINED", "PROTOCOL MILESTONE", "SCREENING", -7),
        ("01-001", "COMPLETED", "DISPOSITION EVENT", "FOLLOW-UP", 170),
        ("SF-007", "INFORMED CONSENT OBTAINED", "PROTOCOL MILESTONE", "SCREENING", None),
        ("SF-007", "SCREEN FAILURE", "DISPOSITION EVENT", "SCREENING", None),
    ]
    se = [
        (r["USUBJID"][-6:], r["ETCD"], r["SESTDTC"], r["SEENDTC"])
        for r in se_domain(source).records()
    ]
    assert se == [
        ("01-001", "SCRN", "2026-03-03", "2026-03-10T10:30"),
        ("01-001", "TRT", "2026-03-10T10:30", "2026-03-11"),
        ("01-001", "FU", "2026-03-11", "2026-08-26"),
        ("SF-007", "SCRN", "2026-02-01", "2026-02-02"),
    ]


def test_trial_design_from_the_schedule_and_registry(source: SdtmSource) -> None:
    tv = tv_domain(STUDY).records()
    assert [r["VISITNUM"] for r in tv] == [float(v.visitnum) for v in STUDY.schedule.visits  # type: ignore[union-attr]
                                           if v.kind.value != "unscheduled"]  # fmt: skip
    ts = {r["TSPARMCD"]: r for r in ts_domain(source).records()}
    assert (ts["AGEMIN"]["TSVAL"], ts["AGEMAX"]["TSVAL"]) == ("P18Y", "P65Y")
    assert (ts["ROUTE"]["TSVAL"], ts["ROUTE"]["TSVALCD"]) == ("INTRA-ARTICULAR", "C38223")
    assert (ts["SEXPOP"]["TSVAL"], ts["TBLIND"]["TSVAL"], ts["TCNTRL"]["TSVAL"]) == (
        "BOTH", "OPEN LABEL", "NONE")  # fmt: skip
    assert ts["PLANSUB"]["TSVAL"] == "15" and ts["ACTSUB"]["TSVAL"] == "1"
    assert ts["SSTDTC"]["TSVAL"] == "2026-03-03"  # the first consent of a participant
    assert {"TITLE", "TPHASE", "INDIC", "TRT", "STYPE"} <= set(ts)


def test_labels_are_sdtmig_3_4(source: SdtmSource) -> None:
    table = ig_variables()
    for build in (dm_domain, ae_domain, ex_domain, sv_domain, ds_domain, ie_domain, se_domain):
        d = build(source)
        for v in d.variables:
            assert v.label == table[d.name][v.name].label and len(v.label) <= 40
    assert table["AE"]["AESER"].label == "Serious Event"
    assert table["DM"]["RFSTDTC"].label == "Subject Reference Start Date/Time"
