"""Writing the CDM: one Parquet file per table (appended chunk by chunk) and a DuckDB file.

Column types follow the CDM specification (:mod:`schema`): integer -> int32, float ->
float64, date -> date32, datetime -> timestamp[us], varchar -> string; required columns are
non-nullable fields, so a NULL in one fails loudly instead of writing a broken CDM.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

from trialdesk.patients.synthetic.catalog import VOCABULARY_CONCEPT, C
from trialdesk.patients.synthetic.codes import vocabulary as registry
from trialdesk.patients.synthetic.concepts import VOCABULARIES
from trialdesk.patients.synthetic.frame import NULL, Batch
from trialdesk.patients.synthetic.schema import TABLES, columns

__all__ = ["OmopWriter", "build_duckdb", "static_batches", "to_arrow"]

_TYPES: dict[str, Any] = {
    "i": pa.int32(),
    "f": pa.float64(),
    "d": pa.date32(),
    "t": pa.timestamp("us"),
    "s": pa.string(),
}
_INT32_MAX = np.iinfo(np.int32).max
_US_PER_DAY = 86_400 * 1_000_000


def schema_of(table: str) -> Any:
    return pa.schema(
        [pa.field(c.name, _TYPES[c.kind], nullable=not c.required) for c in columns(table)]
    )


def _array(kind: str, values: np.ndarray[Any, Any]) -> Any:
    if kind in ("i", "d", "t"):
        mask = values == NULL
        present = values[~mask]
        if (
            kind == "i"
            and present.size
            and (present.max() > _INT32_MAX or present.min() < -_INT32_MAX)
        ):
            raise OverflowError("an id or value does not fit the CDM's integer (int32)")
        if kind == "t":
            return pa.array(
                np.where(mask, 0, values) * _US_PER_DAY, type=pa.int64(), mask=mask
            ).cast(pa.timestamp("us"))
        arr = pa.array(np.where(mask, 0, values).astype(np.int32), type=pa.int32(), mask=mask)
        return arr if kind == "i" else arr.cast(pa.date32())
    if kind == "f":
        return pa.array(values, type=pa.float64(), from_pandas=True)
    return pa.array(values, type=pa.string())


def to_arrow(batch: Batch) -> Any:
    """One batch as a pyarrow Table with the CDM columns, in specification order."""
    arrays = []
    for col in columns(batch.table):
        values = batch.cols.get(col.name)
        if values is None:
            arrays.append(pa.nulls(batch.n, type=_TYPES[col.kind]))
        else:
            arrays.append(_array(col.kind, values))
    return pa.Table.from_arrays(arrays, schema=schema_of(batch.table))


class OmopWriter:
    """Parquet files in ``folder``, one per table, written as batches arrive."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._writers: dict[str, Any] = {}
        self.rows: dict[str, int] = {t: 0 for t in TABLES}

    def write(self, batch: Batch) -> None:
        writer = self._writers.get(batch.table)
        if writer is None:
            path = self.folder / f"{batch.table}.parquet"
            writer = pq.ParquetWriter(str(path), schema_of(batch.table), compression="zstd")
            self._writers[batch.table] = writer
        writer.write_table(to_arrow(batch), row_group_size=1 << 20)
        self.rows[batch.table] += batch.n

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def paths(self) -> dict[str, Path]:
        return {t: self.folder / f"{t}.parquet" for t in TABLES}


def static_batches(release: date, vocabulary_version: str) -> list[Batch]:
    """concept, concept_relationship, vocabulary and cdm_source: written once."""
    valid_from = np.int64((date(1970, 1, 1) - date(1970, 1, 1)).days)
    valid_to = np.int64((date(2099, 12, 31) - date(1970, 1, 1)).days)
    vocab = registry()
    concepts = vocab.concepts
    n = len(concepts)
    concept = Batch(
        "concept",
        n,
        {
            "concept_id": np.array([c.id for c in concepts], dtype=np.int64),
            "concept_name": np.array([c.name for c in concepts], dtype=object),
            "domain_id": np.array([c.domain for c in concepts], dtype=object),
            "vocabulary_id": np.array([c.vocabulary for c in concepts], dtype=object),
            "concept_class_id": np.array([c.klass for c in concepts], dtype=object),
            "standard_concept": np.array(
                ["S" if c.standard else None for c in concepts], dtype=object
            ),
            "concept_code": np.array([c.code for c in concepts], dtype=object),
            "valid_start_date": np.full(n, valid_from),
            "valid_end_date": np.full(n, valid_to),
        },
    )
    pairs = vocab.maps_to
    m = len(pairs)
    relationship = Batch(
        "concept_relationship",
        2 * m,
        {
            "concept_id_1": np.array([s for s, _ in pairs] + [t for _, t in pairs], dtype=np.int64),
            "concept_id_2": np.array([t for _, t in pairs] + [s for s, _ in pairs], dtype=np.int64),
            "relationship_id": np.array(["Maps to"] * m + ["Mapped from"] * m, dtype=object),
            "valid_start_date": np.full(2 * m, valid_from),
            "valid_end_date": np.full(2 * m, valid_to),
        },
    )
    vids = list(VOCABULARIES)
    vocabulary = Batch(
        "vocabulary",
        len(vids),
        {
            "vocabulary_id": np.array(vids, dtype=object),
            "vocabulary_name": np.array([VOCABULARIES[v][0] for v in vids], dtype=object),
            "vocabulary_reference": np.array([VOCABULARIES[v][1] for v in vids], dtype=object),
            "vocabulary_version": np.array([vocabulary_version] * len(vids), dtype=object),
            "vocabulary_concept_id": np.array(
                [VOCABULARY_CONCEPT[v] for v in vids], dtype=np.int64
            ),
        },
    )
    day = np.int64((release - date(1970, 1, 1)).days)
    source = Batch(
        "cdm_source",
        1,
        {
            "cdm_source_name": np.array(["trialdesk synthetic hospital population"], dtype=object),
            "cdm_source_abbreviation": np.array(["trialdesk-synth"], dtype=object),
            "cdm_holder": np.array(["trialdesk"], dtype=object),
            "source_description": np.array(
                [
                    "Synthetic adult hospital population enriched with rheumatoid arthritis "
                    "(trialdesk.patients.synthetic); not real patients."
                ],
                dtype=object,
            ),
            "source_release_date": np.array([day]),
            "cdm_release_date": np.array([day]),
            "cdm_version": np.array(["5.4"], dtype=object),
            "cdm_version_concept_id": np.array([C.CDM_54], dtype=np.int64),
            "vocabulary_version": np.array([vocabulary_version], dtype=object),
        },
    )
    return [concept, relationship, vocabulary, source]


def build_duckdb(db_path: Path, parquet: dict[str, Path]) -> None:
    """A DuckDB file holding the same tables as the Parquet files."""
    if db_path.exists():
        db_path.unlink()
    con = duckdb.connect(str(db_path))
    try:
        con.execute("SET threads = 2")
        con.execute("SET enable_progress_bar = false")
        con.execute("SET memory_limit = '2GB'")
        con.execute("SET preserve_insertion_order = true")
        for table, path in parquet.items():
            if table not in TABLES:
                raise ValueError(f"not a CDM table: {table}")
            con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM read_parquet(?)', [str(path)])
    finally:
        con.close()
