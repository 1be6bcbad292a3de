"""ADAE carries the relationship to the procedure (the injection) beside the relationship
to the product: AE's AERLPRT as it is and RLPRTGR1, grouped as RELGR1 groups AEREL; only
where AE collects it (the CDISC pilot's AE does not, and its ADAE gets neither)."""

from __future__ import annotations

from pathlib import Path

from trialdesk.reports.cdisc.adam.adae import adae
from trialdesk.reports.cdisc.dataset import (
    XPT_LABEL,
    XPT_NAME,
    Dataset,
    Value,
    Variable,
    read_xpt,
    write_xpt,
)

S = "NCT00000001"


def _dataset(name: str, rows: list[dict[str, Value]], numeric: frozenset[str]) -> Dataset:
    names = list(dict.fromkeys(k for r in rows for k in r))
    variables = tuple(Variable(n, n, "float" if n in numeric else "text") for n in names)
    return Dataset(name, name, variables, tuple(rows))


ADSL = _dataset(
    "ADSL",
    [
        {
            "STUDYID": S,
            "USUBJID": f"{S}-001",
            "SUBJID": "001",
            "SITEID": "01",
            "TRT01A": "hiSC",
            "SAFFL": "Y",
            "TRTSDT": 24167.0,
            "TRTEDT": 24167.0,
        }
    ],  # fmt: skip
    frozenset({"TRTSDT", "TRTEDT"}),
)


def _ae(procedure: list[str] | None) -> Dataset:
    rows: list[dict[str, Value]] = []
    for seq, product in enumerate(("PROBABLE", "UNLIKELY", "POSSIBLE"), start=1):
        row: dict[str, Value] = {
            "STUDYID": S, "DOMAIN": "AE", "USUBJID": f"{S}-001", "AESEQ": float(seq),
            "AETERM": "knee pain", "AEDECOD": "Arthralgia",
            "AEBODSYS": "Musculoskeletal and connective tissue disorders",
            "AESTDTC": f"2026-03-0{seq + 1}", "AEENDTC": "", "AETOXGR": "1", "AESER": "N",
            "AESEV": "MILD", "AEREL": product, "AEACN": "NOT APPLICABLE", "AEOUT": "RECOVERING",
        }  # fmt: skip
        if procedure is not None:
            row["AERLPRT"] = procedure[seq - 1]
        rows.append(row)
    return _dataset("AE", rows, frozenset({"AESEQ"}))


def test_the_procedure_relationship_is_carried_and_grouped() -> None:
    data = adae(_ae(["PROBABLE", "NOT RELATED", ""]), ADSL)
    names = data.names
    assert names.index("RELGR1") < names.index("AERLPRT") < names.index("RLPRTGR1")
    rows = sorted(data.records(), key=lambda r: float(r["AESEQ"] or 0))
    assert [(r["AEREL"], r["RELGR1"]) for r in rows] == [
        ("PROBABLE", "RELATED"), ("UNLIKELY", "NOT RELATED"), ("POSSIBLE", "RELATED"),
    ]  # fmt: skip
    # an event nobody assessed for the procedure counts as related, as for the product
    assert [(r["AERLPRT"], r["RLPRTGR1"]) for r in rows] == [
        ("PROBABLE", "RELATED"), ("NOT RELATED", "NOT RELATED"), ("", "RELATED"),
    ]  # fmt: skip
    assert data.variable("RLPRTGR1").label == "Pooled Procedure Causality Group 1"
    assert data.variable("RLPRTGR1").origin == "Derived"
    assert data.variable("AERLPRT").origin == "Predecessor"


def test_an_ae_without_the_procedure_relationship_gives_no_such_column() -> None:
    data = adae(_ae(None), ADSL)
    assert "AERLPRT" not in data.names and "RLPRTGR1" not in data.names
    assert "RELGR1" in data.names


def test_the_new_variables_fit_sas_transport(tmp_path: Path) -> None:
    data = adae(_ae(["POSSIBLE", "UNLIKELY", "DEFINITE"]), ADSL)
    for name in ("AERLPRT", "RLPRTGR1"):
        assert len(name) <= XPT_NAME and len(data.variable(name).label) <= XPT_LABEL
    back = read_xpt(write_xpt(data, tmp_path / "adae.xpt"))
    assert [r["RLPRTGR1"] for r in back.rows] == ["RELATED", "NOT RELATED", "RELATED"]
