"""The shipped CDISC CT subset: its source recorded, its code lists typed, and every CT code
the study's forms name present with the submission value the form uses."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from trialdesk.errors import NotFoundError
from trialdesk.reports.cdisc import sdtm, terminology
from trialdesk.reports.cdisc.terminology import codelist, find
from trialdesk.study.forms import SdtmTarget
from trialdesk.study.loader import load_study


def _targets() -> list[tuple[str, SdtmTarget]]:
    study = load_study()
    return [
        (f"{form.id}.{item.id}", item.sdtm)
        for form in study.forms.values()
        for item in form.items
        if item.sdtm is not None
    ]


def test_the_source_is_recorded() -> None:
    source = terminology.source()
    assert terminology.version == "sdtmct-2025-03-28"
    assert source["package"] == "usdm4"
    assert source["package_version"] == "0.29.0"
    assert source["file"] == "usdm4/ct/cdisc/library_cache/library_cache_all.yaml"
    assert source["read"]  # the date it was read


@pytest.mark.parametrize(
    ("short_name", "code", "value", "term", "extensible"),
    [
        ("ROUTE", "C66729", "INTRA-ARTICULAR", "C38223", True),
        ("LOC", "C74456", "KNEE JOINT", "C32898", True),
        ("LAT", "C99073", "RIGHT", "C25228", True),
        ("FRM", "C66726", "INJECTION, SUSPENSION", "C42995", True),
        ("UNIT", "C71620", "10^6 Therapeutic Cells", "C187973", True),
        ("NY", "C66742", "Y", "C49488", False),  # Y and N stay text, never YAML booleans
        ("NY", "C66742", "N", "C49487", False),
        ("AESEV", "C66769", "MILD", "C41338", False),
        ("NCOMPLT", "C66727", "COMPLETED", "C25250", True),
        ("QSCAT", "C100129", "HAQ-DI WITHOUT VAS", "C132534", True),
        ("QSCAT", "C100129", "WOMAC LK 3.1 INDEX", "C122384", True),
        ("TSPARMCD", "C66738", "AGEMIN", "C49693", True),
    ],
)
def test_code_lists_by_code_and_short_name(
    short_name: str, code: str, value: str, term: str, extensible: bool
) -> None:
    cl = codelist(code)
    assert find(short_name) is cl
    assert (cl.short_name, cl.extensible) == (short_name, extensible)
    assert cl.nci_code(value) == term
    assert value in cl


def test_part_shipped_lists_say_so() -> None:
    assert not find("LBTESTCD").complete
    assert find("LBTESTCD").source_terms > len(find("LBTESTCD").terms)
    assert find("SEX").complete
    assert find("SEX").source_terms == len(find("SEX").terms)


def test_an_unknown_code_list_is_named() -> None:
    with pytest.raises(NotFoundError, match="C00000"):
        codelist("C00000")
    with pytest.raises(NotFoundError, match="NOSUCH"):
        find("NOSUCH")


def _test_codelists(target: SdtmTarget) -> tuple[terminology.CodeList, terminology.CodeList]:
    """The test code and test name lists of a target's domain; questionnaires have one pair
    per instrument (QS: HAQ02TC/HAQ02TN, ...), found by the term's code."""
    if target.domain != "QS":
        return find(f"{target.domain}TESTCD"), find(f"{target.domain}TEST")
    pairs = [
        (find(name), find(name[:-1] + "N"))
        for name in (codelist(code).short_name for code in terminology.codelists())
        if name.endswith("TC") and target.testcd in find(name)
    ]
    assert len(pairs) == 1, f"{target.testcd}: in {len(pairs)} questionnaire code lists"
    return pairs[0]


def test_every_ct_code_of_the_forms_is_shipped_with_the_forms_value() -> None:
    problems = []
    checked = 0
    for where, target in _targets():
        if target.ct is None:
            continue
        checked += 1
        testcd, test = _test_codelists(target)
        if testcd.nci_code(target.testcd or "") != target.ct:
            problems.append(f"{where}: {target.testcd} is not {target.ct} in {testcd.short_name}")
        if target.test and test.nci_code(target.test) != target.ct:
            problems.append(f"{where}: {target.test!r} is not {target.ct} in {test.short_name}")
    assert checked >= 20  # the vital signs and laboratory tests
    assert problems == []


def test_every_unit_location_and_method_of_the_forms_is_ct() -> None:
    units, locations, methods = find("UNIT"), find("LOC"), find("METHOD")
    problems = [
        f"{where}: {value!r} not in {cl.short_name}"
        for where, t in _targets()
        for value, cl in ((t.orresu, units), (t.loc, locations), (t.method, methods))
        if value is not None and value not in cl
    ]
    assert problems == []


def test_every_code_list_the_sdtm_variables_name_is_shipped() -> None:
    table = Path(sdtm.__file__).with_name("sdtmig_3_4.csv")
    if not table.is_file():
        pytest.skip(f"no SDTMIG variable table at {table}")
    lines = [line for line in table.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    named = {
        code.strip()
        for row in csv.DictReader(lines)
        for code in (row["codelist"] or "").split(";")
        if code.strip()
    }
    assert named, "the table names no code list"
    assert sorted(named - set(terminology.codelists())) == []
