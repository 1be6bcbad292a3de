"""CM from the concomitant-medications log, its SUPPCM, and SUPP-- datasets in general."""

from __future__ import annotations

import pytest

from trialdesk.errors import FieldErrors
from trialdesk.reports.cdisc.dataset import Dataset, Variable
from trialdesk.reports.cdisc.sdtm.cm import cm_domain
from trialdesk.reports.cdisc.sdtm.supp import Qualifier, supp_datasets

from .books import STUDY, book, form

MTX = {"medication": "methotrexate", "category": "methotrexate", "indication": "RA",
       "dose": "15", "dose_unit": "mg", "frequency": "QW", "route": "ORAL",
       "start_date": "2025-06-01", "end_date": "2026-04-20"}  # fmt: skip
MTX_UP = {**MTX, "dose": "20", "start_date": "2026-04-21", "end_date": None, "ongoing": True,
          "dose_change": "increased", "change_reason": "flare"}  # fmt: skip


def test_cm_rows_by_hand() -> None:
    books = [book({"/concomitant_medications#2": form(MTX_UP),
                   "/concomitant_medications#1": form(MTX)})]  # fmt: skip
    cm = cm_domain(STUDY, books)
    rows = cm.records()
    assert [(r["CMSEQ"], r["CMSPID"], r["CMSTDTC"]) for r in rows] == [
        (1, "1", "2025-06-01"),
        (2, "2", "2026-04-21"),
    ]  # in order of start
    first, second = rows
    assert (first["CMTRT"], first["CMCAT"], first["CMINDC"], first["CMDOSE"], first["CMDOSU"],
            first["CMDOSFRQ"], first["CMROUTE"]) == (
        "methotrexate", "METHOTREXATE", "RA", 15.0, "mg", "QW", "ORAL")  # fmt: skip
    # day 1 is 2026-03-10: 2025-06-01 is 282 days before (day -282); 2026-04-20 is day 42
    assert (first["CMSTDY"], first["CMENDY"], first["CMENRF"]) == (-282, 42, "")
    assert (second["CMSTDY"], second["CMENDTC"], second["CMENRF"]) == (43, "", "AFTER")
    assert cm.keys == ("STUDYID", "USUBJID", "CMTRT", "CMSTDTC")

    supp = supp_datasets([cm])
    assert [d.name for d in supp] == ["SUPPCM"]
    qualifiers = [(r["IDVAR"], r["IDVARVAL"], r["QNAM"], r["QVAL"], r["QORIG"])
                  for r in supp[0].records()]  # fmt: skip
    assert qualifiers == [
        ("CMSEQ", "2", "CMDOSCHG", "INCREASED", "CRF"),
        ("CMSEQ", "2", "CMCHGRS", "flare", "CRF"),
    ]  # fmt: skip
    assert all(len(str(r["QLABEL"])) <= 40 for r in supp[0].records())
    assert supp[0].names == ["STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM",
                             "QLABEL", "QVAL", "QORIG", "QEVAL"]  # fmt: skip


def test_cm_without_medications_is_empty_but_shaped() -> None:
    cm = cm_domain(STUDY, [book({})])
    assert cm.rows == () and "CMTRT" in cm.names and cm.extra["supplemental"] == ()


def _parent() -> Dataset:
    return Dataset(
        name="AE", label="Adverse Events",
        variables=(Variable("STUDYID", "Study Identifier"),
                   Variable("USUBJID", "Unique Subject Identifier"),
                   Variable("AESEQ", "Sequence Number", "integer")),
        rows=({"STUDYID": "S", "USUBJID": "S-1", "AESEQ": 1},),
    )  # fmt: skip


def test_supp_names_a_parent_record() -> None:
    ok = Qualifier("AE", "S-1", "AESEQ", "1", "AETRTEM", "Treatment Emergent Flag", "Y",
                   qorig="DERIVED")  # fmt: skip
    (suppae,) = supp_datasets([_parent()], [ok])
    assert suppae.records()[0] == {
        "STUDYID": "S", "RDOMAIN": "AE", "USUBJID": "S-1", "IDVAR": "AESEQ", "IDVARVAL": "1",
        "QNAM": "AETRTEM", "QLABEL": "Treatment Emergent Flag", "QVAL": "Y",
        "QORIG": "DERIVED", "QEVAL": "",
    }  # fmt: skip
    assert supp_datasets([_parent()], []) == []


def test_supp_problems_are_reported_all_at_once() -> None:
    bad = [
        Qualifier("AE", "S-1", "AESEQ", "9", "AETRTEM", "Treatment Emergent Flag", "Y"),
        Qualifier("AE", "S-1", "AESEQ", "1", "TOOLONGNAME", "x" * 41, "Y"),
        Qualifier("AE", "S-1", "AESEQ", "1", "TOOLONGNAME", "Label", "N"),
        Qualifier("XX", "S-1", "XXSEQ", "1", "XQ", "Label", "N"),
    ]
    with pytest.raises(FieldErrors) as caught:
        supp_datasets([_parent()], bad)
    fields = [str(e.field) for e in caught.value.errors]
    assert any(f.endswith("AESEQ=9 AETRTEM].IDVARVAL") for f in fields)  # no such record
    assert sum(f.endswith(".QNAM") for f in fields) == 3  # 2 too long + 1 given twice
    assert any(f.endswith(".QLABEL") for f in fields)
    assert "SUPPXX.RDOMAIN" in fields
