from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from trialdesk.errors import StudyError
from trialdesk.study import ctgov
from trialdesk.study.ctgov import (
    LABEL_KINDS,
    CtgovRecord,
    EnrollmentInfo,
    age_range_label,
    enrollment_label,
    healthy_volunteers_label,
    label,
    load_ctgov_record,
    phases_label,
)

from .conftest import RECORDS_DIR

OAS = RECORDS_DIR / "ctg-oas-v2.yaml"

# A file whose name is not the id of the study it holds (see test_record_loads).
NCT_ID_OF_FILE = {"NCT02278341.json": "NCT02552212"}


def test_record_loads(ctgov_record_file: Path) -> None:
    record = load_ctgov_record(ctgov_record_file)
    assert record.nct_id == NCT_ID_OF_FILE.get(ctgov_record_file.name, ctgov_record_file.stem)
    assert record.title
    raw = json.loads(ctgov_record_file.read_bytes())
    assert record.title == raw["protocolSection"]["identificationModule"]["briefTitle"]


def test_record_round_trips_unknown_fields(ctgov_record_file: Path) -> None:
    """Undeclared fields (resultsSection, derivedSection, oversightModule...) survive."""
    raw = json.loads(ctgov_record_file.read_bytes())
    record = load_ctgov_record(ctgov_record_file)
    assert record.model_dump(mode="json", by_alias=True, exclude_unset=True) == raw


def test_bundled_record(bundled_record_path: Path) -> None:
    record = load_ctgov_record(bundled_record_path)
    ps = record.protocolSection
    assert record.nct_id == "NCT06947746"
    assert record.title == "HiSCs in the Treatment of Rheumatoid Arthritis"
    assert ps.statusModule is not None
    assert ps.statusModule.overallStatus == "NOT_YET_RECRUITING"
    assert ps.designModule is not None
    assert ps.designModule.enrollmentInfo == EnrollmentInfo(count=15, type="ESTIMATED")
    assert ps.designModule.phases == ("NA",)
    assert ps.eligibilityModule is not None
    assert ps.eligibilityModule.healthyVolunteers is False
    assert ps.eligibilityModule.minimumAge == "18 Years"
    assert ps.identificationModule.organization is not None
    assert ps.identificationModule.organization.class_ == "OTHER"
    assert record.eligibility_criteria is not None
    assert record.eligibility_criteria.startswith("Inclusion Criteria:")


def test_records_are_frozen(bundled_record_path: Path) -> None:
    record = load_ctgov_record(bundled_record_path)
    with pytest.raises(ValidationError):
        record.hasResults = True


def test_only_nct_id_is_required() -> None:
    record = CtgovRecord.model_validate(
        {"protocolSection": {"identificationModule": {"nctId": "NCT00000001"}}}
    )
    assert record.title == "NCT00000001"
    assert record.eligibility_criteria is None


def _write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "record.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _minimal(**protocol: Any) -> dict[str, Any]:
    section: dict[str, Any] = {"identificationModule": {"nctId": "NCT01234567"}}
    section.update(protocol)
    return {"protocolSection": section}


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (
            {"protocolSection": {"identificationModule": {}}},
            "protocolSection.identificationModule.nctId",
        ),
        ({}, "protocolSection"),
        (
            {"protocolSection": {"identificationModule": {"nctId": "12345"}}},
            "protocolSection.identificationModule.nctId",
        ),
        (
            _minimal(designModule={"enrollmentInfo": {"count": "fifteen"}}),
            "protocolSection.designModule.enrollmentInfo.count",
        ),
        (
            _minimal(armsInterventionsModule={"armGroups": [{"label": "A"}, {"label": 7}]}),
            "protocolSection.armsInterventionsModule.armGroups[1].label",
        ),
        (
            _minimal(eligibilityModule={"healthyVolunteers": "maybe"}),
            "protocolSection.eligibilityModule.healthyVolunteers",
        ),
    ],
)
def test_invalid_record_names_the_field(
    tmp_path: Path, document: dict[str, Any], field: str
) -> None:
    path = _write(tmp_path, json.dumps(document))
    with pytest.raises(StudyError) as caught:
        load_ctgov_record(path)
    assert caught.value.field == field
    assert caught.value.file == str(path)
    assert field in caught.value.message
    assert str(caught.value).startswith(str(path))


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('{"protocolSection": ', "not JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        ("[1, 2]", "JSON object"),
        ("", "not JSON"),
    ],
)
def test_unusable_file(tmp_path: Path, content: str | bytes, words: str) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(StudyError, match=words) as caught:
        load_ctgov_record(path)
    assert caught.value.file == str(path)


def test_json_error_has_position(tmp_path: Path) -> None:
    path = _write(tmp_path, '{\n  "protocolSection": oops\n}')
    with pytest.raises(StudyError) as caught:
        load_ctgov_record(path)
    assert (caught.value.line, caught.value.column) == (2, 22)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StudyError, match="cannot read"):
        load_ctgov_record(tmp_path / "absent.json")


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("Status", "NOT_YET_RECRUITING", "Not yet recruiting"),
        ("Status", "ACTIVE_NOT_RECRUITING", "Active, not recruiting"),
        ("Status", "ENROLLING_BY_INVITATION", "Enrolling by invitation"),
        ("Status", "UNKNOWN", "Unknown status"),
        ("InterventionalAssignment", "SINGLE_GROUP", "Single group assignment"),
        ("InterventionalAssignment", "PARALLEL", "Parallel assignment"),
        ("Phase", "NA", "Not applicable"),
        ("Phase", "PHASE2", "Phase 2"),
        ("Phase", "EARLY_PHASE1", "Early phase 1"),
        ("DesignAllocation", "NA", "Not applicable"),
        ("DesignAllocation", "NON_RANDOMIZED", "Non-randomized"),
        ("DesignMasking", "NONE", "None (open label)"),
        ("DesignMasking", "QUADRUPLE", "Quadruple"),
        ("PrimaryPurpose", "TREATMENT", "Treatment"),
        ("PrimaryPurpose", "BASIC_SCIENCE", "Basic science"),
        ("StudyType", "INTERVENTIONAL", "Interventional"),
        ("InterventionType", "BIOLOGICAL", "Biological"),
        ("InterventionType", "DIAGNOSTIC_TEST", "Diagnostic test"),
        ("Sex", "ALL", "All"),
        ("StandardAge", "OLDER_ADULT", "Older adult"),
        ("ArmGroupType", "PLACEBO_COMPARATOR", "Placebo comparator"),
        ("SecondaryIdType", "EUDRACT_NUMBER", "EudraCT number"),
        ("SecondaryIdType", "NIH", "NIH"),
        ("EnrollmentType", "ESTIMATED", "Estimated"),
        ("RecruitmentStatus", "RECRUITING", "Recruiting"),
    ],
)
def test_label(kind: str, value: str, expected: str) -> None:
    assert label(kind, value) == expected


def test_label_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown enumeration"):
        label("Colour", "RED")


@pytest.mark.parametrize(
    ("minimum", "maximum", "expected"),
    [
        ("18 Years", "65 Years", "18 Years to 65 Years"),
        ("18 Years", None, "18 Years and older"),
        (None, "8 Years", "up to 8 Years"),
        (None, None, "All ages"),
        ("6 Months", "1 Year", "6 Months to 1 Year"),
    ],
)
def test_age_range_label(minimum: str | None, maximum: str | None, expected: str) -> None:
    assert age_range_label(minimum, maximum) == expected


def test_small_labels() -> None:
    assert phases_label(("PHASE2", "PHASE3")) == "Phase 2/Phase 3"
    assert phases_label(None) is None
    assert healthy_volunteers_label(True) == "Accepts healthy volunteers"
    assert healthy_volunteers_label(False) == "Does not accept healthy volunteers"
    assert healthy_volunteers_label(None) is None
    assert enrollment_label(EnrollmentInfo(count=15, type="ESTIMATED")) == (
        "15 participants (estimated)"
    )
    assert enrollment_label(EnrollmentInfo(count=1, type="ACTUAL")) == "1 participant (actual)"
    assert enrollment_label(EnrollmentInfo(type="ACTUAL")) is None
    assert enrollment_label(None) is None


# against the official OpenAPI specification ------------------------------------------

# Model name -> schema name in ctg-oas-v2.yaml, where they differ.
SCHEMA_OF = {
    "CtgovRecord": "Study",
    "MaskingInfo": "MaskingBlock",
    "DateStruct": "PartialDateStruct",
}


@pytest.fixture(scope="module")
def oas_schemas() -> dict[str, Any]:
    if not OAS.is_file():
        pytest.skip(f"no OpenAPI specification at {OAS}")
    spec = yaml.safe_load(OAS.read_text(encoding="utf-8"))
    schemas: dict[str, Any] = spec["components"]["schemas"]
    return schemas


def _models() -> list[type[BaseModel]]:
    return [
        getattr(ctgov, name)
        for name in ctgov.__all__
        if isinstance(getattr(ctgov, name), type) and issubclass(getattr(ctgov, name), BaseModel)
    ]


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_field_names_are_the_api_names(oas_schemas: dict[str, Any], model: type[BaseModel]) -> None:
    schema = oas_schemas[SCHEMA_OF.get(model.__name__, model.__name__)]
    api_names = set(schema.get("properties", {}))
    ours = {info.alias or name for name, info in model.model_fields.items()}
    assert ours <= api_names, f"{model.__name__}: not in the API: {sorted(ours - api_names)}"


def test_every_enum_value_has_a_label(oas_schemas: dict[str, Any]) -> None:
    for kind in sorted(LABEL_KINDS):
        for value in oas_schemas[kind]["enum"]:
            text = label(kind, value)
            assert text and "_" not in text, (kind, value, text)
