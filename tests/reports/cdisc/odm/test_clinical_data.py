"""The collected data as ODM ClinicalData: every stored value of a simulated trial is an
ItemData where its participant, visit, form and row say, the file validates, and odmlib
reads it back; log rows and repeated visits carry their repeat keys."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from odmlib import loader as odm_loader
from odmlib import odm_loader as odm_xml

from trialdesk.errors import FieldErrors
from trialdesk.reports.cdisc.odm.entries import value_text
from trialdesk.reports.cdisc.odm.write import write_odm
from trialdesk.reports.cdisc.xml_schema import ODM_NS

from .conftest import STUDY

Key = tuple[str, str, str | None, str, str | None, str]  # subject, event, repeat, form, row, item


def _stored(books: list[dict[str, Any]]) -> dict[Key, str]:
    """Every non-empty stored value (typed and derived), by where ODM must put it."""
    out: dict[Key, str] = {}
    for book in books:
        for key, content in book["forms"].items():
            visit_key, rest = key.split("/", 1)
            form, row = rest.rsplit("#", 1)
            visit, _, occurrence = visit_key.partition("#")
            event = f"SE.{visit or 'LOG'}"
            repeat = (occurrence or "1") if visit == "UNS" else None
            group_key = row if STUDY.forms[form].repeating else None
            values = dict(content["values"])
            values.update({k: d["value"] for k, d in content["derived"].items()})
            for item, v in values.items():
                if v is not None:
                    out[(book["participant"], event, repeat, f"F.{form}", group_key,
                         f"I.{form}.{item}")] = value_text(v)  # fmt: skip
    return out


def _read_back(path: Path) -> dict[Key, str]:
    """The file as odmlib loads it, flattened to the same keys."""
    reader = odm_loader.ODMLoader(odm_xml.XMLODMLoader(model_package="odm_1_3_2", ns_uri=ODM_NS))
    reader.open_odm_document(str(path))
    document = reader.load_odm()
    out: dict[Key, str] = {}
    counts: Counter[Key] = Counter()
    for subject in document.ClinicalData[0].SubjectData:
        for event in subject.StudyEventData:
            for form in event.FormData:
                for group in form.ItemGroupData:
                    for item in group.ItemData:
                        key = (subject.SubjectKey, event.StudyEventOID, event.StudyEventRepeatKey,
                               form.FormOID, group.ItemGroupRepeatKey, item.ItemOID)  # fmt: skip
                        out[key] = item.Value
                        counts[key] += 1
    assert not [k for k, n in counts.items() if n > 1], "a value written twice"
    return out


def _with_log_and_unscheduled(books: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The books, with two medication rows and a second unscheduled visit added to the
    first (the simulation enters neither)."""
    books = copy.deepcopy(books)
    forms = books[0]["forms"]
    for row, drug in ((1, "methotrexate"), (2, '=HYPERLINK("http://x")')):
        forms[f"/concomitant_medications#{row}"] = {
            "status": "complete", "entered": {}, "derived": {},
            "values": {"medication": drug, "category": "methotrexate", "dose": "15",
                       "ongoing": True},
        }  # fmt: skip
    forms["UNS#2/vital_signs#1"] = {
        "status": "incomplete", "entered": {}, "derived": {},
        "values": {"sysbp": 121, "temp": "37.9", "weight": None},
    }  # fmt: skip
    return books


def test_every_stored_value_is_an_item_data(
    simulated_books: list[dict[str, Any]], tmp_path: Path
) -> None:
    assert len(simulated_books) == 5
    path = write_odm(STUDY, tmp_path / "odm.xml", casebooks=simulated_books)
    expected = _stored(simulated_books)
    assert len(expected) > 1000  # the simulation filled the forms
    assert _read_back(path) == expected
    text = path.read_text(encoding="utf-8")
    assert text.count("<SubjectData ") == 5
    assert text.count("<FormData ") == sum(len(b["forms"]) for b in simulated_books)


def test_log_rows_and_repeated_visits_carry_repeat_keys(
    simulated_books: list[dict[str, Any]], tmp_path: Path
) -> None:
    books = _with_log_and_unscheduled(simulated_books)
    path = write_odm(STUDY, tmp_path / "odm.xml", casebooks=books)  # validates, or raises
    back = _read_back(path)
    assert back == _stored(books)
    subject = books[0]["participant"]
    med = "I.concomitant_medications.medication"
    assert back[(subject, "SE.LOG", None, "F.concomitant_medications", "2", med)].startswith("=")
    assert back[(subject, "SE.UNS", "2", "F.vital_signs", None, "I.vital_signs.sysbp")] == "121"
    assert (subject, "SE.UNS", "2", "F.vital_signs", None, "I.vital_signs.weight") not in back


def test_data_the_study_does_not_define_is_refused_all_at_once(
    simulated_books: list[dict[str, Any]], tmp_path: Path
) -> None:
    books = copy.deepcopy(simulated_books[:1])
    forms = books[0]["forms"]
    forms["D1/vital_signs#1"]["values"]["spo2"] = 98
    forms["D1/no_such_form#1"] = {"status": "complete", "values": {}, "entered": {},
                                  "derived": {}}  # fmt: skip
    forms["W99/vital_signs#1"] = forms["D1/vital_signs#1"]
    with pytest.raises(FieldErrors) as caught:
        write_odm(STUDY, tmp_path / "odm.xml", casebooks=books)
    messages = [f"{e.field}: {e.message}" for e in caught.value.errors]
    assert len(messages) == 3, messages
    assert any("D1/vital_signs#1" in m and "'spo2'" in m for m in messages)
    assert any("no_such_form" in m for m in messages)
    assert any("'W99'" in m for m in messages)
    assert not (tmp_path / "odm.xml").exists()


def test_no_participants_is_an_empty_clinical_data(tmp_path: Path) -> None:
    path = write_odm(STUDY, tmp_path / "odm.xml", casebooks=[])
    text = path.read_text(encoding="utf-8")
    assert 'Granularity="All"' in text and "<SubjectData" not in text
