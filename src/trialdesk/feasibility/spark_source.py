"""The Spark source: Spark SQL over a Parquet folder, and the local SparkSession trialdesk uses.
See `trialdesk.feasibility.sources`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

from trialdesk.errors import InputError
from trialdesk.feasibility.source_base import (
    _BaseSource,
    _check_name,
    _data_files,
    _lower_names,
    _one_line,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


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
