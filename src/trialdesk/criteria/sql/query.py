"""Assemble the whole per-person screening query for one study, one CDM, one dialect."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypedDict, Unpack

import pyarrow as pa
from sqlglot import exp

from trialdesk.clinical.valuesets import ValueSet
from trialdesk.criteria.model import CriteriaSet, Criterion
from trialdesk.criteria.participant import Anchor
from trialdesk.criteria.sql.builders import alias, case, cast, col, lit, paren, parenthesize
from trialdesk.criteria.sql.codes import CodeTables
from trialdesk.criteria.sql.compiler import SqlCompiler
from trialdesk.criteria.sql.facts import fact_sources, visits_query
from trialdesk.criteria.sql.passes import Rows, aggregate_passes, read, table_groups, with_rows

# Per-person status codes in the query's result (the evaluator's Status, as integers).
NOT_MET, MET, UNKNOWN, NEEDS_REVIEW = 0, 1, 2, 3
STATUS_NAMES = {NOT_MET: "not_met", MET: "met", UNKNOWN: "unknown", NEEDS_REVIEW: "needs_review"}


@dataclass(frozen=True)
class ScreeningQuery:
    sql: str
    params: dict[str, object]
    columns: list[str]  # criterion ids, in protocol order, after person_id


def _coded(condition: exp.Expr, true_code: int) -> exp.Expr:
    """A condition as a status code: ``true_code`` when TRUE, NOT_MET when FALSE, UNKNOWN
    when NULL. One evaluation of the condition, where a CASE would test it twice."""
    as_int: exp.Expr = cast(paren(condition), exp.DataType.Type.INT)
    if true_code != 1:
        as_int = exp.Mul(this=as_int, expression=lit(true_code))
    return exp.Coalesce(this=as_int, expressions=[lit(UNKNOWN)])


def status_expr(c: SqlCompiler, criterion: Criterion) -> exp.Expr:
    """The evaluator's status_of(), in SQL: the rule decides when it is TRUE or NULL; when
    it is FALSE (or absent) the review condition may still ask for a judgment."""
    if criterion.judgment is not None:
        return lit(NEEDS_REVIEW)
    review = None
    if criterion.review is not None:
        review = _coded(c.bool(criterion.review), NEEDS_REVIEW)
    if criterion.rule is None:
        return review if review is not None else lit(NOT_MET)
    rule = _coded(c.bool(criterion.rule), MET)
    if review is None:
        return rule
    # NOT_MET is 0: the review's code stands in for it, the rule evaluated once
    not_met = exp.Nullif(this=rule, expression=lit(NOT_MET))
    return exp.Coalesce(this=not_met, expressions=[review])


def _birth_date() -> exp.Expr:
    # MAKE_DATE(int, int, int) is spelled the same on DuckDB, PostgreSQL and Spark
    parts = (
        col("year_of_birth"),
        exp.Coalesce(this=col("month_of_birth"), expressions=[lit(1)]),
        exp.Coalesce(this=col("day_of_birth"), expressions=[lit(1)]),
    )
    from_parts = exp.Anonymous(
        this="MAKE_DATE", expressions=[cast(p, exp.DataType.Type.INT) for p in parts]
    )
    return exp.Coalesce(
        this=cast(col("birth_datetime"), exp.DataType.Type.DATE), expressions=[from_parts]
    )


def record_date(c: SqlCompiler, anchor: Anchor) -> exp.Expr:
    """A date read from the record, per person: the latest research consent on or before
    the staff-set date ``anchor.by`` (participation.consent_date)."""
    assert anchor.by is not None
    by = c.param_date(c.dates[anchor.by])
    latest = exp.Max(
        this=case((exp.LTE(this=col("observation_date"), expression=by), col("observation_date")))
    )
    return alias(latest, f"{anchor.name}_date")


def code_table_arrow(tables: CodeTables) -> tuple[pa.Table, pa.Table]:
    """td_codes and td_units as Arrow tables with explicit types (they may be empty)."""
    fields = [
        pa.field("kind", pa.string()),
        pa.field("cid", pa.int64()),
        pa.field("sid", pa.int64()),
        pa.field("aux", pa.int64()),
        *(pa.field(tables.side_column(site), pa.string()) for site in tables.sites),
    ]
    for vs in tables.valuesets:
        fields += [
            pa.field(CodeTables.column("m", vs), pa.bool_()),
            pa.field(CodeTables.column("c", vs), pa.bool_()),
            pa.field(CodeTables.column("u", vs), pa.bool_()),
            pa.field(CodeTables.column("route", vs), pa.string()),
            pa.field(CodeTables.column("ingr", vs), pa.string()),
            pa.field(CodeTables.column("strength", vs), pa.float64()),
            pa.field(CodeTables.column("pred", vs), pa.float64()),
        ]
    codes = pa.Table.from_pylist(tables.rows, schema=pa.schema(fields))
    unit_fields = [pa.field("unit_cid", pa.int64()), pa.field("unit_src", pa.string())]
    unit_fields += [pa.field(CodeTables.column("f", vs), pa.float64()) for vs in tables.valuesets]
    units = pa.Table.from_pylist(tables.units, schema=pa.schema(unit_fields))
    return codes, units


class QueryOptions(TypedDict):
    """The study dates (every staff-set anchor), the participant parameters' values and the
    engine a query is compiled for."""

    dates: Mapping[str, date]
    parameters: Mapping[str, str | None]
    dialect: str
    study_id: str
    valuesets: Mapping[str, ValueSet]


def build_query(
    criteria: CriteriaSet,
    tables: CodeTables,
    units: dict[str, str | None],
    **options: Unpack[QueryOptions],
) -> ScreeningQuery:
    """The per-person screening query for ``criteria`` over one CDM."""
    tree, params = build_tree(criteria, tables, units, **options)
    return ScreeningQuery(
        # printed once and never read again: the generator may work on the tree itself
        sql=tree.sql(dialect=options["dialect"], copy=False),
        params=params,
        columns=[cr.id for cr in criteria.criteria],
    )


def build_tree(
    criteria: CriteriaSet,
    tables: CodeTables,
    units: dict[str, str | None],
    **options: Unpack[QueryOptions],
) -> tuple[exp.Expr, dict[str, object]]:
    """The query as a sqlglot tree, and the values of its parameters."""
    dialect, valuesets = options["dialect"], options["valuesets"]
    participant = criteria.participant
    c = SqlCompiler(
        tables,
        units,
        dates=options["dates"],
        parameters=options["parameters"],
        participant=participant,
        study_id=options["study_id"],
        dialect=dialect,
        valueset_kinds={name: vs.kind for name, vs in valuesets.items()},
    )
    statuses = [alias(status_expr(c, cr), f"c_{cr.id}") for cr in criteria.criteria]
    groups = table_groups(
        fact_sources(tables.consent_concepts, tables.cvx_concepts, tables.ucum_units)
    )
    rows = Rows(valuesets, groups, tables.rows, c.param_date)
    passes = aggregate_passes(rows, c.out.aggregates, c.out.derived, c.out.floors)
    ordered = [(name, with_rows(rows, cte)) for name, cte in c.out.ctes]
    person = exp.select(
        col("person_id"),
        alias(_birth_date(), "birth_date"),
        alias(
            case(
                (exp.EQ(this=col("gender_concept_id"), expression=lit(8507)), lit("male")),
                (exp.EQ(this=col("gender_concept_id"), expression=lit(8532)), lit("female")),
            ),
            "sex",
        ),
    ).from_("person", copy=False)
    consent_ids = sorted(tables.consent_concepts)
    consent = (
        exp.select(
            alias(col("person_id"), "c_pid"),
            alias(exp.Min(this=col("observation_date")), "consent_first"),
            *(record_date(c, anchor) for anchor in participant.record),
        )
        .from_("observation", copy=False)
        .where(
            col("observation_concept_id").isin(*(lit(x) for x in consent_ids))
            if consent_ids
            else exp.false(),
            copy=False,
        )
        .group_by(col("person_id"), copy=False)
    )
    # stage 1: one column per domain call, over the person and every per-person CTE
    calls = (
        exp.select(
            col("person_id", "p"),
            alias(col("sex", "p"), "sex"),
            *(alias(col(f"{a.name}_date", "c"), f"{a.name}_date") for a in participant.record),
        )
        .from_(alias(exp.to_identifier("td_person"), "p"), copy=False)
        .join(
            alias(exp.to_identifier("td_consent"), "c"),
            on=exp.EQ(this=col("c_pid", "c"), expression=col("person_id", "p")),
            join_type="left",
            copy=False,
        )
    )
    for name, _ in [*passes.ctes, *ordered]:
        calls = calls.join(
            exp.to_identifier(name),
            on=exp.EQ(this=col(f"{name}_pid"), expression=col("person_id", "p")),
            join_type="left",
            copy=False,
        )
    calls = calls.select(*(read(v, passes.reads) for v in c.out.values), append=True, copy=False)
    # stage 2: the criteria combine those columns with SQL's three-valued logic
    final = exp.select(col("person_id")).from_("td_calls", copy=False)
    uses_visits = any(
        n.name == "vclass" for _, cte in [*passes.ctes, *ordered] for n in cte.find_all(exp.Column)
    )
    ctes: list[tuple[str, exp.Expr]] = [
        *([("td_visit", visits_query())] if uses_visits else []),
        *passes.ctes,
        ("td_person", person),
        ("td_consent", consent),
        *ordered,
        ("td_calls", calls),
    ]
    final = final.select(*statuses, append=True, copy=False)
    for name, cte in ctes:
        final = final.with_(name, as_=cte, copy=False)
    final = final.order_by(col("person_id"), copy=False)
    return parenthesize(final), dict(c.out.params)
