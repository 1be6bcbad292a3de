"""Hand-computed BDS and OCCDS derivations: baseline, change, percent change, the analysis
record per window, worst grade and shift."""

from __future__ import annotations

from trialdesk.reports.cdisc.adam.bds import (
    AnalysisWindow,
    derive_ablfl,
    derive_anl01fl,
    derive_base,
    derive_chg,
    derive_pchg,
    derive_shift,
    in_window,
)
from trialdesk.reports.cdisc.adam.occds import flag_worst, relationship_group, treatment_emergent
from trialdesk.reports.cdisc.dataset import Value

W4 = AnalysisWindow("Week 4", 6.0, 29, 26, 32)
W24 = AnalysisWindow("Week 24", 9.0, 169, 162, 176)
TRTSDT = 24167  # 2026-03-02, study day 1


def _row(day: int, aval: float | None, **more: Value) -> dict[str, Value]:
    adt = TRTSDT + day - 1 if day > 0 else TRTSDT + day
    row: dict[str, Value] = {
        "USUBJID": "S-1",
        "PARAMCD": "WOMPTOT",
        "ADT": adt,
        "ADY": day,
        "TRTSDT": TRTSDT,
        "AVAL": aval,
    }
    return {**row, **more}


def _derived(rows: list[dict[str, Value]]) -> list[dict[str, Value]]:
    windowed = [in_window(r, [W4, W24]) for r in rows]
    return derive_anl01fl(derive_pchg(derive_chg(derive_base(derive_ablfl(windowed)))))


def test_baseline_change_and_percent_change_by_hand() -> None:
    # screening 14 (day -10), day 1 12 (the baseline: the last on or before the dose),
    # week 4 on days 29 and 31, week 24 on day 169
    rows = _derived([_row(-10, 14.0), _row(1, 12.0), _row(29, 9.0), _row(31, 8.0), _row(169, 6.0)])
    assert [r["ABLFL"] for r in rows] == ["", "Y", "", "", ""]
    assert [r["BASE"] for r in rows] == [12.0] * 5
    assert [r["CHG"] for r in rows] == [None, None, -3.0, -4.0, -6.0]
    # -100/3 to two decimals more than the whole-number inputs (bds.derive_pchg)
    assert [r["PCHG"] for r in rows] == [None, None, -25.0, -33.33, -50.0]
    assert [r["AVISIT"] for r in rows] == ["", "Baseline", "Week 4", "Week 4", "Week 24"]
    assert [r.get("AWTDIFF") for r in rows][2:] == [0, 2, 0]
    assert [r["ANL01FL"] for r in rows] == ["", "Y", "Y", "", "Y"]


def test_a_missing_day1_value_leaves_the_screening_value_as_baseline() -> None:
    rows = _derived([_row(-10, 14.0), _row(1, None), _row(29, 7.0)])
    assert [r["ABLFL"] for r in rows] == ["Y", "", ""]
    assert rows[2]["CHG"] == -7.0 and rows[2]["PCHG"] == -50.0


def test_no_baseline_means_no_change() -> None:
    rows = _derived([_row(29, 7.0)])
    assert rows[0]["BASE"] is None and rows[0]["CHG"] is None and rows[0]["PCHG"] is None


def test_a_zero_baseline_has_a_change_but_no_percent_change() -> None:
    rows = _derived([_row(1, 0.0), _row(29, 2.0)])
    assert rows[1]["CHG"] == 2.0 and rows[1]["PCHG"] is None


def test_out_of_window_value_is_not_analysed() -> None:
    rows = _derived([_row(1, 12.0), _row(40, 9.0)])  # day 40: between week 4 and week 24
    assert rows[1]["AVISIT"] == "" and rows[1]["ANL01FL"] == "" and rows[1]["CHG"] == -3.0


def test_an_equally_near_pair_flags_the_later() -> None:
    rows = _derived([_row(1, 12.0), _row(27, 9.0), _row(31, 8.0)])
    assert [r.get("AWTDIFF") for r in rows][1:] == [2, 2]
    assert [r["ANL01FL"] for r in rows] == ["Y", "", "Y"]


def test_worst_grade_per_subject_and_term() -> None:
    events: list[dict[str, Value]] = [
        {
            "USUBJID": "S-1",
            "AEDECOD": "ARTHRALGIA",
            "AESEQ": 1,
            "ASTDT": 10,
            "ATOXGR": "1",
            "TRTEMFL": "Y",
        },
        {
            "USUBJID": "S-1",
            "AEDECOD": "ARTHRALGIA",
            "AESEQ": 2,
            "ASTDT": 12,
            "ATOXGR": "2",
            "TRTEMFL": "Y",
        },
        {
            "USUBJID": "S-1",
            "AEDECOD": "PYREXIA",
            "AESEQ": 3,
            "ASTDT": 11,
            "ATOXGR": "3",
            "TRTEMFL": "Y",
        },
        {
            "USUBJID": "S-1",
            "AEDECOD": "PYREXIA",
            "AESEQ": 4,
            "ASTDT": 5,
            "ATOXGR": "4",
            "TRTEMFL": "N",
        },
        {
            "USUBJID": "S-2",
            "AEDECOD": "ARTHRALGIA",
            "AESEQ": 1,
            "ASTDT": 10,
            "ATOXGR": "",
            "TRTEMFL": "Y",
        },
    ]
    by_term = flag_worst(events, "AOCPIFL", by=["USUBJID", "AEDECOD"])
    overall = flag_worst(events, "AOCCIFL", by=["USUBJID"])
    # grade 4 pyrexia began before the dose: not emergent, not counted
    assert [r["AOCPIFL"] for r in by_term] == ["", "Y", "Y", "", "Y"]
    assert [r["AOCCIFL"] for r in overall] == ["", "", "Y", "", "Y"]


def test_shift_from_baseline_grade_to_worst_post_baseline() -> None:
    rows: list[dict[str, Value]] = [
        {"USUBJID": "S-1", "PARAMCD": "ALT", "ADY": -10, "ADT": 1, "ABLFL": "", "ATOXGR": "1"},
        {"USUBJID": "S-1", "PARAMCD": "ALT", "ADY": 1, "ADT": 10, "ABLFL": "Y", "ATOXGR": "0"},
        {"USUBJID": "S-1", "PARAMCD": "ALT", "ADY": 8, "ADT": 17, "ABLFL": "", "ATOXGR": "1"},
        {"USUBJID": "S-1", "PARAMCD": "ALT", "ADY": 29, "ADT": 38, "ABLFL": "", "ATOXGR": "2"},
        {"USUBJID": "S-1", "PARAMCD": "ALT", "ADY": 169, "ADT": 178, "ABLFL": "", "ATOXGR": "2"},
        {"USUBJID": "S-2", "PARAMCD": "ALT", "ADY": 8, "ADT": 17, "ABLFL": "", "ATOXGR": "0"},
    ]
    shifted = derive_shift(derive_base(rows, source="ATOXGR", target="BTOXGR"))
    assert [r["ANL02FL"] for r in shifted] == ["", "", "", "Y", "", "Y"]
    assert [r["SHIFT1"] for r in shifted] == ["", "", "", "0 to 2", "", "MISSING to 0"]


def test_treatment_emergent_cases() -> None:
    assert treatment_emergent(TRTSDT, TRTSDT) is True  # on day 1: counts (dates, not times)
    assert treatment_emergent(TRTSDT - 1, TRTSDT) is False
    assert treatment_emergent(None, TRTSDT, missing_start_emergent=False) is False  # the pilot
    assert treatment_emergent(TRTSDT - 5, TRTSDT, end=None, initial_grade=1, grade=1) is False
    assert relationship_group("DEFINITE") == "RELATED"
