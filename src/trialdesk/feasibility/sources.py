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

import io
import re
import shutil
import tempfile
import weakref
import zipfile
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import duckdb
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.csv as pacsv  # type: ignore[import-untyped, unused-ignore]
from sqlglot import exp

from trialdesk.errors import InputError

if TYPE_CHECKING:
    import psycopg
    from pyspark.sql import SparkSession

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

# The columns trialdesk reads (docs/omop.md, plus each event table's person_id and the
# observation period's dates), with their CDM v5.4 types (OMOP_CDMv5.4_Field_Level.csv):
# i integer, f float, d date, t datetime, s varchar. cdm_source is optional.
_READ = {
    "person": "person_id:i gender_concept_id:i year_of_birth:i month_of_birth:i"
    " day_of_birth:i birth_datetime:t",
    "observation_period": "person_id:i observation_period_start_date:d"
    " observation_period_end_date:d",
    "visit_occurrence": "visit_occurrence_id:i person_id:i visit_concept_id:i"
    " visit_start_date:d visit_end_date:d",
    "condition_occurrence": "person_id:i condition_concept_id:i condition_source_concept_id:i"
    " condition_start_date:d condition_end_date:d visit_occurrence_id:i",
    "drug_exposure": "person_id:i drug_concept_id:i drug_source_concept_id:i"
    " drug_exposure_start_date:d drug_exposure_end_date:d quantity:f days_supply:i"
    " route_concept_id:i visit_occurrence_id:i",
    "measurement": "person_id:i measurement_concept_id:i measurement_source_concept_id:i"
    " measurement_date:d value_as_number:f value_as_concept_id:i unit_concept_id:i"
    " unit_source_value:s range_low:f range_high:f visit_occurrence_id:i",
    "observation": "person_id:i observation_concept_id:i observation_source_concept_id:i"
    " observation_date:d value_as_number:f value_as_concept_id:i value_as_string:s"
    " unit_source_value:s"
    " unit_concept_id:i qualifier_concept_id:i visit_occurrence_id:i",
    "procedure_occurrence": "person_id:i procedure_concept_id:i procedure_source_concept_id:i"
    " procedure_date:d modifier_concept_id:i visit_occurrence_id:i",
    "device_exposure": "person_id:i device_concept_id:i device_source_concept_id:i"
    " device_exposure_start_date:d device_exposure_end_date:d",
    "concept": "concept_id:i concept_name:s vocabulary_id:s concept_code:s",
    "concept_relationship": "concept_id_1:i concept_id_2:i relationship_id:s",
    "cdm_source": "cdm_version:s",
}
_CDM_TYPES = {"i": "integer", "f": "float", "d": "date", "t": "datetime", "s": "varchar"}
READ_COLUMNS: dict[str, dict[str, str]] = {
    table: {c.split(":")[0]: _CDM_TYPES[c.split(":")[1]] for c in spec.split()}
    for table, spec in _READ.items()
}
_DUCKDB_TYPES = {
    "integer": "BIGINT",
    "float": "DOUBLE",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "varchar": "VARCHAR",
}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
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


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _lower_names(table: pa.Table) -> pa.Table:
    return table.rename_columns([str(n).lower() for n in table.column_names])


def _check_name(name: str, tables: Mapping[str, object]) -> None:
    if not _IDENT.fullmatch(name):
        raise ValueError(f"a registered table name is a plain identifier, not {name!r}")
    if name.lower() in tables:
        raise ValueError(f"{name!r} would hide the source's own table of that name")


class _BaseSource:
    dialect: str

    def __init__(self, spec: str, description: str) -> None:
        self.spec = spec
        self.description = description
        self._tables: dict[str, tuple[str, ...]] = {}
        self._closed = False

    def tables(self) -> dict[str, tuple[str, ...]]:
        return dict(self._tables)

    def close(self) -> None:
        raise NotImplementedError

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"{self.description} is closed")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.description}>"


# --- DuckDB -----------------------------------------------------------------------------


class DuckDBSource(_BaseSource):
    """DuckDB: a file opened read-only, or in-memory views over CSV / Parquet files.

    Placeholders: ``$name`` (sqlglot's duckdb rendering of `placeholder`), bound by
    ``connection.sql(query, params={name: value})``. Registered tables are Arrow-backed
    temporary views, which work on a read-only file too.
    """

    dialect = "duckdb"

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        spec: str,
        description: str,
        *,
        workdir: Path | None = None,
    ) -> None:
        super().__init__(spec, description)
        self._con = con
        # The extracted files go at close, or when the source is collected or Python exits.
        self._cleanup = weakref.finalize(self, shutil.rmtree, workdir, True) if workdir else None
        rows = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_catalog = current_database() AND table_schema = current_schema()"
            " ORDER BY table_name, ordinal_position"
        ).fetchall()
        for table, column in rows:
            key = str(table).lower()
            self._tables[key] = (*self._tables.get(key, ()), str(column).lower())

    def execute(self, sql: str, params: Mapping[str, object]) -> pa.Table:
        self._check_open()
        try:
            relation = self._con.sql(sql, params=dict(params) or None)
            if relation is None:
                return pa.table({})
            return _lower_names(relation.to_arrow_table())
        except (duckdb.ConversionException, duckdb.IOException) as error:
            raise InputError(f"cannot read the data: {_one_line(error)}", file=self.spec) from error

    def register(self, name: str, table: pa.Table) -> None:
        self._check_open()
        _check_name(name, self._tables)
        self._con.register(name, _lower_names(table))

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._con.close()
        if self._cleanup is not None:
            self._cleanup()


def _data_files(folder: Path, spec: str) -> dict[str, tuple[Path, str]]:
    """Table name (lower case) -> (file or per-table folder, "csv" | "parquet")."""
    found: dict[str, tuple[Path, str]] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue  # hidden files, macOS "._X.csv" forks, Spark's _SUCCESS
        suffix = entry.suffix.lower()
        if entry.is_file() and suffix in (".csv", ".parquet"):
            table, kind = entry.stem.lower(), suffix[1:]
        elif entry.is_dir() and next(entry.rglob("*.parquet"), None) is not None:
            table, kind = entry.name.lower(), "parquet"
        else:
            continue
        if not _IDENT.fullmatch(table):
            continue
        if table in found:
            other = found[table][0].name
            raise InputError(f"two files for table '{table}': {other} and {entry.name}", file=spec)
        found[table] = (entry, kind)
    if not found:
        raise InputError("no OMOP CSV or Parquet files in this folder", file=spec)
    return found


def _duckdb_view(con: duckdb.DuckDBPyConnection, table: str, path: Path, kind: str) -> None:
    """A view named `table` over one CSV or Parquet file, lower-case columns, typed CSV."""

    def names(reader: str) -> list[str]:
        return [str(r[0]) for r in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]

    if kind == "parquet":
        target = f"{path}/**/*.parquet" if path.is_dir() else str(path)
        reader = f"read_parquet({_literal(target)})"
        columns = names(reader)
    else:
        options = f"{_literal(str(path))}, header = true"
        columns = names(f"read_csv({options})")
        known = READ_COLUMNS.get(table, {})
        types = ", ".join(
            f"{_literal(n)}: {_literal(_DUCKDB_TYPES[known[n.lower()]])}"
            for n in columns
            if n.lower() in known
        )
        reader = f"read_csv({options}, types = {{{types}}})" if types else f"read_csv({options})"
    select = ", ".join(f"{_quote(n)} AS {_quote(n.lower())}" for n in columns)
    con.execute(f"CREATE VIEW {_quote(table)} AS SELECT {select} FROM {reader}")


def _open_folder(folder: Path, spec: str, what: str, workdir: Path | None = None) -> DuckDBSource:
    files = _data_files(folder, spec)
    kinds = sorted({kind for _, kind in files.values()}, reverse=True)
    con = duckdb.connect()
    try:
        for table, (path, kind) in files.items():
            _duckdb_view(con, table, path, kind)
    except duckdb.Error as error:
        con.close()
        raise InputError(f"cannot read the files: {_one_line(error)}", file=spec) from error
    label = "/".join(k.upper() if k == "csv" else k.title() for k in kinds)
    description = f"OMOP {label} {what} {spec} (DuckDB in memory)"
    return DuckDBSource(con, spec, description, workdir=workdir)


def _open_zip(path: Path, spec: str) -> DuckDBSource:
    workdir = Path(tempfile.mkdtemp(prefix="trialdesk-omop-"))
    try:
        with zipfile.ZipFile(path) as archive:
            seen: set[str] = set()
            for member in archive.infolist():
                name = Path(member.filename).name
                if member.is_dir() or "__MACOSX" in member.filename or name.startswith("."):
                    continue
                if Path(name).suffix.lower() not in (".csv", ".parquet"):
                    continue
                if name.lower() in seen:
                    raise InputError(f"two members named {name} in the archive", file=spec)
                seen.add(name.lower())
                with archive.open(member) as data, (workdir / name).open("wb") as out:
                    shutil.copyfileobj(data, out)
        return _open_folder(workdir, spec, "zip", workdir)
    except zipfile.BadZipFile as error:
        shutil.rmtree(workdir, ignore_errors=True)
        raise InputError(f"not a readable zip file: {error}", file=spec) from error
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def _open_duckdb_file(path: Path, spec: str, schema: str | None) -> DuckDBSource:
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise InputError(f"cannot open the DuckDB file: {_one_line(error)}", file=spec) from None
    if schema is not None:
        try:
            con.execute(f"SET schema = {_literal(schema)}")
        except duckdb.Error:
            con.close()
            raise InputError(f"the DuckDB file has no schema '{schema}'", file=spec) from None
    where = f", schema {schema}" if schema else ""
    return DuckDBSource(con, spec, f"DuckDB file {spec}{where}")


# --- PostgreSQL -------------------------------------------------------------------------

_PLACEHOLDER_PERCENT = re.compile(r"%(?!\([A-Za-z_][A-Za-z0-9_]*\)s)")
_PG_ARROW = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    700: pa.float32(),
    701: pa.float64(),
    19: pa.string(),
    25: pa.string(),
    1042: pa.string(),
    1043: pa.string(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
}


def _redact_url(url: str) -> str:
    """The URL without its password (in the authority or as ?password=)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        netloc = f"{userinfo.split(':', 1)[0]}@{host}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "password"])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _connect(url: str) -> psycopg.Connection[tuple[Any, ...]]:
    redacted = _redact_url(url)
    try:
        import psycopg
    except ImportError:
        msg = "PostgreSQL sources need psycopg 3 (psycopg[binary])"
        raise InputError(msg, file=redacted) from None
    conninfo = re.sub(r"^postgres(ql)?\+\w+://", "postgresql://", url)  # SQLAlchemy style
    try:
        return psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
    except psycopg.Error as error:
        reason = _one_line(error)
        password = urlsplit(url).password
        if password:
            reason = reason.replace(password, "***")
        raise InputError(f"cannot connect to PostgreSQL: {reason}", file=redacted) from None


def _pg_type(dtype: pa.DataType) -> str:
    t = pa.types
    for test, name in (
        (t.is_boolean, "boolean"),
        (t.is_int8, "smallint"),
        (t.is_int16, "smallint"),
        (t.is_int32, "integer"),
        (t.is_integer, "bigint"),
        (t.is_floating, "double precision"),
        (t.is_decimal, "numeric"),
        (t.is_date, "date"),
        (t.is_string, "text"),
        (t.is_large_string, "text"),
        (t.is_null, "text"),
    ):
        if test(dtype):
            return name
    if t.is_timestamp(dtype):
        return "timestamptz" if dtype.tz else "timestamp"
    raise InputError(f"no PostgreSQL type for the Arrow type {dtype}")


def _copy_arrow(
    conn: psycopg.Connection[tuple[Any, ...]], target: str, schema: Any, batches: Any
) -> int:
    """CREATE TABLE `target` (already quoted) from an Arrow schema, COPY the batches in."""
    columns = ", ".join(f"{_quote(f.name.lower())} {_pg_type(f.type)}" for f in schema)
    conn.execute(f"CREATE TABLE {target} ({columns})")
    rows = 0
    options = pacsv.WriteOptions(include_header=False)
    with conn.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN (FORMAT csv)") as copy:
        for batch in batches:
            buffer = io.BytesIO()
            pacsv.write_csv(batch, buffer, options)
            copy.write(buffer.getvalue())
            rows += batch.num_rows
    return rows


class PostgresSource(_BaseSource):
    """PostgreSQL through psycopg 3, one connection (autocommit), search_path = `schema`.

    Placeholders: ``%(name)s`` (sqlglot's postgres rendering of `placeholder`), bound
    server-side by ``cursor.execute(query, {name: value})``; every other ``%`` in the text is
    doubled first, so sqlglot's output runs as it is. Registered tables are temporary tables
    (COPY). A table or column whose name is not lower case gets a lower-case temporary view.
    """

    dialect = "postgres"

    def __init__(self, url: str, schema: str = "public") -> None:
        redacted = _redact_url(url)
        super().__init__(redacted, f"PostgreSQL {redacted}, schema {schema}")
        self._conn = _connect(url)
        try:
            self._read_catalog(schema)
        except BaseException:
            self._conn.close()
            raise

    def _read_catalog(self, schema: str) -> None:
        exists = self._conn.execute(
            "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (schema,)
        ).fetchone()
        if exists is None:
            raise InputError(f"PostgreSQL has no schema '{schema}'", file=self.spec)
        self._conn.execute(f"SET search_path TO {_quote(schema)}")
        found = self._conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = %s ORDER BY table_name, ordinal_position",
            (schema,),
        ).fetchall()
        actual: dict[str, list[str]] = {}
        for table, column in found:
            actual.setdefault(str(table), []).append(str(column))
        for table, columns in actual.items():
            key = table.lower()
            if key != table and key in actual:
                continue  # "PERSON" beside person: the lower-case one wins
            self._tables[key] = tuple(c.lower() for c in columns)
            if key != table or any(c != c.lower() for c in columns):
                select = ", ".join(f"{_quote(c)} AS {_quote(c.lower())}" for c in columns)
                self._conn.execute(
                    f"CREATE TEMP VIEW {_quote(key)} AS SELECT {select}"
                    f" FROM {_quote(schema)}.{_quote(table)}"
                )

    def execute(self, sql: str, params: Mapping[str, object]) -> pa.Table:
        self._check_open()
        query = _PLACEHOLDER_PERCENT.sub("%%", sql) if params else sql
        with self._conn.cursor() as cursor:
            cursor.execute(query, dict(params) if params else None)
            if cursor.description is None:
                return pa.table({})
            rows = cursor.fetchall()
            names = [d.name.lower() for d in cursor.description]
            oids = [d.type_code for d in cursor.description]
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        arrays = [
            pa.array(list(c), type=_PG_ARROW.get(o)) for c, o in zip(columns, oids, strict=True)
        ]
        return pa.Table.from_arrays(arrays, names=names)

    def register(self, name: str, table: pa.Table) -> None:
        self._check_open()
        _check_name(name, self._tables)
        table = _lower_names(table)
        target = f"pg_temp.{_quote(name.lower())}"  # unquoted names in queries fold to lower
        with self._conn.transaction():
            self._conn.execute(f"DROP TABLE IF EXISTS {target}")
            _copy_arrow(self._conn, target, table.schema, table.to_batches())

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._conn.close()


def load_into_postgres(source: str | Path, url: str, schema: str) -> dict[str, int]:
    """Copy every table of an OMOP set (folder, zip or DuckDB file) into `schema` by COPY.

    Creates the schema if needed and replaces tables of the same names. Returns rows per
    table. The set is not validated here: `open_source(url, schema=...)` does that.
    """
    if not _IDENT.fullmatch(schema):
        raise InputError(f"a schema name is a plain identifier, not {schema!r}")
    opened = _open(str(source), "duckdb", None)
    if not isinstance(opened, DuckDBSource):
        opened.close()
        raise InputError("load_into_postgres copies a folder, zip or DuckDB file", file=opened.spec)
    counts: dict[str, int] = {}
    with opened, _connect(url) as conn, conn.transaction():
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
        for table in opened.tables():
            target = f"{_quote(schema)}.{_quote(table)}"
            conn.execute(f"DROP TABLE IF EXISTS {target}")
            reader = opened._con.sql(f"SELECT * FROM {_quote(table)}").to_arrow_reader(100_000)
            counts[table] = _copy_arrow(conn, target, reader.schema, reader)
    return counts


# --- Spark ------------------------------------------------------------------------------


def local_spark_session() -> SparkSession:
    """The local SparkSession trialdesk uses: local[2], no UI, 4 shuffle partitions, UTC."""
    from pyspark.sql import SparkSession

    builder: Any = SparkSession.builder
    session: SparkSession = (
        builder.master("local[2]")
        .appName("trialdesk-feasibility")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkSource(_BaseSource):
    """Spark SQL over a Parquet folder: one temporary view per table, in a session of its own.

    Placeholders: ``:name`` (sqlglot's spark rendering of `placeholder`), bound by
    ``spark.sql(query, args={name: value})``. Uses the active SparkSession if there is one
    (or `session`), else starts `local_spark_session()` and stops it on close. Registered
    tables are temporary views over ``createDataFrame(arrow_table)``.
    """

    dialect = "spark"

    def __init__(self, folder: Path, spec: str, session: SparkSession | None = None) -> None:
        super().__init__(spec, f"OMOP Parquet folder {spec} (Spark)")
        files = _data_files(folder, spec)
        csv = [path.name for path, kind in files.values() if kind == "csv"]
        if csv:
            raise InputError(
                f"Spark reads OMOP tables from Parquet, and {csv[0]} is CSV: convert the set"
                " to Parquet, or open the folder with DuckDB",
                file=spec,
            )
        from pyspark.errors import PySparkException
        from pyspark.sql import SparkSession

        try:
            base = session or SparkSession.getActiveSession()
            self._owned = None if base else local_spark_session()
            self._spark = (base or self._owned).newSession()  # type: ignore[union-attr]
            for table, (path, _) in files.items():
                frame = self._spark.read.parquet(str(path))
                frame = frame.toDF(*[c.lower() for c in frame.columns])
                frame.createOrReplaceTempView(table)
                self._tables[table] = tuple(frame.columns)
        except PySparkException as error:
            self.close()
            raise InputError(f"Spark cannot read the set: {_one_line(error)}", file=spec) from None

    def execute(self, sql: str, params: Mapping[str, object]) -> pa.Table:
        self._check_open()
        return _lower_names(self._spark.sql(sql, args=dict(params) or None).toArrow())

    def register(self, name: str, table: pa.Table) -> None:
        self._check_open()
        _check_name(name, self._tables)
        self._spark.createDataFrame(_lower_names(table)).createOrReplaceTempView(name)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if hasattr(self, "_spark"):
            for name in self._spark.catalog.listTables():
                if name.isTemporary:
                    self._spark.catalog.dropTempView(name.name)
        if getattr(self, "_owned", None) is not None:
            self._owned.stop()  # type: ignore[union-attr]


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
    is_url = re.match(r"postgres(ql)?(\+\w+)?://", spec) is not None
    shown = _redact_url(spec) if is_url else spec
    if engine not in (None, *DIALECTS):
        msg = f"unknown engine '{engine}': expected duckdb, postgres or spark"
        raise InputError(msg, file=shown)
    if is_url:
        if engine not in (None, "postgres"):
            raise InputError(f"a PostgreSQL URL runs on PostgreSQL, not {engine}", file=shown)
        return PostgresSource(spec, schema or "public")
    path = Path(spec).expanduser()
    if not path.exists():
        raise InputError("no such file or folder", file=spec)
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
    if path.is_dir():
        return _open_folder(path, spec, "folder")
    suffix = path.suffix.lower()
    if suffix in (".duckdb", ".db"):
        return _open_duckdb_file(path, spec, schema)
    if suffix == ".zip":
        return _open_zip(path, spec)
    raise InputError(
        "not an OMOP source: expected a DuckDB file (.duckdb, .db), a folder of CSV or Parquet"
        " files, a .zip of CSV files, or a postgresql:// URL",
        file=spec,
    )


def open_source(spec: str, *, engine: str | None = None, schema: str | None = None) -> Source:
    """Open and validate an OMOP CDM v5.4 set; see the module docstring for what `spec` is."""
    source = _open(str(spec), engine, schema)
    try:
        validate(source)
    except BaseException:
        source.close()
        raise
    return source
