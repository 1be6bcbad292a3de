"""What a CDM's rows are coded with: the keys its code tables are built for.

The code tables (criteria/sql/codes.py) decide in Python, for every distinct coded key a
CDM uses, what the evaluator would decide. Finding those keys means reading the whole
CDM, so it is read as cheaply as it can be, in three queries: the distinct raw concept
columns of every table (integers, grouped before anything is computed on them) in one
UNION ALL; the vocabulary for exactly the concepts seen; and the unit texts of the rows
whose unit concept is not a UCUM unit, the only rows whose unit is read from its text
(omop.unit_of). docs/feasibility.md has what each way of reading them cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from sqlglot import exp

from trialdesk.criteria.sql.codes import Key, concept_classes
from trialdesk.criteria.sql.facts import CODED_TABLES, concept_or_zero
from trialdesk.feasibility.sources import Source
from trialdesk.patients.omop import Vocabulary, vocabulary_for

_KEY_COLUMNS = ("cid", "sid", "aux", "unit_cid")
_USED = "td_used_concepts"


@dataclass
class CdmCodes:
    """The coded keys a CDM's rows use, and what the code tables need to read them."""

    vocab: Vocabulary
    keys: set[Key] = field(default_factory=set)
    unit_keys: set[tuple[Key, int, str]] = field(default_factory=set)
    value_concepts: set[int] = field(default_factory=set)


def _as_bigint(column: str | None) -> exp.Expr:
    """A concept column as td_facts gives it: BIGINT, 0 for none."""
    return exp.cast(concept_or_zero(column), exp.DataType.Type.BIGINT, copy=False)


def _distinct(
    table: str, columns: dict[str, str], *, tag: str | None = None, where: exp.Expr | None = None
) -> exp.Select:
    """The distinct raw values of ``columns`` (td_facts name -> the table's column) first,
    typed after: a COALESCE and a CAST on each of a measurement table's 35 million rows
    cost more than the DISTINCT itself."""
    inner = exp.select(*sorted(set(columns.values()))).distinct().from_(table, copy=False)
    if where is not None:
        inner = inner.where(where, copy=False)
    typed = [exp.alias_(_as_bigint(columns.get(k)), k, copy=False) for k in _KEY_COLUMNS]
    if "unit_src" in columns:
        typed.append(exp.alias_(exp.column(columns["unit_src"]), "unit_src", copy=False))
    if tag is not None:
        typed.insert(0, exp.alias_(exp.Literal.string(tag), "t", copy=False))
    return exp.select(*typed).from_(inner.subquery("k", copy=False), copy=False)


def keys_query(dialect: str) -> str:
    """Every table's distinct (concept, source concept, route or modifier, unit concept),
    every distinct coded result, and the persons' sex concepts: one UNION ALL."""
    parts: list[exp.Select] = []
    for table, (_, codes) in CODED_TABLES.items():
        keys = {k: c for k, c in codes.items() if k in _KEY_COLUMNS}
        parts.append(_distinct(table, keys, tag=table))
        if "vcid" in codes:
            parts.append(_distinct(table, {"cid": codes["vcid"]}, tag="value"))
    parts.append(_distinct("person", {"cid": "gender_concept_id"}, tag="person"))
    union: exp.Expr = parts[0]
    for part in parts[1:]:
        union = exp.union(union, part, distinct=False, copy=False)
    return union.sql(dialect=dialect)


def unit_texts_query(table: str, ucum_units: set[int], dialect: str) -> str:
    """The unit texts written beside each key whose unit concept is not a UCUM unit.
    Blank and missing texts are left out: every such key also gets the unit text ''
    (read_cdm_codes), and a td_units row the data never joins is harmless."""
    codes = CODED_TABLES[table][1]
    unit, text = exp.column(codes["unit_cid"]), exp.column(codes["unit_src"])
    where = exp.and_(
        exp.NEQ(this=text, expression=exp.Literal.string("")),
        exp.or_(
            exp.Is(this=unit, expression=exp.Null()),
            exp.not_(unit.copy().isin(*(exp.Literal.number(c) for c in sorted(ucum_units))))
            if ucum_units
            else exp.true(),
            copy=False,
        ),
        copy=False,
    )
    columns = {k: c for k, c in codes.items() if k in (*_KEY_COLUMNS, "unit_src")}
    return _distinct(table, columns, where=where).sql(dialect=dialect)


def vocabulary_of(source: Source, concept_ids: set[int]) -> Vocabulary:
    """The vocabulary omop.vocabulary_from reads for the evaluator, for the concepts
    already seen rather than a second scan of every concept column."""
    source.register(_USED, pa.table({"concept_id": pa.array(sorted(concept_ids), pa.int64())}))
    return vocabulary_for(source, f"SELECT concept_id FROM {_USED}")


def read_cdm_codes(source: Source) -> CdmCodes:
    """The coded keys of every clinical table of ``source``, as td_facts gives them."""
    rows: list[dict[str, Any]] = source.execute(keys_query(source.dialect), {}).to_pylist()
    # concept 0 too, as vocabulary_from has it: its name is the text of an unmapped row
    vocab = vocabulary_of(source, {int(r[k]) for r in rows for k in _KEY_COLUMNS})
    cvx, consent, ucum = concept_classes(vocab)
    out = CdmCodes(vocab)
    for r in rows:
        tag, cid = r["t"], int(r["cid"])
        if tag == "value":
            if cid:
                out.value_concepts.add(cid)
            continue
        if tag == "person" or (tag == "observation" and cid in consent):
            continue  # a research consent is not a clinical fact (facts.fact_sources)
        key: Key = (_kind(tag, cid, cvx), cid, int(r["sid"]), int(r["aux"]))
        out.keys.add(key)
        if "unit_cid" in CODED_TABLES[tag][1]:
            # a UCUM unit concept reads '' as its text (facts.unit_source); any other
            # may come with no text, or with the texts unit_texts_query finds
            out.unit_keys.add((key, int(r["unit_cid"]), ""))
    for table, (_, codes) in CODED_TABLES.items():
        if "unit_src" not in codes:
            continue
        for r in source.execute(unit_texts_query(table, ucum, source.dialect), {}).to_pylist():
            cid = int(r["cid"])
            if table == "observation" and cid in consent:
                continue
            key = (_kind(table, cid, cvx), cid, int(r["sid"]), int(r["aux"]))
            out.unit_keys.add((key, int(r["unit_cid"]), str(r["unit_src"])))
    return out


def _kind(table: str, cid: int, cvx: set[int]) -> str:
    """The td_facts kind of a row: a drug exposure coded in CVX is an immunization."""
    kinds = CODED_TABLES[table][0]
    if "immunization" in kinds:
        return "immunization" if cid in cvx else "medication"
    (kind,) = kinds
    return kind
