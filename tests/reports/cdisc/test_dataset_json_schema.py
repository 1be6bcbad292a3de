"""Dataset-JSON 1.1 against CDISC's published JSON schema (reports/cdisc/datasetjson/).

The simulated trial's SDTM and ADaM packages written as Dataset-JSON (`trialdesk export
sdtm|adam --format json`) validate: against the schema, the specification's rules the
schema cannot express, and their own define.xml. The shipped schema is the one its README
names (SHA-256), and each kind of fault is found and named."""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from reports.cdisc.simulated_trial import simulated
from trialdesk.errors import FieldErrors
from trialdesk.reports.cdisc.datasetjson import (
    SCHEMA,
    check_file,
    check_folder,
    read_define_refs,
    validate_file,
)
from trialdesk.reports.cdisc.datasetjson.check import (
    define_problems,
    document_problems,
    schema_problems,
)
from trialdesk.reports.cdisc.export import write_adam, write_sdtm


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    built = simulated()
    out = tmp_path_factory.mktemp("dataset-json")
    write_sdtm(built.source, out / "sdtm", format="json", datasets=built.sdtm)
    write_adam(built.source, out / "adam", format="json", sdtm=built.sdtm)
    return {"sdtm": out / "sdtm", "adam": out / "adam"}


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sdtm", "adam"])
def test_our_export_validates(packages: dict[str, Path], kind: str) -> None:
    folder = packages[kind]
    files = sorted(folder.glob("*.json"))
    assert len(files) >= (10 if kind == "sdtm" else 4)
    assert [str(p) for p in check_folder(folder)] == []
    validate_file(files[0], define=read_define_refs(folder / "define.xml"))


@pytest.mark.slow
def test_a_file_that_disagrees_with_its_define_xml_is_named(packages: dict[str, Path]) -> None:
    folder = packages["sdtm"]
    define = read_define_refs(folder / "define.xml")
    document = orjson.loads((folder / "vs.json").read_bytes())
    wrong = copy.deepcopy(document)
    wrong["metaDataVersionOID"] = "MDV.1"
    wrong["columns"][0]["dataType"] = "integer"  # STUDYID is text
    wrong["columns"][1], wrong["columns"][2] = wrong["columns"][2], wrong["columns"][1]
    found = [where for where, _ in define_problems(wrong, define)]
    assert found == ["$.metaDataVersionOID", "$.columns", "$.columns STUDYID"]
    wrong["itemGroupOID"] = "IG.NOPE"
    assert "$.itemGroupOID" in [w for w, _ in define_problems(wrong, define)]


def _document() -> dict[str, Any]:
    return {
        "datasetJSONCreationDateTime": "2026-12-01T00:00:00+00:00",
        "datasetJSONVersion": "1.1.0",
        "itemGroupOID": "IG.DM",
        "records": 2,
        "name": "DM",
        "label": "Demographics",
        "columns": [
            {
                "itemOID": "IT.DM.USUBJID",
                "name": "USUBJID",
                "label": "Unique Subject Identifier",
                "dataType": "string",
                "length": 5,
            },
            {"itemOID": "IT.DM.AGE", "name": "AGE", "label": "Age", "dataType": "integer"},
            {"itemOID": "IT.DM.BMI", "name": "BMI", "label": "BMI", "dataType": "double"},
        ],  # fmt: skip
        "rows": [["S-001", 54, 22.5], ["S-002", None, 31]],
    }


def test_a_valid_document_has_no_problem() -> None:
    document = _document()
    assert schema_problems(document) == [] and document_problems(document) == []


@pytest.mark.parametrize(
    ("change", "where", "what"),
    [
        (lambda d: d.pop("records"), "$", "'records' is a required property"),
        (lambda d: d.update(datasetJSONVersion="1.0.0"), "$.datasetJSONVersion", "does not match"),
        (lambda d: d["columns"][1].update(dataType="number"), "$.columns[1].dataType", "is not"),
        (lambda d: d.update(extra=1), "$", "Additional properties are not allowed"),
        (lambda d: d.update(records=3), "$.records", "3, but the file holds 2 rows"),
        (lambda d: d["rows"][0].pop(), "$.rows[0]", "2 values for 3 columns"),
        (lambda d: d["rows"][0].__setitem__(1, "54"), "$.rows[0] AGE", "str '54'"),
        (lambda d: d["rows"][1].__setitem__(1, True), "$.rows[1] AGE", "bool True"),
        (lambda d: d["rows"][0].__setitem__(2, "22.5"), "$.rows[0] BMI", "str '22.5'"),
        (lambda d: d["rows"][1].__setitem__(0, "S-0002"), "$.rows[1] USUBJID", "6 characters"),
        (lambda d: d["columns"][2].update(name="AGE"), "$.columns", "name 'AGE' is given twice"),
    ],
)
def test_each_fault_is_found_where_it_is(change: Any, where: str, what: str) -> None:
    document = _document()
    change(document)
    found = schema_problems(document) + document_problems(document)
    assert any(w == where and what in m for w, m in found), found


def test_every_problem_names_the_file_and_all_are_given_at_once(tmp_path: Path) -> None:
    document = _document()
    document["records"] = 5
    document["rows"][0][1] = "54"
    path = tmp_path / "dm.json"
    path.write_bytes(orjson.dumps(document))
    problems = check_file(path)
    assert [(p.file, p.field) for p in problems] == [
        (str(path), "$.records"),
        (str(path), "$.rows[0] AGE"),
    ]
    with pytest.raises(FieldErrors) as raised:
        validate_file(path)
    assert len(raised.value.errors) == 2 and "dm.json" in str(raised.value)
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    assert check_file(tmp_path / "broken.json")[0].message.startswith("not a JSON file")


def test_the_shipped_schema_is_the_one_its_readme_names() -> None:
    readme = SCHEMA.with_name("README.md").read_text(encoding="utf-8")
    named = re.search(r"SHA-256\s+`([0-9a-f]{64})`", readme)
    assert named is not None
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == named.group(1)
    schema = orjson.loads(SCHEMA.read_bytes())
    assert schema["$schema"] == "https://json-schema.org/draft/2019-09/schema"
    assert "MIT License" in SCHEMA.with_name("dataset.schema.json.LICENSE").read_text()
