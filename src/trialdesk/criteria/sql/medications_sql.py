"""SQL for the medication functions: taking, dose changes, the highest daily dose.

Mirrors criteria/medications.py and queries.dose_changed; rows are ``td_rows`` columns
(compiler.py), drug exposures with their strength and ingredient from the code tables.
"""

from __future__ import annotations

from sqlglot import exp

from trialdesk.criteria.nodes import Call
from trialdesk.criteria.sql.builders import (
    and_,
    case,
    cast,
    col,
    lit,
    not_,
    or_,
    round_,
    tri_to_bool,
)
from trialdesk.criteria.sql.compiler import UNBOUNDED, DateVal, Interval, SqlCompiler
from trialdesk.criteria.sql.functions import END, START, _between, _kind, _overlaps


def taking(c: SqlCompiler, names: tuple[str, ...], on: DateVal) -> exp.Expr:
    """TRUE if an order covers ``on``; else UNKNOWN if an order has no date; else FALSE."""
    base = and_(c.in_vs(names), _kind("medication"))
    row = case(
        (and_(base, _between(c, c.sql_date(on), START, END)), lit(2)),
        (and_(base.copy(), exp.Is(this=START.copy(), expression=exp.Null())), lit(1)),
        default=lit(0),
    )
    return tri_to_bool(c.aggregate(exp.Max(this=row), floor=on))


def _ingredients(c: SqlCompiler, names: tuple[str, ...]) -> list[str | None]:
    """Every ingredient a medication row of these value sets can have (first_info("ingr")),
    as the code tables decided them; None for a row whose ingredient is not known."""
    found: set[str | None] = set()
    for row in c.codes.rows:
        if row["kind"] != "medication":
            continue
        first = next((vs for vs in names if row.get(f"m__{vs}")), None)
        if first is not None:
            found.add(row.get(f"ingr__{first}"))
    return sorted(found, key=lambda g: (g is None, g or ""))


def dose_changed(c: SqlCompiler, names: tuple[str, ...], w: tuple[DateVal, DateVal]) -> exp.Expr:
    """TRUE if one drug's daily dose took two values in the window; UNKNOWN if a dose is
    not recorded (and none changed); else FALSE (queries.dose_changed).

    "Two values" is a smallest and a largest dose that differ, per ingredient: a pair of
    plain aggregates per ingredient the CDM's codes name, so the drug rows are read once,
    in the same pass as every other medication aggregate."""
    scope = and_(c.in_vs(names), _kind("medication"), _overlaps(c, *w))
    dose = _daily_dose(c, names)
    known = and_(scope.copy(), not_(exp.Is(this=dose.copy(), expression=exp.Null())))
    ingredient = c.first_info("ingr", names)
    changed: list[exp.Expr] = []
    for name in _ingredients(c, names):
        same = (
            exp.Is(this=ingredient.copy(), expression=exp.Null())
            if name is None
            else exp.EQ(this=ingredient.copy(), expression=lit(name))
        )
        rounded = case((and_(known.copy(), same), round_(dose.copy(), 3)))
        low = c.aggregate(exp.Min(this=rounded), floor=w[0])
        high = c.aggregate(exp.Max(this=rounded.copy()), floor=w[0])
        changed.append(
            exp.Coalesce(this=exp.NEQ(this=low, expression=high), expressions=[exp.false()])
        )
    nulls = c.aggregate(
        exp.Sum(
            this=case(
                (and_(scope.copy(), exp.Is(this=dose.copy(), expression=exp.Null())), lit(1)),
                default=lit(0),
            )
        ),
        floor=w[0],
    )
    return case(
        (or_(*changed) if changed else exp.false(), exp.true()),
        (
            exp.GT(this=exp.Coalesce(this=nulls, expressions=[lit(0)]), expression=lit(0)),
            exp.Null(),
        ),
        default=exp.false(),
    )


def _daily_dose(c: SqlCompiler, names: tuple[str, ...]) -> exp.Expr:
    """mg/day: units per day (quantity / days supply) times the product strength."""
    per_day = case(
        (
            and_(
                not_(exp.Is(this=col("quantity"), expression=exp.Null())),
                exp.GT(this=col("days_supply"), expression=lit(0)),
                exp.GTE(this=col("quantity"), expression=lit(0)),
            ),
            exp.Div(
                this=col("quantity"),
                expression=cast(col("days_supply"), exp.DataType.Type.DOUBLE),
            ),
        ),
    )
    return exp.Mul(this=per_day, expression=c.first_info("strength", names))


def highest_daily_dose(c: SqlCompiler, node: Call, w: tuple[DateVal, DateVal]) -> Interval:
    names = node.valuesets
    scope = and_(c.in_vs(names), _kind("medication"), _overlaps(c, *w))
    route = node.option("route")
    if isinstance(route, str):
        got = c.first_info("route", names)
        scope = and_(
            scope,
            or_(
                exp.Is(this=got, expression=exp.Null()),
                exp.EQ(this=got.copy(), expression=lit(route)),
            ),
        )
    dose = _daily_dose(c, names)
    if node.option("as_prednisone") is True:
        dose = exp.Mul(this=dose, expression=c.first_info("pred", names))
    count = c.aggregate(exp.Sum(this=case((scope, lit(1)), default=lit(0))), floor=w[0])
    best = c.aggregate(exp.Max(this=case((scope.copy(), dose.copy()))), floor=w[0])
    nulls = c.aggregate(
        exp.Sum(
            this=case(
                (and_(scope.copy(), exp.Is(this=dose.copy(), expression=exp.Null())), lit(1)),
                default=lit(0),
            )
        ),
        floor=w[0],
    )
    lo = case(
        (
            exp.GT(this=exp.Coalesce(this=count, expressions=[lit(0)]), expression=lit(0)),
            exp.Coalesce(this=best, expressions=[lit(0.0)]),
        ),
        default=lit(0.0),
    )
    hi = case(
        (
            exp.GT(this=exp.Coalesce(this=nulls, expressions=[lit(0)]), expression=lit(0)),
            lit(UNBOUNDED),
        ),
        default=lo.copy(),
    )
    return lo, hi
