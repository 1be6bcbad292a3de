"""The SDTM export after the issue-16 review: each test fails on the defect it names
(Chinese text deleted, a worsened pre-existing condition lost, LLT codes as PT codes, the
milestone decode as a sponsor extension, DTHFL blank for an undated death, chart keys in
MHSPID, CM's datetime type, pre-dose day-1 epochs, VISITNUM x.1 collisions and unknown
visit keys, wall-clock XPT headers and zip dates, stale files in a reused folder)."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from trialdesk.errors import FieldErrors
from trialdesk.reports.cdisc.dataset import (
    Dataset,
    Variable,
    write_dataset_json,
    write_xpt,
    xpt_problems,
)
from trialdesk.reports.cdisc.define import build_define, to_xml
from trialdesk.reports.cdisc.export import write_sdtm, zipped
from trialdesk.reports.cdisc.sdtm.ae import ae_domain
from trialdesk.reports.cdisc.sdtm.cm import cm_domain
from trialdesk.reports.cdisc.sdtm.dm import dm_domain
from trialdesk.reports.cdisc.sdtm.ds import ds_domain
from trialdesk.reports.cdisc.sdtm.findings import findings_domains
from trialdesk.reports.cdisc.sdtm.findings_context import subject_of
from trialdesk.reports.cdisc.sdtm.mh import mh_domain
from trialdesk.reports.cdisc.sdtm.source import SdtmSource, source_of
from trialdesk.reports.cdisc.sdtm.supp import supp_datasets
from trialdesk.reports.cdisc.sdtm.sv import sv_domain
from trialdesk.reports.cdisc.sdtm.timing import subject_visits
from trialdesk.reports.cdisc.sdtm.trial_design import ascii_text
from trialdesk.trial.review.extract import HistoryItem
from trialdesk.trial.safety.emergent import treatment_emergent
from trialdesk.trial.safety.partial_dates import PartialDate

from .test_domains import STUDY, casebook, participant, screen_failure

CREATED = datetime(2026, 9, 1, 8, 30, 5, tzinfo=UTC)
RA = "类风湿关节炎"  # rheumatoid arthritis, as a Chinese chart names it


def _source(*people: Any) -> SdtmSource:
    return source_of(STUDY, list(people), created=CREATED, site_id="01")


def _book(**changes: Any) -> dict[str, Any]:
    book = casebook()
    book.update(changes)
    return book


# 1. Chinese text is kept; XPT v5 refuses it by name, Dataset-JSON carries it


def test_text_without_an_ascii_spelling_is_kept() -> None:
    assert ascii_text(RA) == RA
    assert ascii_text("Café ≥ 3 × ULN，ok") == "Cafe >= 3 x ULN, ok"


def test_a_chinese_term_reaches_mh_and_is_an_xpt_problem_named_by_row(tmp_path: Path) -> None:
    history = (HistoryItem(RA, None, date(2015, 1, 1), None, "active", "Condition/abc"),)
    mh = mh_domain(_source(participant(history=history)))
    assert [r["MHTERM"] for r in mh.records()] == [RA]
    problems = xpt_problems(mh)
    assert list(problems) == ["MH.MHTERM[1]"]
    assert problems["MH.MHTERM[1]"].startswith("XPT v5 holds ASCII only: write Dataset-JSON")
    with pytest.raises(FieldErrors):
        write_xpt(mh, tmp_path / "mh.xpt")
    assert not (tmp_path / "mh.xpt").exists()
    back = write_dataset_json(mh, tmp_path / "mh.json", study_oid=STUDY.id, created=CREATED)
    assert RA in back.read_text(encoding="utf-8")


def test_a_chinese_missed_reason_and_screen_failure_reason_are_not_blanked() -> None:
    book = casebook()
    book["visits"]["D2"]["missed_reason"] = "患者外出"
    source = _source(participant(casebook=book), screen_failure())
    sv = {
        r["VISIT"]: r for r in sv_domain(source).records() if str(r["USUBJID"]).endswith("01-001")
    }
    assert sv["DAY 2"]["SVREASOC"] == "患者外出"
    sf = screen_failure()
    failed = _source(participant(), type(sf)(**{**sf.__dict__, "outcome_reason": "肝功能异常"}))
    terms = [r["DSTERM"] for r in ds_domain(failed).records() if r["DSDECOD"] == "SCREEN FAILURE"]
    assert terms == ["肝功能异常"]


def test_the_simulated_trial_is_english_and_exports_to_xpt() -> None:
    """The simulator writes English verbatim terms, reasons and staff names
    (trial/simulate/adverse_events.yaml ``verbatim.en``), so its package is XPT-ready."""
    from ..simulated_trial import simulated

    built = simulated()
    assert {d.name: xpt_problems(d) for d in built.sdtm if xpt_problems(d)} == {}


# 2. and 3. a pre-existing condition that worsened starts at the worsening; LLT codes


WORSENED = {
    "sequence": 4, "verbatim": "knee pain", "term": "Arthralgia", "meddra_code": "10003239",
    "soc": "Musculoskeletal and connective tissue disorders", "onset_date": "2026-02-20",
    "end_date": None, "grade": 3, "baseline_grade": 1, "worsened_on": "2026-03-15",
    "death": False, "life_threatening": False, "hospitalisation": False, "disability": False,
    "congenital_anomaly": False, "medically_important": False,
    "action_taken": "NOT APPLICABLE", "outcome": "NOT RECOVERED/NOT RESOLVED", "causality": None,
}  # fmt: skip


def test_a_worsened_pre_existing_condition_starts_when_it_worsened() -> None:
    book = casebook()
    book["adverse_events"] = {"4": WORSENED}
    ae = ae_domain(_source(participant(casebook=book)))
    (row,) = ae.records()
    assert (row["AESTDTC"], row["AESTDY"], row["AETOXGR"]) == ("2026-03-15", 6, "3")
    assert row["EPOCH"] == "FOLLOW-UP"
    day1 = date(2026, 3, 10)
    emergent = treatment_emergent(
        PartialDate.parse("2026-02-20"), day1, grade=3, baseline_grade=1,
        worsened_on=PartialDate.parse("2026-03-15"),
    ).emergent  # fmt: skip
    assert emergent and str(row["AESTDTC"]) >= day1.isoformat()  # TRTEMFL agrees
    (suppae,) = supp_datasets([ae])
    assert [(r["QNAM"], r["QVAL"], r["IDVARVAL"]) for r in suppae.records()] == [
        ("AEPRESDT", "2026-02-20", "1"),
        ("AEBLGR", "1", "1"),
    ]
    assert all(len(str(r["QLABEL"])) <= 40 for r in suppae.records())


def test_ctcae_codes_are_lowest_level_terms_not_preferred_terms() -> None:
    ae = {r["AESPID"]: r for r in ae_domain(_source(participant())).records()}
    assert (ae["1"]["AELLT"], ae["1"]["AELLTCD"], ae["1"]["AEPTCD"]) == (
        "Joint swelling", 10023232, None)  # fmt: skip


# 4. DSDECOD has no one code list: no CodeListRef, the milestone is no sponsor extension


def test_dsdecod_has_no_code_list_and_define_extends_nothing() -> None:
    ds = ds_domain(_source(participant(), screen_failure()))
    assert ds.variable("DSDECOD").codelist is None
    xml = to_xml(build_define([ds], study=STUDY, created=CREATED))
    assert "INFORMED CONSENT OBTAINED" not in xml
    assert 'ExtendedValue="Yes"' not in xml


# 5. a known death without a date


@pytest.mark.parametrize("change", [{"death": True}, {"outcome": "FATAL"}])
def test_dthfl_is_y_for_a_known_death_without_a_date(change: dict[str, Any]) -> None:
    book = casebook()
    book["adverse_events"]["2"].update(change)  # end_date None: no date of death
    (row, _) = dm_domain(_source(participant(casebook=book), screen_failure())).records()
    assert (row["DTHFL"], row["DTHDTC"]) == ("Y", "")
    (alive, _) = dm_domain(_source(participant(), screen_failure())).records()
    assert alive["DTHFL"] == ""


# 6. MHSPID is no chart key; screen failures' chart history is not submitted


def test_mhspid_is_the_place_on_the_record_and_screen_failures_have_no_mh() -> None:
    history = (
        HistoryItem("Hypertension", None, date(2018, 5, 1), None, "active", "Condition/zz9"),
        HistoryItem("Asthma", None, date(2001, 1, 1), None, "resolved", "Condition/ab1"),
    )
    sf = screen_failure()
    failed = type(sf)(**{**sf.__dict__, "history": history})
    mh = mh_domain(_source(participant(history=history), failed)).records()
    assert [(r["MHTERM"], r["MHSPID"]) for r in mh] == [("Asthma", "2"), ("Hypertension", "1")]
    assert {r["USUBJID"] for r in mh} == {"NCT06947746-01-001"}


# 7. CM dates may be partial


def test_cm_dates_are_partial_datetimes() -> None:
    cm = cm_domain(STUDY, [casebook()])
    from trialdesk.reports.cdisc.sdtm.cm import CM_VARIABLES

    types = {v.name: v.data_type for v in CM_VARIABLES}
    assert types["CMSTDTC"] == types["CMENDTC"] == "partialDatetime"
    assert cm.name == "CM"


# 8. a record taken before the dose on day 1 is in the element before day 1's


def test_pre_dose_day1_findings_are_in_the_screening_epoch() -> None:
    book = casebook()
    book["forms"]["D1/injection#1"]["values"].update(pre_sysbp=128, post_sysbp=131)
    (vs,) = [d for d in findings_domains(STUDY, [book]) if d.name == "VS"]
    rows = {r["VSTPT"]: r for r in vs.records() if r["VSTESTCD"] == "SYSBP"}
    before, after = rows["PRE-DOSE"], rows["30 MIN POST-DOSE"]
    assert (before["VSDY"], before["VSLOBXFL"], before["EPOCH"]) == (1, "Y", "SCREENING")
    assert (after["VSDY"], after["VSLOBXFL"], after["EPOCH"]) == (1, "", "TREATMENT")


# 9. unscheduled visits x.01 .. x.99; a visit the schedule lacks is an error


def test_twelve_unscheduled_visits_after_one_visit_have_distinct_numbers() -> None:
    assert STUDY.schedule is not None
    visits: dict[str, dict[str, Any]] = {"D1": {"date": "2026-03-10"}}
    for n in range(1, 13):
        visits["UNS" if n == 1 else f"UNS#{n}"] = {"date": f"2026-03-{10 + n:02d}"}
    numbers = [v.visitnum for v in subject_visits(STUDY.schedule, visits)]
    assert numbers == [2.0] + [round(2 + n / 100, 2) for n in range(1, 13)]
    assert len(set(numbers)) == len(numbers)


def test_a_visit_the_schedule_lacks_is_an_error_naming_participant_and_visit() -> None:
    book = casebook()
    book["visits"]["W99"] = {"date": "2026-05-01", "missed_reason": None}
    with pytest.raises(FieldErrors) as sv:
        sv_domain(_source(participant(casebook=book)))
    assert [e.field for e in sv.value.errors] == ["NCT06947746-01-001.VISIT.W99"]
    with pytest.raises(FieldErrors) as findings:
        subject_of(STUDY, book)
    assert "NCT06947746-01-001: visit W99" in findings.value.message


# 10. the same data give the same bytes; a reused folder holds one package


def test_xpt_headers_carry_the_creation_instant(tmp_path: Path) -> None:
    d = Dataset("AE", "Adverse Events", (Variable("AETERM", "Term"),), rows=({"AETERM": "x"},))
    first = write_xpt(d, tmp_path / "a.xpt", created=CREATED).read_bytes()
    second = write_xpt(d, tmp_path / "b.xpt", created=CREATED).read_bytes()
    assert first == second
    assert first.count(b"01SEP26:08:30:05") == 4


def test_two_exports_of_the_same_data_are_byte_identical(tmp_path: Path) -> None:
    source = _source(participant(), screen_failure())
    a = write_sdtm(source, tmp_path / "a", format="xpt")
    b = write_sdtm(source, tmp_path / "b", format="xpt")
    for path in a.files:
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name
    assert zipped(a) == zipped(b)
    with zipfile.ZipFile(__import__("io").BytesIO(zipped(a))) as archive:
        # zip dates count seconds in twos (PKWARE APPNOTE 4.4.6: MS-DOS time)
        assert {i.date_time for i in archive.infolist()} == {(2026, 9, 1, 8, 30, 4)}


def test_a_reused_folder_loses_the_earlier_package_files_only(tmp_path: Path) -> None:
    out = tmp_path / "sdtm"
    out.mkdir()
    (out / "notes.json").write_text("{}")  # not a dataset of the package: stays
    source = _source(participant(), screen_failure())
    first = write_sdtm(source, out, format="json")
    assert (out / "ae.json").exists()
    second = write_sdtm(source, out, format="xpt")
    left = sorted(p.name for p in out.iterdir())
    assert left == sorted([p.name for p in second.files] + ["notes.json"])
    assert not any((out / p.name).exists() for p in first.files if p.suffix == ".json")
