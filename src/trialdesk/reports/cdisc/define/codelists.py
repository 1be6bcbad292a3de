"""define.xml CodeLists: each CDISC CT code list the datasets use, restricted to the values
that occur, and the external dictionaries (MedDRA, ISO 3166) named as such.

Define-XML 2.1 §5.3.9 (CodeList), §5.3.9.2 (def:ExtendedValue): a value outside an
extensible CT code list is a sponsor extension, marked def:ExtendedValue="Yes" and carrying
no NCI code; a non-extensible code list takes only its CT terms (an error otherwise, naming
dataset, variable and value). A value of a code list shipped in part (terminology
``complete`` False) that is not shipped is treated as a sponsor extension: the extraction
script ships every CT term the forms' choices use, so such a value is one the sponsor chose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import odmlib.define_2_1.model as DEFINE

from trialdesk.errors import InputError, NotFoundError
from trialdesk.reports.cdisc import terminology
from trialdesk.reports.cdisc.dataset import Dataset, Value, Variable

__all__ = ["EXTERNAL", "MEDDRA_VARIABLES", "CodeListPlan", "plan_codelists"]

CT_STANDARD_OID = "STD.CT.SDTM"

# Variable.codelist values that name an external dictionary, not a CDISC CT code list:
# -> define.xml ExternalCodeList Dictionary (define-enumerations.xsd ExternalCodeListDictionary)
EXTERNAL = {
    "MedDRA": "MedDRA",
    "ISO 3166": "ISO 3166",  # COUNTRY: ISO 3166-1 alpha-3 (SDTMIG 3.4 DM)
    "WHODD": "WHODD",  # WHODrug Global
}
# where an event is coded, the MedDRA variables (SDTMIG 3.4 AE, MH; ADaMIG OCCDS)
MEDDRA_VARIABLES = frozenset(
    f"{prefix}{suffix}"
    for prefix in ("AE", "MH")
    for suffix in ("DECOD", "PTCD", "LLT", "LLTCD", "HLT", "HLTCD", "HLGT", "HLGTCD")
    + ("BODSYS", "BDSYSCD", "SOC", "SOCCD")
)
# the link a reader follows for each dictionary
EXTERNAL_HREF = {
    "MedDRA": "https://www.meddra.org/",
    "ISO 3166": "https://www.iso.org/iso-3166-country-codes.html",
    "WHODD": "https://www.who-umc.org/whodrug/",
}


@dataclass
class CodeListPlan:
    """One define.xml CodeList: a CT code list (or a dictionary) and the values that occur,
    or (``ct`` and ``dictionary`` None) a sponsor-defined list named ``name``: a form
    item's choices, at value level (value_level.py)."""

    oid: str
    data_type: str
    ct: terminology.CodeList | None = None
    dictionary: str | None = None
    values: dict[str, str | None] = field(default_factory=dict)  # value -> decode
    extended: set[str] = field(default_factory=set)
    name: str | None = None

    @property
    def empty(self) -> bool:
        """A CT code list no value of which occurs: not written (ODM 1.3.2 CodeList needs at
        least one item), and the variable is left without a CodeListRef."""
        return self.dictionary is None and not self.values

    def to_model(self, dictionaries: Mapping[str, str]) -> DEFINE.CodeList:
        if self.dictionary is not None:
            cl = DEFINE.CodeList(OID=self.oid, Name=self.dictionary, DataType=self.data_type)
            cl.ExternalCodeList = DEFINE.ExternalCodeList(
                Dictionary=self.dictionary,
                Version=dictionaries.get(self.dictionary, ""),
                href=EXTERNAL_HREF.get(self.dictionary),
            )
            return cl
        ct = self.ct
        if ct is None:  # sponsor-defined: no standard, no NCI codes, in the form's order
            cl = DEFINE.CodeList(OID=self.oid, Name=self.name or self.oid, DataType=self.data_type)
            items = list(self.values.items())
        else:
            cl = DEFINE.CodeList(
                OID=self.oid, Name=ct.name, DataType=self.data_type, StandardOID=CT_STANDARD_OID
            )
            items = sorted(self.values.items())
        decoded = any(d is not None for d in self.values.values())
        for order, (value, decode) in enumerate(items, start=1):
            code = None if ct is None or value in self.extended else ct.nci_code(value)
            extended = "Yes" if value in self.extended else None
            alias = [DEFINE.Alias(Context="nci:ExtCodeID", Name=code)] if code else []
            if decoded:
                item = DEFINE.CodeListItem(
                    CodedValue=value, OrderNumber=order, ExtendedValue=extended
                )
                item.Decode = DEFINE.Decode(
                    TranslatedText=[DEFINE.TranslatedText(_content=decode or value, lang="en")]
                )
                item.Alias = alias
                cl.CodeListItem.append(item)
            else:
                enum = DEFINE.EnumeratedItem(
                    CodedValue=value, OrderNumber=order, ExtendedValue=extended
                )
                enum.Alias = alias
                cl.EnumeratedItem.append(enum)
        if ct is not None:
            cl.Alias = [DEFINE.Alias(Context="nci:ExtCodeID", Name=ct.code)]
        return cl


def _text(value: Value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _decode_variable(dataset: Dataset, variable: Variable) -> str | None:
    """A test code's test name in the same dataset (VSTESTCD -> VSTEST, TSPARMCD -> TSPARM):
    the code list item's Decode."""
    if variable.name.endswith("CD") and variable.name[:-2] in dataset.names:
        return variable.name[:-2]
    return None


def codelist_key(dataset: Dataset, variable: Variable) -> str | None:
    """The code list (NCI code or dictionary) a variable takes, None for none."""
    if variable.codelist is not None:
        return variable.codelist
    if variable.name in MEDDRA_VARIABLES and variable.kind == "Char":
        return "MedDRA"
    return None


def plan_codelists(
    datasets: Sequence[Dataset],
) -> tuple[dict[tuple[str, str], CodeListPlan], list[InputError]]:
    """The CodeLists the datasets need, keyed by (dataset, variable) -> plan, with every
    problem found (unknown code lists, values a non-extensible list does not hold)."""
    plans: dict[str, CodeListPlan] = {}
    used: dict[tuple[str, str], CodeListPlan] = {}
    problems: list[InputError] = []
    for dataset in datasets:
        for variable in dataset.variables:
            key = codelist_key(dataset, variable)
            if key is None:
                continue
            where = f"{dataset.name}.{variable.name}"
            data_type = "text" if variable.kind == "Char" else variable.data_type
            if key in EXTERNAL:
                oid = f"CL.{EXTERNAL[key].replace(' ', '')}"
                plan = plans.setdefault(oid, CodeListPlan(oid, data_type, dictionary=EXTERNAL[key]))
                used[(dataset.name, variable.name)] = plan
                continue
            try:
                ct = terminology.codelist(key)
            except NotFoundError as e:
                problems.append(InputError(e.message, resource=dataset.name, field=where))
                continue
            oid = f"CL.{ct.short_name}" + ("" if data_type == "text" else f".{data_type}")
            plan = plans.setdefault(oid, CodeListPlan(oid, data_type, ct=ct))
            used[(dataset.name, variable.name)] = plan
            problems += _add_values(plan, dataset, variable, where)
    return used, problems


def _add_values(
    plan: CodeListPlan, dataset: Dataset, variable: Variable, where: str
) -> list[InputError]:
    ct = plan.ct
    assert ct is not None
    problems: list[InputError] = []
    decode_by = _decode_variable(dataset, variable)
    name = variable.name
    # each distinct (value, decode) once, in the order first met: a repeat changes nothing
    # (the values as stored first, with their type: 1 and True are equal keys, not texts)
    values = [row.get(name) for row in dataset.rows]
    decodes = [row.get(decode_by) for row in dataset.rows] if decode_by else [None] * len(values)
    stored = dict.fromkeys(zip(map(type, values), values, map(type, decodes), decodes, strict=True))
    pairs = dict.fromkeys(
        (_text(value), _text(decode) if decode_by else None) for _, value, _, decode in stored
    )
    if ct.extensible or all(value is None or value in ct for value, _ in pairs):
        for value, decode in pairs:
            if value is None:
                continue
            if value not in ct:
                plan.extended.add(value)
            if plan.values.get(value) is None:
                plan.values[value] = decode
        return problems
    # a value the list does not hold: every row is looked at, each one named
    for i, row in enumerate(dataset.rows, start=1):
        value = _text(row.get(variable.name))
        if value is None:
            continue
        decode = _text(row.get(decode_by)) if decode_by else None
        if value not in ct:
            if not ct.extensible:
                problems.append(
                    InputError(
                        f"{value!r} (row {i}) is not a term of the non-extensible code list"
                        f" {ct.short_name} ({ct.code}, {terminology.version})",
                        resource=dataset.name,
                        field=where,
                    )
                )
                continue
            plan.extended.add(value)
        if plan.values.get(value) is None:
            plan.values[value] = decode
    return problems
