"""Synthetic population: determinism, CDM shape, vocabulary, FHIR twin, enrichment, units."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from shared_data import SHARED, need
from trialdesk.criteria.screening import Screener
from trialdesk.facts.laterality import laterality_of
from trialdesk.facts.record import Coding, Fact, FactKind, Laterality, PatientRecord
from trialdesk.patients.fhir import read_fhir
from trialdesk.patients.synthetic import GenerateSummary, generate
from trialdesk.patients.synthetic.schema import CLINICAL_TABLES, TABLES, columns
from trialdesk.study.loader import load_study

SCREENING = date(2026, 3, 2)
BASELINE = date(2026, 3, 16)
SPEC = SHARED / "omop-cdm-v54-spec" / "OMOP_CDMv5.4_Field_Level.csv"
FHIR_FILES = {
    "Patient",
    "Condition",
    "Observation",
    "MedicationRequest",
    "Immunization",
    "Procedure",
    "Device",
    "Encounter",
    "Consent",
    "DeviceUseStatement",
}


@pytest.fixture(scope="module")
def enriched(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerateSummary]:
    """A small population with many RA patients (so every RA path is exercised)."""
    out = tmp_path_factory.mktemp("enriched")
    summary = generate(400, 11, out, {"omop", "fhir"}, ra_share=0.5, chunk_size=150)
    return out, summary


@pytest.fixture(scope="module")
def fhir_records(enriched: tuple[Path, GenerateSummary]) -> list[PatientRecord]:
    result = read_fhir([enriched[0] / "fhir"])
    assert result.errors == []
    return result.records


def con(out: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(out / "omop.duckdb"), read_only=True)


# --- API and arguments --------------------------------------------------------------------


def test_public_api() -> None:
    import trialdesk.patients.synthetic as synthetic

    assert set(synthetic.__all__) == {"FORMATS", "GenerateSummary", "Settings", "generate"}
    assert {"omop", "fhir"} == synthetic.FORMATS


@pytest.mark.parametrize("formats", [set(), {"csv"}, {"omop", "xml"}])
def test_bad_formats_are_refused(tmp_path: Path, formats: set[str]) -> None:
    with pytest.raises(ValueError, match="formats"):
        generate(10, 1, tmp_path, formats)


def test_progress_is_called_per_chunk(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    summary = generate(
        250, 3, tmp_path, {"omop"}, lambda d, t: calls.append((d, t)), chunk_size=100
    )
    assert calls == [(100, 250), (200, 250), (250, 250)]
    assert summary.persons == 250 and summary.rows["person"] == 250
    assert summary.seconds > 0 and summary.resources == {}


def test_summary_counts_rows_and_resources(enriched: tuple[Path, GenerateSummary]) -> None:
    out, summary = enriched
    with con(out) as db:
        for table in TABLES:
            (n,) = db.execute(f'SELECT count(*) FROM "{table}"').fetchone() or (0,)
            assert summary.rows[table] == n, table
    assert set(summary.resources) == FHIR_FILES
    assert {p.stem for p in (out / "fhir").glob("*.ndjson")} == FHIR_FILES
    assert summary.resources["Patient"] == 400
    assert summary.resources["Encounter"] == summary.rows["visit_occurrence"]
    assert summary.resources["Condition"] == summary.rows["condition_occurrence"]
    assert summary.resources["Procedure"] == summary.rows["procedure_occurrence"]
    assert (
        summary.resources["MedicationRequest"] + summary.resources["Immunization"]
        == summary.rows["drug_exposure"]
    )
    assert (
        summary.resources["Observation"] + summary.resources["Consent"]
        == summary.rows["measurement"] + summary.rows["observation"]
    )


# --- determinism --------------------------------------------------------------------------


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path) -> None:
    runs = {}
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        out = tmp_path / name
        generate(300, seed, out, {"omop", "fhir"}, chunk_size=120)
        runs[name] = out
    for table in TABLES:
        a = pq.read_table(runs["a"] / "omop" / f"{table}.parquet")
        b = pq.read_table(runs["b"] / "omop" / f"{table}.parquet")
        assert a.equals(b), table
    for path in (runs["a"] / "fhir").glob("*.ndjson"):
        assert path.read_bytes() == (runs["b"] / "fhir" / path.name).read_bytes(), path.name
    with con(runs["a"]) as a, con(runs["b"]) as b:
        for table in TABLES:
            query = f'SELECT * FROM "{table}" ORDER BY ALL'
            assert a.execute(query).fetchall() == b.execute(query).fetchall(), table
    a = pq.read_table(runs["a"] / "omop" / "person.parquet")
    c = pq.read_table(runs["c"] / "omop" / "person.parquet")
    assert not a.equals(c)


# --- the CDM ------------------------------------------------------------------------------


def test_tables_have_the_cdm_columns(enriched: tuple[Path, GenerateSummary]) -> None:
    out, _ = enriched
    types = {"i": "int32", "f": "double", "d": "date32[day]", "t": "timestamp[us]", "s": "string"}
    for table in TABLES:
        schema = pq.read_schema(out / "omop" / f"{table}.parquet")
        assert schema.names == [c.name for c in columns(table)], table
        for col in columns(table):
            field = schema.field(col.name)
            assert str(field.type) == types[col.kind], (table, col.name)
            assert field.nullable is not col.required, (table, col.name)


def test_columns_follow_the_published_specification() -> None:
    spec = need(SPEC)
    with spec.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    kinds = {"integer": "i", "float": "f", "date": "d", "datetime": "t"}
    for table in TABLES:
        expected = [
            (r["cdmFieldName"], kinds.get(r["cdmDatatype"].lower(), "s"), r["isRequired"] == "Yes")
            for r in rows
            if r["cdmTableName"].lower() == table
        ]
        assert [(c.name, c.kind, c.required) for c in columns(table)] == expected, table


def test_cdm_source_and_well_known_concepts(enriched: tuple[Path, GenerateSummary]) -> None:
    out, _ = enriched
    with con(out) as db:
        assert db.execute("SELECT cdm_version FROM cdm_source").fetchall() == [("5.4",)]
        genders = {
            r[0] for r in db.execute("SELECT DISTINCT gender_concept_id FROM person").fetchall()
        }
        assert genders == {8507, 8532}
        visits = {
            r[0]
            for r in db.execute("SELECT DISTINCT visit_concept_id FROM visit_occurrence").fetchall()
        }
        assert visits == {9201, 9202, 9203, 262}
        names = dict(
            db.execute(
                "SELECT concept_id, concept_name FROM concept WHERE concept_id IN "
                "(8507, 8532, 9201, 9202, 9203, 262)"
            ).fetchall()
        )
        assert names[9201] == "Inpatient Visit" and names[8532] == "FEMALE"


def _concept_columns() -> Iterator[tuple[str, str]]:
    for table in CLINICAL_TABLES:
        for col in columns(table):
            if col.name.endswith("concept_id"):
                yield table, col.name


def test_every_concept_used_is_in_the_concept_table(
    enriched: tuple[Path, GenerateSummary],
) -> None:
    out, _ = enriched
    with con(out) as db:
        known = {r[0] for r in db.execute("SELECT concept_id FROM concept").fetchall()}
        used: set[int] = set()
        for table, col in _concept_columns():
            used |= {
                r[0]
                for r in db.execute(
                    f'SELECT DISTINCT "{col}" FROM "{table}" WHERE "{col}" IS NOT NULL'
                ).fetchall()
            }
        for col in ("cdm_version_concept_id",):
            used |= {r[0] for r in db.execute(f"SELECT {col} FROM cdm_source").fetchall()}
        used |= {
            r[0] for r in db.execute("SELECT vocabulary_concept_id FROM vocabulary").fetchall()
        }
        assert used - known == set()
        vocabularies = {r[0] for r in db.execute("SELECT vocabulary_id FROM vocabulary").fetchall()}
        assert {
            r[0] for r in db.execute("SELECT DISTINCT vocabulary_id FROM concept").fetchall()
        } <= vocabularies
        assert {
            "SNOMED",
            "LOINC",
            "ICD10CM",
            "RxNorm",
            "CVX",
            "UCUM",
            "Gender",
            "Visit",
            "Meas Value",
        } <= vocabularies


def test_icd10cm_source_concepts_map_to_one_snomed_concept(
    enriched: tuple[Path, GenerateSummary],
) -> None:
    out, _ = enriched
    with con(out) as db:
        rows = db.execute(
            "SELECT s.concept_code, s.standard_concept, count(t.concept_id), "
            "min(t.vocabulary_id), min(t.standard_concept) "
            "FROM concept s LEFT JOIN concept_relationship r "
            "ON r.concept_id_1 = s.concept_id AND r.relationship_id = 'Maps to' "
            "LEFT JOIN concept t ON t.concept_id = r.concept_id_2 "
            "WHERE s.vocabulary_id = 'ICD10CM' GROUP BY ALL"
        ).fetchall()
        assert rows and all(r[1] is None and r[2:] == (1, "SNOMED", "S") for r in rows), rows
        # each standard concept is the target of at most one source concept (sides stay apart)
        (most,) = db.execute(
            "SELECT max(n) FROM (SELECT count(*) n FROM concept_relationship "
            "WHERE relationship_id = 'Maps to' GROUP BY concept_id_2)"
        ).fetchone() or (0,)
        assert most == 1
        # ICD-10-CM conditions carry their source concept
        (missing,) = db.execute(
            "SELECT count(*) FROM condition_occurrence co JOIN concept_relationship r "
            "ON r.concept_id_2 = co.condition_concept_id AND r.relationship_id = 'Maps to' "
            "WHERE co.condition_source_concept_id <> r.concept_id_1"
        ).fetchone() or (0,)
        assert missing == 0


def test_events_fall_inside_observation_periods(enriched: tuple[Path, GenerateSummary]) -> None:
    out, _ = enriched
    starts = {
        "visit_occurrence": "visit_start_date",
        "condition_occurrence": "condition_start_date",
        "drug_exposure": "drug_exposure_start_date",
        "measurement": "measurement_date",
        "observation": "observation_date",
        "procedure_occurrence": "procedure_date",
        "device_exposure": "device_exposure_start_date",
    }
    with con(out) as db:
        for table, col in starts.items():
            (outside,) = db.execute(
                f'SELECT count(*) FROM "{table}" JOIN observation_period USING (person_id) '
                f"WHERE {col} NOT BETWEEN observation_period_start_date "
                "AND observation_period_end_date"
            ).fetchone() or (0,)
            assert outside == 0, table
        (bad,) = db.execute(
            "SELECT count(*) FROM visit_occurrence WHERE visit_end_date < visit_start_date"
        ).fetchone() or (0,)
        assert bad == 0


# --- enrichment and realism ---------------------------------------------------------------


def test_ra_patients_and_unit_mix(tmp_path: Path) -> None:
    summary = generate(1000, 21, tmp_path, {"omop"})
    assert summary.rows["person"] == 1000
    with con(tmp_path) as db:
        (ra,) = db.execute(
            "SELECT count(DISTINCT person_id) FROM condition_occurrence co "
            "JOIN concept c ON c.concept_id = co.condition_concept_id "
            "WHERE c.concept_name ILIKE '%rheumatoid arthritis%'"
        ).fetchone() or (0,)
        assert 30 <= ra <= 100  # default enrichment 6%: a few dozen per 1,000
        units = {
            (r[0], r[1])
            for r in db.execute(
                "SELECT DISTINCT m.concept_code, u.concept_code FROM measurement x "
                "JOIN concept m ON m.concept_id = x.measurement_concept_id "
                "JOIN concept u ON u.concept_id = x.unit_concept_id"
            ).fetchall()
        }
        for pair in (
            ("29463-7", "kg"),
            ("29463-7", "[lb_av]"),
            ("8302-2", "cm"),
            ("8302-2", "[in_i]"),
            ("2160-0", "mg/dL"),
            ("14682-9", "umol/L"),
            ("718-7", "g/dL"),
            ("718-7", "g/L"),
            ("6690-2", "10*3/uL"),
            ("6690-2", "10*9/L"),
            ("1742-6", "U/L"),
        ):
            assert pair in units, pair
        ages = db.execute(
            "SELECT min(date_diff('year', birth_datetime::DATE, DATE '2026-03-02')), "
            "max(date_diff('year', birth_datetime::DATE, DATE '2026-03-02')), "
            "avg((gender_concept_id = 8532)::INT) FROM person"
        ).fetchone()
        assert ages is not None and ages[0] >= 18 and ages[1] <= 95 and 0.45 < ages[2] < 0.57
        coded = dict(
            db.execute(
                "SELECT c.concept_name, count(*) FROM measurement x "
                "JOIN concept c ON c.concept_id = x.value_as_concept_id GROUP BY ALL"
            ).fetchall()
        )
        assert coded["Negative"] > coded.get("Positive", 0)


# --- the FHIR twin ------------------------------------------------------------------------


def test_fhir_reads_without_errors_one_record_per_person(
    enriched: tuple[Path, GenerateSummary],
    fhir_records: list[PatientRecord],
) -> None:
    out, _ = enriched
    with con(out) as db:
        people = {
            str(pid): (born, "female" if g == 8532 else "male")
            for pid, born, g in db.execute(
                "SELECT person_id, make_date(year_of_birth, month_of_birth, day_of_birth), "
                "gender_concept_id FROM person"
            ).fetchall()
        }
    assert len(fhir_records) == len(people) == 400
    assert {r.id: (r.birth_date, r.sex) for r in fhir_records} == people
    assert all(not f.problems for r in fhir_records for f in r.facts)


def _omop_facts(out: Path) -> dict[str, Counter[tuple[Any, ...]]]:
    """Facts read from the CDM the way docs/omop.md reads them, in a comparable shape."""
    db = con(out)
    concept = {
        cid: (ref or vocab, code, name)
        for cid, vocab, code, name, ref in db.execute(
            "SELECT concept_id, c.vocabulary_id, concept_code, concept_name, "
            "vocabulary_reference FROM concept c JOIN vocabulary v USING (vocabulary_id)"
        ).fetchall()
    }
    mapped: dict[int, list[int]] = {}
    for src, dst in db.execute(
        "SELECT concept_id_1, concept_id_2 FROM concept_relationship "
        "WHERE relationship_id = 'Maps to'"
    ).fetchall():
        mapped.setdefault(dst, []).append(src)

    def codes(cid: int, source: int | None = None) -> frozenset[tuple[str, str]]:
        ids = {cid, *mapped.get(cid, [])}
        if source:
            ids.add(source)
        return frozenset(concept[i][:2] for i in ids)

    def side(cids: list[int], text: str) -> Any:
        coded = [Coding(concept[i][0], concept[i][1], concept[i][2]) for i in cids]
        return laterality_of(coded, text)

    facts: dict[str, Counter[tuple[Any, ...]]] = {}

    def add(pid: int, fact: tuple[Any, ...]) -> None:
        facts.setdefault(str(pid), Counter())[fact] += 1

    def enc(visit: int | None) -> str | None:
        return None if visit is None else f"Encounter/{visit}"

    cls = {9201: "IMP", 262: "IMP", 9202: "AMB", 9203: "EMER"}
    for pid, vc, start, end in db.execute(
        "SELECT person_id, visit_concept_id, visit_start_date, visit_end_date FROM visit_occurrence"
    ).fetchall():
        add(pid, ("encounter", start, end, cls[vc]))
    for pid, cid, src, start, end, visit in db.execute(
        "SELECT person_id, condition_concept_id, condition_source_concept_id, "
        "condition_start_date, condition_end_date, visit_occurrence_id FROM condition_occurrence"
    ).fetchall():
        ids = [cid, *mapped.get(cid, []), *([src] if src else [])]
        name = concept[cid][2]
        add(pid, ("condition", codes(cid, src), name, start, end, side(ids, name), enc(visit)))
    for pid, cid, day, value, vc, unit, low, high, visit in db.execute(
        "SELECT person_id, measurement_concept_id, measurement_date, value_as_number, "
        "value_as_concept_id, unit_concept_id, range_low, range_high, visit_occurrence_id "
        "FROM measurement"
    ).fetchall():
        add(
            pid,
            (
                "observation",
                codes(cid),
                concept[cid][2],
                day,
                value,
                concept[unit][1] if unit else None,
                low,
                high,
                concept[vc][2] if vc else None,
                enc(visit),
            ),
        )
    for pid, cid, src, day, value, unit, visit in db.execute(
        "SELECT person_id, observation_concept_id, observation_source_concept_id, "
        "observation_date, value_as_number, unit_concept_id, visit_occurrence_id "
        "FROM observation"
    ).fetchall():
        if concept[cid][1] == "research":
            add(pid, ("consent", codes(cid, src), concept[cid][2], day))
        else:
            add(
                pid,
                (
                    "observation",
                    codes(cid, src),
                    concept[cid][2],
                    day,
                    value,
                    concept[unit][1] if unit else None,
                    None,
                    None,
                    None,
                    enc(visit),
                ),
            )
    for pid, cid, start, end, qty, supply, route, visit, vocab in db.execute(
        "SELECT person_id, drug_concept_id, drug_exposure_start_date, drug_exposure_end_date, "
        "quantity, days_supply, route_concept_id, visit_occurrence_id, c.vocabulary_id "
        "FROM drug_exposure JOIN concept c ON c.concept_id = drug_concept_id"
    ).fetchall():
        r = concept[route][1] if route else None
        if vocab == "CVX":
            add(pid, ("immunization", codes(cid), concept[cid][2], start, r, enc(visit)))
        else:
            per_day = qty / supply if qty is not None and supply else None
            add(
                pid, ("medication", codes(cid), concept[cid][2], start, end, r, per_day, enc(visit))
            )
    for pid, cid, day, modifier, visit in db.execute(
        "SELECT person_id, procedure_concept_id, procedure_date, modifier_concept_id, "
        "visit_occurrence_id FROM procedure_occurrence"
    ).fetchall():
        name = concept[cid][2]
        ids = [cid, *([modifier] if modifier else [])]
        add(pid, ("procedure", codes(cid), name, day, side(ids, name), enc(visit)))
    for pid, cid, start, end in db.execute(
        "SELECT person_id, device_concept_id, device_exposure_start_date, "
        "device_exposure_end_date FROM device_exposure"
    ).fetchall():
        add(pid, ("device", codes(cid), concept[cid][2], start, end))
    db.close()
    return facts


def _fhir_fact(f: Fact) -> tuple[Any, ...]:
    codes = frozenset((c.system, c.code) for c in f.codes)
    if f.kind is FactKind.ENCOUNTER:
        return ("encounter", f.start, f.end, f.encounter_class)
    if f.kind is FactKind.CONDITION:
        return ("condition", codes, f.text, f.start, f.end, f.laterality, f.encounter)
    if f.kind is FactKind.OBSERVATION:
        value = f.value.value if f.value else None
        unit = f.value.unit if f.value else None
        low = f.reference_low.value if f.reference_low else None
        high = f.reference_high.value if f.reference_high else None
        result = f.value_codes[0].display if f.value_codes else None
        return ("observation", codes, f.text, f.start, value, unit, low, high, result, f.encounter)
    if f.kind is FactKind.CONSENT:
        return ("consent", codes, f.text, f.start)
    route = f.route[0].code if f.route else None
    if f.kind is FactKind.IMMUNIZATION:
        return ("immunization", codes, f.text, f.start, route, f.encounter)
    if f.kind is FactKind.MEDICATION:
        per_day = None
        if f.dose is not None and f.dose.per_day is not None:
            per_day = f.dose.quantity.value * f.dose.per_day
        return ("medication", codes, f.text, f.start, f.end, route, per_day, f.encounter)
    if f.kind is FactKind.PROCEDURE:
        return ("procedure", codes, f.text, f.start, f.laterality, f.encounter)
    if f.kind is FactKind.DEVICE:
        return ("device", codes, f.text, f.start, f.end)
    raise AssertionError(f"unexpected fact kind {f.kind}")


def test_fhir_facts_mean_what_the_omop_rows_mean(
    enriched: tuple[Path, GenerateSummary],
    fhir_records: list[PatientRecord],
) -> None:
    omop = _omop_facts(enriched[0])
    fhir = {r.id: Counter(_fhir_fact(f) for f in r.facts) for r in fhir_records}
    assert set(fhir) == set(omop) | {r.id for r in fhir_records if not r.facts}
    for pid, facts in fhir.items():
        assert facts == omop.get(pid, Counter()), pid
    kinds = Counter(f[0] for facts in fhir.values() for f in facts)
    assert set(kinds) == {
        "encounter",
        "condition",
        "observation",
        "consent",
        "immunization",
        "medication",
        "procedure",
        "device",
    }
    sides = Counter(f[4] for facts in fhir.values() for f in facts if f[0] == "procedure")
    assert {s for s in sides if s is not None} == {"left", "right", "bilateral"}
    assert sides[None] > 0


# --- screening ----------------------------------------------------------------------------


def test_screening_shows_every_status(fhir_records: list[PatientRecord]) -> None:
    study = load_study("NCT06947746")
    screener = Screener(study.criteria, study.valuesets, study.id)
    results = [
        screener.screen(
            r,
            dates={"screening": SCREENING, "baseline": BASELINE},
            parameters={"target_knee": Laterality.RIGHT},
        )
        for r in fhir_records
    ]
    verdicts = Counter(r.verdict.value for r in results)
    statuses = Counter(c.status.value for r in results for c in r.criteria)
    assert {"ineligible", "incomplete", "needs_review"} <= set(verdicts), verdicts
    assert set(statuses) == {"met", "not_met", "unknown", "needs_review"}
    met = Counter(c.criterion.id for r in results for c in r.criteria if c.status.value == "met")
    # the enriched paths reach their criteria: consent, RA, csDMARD, knee, steroids, vaccines
    for cid in ("I1", "I3", "I5", "I6", "E6", "E8", "E10", "E14", "E15", "E20", "E24"):
        assert met[cid] > 0, cid
    assert all(
        r.dates.get("baseline") - r.dates.get("screening") == timedelta(days=14) for r in results
    )
