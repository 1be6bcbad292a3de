"""What the export's speed-ups must not change (issue 16's benchmark work): a column read
once is shared but never handed out to be changed, records and columns fill nulls as
``_cell`` says, each distinct reading is graded once with the grade grade_lab gives, and
the epochs worked out once per schedule are that schedule's."""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal

from trialdesk.clinical.ctcae import grade_lab
from trialdesk.reports.cdisc.dataset import Dataset, Value, Variable, _cell
from trialdesk.reports.cdisc.define.build import _length
from trialdesk.reports.cdisc.sdtm.timing import epoch_on, epochs
from trialdesk.study.loader import load_study

ROWS: tuple[dict[str, Value], ...] = (
    {"USUBJID": "S-1", "LBTEST": "Hemoglobin", "LBSTRESN": 1.5, "LBSEQ": 1},
    {"USUBJID": "S-1", "LBTEST": None, "LBSTRESN": math.nan, "LBSEQ": 2},
    {"USUBJID": "S-1", "LBTEST": 7, "LBSTRESN": "", "LBSEQ": 3},  # a number in a text column
    {"USUBJID": "S-2", "LBSTRESN": 120.25, "LBSEQ": 100},
)
LB = Dataset(
    name="LB",
    label="Laboratory Test Results",
    variables=(
        Variable("USUBJID", "Unique Subject Identifier"),
        Variable("LBTEST", "Lab Test or Examination Name"),
        Variable("LBSTRESN", "Numeric Result/Finding in Standard Units", "float"),
        Variable("LBSEQ", "Sequence Number", "integer"),
    ),
    rows=ROWS,
)


def test_columns_and_records_fill_nulls_as_cell_does() -> None:
    dataset = replace(LB)
    for v in dataset.variables:
        expected = [_cell(row.get(v.name), v.kind) for row in ROWS]
        assert list(map(repr, dataset.column(v.name))) == list(map(repr, expected))
    assert dataset.column("LBTEST") == ["Hemoglobin", "", "7", ""]
    assert dataset.column("LBSTRESN") == [1.5, None, None, 120.25]
    assert dataset.records()[1] == {
        "USUBJID": "S-1", "LBTEST": "", "LBSTRESN": None, "LBSEQ": 2
    }  # fmt: skip


def test_a_column_handed_out_is_a_copy() -> None:
    dataset = replace(LB)
    dataset.column("LBTEST").append("changed")
    dataset.column("USUBJID")[0] = "changed"
    assert dataset.column("LBTEST") == ["Hemoglobin", "", "7", ""]
    assert [r["USUBJID"] for r in dataset.records()] == ["S-1", "S-1", "S-1", "S-2"]


def test_define_lengths_from_the_shared_columns() -> None:
    dataset = replace(LB)
    by_name = {v.name: v for v in dataset.variables}
    assert _length(dataset, by_name["LBTEST"]) == (10, None)  # "Hemoglobin"
    assert _length(dataset, by_name["LBSTRESN"]) == (5, 2)  # 120.25 and 1.5
    assert _length(dataset, by_name["LBSEQ"]) == (3, None)
    wide = replace(LB, rows=({"USUBJID": "S-1", "LBTEST": "血红蛋白"},))  # 3 bytes a character
    assert _length(wide, by_name["LBTEST"]) == (12, None)


def test_a_repeated_reading_gets_the_grade_grade_lab_gives() -> None:
    from trialdesk.reports.cdisc.sdtm.findings_items import LabGrades, ResultItem
    from trialdesk.study.forms import Item, ItemType
    from trialdesk.study.texts import Text

    alt = Item("alt", Text(en="ALT"), ItemType.DECIMAL, unit="U/L")
    uln = Item("alt_uln", Text(en="ULN"), ItemType.DECIMAL, unit="U/L")
    r = ResultItem(0, alt, "ALT", None, {}, True, (), None, uln)
    grades = LabGrades()
    for value, grade in (("130", 2), ("130.0", 2), ("35", 0), ("130", 2), ("1000", 4)):
        row: dict[str, Value] = {}
        grades.grade(row, r, {"values": {"alt": value, "alt_uln": "40"}}, baseline=None)
        graded = grade_lab("ALT", Decimal(value), "U/L", uln=Decimal("40"))
        assert graded is not None and graded.grade == grade  # > 3.0 - 5.0 x ULN: 2 ...
        assert (row["LBTOX"], row["LBTOXGR"]) == (graded.term, str(grade))


def test_epochs_are_each_schedules_own() -> None:
    schedule = load_study("NCT06947746").schedule
    assert schedule is not None
    first = epochs(schedule)
    first.clear()  # a caller's list: the next one is whole again
    again = epochs(schedule)
    assert again and [e.name for e in again] == [e.name for e in epochs(schedule)]
    shifted = replace(
        schedule, visits=tuple(v for v in schedule.visits if v.epoch != again[0].name)
    )
    assert [e.name for e in epochs(shifted)] == [e.name for e in again[1:]]
    assert epoch_on(shifted, None, None) == again[1].name
