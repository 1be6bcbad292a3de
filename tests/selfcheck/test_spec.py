"""A bad selfcheck section is a StudyError naming the file, the line and the question."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trialdesk.errors import StudyError
from trialdesk.selfcheck import questions
from trialdesk.study.loader import BUNDLED, DEFAULT_STUDY, check_study, load_study


def _study_with(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "study"
    shutil.copytree(BUNDLED / DEFAULT_STUDY, folder)
    file = folder / "criteria.yaml"
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    file.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def _line_of(folder: Path, needle: str) -> int:
    lines = (folder / "criteria.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "question", "message"),
    [
        ("criteria: [I2]", "criteria: [I99]", "age", "unknown criterion 'I99'"),
        (
            "- condition: rheumatoid_arthritis",
            "- condition: rheumatoid",
            "ra_diagnosed",
            "unknown value set 'rheumatoid'",
        ),
        ("answer: month_year", "answer: monthyear", "ra_since", "unknown answer type"),
        (
            "answer: {type: number, unit: cm, min: 100, max: 250}",
            "answer: {type: number, unit: cm}",
            "height",
            "needs unit, min and max",
        ),
        ("when: {sex: female}", "when: {sex: woman}", "pregnancy", "'woman' is not an answer"),
        ('when: {ra_diagnosed: "yes"}', "when: {weight: 3}", "ra_since", "earlier question"),
        ("site_checks: [maybe]", "site_checks: [perhaps]", "pregnancy", "'perhaps' is not"),
        (
            "date: {answer: ra_since}",
            "date: {answer: age}",
            "ra_diagnosed",
            "date or month_year or duration",
        ),
        (
            "date: {ago: 1 day}\n\n  - id: methotrexate",
            "date: {ago: yesterday}\n\n  - id: methotrexate",
            "knee_pain",
            "a duration looks like",
        ),
        ("route: oral", "route: by_mouth", "steroid", "route is one of"),
        ("- birth_date: age", "- birth_date: sex", "age", "birth_date needs"),
        ("- id: weight", "- id: height", "height", "used twice"),
        ('    ask: "Have you ever had cancer?"\n', "", "cancer", "needs `ask:`"),
    ],
)
def test_bad_selfcheck_is_reported_where_it_is(
    tmp_path: Path, old: str, new: str, question: str, message: str
) -> None:
    folder = _study_with(tmp_path, old, new)
    with pytest.raises(StudyError) as caught:
        load_study(str(folder))
    err = caught.value
    assert err.file == str((folder / "criteria.yaml").resolve())
    assert err.line is not None and err.line > _line_of(folder, "selfcheck:")
    assert err.field is not None and err.field.startswith(f"selfcheck.{question}")
    assert message in err.message
    assert f"selfcheck.{question}" in str(err) and f"criteria.yaml:{err.line}" in str(err)
    # `trialdesk study check` reports the same problem
    assert any(message in p.message for p in check_study(folder))


def test_a_study_with_a_selfcheck_needs_plain_statements(tmp_path: Path) -> None:
    folder = _study_with(tmp_path, '    plain: "be aged 18 to 65"\n', "")
    with pytest.raises(StudyError) as caught:
        load_study(str(folder))
    assert caught.value.criterion == "I2" and caught.value.field == "plain"
    assert caught.value.line == _line_of(folder, "- id: I2")


def test_a_fact_that_does_not_fit_its_value_set(tmp_path: Path) -> None:
    # value-set kinds and codes need the value sets themselves: checked on first use
    folder = _study_with(tmp_path, "- {device: mri_contraindicated_device", "- {device: malignancy")
    with pytest.raises(StudyError) as caught:
        questions(load_study(str(folder)))
    assert caught.value.field == "selfcheck.implants.facts"
    assert caught.value.line == _line_of(folder, "- {device: malignancy")


def test_a_study_without_selfcheck_loads_as_before(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    shutil.copytree(BUNDLED / DEFAULT_STUDY, folder)
    file = folder / "criteria.yaml"
    text = file.read_text(encoding="utf-8")
    file.write_text(text[: text.index("\nselfcheck:")], encoding="utf-8")
    assert questions(load_study(str(folder))) == ()
