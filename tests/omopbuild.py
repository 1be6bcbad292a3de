"""Build small OMOP CDM v5.4 databases in memory for tests: a vocabulary drawn from the
bundled value sets, and rows written as plain dicts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from trialdesk.clinical.valueset_files import bundled_valuesets
from trialdesk.facts.codesystems import OMOP_VOCABULARIES
from trialdesk.feasibility.sources import READ_COLUMNS, DuckDBSource

URI_TO_VOCAB = {
    uri: vocab for vocab, uri in OMOP_VOCABULARIES.items() if vocab != "RxNorm Extension"
}

# Extra columns the adapter reads beyond what validation requires (row ids, visit source).
ID_COLUMNS = {
    "condition_occurrence": "condition_occurrence_id",
    "measurement": "measurement_id",
    "observation": "observation_id",
    "drug_exposure": "drug_exposure_id",
    "procedure_occurrence": "procedure_occurrence_id",
    "device_exposure": "device_exposure_id",
}


@dataclass
class Vocab:
    """Concepts by a readable key: value set codes, units, results, routes, sides."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, vocabulary: str, code: str, name: str) -> int:
        if key not in self.ids:
            cid = 3_000_000 + len(self.rows)
            self.ids[key] = cid
            self.rows.append(
                {
                    "concept_id": cid,
                    "concept_name": name,
                    "vocabulary_id": vocabulary,
                    "concept_code": code,
                }
            )
        return self.ids[key]

    def __getitem__(self, key: str) -> int:
        return self.ids[key]


def standard_vocab() -> Vocab:
    """One concept for the first plain code of every bundled value set, and the basics."""
    v = Vocab()
    for name, vs in sorted(bundled_valuesets().items()):
        for entry in vs.entries:
            vocab = URI_TO_VOCAB.get(entry.system)
            if vocab is None:
                continue  # a prefix entry (ICD-10 block) stands for itself as a code
            v.add(name, vocab, entry.code, entry.display or name)
            break
    for unit in (
        "mg/dL",
        "umol/L",
        "U/L",
        "kg",
        "[lb_av]",
        "cm",
        "[in_i]",
        "mm[Hg]",
        "kg/m2",
        "10*3/uL",
        "g/dL",
        "{score}",
        "mg/L",
        "mm/h",
    ):
        v.add(f"unit:{unit}", "UCUM", unit, unit)
    v.add("positive", "Meas Value", "LA6576-8", "Positive")
    v.add("negative", "Meas Value", "LA6577-6", "Negative")
    v.add("route:oral", "SNOMED", "26643006", "Oral route")
    v.add("route:iv", "SNOMED", "47625008", "Intravenous route")
    v.add("route:ia", "SNOMED", "12130007", "Intra-articular route")
    v.add("side:left", "SNOMED", "7771000", "Left")
    v.add("side:right", "SNOMED", "24028007", "Right")
    v.add("consent", "HL7 consentscope", "research", "Research")
    v.add("noise:hypertension", "SNOMED", "38341003", "Hypertensive disorder")
    v.add("noise:glucose", "LOINC", "2345-7", "Glucose [Mass/volume] in Serum or Plasma")
    return v


@dataclass
class Cdm:
    vocab: Vocab
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def person(self, pid: int, born: date, sex: str) -> None:
        self.tables["person"].append(
            {
                "person_id": pid,
                "gender_concept_id": 8507 if sex == "male" else 8532,
                "year_of_birth": born.year,
                "month_of_birth": born.month,
                "day_of_birth": born.day,
                "birth_datetime": None,
            }
        )
        self.tables["observation_period"].append(
            {
                "person_id": pid,
                "observation_period_start_date": date(2000, 1, 1),
                "observation_period_end_date": date(2030, 1, 1),
            }
        )

    def row(self, table: str, **values: Any) -> None:
        rows = self.tables[table]
        if table in ID_COLUMNS:
            values.setdefault(ID_COLUMNS[table], len(rows) + 1)
        rows.append(values)

    def source(self) -> DuckDBSource:
        con = duckdb.connect()
        types = {
            "integer": "BIGINT",
            "float": "DOUBLE",
            "date": "DATE",
            "datetime": "TIMESTAMP",
            "varchar": "VARCHAR",
        }
        for table, columns in READ_COLUMNS.items():
            cols = dict(columns)
            if table in ID_COLUMNS:
                cols[ID_COLUMNS[table]] = "integer"
            if table == "visit_occurrence":
                cols["visit_source_concept_id"] = "integer"
            if table == "measurement":
                cols["operator_concept_id"] = "integer"
            ddl = ", ".join(f"{c} {types[t]}" for c, t in cols.items())
            con.execute(f"CREATE TABLE {table} ({ddl})")
            rows = (
                self.vocab.rows
                if table == "concept"
                else [{"cdm_version": "5.4"}]
                if table == "cdm_source"
                else self.tables.get(table, [])
            )
            if rows:
                names = list(cols)
                marks = ", ".join("?" for _ in names)
                con.executemany(
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})",
                    [[r.get(n) for n in names] for r in rows],
                )
        return DuckDBSource(con, "memory", "test CDM (DuckDB in memory)")
