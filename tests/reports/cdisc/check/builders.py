"""A tiny clean SDTM submission (DM, SV, AE, LB, VS) as rows, and its Datasets."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from trialdesk.reports.cdisc.check.define_meta import DefineDataset, DefineMeta, DefineVariable
from trialdesk.reports.cdisc.check.submission import Submission
from trialdesk.reports.cdisc.dataset import Dataset, Variable

Rows = dict[str, list[dict[str, Any]]]

NUMERIC = {"AGE", "DMDY", "VISITNUM", "AESEQ", "AESTDY", "AEENDY", "LBSEQ", "LBSTRESN",
           "LBDY", "VSSEQ", "VSSTRESN", "VSDY", "DSSEQ", "EXSEQ", "EXDOSE", "EXSTDY", "EXENDY",
           "TAETORD", "TSSEQ"}  # fmt: skip


def _subject(n: str) -> dict[str, Any]:
    return {
        "STUDYID": "S1", "DOMAIN": "DM", "USUBJID": f"S1-{n}", "SUBJID": n, "SITEID": "01",
        "RFSTDTC": "2024-01-10", "RFENDTC": "2024-06-30", "AGE": 50, "SEX": "F",
        "ARMCD": "A", "ARM": "Arm A", "ACTARMCD": "A", "ACTARM": "Arm A", "COUNTRY": "CHN",
        "DMDTC": "2024-01-01", "DMDY": -9, "DTHFL": "", "DTHDTC": "",
    }  # fmt: skip


def _visit(n: str, num: int, name: str, on: str) -> dict[str, Any]:
    return {"STUDYID": "S1", "DOMAIN": "SV", "USUBJID": f"S1-{n}", "VISITNUM": num,
            "VISIT": name, "SVSTDTC": on}  # fmt: skip


def _lab(n: str, seq: int, code: str = "ALT", test: str = "Alanine Aminotransferase") -> dict:
    return {
        "STUDYID": "S1", "DOMAIN": "LB", "USUBJID": f"S1-{n}", "LBSEQ": seq,
        "LBTESTCD": code, "LBTEST": test, "LBORRES": "30", "LBORRESU": "U/L",
        "LBSTRESC": "30", "LBSTRESN": 30, "LBSTRESU": "U/L", "LBSTAT": "", "LBREASND": "",
        "LBBLFL": "Y", "VISITNUM": 2, "VISIT": "DAY 1", "LBDTC": "2024-01-10", "LBDY": 1,
    }  # fmt: skip


def clean_rows() -> Rows:
    """Two subjects, each with two visits, a baseline lab and vital sign, an injection and a
    disposition; one AE; the trial design's TA, TE and TS."""
    subjects = ("001", "002")
    ident = {"STUDYID": "S1"}
    return {
        "TA": [
            {
                **ident,
                "DOMAIN": "TA",
                "ARMCD": "A",
                "ARM": "Arm A",
                "TAETORD": 1,
                "ETCD": "TRT",
                "ELEMENT": "Treatment",
                "EPOCH": "TREATMENT",
            }
        ],
        "TE": [
            {**ident, "DOMAIN": "TE", "ETCD": e, "ELEMENT": name, "TESTRL": start}
            for e, name, start in (("TRT", "Treatment", "Injection"), ("FU", "Follow-up", "Day 2"))
        ],
        "TS": [
            {**ident, "DOMAIN": "TS", "TSSEQ": 1, "TSPARMCD": code, "TSPARM": name, "TSVAL": value}
            for code, name, value in (
                ("AGEMIN", "Planned Minimum Age of Subjects", "P18Y"),
                ("AGEMAX", "Planned Maximum Age of Subjects", "P75Y"),
            )
        ],
        "DS": [
            {
                **ident,
                "DOMAIN": "DS",
                "USUBJID": f"S1-{n}",
                "DSSEQ": 1,
                "DSTERM": "COMPLETED",
                "DSDECOD": "COMPLETED",
                "DSCAT": "DISPOSITION EVENT",
                "DSSTDTC": "2024-06-30",
            }
            for n in subjects
        ],
        "EX": [
            {
                **ident,
                "DOMAIN": "EX",
                "USUBJID": f"S1-{n}",
                "EXSEQ": 1,
                "EXTRT": "CELLS",
                "EXDOSE": 10,
                "EXDOSU": "10^6 Therapeutic Cells",
                "EXSTDTC": "2024-01-10",
                "EXENDTC": "2024-01-10",
                "EXSTDY": 1,
                "EXENDY": 1,
            }
            for n in subjects
        ],
        "DM": [_subject(n) for n in subjects],  # fmt: skip
        "SV": [
            _visit(n, num, name, on)
            for n in subjects
            for num, name, on in ((1, "SCREENING", "2024-01-01"), (2, "DAY 1", "2024-01-10"))
        ],
        "AE": [
            {
                "STUDYID": "S1",
                "DOMAIN": "AE",
                "USUBJID": "S1-001",
                "AESEQ": 1,
                "AETERM": "Headache",
                "AEDECOD": "Headache",
                "AESER": "N",
                "AESDTH": "N",
                "AESHOSP": "N",
                "AESLIFE": "N",
                "AEOUT": "RECOVERED/RESOLVED",
                "AESTDTC": "2024-01-12",
                "AEENDTC": "2024-01-13",
                "AESTDY": 3,
                "AEENDY": 4,
            }  # fmt: skip
        ],
        "LB": [_lab(n, 1) for n in subjects],
        "VS": [
            {
                "STUDYID": "S1",
                "DOMAIN": "VS",
                "USUBJID": f"S1-{n}",
                "VSSEQ": 1,
                "VSTESTCD": "SYSBP",
                "VSTEST": "Systolic Blood Pressure",
                "VSORRES": "120",
                "VSORRESU": "mmHg",
                "VSSTRESC": "120",
                "VSSTRESN": 120,
                "VSSTRESU": "mmHg",
                "VSBLFL": "Y",
                "VISITNUM": 2,
                "VISIT": "DAY 1",
                "VSDTC": "2024-01-10",
                "VSDY": 1,
            }  # fmt: skip
            for n in subjects
        ],
    }


def lab(n: str, seq: int, code: str = "AST", test: str = "Aspartate Aminotransferase") -> dict:
    return _lab(n, seq, code, test)


def dataset(name: str, rows: list[dict[str, Any]], lengths: Mapping[str, int] = {}) -> Dataset:
    names = list(dict.fromkeys(k for row in rows for k in row))
    variables = tuple(
        Variable(
            name=n,
            label=n.title(),
            data_type="float" if n in NUMERIC else "text",
            length=lengths.get(n),
        )
        for n in names
    )
    return Dataset(name=name, label=name, variables=variables, rows=tuple(rows))


def datasets(rows: Rows) -> tuple[Dataset, ...]:
    return tuple(dataset(name, r) for name, r in rows.items())


def define_for(data: tuple[Dataset, ...]) -> DefineMeta:
    """define.xml metadata that describes the datasets exactly."""
    return DefineMeta(
        path=Path("define.xml"),
        version="2.1",
        datasets={
            ds.name: DefineDataset(
                name=ds.name,
                domain=ds.name,
                dataset_class="",
                variables={
                    v.name: DefineVariable(v.name, v.label, v.data_type, None, False, None, i)
                    for i, v in enumerate(ds.variables, start=1)
                },
            )
            for ds in data
        },
        codelists={},
    )


def submission(rows: Rows, *, define: bool = True) -> Submission:
    data = datasets(rows)
    return Submission(datasets=data, define=define_for(data) if define else None)
