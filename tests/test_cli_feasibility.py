"""`trialdesk synth` and `trialdesk feasibility` as a feasibility analyst runs them."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from shared_data import SHARED, need
from trialdesk.cli import app

runner = CliRunner()
DATES = ["--screening-date", "2026-03-02", "--baseline-date", "2026-03-16"]


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    result = runner.invoke(app, ["synth", "--persons", "400", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "400 persons" in result.stdout
    return out


def test_synth_is_deterministic(population: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    runner.invoke(app, ["synth", "--persons", "400", "--seed", "3", "--out", str(again)])
    for table in ("person", "measurement", "drug_exposure"):
        a = duckdb.sql(f"SELECT * FROM '{population}/omop/{table}.parquet' ORDER BY ALL").fetchall()
        b = duckdb.sql(f"SELECT * FROM '{again}/omop/{table}.parquet' ORDER BY ALL").fetchall()
        assert a == b


def test_feasibility_table_json_and_candidates(population: Path, tmp_path: Path) -> None:
    source = str(population / "omop.duckdb")
    table = runner.invoke(app, ["feasibility", "--omop", source, *DATES, "--target-knee", "right"])
    assert table.exit_code == 0, table.stderr
    assert "Attrition over 400 persons" in table.stdout
    assert max(len(line) for line in table.stdout.splitlines()) <= 100
    cands = tmp_path / "candidates.csv"
    result = runner.invoke(
        app,
        ["feasibility", "--omop", source, *DATES, "--format", "json", "--candidates", str(cands)],
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["persons"] == 400 and sum(doc["verdicts"].values()) == 400
    rows = doc["attrition"]
    assert [r["criterion"] for r in rows][:3] == ["I1", "I2", "I3"]
    for before, after in zip(rows, rows[1:], strict=False):
        assert after["remaining"] == before["remaining"] - before["removed"]
        assert before["removed"] <= before["alone"]
    final = rows[-1]["remaining"] - rows[-1]["removed"]
    assert final == 400 - doc["verdicts"]["ineligible"]
    with cands.open() as fh:
        listed = list(csv.DictReader(fh))
    assert len(listed) == final
    assert {r["verdict"] for r in listed} <= {"eligible", "incomplete", "needs_review"}


def test_feasibility_on_the_real_synthea27nj_cdm() -> None:
    path = need(SHARED / "omop-synthea27nj-cdm54" / "Synthea27Nj_5.4.zip")
    result = runner.invoke(
        app, ["feasibility", "--omop", str(path), "--screening-date", "2018-01-10", "-f", "json"]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["persons"] == 28


def _broken(population: Path, tmp_path: Path, sql: str) -> str:
    copy = tmp_path / "broken.duckdb"
    shutil.copy(population / "omop.duckdb", copy)
    con = duckdb.connect(str(copy))
    con.execute(sql)
    con.close()
    return str(copy)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DROP TABLE measurement", "missing OMOP table 'measurement'"),
        ("UPDATE cdm_source SET cdm_version = '5.3.1'", "5.3.1"),
        ("DELETE FROM concept", "concept table is empty"),
    ],
)
def test_bad_sources_exit_2_with_one_clear_line(
    population: Path, tmp_path: Path, sql: str, message: str
) -> None:
    source = _broken(population, tmp_path, sql)
    result = runner.invoke(app, ["feasibility", "--omop", source, *DATES])
    assert result.exit_code == 2
    assert message in result.stderr and "broken.duckdb" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("postgresql://nobody@127.0.0.1:1/none", "127.0.0.1"),
        ("/no/such/cdm", "/no/such/cdm"),
    ],
)
def test_unreachable_sources(spec: str, message: str) -> None:
    result = runner.invoke(app, ["feasibility", "--omop", spec, *DATES])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
