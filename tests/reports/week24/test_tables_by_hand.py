"""The week-24 tables on a tiny hand-made ADaM, each number worked out by hand here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trialdesk.reports.cdisc.adam.adae import ADAE_VARIABLES
from trialdesk.reports.cdisc.adam.adeff import ADEFF_VARIABLES
from trialdesk.reports.cdisc.adam.adsl import ADSL_VARIABLES
from trialdesk.reports.cdisc.adam.variables import variables
from trialdesk.reports.cdisc.dataset import Dataset, Value
from trialdesk.reports.week24.report import report_json, week24_report
from trialdesk.study.loader import load_study

STUDY = load_study("NCT06947746")
W24 = 9.0  # VISITNUM of W24 in the study's schedule


def _subject(n: int, *, safety: bool = True, fas: bool = True, **extra: Value) -> dict[str, Value]:
    return {"STUDYID": "S", "USUBJID": f"S-{n}", "SUBJID": str(n), "AGE": 40 + 10 * n,
            "SEX": "F" if n % 2 else "M", "ITTFL": "Y", "SAFFL": "Y" if safety else "N",
            "FASFL": "Y" if fas else "N", "TRTSDT": 100 if safety else None, "TRTDURD": 1,
            "EOSSTT": "ONGOING", **extra}  # fmt: skip


def _ae(n: int, seq: int, term: str, soc: str, grade: str, **extra: Value) -> dict[str, Value]:
    return {"STUDYID": "S", "USUBJID": f"S-{n}", "SUBJID": str(n), "AESEQ": seq,
            "AEDECOD": term, "AEBODSYS": soc, "ATOXGR": grade, "ATOXGRN": int(grade),
            "TRTEMFL": "Y", "AESER": "N", "AEREL": "POSSIBLE", "RELGR1": "RELATED",
            "ASTDY": seq, **extra}  # fmt: skip


def _eff(n: int, code: str, base: float, aval: float) -> list[dict[str, Value]]:
    common = {"STUDYID": "S", "USUBJID": f"S-{n}", "PARAMCD": code, "PARAM": code, "ANL01FL": "Y"}
    return [
        {**common, "AVISIT": "Baseline", "AVISITN": 0.0, "ABLFL": "Y", "AVAL": base,
         "BASE": base, "ADT": 100},
        {**common, "AVISIT": "Week 24", "AVISITN": W24, "AVAL": aval, "BASE": base,
         "CHG": aval - base, "ADT": 268},
    ]  # fmt: skip


@pytest.fixture(scope="module")
def adam() -> dict[str, Dataset]:
    adsl = [_subject(1), _subject(2), _subject(3), _subject(4, safety=False, fas=False)]
    adsl[2]["EOSSTT"], adsl[2]["DCSREAS"] = "DISCONTINUED", "ADVERSE EVENT"
    ae = [
        _ae(1, 1, "Arthralgia", "MUSC", "1", AOCCIFL="", AOCPIFL="Y"),
        _ae(1, 2, "Arthralgia", "MUSC", "2", AOCCIFL="Y", AOCPIFL="", AESER="Y"),
        _ae(2, 1, "Injection site reaction", "GEN", "3", AOCCIFL="Y", AOCPIFL="Y",
            AEREL="UNLIKELY", RELGR1="NOT RELATED"),
        _ae(3, 1, "Arthralgia", "MUSC", "1", AOCCIFL="Y", AOCPIFL="Y", TRTEMFL="N"),
    ]  # fmt: skip
    eff = [
        # DAS28-CRP 5.0 -> 3.0 (improvement 2.0 to <= 3.2: good), 5.0 -> 4.5 (0.5: none),
        # 6.0 -> 5.0 (1.0, level 3.2-5.1: moderate): EULAR, van Gestel 1998
        *_eff(1, "DAS28CRP", 5.0, 3.0), *_eff(2, "DAS28CRP", 5.0, 4.5),
        *_eff(3, "DAS28CRP", 6.0, 5.0),
        *_eff(1, "WOMPTOT", 12.0, 6.0), *_eff(2, "WOMPTOT", 10.0, 8.0),
    ]  # fmt: skip
    return {
        "ADSL": Dataset("ADSL", "", variables(ADSL_VARIABLES), tuple(adsl), ("STUDYID", "USUBJID")),
        "ADAE": Dataset("ADAE", "", variables(ADAE_VARIABLES), tuple(ae),
                        ("STUDYID", "USUBJID", "AESEQ")),
        "ADEFF": Dataset("ADEFF", "", variables(ADEFF_VARIABLES), tuple(eff),
                         ("STUDYID", "USUBJID", "PARAMCD", "AVISITN")),
    }  # fmt: skip


@pytest.fixture(scope="module")
def tables(adam: dict[str, Dataset]) -> dict[str, dict[str, list[str]]]:
    report = week24_report(STUDY, adam, data_cut=datetime(2027, 1, 1, tzinfo=UTC), draw=False)
    return {t.id: {r.label.en.strip(): [c.text for c in r.cells] for r in t.rows}
            for t in report.tables}  # fmt: skip


def test_teae_overview(tables: dict[str, dict[str, list[str]]]) -> None:
    overview = tables["teae_overview"]
    # safety set N = 3; subject 3's only event is not emergent. 2/3: Clopper-Pearson
    # [0.0943, 0.9916] (Newcombe 1998's method 5; scipy's binomtest exact)
    assert overview["Any TEAE"] == ["2 (66.7)", "[9.4, 99.2]", "3"]
    assert overview["Related to the product (RELGR1)"][0::2] == ["1 (33.3)", "2"]
    assert overview["Serious (AESER = Y)"] == ["1 (33.3)", "[0.8, 90.6]", "1"]
    assert overview["CTCAE grade 3 or higher"][0] == "1 (33.3)"
    assert overview["Leading to withdrawal"][0] == "0 (0.0)"  # subject 3 has no TEAE
    # 0/3: [0, 1 - 0.025^(1/3)] = [0, 70.8]
    assert overview["Fatal (AEOUT = FATAL or grade 5)"][:2] == ["0 (0.0)", "[0.0, 70.8]"]


def test_by_term_grade_and_relationship(tables: dict[str, dict[str, list[str]]]) -> None:
    assert tables["teae_by_term"]["MUSC"] == ["1 (33.3)", "2"]
    assert tables["teae_by_term"]["Arthralgia"] == ["1 (33.3)", "2"]
    assert tables["teae_by_grade"]["Any TEAE"] == ["0 (0.0)", "1 (33.3)", "1 (33.3)", "0 (0.0)",
                                                   "0 (0.0)"]  # fmt: skip
    assert tables["teae_by_grade"]["Arthralgia"][0] == "1 (33.3)"  # AOCPIFL: the grade-1 one
    assert tables["teae_by_relationship"]["Not related"] == ["1 (33.3)", "1"]
    assert list(tables["sae_listing"]) == ["1"]


def test_change_from_baseline_and_eular(tables: dict[str, dict[str, list[str]]]) -> None:
    change = tables["change_from_baseline"]
    # WOMAC: changes -6 and -2: mean -4, SD 2.83, t(0.975, 1) = 12.706: -4 +/- 25.41
    womac = next(v for k, v in change.items() if "(WOMPTOT)" in k)
    assert womac == ["2", "-4.00", "2.83", "-4.00", "-6.00, -2.00", "[-29.41, 21.41]"]
    das = next(v for k, v in change.items() if "(DAS28CRP)" in k)
    assert das[:2] == ["3", "-1.17"]


def test_eular_response(adam: dict[str, Dataset]) -> None:
    report = week24_report(STUDY, adam, data_cut=datetime(2027, 1, 1, tzinfo=UTC), draw=False)
    crp = [(r.label.en, r.cells[0].text, r.cells[0].subjects)
           for r in report.table("categories").rows[:4]]  # fmt: skip
    assert crp == [
        ("EULAR response (DAS28-CRP) since day 1", "3", ("S-1", "S-2", "S-3")),
        ("Good response", "1 (33.3)", ("S-1",)),
        ("Moderate response", "1 (33.3)", ("S-3",)),
        ("No response", "1 (33.3)", ("S-2",)),
    ]


def test_every_count_names_its_participants_and_records(adam: dict[str, Dataset]) -> None:
    report = week24_report(STUDY, adam, data_cut=datetime(2027, 1, 1, tzinfo=UTC), draw=False)
    any_teae = report.table("teae_overview").rows[0].cells[0]
    assert any_teae.subjects == ("S-1", "S-2")
    assert any_teae.records == ("ADAE USUBJID=S-1 AESEQ=1", "ADAE USUBJID=S-1 AESEQ=2",
                                "ADAE USUBJID=S-2 AESEQ=1")  # fmt: skip
    data = report_json(report)
    assert data["tables"][0]["id"] == "disposition"
    assert {a["source"] for a in data["assumptions"]}  # the assumptions are stated
