"""SQL for measurements (open world): usable readings, extremes, the latest, ×ULN.

Mirrors criteria/measures.py: the same unit factors, plausibility limits and tie-breaks.
"""

from __future__ import annotations

from sqlglot import exp

from trialdesk.clinical.labs import DEFAULT_ULN, default_uln
from trialdesk.criteria.sql.compiler import (
    PLAUSIBLE_RANGES,
    DateVal,
    Interval,
    SqlCompiler,
    case,
    col,
    lit,
    round_,
)
from trialdesk.criteria.sql.functions import START, _between
from trialdesk.errors import FactError

# -- measurements (open world) ----------------------------------------------------------------


def usable(c: SqlCompiler, vs: str) -> tuple[exp.Expr, exp.Expr]:
    """(the row's value in the value set's unit, whether it is usable) for value set vs."""
    conv = exp.Mul(this=col("value_num"), expression=col(f"f__{vs}"))
    ok: exp.Expr = exp.and_(
        col(f"m__{vs}"),
        exp.not_(exp.Is(this=conv.copy(), expression=exp.Null())),
        exp.GTE(this=conv.copy(), expression=lit(0)),
    )
    bounds = PLAUSIBLE_RANGES.get(vs)
    if bounds is not None:
        low, high, divisor = bounds
        scaled = (
            exp.Div(this=conv.copy(), expression=lit(divisor)) if divisor != 1.0 else conv.copy()
        )
        ok = exp.and_(
            ok,
            exp.GTE(this=scaled, expression=lit(low)),
            exp.LTE(this=scaled.copy(), expression=lit(high)),
        )
    return conv, ok


def reading_scope(c: SqlCompiler, vs: str, w: tuple[DateVal, DateVal]) -> tuple[exp.Expr, exp.Expr]:
    conv, ok = usable(c, vs)
    return conv, exp.and_(ok, _between(c, START, *w))


def extreme(c: SqlCompiler, vs: str, w: tuple[DateVal, DateVal], how: str) -> Interval:
    conv, scope = reading_scope(c, vs, w)
    fn = exp.Max if how == "highest" else exp.Min
    v = c.aggregate(fn(this=case((scope, conv))))
    return v, v.copy()


def first_per_person(
    c: SqlCompiler, columns: dict[str, exp.Expr], where: exp.Expr, order: list[exp.Ordered]
) -> str:
    """A CTE with each person's first row of ``td_rows`` by ``order`` among ``where``;
    its columns are ``<name>_pid`` and ``<name>_<key>`` for each of ``columns``."""
    name = f"l{len(c.out.ctes)}"
    rank = exp.Window(
        this=exp.RowNumber(), partition_by=[col("person_id")], order=exp.Order(expressions=order)
    )
    ranked = (
        exp.select(
            col("person_id"),
            *(exp.alias_(value, key) for key, value in columns.items()),
            exp.alias_(rank, "rn"),
        )
        .from_("td_rows")
        .where(where)
    )
    cte = (
        exp.select(
            exp.alias_(col("person_id"), f"{name}_pid"),
            *(exp.alias_(col(key), f"{name}_{key}") for key in columns),
        )
        .from_(exp.alias_(exp.paren(ranked), "r"))
        .where(exp.EQ(this=col("rn"), expression=lit(1)))
    )
    c.out.ctes.append((name, cte))
    return name


def latest(c: SqlCompiler, vs: str, w: tuple[DateVal, DateVal]) -> str:
    """A CTE with each person's latest usable reading (ties: the higher value), its name.

    Columns: ``<name>_v`` the value in the value set's unit, ``<name>_d`` its date,
    ``<name>_a`` 1/0 whether it is above its own reference high (NULL: no range).
    """
    key = ("latest", vs, w)
    known = c.cte_names.get(key)
    if known is not None:
        return known
    conv, scope = reading_scope(c, vs, w)
    above = case(
        (exp.Is(this=col("range_high"), expression=exp.Null()), exp.Null()),
        (exp.GT(this=col("value_num"), expression=col("range_high")), lit(1)),
        default=lit(0),
    )
    order = [exp.Ordered(this=START.copy(), desc=True), exp.Ordered(this=conv.copy(), desc=True)]
    name = first_per_person(c, {"v": conv, "d": START.copy(), "a": above}, scope, order)
    c.cte_names[key] = name
    return name


def highest_x_uln(c: SqlCompiler, vs: str, w: tuple[DateVal, DateVal]) -> Interval:
    conv, scope = reading_scope(c, vs, w)
    with_range = exp.and_(scope, exp.not_(exp.Is(this=col("range_high"), expression=exp.Null())))
    uln = exp.Mul(this=col("range_high"), expression=col(f"f__{vs}"))
    ratio = case(
        (
            exp.GT(this=uln.copy(), expression=lit(0)),
            round_(exp.Div(this=conv.copy(), expression=uln), 6),
        )
    )
    own = c.aggregate(exp.Max(this=case((with_range, ratio))))
    no_range = exp.and_(scope.copy(), exp.Is(this=col("range_high"), expression=exp.Null()))
    top = c.aggregate(exp.Max(this=case((no_range, conv.copy()))))
    whens = []
    for sex in ("male", "female", None):
        try:
            limit, _ = default_uln(vs, sex)
        except FactError:
            continue
        cond = (
            exp.Is(this=col("sex", "p"), expression=exp.Null())
            if sex is None
            else exp.EQ(this=col("sex", "p"), expression=lit(sex))
        )
        whens.append((cond, round_(exp.Div(this=top.copy(), expression=lit(limit)), 6)))
    if vs not in {k.lower() for k in DEFAULT_ULN} and not whens:
        default: exp.Expr = exp.Null()
    else:
        default = case(*whens)
    best = case(
        (exp.Is(this=own.copy(), expression=exp.Null()), default.copy()),
        (exp.Is(this=default.copy(), expression=exp.Null()), own.copy()),
        (exp.GTE(this=own.copy(), expression=default.copy()), own.copy()),
        default=default.copy(),
    )
    return best, best.copy()
