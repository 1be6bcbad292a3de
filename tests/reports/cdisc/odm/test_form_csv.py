"""One CSV per form: a row per stored form, item ids as the header, UTF-8 with a BOM,
formula-like text neutralised by the project's one CSV-injection guard, and the data
dictionary naming every item in both languages."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

from trialdesk.reports.cdisc.odm.form_csv import DICTIONARY, KEY_COLUMNS, write_form_csvs

from .conftest import STUDY
from .test_clinical_data import _with_log_and_unscheduled


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_a_row_per_stored_form_and_formulas_neutralised(
    simulated_books: list[dict[str, Any]], tmp_path: Path
) -> None:
    books = _with_log_and_unscheduled(simulated_books)
    written = write_form_csvs(STUDY, books, tmp_path)
    assert [p.name for p in written] == [f"{f}.csv" for f in STUDY.forms] + [DICTIONARY]
    stored = Counter(key.split("/", 1)[1].rsplit("#", 1)[0] for b in books for key in b["forms"])
    for form in STUDY.forms.values():
        path = tmp_path / f"{form.id}.csv"
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel looks for
        header, *rows = _read(path)
        assert header == [*KEY_COLUMNS, *(i.id for i in form.items)]
        assert len(rows) == stored[form.id], form.id
    header, *meds = _read(tmp_path / "concomitant_medications.csv")
    medication = header.index("medication")
    assert [(m[1], m[3], m[medication]) for m in meds] == [
        ("", "1", "methotrexate"), ("", "2", "'=HYPERLINK(\"http://x\")"),
    ]  # fmt: skip
    assert meds[0][header.index("ongoing")] == "true"
    header, *vitals = _read(tmp_path / "vital_signs.csv")
    uns = [r for r in vitals if r[1] == "UNS"]
    assert [(r[2], r[header.index("sysbp")], r[header.index("weight")]) for r in uns] == [
        ("2", "121", "")
    ]


def test_a_negative_number_stays_a_number(
    simulated_books: list[dict[str, Any]], tmp_path: Path
) -> None:
    books = _with_log_and_unscheduled(simulated_books)
    books[0]["forms"]["/concomitant_medications#1"]["values"]["dose"] = "-1.5"
    write_form_csvs(STUDY, books, tmp_path)
    header, first, _ = _read(tmp_path / "concomitant_medications.csv")
    assert first[header.index("dose")] == "-1.5"


def test_rows_follow_the_schedule(simulated_books: list[dict[str, Any]], tmp_path: Path) -> None:
    write_form_csvs(STUDY, simulated_books, tmp_path)
    _, *rows = _read(tmp_path / "vital_signs.csv")
    assert STUDY.schedule is not None
    order = [v.id for v in STUDY.schedule.visits]
    first = [r[1] for r in rows if r[0] == rows[0][0]]
    assert first == sorted(first, key=order.index) and first[:2] == ["SCR", "D1"]


def test_the_dictionary_names_every_item_in_both_languages(tmp_path: Path) -> None:
    write_form_csvs(STUDY, [], tmp_path)
    header, *rows = _read(tmp_path / DICTIONARY)
    assert len(rows) == sum(len(f.items) for f in STUDY.forms.values())
    by_item = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in rows}
    sysbp = by_item[("vital_signs", "sysbp")]
    assert (sysbp["label_zh"], sysbp["unit"], sysbp["range_min"], sysbp["sdtm"]) == (
        "收缩压", "mm[Hg]", "50", "VS.SYSBP",
    )  # fmt: skip
    assert by_item[("disease_activity", "das28_esr")]["derived_by"] == "das28_esr"
    assert "0=" in by_item[("womac", "pain_1")]["choices"]
    assert all(r[3] for r in rows), "an item without its Chinese label"
