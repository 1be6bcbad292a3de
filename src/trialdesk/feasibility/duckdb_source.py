"""The DuckDB source: a DuckDB file opened read-only, or in-memory views over a folder (or an
extracted .zip) of OMOP CSV or Parquet files. See `trialdesk.feasibility.sources`.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
import zipfile
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

from trialdesk.errors import InputError
from trialdesk.feasibility.source_base import (
    READ_COLUMNS,
    _BaseSource,
    _check_name,
    _data_files,
    _literal,
    _lower_names,
    _one_line,
    _quote,
)

_DUCKDB_TYPES = {
    "integer": "BIGINT",
    "float": "DOUBLE",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "varchar": "VARCHAR",
}


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


def _open_path(path: Path, spec: str, schema: str | None) -> DuckDBSource:
    """An existing folder, DuckDB file or .zip, by what it is."""
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
