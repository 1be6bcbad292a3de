"""The CDM tables as one stream of coded, dated rows (``td_facts``), per docs/omop.md.

Each table is projected onto the same columns so that one pass and one GROUP BY can
answer every criterion. A row's span end follows the evaluator's ``span()``: an end date
when given (never before the start), else the open end for conditions and devices, else
the start day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from trialdesk.criteria.sql.builders import alias, cast, not_
from trialdesk.patients.omop import VISIT_CLASSES

OPEN_END = "9999-12-31"

# kind label -> evaluator FactKind name; drug rows split into medication / immunization
# by the concept's vocabulary (CVX), decided in the code tables.
COLUMNS = (
    "person_id",
    "kind",
    "cid",
    "sid",
    "aux",
    "start_date",
    "end_date",
    "value_num",
    "unit_cid",
    "unit_src",
    "range_high",
    "vcid",
    "vstr",
    "quantity",
    "days_supply",
    "visit_id",
)


# Every column typed explicitly: PostgreSQL will not unite an untyped NULL with a number.
TYPES: dict[str, Any] = {  # column -> exp.DataType.Type
    "cid": exp.DataType.Type.BIGINT,
    "sid": exp.DataType.Type.BIGINT,
    "aux": exp.DataType.Type.BIGINT,
    "value_num": exp.DataType.Type.DOUBLE,
    "unit_cid": exp.DataType.Type.BIGINT,
    "unit_src": exp.DataType.Type.VARCHAR,
    "range_high": exp.DataType.Type.DOUBLE,
    "vcid": exp.DataType.Type.BIGINT,
    "vstr": exp.DataType.Type.VARCHAR,
    "quantity": exp.DataType.Type.DOUBLE,
    "days_supply": exp.DataType.Type.BIGINT,
    "visit_id": exp.DataType.Type.BIGINT,
}


def _date(expr: str) -> exp.Expr:
    return cast(exp.column(expr), exp.DataType.Type.DATE)


def _null() -> exp.Expr:
    return exp.Null()


def _span_end(start: exp.Expr, end: exp.Expr, open_ended: bool) -> exp.Expr:
    fallback: exp.Expr = (
        cast(exp.Literal.string(OPEN_END), exp.DataType.Type.DATE) if open_ended else start.copy()
    )
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.Is(this=end.copy(), expression=exp.Null()),
                true=fallback,
            )
        ],
        default=exp.Greatest(this=end.copy(), expressions=[start.copy()]),
    )


def concept_or_zero(column: str | None) -> exp.Expr:
    """A concept column as td_facts reads it: 0 for no concept (or no such column)."""
    if column is None:
        return exp.Literal.number(0)
    return exp.Coalesce(this=exp.column(column), expressions=[exp.Literal.number(0)])


def _measurement_codes(table: str) -> dict[str, str]:
    return {
        "cid": f"{table}_concept_id",
        "sid": f"{table}_source_concept_id",
        "unit_cid": "unit_concept_id",
        "unit_src": "unit_source_value",
        "vcid": "value_as_concept_id",
    }


# Each clinical table: the kinds of fact its rows can be, and its own columns behind the
# coded td_facts columns (cid, sid, aux: the route, the laterality modifier or the
# observation's qualifier, unit_cid, unit_src, vcid), from which both the projections and
# the code tables are built.
CODED_TABLES: dict[str, tuple[frozenset[str], dict[str, str]]] = {
    "condition_occurrence": (
        frozenset({"condition"}),
        {"cid": "condition_concept_id", "sid": "condition_source_concept_id"},
    ),
    "measurement": (frozenset({"observation"}), _measurement_codes("measurement")),
    # aux: the qualifier, read as the side when it names one (omop.qualifier_site)
    "observation": (
        frozenset({"observation"}),
        {**_measurement_codes("observation"), "aux": "qualifier_concept_id"},
    ),
    "drug_exposure": (
        frozenset({"medication", "immunization"}),
        {"cid": "drug_concept_id", "sid": "drug_source_concept_id", "aux": "route_concept_id"},
    ),
    "procedure_occurrence": (
        frozenset({"procedure"}),
        {
            "cid": "procedure_concept_id",
            "sid": "procedure_source_concept_id",
            "aux": "modifier_concept_id",
        },
    ),
    "device_exposure": (
        frozenset({"device"}),
        {"cid": "device_concept_id", "sid": "device_source_concept_id"},
    ),
    "visit_occurrence": (
        frozenset({"encounter"}),
        {"cid": "visit_concept_id", "sid": "visit_source_concept_id"},
    ),
}


def _select(
    table: str,
    kind: exp.Expr,
    start: str,
    end: str | None,
    open_ended: bool,
    **cols: exp.Expr,
) -> exp.Select:
    codes = CODED_TABLES[table][1]
    start_e = _date(start)
    end_e = _span_end(start_e, _date(end), open_ended) if end else start_e.copy()
    values: dict[str, exp.Expr] = {
        "person_id": exp.column("person_id"),
        "kind": kind,
        "cid": concept_or_zero(codes["cid"]),
        "sid": concept_or_zero(codes.get("sid")),
        "aux": concept_or_zero(codes.get("aux")),
        "start_date": start_e,
        "end_date": end_e,
    }
    for name in COLUMNS[7:]:
        values[name] = cols.get(name, _null())
    for name, dtype in TYPES.items():
        values[name] = cast(values[name], dtype)
    return exp.select(*(alias(v, k) for k, v in values.items())).from_(table, copy=False)


@dataclass(frozen=True)
class FactSource:
    """One CDM table as ``td_facts`` rows; ``kinds`` are the kinds its rows can have.

    ``codes``: the table's own columns behind the coded ``td_facts`` columns (cid, sid,
    aux, unit_cid, unit_src, vcid), which the code tables are built from (cdm_codes.py)."""

    table: str
    kinds: frozenset[str]
    select: exp.Select
    codes: dict[str, str]


def unit_source(ucum_units: set[int]) -> exp.Expr:
    """``unit_src``: the unit as the source wrote it, '' when the row's unit concept is a
    UCUM unit. The OMOP adapter then reads the concept and never the text (omop.unit_of),
    so a CDM's many spellings of one UCUM unit make one unit row, not one per spelling."""
    written = exp.Coalesce(
        this=exp.column("unit_source_value"), expressions=[exp.Literal.string("")]
    )
    if not ucum_units:
        return written
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.column("unit_concept_id").isin(
                    *(exp.Literal.number(c) for c in sorted(ucum_units))
                ),
                true=exp.Literal.string(""),
            )
        ],
        default=written,
    )


def _source(table: str, select: exp.Select) -> FactSource:
    kinds, codes = CODED_TABLES[table]
    return FactSource(table, kinds, select, codes)


def fact_sources(
    consent_concepts: set[int], cvx_concepts: set[int], ucum_units: set[int]
) -> list[FactSource]:
    """Every clinical table, projected onto the ``td_facts`` columns."""
    drug_kind = exp.Case(
        ifs=[
            exp.If(
                this=exp.column("drug_concept_id").isin(
                    *(exp.Literal.number(c) for c in sorted(cvx_concepts))
                )
                if cvx_concepts
                else exp.false(),
                true=exp.Literal.string("immunization"),
            )
        ],
        default=exp.Literal.string("medication"),
    )
    # a row with no concept is not a consent: NOT (NULL IN ...) would drop it
    not_consent = (
        not_(
            exp.Coalesce(
                this=exp.column("observation_concept_id").isin(
                    *(exp.Literal.number(c) for c in sorted(consent_concepts))
                ),
                expressions=[exp.false()],
            )
        )
        if consent_concepts
        else exp.true()
    )
    visit = exp.column("visit_occurrence_id")
    return [
        _source(
            "condition_occurrence",
            _select(
                "condition_occurrence",
                exp.Literal.string("condition"),
                "condition_start_date",
                "condition_end_date",
                True,
                visit_id=visit.copy(),
            ),
        ),
        _source("measurement", _measurement_like("measurement", ucum_units)),
        _source(
            "observation",
            _measurement_like("observation", ucum_units).where(not_consent, copy=False),
        ),
        _source(
            "drug_exposure",
            _select(
                "drug_exposure",
                drug_kind,
                "drug_exposure_start_date",
                "drug_exposure_end_date",
                False,
                quantity=cast(exp.column("quantity"), exp.DataType.Type.DOUBLE),
                days_supply=exp.column("days_supply"),
                visit_id=visit.copy(),
            ),
        ),
        _source(
            "procedure_occurrence",
            _select(
                "procedure_occurrence",
                exp.Literal.string("procedure"),
                "procedure_date",
                None,
                False,
                visit_id=visit.copy(),
            ),
        ),
        _source(
            "device_exposure",
            _select(
                "device_exposure",
                exp.Literal.string("device"),
                "device_exposure_start_date",
                "device_exposure_end_date",
                True,
            ),
        ),
        _source(
            "visit_occurrence",
            _select(
                "visit_occurrence",
                exp.Literal.string("encounter"),
                "visit_start_date",
                "visit_end_date",
                False,
                visit_id=visit.copy(),
            ),
        ),
    ]


def narrow(select: exp.Select, columns: set[str]) -> exp.Select:
    """The same rows with only the named ``td_facts`` columns (scans read fewer columns)."""
    out = select.copy()
    out.set("expressions", [e for e in out.expressions if e.alias_or_name in columns])
    return out


def _measurement_like(table: str, ucum_units: set[int]) -> exp.Select:
    return _select(
        table,
        exp.Literal.string("observation"),
        f"{table}_date",
        None,
        False,
        value_num=cast(exp.column("value_as_number"), exp.DataType.Type.DOUBLE),
        unit_cid=concept_or_zero("unit_concept_id"),
        unit_src=unit_source(ucum_units),
        range_high=cast(exp.column("range_high"), exp.DataType.Type.DOUBLE)
        if table == "measurement"
        else _null(),
        vcid=concept_or_zero("value_as_concept_id"),
        vstr=exp.column("value_as_string") if table == "observation" else _null(),
        visit_id=exp.column("visit_occurrence_id"),
    )


def visits_query() -> exp.Select:
    """visit id -> encounter class (IMP, EMER, AMB), as the OMOP adapter reads it."""
    cls = exp.Case(
        this=exp.column("visit_concept_id"),
        ifs=[
            exp.If(this=exp.Literal.number(cid), true=exp.Literal.string(name))
            for cid, name in VISIT_CLASSES.items()
        ],
    )
    return exp.select(alias(exp.column("visit_occurrence_id"), "vid"), alias(cls, "vclass")).from_(
        "visit_occurrence", copy=False
    )
