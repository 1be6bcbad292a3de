"""The dataset shape and its files: XPT v5 and Dataset-JSON round trips, the v5 limits
named, and the CDISC pilot's own files read back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from trialdesk.errors import FieldErrors
from trialdesk.reports.cdisc.dataset import (
    Dataset,
    Variable,
    read_dataset_json,
    read_xpt,
    with_sequence,
    write_dataset_json,
    write_xpt,
    xpt_problems,
)

PILOT = Path(__file__).resolve().parents[4] / "shared/data/cdisc-pilot01/sdtm_cdiscpilot01"

AE = Dataset(
    name="AE",
    label="Adverse Events",
    variables=(
        Variable("STUDYID", "Study Identifier", role="Identifier"),
        Variable("USUBJID", "Unique Subject Identifier", role="Identifier"),
        Variable("AESEQ", "Sequence Number", "integer", role="Identifier"),
        Variable("AETERM", "Reported Term for the Adverse Event", role="Topic"),
        Variable("AESTDY", "Study Day of Start of Adverse Event", "integer", role="Timing"),
    ),
    rows=(
        {"STUDYID": "S1", "USUBJID": "S1-001", "AESEQ": 1, "AETERM": "膝关节肿胀 knee swelling"},
        {"STUDYID": "S1", "USUBJID": "S1-001", "AESEQ": 2, "AETERM": "HEADACHE", "AESTDY": -3},
    ),
    keys=("STUDYID", "USUBJID", "AESEQ"),
)


def test_xpt_round_trip_keeps_names_labels_and_values(tmp_path: Path) -> None:
    ae = AE.with_rows([{**AE.rows[0], "AETERM": "knee swelling"}, AE.rows[1]])  # XPT: ASCII
    back = read_xpt(write_xpt(ae, tmp_path / "ae.xpt"))
    assert back.name == "AE" and back.label == "Adverse Events"
    assert [(v.name, v.label, v.kind) for v in back.variables] == [
        (v.name, v.label, v.kind) for v in ae.variables
    ]
    assert back.records() == [
        {**r, "AESEQ": float(r["AESEQ"]), "AESTDY": None if r["AESTDY"] is None else -3.0}
        for r in ae.records()
    ]


def test_dataset_json_round_trip(tmp_path: Path) -> None:
    path = write_dataset_json(
        AE, tmp_path / "ae.json", study_oid="S1", created=datetime(2026, 12, 7, tzinfo=UTC)
    )
    back = read_dataset_json(path)
    assert back.records() == AE.records()
    assert back.keys == AE.keys
    assert [v.data_type for v in back.variables] == [v.data_type for v in AE.variables]


def test_what_xpt_v5_cannot_hold_is_named_not_truncated(tmp_path: Path) -> None:
    long = Dataset(
        name="SUPPLEMENTAL",
        label="x" * 41,
        variables=(Variable("COMMENTARY", "c"), Variable("AETERM", "t")),
        rows=({"COMMENTARY": "a", "AETERM": "y" * 201},),
    )
    problems = xpt_problems(long)
    assert set(problems) == {
        "SUPPLEMENTAL",
        "SUPPLEMENTAL.label",
        "SUPPLEMENTAL.COMMENTARY",
        "SUPPLEMENTAL.AETERM[1]",
    }
    with pytest.raises(FieldErrors) as caught:
        write_xpt(long, tmp_path / "supp.xpt")
    assert len(caught.value.errors) == 4
    assert not (tmp_path / "supp.xpt").exists()


def test_sequence_numbers_restart_per_subject() -> None:
    rows = [{"USUBJID": "A"}, {"USUBJID": "B"}, {"USUBJID": "A"}]
    assert [r["AESEQ"] for r in with_sequence(rows, "AESEQ")] == [1, 1, 2]


def test_rows_with_an_undeclared_variable_are_refused() -> None:
    with pytest.raises(ValueError, match="undeclared"):
        Dataset("AE", "x", (Variable("A", "a"),), rows=({"B": "1"},))


@pytest.mark.skipif(not PILOT.exists(), reason="the CDISC pilot is not in ../shared/data")
def test_reads_the_pilot_including_its_cp1252_file() -> None:
    ae = read_xpt(PILOT / "ae.xpt")
    assert (ae.name, len(ae.rows), len(ae.variables)) == ("AE", 1191, 35)
    ts = read_xpt(PILOT / "ts.xpt")
    assert len(ts.rows) == 33


def test_adam_dates_carry_their_sas_display_format(tmp_path: Path) -> None:
    import pyreadstat

    adsl = Dataset(
        name="ADSL",
        label="Subject-Level Analysis Dataset",
        variables=(Variable("USUBJID", "Unique Subject Identifier"),
                   Variable("TRTSDT", "Date of First Exposure to Treatment", "integer")),
        rows=({"USUBJID": "S1-001", "TRTSDT": 23000},),
        extra={"display_formats": {"TRTSDT": "DATE9."}},
    )  # fmt: skip
    path = write_xpt(adsl, tmp_path / "adsl.xpt")
    _, meta = pyreadstat.read_xport(str(path), metadataonly=True)
    assert meta.original_variable_types["TRTSDT"].startswith("DATE9")
    assert read_xpt(path).records()[0]["TRTSDT"] == 23000.0  # the number, not a date object
