"""One synthetic population, three ways to read it: the evaluator on its FHIR export, the
evaluator on its OMOP tables, and the compiled SQL on DuckDB, PostgreSQL and Spark. Every
person gets the same status on every criterion, and the engines the same counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from trialdesk.criteria.screening import Screener
from trialdesk.criteria.sql.query import STATUS_NAMES
from trialdesk.facts.record import Laterality
from trialdesk.feasibility.population import PopulationStatuses, screen_population
from trialdesk.feasibility.sources import load_into_postgres, open_source
from trialdesk.patients.fhir import read_fhir
from trialdesk.patients.omop import read_omop
from trialdesk.patients.synthetic import generate
from trialdesk.study.loader import load_study

SCREENING, BASELINE = date(2026, 3, 2), date(2026, 3, 16)
DATES = {"screening": SCREENING, "baseline": BASELINE}
STUDY = load_study()
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("population")
    generate(600, 7, out, {"omop", "fhir"})
    return out


@pytest.fixture(scope="module")
def duckdb_statuses(population: Path) -> PopulationStatuses:
    with open_source(str(population / "omop.duckdb")) as source:
        return screen_population(source, STUDY, dates=DATES, parameters={"target_knee": "right"})


def _compare(pop: PopulationStatuses, records: dict[str, object]) -> list[str]:
    screener = Screener(STUDY.criteria, STUDY.valuesets, STUDY.id)
    out = []
    for i, pid in enumerate(pop.person_ids):
        result = screener.screen(
            records[str(pid)],  # type: ignore[arg-type]
            dates=DATES,
            parameters={"target_knee": Laterality.RIGHT},
        )
        for j, c in enumerate(result.criteria):
            sql = STATUS_NAMES[int(pop.statuses[i, j])]
            if sql != c.status.value:
                out.append(f"{pid} {c.criterion.id}: evaluator {c.status.value}, SQL {sql}")
    return out


def test_population_covers_every_status(duckdb_statuses: PopulationStatuses) -> None:
    assert set(np.unique(duckdb_statuses.statuses)) == set(STATUS_NAMES)
    assert {"ineligible", "incomplete", "needs_review"} <= set(duckdb_statuses.verdicts)


def test_evaluator_on_fhir_agrees_with_sql(
    population: Path, duckdb_statuses: PopulationStatuses
) -> None:
    read = read_fhir([population / "fhir"])
    assert read.errors == []
    assert _compare(duckdb_statuses, {r.id: r for r in read.records}) == []


def test_evaluator_on_omop_agrees_with_sql(
    population: Path, duckdb_statuses: PopulationStatuses
) -> None:
    with open_source(str(population / "omop.duckdb")) as source:
        records = {r.id: r for r in read_omop(source)}
    assert _compare(duckdb_statuses, records) == []


def test_postgresql_gives_the_same_statuses(
    population: Path, duckdb_statuses: PopulationStatuses
) -> None:
    psycopg = pytest.importorskip("psycopg")
    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}: {exc}")
    load_into_postgres(population / "omop.duckdb", PG_URL, "td_engines")
    with open_source(PG_URL, schema="td_engines") as source:
        pg = screen_population(source, STUDY, dates=DATES, parameters={"target_knee": "right"})
    assert (pg.person_ids == duckdb_statuses.person_ids).all()
    assert (pg.statuses == duckdb_statuses.statuses).all()


def test_spark_gives_the_same_statuses(
    population: Path, duckdb_statuses: PopulationStatuses
) -> None:
    pytest.importorskip("pyspark")
    import shutil

    if shutil.which("java") is None:
        pytest.skip("no Java runtime: Spark cannot start")
    with open_source(str(population / "omop"), engine="spark") as source:
        spark = screen_population(source, STUDY, dates=DATES, parameters={"target_knee": "right"})
    assert (spark.person_ids == duckdb_statuses.person_ids).all()
    assert (spark.statuses == duckdb_statuses.statuses).all()
