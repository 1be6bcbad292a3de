"""define.xml 2.1 from hand-made datasets: it validates against the Define-XML 2.1 XSD,
a corrupted one fails naming the element, the HTML lists every dataset and variable, and
every CodeList holds only CT terms or sponsor extensions marked as such."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from trialdesk.errors import FieldErrors
from trialdesk.reports.cdisc import terminology
from trialdesk.reports.cdisc.dataset import Dataset, Variable
from trialdesk.reports.cdisc.define import (
    DefineStudy,
    build_define,
    schema_errors,
    to_xml,
    validate_define,
    write_define,
)

NS = {
    "odm": "http://www.cdisc.org/ns/odm/v1.3",
    "def": "http://www.cdisc.org/ns/def/v2.1",
    "xlink": "http://www.w3.org/1999/xlink",
}
DEF = "{http://www.cdisc.org/ns/def/v2.1}"
STUDY = DefineStudy("NCT00000001", "NCT00000001", "A test study", "NCT00000001")
WHEN = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)


def _v(name: str, label: str, data_type: str = "text", **kw: str) -> Variable:
    return Variable(name, label, data_type, **kw)  # type: ignore[arg-type]


DM = Dataset(
    name="DM",
    label="Demographics",
    variables=(
        _v("STUDYID", "Study Identifier", role="Identifier", core="Req", origin="Protocol"),
        _v("DOMAIN", "Domain Abbreviation", role="Identifier", core="Req", codelist="C66734"),
        _v("USUBJID", "Unique Subject Identifier", role="Identifier", core="Req"),
        _v("AGE", "Age", "integer", role="Record Qualifier", core="Exp", origin="Derived"),
        _v("AGEU", "Age Units", role="Variable Qualifier", codelist="C66781", origin="Assigned"),
        _v("SEX", "Sex", role="Record Qualifier", codelist="C66731", origin="Collected"),
        _v("COUNTRY", "Country", role="Record Qualifier", codelist="ISO 3166"),
    ),
    rows=(
        {"STUDYID": "NCT00000001", "DOMAIN": "DM", "USUBJID": "NCT00000001-001", "AGE": 54,
         "AGEU": "YEARS", "SEX": "F", "COUNTRY": "CHN"},
        {"STUDYID": "NCT00000001", "DOMAIN": "DM", "USUBJID": "NCT00000001-002", "AGE": 61,
         "AGEU": "YEARS", "SEX": "M", "COUNTRY": "CHN"},
    ),
    keys=("STUDYID", "USUBJID"),
    structure="One record per subject",
    dataset_class="SPECIAL PURPOSE",
)  # fmt: skip

AE = Dataset(
    name="AE",
    label="Adverse Events",
    variables=(
        _v("STUDYID", "Study Identifier", role="Identifier", core="Req"),
        _v("USUBJID", "Unique Subject Identifier", role="Identifier", core="Req"),
        _v("AESEQ", "Sequence Number", "integer", role="Identifier", core="Req"),
        _v("AETERM", "Reported Term for the Adverse Event", role="Topic", origin="Collected"),
        _v("AEDECOD", "Dictionary-Derived Term", role="Synonym Qualifier", origin="Assigned"),
        _v("AESEV", "Severity/Intensity", role="Record Qualifier", codelist="C66769"),
        _v("AESER", "Serious Event", role="Record Qualifier", codelist="C66742"),
        _v("AEOUT", "Outcome of Adverse Event", role="Record Qualifier", codelist="C66768"),
        _v("AESTDTC", "Start Date/Time of Adverse Event", role="Timing", origin="Collected"),
    ),
    rows=(
        {"STUDYID": "NCT00000001", "USUBJID": "NCT00000001-001", "AESEQ": 1,
         "AETERM": "膝关节疼痛 knee pain", "AEDECOD": "Arthralgia", "AESEV": "MILD",
         "AESER": "N", "AEOUT": "RECOVERED/RESOLVED", "AESTDTC": "2025-03"},
    ),
    keys=("STUDYID", "USUBJID", "AEDECOD", "AESTDTC"),
    structure="One record per adverse event per subject",
    dataset_class="EVENTS",
)  # fmt: skip

VS = Dataset(
    name="VS",
    label="Vital Signs",
    variables=(
        _v("STUDYID", "Study Identifier", role="Identifier", core="Req"),
        _v("USUBJID", "Unique Subject Identifier", role="Identifier", core="Req"),
        _v("VSSEQ", "Sequence Number", "integer", role="Identifier", core="Req"),
        _v("VSTESTCD", "Vital Signs Test Short Name", role="Topic", codelist="C66741"),
        _v("VSTEST", "Vital Signs Test Name", role="Synonym Qualifier", codelist="C67153"),
        _v("VSORRES", "Result or Finding in Original Units", role="Result Qualifier"),
        _v("VSORRESU", "Original Units", role="Variable Qualifier", codelist="C66770"),
        _v("VSSTRESN", "Numeric Result/Finding in Standard Units", "float", origin="Derived"),
    ),
    rows=(
        {"STUDYID": "NCT00000001", "USUBJID": "NCT00000001-001", "VSSEQ": 1,
         "VSTESTCD": "SYSBP", "VSTEST": "Systolic Blood Pressure", "VSORRES": "128",
         "VSORRESU": "mmHg", "VSSTRESN": 128.0},
        {"STUDYID": "NCT00000001", "USUBJID": "NCT00000001-001", "VSSEQ": 2,
         "VSTESTCD": "TEMP", "VSTEST": "Temperature", "VSORRES": "36.55",
         "VSORRESU": "C", "VSSTRESN": 36.55},
    ),
    keys=("STUDYID", "USUBJID", "VSTESTCD"),
    structure="One record per vital sign measurement per time point per visit per subject",
    dataset_class="FINDINGS",
)  # fmt: skip

QS = Dataset(
    name="QS",
    label="Questionnaires",
    variables=(
        _v("STUDYID", "Study Identifier", role="Identifier", core="Req"),
        _v("USUBJID", "Unique Subject Identifier", role="Identifier", core="Req"),
        _v("QSTESTCD", "Question Short Name", role="Topic"),
        _v("QSCAT", "Category of Question", role="Grouping Qualifier", codelist="C100129"),
    ),
    rows=(
        {"STUDYID": "NCT00000001", "USUBJID": "NCT00000001-001", "QSTESTCD": "WOMP01",
         "QSCAT": "WOMAC LK 3.1 INDEX"},
        {"STUDYID": "NCT00000001", "USUBJID": "NCT00000001-001", "QSTESTCD": "PAINVAS",
         "QSCAT": "PAIN VAS"},  # sponsor-defined category: an extension of QSCAT
    ),
    keys=("STUDYID", "USUBJID", "QSCAT", "QSTESTCD"),
    structure="One record per questionnaire per question per time point per visit per subject",
    dataset_class="FINDINGS",
)  # fmt: skip

DATASETS = [DM, AE, VS, QS]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("define")
    return write_define(DATASETS, out, study=STUDY, created=WHEN)


def _root(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def test_it_validates_against_the_define_2_1_schema(written: Path) -> None:
    assert written.name == "define.xml"
    assert schema_errors(written) == []
    root = _root(written)
    assert root.get(f"{DEF}Context") == "Submission"
    mdv = root.find("odm:Study/odm:MetaDataVersion", NS)
    assert mdv is not None and mdv.get(f"{DEF}DefineVersion") == "2.1.0"
    standards = {(s.get("Name"), s.get("Version")) for s in mdv.iterfind(".//def:Standard", NS)}
    assert standards == {("SDTMIG", "3.4"), ("CDISC/NCI", "2025-03-28")}


def test_item_groups_carry_class_structure_keys_and_leaf(written: Path) -> None:
    groups = {g.get("Name"): g for g in _root(written).iterfind(".//odm:ItemGroupDef", NS)}
    assert list(groups) == ["DM", "AE", "VS", "QS"]
    ae = groups["AE"]
    assert ae.get("Purpose") == "Tabulation"
    assert ae.get(f"{DEF}Structure") == "One record per adverse event per subject"
    assert ae.find("def:Class", NS).get("Name") == "EVENTS"  # type: ignore[union-attr]
    keyed = {r.get("ItemOID"): r.get("KeySequence") for r in ae.iterfind("odm:ItemRef", NS)}
    assert keyed["IT.AE.AEDECOD"] == "3" and keyed["IT.AE.AETERM"] is None
    leaf = ae.find("def:leaf", NS)
    assert leaf is not None and leaf.get(f"{{{NS['xlink']}}}href") == "ae.xpt"
    assert groups["DM"].get("Repeating") == "No" and ae.get("Repeating") == "Yes"


def test_item_defs_carry_type_length_label_and_origin(written: Path) -> None:
    items = {i.get("OID"): i for i in _root(written).iterfind(".//odm:ItemDef", NS)}
    term = items["IT.AE.AETERM"]
    assert term.get("DataType") == "text"
    assert term.get("Length") == str(len("膝关节疼痛 knee pain".encode()))  # bytes, as XPT
    label = term.find("odm:Description/odm:TranslatedText", NS)
    assert label is not None and label.text == "Reported Term for the Adverse Event"
    origin = term.find("def:Origin", NS)
    assert origin is not None and origin.attrib == {"Type": "Collected", "Source": "Investigator"}
    stresn = items["IT.VS.VSSTRESN"]
    assert (stresn.get("DataType"), stresn.get("Length"), stresn.get("SignificantDigits")) == (
        "float",
        "4",
        "2",
    )


def test_code_lists_hold_only_ct_terms_or_marked_extensions(written: Path) -> None:
    root = _root(written)
    checked = 0
    for cl in root.iterfind(".//odm:CodeList", NS):
        alias = cl.find("odm:Alias", NS)
        if alias is None:
            continue  # an external dictionary
        ct = terminology.codelist(alias.get("Name", ""))
        for item in [*cl.iterfind("odm:EnumeratedItem", NS), *cl.iterfind("odm:CodeListItem", NS)]:
            value = item.get("CodedValue", "")
            code = item.find("odm:Alias", NS)
            if item.get(f"{DEF}ExtendedValue") == "Yes":
                assert ct.extensible and value not in ct and code is None, value
            else:
                assert code is not None and ct.nci_code(value) == code.get("Name"), value
            checked += 1
    assert checked >= 12
    qscat = root.find(".//odm:CodeList[@OID='CL.QSCAT']", NS)
    assert qscat is not None
    extended = [i.get("CodedValue") for i in qscat if i.get(f"{DEF}ExtendedValue") == "Yes"]
    assert extended == ["PAIN VAS"]


def test_test_codes_are_decoded_with_their_test_names(written: Path) -> None:
    cl = _root(written).find(".//odm:CodeList[@OID='CL.VSTESTCD']", NS)
    assert cl is not None
    decodes = {
        i.get("CodedValue"): i.findtext("odm:Decode/odm:TranslatedText", namespaces=NS)
        for i in cl.iterfind("odm:CodeListItem", NS)
    }
    assert decodes == {"SYSBP": "Systolic Blood Pressure", "TEMP": "Temperature"}


def test_meddra_and_iso_3166_are_external_code_lists(written: Path) -> None:
    root = _root(written)
    external = {
        e.get("Dictionary"): e.get("Version") for e in root.iterfind(".//odm:ExternalCodeList", NS)
    }
    assert external == {"MedDRA": "20.1", "ISO 3166": ""}
    decod = root.find(".//odm:ItemDef[@OID='IT.AE.AEDECOD']/odm:CodeListRef", NS)
    assert decod is not None and decod.get("CodeListOID") == "CL.MedDRA"


def test_the_html_lists_every_dataset_and_variable(written: Path) -> None:
    html = (written.parent / "define.html").read_text(encoding="utf-8")
    for dataset in DATASETS:
        assert dataset.label in html
        for variable in dataset.variables:
            assert f">{variable.name}<" in html or f"{variable.name}</" in html, variable.name
    assert "MILD" in html and "PAIN VAS" in html


def test_a_corrupted_document_fails_naming_the_element() -> None:
    xml = to_xml(build_define(DATASETS, study=STUDY, created=WHEN))
    broken = xml.replace('DataType="integer"', 'DataType="number"', 1).replace(
        'Purpose="Tabulation"', 'Purpose="Tabulation" Colour="red"', 1
    )
    with pytest.raises(FieldErrors) as caught:
        validate_define(broken)
    named = {e.field: e.message for e in caught.value.errors}
    assert set(named) == {
        "/ODM/Study/MetaDataVersion/ItemGroupDef[1]",  # the unknown attribute
        "/ODM/Study/MetaDataVersion/ItemDef[4]",  # the unknown data type
    }
    assert named["/ODM/Study/MetaDataVersion/ItemGroupDef[1]"].startswith("IG.DM: ")
    assert "Colour" in named["/ODM/Study/MetaDataVersion/ItemGroupDef[1]"]
    assert "number" in named["/ODM/Study/MetaDataVersion/ItemDef[4]"]
    with pytest.raises(FieldErrors, match="well-formed"):
        validate_define(xml[:-20])


def test_every_problem_is_named_at_once() -> None:
    bad_ae = AE.with_rows([{**AE.rows[0], "AESEV": "VERY BAD", "AESER": "MAYBE"}])
    no_class = Dataset(name="XX", label="Other", variables=(_v("STUDYID", "Study Identifier"),))
    unknown = Dataset(
        name="YY",
        label="Other",
        variables=(_v("YYCAT", "Category", codelist="C00000", origin="Guessed"),),
        structure="One record per thing",
        dataset_class="EVENTS",
    )
    with pytest.raises(FieldErrors) as caught:
        build_define([bad_ae, no_class, unknown], study=STUDY)
    messages = caught.value.by_field
    assert "VERY BAD" in " ".join(messages["AE.AESEV"])  # AESEV is not extensible
    assert "MAYBE" in " ".join(messages["AE.AESER"])
    assert set(messages) >= {"XX.structure", "XX.dataset_class", "YY.YYCAT"}


def test_an_analysis_standard_makes_analysis_datasets(tmp_path: Path) -> None:
    adsl = Dataset(
        name="ADSL",
        label="Subject-Level Analysis Dataset",
        variables=(
            _v("STUDYID", "Study Identifier", origin="Predecessor"),
            _v("USUBJID", "Unique Subject Identifier", origin="Predecessor"),
            _v("SAFFL", "Safety Population Flag", codelist="C66742", origin="Derived"),
        ),
        rows=({"STUDYID": "S", "USUBJID": "S-001", "SAFFL": "Y"},),
        keys=("STUDYID", "USUBJID"),
        structure="One record per subject",
        dataset_class="SUBJECT LEVEL ANALYSIS DATASET",
    )
    path = write_define([adsl], tmp_path, study=STUDY, standard="ADaMIG 1.3")
    group = _root(path).find(".//odm:ItemGroupDef", NS)
    assert group is not None
    assert (group.get("Purpose"), group.get("Domain")) == ("Analysis", None)
    assert all(r.get("Role") is None for r in group.iterfind("odm:ItemRef", NS))


def test_a_code_list_no_value_of_which_occurs_is_left_out() -> None:
    race = _v("RACE", "Race", role="Record Qualifier", codelist="C74457")
    dm = Dataset(
        name=DM.name,
        label=DM.label,
        variables=(*DM.variables, race),
        rows=DM.rows,  # no RACE collected
        keys=DM.keys,
        structure=DM.structure,
        dataset_class=DM.dataset_class,
    )
    xml = to_xml(build_define([dm], study=STUDY, created=WHEN))
    assert schema_errors(xml) == []
    root = ET.fromstring(xml)
    assert root.find(".//odm:CodeList[@OID='CL.RACE']", NS) is None
    assert root.find(".//odm:ItemDef[@OID='IT.DM.RACE']/odm:CodeListRef", NS) is None
    assert root.find(".//odm:CodeList[@OID='CL.SEX']", NS) is not None
