"""`trialdesk study show | check | new | list` as a user runs them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shared_data import CTGOV_RECORDS, need
from trialdesk.cli import app
from trialdesk.study.loader import BUNDLED, load_study

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
