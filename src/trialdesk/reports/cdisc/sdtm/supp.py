"""Supplemental qualifiers: SUPP-- datasets for values no standard variable holds.

SDTMIG 3.4 Section 8.4 (Relating Non-standard Variable Values to a Parent Domain) and
8.4.1 (Supplemental Qualifiers: SUPPQUAL or SUPP-- Datasets): one SUPP-- dataset per parent
domain, one record per qualifier value of a parent record, named by RDOMAIN, USUBJID and
IDVAR/IDVARVAL (here the parent's --SEQ); QNAM at most 8 characters, QLABEL at most 40;
QORIG says where the value comes from ("CRF", "ASSIGNED", "DERIVED"), QEVAL who judged it
when it is a judgement. Keys: STUDYID, RDOMAIN, USUBJID, IDVAR, IDVARVAL, QNAM, which must
be unique (Section 8.4.1).

A domain builder puts the qualifiers of its records in its dataset's
``extra["supplemental"]``; ``supp_datasets(parents)`` collects them, checks that each
names a record of its parent, and builds the SUPP-- datasets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.reports.cdisc.dataset import Dataset, Value, Variable

__all__ = ["SUPP_VARIABLES", "Qualifier", "supp_datasets"]

_QNAM = re.compile(r"^[A-Z_][A-Z0-9_]{0,7}$")  # Section 8.4.1: QNAM as a variable name
_QLABEL = 40


@dataclass(frozen=True)
class Qualifier:
    """One supplemental qualifier value of one parent record."""

    rdomain: str  # the parent domain, e.g. "CM"
    usubjid: str
    idvar: str  # e.g. "CMSEQ"; "" for a qualifier of the subject (DM)
    idvarval: str  # e.g. "3"
    qnam: str  # e.g. "CMDOSCHG"
    qlabel: str
    qval: str
    qorig: str = "CRF"  # Section 8.4.1: CRF, ASSIGNED or DERIVED
    qeval: str = ""  # e.g. "INVESTIGATOR" (CDISC C78735); blank for objective data


# SDTMIG 3.4 Section 8.4.1, the SUPP-- table (labels as there; the pilot's SUPPAE has the same)
SUPP_VARIABLES: tuple[Variable, ...] = (
    Variable("STUDYID", "Study Identifier", role="Identifier", core="Req", origin="Assigned"),
    Variable("RDOMAIN", "Related Domain Abbreviation", role="Identifier", core="Req",
             codelist="C66734", origin="Assigned"),
    Variable("USUBJID", "Unique Subject Identifier", role="Identifier", core="Req",
             origin="Assigned"),
    Variable("IDVAR", "Identifying Variable", role="Identifier", core="Exp", origin="Assigned"),
    Variable("IDVARVAL", "Identifying Variable Value", role="Identifier", core="Exp",
             origin="Assigned"),
    Variable("QNAM", "Qualifier Variable Name", role="Topic", core="Req", origin="Assigned"),
    Variable("QLABEL", "Qualifier Variable Label", role="Synonym Qualifier", core="Req",
             origin="Assigned"),
    Variable("QVAL", "Data Value", role="Result Qualifier", core="Req", origin="Collected"),
    Variable("QORIG", "Origin", role="Record Qualifier", core="Req", origin="Assigned"),
    Variable("QEVAL", "Evaluator", role="Record Qualifier", core="Exp", codelist="C78735",
             origin="Assigned"),
)  # fmt: skip
_KEYS = ("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM")


def _problems(q: Qualifier, where: str) -> list[TrialdeskError]:
    out: list[TrialdeskError] = []
    if not _QNAM.match(q.qnam):
        out.append(InputError(f"QNAM {q.qnam!r} is not an SDTM variable name of at most 8 "
                              "characters", field=f"{where}.QNAM"))  # fmt: skip
    if not q.qlabel or len(q.qlabel) > _QLABEL:
        out.append(InputError(f"QLABEL {q.qlabel!r} must have 1 to {_QLABEL} characters",
                              field=f"{where}.QLABEL"))  # fmt: skip
    if q.qval == "":
        out.append(InputError("QVAL is blank: a SUPP-- record holds a value",
                              field=f"{where}.QVAL"))  # fmt: skip
    return out


def _parent_ids(parent: Dataset) -> tuple[str, set[tuple[str, str, str]]]:
    """The parent's STUDYID and every (USUBJID, IDVAR, IDVARVAL) a qualifier may name
    (its --SEQ values; "" for a subject-level qualifier of DM)."""
    seq = f"{parent.name}SEQ"
    ids: set[tuple[str, str, str]] = set()
    studyid = ""
    for row in parent.rows:
        studyid = str(row.get("STUDYID") or studyid)
        usubjid = str(row.get("USUBJID", ""))
        ids.add((usubjid, "", ""))
        if seq in parent.names and row.get(seq) is not None:
            ids.add((usubjid, seq, _text(row[seq])))
    return studyid, ids


def _text(value: Value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def supp_datasets(
    parents: Sequence[Dataset], qualifiers: Iterable[Qualifier] | None = None
) -> list[Dataset]:
    """A SUPP-- dataset for each parent that has qualifiers (``qualifiers``, or those the
    parents carry in ``extra["supplemental"]``), in the parents' order.

    Raises:
        FieldErrors: a qualifier names no parent dataset or record, a QNAM/QLABEL SAS
            transport cannot hold, or the same (USUBJID, IDVAR, IDVARVAL, QNAM) twice.
    """
    if qualifiers is None:
        qualifiers = [q for p in parents for q in p.extra.get("supplemental", ())]
    by_name = {p.name: p for p in parents}
    grouped: dict[str, list[Qualifier]] = {}
    errors: list[TrialdeskError] = []
    for q in qualifiers:
        grouped.setdefault(q.rdomain, []).append(q)
    out = []
    for name, found in grouped.items():
        parent = by_name.get(name)
        if parent is None:
            errors.append(InputError(f"SUPP{name}: no parent dataset {name} was given",
                                     field=f"SUPP{name}.RDOMAIN"))  # fmt: skip
            continue
        studyid, ids = _parent_ids(parent)
        seen: set[tuple[str, str, str, str]] = set()
        rows: list[Mapping[str, Value]] = []
        for q in found:
            where = f"SUPP{name}[{q.usubjid} {q.idvar}={q.idvarval} {q.qnam}]"
            errors.extend(_problems(q, where))
            if (q.usubjid, q.idvar, q.idvarval) not in ids:
                errors.append(InputError(f"{name} has no record {q.idvar}={q.idvarval} of "
                                         f"{q.usubjid}", field=f"{where}.IDVARVAL"))  # fmt: skip
            key = (q.usubjid, q.idvar, q.idvarval, q.qnam)
            if key in seen:
                errors.append(InputError("the same qualifier is given twice",
                                         field=f"{where}.QNAM"))  # fmt: skip
            seen.add(key)
            rows.append({
                "STUDYID": studyid, "RDOMAIN": name, "USUBJID": q.usubjid,
                "IDVAR": q.idvar, "IDVARVAL": q.idvarval, "QNAM": q.qnam,
                "QLABEL": q.qlabel, "QVAL": q.qval, "QORIG": q.qorig, "QEVAL": q.qeval,
            })  # fmt: skip
        order = {n: i for i, n in enumerate(q.qnam for q in found)}
        rows.sort(key=lambda r: (str(r["USUBJID"]), _seq_order(r["IDVARVAL"]),
                                 order[str(r["QNAM"])]))  # fmt: skip
        out.append(
            Dataset(
                name=f"SUPP{name}",
                label=f"Supplemental Qualifiers for {name}",
                variables=SUPP_VARIABLES,
                rows=tuple(rows),
                keys=_KEYS,
                structure="One record per IDVAR, IDVARVAL, and QNAM value per subject",
                dataset_class="RELATIONSHIP",
                extra={"domain": name},
            )
        )
    if errors:
        raise FieldErrors(errors, resource="SUPPQUAL")
    position = {p.name: i for i, p in enumerate(parents)}
    return sorted(out, key=lambda d: position[d.extra["domain"]])


def _seq_order(value: Value) -> tuple[int, str]:
    text = _text(value)
    return (int(text), "") if text.isdigit() else (0, text)
