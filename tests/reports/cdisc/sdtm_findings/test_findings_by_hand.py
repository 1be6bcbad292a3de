"""Findings records computed by hand from hand-made casebooks: one WOMAC form gives these
QS rows; a lab value these LB variables; the vital signs around the injection these VS
rows; the knee ultrasound these MK rows."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from trialdesk.errors import FieldErrors
from trialdesk.reports.cdisc.dataset import Dataset
from trialdesk.reports.cdisc.sdtm.findings import findings_domains
from trialdesk.reports.cdisc.sdtm.findings_plan import unmapped_items
from trialdesk.study.forms import Form, Item, ItemType, SdtmTarget
from trialdesk.study.texts import Text

from .books import STUDY, WOMAC_ITEMS, book, form


def domain(datasets: list[Dataset], name: str) -> list[dict[str, Any]]:
    return next(d for d in datasets if d.name == name).records()


def test_one_womac_form_gives_its_qs_rows() -> None:
    # The knee is not on the form: QSLAT falls back to the participant's target knee.
    answers = dict(zip(WOMAC_ITEMS, ["2", "3", "1", "0", "4"] + ["2", "1"] + ["1"] * 17,
                       strict=True))  # fmt: skip
    books = [book({"D1/womac#1": form(answers, derived={"pain_score": "10.00"})})]

    qs = domain(findings_domains(STUDY, books), "QS")

    # 24 answered items and the one derived score the store holds, in the form's order
    assert [r["QSTESTCD"] for r in qs] == (
        ["WOMP01", "WOMP02", "WOMP03", "WOMP04", "WOMP05", "WOMS01", "WOMS02"]
        + [f"WOMF{i:02d}" for i in range(1, 18)] + ["WOMPTOT"]
    )  # fmt: skip
    assert [r["QSSEQ"] for r in qs] == list(range(1, 26))
    first, total = qs[0], qs[-1]
    assert first == {
        "STUDYID": "NCT06947746",
        "DOMAIN": "QS",
        "USUBJID": "NCT06947746-01-001",
        "QSSEQ": 1,
        "QSTESTCD": "WOMP01",
        "QSTEST": "Pain 1: Walking on a flat surface",
        "QSCAT": "WOMAC LK 3.1 INDEX",
        "QSSCAT": "PAIN",
        "QSORRES": "2",
        "QSSTRESC": "2",
        "QSSTRESN": 2.0,
        "QSLOC": "KNEE JOINT",
        "QSLAT": "LEFT",
        "QSLOBXFL": "Y",
        "QSDRVFL": "",
        "VISITNUM": 2.0,
        "VISIT": "DAY 1 (INJECTION)",
        "VISITDY": 1,
        "EPOCH": "SCREENING",  # taken before the dose on day 1 (timing.py)
        "QSDTC": "2026-03-10",
        "QSDY": 1,
    }  # fmt: skip  (no units on a WOMAC form: QSORRESU/QSSTRESU, permissible, are left out)
    # the derived total: as stored in ORRES, standard format without trailing zeros
    got = [total[k] for k in ("QSTEST", "QSORRES", "QSSTRESC", "QSSTRESN", "QSDRVFL", "QSSCAT")]
    assert got == ["WOMAC pain (0-20)", "10.00", "10", 10.0, "Y", ""]


def test_last_observation_before_exposure_and_study_days() -> None:
    pain = {"pain_vas": 70}
    books = [book({"SCR/pain_vas#1": form(pain), "D1/pain_vas#1": form({"pain_vas": 65}),
                   "W4/pain_vas#1": form({"pain_vas": 40})})]  # fmt: skip
    qs = domain(findings_domains(STUDY, books), "QS")
    assert [(r["VISIT"], r["QSORRES"], r["QSLOBXFL"], r["QSDY"], r["QSORRESU"]) for r in qs] == [
        ("SCREENING", "70", "", -9, "mm"),  # 9 days before day 1: day -9 (no day 0)
        ("DAY 1 (INJECTION)", "65", "Y", 1, "mm"),  # baseline visit, before the injection
        ("WEEK 4", "40", "", 29, "mm"),
    ]


def test_no_dose_no_lobxfl() -> None:
    books = [book({"SCR/pain_vas#1": form({"pain_vas": 70})}, day1=None)]
    qs = domain(findings_domains(STUDY, books), "QS")
    assert qs[0]["QSLOBXFL"] == "" and qs[0].get("QSDY") is None  # no day 1, no study day


def test_lab_result_with_limits_grade_and_unit_typed() -> None:
    chem_d1 = {"alt": "20", "alt_lln": "7", "alt_uln": "40", "creat": "70"}
    # W1: ALT 100 U/L with ULN 40 (2.5 x ULN: CTCAE v5.0 ALT increased grade 1 for a
    # normal baseline, > ULN - 3.0 x ULN); creatinine typed as 1 mg/dL, stored 88.4 umol/L
    chem_w1 = {"alt": "100", "alt_lln": "7", "alt_uln": "40", "creat": "88.4",
               "creat_lln": "41", "creat_uln": "73"}  # fmt: skip
    books = [book({
        "D1/chemistry#1": form(chem_d1),
        "W1/chemistry#1": form(chem_w1, entered={"creat": {"value": "1", "unit": "mg/dL"}}),
    })]  # fmt: skip
    lb = domain(findings_domains(STUDY, books), "LB")
    w1 = {r["LBTESTCD"]: r for r in lb if r["VISIT"] == "WEEK 1"}
    alt = w1["ALT"]
    assert (alt["LBORRES"], alt["LBORRESU"], alt["LBORNRLO"], alt["LBORNRHI"]) == (
        "100",
        "U/L",
        "7",
        "40",
    )
    assert (alt["LBSTNRLO"], alt["LBSTNRHI"], alt["LBNRIND"]) == (7.0, 40.0, "HIGH")
    assert (alt["LBTOX"], alt["LBTOXGR"]) == ("Alanine aminotransferase increased", "1")
    creat = w1["CREAT"]
    assert (creat["LBORRES"], creat["LBORRESU"]) == ("1", "mg/dL")  # as typed
    assert (creat["LBSTRESC"], creat["LBSTRESN"], creat["LBSTRESU"]) == ("88.4", 88.4, "umol/L")
    assert creat["LBNRIND"] == "HIGH"  # 88.4 > 73
    d1 = {r["LBTESTCD"]: r for r in lb if r["VISIT"] == "DAY 1 (INJECTION)"}
    assert d1["ALT"]["LBNRIND"] == "NORMAL" and d1["ALT"]["LBLOBXFL"] == "Y"
    # no limits entered: no range indicator, and no grade where the grade needs the ULN
    assert d1["CREAT"]["LBNRIND"] == "" and d1["CREAT"]["LBORNRHI"] == ""


def test_not_done_is_a_record_with_its_reason() -> None:
    books = [book({"W1/chemistry#1": form({"ast": "20"}, not_done={"alt": "SAMPLE HAEMOLYSED"})})]
    lb = {r["LBTESTCD"]: r for r in domain(findings_domains(STUDY, books), "LB")}
    assert (lb["ALT"]["LBSTAT"], lb["ALT"]["LBREASND"], lb["ALT"]["LBORRES"]) == (
        "NOT DONE",
        "SAMPLE HAEMOLYSED",
        "",
    )
    assert lb["AST"]["LBSTAT"] == ""
    assert set(lb) == {"ALT", "AST"}  # items neither entered nor marked not done: no record


def test_vital_signs_around_the_injection() -> None:
    injection = {"administered_at": "2026-03-10T10:21:00+08:00", "knee": "left",
                 "pre_sysbp": 128, "post_sysbp": 121}  # fmt: skip
    books = [book({"D1/vital_signs#1": form({"sysbp": 130}),
                   "D1/injection#1": form(injection)})]  # fmt: skip
    vs = domain(findings_domains(STUDY, books), "VS")
    assert [(r["VSORRES"], r["VSTPT"], r["VSTPTNUM"], r["VSLOBXFL"]) for r in vs] == [
        ("130", "", None, ""),
        ("128", "PRE-DOSE", 1.0, "Y"),  # the last value before the dose
        ("121", "30 MIN POST-DOSE", 2.0, ""),  # after it: never the baseline
    ]


def test_knee_ultrasound_laterality_from_the_form() -> None:
    us = {"knee": "right", "sh_grade": "2", "pd_grade": "1", "effusion": True}
    books = [book({"SCR/knee_ultrasound#1": form(us, derived={"combined_grade": 2})})]
    mk = {r["MKTESTCD"]: r for r in domain(findings_domains(STUDY, books), "MK")}
    assert set(mk) == {"SYNHYPGR", "PDSIGGR", "SYNCMBGR", "EFFUSIND"}
    assert {r["MKLAT"] for r in mk.values()} == {"RIGHT"}  # the form's knee, not the parameter
    assert (mk["PDSIGGR"]["MKMETHOD"], mk["PDSIGGR"]["MKLOC"]) == (
        "DOPPLER ULTRASOUND",
        "KNEE JOINT",
    )
    assert (mk["EFFUSIND"]["MKORRES"], mk["EFFUSIND"]["MKSTRESN"]) == ("Y", None)
    assert (mk["SYNCMBGR"]["MKDRVFL"], mk["SYNCMBGR"]["MKSTRESN"]) == ("Y", 2.0)


def test_disease_activity_scores_are_derived_sponsor_defined_tests() -> None:
    scores = {"das28_crp": "4.38", "cdai": "24.0", "eular_response_crp": "good"}
    rs_data = findings_domains(STUDY, [book({"W4/disease_activity#1": form({}, derived=scores)})])
    rs = next(d for d in rs_data if d.name == "RS")
    rows = {r["RSTESTCD"]: r for r in rs.records()}
    assert (rows["DAS28CRP"]["RSORRES"], rows["DAS28CRP"]["RSSTRESN"]) == ("4.38", 4.38)
    assert (rows["EULRCRP"]["RSORRES"], rows["EULRCRP"]["RSSTRESC"]) == ("good", "GOOD")
    assert {r["RSDRVFL"] for r in rows.values()} == {"Y"}
    assert rs.extra["tests"]["CDAI"] == {
        "test": "Clinical Disease Activity Index", "ct": None, "sponsor_defined": True,
        "origin": "Derived", "unit": None, "sources": (("disease_activity", "cdai"),),
        "kind": "decimal", "choices": (),
        "derivation": {"calculator": "cdai", "inputs": {
            "tjc28": "joint_counts.tjc28", "sjc28": "joint_counts.sjc28",
            "patient_global": "global_assessments.patient_global",
            "evaluator_global": "global_assessments.evaluator_global"}},
    }  # fmt: skip
    # a choice as --ORRES and --STRESC hold it, with the label define.xml decodes it by
    assert rs.extra["tests"]["EULRCRP"]["choices"][0] == ("good", "GOOD", "Good response")


def test_items_without_a_test_code_are_reported_not_invented() -> None:
    # every HAQ-DI item carries CDISC's HAQ02TC code: a record per answer, and the index
    assert unmapped_items(STUDY) == []
    books = [book({"D1/haq_di#1": form({"arising_1": "1"}, derived={"haq_di": "1.25"})})]
    qs = next(d for d in findings_domains(STUDY, books) if d.name == "QS")
    assert [r["QSTESTCD"] for r in qs.records()] == ["HAQ0203", "HAQDI"]
    # a target naming neither a test code nor a variable: listed, and no record is made
    study = _custom_study("GRIP")
    hand = Item(
        id="hand", label=Text("Hand", "手"), type=ItemType.TEXT, sdtm=SdtmTarget(domain="FT")
    )
    grip = replace(study.forms["grip"], items=(*study.forms["grip"].items, hand))
    study = replace(study, forms={**study.forms, "grip": grip})
    assert [(u.form, u.item) for u in unmapped_items(study)] == [("grip", "hand")]
    data = findings_domains(study, [book({"W1/grip#1": form({"grip": "3", "hand": "left"})})])
    ft = next(d for d in data if d.name == "FT")
    assert [r["FTTESTCD"] for r in ft.records()] == ["GRIP"]


def _custom_study(testcd: str) -> Any:
    item = Item(
        id="grip", label=Text("Grip strength", "握力"), type=ItemType.DECIMAL, unit="kg",
        sdtm=SdtmTarget(domain="FT", testcd=testcd, test="Grip Strength", orresu="kg"),
    )  # fmt: skip
    grip = Form(id="grip", title=Text("Grip", "握力"), items=(item,))
    return replace(STUDY, forms={**STUDY.forms, "grip": grip})


def test_any_domain_a_form_targets_is_built_from_the_targets() -> None:
    study = _custom_study("GRIP")
    data = findings_domains(study, [book({"W1/grip#1": form({"grip": "31.5"})})])
    ft = next(d for d in data if d.name == "FT")
    assert ft.records()[0]["FTTESTCD"] == "GRIP" and ft.records()[0]["FTSTRESN"] == 31.5
    # a domain SDTMIG 3.4 has no table for here takes the Findings class's labels
    assert ft.variable("FTTESTCD").label == "Test or Examination Short Name"


def test_a_test_code_sas_cannot_hold_is_refused_with_its_form_and_item() -> None:
    with pytest.raises(FieldErrors) as caught:
        findings_domains(_custom_study("GRIPSTRENGTH"), [])
    assert "forms/grip.yaml item grip" in str(caught.value)
