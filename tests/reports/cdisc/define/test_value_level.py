"""define.xml value-level metadata (Define-XML 2.1 def:ValueListDef / def:WhereClauseDef).

On the simulated trial's SDTM (simulated_trial.py): every test code of every Findings
dataset made from the forms has a WhereClauseDef and an ItemRef in the value list of each
result variable it has values of; the document validates against the Define-XML 2.1 XSD;
define.html shows one value-level row per ItemRef; and, read back, every value-level
ItemDef agrees with the data it describes (``mismatches``: DataType, Length,
SignificantDigits, code list, Mandatory), which a corrupted document is shown to break.
Hand-made datasets show the parts one at a time: collected and derived origins with their
methods, the NY code list of a yes/no item, a form's choices as a sponsor code list, a test
never done, SUPP-- QVAL by QNAM, and the AE coding comments."""

from __future__ import annotations

import doctest
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from reports.cdisc.simulated_trial import CREATED, simulated
from trialdesk.reports.cdisc.dataset import Dataset, Value, Variable
from trialdesk.reports.cdisc.define import DefineStudy, build_define, render_html, schema_errors
from trialdesk.reports.cdisc.define import to_xml as define_xml

ODM = "{http://www.cdisc.org/ns/odm/v1.3}"
DEF = "{http://www.cdisc.org/ns/def/v2.1}"
STUDY = DefineStudy("NCT00000001", "NCT00000001", "A test study", "NCT00000001")
WHEN = datetime(2025, 6, 1, tzinfo=UTC)
RESULTS = ("ORRES", "STRESC", "STRESN")


# -- reading a define.xml back -------------------------------------------------------
def _mdv(xml: str) -> Any:
    root = etree.fromstring(xml.encode("utf-8"))
    mdv = root.find(f"{ODM}Study/{ODM}MetaDataVersion")
    assert mdv is not None
    return mdv


def _description(element: Any) -> str:
    found = element.find(f"{ODM}Description/{ODM}TranslatedText")
    return "" if found is None else str(found.text or "")


def value_lists(xml: str) -> dict[str, list[dict[str, Any]]]:
    """ValueListDef OID -> its ItemRefs, each with its where clause (variable name, value)
    and its ItemDef's attributes, code list values and origin."""
    mdv = _mdv(xml)
    items = {i.get("OID"): i for i in mdv.iter(f"{ODM}ItemDef")}
    wheres = {w.get("OID"): w for w in mdv.iter(f"{DEF}WhereClauseDef")}
    codelists = {
        c.get("OID"): [v.get("CodedValue") for v in c if v.get("CodedValue") is not None]
        for c in mdv.iter(f"{ODM}CodeList")
    }
    methods = {m.get("OID") for m in mdv.iter(f"{ODM}MethodDef")}
    out: dict[str, list[dict[str, Any]]] = {}
    for vl in mdv.iter(f"{DEF}ValueListDef"):
        refs = []
        for ref in vl.iter(f"{ODM}ItemRef"):
            item = items[ref.get("ItemOID")]
            where_ref = ref.find(f"{DEF}WhereClauseRef")
            check = wheres[where_ref.get("WhereClauseOID")].find(f"{ODM}RangeCheck")
            codelist = item.find(f"{ODM}CodeListRef")
            origin = item.find(f"{DEF}Origin")
            method = ref.get("MethodOID")
            assert method is None or method in methods, f"{method} has no MethodDef"
            refs.append({
                "where": (items[check.get(f"{DEF}ItemOID")].get("Name"),
                          check.get("Comparator"), check.findtext(f"{ODM}CheckValue")),
                "type": item.get("DataType"), "length": item.get("Length"),
                "digits": item.get("SignificantDigits"), "mandatory": ref.get("Mandatory"),
                "codelist": codelists[codelist.get("CodeListOID")] if codelist is not None
                else None,
                "origin": origin.get("Type") if origin is not None else None,
                "origin_text": _description(origin) if origin is not None else "",
                "method": method, "label": _description(item),
            })  # fmt: skip
        out[str(vl.get("OID"))] = refs
    return out


def _fits(value: Value, data_type: str, length: int | None, digits: int | None) -> str | None:
    """Why ``value`` does not fit the value-level ItemDef, or None."""
    text = str(value)
    if data_type == "integer":
        if isinstance(value, float):
            if not value.is_integer():
                return f"{value!r} is not whole"
            text = str(int(value))
        elif not isinstance(value, int) and not re.fullmatch(r"[+-]?\d+", text):
            return f"{value!r} is not an integer"
        text = text.lstrip("+-")
    elif data_type == "float":
        number = Decimal(repr(value) if isinstance(value, float) else text)
        whole, _, fraction = format(number.normalize(), "f").lstrip("-").partition(".")
        if digits is not None and len(fraction) > digits:
            return f"{value!r} has more decimals than {digits}"
        if length is not None and len(whole) + len(fraction) > length:
            return f"{value!r} has more digits than {length}"
        return None
    elif data_type == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return f"{value!r} is not a complete date"
    if length is not None and len(text.encode("utf-8")) > length:
        return f"{value!r} is longer than {length}"
    return None


def mismatches(xml: str, datasets: Sequence[Dataset]) -> list[str]:
    """Where a value-level ItemDef says something of its records the data contradict."""
    by_name = {d.name: d for d in datasets}
    out = []
    for oid, refs in value_lists(xml).items():
        _, dataset_name, variable = oid.split(".")
        dataset = by_name[dataset_name]
        for ref in refs:
            by, comparator, value = ref["where"]
            assert comparator == "EQ"
            rows = [r for r in dataset.records() if str(r[by]) == value]
            given = [r[variable] for r in rows if r[variable] not in (None, "")]
            where = f"{oid} {by}={value}"
            if not given:
                out.append(f"{where}: no record has a value")
            if ref["mandatory"] == "Yes" and len(given) < len(rows):
                out.append(f"{where}: Mandatory, but {len(rows) - len(given)} records are blank")
            length = int(ref["length"]) if ref["length"] else None
            digits = int(ref["digits"]) if ref["digits"] else None
            for v in given:
                why = _fits(v, ref["type"], length, digits)
                if why:
                    out.append(f"{where}: {why} ({ref['type']})")
                if ref["codelist"] is not None and str(v) not in ref["codelist"]:
                    out.append(f"{where}: {v!r} is not in its code list")
    return out


# -- the simulated trial ---------------------------------------------------------------
@pytest.fixture(scope="module")
def trial() -> tuple[list[Dataset], str]:
    built = simulated()
    kept = [d for d in built.sdtm if d.rows or d.name == "DM"]
    document = build_define(kept, study=built.source.study, created=CREATED)
    return kept, define_xml(document)


def _findings(datasets: Sequence[Dataset]) -> list[Dataset]:
    return [d for d in datasets if d.extra.get("tests")]


@pytest.mark.slow
def test_every_test_code_of_the_findings_has_a_where_clause(
    trial: tuple[list[Dataset], str],
) -> None:
    datasets, xml = trial
    lists = value_lists(xml)
    findings = _findings(datasets)
    assert {d.name for d in findings} == {"VS", "LB", "QS", "MK", "RS"}
    wheres = {
        (w.find(f"{ODM}RangeCheck").get(f"{DEF}ItemOID"),
         w.find(f"{ODM}RangeCheck").findtext(f"{ODM}CheckValue"))
        for w in _mdv(xml).iter(f"{DEF}WhereClauseDef")
    }  # fmt: skip
    for d in findings:
        # every test code with a result (a test only ever not done describes no value)
        results = [f"{d.name}{s}" for s in RESULTS if f"{d.name}{s}" in d.names]
        codes = {
            str(r[f"{d.name}TESTCD"])
            for r in d.rows
            if any(r.get(v) not in (None, "") for v in results)
        }
        assert codes, d.name
        assert codes <= {c for item, c in wheres if item == f"IT.{d.name}.{d.name}TESTCD"}
        for suffix in RESULTS:
            variable = f"{d.name}{suffix}"
            if variable not in d.names:
                continue
            with_values = {
                str(r[f"{d.name}TESTCD"]) for r in d.rows if r.get(variable) not in (None, "")
            }
            listed = {ref["where"][2] for ref in lists[f"VL.{d.name}.{variable}"]}
            assert listed == with_values, variable
    # SUPPEX: one ItemRef per QNAM
    suppex = next(d for d in datasets if d.name == "SUPPEX")
    listed = [ref["where"] for ref in lists["VL.SUPPEX.QVAL"]]
    assert listed == [("QNAM", "EQ", q) for q in dict.fromkeys(r["QNAM"] for r in suppex.rows)]


@pytest.mark.slow
def test_the_value_lists_agree_with_the_data_and_the_schema(
    trial: tuple[list[Dataset], str],
) -> None:
    datasets, xml = trial
    assert schema_errors(xml) == []
    assert mismatches(xml, datasets) == []
    lists = value_lists(xml)
    by_test = {ref["where"][2]: ref for ref in lists["VL.VS.VSORRES"]}
    assert by_test["SYSBP"]["type"] == "integer" and by_test["TEMP"]["type"] == "float"
    assert by_test["SYSBP"]["label"] == "Systolic Blood Pressure (mmHg)"
    assert by_test["SYSBP"]["origin"] == "Collected"
    assert "vital_signs" in by_test["SYSBP"]["origin_text"]
    rs = {ref["where"][2]: ref for ref in lists["VL.RS.RSORRES"]}
    assert rs["CDAI"]["origin"] == "Derived" and rs["CDAI"]["method"] == "MT.RS.CDAI"
    assert set(rs["EULRCRP"]["codelist"]) >= {r["RSORRES"] for r in _rows(datasets, "RS")
                                              if r["RSTESTCD"] == "EULRCRP"}  # fmt: skip
    mk = {ref["where"][2]: ref for ref in lists["VL.MK.MKSTRESC"]}
    assert set(mk["EFFUSIND"]["codelist"]) <= {"N", "Y"}  # CDISC NY, the values that occur


def _rows(datasets: Sequence[Dataset], name: str) -> list[Mapping[str, Value]]:
    return list(next(d for d in datasets if d.name == name).rows)


@pytest.mark.slow
def test_a_value_list_that_lies_about_the_data_is_caught(
    trial: tuple[list[Dataset], str],
) -> None:
    """The round trip can fail: temperature called an integer, a length too short."""
    datasets, xml = trial
    wrong = re.sub(
        r'(<ItemDef OID="IT\.VS\.VSORRES\.TEMP"[^>]*DataType=")float(")', r"\1integer\2", xml
    )
    wrong = re.sub(r'(<ItemDef OID="IT\.VS\.VSORRES\.SYSBP"[^>]*Length=")\d+', r"\g<1>1", wrong)
    assert wrong != xml
    found = mismatches(wrong, datasets)
    assert any("VSTESTCD=TEMP" in m and "not an integer" in m for m in found)
    assert any("VSTESTCD=SYSBP" in m and "longer than 1" in m for m in found)


@pytest.mark.slow
def test_define_html_shows_a_row_per_value_level_item(trial: tuple[list[Dataset], str]) -> None:
    _, xml = trial
    html = render_html(xml)
    refs = sum(len(refs) for refs in value_lists(xml).values())
    assert html.count('<tr class="vlm ') == refs > 300
    assert 'VSTESTCD</a> = "SYSBP"' in html and 'QNAM</a> = "EXVOL"' in html


# -- hand-made datasets ----------------------------------------------------------------
def _v(name: str, label: str, data_type: str = "text", **kw: Any) -> Variable:
    return Variable(name, label, data_type, **kw)


FINDINGS_VARIABLES = (
    _v("STUDYID", "Study Identifier", role="Identifier", core="Req"),
    _v("DOMAIN", "Domain Abbreviation", role="Identifier", core="Req"),
    _v("USUBJID", "Unique Subject Identifier", role="Identifier", core="Req"),
    _v("MKSEQ", "Sequence Number", "integer", role="Identifier", core="Req"),
    _v("MKTESTCD", "Short Name of Musculoskeletal Test", role="Topic", core="Req"),
    _v("MKTEST", "Name of Musculoskeletal Test", role="Synonym Qualifier", core="Req"),
    _v("MKORRES", "Result or Finding in Original Units", role="Result Qualifier",
       origin="Collected"),
    _v("MKORRESU", "Original Units", role="Variable Qualifier"),
    _v("MKSTRESC", "Character Result/Finding in Std Format", role="Result Qualifier",
       origin="Derived"),
    _v("MKSTRESN", "Numeric Result/Finding in Standard Units", "float",
       role="Result Qualifier", origin="Derived"),
    _v("MKSTRESU", "Standard Units", role="Variable Qualifier"),
    _v("MKSTAT", "Completion Status", role="Record Qualifier"),
)  # fmt: skip
GRADES = (("0", "0", "None"), ("1", "1", "Mild"), ("2", "2", "Moderate"), ("3", "3", "Severe"))
TESTS: dict[str, dict[str, Any]] = {
    "EFFUSDEP": {"test": "Joint Effusion Depth", "origin": "Collected", "kind": "decimal",
                 "sources": (("ultrasound", "depth"), ("followup_us", "depth")), "choices": (),
                 "derivation": None},
    "EFFUSIND": {"test": "Joint Effusion Indicator", "origin": "Collected", "kind": "boolean",
                 "sources": (("ultrasound", "effusion"),), "choices": (), "derivation": None},
    "SYNHYPGR": {"test": "Synovial Hypertrophy Grade", "origin": "Collected", "kind": "choice",
                 "sources": (("ultrasound", "sh"),), "choices": GRADES, "derivation": None},
    "SYNCMBGR": {"test": "Combined Synovitis Grade", "origin": "Derived", "kind": "integer",
                 "sources": (("ultrasound", "combined"),), "choices": (),
                 "derivation": {"calculator": "us_synovitis_combined",
                                "inputs": {"sh": "sh", "pd": "pd"}}},
    "PDSIGGR": {"test": "Power Doppler Signal Grade", "origin": "Collected", "kind": "choice",
                "sources": (("ultrasound", "pd"),), "choices": GRADES, "derivation": None},
}  # fmt: skip


def _mk_row(seq: int, code: str, orres: str, stresn: float | None = None, **kw: str) -> dict:
    return {
        "STUDYID": "NCT00000001", "DOMAIN": "MK", "USUBJID": "NCT00000001-001",
        "MKSEQ": seq, "MKTESTCD": code, "MKTEST": TESTS[code]["test"], "MKORRES": orres,
        "MKSTRESC": orres.upper(), "MKSTRESN": stresn, **kw,
    }  # fmt: skip


MK = Dataset(
    name="MK",
    label="Musculoskeletal System Findings",
    variables=FINDINGS_VARIABLES,
    rows=(
        _mk_row(1, "EFFUSDEP", "4.8", 4.8, MKORRESU="mm", MKSTRESU="mm"),
        _mk_row(2, "EFFUSDEP", "12.25", 12.25, MKORRESU="mm", MKSTRESU="mm"),
        _mk_row(3, "EFFUSIND", "Y"),
        _mk_row(4, "EFFUSIND", "N"),
        _mk_row(5, "SYNHYPGR", "2", 2.0),
        _mk_row(6, "SYNCMBGR", "2", 2.0),
        {**_mk_row(7, "PDSIGGR", ""), "MKORRES": "", "MKSTRESC": "", "MKSTAT": "NOT DONE"},
        _mk_row(8, "SYNHYPGR", "", None),
    ),
    keys=("STUDYID", "USUBJID", "MKTESTCD"),
    structure="One record per assessment per visit per subject",
    dataset_class="FINDINGS",
    extra={"domain": "MK", "tests": TESTS},
)
SUPP_VARIABLES = tuple(
    _v(n, label)
    for n, label in (
        ("STUDYID", "Study Identifier"), ("RDOMAIN", "Related Domain Abbreviation"),
        ("USUBJID", "Unique Subject Identifier"), ("IDVAR", "Identifying Variable"),
        ("IDVARVAL", "Identifying Variable Value"), ("QNAM", "Qualifier Variable Name"),
        ("QLABEL", "Qualifier Variable Label"), ("QVAL", "Data Value"), ("QORIG", "Origin"),
    )
)  # fmt: skip
SUPPAE = Dataset(
    name="SUPPAE",
    label="Supplemental Qualifiers for AE",
    variables=SUPP_VARIABLES,
    rows=tuple(
        {
            "STUDYID": "NCT00000001",
            "RDOMAIN": "AE",
            "USUBJID": "NCT00000001-001",
            "IDVAR": "AESEQ",
            "IDVARVAL": str(seq),
            "QNAM": qnam,
            "QLABEL": label,
            "QVAL": value,
            "QORIG": qorig,
        }
        for seq, qnam, label, value, qorig in (
            (1, "AEPRESDT", "Onset of Pre-existing Condition", "2025-03-02", "CRF"),
            (1, "AEBLGR", "Grade Before Worsening", "1", "CRF"),
            (2, "AEPRESDT", "Onset of Pre-existing Condition", "2025-04-11", "CRF"),
            (2, "AETRTEM", "Treatment Emergent Flag", "Y", "DERIVED"),
        )
    ),  # fmt: skip
    keys=("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM"),
    structure="One record per IDVAR, IDVARVAL, and QNAM value per subject",
    dataset_class="RELATIONSHIP",
    extra={"domain": "AE"},
)
AE = Dataset(
    name="AE",
    label="Adverse Events",
    variables=(
        _v("STUDYID", "Study Identifier", role="Identifier", core="Req"),
        _v("DOMAIN", "Domain Abbreviation", role="Identifier", core="Req"),
        _v("USUBJID", "Unique Subject Identifier", role="Identifier", core="Req"),
        _v("AESEQ", "Sequence Number", "integer", role="Identifier", core="Req"),
        _v("AETERM", "Reported Term for the Adverse Event", role="Topic", core="Req"),
        _v("AELLTCD", "Lowest Level Term Code", "integer", role="Variable Qualifier"),
        _v("AEDECOD", "Dictionary-Derived Term", role="Synonym Qualifier", core="Req"),
        _v("AEPTCD", "Preferred Term Code", "integer", role="Variable Qualifier"),
    ),
    rows=(
        {
            "STUDYID": "NCT00000001",
            "DOMAIN": "AE",
            "USUBJID": "NCT00000001-001",
            "AESEQ": 1,
            "AETERM": "knee pain",
            "AELLTCD": 10003239,
            "AEDECOD": "Arthralgia",
            "AEPTCD": None,
        },
    ),  # fmt: skip
    keys=("STUDYID", "USUBJID", "AEDECOD"),
    structure="One record per adverse event per subject",
    dataset_class="EVENTS",
    extra={"domain": "AE"},
)


@pytest.fixture(scope="module")
def small() -> str:
    return define_xml(build_define([AE, MK, SUPPAE], study=STUDY, created=WHEN))


def test_the_hand_made_value_lists_validate_and_agree_with_the_data(small: str) -> None:
    assert schema_errors(small) == []
    assert mismatches(small, [AE, MK, SUPPAE]) == []


def test_each_test_gets_its_type_origin_method_and_code_list(small: str) -> None:
    lists = value_lists(small)
    orres = {ref["where"][2]: ref for ref in lists["VL.MK.MKORRES"]}
    # PDSIGGR was not done: no value, no ItemRef (its where clause serves no list)
    assert list(orres) == ["EFFUSDEP", "EFFUSIND", "SYNHYPGR", "SYNCMBGR"]
    depth = orres["EFFUSDEP"]
    assert (depth["type"], depth["length"], depth["digits"]) == ("float", "4", "2")
    assert depth["label"] == "Joint Effusion Depth (mm)" and depth["mandatory"] == "Yes"
    assert depth["origin"] == "Collected" and depth["method"] is None
    assert "ultrasound, item depth; form followup_us" in depth["origin_text"]
    assert orres["EFFUSIND"]["codelist"] == ["N", "Y"]  # CDISC NY, the values that occur
    # a choice item: its choices, all of them, a sponsor-defined integer list
    grade = orres["SYNHYPGR"]
    assert (grade["type"], grade["codelist"]) == ("integer", ["0", "1", "2", "3"])
    assert grade["mandatory"] == "No"  # one record of it is blank
    combined = orres["SYNCMBGR"]
    assert (combined["origin"], combined["method"]) == ("Derived", "MT.MK.SYNCMBGR")
    # a collected result's standard forms: derived by standardisation
    stresn = {ref["where"][2]: ref for ref in lists["VL.MK.MKSTRESN"]}
    assert list(stresn) == ["EFFUSDEP", "SYNHYPGR", "SYNCMBGR"]  # a yes/no has no number
    assert stresn["EFFUSDEP"]["method"] == "MT.STANDARDISED"
    mdv = _mdv(small)
    methods = {m.get("OID"): _description(m) for m in mdv.iter(f"{ODM}MethodDef")}
    assert "us_synovitis_combined" in methods["MT.MK.SYNCMBGR"]
    assert "D'Agostino" in methods["MT.MK.SYNCMBGR"]  # the calculator's published source
    # the two grade items share one list; the NY list is CDISC's
    names = {c.get("OID"): c for c in mdv.iter(f"{ODM}CodeList")}
    assert [o for o in names if o.startswith("CL.SYN") or o.startswith("CL.PD")] == ["CL.SYNHYPGR"]
    assert names["CL.SYNHYPGR"].get("Name") == "None / Mild / Moderate / Severe"
    assert names["CL.SYNHYPGR"].get(f"{DEF}StandardOID") is None
    assert names["CL.NY"].get(f"{DEF}StandardOID") == "STD.CT.SDTM"
    # the variable names its value list
    orres_def = next(i for i in mdv.iter(f"{ODM}ItemDef") if i.get("OID") == "IT.MK.MKORRES")
    assert orres_def.find(f"{DEF}ValueListRef").get("ValueListOID") == "VL.MK.MKORRES"


def test_supp_qval_is_described_by_qnam(small: str) -> None:
    refs = {ref["where"][2]: ref for ref in value_lists(small)["VL.SUPPAE.QVAL"]}
    assert list(refs) == ["AEPRESDT", "AEBLGR", "AETRTEM"]
    assert (refs["AEPRESDT"]["type"], refs["AEPRESDT"]["label"]) == (
        "date",
        "Onset of Pre-existing Condition",
    )
    assert (refs["AEBLGR"]["type"], refs["AEBLGR"]["origin"]) == ("integer", "Collected")
    assert (refs["AETRTEM"]["type"], refs["AETRTEM"]["origin"]) == ("text", "Derived")


def test_the_ae_coding_is_commented_where_it_is_submitted(small: str) -> None:
    mdv = _mdv(small)
    comments = {c.get("OID"): _description(c) for c in mdv.iter(f"{DEF}CommentDef")}
    items = {i.get("OID"): i for i in mdv.iter(f"{ODM}ItemDef")}
    for variable in ("AEDECOD", "AEPTCD", "AELLTCD"):
        assert items[f"IT.AE.{variable}"].get(f"{DEF}CommentOID") == f"COM.{variable}"
    assert "CTCAE v5.0" in comments["COM.AEDECOD"] and "MedDRA v20.1" in comments["COM.AEDECOD"]
    assert comments["COM.AEPTCD"].startswith("Null")
    assert "COM.AEBODSYS" not in comments  # only the variables the datasets have
    # a study that says otherwise (a sponsor coding with MedDRA) has no such comment
    coded = DefineStudy("NCT00000001", "NCT00000001", "A test study", "NCT00000001", comments={})
    xml = define_xml(build_define([AE], study=coded, created=WHEN))
    assert not list(_mdv(xml).iter(f"{DEF}CommentDef"))


def test_the_measuring_examples_run() -> None:
    from trialdesk.reports.cdisc.define import lengths

    result = doctest.testmod(lengths)
    assert result.attempted > 0 and result.failed == 0
