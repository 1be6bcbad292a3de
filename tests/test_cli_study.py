"""`trialdesk study show | check | new | list` as a user runs them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shared_data import CTGOV_RECORDS, need
from study.conduct_folder import FILES, conduct_folder
from trialdesk.cli import app
from trialdesk.study.loader import BUNDLED, load_study
from trialdesk.study.show import study_text

runner = CliRunner()
RECORD = BUNDLED / "NCT06947746" / "ctgov.json"


def test_show_prints_every_section_of_the_public_page() -> None:
    result = runner.invoke(app, ["study", "show"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for expected in (
        "HiSCs in the Treatment of Rheumatoid Arthritis",
        "Shanghai Changzheng Hospital",
        "Not yet recruiting",
        "Rheumatoid Arthritis (RA)",
        "hiSCs",
        "NCT06947746",
        "15 participants",
        "18 Years to 65 Years",
        "Voluntarily sign the informed consent",
        "Any other condition that is deemed by the investigator",
        "Treatment",
        "Single group",
        "Huji Xu",
        "Shanghai",
        "China",
    ):
        assert expected in " ".join(out.split()), expected
    assert max(len(line) for line in out.splitlines()) <= 100


def test_list_names_the_bundled_study() -> None:
    result = runner.invoke(app, ["study", "list"])
    assert "NCT06947746" in result.stdout


def test_check_passes_the_bundled_study() -> None:
    result = runner.invoke(app, ["study", "check", str(BUNDLED / "NCT06947746")])
    assert result.exit_code == 0, result.stderr
    assert "sound" in result.stdout


BROKEN = """\
study: NCT06947746
windows:
  screening_period: window(screening - days(28), baseline - days(1))
criteria:
  - id: I1
    kind: inclusion
    text: "Voluntarily sign the informed consent;"
    rule: consented(by=screenin)
  - id: I2
    kind: inclusion
    text: "Male or female aged 18-65 years"
    rule: |
      18 <= age(at=screening)
      and history(unicorns)
  - id: I2
    kind: exclusion
    text: "duplicate"
    judgment: x
  - id: E1
    kind: exclusion
    text: "no rule"
"""


def test_check_lists_every_problem_with_file_criterion_and_position(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    folder.mkdir()
    shutil.copy(RECORD, folder / "ctgov.json")
    (folder / "criteria.yaml").write_text(BROKEN)
    result = runner.invoke(app, ["study", "check", str(folder)])
    assert result.exit_code == 2
    err = " ".join(result.stderr.split())
    assert "criteria.yaml:8:24, criterion I1: unknown name 'screenin'" in err
    assert "criteria.yaml:14:19, criterion I2: unknown value set 'unicorns'" in err
    assert "criterion I2, field id: id I2 is used twice" in err
    assert "criterion I2, field kind: I2 is named like an inclusion" in err
    assert "criterion E1: a criterion needs a rule, a review or a judgment" in err
    assert "5 problem(s)" in err


def test_new_from_a_ctgov_record_then_check_and_screen(tmp_path: Path, ra_patients: Path) -> None:
    folder = tmp_path / "NCT06947746-copy"
    result = runner.invoke(app, ["study", "new", str(folder), "--from-ctgov", str(RECORD)])
    assert result.exit_code == 0, result.stderr
    assert (folder / "ctgov.json").read_bytes() == RECORD.read_bytes()
    check = runner.invoke(app, ["study", "check", str(folder)])
    assert check.exit_code == 0, check.stderr
    study = load_study(str(folder))
    assert len(study.criteria.criteria) == 34
    assert all(c.judgment == "not yet encoded" for c in study.criteria.criteria)
    screened = runner.invoke(
        app, ["screen", str(ra_patients), "--study", str(folder), "--format", "json"]
    )
    assert screened.exit_code == 0, screened.stderr
    assert '"verdict": "needs_review"' in screened.stdout


@pytest.mark.parametrize("name", sorted(p.name for p in CTGOV_RECORDS.glob("NCT*.json")) or ["-"])
def test_new_works_on_every_real_record(tmp_path: Path, name: str) -> None:
    record = need(CTGOV_RECORDS / name)
    folder = tmp_path / "s"
    result = runner.invoke(app, ["study", "new", str(folder), "--from-ctgov", str(record)])
    assert result.exit_code == 0, result.stderr
    check = runner.invoke(app, ["study", "check", str(folder)])
    assert check.exit_code == 0, check.stderr


def test_new_refuses_a_folder_in_use(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("keep me")
    result = runner.invoke(app, ["study", "new", str(tmp_path), "--from-ctgov", str(RECORD)])
    assert result.exit_code == 2
    assert (tmp_path / "x.txt").read_text() == "keep me"


# the protocol: `study show` with a schedule, `study check` with warnings ------------------

EYE_STUDY = Path(__file__).resolve().parent / "data" / "studies" / "NCT09900001"


def test_show_adds_the_schedule_grid_the_endpoints_and_what_taking_part_involves() -> None:
    result = runner.invoke(app, ["study", "show"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    flat = " ".join(out.split())
    headings = ["What taking part involves", "Schedule of activities", "Endpoints"]
    at = [out.index(f"{h} ─") for h in headings]
    assert at == sorted(at) and out.index("Study design") < at[0] < out.index("Research sites")
    assert "7 visits after Day 1 (injection)" in flat
    assert "About 24 weeks from day 1 to the last visit" in flat
    grid = out[at[1] : at[2]]
    header = grid.splitlines()[1].split()
    assert header == ["SCR", "D1", "D2", "W1", "W2", "W4", "W8", "W12", "W24", "ET", "UNS"]
    assert "W12 Week 12 · D85 ±7" in " ".join(grid.split())
    assert "Primary (1)" in flat and "Secondary (10)" in flat
    assert "(protocol assumption) Source: [reg] primary endpoint at week 24" in flat
    assert max(len(line) for line in out.splitlines()) <= 100


def test_show_in_chinese() -> None:
    result = runner.invoke(app, ["study", "show", "--lang", "zh-CN"])
    assert result.exit_code == 0, result.stderr
    assert "第24周（研究结束）" in result.stdout and "生命体征" in result.stdout
    english = runner.invoke(app, ["study", "show", "--lang", "en"]).stdout
    assert "第24周（研究结束）" not in english and "Week 24 (end of study)" in english
    wrong = runner.invoke(app, ["study", "show", "--lang", "fr"])
    assert wrong.exit_code == 2
    assert "field --lang: must be one of en, zh-CN, not 'fr'" in wrong.stderr


def test_show_a_study_without_a_schedule_as_before() -> None:
    result = runner.invoke(app, ["study", "show", str(EYE_STUDY)])
    assert result.exit_code == 0, result.stderr
    study = load_study(str(EYE_STUDY))
    rows = [(c.id, c.kind.value, c.text) for c in study.criteria.criteria]
    assert result.stdout == study_text(study.record, rows)
    for heading in ("What taking part involves", "Schedule of activities", "Endpoints"):
        assert heading not in result.stdout


def test_check_prints_warnings_at_their_place_and_passes(tmp_path: Path) -> None:
    schedule = FILES["schedule.yaml"].replace("{en: Week 4, zh-CN: 第4周}", "Week 4")
    folder = conduct_folder(tmp_path, {"schedule.yaml": schedule})
    result = runner.invoke(app, ["study", "check", str(folder)])
    assert result.exit_code == 0, result.stderr
    err = " ".join(result.stderr.split())
    where = f"{folder / 'schedule.yaml'}:27:11, field visits.W4.name"
    assert f"warning: {where}: name has no zh-CN translation" in err
    assert "problem:" not in err
    assert "study folder is sound, with 1 warning(s)" in " ".join(result.stdout.split())


def test_check_prints_problems_then_warnings_and_fails(tmp_path: Path) -> None:
    schedule = FILES["schedule.yaml"].replace("{en: Week 4, zh-CN: 第4周}", "Week 4")
    schedule = schedule.replace("day: 29", "day: 0")
    spare = (
        "id: spare\ntitle: {en: Spare, zh-CN: 备用}\nitems:\n  - {id: x, label: X, type: text}\n"
    )
    folder = conduct_folder(tmp_path, {"schedule.yaml": schedule, "forms/spare.yaml": spare})
    result = runner.invoke(app, ["study", "check", str(folder)])
    assert result.exit_code == 2
    err = " ".join(result.stderr.split())
    problem = err.index(f"problem: {folder / 'schedule.yaml'}:30:10, field visits.W4.day")
    warnings = [
        f"warning: {folder / 'forms' / 'spare.yaml'}:4:20, field items.x.label",
        f"warning: {folder / 'schedule.yaml'}:27:11, field visits.W4.name",
        f"warning: {folder / 'forms' / 'spare.yaml'}:1:1: form spare is not due at any visit",
    ]
    assert all(problem < err.index(w) for w in warnings), err
    assert "1 problem(s) and 3 warning(s)" in err
    assert result.stdout == ""
