"""adam_datasets over a small hand-made SDTM of the bundled study: the schedule's windows,
populations, ADAE flags, ADLB shift and ADEFF change, each computed by hand; every
dataset fits SAS transport v5 and reads back."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialdesk.reports.cdisc.adam import adam_datasets
from trialdesk.reports.cdisc.adam.dates import from_sas_date
from trialdesk.reports.cdisc.dataset import Dataset, Value, Variable, read_xpt, write_xpt
from trialdesk.study.loader import Study, load_study

S = "NCT06947746"


def _dataset(name: str, rows: list[dict[str, Value]]) -> Dataset:
    names = list(dict.fromkeys(k for r in rows for k in r))
    kinds = {
        k: "float" if any(isinstance(r.get(k), float) for r in rows) else "text" for k in names
    }
    return Dataset(name, name, tuple(Variable(n, n, kinds[n]) for n in names), tuple(rows))


def _common(subject: str) -> dict[str, Value]:
    return {"STUDYID": S, "USUBJID": f"{S}-{subject}"}


@pytest.fixture(scope="module")
def study() -> Study:
    return load_study(S)


@pytest.fixture(scope="module")
def datasets(study: Study) -> dict[str, Dataset]:
    dm = _dataset("DM", [
        {**_common("001"), "DOMAIN": "DM", "SUBJID": "001", "SITEID": "01", "AGE": 52.0,
         "SEX": "F", "ARMCD": "HISC", "ARM": "hiSC injection", "ACTARMCD": "HISC",
         "ACTARM": "hiSC injection", "RFSTDTC": "2026-03-02"},
        {**_common("002"), "DOMAIN": "DM", "SUBJID": "002", "SITEID": "01", "AGE": 60.0,
         "SEX": "M", "ARMCD": "", "ARM": "", "ACTARMCD": "", "ACTARM": "", "RFSTDTC": ""},
    ])  # fmt: skip
    ex = _dataset(
        "EX",
        [
            {
                **_common("001"),
                "EXSEQ": 1.0,
                "EXTRT": "HISC",
                "EXDOSE": 2.0,
                "EXSTDTC": "2026-03-02T10:15",
                "EXENDTC": "2026-03-02T10:15",
            }
        ],
    )
    ds = _dataset(
        "DS",
        [
            {
                **_common("001"),
                "DSCAT": "DISPOSITION EVENT",
                "DSDECOD": "COMPLETED",
                "DSSTDTC": "2026-08-17",
            }
        ],
    )
    ae = _dataset("AE", [
        {**_common("001"), "AESEQ": 1.0, "AEDECOD": "ARTHRALGIA", "AEBODSYS": "MSK",
         "AESTDTC": "2026-03-02", "AEENDTC": "2026-03-05", "AETOXGR": "1", "AEREL": "POSSIBLE"},
        {**_common("001"), "AESEQ": 2.0, "AEDECOD": "HEADACHE", "AEBODSYS": "NERV",
         "AESTDTC": "2026-02-20", "AEENDTC": "2026-02-21", "AETOXGR": "1", "AEREL": "UNRELATED"},
        {**_common("001"), "AESEQ": 3.0, "AEDECOD": "ARTHRALGIA", "AEBODSYS": "MSK",
         "AESTDTC": "2026-03", "AEENDTC": "", "AETOXGR": "2", "AEREL": ""},
    ])  # fmt: skip

    def lb(seq: float, dtc: str, value: float, grade: str) -> dict[str, Value]:
        return {**_common("001"), "DOMAIN": "LB", "LBSEQ": seq, "LBTESTCD": "ALT",
                "LBTEST": "Alanine Aminotransferase", "LBSTRESN": value, "LBSTRESC": str(value),
                "LBSTRESU": "U/L", "LBDTC": dtc, "LBTOXGR": grade}  # fmt: skip

    lbs = _dataset("LB", [lb(1, "2026-02-20", 30.0, "0"), lb(2, "2026-03-02", 35.0, "0"),
                          lb(3, "2026-03-09", 100.0, "1"), lb(4, "2026-03-30", 150.0, "2"),
                          lb(5, "2026-08-17", 150.0, "2")])  # fmt: skip

    def qs(seq: float, dtc: str, value: float | None) -> dict[str, Value]:
        return {**_common("001"), "DOMAIN": "QS", "QSSEQ": seq, "QSTESTCD": "WOMPTOT",
                "QSCAT": "WOMAC LK 3.1 INDEX", "QSSTRESN": value,
                "QSSTRESC": "" if value is None else str(value), "QSDTC": dtc}  # fmt: skip

    qss = _dataset("QS", [qs(1, "2026-03-02", 12.0), qs(2, "2026-03-30", 9.0),
                          qs(3, "2026-04-01", 8.0), qs(4, "2026-08-17", 6.0)])  # fmt: skip
    sdtm = {"DM": dm, "EX": ex, "DS": ds, "AE": ae, "LB": lbs, "QS": qss}
    return {d.name: d for d in adam_datasets(study, sdtm)}


def test_adsl_populations_and_treatment_dates(datasets: dict[str, Dataset]) -> None:
    rows = {r["SUBJID"]: r for r in datasets["ADSL"].rows}
    treated = rows["001"]
    assert from_sas_date(treated["TRTSDT"]).isoformat() == "2026-03-02"  # type: ignore[arg-type]
    assert (treated["ITTFL"], treated["SAFFL"], treated["FASFL"], treated["EOSSTT"]) == (
        "Y",
        "Y",
        "Y",
        "COMPLETED",
    )
    assert treated["TRTDURD"] == 1
    assert (rows["002"]["ITTFL"], rows["002"]["SAFFL"], rows["002"]["FASFL"]) == ("N", "N", "N")


def test_adae_emergence_worst_grade_and_relationship(datasets: dict[str, Dataset]) -> None:
    rows = sorted(datasets["ADAE"].rows, key=lambda r: r["AESEQ"])  # type: ignore[arg-type,return-value]
    assert [r["TRTEMFL"] for r in rows] == ["Y", "N", "Y"]
    assert [r["ASTDY"] for r in rows] == [1, -10, 1]  # 2026-03 imputed to the first dose
    assert rows[2]["ASTDTF"] == "D"
    assert [r["AOCPIFL"] for r in rows] == ["", "", "Y"]  # grade 2 is the worst arthralgia
    assert [r["RELGR1"] for r in rows] == ["RELATED", "NOT RELATED", "RELATED"]


def test_adlb_baseline_and_shift(datasets: dict[str, Dataset]) -> None:
    rows = datasets["ADLB"].rows
    assert [r["ABLFL"] for r in rows if r["ABLFL"]] == ["Y"]
    baseline = next(r for r in rows if r["ABLFL"] == "Y")
    assert (baseline["AVAL"], baseline["ADY"], baseline["AVISIT"]) == (35.0, 1, "Baseline")
    shifted = [r for r in rows if r["ANL02FL"] == "Y"]
    assert [(r["ADY"], r["SHIFT1"]) for r in shifted] == [(29, "0 to 2")]
    week1 = next(r for r in rows if r["ADY"] == 8)
    assert (week1["AVISIT"], week1["AWLO"], week1["AWHI"], week1["CHG"]) == ("Week 1", 6, 10, 65.0)


def test_adeff_windows_from_the_schedule(datasets: dict[str, Dataset], study: Study) -> None:
    rows = [r for r in datasets["ADEFF"].rows if r["PARAMCD"] == "WOMPTOT"]
    assert study.schedule is not None
    w24 = study.schedule.visit("W24")
    last = rows[-1]
    assert (last["AVISIT"], last["AWTARGET"], last["AWLO"], last["AWHI"]) == (
        w24.name.en, w24.day, w24.first_day, w24.last_day)  # fmt: skip
    assert [(r["ADY"], r["CHG"], r["PCHG"], r["ANL01FL"]) for r in rows] == [
        (1, None, None, "Y"), (29, -3.0, -25.0, "Y"), (31, -4.0, -33.33, ""),
        (169, -6.0, -50.0, "Y")]  # fmt: skip
    assert {r["FASFL"] for r in rows} == {"Y"}
    assert {p for p in datasets["ADEFF"].column("PARAMCD")} == {"WOMPTOT"}


def test_every_dataset_fits_xpt_and_reads_back(
    datasets: dict[str, Dataset], tmp_path: Path
) -> None:
    for dataset in datasets.values():
        back = read_xpt(write_xpt(dataset, tmp_path / f"{dataset.name.lower()}.xpt"))
        assert back.names == dataset.names
        assert [v.label for v in back.variables] == [v.label for v in dataset.variables]
        assert len(back.rows) == len(dataset.rows)
