"""SDTM findings records (LB, QS, RS, MK, VS, ...) as BDS rows: one analysis parameter per
test, the analysis value and date, and the BDS derivations in their order (bds.py).

A parameter names the SDTM test it reads (``--TESTCD``, and ``--CAT`` where the test code
alone is ambiguous); PARAMCD is at most 8 characters (ADaMIG v1.3 §3.3.4, XPT v5).
Records not done (``--STAT`` NOT DONE) and records without a standard result carry no
analysis value and are left out (ADaMIG v1.3 §3.3.4: AVAL is the analysed value).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from trialdesk.reports.cdisc.adam.bds import (
    AnalysisWindow,
    derive_ablfl,
    derive_anl01fl,
    derive_base,
    derive_chg,
    derive_pchg,
    impute_locf,
    put_in_window,
)
from trialdesk.reports.cdisc.adam.dates import analysis_day, to_sas_date
from trialdesk.reports.cdisc.dataset import Value

__all__ = ["Parameter", "bds_rows", "finding_row", "parameters_of", "row_order"]

Row = dict[str, Value]


@dataclass(frozen=True)
class Parameter:
    """An analysis parameter and the SDTM records it reads."""

    paramcd: str
    param: str
    paramn: int
    testcd: str
    cat: str | None = None  # --CAT, when the test code alone does not say which records

    def __post_init__(self) -> None:
        if not 1 <= len(self.paramcd) <= 8:
            raise ValueError(f"PARAMCD {self.paramcd!r}: 1 to 8 characters (ADaMIG v1.3 §3.3.4)")

    def reads(self, row: Mapping[str, Value], prefix: str) -> bool:
        if row.get(f"{prefix}TESTCD") != self.testcd:
            return False
        return self.cat is None or row.get(f"{prefix}CAT") == self.cat


def parameters_of(rows: Sequence[Mapping[str, Value]], prefix: str) -> list[Parameter]:
    """One parameter per test found in the records, PARAMCD the test code and PARAM the
    test name with its standard unit ("Alanine Aminotransferase (U/L)"), numbered in
    test-code order.

    >>> rows = [{"LBTESTCD": "ALT", "LBTEST": "Alanine Aminotransferase", "LBSTRESU": "U/L"}]
    >>> parameters_of(rows, "LB")[0].param
    'Alanine Aminotransferase (U/L)'
    """
    found: dict[str, str] = {}
    for row in rows:
        code = str(row.get(f"{prefix}TESTCD") or "")
        if code and code not in found:
            unit = str(row.get(f"{prefix}STRESU") or "")
            name = str(row.get(f"{prefix}TEST") or code)
            found[code] = f"{name} ({unit})" if unit else name
    return [
        Parameter(paramcd=code, param=found[code], paramn=n, testcd=code)
        for n, code in enumerate(sorted(found), start=1)
    ]


def finding_row(
    row: Mapping[str, Value],
    prefix: str,
    parameter: Parameter,
    subject: Mapping[str, Value],
) -> Row | None:
    """The BDS row of one SDTM findings record, None when it has no result.

    >>> lb = {"STUDYID": "S", "USUBJID": "S-1", "LBSEQ": 4, "LBTESTCD": "ALT",
    ...       "LBSTRESN": 41.0, "LBSTRESC": "41", "LBSTRESU": "U/L", "LBDTC": "2026-03-30",
    ...       "VISIT": "Week 4", "VISITNUM": 6.0}
    >>> r = finding_row(lb, "LB", Parameter("ALT", "ALT (U/L)", 1, "ALT"), {"TRTSDT": 24167})
    >>> r["AVAL"], r["ADY"], r["SRCSEQ"], r["SRCVAR"]
    (41.0, 29, 4, 'LBSTRESN')
    """
    if str(row.get(f"{prefix}STAT") or "").upper() == "NOT DONE":
        return None
    number = row.get(f"{prefix}STRESN")
    text = str(row.get(f"{prefix}STRESC") or "")
    aval = float(number) if isinstance(number, (int, float)) else None
    if aval is None and not text:
        return None
    adt = to_sas_date(str(row.get(f"{prefix}DTC") or ""))
    first = subject.get("TRTSDT")
    seq = row.get(f"{prefix}SEQ")
    return {
        "STUDYID": row.get("STUDYID"),
        "USUBJID": row.get("USUBJID"),
        "SUBJID": subject.get("SUBJID"),
        "SITEID": subject.get("SITEID"),
        "TRTP": subject.get("TRT01P") or "",
        "TRTA": subject.get("TRT01A") or "",
        "TRTSDT": first,
        "SAFFL": subject.get("SAFFL") or "",
        "FASFL": subject.get("FASFL") or "",
        "PARAMCD": parameter.paramcd,
        "PARAM": parameter.param,
        "PARAMN": parameter.paramn,
        "AVAL": aval,
        "AVALC": "" if aval is not None else text,
        "AVALU": str(row.get(f"{prefix}STRESU") or ""),
        "ADT": adt,
        "ADY": analysis_day(adt, int(first) if isinstance(first, (int, float)) else None),
        "VISIT": row.get("VISIT") or "",
        "VISITNUM": row.get("VISITNUM"),
        "SRCDOM": str(row.get("DOMAIN") or prefix),
        "SRCVAR": f"{prefix}STRESN" if aval is not None else f"{prefix}STRESC",
        "SRCSEQ": int(seq) if isinstance(seq, (int, float)) else None,
    }


def bds_rows(
    records: Sequence[Mapping[str, Value]],
    prefix: str,
    parameters: Sequence[Parameter],
    subjects: Mapping[Value, Mapping[str, Value]],
    windows: Sequence[AnalysisWindow],
    *,
    extra: Mapping[str, str] | None = None,
    locf: bool = False,
) -> list[Row]:
    """The BDS rows of ``records``: each record of a parameter as a row (with the SDTM
    variables of ``extra`` copied under their analysis names, e.g. LBTOXGR -> ATOXGR), put
    in its analysis window, then ABLFL, BASE, CHG, PCHG, LOCF rows when asked, ANL01FL.
    Subjects not in ADSL are left out (ADaMIG v1.3 §3.2: ADSL holds every analysed
    subject)."""
    rows: list[Row] = []
    testcd = f"{prefix}TESTCD"
    by_test: dict[Value, list[Parameter]] = {}  # a record is read by its test's parameters
    for parameter in parameters:
        by_test.setdefault(parameter.testcd, []).append(parameter)
    for record in records:
        subject = subjects.get(record.get("USUBJID"))
        if subject is None:
            continue
        for parameter in by_test.get(record.get(testcd), ()):
            if parameter.reads(record, prefix):
                row = finding_row(record, prefix, parameter, subject)
                if row is not None:
                    for source, target in (extra or {}).items():
                        row[target] = record.get(source)
                    rows.append(put_in_window(row, windows))
                break
    # the rows are this function's own: each derivation sets its variables on them
    derive_ablfl(rows, in_place=True)
    derive_base(rows, in_place=True)
    derive_chg(rows, in_place=True)
    derive_pchg(rows, in_place=True)
    if locf:
        rows = impute_locf(rows, windows)
    derive_anl01fl(rows, in_place=True)
    rows.sort(key=row_order)
    return rows


def row_order(row: Mapping[str, Value]) -> tuple[str, int, float, float, str]:
    """Subject, PARAMN, AVISITN, ADT, DTYPE: the order BDS rows are written in."""

    def num(name: str) -> float:
        value = row.get(name)
        return float(value) if isinstance(value, (int, float)) else float("-inf")

    paramn = row.get("PARAMN")
    return (
        str(row.get("USUBJID")),
        int(paramn) if isinstance(paramn, (int, float)) else 0,
        num("AVISITN"),
        num("ADT"),
        str(row.get("DTYPE") or ""),
    )
