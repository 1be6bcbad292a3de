"""What the population sources share: the columns trialdesk reads, the OMOP file finder, the
small SQL and Arrow helpers, and `_BaseSource`. See `trialdesk.feasibility.sources`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

from trialdesk.errors import InputError

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
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_POSTGRES_URL = re.compile(r"postgres(ql)?(\+\w+)?://")


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


def _existing_path(spec: str) -> Path:
    path = Path(spec).expanduser()
    if not path.exists():
        raise InputError("no such file or folder", file=spec)
    return path
