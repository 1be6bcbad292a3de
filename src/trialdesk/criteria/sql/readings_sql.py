"""SQL for measurements (open world): usable readings, extremes, the latest, ×ULN.

Mirrors criteria/measures.py: the same unit factors, plausibility limits (the one table,
clinical/plausibility.yaml) and tie-breaks.
"""

from __future__ import annotations

from sqlglot import exp

from trialdesk.clinical.labs import DEFAULT_ULN, default_uln
from trialdesk.clinical.plausibility import BY_VALUESET
from trialdesk.criteria.sql.builders import and_, case, col, lit, not_, round_
from trialdesk.criteria.sql.compiler import DateVal, Interval, SqlCompiler
from trialdesk.criteria.sql.functions import START, _between
from trialdesk.criteria.sql.picks import CODE, DAY, NUMBER, Field, Pick
from trialdesk.criteria.sql.sides_sql import side_tri
from trialdesk.errors import FactError

# -- measurements (open world) ----------------------------------------------------------------


def usable(c: SqlCompiler, vs: str) -> tuple[exp.Expr, exp.Expr]:
    """(the row's value in the value set's unit, whether it is usable) for value set vs."""
    conv = exp.Mul(this=col("value_num"), expression=col(f"f__{vs}"))
    ok: exp.Expr = and_(
        col(f"m__{vs}"),
        not_(exp.Is(this=conv.copy(), expression=exp.Null())),
        exp.GTE(this=conv.copy(), expression=lit(0)),
    )
    limit = BY_VALUESET.get(vs)
    if limit is not None:
        low, high, divisor = limit.low, limit.high, limit.per_valueset_unit
        scaled = (
            exp.Div(this=conv.copy(), expression=lit(divisor)) if divisor != 1.0 else conv.copy()
        )
        ok = and_(
            ok,
            exp.GTE(this=scaled, expression=lit(low)),
            exp.LTE(this=scaled.copy(), expression=lit(high)),
        )
    return conv, ok


def reading_scope(c: SqlCompiler, vs: str, w: tuple[DateVal, DateVal]) -> tuple[exp.Expr, exp.Expr]:
    conv, ok = usable(c, vs)
    return conv, and_(ok, _between(c, START, *w))


def extreme(c: SqlCompiler, vs: str, w: tuple[DateVal, DateVal], how: str) -> Interval:
    conv, scope = reading_scope(c, vs, w)
    fn = exp.Max if how == "highest" else exp.Min
    v = c.aggregate(fn(this=case((scope, conv))), floor=w[0])
    return v, v.copy()


class Reading:
    """The latest usable reading of a value set in a window, per person: the row with the
    latest date, then the higher value (the evaluator's order), as one Pick.

    With ``side`` (measures.latest_on_side): only rows on the side count, and a row that
    cannot be placed, dated on or after the latest placed one, makes the value unknown."""

    def __init__(
        self,
        c: SqlCompiler,
        vs: str,
        w: tuple[DateVal, DateVal],
        side: str | None = None,
        unsided: str = "unknown",
    ) -> None:
        conv, self._scope = reading_scope(c, vs, w)
        self._unsure: exp.Expr | None = None
        if side is not None:
            placed = side_tri(c, side, unsided)
            unsure = and_(self._scope.copy(), exp.EQ(this=placed.copy(), expression=lit(1)))
            self._unsure = c.aggregate(exp.Max(this=case((unsure, START.copy()))), floor=w[0])
            self._scope = and_(self._scope, exp.EQ(this=placed, expression=lit(2)))
        above = case(  # as a code: 0 no range, 1 not above it, 2 above it
            (exp.Is(this=col("range_high"), expression=exp.Null()), lit(0)),
            (exp.GT(this=col("value_num"), expression=col("range_high")), lit(2)),
            default=lit(1),
        )
        fields = [Field(DAY, START.copy()), Field(NUMBER, conv), Field(CODE, above)]
        self._c, self._floor = c, w[0]
        self._pick = Pick(c, self._scope, fields, w[0])
        self._day: exp.Column | None = None

    @property
    def v(self) -> exp.Expr:
        """The value in the value set's unit."""
        value = self._pick.get(1)
        if self._unsure is None:
            return value
        unsure = self._unsure.copy()
        later = exp.Or(
            this=exp.Is(this=self.d, expression=exp.Null()),
            expression=exp.GTE(this=unsure.copy(), expression=self.d),
        )
        hidden = exp.And(
            this=exp.Not(this=exp.Is(this=unsure, expression=exp.Null())),
            expression=exp.Paren(this=later),
        )
        return case((hidden, exp.Null()), default=value)

    @property
    def a(self) -> exp.Expr:
        """1/0 whether it is above its own reference high; NULL with no range."""
        code = self._pick.get(2)
        return case(
            (exp.EQ(this=code, expression=lit(0)), exp.Null()),
            default=exp.Sub(this=code.copy(), expression=lit(1)),
        )

    @property
    def d(self) -> exp.Expr:
        """Its date: the latest date of a usable reading (the first key)."""
        if self._day is None:
            latest_day = exp.Max(this=case((self._scope.copy(), START.copy())))
            self._day = self._c.aggregate(latest_day, floor=self._floor)
        return self._day.copy()


def latest(
    c: SqlCompiler,
    vs: str,
    w: tuple[DateVal, DateVal],
    side: str | None = None,
    unsided: str = "unknown",
) -> Reading:
    """Each person's latest usable reading (ties: the higher value), shared by every call
    (with ``side``: of that side, as measures.latest_on_side reads it)."""
    key = ("latest", vs, w, side, unsided)
    known = c.shared.get(key)
    if not isinstance(known, Reading):
        known = Reading(c, vs, w, side, unsided)
        c.shared[key] = known
    return known


def highest_x_uln(c: SqlCompiler, vs: str, w: tuple[DateVal, DateVal]) -> Interval:
    conv, scope = reading_scope(c, vs, w)
    with_range = and_(scope, not_(exp.Is(this=col("range_high"), expression=exp.Null())))
    uln = exp.Mul(this=col("range_high"), expression=col(f"f__{vs}"))
    ratio = case(
        (
            exp.GT(this=uln.copy(), expression=lit(0)),
            round_(exp.Div(this=conv.copy(), expression=uln), 6),
        )
    )
    own = c.aggregate(exp.Max(this=case((with_range, ratio))), floor=w[0])
    no_range = and_(scope.copy(), exp.Is(this=col("range_high"), expression=exp.Null()))
    top = c.aggregate(exp.Max(this=case((no_range, conv.copy()))), floor=w[0])
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
    # the larger of the two, either when the other is missing (one expression: the ULN
    # figures are not repeated per branch)
    best = exp.Greatest(this=own, expressions=[default], ignore_nulls=True)
    return best, best.copy()
