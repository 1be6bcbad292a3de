"""One aggregate pass per group of CDM tables, and the rows each pass reads.

The compiled criteria are aggregates over coded rows (compiler.py). Each aggregate can
only ever use rows of the fact kinds its value sets match (context.KIND_MATCHES), so
the tables are grouped by the kinds they produce (conditions; measurements and
observations; drug exposures; ...) and each group is read once, by one GROUP BY person
that holds exactly the aggregates that can use its rows. Nothing is materialised: every
pass streams its table through a hash join with the small ``td_codes`` table (filtered
to the rows the pass needs) into its aggregate. An aggregate that concerns two groups
(a finding coded as a condition or as an observation) is computed in both and the
partial results are combined per person (MAX of maxima, SUM of sums, ...).

Measured on 200,000 synthetic persons (docs/feasibility.md, best of three in one
process): one GROUP BY per table group, 2.3 s of CPU for the whole query; one GROUP BY
over the rows of every table with every aggregate, 4.0 s. Most rows are laboratory
results, which one GROUP BY would also test against every condition and drug aggregate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlglot import exp

from trialdesk.clinical.valuesets import ValueSet
from trialdesk.criteria.context import KIND_MATCHES
from trialdesk.criteria.sql.builders import alias, and_, case, col, lit, or_, paren
from trialdesk.criteria.sql.codes import KINDS
from trialdesk.criteria.sql.facts import COLUMNS, FactSource, narrow
from trialdesk.criteria.sql.floors import (
    DateParam,
    coarse_filter,
    exact_filter,
    flag_floors,
    flags_in,
    floor_column,
    names_in,
)
from trialdesk.errors import StudyError

_CODE_PREFIXES = ("m", "c", "u", "route", "ingr", "strength", "pred")
_KEYS = ("cid", "sid", "aux")


def kinds_of(valuesets: Mapping[str, ValueSet]) -> dict[str, frozenset[str]]:
    """td_facts kinds each value set can match (context.KIND_MATCHES)."""
    labels = {kind: label for label, kind in KINDS.items()}
    out = {}
    for name, vs in valuesets.items():
        kinds = KIND_MATCHES.get(vs.kind)
        found = frozenset(labels[k] for k in kinds) if kinds else frozenset(labels.values())
        # a set with routes: also takes in drug rows given by those routes (Matcher.matches)
        out[name] = found | {"medication"} if vs.routes else found
    return out


@dataclass(frozen=True)
class Group:
    """Tables whose rows have the same possible kinds: read together, once."""

    name: str
    kinds: frozenset[str]
    sources: tuple[FactSource, ...]


def table_groups(sources: Sequence[FactSource]) -> list[Group]:
    """The tables grouped by the kinds of row they produce, in a stable order."""
    by_kinds: dict[frozenset[str], list[FactSource]] = {}
    for source in sources:
        by_kinds.setdefault(source.kinds, []).append(source)
    return [
        Group(f"td_{group[0].table}", kinds, tuple(group))  # td_measurement: + observation
        for kinds, group in sorted(by_kinds.items(), key=lambda kv: sorted(kv[0]))
    ]


class Rows:
    """Builds the coded rows of a table group: facts joined to the code rows they need."""

    def __init__(
        self,
        valuesets: Mapping[str, ValueSet],
        groups: Sequence[Group],
        code_rows: Sequence[Mapping[str, Any]],
        param: DateParam,
    ) -> None:
        self.code_rows, self.param = code_rows, param
        self.kinds_of = kinds_of(valuesets)
        self.everything = frozenset(k for g in groups for k in g.kinds)
        self.groups = list(groups)

    def kinds(self, tree: exp.Expr) -> frozenset[str]:
        """The kinds of row an expression can use: those its value sets can match."""
        flags = flags_in(names_in(tree))
        if not flags:
            return self.everything
        return frozenset().union(*(self.kinds_of[f] for f in flags))

    def groups_for(self, tree: exp.Expr) -> list[Group]:
        kinds = self.kinds(tree)
        return [g for g in self.groups if g.kinds & kinds]

    def query(
        self, group: Group, trees: Sequence[exp.Expr], floors: Mapping[str, date] | None = None
    ) -> exp.Select:
        """The group's rows that some value set of ``trees`` matches, with the columns the
        trees read. Rows no tree's value set matches cannot change any aggregate: every
        consumer reads "no rows" and "no matching row" alike (COALESCE(..., 0)).

        ``floors``: per value set, the earliest span end of a row that can matter; a value
        set not named there reads all its rows. A row is kept if one of its value sets
        can use it (floors.py)."""
        names = set().union(*(names_in(t) for t in trees))
        flags = sorted(flags_in(names))
        bounded = {f: day for f, day in (floors or {}).items() if f in flags}
        if bounded:
            names |= {"start_date", "end_date"}
        code_cols = sorted(n for n in names if n.split("__", 1)[0] in _CODE_PREFIXES)
        code_cols += sorted(n for n in names if n.split("__", 1)[0] == "laterality")
        unit_cols = sorted(n for n in names if n.startswith("f__"))
        fact_cols = {n for n in names if n in COLUMNS and n != "kind"} | {"person_id"}
        needed = fact_cols | set(_KEYS)
        needed |= {"unit_cid", "unit_src"} if unit_cols else set()
        needed |= {"visit_id"} if "vclass" in names else set()
        facts: exp.Expr = narrow(group.sources[0].select, needed)
        for source in group.sources[1:]:
            facts = exp.union(facts, narrow(source.select, needed), distinct=False)
        if bounded:
            coarse = coarse_filter(flags, bounded, self.code_rows, group.kinds, self.param)
            facts = (
                exp.select("*")
                .from_(paren(facts).as_("f0", copy=False), copy=False)
                .where(coarse, copy=False)
            )
        code_filter = and_(
            col("kind").isin(*(lit(k) for k in sorted(group.kinds))),
            paren(or_(*(col(f"m__{f}") for f in flags))) if flags else exp.true(),
        )
        codes = (
            exp.select(
                *(col(n) for n in ("kind", *_KEYS, *code_cols)),
                *(
                    [alias(floor_column(flags, bounded, self.param), "floor_date")]
                    if bounded
                    else []
                ),
            )
            .from_("td_codes", copy=False)
            .where(code_filter, copy=False)
        )
        rows = (
            exp.select(
                *(col(n, "f") for n in sorted(fact_cols)),
                *(col(n, "k") for n in (["kind"] if "kind" in names else []) + code_cols),
                *(col(n, "u") for n in unit_cols),
                *([col("vclass", "v")] if "vclass" in names else []),
            )
            .from_(paren(facts).as_("f", copy=False), copy=False)
            .join(
                paren(codes).as_("k", copy=False),
                on=and_(*(exp.EQ(this=col(k, "f"), expression=col(k, "k")) for k in _KEYS)),
                copy=False,
            )
        )
        if bounded:
            rows = rows.where(exact_filter(), copy=False)
        if unit_cols:
            rows = rows.join(
                alias(exp.to_identifier("td_units"), "u"),
                on=and_(
                    exp.EQ(this=col("unit_cid", "f"), expression=col("unit_cid", "u")),
                    exp.EQ(this=col("unit_src", "f"), expression=col("unit_src", "u")),
                ),
                join_type="left",
                copy=False,
            )
        if "vclass" in names:
            rows = rows.join(
                alias(exp.to_identifier("td_visit"), "v"),
                on=exp.EQ(this=col("visit_id", "f"), expression=col("vid", "v")),
                join_type="left",
                copy=False,
            )
        return rows


def _fold_kind(tree: exp.Expr, kinds: frozenset[str]) -> exp.Expr:
    """``kind IN (...)`` decided where a group's rows have a single kind."""
    if len(kinds) != 1:
        return tree
    (only,) = kinds

    def fold(node: exp.Expr) -> exp.Expr:
        if (
            isinstance(node, exp.In)
            and isinstance(node.this, exp.Column)
            and node.this.name == "kind"
        ):
            listed = {e.name for e in node.expressions}
            return exp.true() if only in listed else exp.false()
        return node

    return tree.transform(fold)


@dataclass
class Passes:
    """The pass CTEs and, per aggregate name, how td_calls reads its per-person value."""

    ctes: list[tuple[str, exp.Expr]]
    reads: dict[str, exp.Expr]


def _combine(fn: type[exp.Expr], parts: list[exp.Expr]) -> exp.Expr:
    """Per person, the aggregate over all rows from the aggregates over each group's rows."""
    if fn is exp.Max:
        return exp.Greatest(this=parts[0], expressions=parts[1:], ignore_nulls=True)
    if fn is exp.Min:
        return exp.Least(this=parts[0], expressions=parts[1:], ignore_nulls=True)
    if fn is exp.Sum:
        total: exp.Expr = exp.Coalesce(this=parts[0], expressions=[lit(0)])
        for p in parts[1:]:
            total = exp.Add(this=total, expression=exp.Coalesce(this=p, expressions=[lit(0)]))
        nothing = and_(*(exp.Is(this=p.copy(), expression=exp.Null()) for p in parts))
        return case((nothing, exp.Null()), default=total)
    raise StudyError(f"cannot combine {fn.__name__} aggregates across tables")


def read(value: exp.Expr, reads: Mapping[str, exp.Expr]) -> exp.Expr:
    """``value`` with each aggregate read from the pass (or passes) computing it."""

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and not node.table and node.name in reads:
            return reads[node.name].copy()
        return node

    return value.transform(swap)


def aggregate_passes(
    rows: Rows,
    aggregates: Sequence[exp.Expr],
    derived: Sequence[exp.Expr],
    floors: Mapping[str, date],
) -> Passes:
    """One GROUP BY person per table group over the aggregates that can use its rows;
    ``derived`` figures beside the aggregates they read when those share a pass."""
    per_group: dict[str, list[exp.Alias]] = {g.name: [] for g in rows.groups}
    originals: dict[str, list[exp.Alias]] = {g.name: [] for g in rows.groups}
    reads: dict[str, exp.Expr] = {}
    for agg in aggregates:
        assert isinstance(agg, exp.Alias)
        groups = rows.groups_for(agg)
        for g in groups:
            originals[g.name].append(agg)
        if len(groups) == 1:
            per_group[groups[0].name].append(agg)
            reads[agg.alias] = col(agg.alias)
            continue
        parts: list[exp.Expr] = []
        for g in groups:
            part = f"{agg.alias}_{g.name}"
            per_group[g.name].append(exp.Alias(this=agg.this.copy(), alias=exp.to_identifier(part)))
            parts.append(col(part))
        reads[agg.alias] = _combine(type(agg.this), parts) if parts else exp.Null()
    home = {a.alias: g for g, aggs in per_group.items() for a in aggs if a.alias in reads}
    beside: dict[str, list[exp.Expr]] = {g.name: [] for g in rows.groups}
    for figure in derived:
        assert isinstance(figure, exp.Alias)
        homes = {home.get(column.name) for column in figure.find_all(exp.Column)}
        if len(homes) == 1 and None not in homes:
            beside[str(homes.pop())].append(figure)
            reads[figure.alias] = col(figure.alias)
        else:
            reads[figure.alias] = read(figure.this, reads)
    ctes: list[tuple[str, exp.Expr]] = []
    for g in rows.groups:
        group_aggs = [_fold_kind(a, g.kinds) for a in per_group[g.name]]
        if not group_aggs:
            continue
        group_floors = flag_floors(originals[g.name], floors)
        select = (
            exp.select(alias(col("person_id"), f"{g.name}_pid"), *group_aggs)
            .from_(paren(rows.query(g, group_aggs, group_floors)).as_("r", copy=False), copy=False)
            .group_by(col("person_id"), copy=False)
        )
        if beside[g.name]:
            select = exp.select("*", *beside[g.name]).from_(
                select.subquery("t", copy=False), copy=False
            )
        ctes.append((g.name, select))
    return Passes(ctes, reads)


def with_rows(rows: Rows, cte: exp.Expr) -> exp.Expr:
    """A per-person CTE written over ``td_rows``, reading only the coded rows it needs."""
    tables = [t for t in cte.find_all(exp.Table) if t.name == "td_rows"]
    if not tables:
        return cte
    parts = [rows.query(g, [cte]) for g in rows.groups_for(cte)]
    source: exp.Expr = parts[0]
    for part in parts[1:]:
        source = exp.union(source, part, distinct=False)
    for table in tables:
        table.replace(paren(source.copy()).as_("td_rows", copy=False))
    return cte
