"""Assemble the whole per-person screening query for one study, one CDM, one dialect."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
from sqlglot import exp

from trialdesk.clinical.valuesets import ValueSet
from trialdesk.criteria.context import KIND_MATCHES
from trialdesk.criteria.model import CriteriaSet, Criterion
from trialdesk.criteria.sql.codes import KINDS, CodeTables
from trialdesk.criteria.sql.compiler import SqlCompiler, case, col, lit, parenthesize
from trialdesk.criteria.sql.facts import facts_query, visits_query

# Per-person status codes in the query's result (the evaluator's Status, as integers).
NOT_MET, MET, UNKNOWN, NEEDS_REVIEW = 0, 1, 2, 3
STATUS_NAMES = {NOT_MET: "not_met", MET: "met", UNKNOWN: "unknown", NEEDS_REVIEW: "needs_review"}


@dataclass(frozen=True)
class ScreeningQuery:
    sql: str
    params: dict[str, object]
    columns: list[str]  # criterion ids, in protocol order, after person_id


def status_expr(c: SqlCompiler, criterion: Criterion) -> exp.Expr:
    """The evaluator's status_of(), in SQL."""
    if criterion.judgment is not None:
        return lit(NEEDS_REVIEW)
    rule = exp.paren(c.bool(criterion.rule)) if criterion.rule is not None else exp.false()
    review = exp.paren(c.bool(criterion.review)) if criterion.review is not None else exp.false()
    return case(
        (rule, lit(MET)),
        (exp.Is(this=rule.copy(), expression=exp.Null()), lit(UNKNOWN)),
        (review, lit(NEEDS_REVIEW)),
        (exp.Is(this=review.copy(), expression=exp.Null()), lit(UNKNOWN)),
        default=lit(NOT_MET),
    )


def _birth_date() -> exp.Expr:
    # MAKE_DATE(int, int, int) is spelled the same on DuckDB, PostgreSQL and Spark
    parts = (
        col("year_of_birth"),
        exp.Coalesce(this=col("month_of_birth"), expressions=[lit(1)]),
        exp.Coalesce(this=col("day_of_birth"), expressions=[lit(1)]),
    )
    from_parts = exp.Anonymous(
        this="MAKE_DATE", expressions=[exp.cast(p, exp.DataType.Type.INT) for p in parts]
    )
    return exp.Coalesce(
        this=exp.cast(col("birth_datetime"), exp.DataType.Type.DATE), expressions=[from_parts]
    )


def code_table_arrow(tables: CodeTables) -> tuple[pa.Table, pa.Table]:
    """td_codes and td_units as Arrow tables with explicit types (they may be empty)."""
    fields = [
        pa.field("kind", pa.string()),
        pa.field("cid", pa.int64()),
        pa.field("sid", pa.int64()),
        pa.field("aux", pa.int64()),
        pa.field("laterality", pa.string()),
    ]
    for vs in tables.valuesets:
        fields += [
            pa.field(CodeTables.column("m", vs), pa.bool_()),
            pa.field(CodeTables.column("c", vs), pa.bool_()),
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


def _kinds_of(valuesets: Mapping[str, ValueSet]) -> dict[str, frozenset[str]]:
    """td_facts kinds each value set can match (context.KIND_MATCHES)."""
    labels = {kind: label for label, kind in KINDS.items()}
    out = {}
    for name, vs in valuesets.items():
        kinds = KIND_MATCHES.get(vs.kind)
        out[name] = frozenset(labels[k] for k in kinds) if kinds else frozenset(labels.values())
    return out


def _aggregate_ctes(
    aggregates: list[exp.Expr], valuesets: Mapping[str, ValueSet]
) -> list[tuple[str, exp.Expr]]:
    """The per-person aggregates, one GROUP BY per group of fact kinds they can concern.

    An aggregate over laboratory value sets only ever counts measurement rows, so it is
    computed over those alone: each row meets only the aggregates that can use it.
    """
    kinds_of = _kinds_of(valuesets)
    everything = frozenset(k for ks in kinds_of.values() for k in ks)
    groups: dict[frozenset[str], list[exp.Expr]] = {}
    for agg in aggregates:
        flags = {
            column.name[3:] for column in agg.find_all(exp.Column) if column.name.startswith("m__")
        }
        kinds = frozenset().union(*(kinds_of[f] for f in flags)) if flags else everything
        groups.setdefault(kinds, []).append(agg)
    ctes: list[tuple[str, exp.Expr]] = []
    for i, (kinds, group) in enumerate(sorted(groups.items(), key=lambda kv: sorted(kv[0]))):
        name = f"td_agg{i}"
        select = (
            exp.select(exp.alias_(col("person_id"), f"{name}_pid"), *group, copy=False)
            .from_("td_rows", copy=False)
            .group_by(col("person_id"), copy=False)
        )
        if kinds != everything:
            select = select.where(col("kind").isin(*(lit(k) for k in sorted(kinds))), copy=False)
        ctes.append((name, select))
    return ctes


def build_query(
    criteria: CriteriaSet,
    tables: CodeTables,
    units: dict[str, str | None],
    *,
    screening: date,
    baseline: date,
    target_knee: str | None,
    dialect: str,
    study_id: str,
    valuesets: Mapping[str, ValueSet],
) -> ScreeningQuery:
    c = SqlCompiler(tables, units, screening, baseline, target_knee, study_id)
    statuses = [exp.alias_(status_expr(c, cr), f"c_{cr.id}") for cr in criteria.criteria]
    # td_rows carries only the per-value-set columns the compiled criteria read: a row
    # with every value set's flags would be hundreds of columns wide
    used = {
        column.name
        for tree in (*c.out.aggregates, *c.out.values, *(cte for _, cte in c.out.ctes))
        for column in tree.find_all(exp.Column)
        if column.name.split("__", 1)[0] in ("m", "c", "route", "ingr", "strength", "pred", "f")
    }
    rows = (
        exp.select(
            "f.*",
            col("laterality", "k"),
            *(col(name, "k") for name in sorted(used) if not name.startswith("f__")),
            *(col(name, "u") for name in sorted(used) if name.startswith("f__")),
            col("vclass", "v"),
        )
        .from_(exp.alias_(exp.to_identifier("td_facts"), "f"))
        .join(
            exp.alias_(exp.to_identifier("td_codes"), "k"),
            on=exp.and_(
                *(
                    exp.EQ(this=col(k, "f"), expression=col(k, "k"))
                    for k in ("kind", "cid", "sid", "aux")
                )
            ),
        )
        .join(
            exp.alias_(exp.to_identifier("td_units"), "u"),
            on=exp.and_(
                exp.EQ(this=col("unit_cid", "f"), expression=col("unit_cid", "u")),
                exp.EQ(this=col("unit_src", "f"), expression=col("unit_src", "u")),
            ),
            join_type="left",
            copy=False,
        )
        .join(
            exp.alias_(exp.to_identifier("td_visit"), "v"),
            on=exp.EQ(this=col("visit_id", "f"), expression=col("vid", "v")),
            join_type="left",
            copy=False,
        )
    )
    agg_ctes = _aggregate_ctes(c.out.aggregates, valuesets)
    person = exp.select(
        col("person_id"),
        exp.alias_(_birth_date(), "birth_date"),
        exp.alias_(
            case(
                (exp.EQ(this=col("gender_concept_id"), expression=lit(8507)), lit("male")),
                (exp.EQ(this=col("gender_concept_id"), expression=lit(8532)), lit("female")),
            ),
            "sex",
        ),
    ).from_("person")
    screening_param = c.param_date(screening)
    consent_ids = sorted(tables.consent_concepts)
    consent = (
        exp.select(
            exp.alias_(col("person_id"), "c_pid"),
            exp.alias_(exp.Min(this=col("observation_date")), "consent_first"),
            exp.alias_(
                exp.Max(
                    this=case(
                        (
                            exp.LTE(this=col("observation_date"), expression=screening_param),
                            col("observation_date"),
                        )
                    )
                ),
                "consent_date",
            ),
        )
        .from_("observation")
        .where(
            col("observation_concept_id").isin(*(lit(x) for x in consent_ids))
            if consent_ids
            else exp.false()
        )
        .group_by(col("person_id"))
    )
    # stage 1: one column per domain call, over the person and every per-person CTE
    calls = (
        exp.select(
            col("person_id", "p"),
            exp.alias_(col("sex", "p"), "sex"),
            exp.alias_(col("consent_date", "c"), "consent_date"),
        )
        .from_(exp.alias_(exp.to_identifier("td_person"), "p"))
        .join(
            exp.alias_(exp.to_identifier("td_consent"), "c"),
            on=exp.EQ(this=col("c_pid", "c"), expression=col("person_id", "p")),
            join_type="left",
            copy=False,
        )
    )
    for name, _ in [*agg_ctes, *c.out.ctes]:
        calls = calls.join(
            exp.to_identifier(name),
            on=exp.EQ(this=col(f"{name}_pid"), expression=col("person_id", "p")),
            join_type="left",
            copy=False,
        )
    calls = calls.select(*c.out.values, append=True, copy=False)
    # stage 2: the criteria combine those columns with SQL's three-valued logic
    final = exp.select(col("person_id")).from_("td_calls")
    ctes: list[tuple[str, exp.Expr]] = [
        ("td_facts", facts_query(tables.consent_concepts, tables.cvx_concepts)),
        ("td_visit", visits_query()),
        ("td_rows", rows),
        *agg_ctes,
        ("td_person", person),
        ("td_consent", consent),
        *c.out.ctes,
        ("td_calls", calls),
    ]
    # the big parts go in last: sqlglot's builders copy the tree they are called on
    final = final.select(*statuses, append=True, copy=False)
    for name, cte in ctes:
        final = final.with_(name, as_=cte, copy=False)
    final = final.order_by(col("person_id"), copy=False)
    return ScreeningQuery(
        sql=parenthesize(final).sql(dialect=dialect),
        params=dict(c.out.params),
        columns=[cr.id for cr in criteria.criteria],
    )


def distinct_keys_query(tables_hint: CodeTables, dialect: str) -> tuple[str, str, str]:
    """Queries for the distinct coded-row keys, unit keys and value concepts in the CDM."""
    facts = facts_query(tables_hint.consent_concepts, tables_hint.cvx_concepts)
    keys = (
        exp.select("kind", "cid", "sid", "aux")
        .distinct()
        .from_(exp.alias_(exp.paren(facts.copy()), "f"))
    )
    units = (
        exp.select("unit_cid", "unit_src")
        .distinct()
        .from_(exp.alias_(exp.paren(facts.copy()), "f"))
        .where(exp.EQ(this=col("kind"), expression=lit("observation")))
    )
    values = (
        exp.select("vcid")
        .distinct()
        .from_(exp.alias_(exp.paren(facts), "f"))
        .where(exp.GT(this=col("vcid"), expression=lit(0)))
    )
    return tuple(parenthesize(q).sql(dialect=dialect) for q in (keys, units, values))  # type: ignore[return-value]
