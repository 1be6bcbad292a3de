"""The SDV plan (study/sdv_file.py, sdv.yaml): the bundled study's, read and expanded to
the entered items its endpoints rest on; bad input reported all at once, each problem at
its file, line, column and field; `study check` reports them too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trialdesk.errors import StudyError
from trialdesk.study.loader import check_study_all, load_study
from trialdesk.study.protocol import Protocol
from trialdesk.study.sdv_file import EVERY_VISIT, check_sdv, load_sdv

STUDY = load_study()
PROTOCOL = Protocol(STUDY.schedule, STUDY.forms, STUDY.endpoints)


def test_the_bundled_plan_is_a_cited_assumption_with_its_critical_data() -> None:
    plan = STUDY.sdv
    assert plan is not None
    assert plan.assumption and plan.source and "[e6]" in plan.source and "[tc]" in plan.source
    assert (plan.consent, plan.eligibility, plan.adverse_events) == (True, True, True)
    assert plan.forms == {"injection"} and plan.rate_percent == 20
    assert "teae" in plan.endpoints  # the primary endpoint
    # WOMAC pain is a score: its five entered items are critical at week 24 and baseline
    for n in range(1, 6):
        assert plan.critical_items["womac", f"pain_{n}"] == {"W24", "D1"}
    assert plan.critical_item("W24", "womac", "pain_1")
    assert not plan.critical_item("W4", "womac", "pain_1")
    assert plan.critical_item("W4", "injection", "dose")  # a whole form, any visit
    # no derived item is named: the source holds the inputs
    assert ("disease_activity", "das28_crp") not in plan.critical_items
    assert not plan.critical_item("W24", "vital_signs", "sysbp")


BAD = """\
assumption: true
critical:
  consent: maybe
  forms: [injection, no_such_form]
  endpoints: [womac_pain_change, nope]
  items: [womac.pain_9, disease_activity.das28_crp, vital_signs.sysbp, Bad]
  surprise: 1
sample:
  rate_percent: 120
"""


def test_every_problem_is_named_with_its_line_and_column_at_once(tmp_path: Path) -> None:
    (tmp_path / "sdv.yaml").write_text(BAD, encoding="utf-8")
    problems, _ = check_sdv(tmp_path, PROTOCOL)
    assert all(p.file == str(tmp_path / "sdv.yaml") and p.line and p.column for p in problems)
    where = {(p.line, p.column, p.field): p.message for p in problems}
    assert "cite its source" in where[(1, 1, "source")]
    assert "true or false" in where[(3, 12, "critical.consent")]
    assert "no form 'no_such_form'" in where[(4, 22, "critical.forms[1]")]
    assert "no endpoint 'nope'" in where[(5, 34, "critical.endpoints[1]")]
    assert "the primary endpoint teae must be named" in where[(5, 14, "critical.endpoints")]
    assert "has no item 'pain_9'" in where[(6, 11, "critical.items[0]")]
    assert "is derived" in where[(6, 25, "critical.items[1]")]
    assert "form.item" in where[(6, 72, "critical.items[3]")]
    assert "unknown field 'surprise'" in where[(7, 13, "critical.surprise")]
    assert "0 to 100" in where[(9, 17, "sample.rate_percent")]
    assert "needs `seed:`" in where[(9, 3, "sample.seed")]
    assert len(problems) == 11, problems
    with pytest.raises(StudyError) as refused:
        load_sdv(tmp_path, PROTOCOL)
    assert str(refused.value).startswith(f"{tmp_path / 'sdv.yaml'}:1:1")
    assert "(and 10 more: line 3, column 12" in str(refused.value)


def test_a_teae_endpoint_needs_the_adverse_events(tmp_path: Path) -> None:
    (tmp_path / "sdv.yaml").write_text(
        "critical:\n  endpoints: [teae]\nsample: {rate_percent: 10, seed: s}\n", encoding="utf-8"
    )
    ((problem,), _) = check_sdv(tmp_path, PROTOCOL)
    assert problem.field == "critical.adverse_events" and problem.line == 2
    assert "counts adverse events" in problem.message


def test_a_plan_without_endpoint_visits_and_extra_items(tmp_path: Path) -> None:
    (tmp_path / "sdv.yaml").write_text(
        "critical:\n  adverse_events: true\n  endpoints: [teae]\n  items: [vital_signs.sysbp]\n"
        "sample: {rate_percent: 0, seed: s}\n",
        encoding="utf-8",
    )
    plan = load_sdv(tmp_path, PROTOCOL)
    assert plan is not None and plan.critical_items == {("vital_signs", "sysbp"): EVERY_VISIT}
    assert plan.critical_item("W2", "vital_signs", "sysbp")
    assert not plan.sampled(STUDY.id, "01-001", "W2", "vital_signs", 1, "pulse")  # 0%


def test_no_file_no_plan_and_bad_yaml_is_one_problem(tmp_path: Path) -> None:
    assert load_sdv(tmp_path, PROTOCOL) is None and check_sdv(tmp_path, PROTOCOL) == ([], [])
    (tmp_path / "sdv.yaml").write_text("critical: [\n", encoding="utf-8")
    (problem,), _ = check_sdv(tmp_path, PROTOCOL)
    assert "not valid YAML" in problem.message and problem.line is not None


def test_study_check_reports_the_plan(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    shutil.copytree(STUDY.folder, folder)
    assert check_study_all(folder)[0] == []
    (folder / "sdv.yaml").write_text(BAD, encoding="utf-8")
    problems, _ = check_study_all(folder)
    assert len([p for p in problems if p.file == str(folder / "sdv.yaml")]) == 11
