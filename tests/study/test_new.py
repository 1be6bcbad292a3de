from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from trialdesk.errors import StudyError
from trialdesk.study.ctgov import load_ctgov_record
from trialdesk.study.new import NOT_YET_ENCODED, new_study_folder
from trialdesk.study.split import split_criteria


def _load(folder: Path) -> dict[str, Any]:
    document = yaml.safe_load((folder / "criteria.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_new_from_every_record(ctgov_record_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "study"
    assert new_study_folder(ctgov_record_file, folder) == folder
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "criteria.yaml",
        "ctgov.json",
        "participant.yaml",
    ]
    assert (folder / "ctgov.json").read_bytes() == ctgov_record_file.read_bytes()

    record = load_ctgov_record(ctgov_record_file)
    document = _load(folder)
    assert list(document) == ["study", "criteria"]
    assert document["study"] == record.nct_id
    criteria = document["criteria"]
    ids = [c["id"] for c in criteria]
    assert len(ids) == len(set(ids))
    for criterion in criteria:
        assert criterion["judgment"] == NOT_YET_ENCODED
        assert criterion["kind"] in ("inclusion", "exclusion")
        assert list(criterion) in (
            ["id", "kind", "text", "judgment"],
            ["id", "kind", "text", "heading", "judgment"],
        )
    # the texts are the split texts, verbatim through YAML
    expected = split_criteria(record.eligibility_criteria or "")
    assert [(c["id"], c["kind"], c["text"], c.get("heading")) for c in criteria] == [
        (c.id, c.kind, c.text, c.heading) for c in expected
    ]
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert record.nct_id in readme
    assert "not yet encoded" in readme
    if record.eligibility_criteria is None:
        assert criteria == []
        assert "Warning" in readme


def test_new_bundled(bundled_record_path: Path, tmp_path: Path) -> None:
    folder = new_study_folder(bundled_record_path, tmp_path / "NCT06947746")
    document = _load(folder)
    assert document["study"] == "NCT06947746"
    criteria = document["criteria"]
    assert [c["id"] for c in criteria] == [f"I{i}" for i in range(1, 7)] + [
        f"E{i}" for i in range(1, 29)
    ]
    assert criteria[5] == {
        "id": "I6",
        "kind": "inclusion",
        "text": "Background treatment with stable-dose MTX",
        "judgment": "not yet encoded",
    }
    raw = (folder / "criteria.yaml").read_text(encoding="utf-8")
    assert "kg/m²" in raw  # allow_unicode: no \xB2 escapes
    assert max(len(line) for line in raw.splitlines()) > 200  # no wrapping of long texts
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "6 inclusion and 28 exclusion criteria" in readme
    assert "`rule:`" in readme or "rule:" in readme
    assert "review:" in readme


def test_multiline_text_round_trips(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    text = 'Inclusion Criteria:\n\n* Active disease:\n\n  * BASDAI >= 4\n  * Pain: "severe"\n'
    record.write_text(json.dumps(_record(eligibilityCriteria=text)), encoding="utf-8")
    folder = new_study_folder(record, tmp_path / "study")
    criteria = _load(folder)["criteria"]
    assert criteria[0]["text"] == 'Active disease:\n* BASDAI >= 4\n* Pain: "severe"'
    assert "text: |" in (folder / "criteria.yaml").read_text(encoding="utf-8")


def _record(**eligibility: Any) -> dict[str, Any]:
    section: dict[str, Any] = {"identificationModule": {"nctId": "NCT01234567"}}
    if eligibility:
        section["eligibilityModule"] = eligibility
    return {"protocolSection": section}


def test_existing_empty_folder_is_fine(bundled_record_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    new_study_folder(bundled_record_path, folder)
    assert (folder / "criteria.yaml").is_file()


def test_folder_not_empty(bundled_record_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(StudyError, match="not empty") as caught:
        new_study_folder(bundled_record_path, folder)
    assert caught.value.file == str(folder)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_folder_is_a_file(bundled_record_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(StudyError, match="is a file"):
        new_study_folder(bundled_record_path, path)


def test_record_not_json(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_text("<html>Not found</html>", encoding="utf-8")
    folder = tmp_path / "study"
    with pytest.raises(StudyError, match="not JSON") as caught:
        new_study_folder(record, folder)
    assert caught.value.file == str(record)
    assert not folder.exists()


def test_record_invalid(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_text(json.dumps({"protocolSection": {}}), encoding="utf-8")
    with pytest.raises(StudyError) as caught:
        new_study_folder(record, tmp_path / "study")
    assert caught.value.field == "protocolSection.identificationModule"
    assert not (tmp_path / "study").exists()


@pytest.mark.parametrize(
    "document",
    [
        _record(),
        _record(sex="ALL"),
        _record(eligibilityCriteria="  \n"),
    ],
    ids=["no-eligibilityModule", "no-eligibilityCriteria", "blank-eligibilityCriteria"],
)
def test_record_without_criteria(tmp_path: Path, document: dict[str, Any]) -> None:
    record = tmp_path / "record.json"
    record.write_text(json.dumps(document), encoding="utf-8")
    folder = new_study_folder(record, tmp_path / "study")
    assert _load(folder) == {"study": "NCT01234567", "criteria": []}
    readme = (folder / "README.md").read_text(encoding="utf-8")
    warnings = [line for line in readme.splitlines() if "Warning" in line]
    assert len(warnings) == 1
    assert "eligibilityCriteria" in warnings[0]
