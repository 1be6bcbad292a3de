"""The PostgreSQL source (psycopg 3), and `load_into_postgres`, which copies an OMOP set in.
See `trialdesk.feasibility.sources`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.csv as pacsv  # type: ignore[import-untyped, unused-ignore]

from trialdesk.errors import InputError
from trialdesk.feasibility.duckdb_source import _open_path
from trialdesk.feasibility.source_base import (
    _IDENT,
    _POSTGRES_URL,
    _BaseSource,
    _check_name,
    _existing_path,
    _lower_names,
    _one_line,
    _quote,
)

if TYPE_CHECKING:
    import psycopg

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
    spec = str(source)
    if _POSTGRES_URL.match(spec):
        raise InputError("a PostgreSQL URL runs on PostgreSQL, not duckdb", file=_redact_url(spec))
    opened = _open_path(_existing_path(spec), spec, None)
    counts: dict[str, int] = {}
    with opened, _connect(url) as conn, conn.transaction():
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
        for table in opened.tables():
            target = f"{_quote(schema)}.{_quote(table)}"
            conn.execute(f"DROP TABLE IF EXISTS {target}")
            reader = opened._con.sql(f"SELECT * FROM {_quote(table)}").to_arrow_reader(100_000)
            counts[table] = _copy_arrow(conn, target, reader.schema, reader)
    return counts
