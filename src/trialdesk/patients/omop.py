"""Read OMOP CDM v5.4 rows into PatientRecords (docs/omop.md is the mapping).

The SQL compiler reads the same columns the same way; the pieces both need (which codes a
row carries, what a visit concept means) live here so there is one definition of each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from trialdesk.facts.codesystems import OMOP_VOCABULARIES, TERMINOLOGY
from trialdesk.facts.laterality import laterality_of
from trialdesk.facts.record import Coding, Dose, Fact, FactKind, PatientRecord, Quantity

CONSENT_SCOPE_SYSTEM = TERMINOLOGY["consentscope"]
OMOP_VOCABULARY_URI = "https://athena.ohdsi.org/vocabulary/"

# OMOP gender concepts (Gender vocabulary): 8507 MALE, 8532 FEMALE.
GENDERS: dict[int, str] = {8507: "male", 8532: "female"}

# OMOP visit concepts -> HL7 v3 ActCode encounter class (as FHIR Encounter.class):
# 9201 Inpatient Visit, 262 Emergency Room and Inpatient Visit, 9203 Emergency Room
# Visit, 9202 Outpatient Visit (OMOP Standardized Vocabularies, Visit domain).
VISIT_CLASSES: dict[int, str] = {9201: "IMP", 262: "IMP", 9203: "EMER", 9202: "AMB"}

OPEN_END_DATE = date(9999, 12, 31)


class Executor(Protocol):
    def execute(self, sql: str, params: Mapping[str, object]) -> Any: ...


@dataclass(frozen=True, slots=True)
class Concept:
    concept_id: int
    name: str
    vocabulary: str
    code: str

    @property
    def coding(self) -> Coding:
        """The concept as a coding; vocabularies with no FHIR system (OMOP's own "Meas
        Value", "Visit", ...) keep an OMOP URI, so their names still read as results."""
        system = OMOP_VOCABULARIES.get(self.vocabulary) or f"{OMOP_VOCABULARY_URI}{self.vocabulary}"
        return Coding(system, self.code, self.name)


@dataclass
class Vocabulary:
    """The concepts a CDM uses, and which source concepts map to each standard one."""

    concepts: dict[int, Concept] = field(default_factory=dict)
    mapped_from: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))

    def codings(self, concept_id: int | None, source_concept_id: int | None) -> tuple[Coding, ...]:
        """A row's codes: its concept, its source concept, and what maps to its concept."""
        ids: list[int] = []
        for cid in (concept_id, source_concept_id):
            if cid and cid not in ids:
                ids.append(cid)
        if concept_id:
            ids.extend(c for c in self.mapped_from.get(concept_id, ()) if c not in ids)
        out = []
        for cid in ids:
            concept = self.concepts.get(cid)
            if concept is not None:
                out.append(concept.coding)
        return tuple(out)

    def name(self, concept_id: int | None) -> str | None:
        concept = self.concepts.get(concept_id or 0)
        return concept.name if concept else None

    def code(self, concept_id: int | None) -> str | None:
        concept = self.concepts.get(concept_id or 0)
        return concept.code if concept else None

    def is_consent(self, concept_id: int | None) -> bool:
        concept = self.concepts.get(concept_id or 0)
        return (
            concept is not None
            and OMOP_VOCABULARIES.get(concept.vocabulary) == CONSENT_SCOPE_SYSTEM
        )


def load_vocabulary(
    rows: Iterable[Mapping[str, Any]], maps: Iterable[tuple[int, int]]
) -> Vocabulary:
    vocab = Vocabulary()
    for r in rows:
        cid = int(r["concept_id"])
        vocab.concepts[cid] = Concept(
            cid, str(r["concept_name"]), str(r["vocabulary_id"]), str(r["concept_code"])
        )
    for source, target in maps:
        if source != target:
            vocab.mapped_from[target].append(source)
    return vocab


def unit_of(vocab: Vocabulary, unit_concept_id: int | None, source_value: str | None) -> str | None:
    """The UCUM code of the unit concept, else the unit as the source wrote it."""
    if unit_concept_id:
        concept = vocab.concepts.get(unit_concept_id)
        if concept is not None and concept.vocabulary == "UCUM":
            return concept.code
    return source_value or None


def qualifier_site(vocab: Vocabulary, concept_id: int | None) -> tuple[Coding, ...]:
    """An observation's ``qualifier_concept_id`` as its body site, when it names a side
    (SNOMED CT 7771000 Left, 24028007 Right, 51440002 Right and left, or a lateralised
    structure such as 6757004 right knee region: facts/body_sites.yaml). Any other
    qualifier (a severity, a degree) says nothing about where, and is not read as a site."""
    codes = vocab.codings(concept_id, None) if concept_id else ()
    return codes if codes and laterality_of(codes) is not None else ()


def tablets_per_day(quantity: float | None, days_supply: int | None) -> float | None:
    """Units per day of a drug exposure, when both quantity and days supply are given."""
    if quantity is None or not days_supply or days_supply <= 0 or quantity < 0:
        return None
    return quantity / days_supply


def _d(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value if type(value) is date else value.date()  # type: ignore[attr-defined]
    return date.fromisoformat(str(value)[:10])


def _f(value: Any) -> float | None:
    return None if value is None else float(value)


def _i(value: Any) -> int | None:
    return None if value is None else int(value)


class OmopRecordBuilder:
    """Collects rows per person and builds PatientRecords with docs/omop.md's mapping."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.people: dict[int, dict[str, Any]] = {}
        self.facts: dict[int, list[Fact]] = defaultdict(list)
        self.visits: dict[int, tuple[int, Fact]] = {}

    def person(self, r: Mapping[str, Any]) -> None:
        born = _d(r.get("birth_datetime"))
        if born is None and r.get("year_of_birth") is not None:
            born = date(
                int(r["year_of_birth"]),
                int(r.get("month_of_birth") or 1),
                int(r.get("day_of_birth") or 1),
            )
        self.people[int(r["person_id"])] = {
            "birth": born,
            "sex": GENDERS.get(_i(r.get("gender_concept_id")) or 0),
        }

    def _codes(
        self, r: Mapping[str, Any], concept: str, source: str
    ) -> tuple[tuple[Coding, ...], str | None]:
        cid, sid = _i(r.get(concept)), _i(r.get(source))
        return self.vocab.codings(cid, sid), self.vocab.name(cid) or self.vocab.name(sid)

    def _visit(self, r: Mapping[str, Any]) -> str | None:
        vid = _i(r.get("visit_occurrence_id"))
        return f"Encounter/visit-{vid}" if vid is not None else None

    def add(self, table: str, r: Mapping[str, Any]) -> None:
        pid = int(r["person_id"])
        fact: Fact | None = None
        if table == "condition_occurrence":
            codes, text = self._codes(r, "condition_concept_id", "condition_source_concept_id")
            fact = Fact(
                FactKind.CONDITION,
                f"Condition/co-{r['condition_occurrence_id']}",
                codes,
                text,
                _d(r["condition_start_date"]),
                _d(r.get("condition_end_date")),
                encounter=self._visit(r),
            )
        elif table in ("measurement", "observation"):
            prefix = table
            cid = _i(r.get(f"{prefix}_concept_id"))
            if table == "observation" and self.vocab.is_consent(cid):
                coding = self.vocab.codings(cid, None)
                fact = Fact(
                    FactKind.CONSENT,
                    f"Consent/obs-{r['observation_id']}",
                    coding,
                    "research consent",
                    _d(r["observation_date"]),
                    status="active",
                )
            else:
                codes, text = self._codes(r, f"{prefix}_concept_id", f"{prefix}_source_concept_id")
                number = _f(r.get("value_as_number"))
                unit = unit_of(self.vocab, _i(r.get("unit_concept_id")), r.get("unit_source_value"))
                vcid = _i(r.get("value_as_concept_id"))
                value_codes = self.vocab.codings(vcid, None) if vcid else ()
                low, high = _f(r.get("range_low")), _f(r.get("range_high"))
                qualifier = _i(r.get("qualifier_concept_id")) if table == "observation" else None
                fact = Fact(
                    FactKind.OBSERVATION,
                    f"Observation/{'m' if table == 'measurement' else 'o'}-{r[f'{prefix}_id']}",
                    codes,
                    text,
                    _d(r[f"{prefix}_date"]),
                    value=Quantity(number, unit) if number is not None else None,
                    value_codes=value_codes,
                    value_text=r.get("value_as_string") or None,
                    reference_low=Quantity(low, unit) if low is not None else None,
                    reference_high=Quantity(high, unit) if high is not None else None,
                    body_site=qualifier_site(self.vocab, qualifier),
                    encounter=self._visit(r),
                )
        elif table == "drug_exposure":
            codes, text = self._codes(r, "drug_concept_id", "drug_source_concept_id")
            concept = self.vocab.concepts.get(_i(r.get("drug_concept_id")) or 0)
            route = self.vocab.codings(_i(r.get("route_concept_id")), None)
            kind = (
                FactKind.IMMUNIZATION
                if concept and concept.vocabulary == "CVX"
                else FactKind.MEDICATION
            )
            per_day = tablets_per_day(_f(r.get("quantity")), _i(r.get("days_supply")))
            dose = Dose(Quantity(per_day, "{tbl}"), per_day=1.0) if per_day is not None else None
            fact = Fact(
                kind,
                f"MedicationRequest/de-{r['drug_exposure_id']}",
                codes,
                text,
                _d(r["drug_exposure_start_date"]),
                _d(r.get("drug_exposure_end_date")),
                route=route,
                dose=dose,
                encounter=self._visit(r),
            )
        elif table == "procedure_occurrence":
            codes, text = self._codes(r, "procedure_concept_id", "procedure_source_concept_id")
            site = self.vocab.codings(_i(r.get("modifier_concept_id")), None)
            fact = Fact(
                FactKind.PROCEDURE,
                f"Procedure/po-{r['procedure_occurrence_id']}",
                codes,
                text,
                _d(r["procedure_date"]),
                body_site=site,
                encounter=self._visit(r),
            )
        elif table == "device_exposure":
            codes, text = self._codes(r, "device_concept_id", "device_source_concept_id")
            fact = Fact(
                FactKind.DEVICE,
                f"Device/dx-{r['device_exposure_id']}",
                codes,
                text,
                _d(r["device_exposure_start_date"]),
                _d(r.get("device_exposure_end_date")),
            )
        elif table == "visit_occurrence":
            vid = int(r["visit_occurrence_id"])
            codes, text = self._codes(r, "visit_concept_id", "visit_source_concept_id")
            fact = Fact(
                FactKind.ENCOUNTER,
                f"Encounter/visit-{vid}",
                codes,
                text,
                _d(r["visit_start_date"]),
                _d(r.get("visit_end_date")),
                encounter_class=VISIT_CLASSES.get(_i(r.get("visit_concept_id")) or 0),
            )
        if fact is not None:
            self.facts[pid].append(fact)

    def records(self, source: str | None = None) -> list[PatientRecord]:
        return [
            PatientRecord(
                id=str(pid),
                birth_date=p["birth"],
                sex=p["sex"],
                facts=tuple(self.facts.get(pid, ())),
                source=source,
                clinical_record=True,  # a CDM person: absent from the CDM is absent
            )
            for pid, p in sorted(self.people.items())
        ]


TABLES: Sequence[str] = (
    "visit_occurrence",
    "condition_occurrence",
    "measurement",
    "observation",
    "drug_exposure",
    "procedure_occurrence",
    "device_exposure",
)
CONCEPT_COLUMNS: dict[str, tuple[str, ...]] = {
    "condition_occurrence": ("condition_concept_id", "condition_source_concept_id"),
    "measurement": (
        "measurement_concept_id",
        "measurement_source_concept_id",
        "unit_concept_id",
        "value_as_concept_id",
    ),
    "observation": (
        "observation_concept_id",
        "observation_source_concept_id",
        "unit_concept_id",
        "value_as_concept_id",
        "qualifier_concept_id",
    ),
    "drug_exposure": ("drug_concept_id", "drug_source_concept_id", "route_concept_id"),
    "procedure_occurrence": (
        "procedure_concept_id",
        "procedure_source_concept_id",
        "modifier_concept_id",
    ),
    "device_exposure": ("device_concept_id", "device_source_concept_id"),
    "visit_occurrence": ("visit_concept_id", "visit_source_concept_id"),
}


def _rows(table: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def vocabulary_from(source: Executor) -> Vocabulary:
    """The concepts the data uses, plus the source concepts that map to them."""
    used = (
        " UNION ".join(
            f"SELECT {col} AS concept_id FROM {table}"
            for table, cols in CONCEPT_COLUMNS.items()
            for col in cols
        )
        + " UNION SELECT gender_concept_id FROM person"
    )
    return vocabulary_for(source, used)


def vocabulary_for(source: Executor, used: str) -> Vocabulary:
    """The concepts named by ``used`` (a query of concept ids), plus the source concepts
    that map to them ('Maps to')."""
    maps = _rows(
        source.execute(
            "SELECT concept_id_1, concept_id_2 FROM concept_relationship "
            "WHERE relationship_id = 'Maps to' "
            f"AND concept_id_2 IN ({used})",
            {},
        )
    )
    pairs = [(int(m["concept_id_1"]), int(m["concept_id_2"])) for m in maps]
    concepts = _rows(
        source.execute(
            f"SELECT concept_id, concept_name, vocabulary_id, concept_code FROM concept "
            f"WHERE concept_id IN ({used}) OR concept_id IN "
            f"(SELECT concept_id_1 FROM concept_relationship WHERE relationship_id = 'Maps to' "
            f"AND concept_id_2 IN ({used}))",
            {},
        )
    )
    return load_vocabulary(concepts, pairs)


def read_omop(
    source: Executor, person_ids: Sequence[int] | None = None, label: str | None = None
) -> list[PatientRecord]:
    """PatientRecords for every person (or the ones listed) in an OMOP source."""
    vocab = vocabulary_from(source)
    builder = OmopRecordBuilder(vocab)
    where = ""
    if person_ids is not None:
        where = (
            " WHERE person_id IN (" + ",".join(str(int(p)) for p in person_ids) + ")"
            if person_ids
            else " WHERE 1=0"
        )
    for row in _rows(source.execute(f"SELECT * FROM person{where}", {})):
        builder.person(row)
    for table in TABLES:
        for row in _rows(source.execute(f"SELECT * FROM {table}{where}", {})):
            if int(row["person_id"]) in builder.people:
                builder.add(table, row)
    return builder.records(label)
