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

from trialdesk.criteria.sql.compiler import alias, cast, not_
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


def _zero(col: str) -> exp.Expr:
    return exp.Coalesce(this=exp.column(col), expressions=[exp.Literal.number(0)])


def _select(
    table: str,
    kind: exp.Expr,
    cid: str,
    sid: str | None,
    aux: str | None,
    start: str,
    end: str | None,
    open_ended: bool,
    **cols: exp.Expr,
) -> exp.Select:
    start_e = _date(start)
    end_e = _span_end(start_e, _date(end), open_ended) if end else start_e.copy()
    values: dict[str, exp.Expr] = {
        "person_id": exp.column("person_id"),
        "kind": kind,
        "cid": _zero(cid),
        "sid": _zero(sid) if sid else exp.Literal.number(0),
        "aux": _zero(aux) if aux else exp.Literal.number(0),
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


def fact_sources(
    consent_concepts: set[int], cvx_concepts: set[int], ucum_units: set[int] | None = None
) -> list[FactSource]:
    """Every clinical table, projected onto the ``td_facts`` columns."""
    units = ucum_units or set()
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
    return [
        FactSource(
            "condition_occurrence",
            frozenset({"condition"}),
            _select(
                "condition_occurrence",
                exp.Literal.string("condition"),
                "condition_concept_id",
                "condition_source_concept_id",
                None,
                "condition_start_date",
                "condition_end_date",
                True,
                visit_id=exp.column("visit_occurrence_id"),
            ),
            {"cid": "condition_concept_id", "sid": "condition_source_concept_id"},
        ),
        FactSource(
            "measurement",
            frozenset({"observation"}),
            _measurement_like("measurement", units),
            _measurement_codes("measurement"),
        ),
        FactSource(
            "observation",
            frozenset({"observation"}),
            _measurement_like("observation", units).where(
                # a row with no concept is not a consent: NOT (NULL IN ...) would drop it
                not_(
                    exp.Coalesce(
                        this=exp.column("observation_concept_id").isin(
                            *(exp.Literal.number(c) for c in sorted(consent_concepts))
                        ),
                        expressions=[exp.false()],
                    )
                )
                if consent_concepts
                else exp.true(),
                copy=False,
            ),
            _measurement_codes("observation"),
        ),
        FactSource(
            "drug_exposure",
            frozenset({"medication", "immunization"}),
            _select(
                "drug_exposure",
                drug_kind,
                "drug_concept_id",
                "drug_source_concept_id",
                "route_concept_id",
                "drug_exposure_start_date",
                "drug_exposure_end_date",
                False,
                quantity=cast(exp.column("quantity"), exp.DataType.Type.DOUBLE),
                days_supply=exp.column("days_supply"),
                visit_id=exp.column("visit_occurrence_id"),
            ),
            {"cid": "drug_concept_id", "sid": "drug_source_concept_id", "aux": "route_concept_id"},
        ),
        FactSource(
            "procedure_occurrence",
            frozenset({"procedure"}),
            _select(
                "procedure_occurrence",
                exp.Literal.string("procedure"),
                "procedure_concept_id",
                "procedure_source_concept_id",
                "modifier_concept_id",
                "procedure_date",
                None,
                False,
                visit_id=exp.column("visit_occurrence_id"),
            ),
            {
                "cid": "procedure_concept_id",
                "sid": "procedure_source_concept_id",
                "aux": "modifier_concept_id",
            },
        ),
        FactSource(
            "device_exposure",
            frozenset({"device"}),
            _select(
                "device_exposure",
                exp.Literal.string("device"),
                "device_concept_id",
                "device_source_concept_id",
                None,
                "device_exposure_start_date",
                "device_exposure_end_date",
                True,
            ),
            {"cid": "device_concept_id", "sid": "device_source_concept_id"},
        ),
        FactSource(
            "visit_occurrence",
            frozenset({"encounter"}),
            _select(
                "visit_occurrence",
                exp.Literal.string("encounter"),
                "visit_concept_id",
                "visit_source_concept_id",
                None,
                "visit_start_date",
                "visit_end_date",
                False,
                visit_id=exp.column("visit_occurrence_id"),
            ),
            {"cid": "visit_concept_id", "sid": "visit_source_concept_id"},
        ),
    ]


def narrow(select: exp.Select, columns: set[str]) -> exp.Select:
    """The same rows with only the named ``td_facts`` columns (scans read fewer columns)."""
    out = select.copy()
    out.set("expressions", [e for e in out.expressions if e.alias_or_name in columns])
    return out


def _measurement_codes(table: str) -> dict[str, str]:
    return {
        "cid": f"{table}_concept_id",
        "sid": f"{table}_source_concept_id",
        "unit_cid": "unit_concept_id",
        "unit_src": "unit_source_value",
        "vcid": "value_as_concept_id",
    }


def _measurement_like(table: str, ucum_units: set[int]) -> exp.Select:
    return _select(
        table,
        exp.Literal.string("observation"),
        f"{table}_concept_id",
        f"{table}_source_concept_id",
        None,
        f"{table}_date",
        None,
        False,
        value_num=cast(exp.column("value_as_number"), exp.DataType.Type.DOUBLE),
        unit_cid=_zero("unit_concept_id"),
        unit_src=unit_source(ucum_units),
        range_high=cast(exp.column("range_high"), exp.DataType.Type.DOUBLE)
        if table == "measurement"
        else _null(),
        vcid=_zero("value_as_concept_id"),
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
