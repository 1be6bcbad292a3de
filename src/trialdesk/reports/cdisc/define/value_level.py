"""Value-level metadata (Define-XML 2.1 §5.3.8 def:ValueListDef, §5.3.9 def:WhereClauseDef):
what a result variable holds for each test, where one variable holds many kinds of value.

- Findings made from the forms (a dataset with ``extra["tests"]``, sdtm/findings.py: VS,
  LB, QS, MK, RS): a def:ValueListDef for each of --ORRES, --STRESC and --STRESN, with one
  ItemRef per test code that occurs, its def:WhereClauseRef ``--TESTCD EQ code`` (one
  WhereClauseDef per test, shared by the three lists) and its own ItemDef: the DataType
  and Length the test's values have (measured, lengths.py), the test name and the units
  the records carry, the origin (collected on a named form and item, or derived, with its
  MethodDef: methods.py), and a code list where the form gives one (a yes/no item: CDISC
  NY; a choice item: its choices, sponsor-defined).
- SUPP-- datasets: a def:ValueListDef for QVAL, one ItemRef per QNAM (``QNAM EQ name``),
  described by its QLABEL, its origin by QORIG (SDTMIG 3.4 §8.4.1).

IE's results are Y/N of one code list for every criterion: the variable level describes
them, so IE has no value list. Only what occurs is listed (a test with no value of a
variable has no ItemRef in that variable's list), as the code lists are restricted.
Mandatory="Yes" says every record of the test has a value of the variable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import odmlib.define_2_1.model as DEFINE

from trialdesk.errors import NotFoundError
from trialdesk.reports.cdisc import terminology
from trialdesk.reports.cdisc.dataset import Dataset, Value
from trialdesk.reports.cdisc.define.codelists import CodeListPlan
from trialdesk.reports.cdisc.define.lengths import inferred_type, number_length, text_length
from trialdesk.reports.cdisc.define.methods import (
    STANDARDISED,
    derivation_method,
    standardised_method,
)

__all__ = ["RESULT_VARIABLES", "ValueLevel", "value_level"]

RESULT_VARIABLES = ("ORRES", "STRESC", "STRESN")  # suffixes of a Findings domain's results
NY = "C66742"  # CDISC CT No Yes Response: a yes/no form item's Y/N
# SDTMIG 3.4 §8.4.1 QORIG -> define.xml Origin Type and Source
QORIG = {
    "CRF": ("Collected", "Investigator"),
    "COLLECTED": ("Collected", "Investigator"),
    "EDT": ("Collected", "Vendor"),
    "ASSIGNED": ("Assigned", "Sponsor"),
    "DERIVED": ("Derived", "Sponsor"),
    "PROTOCOL": ("Protocol", "Sponsor"),
    "PREDECESSOR": ("Predecessor", None),
}


@dataclass
class ValueLevel:
    """The value-level part of a define.xml, to be put in its MetaDataVersion."""

    value_lists: list[DEFINE.ValueListDef] = field(default_factory=list)
    where_clauses: list[DEFINE.WhereClauseDef] = field(default_factory=list)
    items: list[DEFINE.ItemDef] = field(default_factory=list)
    methods: dict[str, DEFINE.MethodDef] = field(default_factory=dict)
    # (dataset, variable) -> the ValueListDef OID its ItemDef's def:ValueListRef names
    refs: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class _Values:
    """One variable's values for one test (or QNAM): those given, and how many records."""

    records: int = 0
    values: list[Value] = field(default_factory=list)
    units: dict[str, None] = field(default_factory=dict)


def _text(content: str) -> DEFINE.Description:
    return DEFINE.Description(TranslatedText=[DEFINE.TranslatedText(_content=content, lang="en")])


def _where(oid: str, item_oid: str, value: str) -> DEFINE.WhereClauseDef:
    check = DEFINE.RangeCheck(Comparator="EQ", SoftHard="Soft", ItemOID=item_oid)
    check.CheckValue = [DEFINE.CheckValue(_content=value)]
    return DEFINE.WhereClauseDef(OID=oid, RangeCheck=[check])


def _grouped(
    dataset: Dataset, by: str, variable: str, unit: str | None = None
) -> dict[str, _Values]:
    """The values of ``variable`` for each value of ``by``, in the order first met."""
    out: dict[str, _Values] = {}
    units = dataset.column(unit) if unit else [None] * len(dataset.rows)
    for key, value, of in zip(dataset.column(by), dataset.column(variable), units, strict=True):
        found = out.setdefault(str(key), _Values())
        found.records += 1
        if value is not None and value != "":
            found.values.append(value)
            if of:
                found.units[str(of)] = None
    return out


def _measured(item: DEFINE.ItemDef, data_type: str, values: Sequence[Value]) -> None:
    """Length (and SignificantDigits) of the values as ``data_type`` holds them."""
    if data_type == "text":
        item.Length = text_length([str(v) for v in values])
    elif data_type in ("integer", "float"):
        digits, decimals = number_length(values)
        item.Length = digits
        if data_type == "float":
            item.SignificantDigits = decimals


class _Builder:
    def __init__(self, codelists: dict[str, CodeListPlan]) -> None:
        self.out = ValueLevel()
        self.codelists = codelists  # by OID: the document's, shared and added to
        self._sponsor: dict[tuple[str, tuple[tuple[str, str], ...]], CodeListPlan] = {}

    # -- code lists ------------------------------------------------------------------
    def _ny(self, values: Sequence[Value]) -> CodeListPlan | None:
        try:
            ct = terminology.codelist(NY)
        except NotFoundError:
            return None
        texts = [str(v) for v in values]
        if not all(t in ct for t in texts):
            return None
        plan = self.codelists.setdefault(
            f"CL.{ct.short_name}", CodeListPlan(f"CL.{ct.short_name}", "text", ct=ct)
        )
        for t in texts:
            plan.values.setdefault(t, None)
        return plan

    def _choices(
        self, variable: str, code: str, choices: Mapping[str, str], data_type: str
    ) -> CodeListPlan:
        """A form item's choices as a sponsor-defined list, one per distinct list (the
        HAQ-DI's items share theirs), named by its labels, which say what it is."""
        key = (data_type, tuple(choices.items()))
        plan = self._sponsor.get(key)
        if plan is None:
            oid = f"CL.{code}"
            if oid in self.codelists:
                oid = f"CL.{code}.{variable}"
            name = " / ".join(choices.values())
            plan = CodeListPlan(oid, data_type, values=dict(choices), name=name)
            self._sponsor[key] = self.codelists[oid] = plan
        return plan

    # -- Findings --------------------------------------------------------------------
    def findings(self, dataset: Dataset, tests: Mapping[str, Mapping[str, Any]]) -> None:
        d = str(dataset.extra.get("domain", dataset.name))
        testcd = f"{d}TESTCD"
        if testcd not in dataset.names:
            return
        test_names: dict[Value, Value] = {}
        if f"{d}TEST" in dataset.names:
            test_names = dict(zip(dataset.column(testcd), dataset.column(f"{d}TEST"), strict=True))
        where: dict[str, str] = {}
        for suffix in RESULT_VARIABLES:
            variable = f"{d}{suffix}"
            if variable not in dataset.names:
                continue
            unit = f"{d}ORRESU" if suffix == "ORRES" else f"{d}STRESU"
            grouped = _grouped(dataset, testcd, variable, unit if unit in dataset.names else None)
            # the tests in the forms' order, then any other the data hold
            order = [c for c in tests if c in grouped] + [c for c in grouped if c not in tests]
            refs: list[DEFINE.ItemRef] = []
            for code in order:
                found = grouped[code]
                if not found.values:
                    continue
                meta = tests.get(code, {})
                if code not in where:
                    where[code] = f"WC.{dataset.name}.{testcd}.{code}"
                    self.out.where_clauses.append(
                        _where(where[code], f"IT.{dataset.name}.{testcd}", code)
                    )
                test = str(meta.get("test") or test_names.get(code) or code)
                item, method = self._result_item(dataset, variable, suffix, code, test, meta, found)
                ref = DEFINE.ItemRef(
                    ItemOID=item.OID,
                    OrderNumber=len(refs) + 1,
                    Mandatory="Yes" if len(found.values) == found.records else "No",
                    MethodOID=method,
                )
                ref.WhereClauseRef = [DEFINE.WhereClauseRef(WhereClauseOID=where[code])]
                refs.append(ref)
                self.out.items.append(item)
            self._list(dataset.name, variable, refs)

    def _result_item(
        self,
        dataset: Dataset,
        variable: str,
        suffix: str,
        code: str,
        test: str,
        meta: Mapping[str, Any],
        found: _Values,
    ) -> tuple[DEFINE.ItemDef, str | None]:
        data_type = inferred_type(found.values)
        codelist: CodeListPlan | None = None
        if suffix != "STRESN" and meta.get("kind") == "boolean":
            codelist = self._ny(found.values)
        elif suffix != "STRESN" and meta.get("choices"):
            at = 0 if suffix == "ORRES" else 1
            choices = {str(c[at]): str(c[2]) for c in meta["choices"]}
            if all(str(v) in choices for v in found.values):
                data_type = inferred_type(list(choices))  # every choice, so the list fits
                codelist = self._choices(variable, code, choices, data_type)
        item = DEFINE.ItemDef(
            OID=f"IT.{dataset.name}.{variable}.{code}",
            Name=variable,
            DataType=data_type,
            SASFieldName=variable,
        )
        _measured(item, data_type, found.values)
        units = f" ({', '.join(found.units)})" if found.units else ""
        item.Description = _text(f"{test}{units}")
        if codelist is not None:
            item.CodeListRef = DEFINE.CodeListRef(CodeListOID=codelist.oid)
        derivation = meta.get("derivation")
        collected = meta.get("origin", "Collected") == "Collected" and not derivation
        if collected and suffix == "ORRES":
            origin = DEFINE.Origin(Type="Collected", Source="Investigator")
            sources = [f"form {form}, item {name}" for form, name in meta.get("sources", ())]
            if sources:  # no annotated CRF is made: the form and item are the reference
                origin.Description = _text(
                    "Collected on " + "; ".join(sources) + " (the study folder's forms/)"
                )
            item.Origin = [origin]
            return item, None
        item.Origin = [DEFINE.Origin(Type="Derived", Source="Sponsor")]
        if collected:
            self.out.methods.setdefault(STANDARDISED, standardised_method())
            return item, STANDARDISED
        if derivation:
            oid = f"MT.{dataset.name}.{code}"
            self.out.methods.setdefault(oid, derivation_method(oid, test, derivation))
            return item, oid
        return item, None  # derived, and the dataset does not say how: no method to name

    # -- SUPP-- ----------------------------------------------------------------------
    def supplemental(self, dataset: Dataset) -> None:
        if not {"QNAM", "QVAL"} <= set(dataset.names):
            return
        values = _grouped(dataset, "QNAM", "QVAL")
        labels = (
            dict(zip(dataset.column("QNAM"), dataset.column("QLABEL"), strict=True))
            if "QLABEL" in dataset.names
            else {}
        )
        origins: dict[str, dict[str, None]] = {}
        if "QORIG" in dataset.names:
            for qnam, qorig in zip(dataset.column("QNAM"), dataset.column("QORIG"), strict=True):
                origins.setdefault(str(qnam), {})[str(qorig).upper()] = None
        refs: list[DEFINE.ItemRef] = []
        for qnam, found in values.items():
            if not found.values:
                continue
            oid = f"WC.{dataset.name}.QNAM.{qnam}"
            self.out.where_clauses.append(_where(oid, f"IT.{dataset.name}.QNAM", qnam))
            data_type = inferred_type(found.values)
            item = DEFINE.ItemDef(
                OID=f"IT.{dataset.name}.QVAL.{qnam}",
                Name="QVAL",
                DataType=data_type,
                SASFieldName="QVAL",
            )
            _measured(item, data_type, found.values)
            item.Description = _text(str(labels.get(qnam) or qnam))
            item.Origin = [
                DEFINE.Origin(Type=QORIG[o][0], Source=QORIG[o][1])
                for o in origins.get(qnam, {})
                if o in QORIG
            ]
            ref = DEFINE.ItemRef(
                ItemOID=item.OID,
                OrderNumber=len(refs) + 1,
                Mandatory="Yes" if len(found.values) == found.records else "No",
            )
            ref.WhereClauseRef = [DEFINE.WhereClauseRef(WhereClauseOID=oid)]
            refs.append(ref)
            self.out.items.append(item)
        self._list(dataset.name, "QVAL", refs)

    def _list(self, dataset: str, variable: str, refs: list[DEFINE.ItemRef]) -> None:
        if not refs:  # a ValueListDef holds at least one ItemRef
            return
        oid = f"VL.{dataset}.{variable}"
        self.out.value_lists.append(DEFINE.ValueListDef(OID=oid, ItemRef=refs))
        self.out.refs[(dataset, variable)] = oid


def value_level(datasets: Sequence[Dataset], codelists: dict[str, CodeListPlan]) -> ValueLevel:
    """The value lists of ``datasets``. ``codelists``: the document's code lists by OID;
    a value-level one is added to it (the CT NY list shared, a form's choices new)."""
    builder = _Builder(codelists)
    for dataset in datasets:
        tests = dataset.extra.get("tests")
        if tests:
            builder.findings(dataset, tests)
        elif dataset.name.startswith("SUPP"):
            builder.supplemental(dataset)
    return builder.out
