"""OMOP population sources: every kind of source on one tiny OMOP set, validation, real data."""

from __future__ import annotations

import csv
import importlib.util
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.csv as pacsv  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]
import pytest
from sqlglot import exp

from shared_data import SHARED, need
from trialdesk.errors import InputError
from trialdesk.feasibility.sources import (
    READ_COLUMNS,
    Source,
    load_into_postgres,
    local_spark_session,
    open_source,
    placeholder,
)

SYNTHEA27NJ = SHARED / "omop-synthea27nj-cdm54" / "Synthea27Nj_5.4.zip"
FIELD_SPEC = SHARED / "omop-cdm-v54-spec" / "OMOP_CDMv5.4_Field_Level.csv"
PG_URLS = ("postgresql://postgres@127.0.0.1:5432/test", "postgresql://root@127.0.0.1:5432/test")

Tables = dict[str, pa.Table]


def _dates(*values: date | None) -> pa.Array:
    return pa.array(list(values), pa.date32())


def tiny_omop() -> Tables:
    """Three persons, a few rows per table; measurement holds the parameter test's rows."""
    none3 = [None, None, None]
    return {
        "person": pa.table(
            {
                "person_id": [1, 2, 3],
                "gender_concept_id": [8507, 8532, 8532],
                "year_of_birth": [1980, 1990, 1955],
                "month_of_birth": [5, None, 12],
                "day_of_birth": [1, None, 24],
                "birth_datetime": pa.array(
                    [datetime(1980, 5, 1), None, datetime(1955, 12, 24)], pa.timestamp("us")
                ),
                "race_concept_id": [0, 0, 0],
                "ethnicity_concept_id": [0, 0, 0],
            }
        ),
        "observation_period": pa.table(
            {
                "observation_period_id": [1, 2, 3],
                "person_id": [1, 2, 3],
                "observation_period_start_date": _dates(*[date(2015, 1, 1)] * 3),
                "observation_period_end_date": _dates(*[date(2024, 12, 31)] * 3),
                "period_type_concept_id": [44814724] * 3,
            }
        ),
        "visit_occurrence": pa.table(
            {
                "visit_occurrence_id": [10, 11, 12],
                "person_id": [1, 2, 3],
                "visit_concept_id": [9202, 9201, 9203],
                "visit_start_date": _dates(date(2024, 1, 10), date(2024, 2, 1), date(2023, 12, 1)),
                "visit_end_date": _dates(date(2024, 1, 10), date(2024, 2, 3), date(2023, 12, 1)),
                "visit_type_concept_id": [44818517] * 3,
            }
        ),
        "condition_occurrence": pa.table(
            {
                "condition_occurrence_id": [1, 2],
                "person_id": [1, 3],
                "condition_concept_id": [80809, 80809],
                "condition_source_concept_id": [45596282, 0],
                "condition_start_date": _dates(date(2019, 3, 1), date(2010, 6, 1)),
                "condition_end_date": _dates(None, date(2012, 1, 1)),
                "condition_type_concept_id": [32020, 32020],
                "visit_occurrence_id": [10, None],
            }
        ),
        "drug_exposure": pa.table(
            {
                "drug_exposure_id": [1],
                "person_id": [1],
                "drug_concept_id": [1305058],
                "drug_source_concept_id": [0],
                "drug_exposure_start_date": _dates(date(2024, 1, 10)),
                "drug_exposure_end_date": _dates(date(2024, 2, 9)),
                "drug_type_concept_id": [38000177],
                "quantity": [4.0],
                "days_supply": [28],
                "route_concept_id": [4132161],
                "visit_occurrence_id": [10],
            }
        ),
        "measurement": pa.table(
            {
                "measurement_id": [1, 2, 3, 4],
                "person_id": [1, 2, 3, 3],
                "measurement_concept_id": [3016723] * 4,
                "measurement_source_concept_id": [0] * 4,
                "measurement_date": _dates(
                    date(2024, 1, 10), date(2024, 2, 1), date(2023, 12, 1), date(2024, 3, 1)
                ),
                "measurement_type_concept_id": [32817] * 4,
                "value_as_number": [1.2, 0.8, 2.0, 1.5],
                "value_as_concept_id": [0] * 4,
                "unit_concept_id": [8840] * 4,
                "unit_source_value": ["mg/dL"] * 4,
                "range_low": [0.6] * 4,
                "range_high": [1.3] * 4,
                "visit_occurrence_id": [10, 11, 12, None],
            }
        ),
        "observation": pa.table(
            {
                "observation_id": [1, 2, 3],
                "person_id": [1, 2, 3],
                "observation_concept_id": [4030450] * 3,
                "observation_source_concept_id": [0] * 3,
                "observation_date": _dates(*[date(2024, 1, 10)] * 3),
                "observation_type_concept_id": [38000280] * 3,
                "value_as_number": pa.array(none3, pa.float64()),  # an empty CSV column
                "value_as_string": ["Never smoker", None, "Former smoker"],
                "value_as_concept_id": [0] * 3,
                "qualifier_concept_id": [0] * 3,
                "unit_source_value": pa.array(none3, pa.string()),
                "unit_concept_id": [0] * 3,
                "visit_occurrence_id": [10, 11, 12],
            }
        ),
        "procedure_occurrence": pa.table(
            {
                "procedure_occurrence_id": [1],
                "person_id": [2],
                "procedure_concept_id": [4203771],
                "procedure_source_concept_id": [0],
                "procedure_date": _dates(date(2021, 5, 5)),
                "procedure_type_concept_id": [38000267],
                "modifier_concept_id": [4080761],
                "visit_occurrence_id": [11],
            }
        ),
        "device_exposure": pa.table(
            {
                "device_exposure_id": [1],
                "person_id": [3],
                "device_concept_id": [4217646],
                "device_source_concept_id": [0],
                "device_exposure_start_date": _dates(date(2009, 1, 11)),
                "device_exposure_end_date": _dates(None),  # empty, as in Synthea27Nj
                "device_type_concept_id": [38000267],
            }
        ),
        "concept": pa.table(
            {
                "concept_id": [8507, 8532, 3016723, 80809, 45596282, 1305058, 8840, 40213306],
                "concept_name": [
                    "MALE",
                    "FEMALE",
                    "Creatinine [Mass/volume] in Serum or Plasma",
                    "Rheumatoid arthritis",
                    "Rheumatoid arthritis, unspecified",
                    "methotrexate",
                    "milligram per deciliter",
                    "hepatitis B vaccine, adult dosage",
                ],
                "domain_id": ["Gender"] * 2
                + ["Measurement", "Condition", "Condition"]
                + ["Drug", "Unit", "Drug"],
                "vocabulary_id": ["Gender", "Gender", "LOINC", "SNOMED", "ICD10CM"]
                + ["RxNorm", "UCUM", "CVX"],
                "concept_class_id": ["Gender"] * 2
                + ["Lab Test", "Disorder", "ICD10 code"]
                + ["Ingredient", "Unit", "CVX"],
                "standard_concept": ["S", "S", "S", "S", None, "S", "S", "S"],
                "concept_code": ["M", "F", "2160-0", "69896004", "M06.9", "6851", "mg/dL", "08"],
                "valid_start_date": _dates(*[date(1970, 1, 1)] * 8),
                "valid_end_date": _dates(*[date(2099, 12, 31)] * 8),
            }
        ),
        "concept_relationship": pa.table(
            {
                "concept_id_1": [45596282],
                "concept_id_2": [80809],
                "relationship_id": ["Maps to"],
                "valid_start_date": _dates(date(1970, 1, 1)),
                "valid_end_date": _dates(date(2099, 12, 31)),
            }
        ),
        "cdm_source": pa.table(
            {
                "cdm_source_name": ["tiny"],
                "cdm_source_abbreviation": ["tiny"],
                "cdm_holder": ["trialdesk tests"],
                "source_release_date": _dates(date(2024, 6, 1)),
                "cdm_release_date": _dates(date(2024, 6, 1)),
                "cdm_version": ["v5.4.0"],
                "cdm_version_concept_id": [756265],
                "vocabulary_version": ["v5.0"],
            }
        ),
    }


def write_csv(tables: Tables, folder: Path, *, upper: bool = True) -> Path:
    """OHDSI style: PERSON.csv with upper-case headers when `upper`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        if upper:
            table = table.rename_columns([c.upper() for c in table.column_names])
        pacsv.write_csv(table, folder / f"{name.upper() if upper else name}.csv")
    return folder


def write_parquet(tables: Tables, folder: Path, *, per_table_dirs: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        if per_table_dirs:  # as Spark writes it: person/part-0.parquet and _SUCCESS
            (folder / name).mkdir()
            pq.write_table(table, folder / name / "part-0.parquet")
            (folder / name / "_SUCCESS").touch()
        else:
            pq.write_table(table, folder / f"{name}.parquet")
    return folder


def write_duckdb(tables: Tables, path: Path, schema: str = "main") -> Path:
    with duckdb.connect(str(path)) as con:
        where = f'"{path.stem}"."{schema}"'  # cdm.duckdb with schema cdm: qualify both
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {where}")
        for name, table in tables.items():
            con.register("arrow_in", table)
            con.execute(f"CREATE TABLE {where}.{name.upper()} AS SELECT * FROM arrow_in")
            con.unregister("arrow_in")
    return path


def write_zip(tables: Tables, path: Path) -> Path:
    """CSV files at the root plus the macOS resource forks that OHDSI's zip carries."""
    staging = write_csv(tables, path.parent / f"{path.stem}-csv")
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(staging.iterdir()):
            archive.write(file, file.name)
            archive.writestr(f"__MACOSX/._{file.name}", b"\x00\x05\x16\x07")
    return path


@pytest.fixture(scope="session")
def omop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("omop")
    tables = tiny_omop()
    write_csv(tables, root / "csv")
    write_parquet(tables, root / "parquet")
    write_parquet(tables, root / "parquet-dirs", per_table_dirs=True)
    write_duckdb(tables, root / "cdm.duckdb", schema="cdm")
    write_zip(tables, root / "cdm.zip")
    return root


@pytest.fixture(scope="session")
def pg_url() -> str:
    try:
        import psycopg
    except ImportError:
        pytest.skip("psycopg is not installed")
    reasons = []
    for url in PG_URLS:
        try:
            psycopg.connect(url, connect_timeout=3).close()
            return url
        except psycopg.Error as error:
            reasons.append(" ".join(str(error).split()))
    pytest.skip(f"PostgreSQL unreachable at {PG_URLS[0]} (or as root): {reasons[0]}")


def _drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def pg_schema(pg_url: str) -> Iterator[str]:
    """A schema of its own for one test, dropped afterwards."""
    schema = f"td_sources_{os.getpid()}_{os.urandom(3).hex()}"
    yield schema
    _drop_schema(pg_url, schema)


@pytest.fixture(scope="session")
def pg_omop(pg_url: str, omop: Path) -> Iterator[str]:
    schema = f"td_sources_{os.getpid()}"
    counts = load_into_postgres(omop / "csv", pg_url, schema)
    assert counts["person"] == 3 and counts["measurement"] == 4
    yield schema
    _drop_schema(pg_url, schema)


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """One local SparkSession for the whole run: the JVM start costs seconds."""
    if importlib.util.find_spec("pyspark") is None:
        pytest.skip("pyspark is not installed")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("no Java runtime for Spark (java not on PATH, JAVA_HOME unset)")
    session = local_spark_session()
    yield session
    session.stop()


KINDS = ["csv", "parquet", "parquet-dirs", "duckdb-file", "zip", "postgres", "spark"]


@pytest.fixture(params=KINDS, scope="module")
def source(request: pytest.FixtureRequest, omop: Path) -> Iterator[Source]:
    """One open source per kind for the module (a Spark source takes seconds to open)."""
    kind = request.param
    if kind == "postgres":
        opened = open_source(
            request.getfixturevalue("pg_url"), schema=request.getfixturevalue("pg_omop")
        )
    elif kind == "spark":
        request.getfixturevalue("spark")
        opened = open_source(str(omop / "parquet-dirs"), engine="spark")
    elif kind == "duckdb-file":
        opened = open_source(str(omop / "cdm.duckdb"), schema="cdm")
    elif kind == "zip":
        opened = open_source(str(omop / "cdm.zip"))
    else:
        opened = open_source(str(omop / kind))
    yield opened
    opened.close()


def scalar(source: Source, sql: str, params: dict[str, object] | None = None) -> object:
    return source.execute(sql, params or {}).column(0).to_pylist()[0]


# --- placeholders -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "rendered"),
    [("duckdb", "$since"), ("postgres", "%(since)s"), ("spark", ":since")],
)
def test_placeholder_renders_the_drivers_named_style(dialect: str, rendered: str) -> None:
    where = exp.column("measurement_date") >= placeholder("since", dialect)
    sql = exp.select("person_id").from_("measurement").where(where).sql(dialect=dialect)
    assert sql == f"SELECT person_id FROM measurement WHERE measurement_date >= {rendered}"


@pytest.mark.parametrize(
    ("name", "dialect"), [("since", "mysql"), ("a b", "duckdb"), ("", "spark")]
)
def test_placeholder_refuses_unknown_dialects_and_odd_names(name: str, dialect: str) -> None:
    with pytest.raises(ValueError):
        placeholder(name, dialect)


# --- every kind of source ---------------------------------------------------------------


def test_source_counts_persons_with_lower_case_columns(source: Source) -> None:
    assert scalar(source, "SELECT COUNT(*) AS n FROM person") == 3
    person = source.execute("SELECT * FROM person ORDER BY person_id", {})
    assert person.column_names[:3] == ["person_id", "gender_concept_id", "year_of_birth"]
    assert set(READ_COLUMNS["measurement"]) <= set(source.tables()["measurement"])


def test_source_reads_typed_columns(source: Source) -> None:
    """Dates are dates, codes stay text (CVX '08'), an empty CSV column is still a number."""
    row = source.execute(
        "SELECT m.measurement_date, m.value_as_number, o.value_as_number AS obs_value"
        " FROM measurement m JOIN observation o ON o.person_id = m.person_id"
        " WHERE m.measurement_id = 1",
        {},
    )
    assert row.column("measurement_date").to_pylist() == [date(2024, 1, 10)]
    assert pa.types.is_floating(row.schema.field("obs_value").type)
    codes = source.execute("SELECT concept_code FROM concept WHERE concept_id = 40213306", {})
    assert codes.column(0).to_pylist() == ["08"]


def count_creatinine_query(dialect: str) -> str:
    """Persons with a value above `above` (twice: also below above + 10) since `since`."""
    value = exp.column("value_as_number")
    query = (
        exp.select(exp.func("COUNT", exp.Distinct(expressions=[exp.column("person_id")])).as_("n"))
        .from_("measurement")
        .where(exp.column("measurement_date") >= placeholder("since", dialect))
        .where(value > placeholder("above", dialect))
        .where(
            value < exp.Add(this=placeholder("above", dialect), expression=exp.Literal.number(10))
        )
    )
    return query.sql(dialect=dialect)


@pytest.mark.parametrize(
    ("since", "above", "persons"),
    [(date(2024, 1, 1), 1.0, 2), (date(2024, 1, 1), 1.3, 1), (date(2023, 1, 1), 0, 3)],
)
def test_named_parameters_bind_alike_on_every_engine(
    source: Source, since: date, above: float, persons: int
) -> None:
    sql = count_creatinine_query(source.dialect)
    assert scalar(source, sql, {"since": since, "above": above}) == persons


def test_percent_signs_in_literals_beside_parameters(source: Source) -> None:
    like = exp.Like(this=exp.column("concept_code"), expression=exp.Literal.string("%-%"))
    query = exp.select(exp.func("COUNT", exp.Star()).as_("n")).from_("concept").where(like)
    query = query.where(exp.column("concept_id") > placeholder("low", source.dialect))
    assert scalar(source, query.sql(dialect=source.dialect), {"low": 3_000_000}) == 1


def test_registered_concept_set_joins_and_replaces(source: Source) -> None:
    sql = (
        "SELECT COUNT(*) AS n FROM measurement m"
        " JOIN cs ON cs.concept_id = m.measurement_concept_id"
    )
    source.register(
        "cs", pa.table({"CONCEPT_ID": pa.array([3016723], pa.int64()), "CODE": ["2160-0"]})
    )
    assert scalar(source, sql) == 4
    assert source.execute("SELECT * FROM cs", {}).column_names == ["concept_id", "code"]
    source.register("cs", pa.table({"concept_id": pa.array([], pa.int64())}))
    assert scalar(source, sql) == 0
    source.register("CodeSet", pa.table({"Code": ["M06.9"]}))  # unquoted in SQL: lower case
    assert scalar(source, "SELECT code FROM codeset") == "M06.9"
    with pytest.raises(ValueError):
        source.register("person", pa.table({"x": [1]}))


# --- specific kinds ---------------------------------------------------------------------


def test_duckdb_file_is_opened_read_only(omop: Path) -> None:
    with open_source(str(omop / "cdm.duckdb"), schema="cdm") as source:
        assert source.description == f"DuckDB file {omop / 'cdm.duckdb'}, schema cdm"
        with pytest.raises(duckdb.Error, match="read-only"):
            source.execute("CREATE TABLE scratch (a INTEGER)", {})
    with pytest.raises(RuntimeError, match="is closed"):
        source.execute("SELECT 1", {})


def test_zip_extracts_to_a_folder_removed_on_close(
    omop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    source = open_source(str(omop / "cdm.zip"))
    extracted = list(tmp_path.iterdir())
    assert len(extracted) == 1
    assert not any(p.name.startswith("._") for p in extracted[0].iterdir())
    source.close()
    assert list(tmp_path.iterdir()) == []


def test_postgres_description_has_no_password(pg_url: str, pg_omop: str) -> None:
    url = pg_url.replace("@", ":s3cret@")  # trust auth: the password is not checked
    with open_source(url, schema=pg_omop) as source:
        assert "s3cret" not in source.description and "s3cret" not in source.spec
        assert source.description.endswith(f", schema {pg_omop}")


def test_postgres_upper_case_tables_read_as_lower_case(
    pg_url: str, pg_schema: str, omop: Path
) -> None:
    import psycopg

    load_into_postgres(omop / "csv", pg_url, pg_schema)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'ALTER TABLE "{pg_schema}".person RENAME TO "PERSON"')
        conn.execute(f'ALTER TABLE "{pg_schema}"."PERSON" RENAME person_id TO "PERSON_ID"')
    with open_source(pg_url, schema=pg_schema) as source:
        assert scalar(source, "SELECT MAX(person_id) AS m FROM person") == 3


def test_load_into_postgres_copies_every_table_of_a_zip(
    pg_url: str, pg_schema: str, omop: Path
) -> None:
    counts = load_into_postgres(omop / "cdm.zip", pg_url, pg_schema)
    assert counts["concept"] == 8 and counts["cdm_source"] == 1 and len(counts) == 12
    with open_source(pg_url, schema=pg_schema) as source:
        assert scalar(source, "SELECT cdm_version FROM cdm_source") == "v5.4.0"


def test_spark_reads_parquet_only(omop: Path) -> None:
    with pytest.raises(InputError, match="Spark reads OMOP tables from Parquet"):
        open_source(str(omop / "csv"), engine="spark")


# --- validation -------------------------------------------------------------------------


def _without(*names: str) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        for name in names:
            del tables[name]

    return change


def _version(version: str) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        cdm = tables["cdm_source"]
        index = cdm.column_names.index("cdm_version")
        tables["cdm_source"] = cdm.set_column(index, "cdm_version", pa.array([version]))

    return change


def _empty(table: str) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        tables[table] = tables[table].slice(0, 0)

    return change


def _drop_column(table: str, column: str) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        tables[table] = tables[table].drop_columns([column])

    return change


BROKEN = {
    "missing table": (_without("measurement"), "missing OMOP table 'measurement': feasibility"),
    "two missing": (
        _without("concept", "measurement"),
        "missing OMOP table 'measurement' (also missing: concept)",
    ),
    "CDM 5.3": (
        _version("5.3.1"),
        "cdm_source.cdm_version is '5.3.1': trialdesk reads OMOP CDM v5.4",
    ),
    "CDM 5.40": (_version("5.40"), "cdm_source.cdm_version is '5.40'"),
    "no version column": (
        _drop_column("cdm_source", "cdm_version"),
        "OMOP table 'cdm_source' has no column 'cdm_version'",
    ),
    "empty concept": (
        _empty("concept"),
        "the concept table is empty: value sets bind to codes and need the vocabulary",
    ),
    "missing column": (
        _drop_column("measurement", "value_as_number"),
        "OMOP table 'measurement' has no column 'value_as_number'",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_validation_names_the_problem_and_the_folder(case: str, tmp_path: Path) -> None:
    change, message = BROKEN[case]
    tables = tiny_omop()
    change(tables)
    folder = write_csv(tables, tmp_path / "cdm")
    with pytest.raises(InputError) as caught:
        open_source(str(folder))
    assert message in caught.value.message
    assert caught.value.file == str(folder)
    assert str(caught.value).startswith(f"{folder}: ")


@pytest.mark.parametrize("version", ["5.4", "v5.4", "V5.4.1", " 5.4.0 ", None])
def test_cdm_versions_accepted(version: str | None, tmp_path: Path) -> None:
    tables = tiny_omop()
    cdm = tables["cdm_source"]
    tables["cdm_source"] = cdm.set_column(
        cdm.column_names.index("cdm_version"), "cdm_version", pa.array([version], pa.string())
    )
    with open_source(str(write_parquet(tables, tmp_path / "cdm"))) as source:
        assert source.dialect == "duckdb"


def test_cdm_source_is_optional(tmp_path: Path) -> None:
    tables = tiny_omop()
    del tables["cdm_source"]
    with open_source(str(write_csv(tables, tmp_path / "cdm", upper=False))) as source:
        assert "cdm_source" not in source.tables()


def test_validation_on_a_duckdb_file_and_its_schemas(omop: Path) -> None:
    spec = str(omop / "cdm.duckdb")
    with pytest.raises(InputError, match="missing OMOP table 'person'") as caught:
        open_source(spec)  # the tables are in schema cdm, not main
    assert caught.value.file == spec
    with pytest.raises(InputError, match="the DuckDB file has no schema 'nope'"):
        open_source(spec, schema="nope")


def test_validation_on_postgres(pg_url: str, pg_schema: str, omop: Path) -> None:
    import psycopg

    load_into_postgres(omop / "parquet", pg_url, pg_schema)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'DROP TABLE "{pg_schema}".device_exposure')
    with pytest.raises(InputError, match="missing OMOP table 'device_exposure'") as caught:
        open_source(pg_url, schema=pg_schema)
    assert caught.value.file == pg_url
    with pytest.raises(InputError, match="PostgreSQL has no schema 'no_such_schema'"):
        open_source(pg_url, schema="no_such_schema")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "postgresql://postgres:s3cret@127.0.0.1:1/test",
            "cannot connect to PostgreSQL: connection failed:",
        ),
        ("postgresql://postgres@127.0.0.1:notaport/test", 'invalid integer value "notaport"'),
        ("postgresql+psycopg://u:s3cret@127.0.0.1:1/test?password=s3cret", "cannot connect"),
    ],
)
def test_bad_or_unreachable_url(spec: str, message: str) -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(InputError, match="cannot connect to PostgreSQL") as caught:
        open_source(spec)
    error = caught.value
    assert message in error.message
    assert "s3cret" not in str(error) and "\n" not in str(error)
    assert error.__cause__ is None and error.__suppress_context__


def test_refused_specs(tmp_path: Path, omop: Path) -> None:
    cases: list[tuple[str, dict[str, str], str]] = [
        (str(tmp_path / "absent"), {}, "no such file or folder"),
        (str(write_text(tmp_path / "cdm.txt")), {}, "not an OMOP source"),
        (str(write_text(tmp_path / "cdm.zip")), {}, "not a readable zip file"),
        (str(write_text(tmp_path / "cdm.duckdb")), {}, "cannot open the DuckDB file"),
        (str(tmp_path), {}, "no OMOP CSV or Parquet files"),
        (str(omop / "csv"), {"engine": "sqlite"}, "unknown engine 'sqlite'"),
        ("postgresql://u:s3cret@127.0.0.1:1/x", {"engine": "spark"}, "runs on PostgreSQL, not"),
        (str(omop / "csv"), {"schema": "cdm"}, "a schema applies to a DuckDB file"),
        (str(omop / "csv"), {"engine": "postgres"}, "needs a postgresql:// URL"),
    ]
    for spec, options, message in cases:
        with pytest.raises(InputError, match=message) as caught:
            open_source(spec, **options)
        assert caught.value.file is not None and "s3cret" not in caught.value.file


def write_text(path: Path) -> Path:
    path.write_text("not data\n")
    return path


def test_two_files_for_one_table(tmp_path: Path) -> None:
    folder = write_csv(tiny_omop(), tmp_path / "cdm")
    shutil.copy(folder / "PERSON.csv", folder / "person.csv")
    with pytest.raises(InputError, match="two files for table 'person'"):
        open_source(str(folder))


def test_read_columns_follow_the_cdm_field_specification() -> None:
    with need(FIELD_SPEC).open(encoding="utf-8-sig", newline="") as handle:
        spec = {
            (row["cdmTableName"].lower(), row["cdmFieldName"].lower()): row["cdmDatatype"].lower()
            for row in csv.DictReader(handle)
        }
    for table, columns in READ_COLUMNS.items():
        for column, kind in columns.items():
            assert (table, column) in spec, f"{table}.{column} is not in CDM v5.4"
            assert spec[table, column].startswith(kind), f"{table}.{column}: {spec[table, column]}"


# --- real data --------------------------------------------------------------------------


def test_synthea27nj_zip_opens_and_validates() -> None:
    with open_source(str(need(SYNTHEA27NJ))) as source:
        assert scalar(source, "select count(*) from person") == 28
        assert scalar(source, "SELECT cdm_version FROM cdm_source") == "5.4"
        creatinine = "SELECT COUNT(*) AS n FROM measurement WHERE measurement_date >= $since"
        assert isinstance(scalar(source, creatinine, {"since": date(2020, 1, 1)}), int)
        device = source.execute("SELECT device_exposure_end_date FROM device_exposure", {})
        assert pa.types.is_date(device.schema.field(0).type)  # an all-empty column in the CSV


def test_synthea27nj_in_postgres(pg_url: str, pg_schema: str) -> None:
    counts = load_into_postgres(need(SYNTHEA27NJ), pg_url, pg_schema)
    assert counts["concept_relationship"] == 266_588
    with open_source(pg_url, schema=pg_schema) as source:
        assert scalar(source, "select count(*) from person") == 28
