"""The forms as ODM 1.3.2 metadata: valid against the schema, a definition for every
visit, form, item and choice, bilingual, with ranges, units, derivations and SDTM targets."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import pytest

from trialdesk.errors import FieldErrors
from trialdesk.reports.cdisc.odm.write import (
    odm_document,
    schema_errors,
    to_xml,
    validate_odm,
)
from trialdesk.reports.cdisc.xml_schema import ODM_NS
from trialdesk.study.loader import Study

from .conftest import STUDY

NS = {"odm": ODM_NS}
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


_WRITTEN: dict[str, str] = {}


def _xml(study: Study) -> str:
    """The metadata document, built once per study folder (a Study is not hashable)."""
    key = str(study.folder)
    if key not in _WRITTEN:
        _WRITTEN[key] = to_xml(odm_document(study, created=CREATED))
    return _WRITTEN[key]


def _root(study: Study) -> ET.Element:
    return ET.fromstring(_xml(study).encode("utf-8"))


def _mdv(study: Study) -> ET.Element:
    found = _root(study).find("odm:Study/odm:MetaDataVersion", NS)
    assert found is not None
    return found


@pytest.mark.parametrize("which", ["default", "small"])
def test_metadata_validates_with_a_definition_per_visit_and_form(
    which: str, small_study: Study
) -> None:
    study = STUDY if which == "default" else small_study
    assert schema_errors(_xml(study)) == []
    mdv = _mdv(study)
    assert study.schedule is not None
    events = {e.get("OID") for e in mdv.findall("odm:StudyEventDef", NS)}
    visits = {f"SE.{v.id}" for v in study.schedule.visits}
    has_log = any(f.repeating for f in study.forms.values())
    assert events == visits | ({"SE.LOG"} if has_log else set())
    forms = {f.get("OID") for f in mdv.findall("odm:FormDef", NS)}
    assert forms == {f"F.{f}" for f in study.forms}
    groups = {g.get("OID"): g.get("Repeating") for g in mdv.findall("odm:ItemGroupDef", NS)}
    assert groups == {f"IG.{f.id}": "Yes" if f.repeating else "No" for f in study.forms.values()}


def test_the_small_study_lacks_what_was_dropped(small_study: Study) -> None:
    mdv = _mdv(small_study)
    assert mdv.find("odm:FormDef[@OID='F.chemistry']", NS) is None
    assert mdv.find("odm:StudyEventDef[@OID='SE.LOG']", NS) is None
    refs = {r.get("FormOID") for r in mdv.iterfind("odm:StudyEventDef/odm:FormRef", NS)}
    assert "F.chemistry" not in refs and "F.vital_signs" in refs


def test_every_item_is_asked_in_english_and_chinese() -> None:
    items = _mdv(STUDY).findall("odm:ItemDef", NS)
    assert len(items) == sum(len(f.items) for f in STUDY.forms.values())
    for item in items:
        langs = {t.get(LANG): t.text for t in item.findall("odm:Question/odm:TranslatedText", NS)}
        assert set(langs) == {"en", "zh-CN"}, item.get("OID")
        assert all(langs.values()), item.get("OID")


def test_every_choice_is_a_coded_value_with_both_decodes() -> None:
    mdv = _mdv(STUDY)
    for form in STUDY.forms.values():
        for item in form.items:
            if not item.choices:
                continue
            oid = f"CL.{form.id}.{item.id}"
            ref = mdv.find(f"odm:ItemDef[@OID='I.{form.id}.{item.id}']/odm:CodeListRef", NS)
            assert ref is not None and ref.get("CodeListOID") == oid
            entries = mdv.findall(f"odm:CodeList[@OID='{oid}']/odm:CodeListItem", NS)
            assert [e.get("CodedValue") for e in entries] == [c.code for c in item.choices]
            for e in entries:
                decodes = e.findall("odm:Decode/odm:TranslatedText", NS)
                assert {d.get(LANG) for d in decodes} == {"en", "zh-CN"}


def test_an_item_carries_its_type_unit_range_and_sdtm_target() -> None:
    mdv = _mdv(STUDY)
    sysbp = mdv.find("odm:ItemDef[@OID='I.vital_signs.sysbp']", NS)
    assert sysbp is not None
    assert (sysbp.get("DataType"), sysbp.get("Length"), sysbp.get("Origin")) == (
        "integer", "3", "Collected",
    )  # fmt: skip
    unit = sysbp.find("odm:MeasurementUnitRef", NS)
    assert unit is not None and unit.get("MeasurementUnitOID") == "MU.mm_Hg"
    units = _root(STUDY).findall("odm:Study/odm:BasicDefinitions/odm:MeasurementUnit", NS)
    assert {u.get("Name") for u in units} >= {"mm[Hg]", "Cel", "10*9/L"}
    checks = {
        (c.get("SoftHard"), c.get("Comparator"), c.findtext("odm:CheckValue", None, NS))
        for c in sysbp.findall("odm:RangeCheck", NS)
    }
    assert {("Hard", "GE", "50"), ("Hard", "LE", "300")} <= checks
    aliases = {(a.get("Context"), a.get("Name")) for a in sysbp.findall("odm:Alias", NS)}
    assert ("SDTM", "VS.SYSBP") in aliases and ("nci:ExtCodeID", "C25298") in aliases


def test_a_derived_item_names_its_calculator() -> None:
    mdv = _mdv(STUDY)
    das28 = mdv.find("odm:ItemDef[@OID='I.disease_activity.das28_esr']", NS)
    assert das28 is not None
    assert das28.get("Origin") == "Derived" and "das28_esr" in (das28.get("Comment") or "")
    assert das28.get("SignificantDigits") == "2"  # DAS28 is reported to 2 decimals
    ref = mdv.find(
        "odm:ItemGroupDef[@OID='IG.disease_activity']/odm:ItemRef"
        "[@ItemOID='I.disease_activity.das28_esr']", NS,
    )  # fmt: skip
    assert ref is not None and ref.get("MethodOID") == "MT.disease_activity.das28_esr"
    method = mdv.find("odm:MethodDef[@OID='MT.disease_activity.das28_esr']", NS)
    assert method is not None and method.get("Type") == "Computation"
    assert "esr=acute_phase.esr" in (method.findtext("odm:FormalExpression", "", NS))


def test_the_unscheduled_visit_repeats_and_the_schedule_is_marked_an_assumption() -> None:
    mdv = _mdv(STUDY)
    uns = mdv.find("odm:StudyEventDef[@OID='SE.UNS']", NS)
    w24 = mdv.find("odm:StudyEventDef[@OID='SE.W24']", NS)
    assert uns is not None and w24 is not None
    assert (uns.get("Repeating"), uns.get("Type")) == ("Yes", "Unscheduled")
    assert (w24.get("Repeating"), w24.get("Type"), w24.get("Category")) == (
        "No", "Scheduled", "FOLLOW-UP",
    )  # fmt: skip
    text = w24.findtext("odm:Description/odm:TranslatedText", "", NS)
    assert "study day 169" in text and "PROTOCOL ASSUMPTION" in text


def test_a_document_that_breaks_the_schema_is_refused_naming_the_element() -> None:
    scheduled = 'Repeating="No" Type="Scheduled"'
    broken = _xml(STUDY).replace(scheduled, 'Repeating="Maybe" Type="Scheduled"', 1)
    with pytest.raises(FieldErrors) as caught:
        validate_odm(broken, where="broken.xml")
    errors = caught.value.errors
    assert len(errors) == 1
    assert "StudyEventDef" in (errors[0].field or "") and "SE.SCR" in errors[0].message
    assert "broken.xml" in str(caught.value.resource)
