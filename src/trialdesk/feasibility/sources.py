"""Population data sources: OMOP CDM v5.4 on DuckDB, PostgreSQL or Spark, behind one interface.

A `Source` runs SQL that `criteria/sql/` generated *for its dialect* (via sqlglot) and returns
a `pyarrow.Table` whose column names are lower case, on every engine. Parameters are always
named and always bound by the engine's driver, never pasted into the text. Build each
placeholder with `placeholder(name, dialect)`: it is an `exp.Placeholder`, which sqlglot's
generators render as

- ``duckdb``:   ``$name``      bound by ``DuckDBPyConnection.sql(query, params={...})``
- ``postgres``: ``%(name)s``   bound by psycopg 3 ``cursor.execute(query, {...})`` (server-side)
- ``spark``:    ``:name``      bound by ``SparkSession.sql(query, args={...})`` (Spark >= 3.4)

(`exp.Parameter` is no use here: sqlglot renders it ``$name`` for PostgreSQL, which is a
positional server parameter psycopg does not fill, and ``${name}`` for Spark, which is text
substitution, not binding.) Values are Python objects: ``datetime.date``, ``int``, ``float``,
``Decimal``, ``str``. The PostgreSQL source doubles every other ``%`` in the text before it
binds, so sqlglot output such as ``LIKE 'a%'`` or ``a % b`` needs no escaping.

`open_source(spec)` opens and validates one OMOP set: a DuckDB file (read-only), a folder of
CSV or Parquet files (views in an in-memory DuckDB), a ``.zip`` of CSV files (extracted to a
temporary folder the source removes on close), a ``postgresql://`` URL, or a Parquet folder
with ``engine="spark"`` (a local SparkSession). The columns trialdesk reads are those of
docs/omop.md, typed as in the CDM v5.4 field specification (`READ_COLUMNS`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import TracebackType
from typing import Protocol, Self

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
from sqlglot import exp

from trialdesk.errors import InputError
from trialdesk.feasibility.duckdb_source import DuckDBSource, _open_path
from trialdesk.feasibility.postgres_source import PostgresSource, _redact_url, load_into_postgres
from trialdesk.feasibility.source_base import _IDENT, _POSTGRES_URL, READ_COLUMNS, _existing_path
from trialdesk.feasibility.spark_source import SparkSource, local_spark_session

__all__ = [
    "DIALECTS",
    "READ_COLUMNS",
    "REQUIRED_TABLES",
    "DuckDBSource",
    "PostgresSource",
    "Source",
    "SparkSource",
    "load_into_postgres",
    "local_spark_session",
    "open_source",
    "placeholder",
    "validate",
]

DIALECTS = ("duckdb", "postgres", "spark")

REQUIRED_TABLES = (
    "person",
    "observation_period",
    "visit_occurrence",
    "condition_occurrence",
    "drug_exposure",
    "measurement",
    "observation",
    "procedure_occurrence",
    "device_exposure",
    "concept",
    "concept_relationship",
)

_VERSION = re.compile(r"v?5\.4(?![0-9])", re.IGNORECASE)


class Source(Protocol):
    """One OMOP CDM v5.4 data set that compiled feasibility SQL runs on."""

    dialect: str  # sqlglot dialect: "duckdb", "postgres" or "spark"
    spec: str  # what was opened (path, or URL without its password): errors name it
    description: str  # for messages: "DuckDB file cdm.duckdb", ...

    def execute(self, sql: str, params: Mapping[str, object]) -> pa.Table:
        """Run one query in this dialect with named parameters; lower-case column names."""
        ...

    def register(self, name: str, table: pa.Table) -> None:
        """Make `table` queryable as `name` (temporary, this source only; replaces)."""
        ...

    def tables(self) -> dict[str, tuple[str, ...]]:
        """The source's tables and their columns, all lower case."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def placeholder(name: str, dialect: str) -> exp.Expression:
    """A named bind parameter for `dialect`: ``$name``, ``%(name)s`` or ``:name`` once rendered."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}: expected one of {', '.join(DIALECTS)}")
    if not _IDENT.fullmatch(name):
        raise ValueError(f"a parameter name is a plain identifier, not {name!r}")
    return exp.Placeholder(this=name)


# --- opening and validation ---------------------------------------------------------------


def validate(source: Source) -> None:
    """Refuse a set trialdesk cannot read: tables, columns, CDM version, vocabulary."""
    tables = source.tables()
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        also = f" (also missing: {', '.join(missing[1:])})" if missing[1:] else ""
        raise InputError(
            f"missing OMOP table '{missing[0]}'{also}: feasibility reads"
            f" {', '.join(REQUIRED_TABLES)}",
            file=source.spec,
        )
    for table, columns in READ_COLUMNS.items():
        for column in columns:
            if table in tables and column not in tables[table]:
                raise InputError(
                    f"OMOP table '{table}' has no column '{column}' (CDM v5.4; see docs/omop.md)",
                    file=source.spec,
                )
    if "cdm_source" in tables:
        found = source.execute("SELECT DISTINCT cdm_version FROM cdm_source", {})
        for value in found.column(0).to_pylist():
            if value is not None and not _VERSION.match(str(value).strip()):
                raise InputError(
                    f"cdm_source.cdm_version is '{value}': trialdesk reads OMOP CDM v5.4",
                    file=source.spec,
                )
    if source.execute("SELECT concept_id FROM concept LIMIT 1", {}).num_rows == 0:
        raise InputError(
            "the concept table is empty: value sets bind to codes and need the vocabulary",
            file=source.spec,
        )


def _open(spec: str, engine: str | None, schema: str | None) -> Source:
    engine = {"postgresql": "postgres"}.get(engine or "", engine)
    is_url = _POSTGRES_URL.match(spec) is not None
    shown = _redact_url(spec) if is_url else spec
    if engine not in (None, *DIALECTS):
        msg = f"unknown engine '{engine}': expected duckdb, postgres or spark"
        raise InputError(msg, file=shown)
    if is_url:
        if engine not in (None, "postgres"):
            raise InputError(f"a PostgreSQL URL runs on PostgreSQL, not {engine}", file=shown)
        return PostgresSource(spec, schema or "public")
    path = _existing_path(spec)
    if engine == "postgres":
        msg = "engine postgres needs a postgresql:// URL (see load_into_postgres)"
        raise InputError(msg, file=spec)
    if schema is not None and not (path.is_file() and path.suffix.lower() in (".duckdb", ".db")):
        raise InputError("a schema applies to a DuckDB file or a PostgreSQL URL", file=spec)
    if engine == "spark":
        if not path.is_dir():
            raise InputError("engine spark reads a folder of Parquet files", file=spec)
        try:
            return SparkSource(path, spec)
        except ImportError:
            raise InputError("Spark sources need pyspark", file=spec) from None
    return _open_path(path, spec, schema)


def open_source(spec: str, *, engine: str | None = None, schema: str | None = None) -> Source:
    """Open and validate an OMOP CDM v5.4 set; see the module docstring for what `spec` is."""
    source = _open(str(spec), engine, schema)
    try:
        validate(source)
    except BaseException:
        source.close()
        raise
    return source
