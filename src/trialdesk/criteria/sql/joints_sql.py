"""SQL for the ACR/EULAR 2010 joint domain from joint counts, over the CDM.

Mirrors criteria/joint_counts.py (which examination, which readings) and
clinical/acr_eular_joints.py (what each count allows): the latest day with a usable count
in the three months up to the date; each count's latest whole reading within its joints,
kept when it is of that day; the points each shape allows, intersected; contradicting
counts leave the domain unknown (0-5).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlglot import exp

from trialdesk.clinical.acr_eular_joints import (
    LARGE_IN_28,
    LARGE_JOINTS_MAX,
    MAXIMA,
    OTHER_TO_EXCEED,
    SMALL_JOINTS_MAX,
)
from trialdesk.criteria.joint_counts import JOINT_VALUESETS, LOOKBACK
from trialdesk.criteria.sql.builders import and_, case, cast, lit, not_, or_
from trialdesk.criteria.sql.compiler import DateVal, SqlCompiler
from trialdesk.criteria.sql.functions import START
from trialdesk.criteria.sql.readings_sql import reading_scope

_LOOKBACK_MONTHS = LOOKBACK.months + 12 * LOOKBACK.years
_SHIFT = 128  # above every count's maximum (68): a day number and a count in one integer
assert max(MAXIMA.values()) < _SHIFT
# a joint-count field name (JointCounts) -> its count on the examination day, a fresh tree
Reader = Callable[[str], exp.Expr]


# GREATEST and LEAST here skip NULLs (ignore_nulls: sqlglot writes NULL-propagating ones
# otherwise, as a CASE); a count or a bound not on file is NULL.


def _epoch() -> exp.Expr:
    return cast(lit("1970-01-01"), exp.DataType.Type.DATE)


def _null(e: exp.Expr) -> exp.Expr:
    return exp.Is(this=e, expression=exp.Null())


def _points(large: exp.Expr, small: exp.Expr, other: exp.Expr) -> exp.Expr:
    """acr_eular_joints.joint_points: >10 joints with a small one 5; 4+ small 3; 1+ small 2;
    2+ large 1; else 0. Each argument is used once per branch: pass fresh trees."""
    total = exp.Add(
        this=exp.Add(this=large.copy(), expression=small.copy()), expression=other.copy()
    )
    return case(
        (
            and_(
                exp.GTE(this=small.copy(), expression=lit(1)),
                exp.GT(this=total, expression=lit(10)),
            ),
            lit(5),
        ),
        (exp.GTE(this=small.copy(), expression=lit(4)), lit(3)),
        (exp.GTE(this=small.copy(), expression=lit(1)), lit(2)),
        (exp.GTE(this=large.copy(), expression=lit(2)), lit(1)),
        default=lit(0),
    )


class _Count:
    """One value set's latest usable whole count in the window, as one integer MAX per
    person: day number * 128 + count (a count is at most 68), so the largest is the latest
    day and, on a tie, the higher count, the evaluator's order. ``day`` and ``value`` are
    worked out from it once per person; both NULL when no reading is usable."""

    def __init__(self, c: SqlCompiler, vs: str, w: tuple[DateVal, DateVal]) -> None:
        conv, scope = reading_scope(c, vs, w)
        whole = and_(
            scope,
            exp.LTE(this=conv.copy(), expression=lit(MAXIMA[JOINT_VALUESETS[vs]])),
            exp.EQ(this=conv.copy(), expression=exp.Floor(this=conv.copy())),
        )
        day = exp.DateDiff(this=START.copy(), expression=_epoch(), unit=exp.var("DAY"))
        key = exp.Add(
            this=exp.Mul(this=cast(day, exp.DataType.Type.BIGINT), expression=lit(_SHIFT)),
            expression=cast(conv.copy(), exp.DataType.Type.BIGINT),
        )
        packed = c.aggregate(exp.Max(this=case((whole, key))), floor=w[0])

        def day_of() -> exp.Expr:  # FLOOR of a DOUBLE division: integer division differs
            as_double = cast(packed.copy(), exp.DataType.Type.DOUBLE)
            return exp.Floor(this=exp.Div(this=as_double, expression=lit(_SHIFT)))

        self.day = c.derive(day_of())
        remainder = exp.Sub(
            this=cast(packed.copy(), exp.DataType.Type.DOUBLE),
            expression=exp.Mul(this=lit(_SHIFT), expression=day_of()),
        )
        self.value = c.derive(remainder)


def joint_range(c: SqlCompiler, on: DateVal) -> tuple[exp.Expr, exp.Expr]:
    """(lowest, highest) joint-domain points per person; (0, 5) with no usable count."""
    if isinstance(on, date):
        start: DateVal = on - LOOKBACK
    else:
        start = exp.DateSub(this=on.copy(), expression=lit(_LOOKBACK_MONTHS), unit=exp.var("MONTH"))
    counts = {
        field: _Count(c, vs, (start, on)) for vs, field in JOINT_VALUESETS.items() if vs in c.units
    }
    if not counts:
        return lit(0), lit(5)
    days = [x.day.copy() for x in counts.values()]
    latest = c.derive(
        days[0]
        if len(days) == 1
        else exp.Greatest(ignore_nulls=True, this=days[0], expressions=days[1:])
    )

    def n(field: str) -> exp.Expr:
        """The count of the latest examination day, NULL when not counted that day."""
        x = counts.get(field)
        if x is None:
            return exp.Null()
        return case((exp.EQ(this=x.day.copy(), expression=latest.copy()), x.value.copy()))

    low = _known(exp.Greatest, [_acr_low(n), _count_28_low(n)], 0)
    high = _known(exp.Least, [_acr_high(n), _count_68_high(n)], 5)
    conflict = exp.GT(this=low.copy(), expression=high.copy())
    return (
        case((conflict, lit(0)), default=low),
        case((conflict.copy(), lit(5)), default=high),
    )


def _known(fn: type[exp.Greatest] | type[exp.Least], items: list[exp.Expr], none: int) -> exp.Expr:
    """The greatest (least) of the bounds given, ``none`` when no shape gives one."""
    both = fn(this=items[0], expressions=items[1:], ignore_nulls=True)  # NULL: no bound
    return exp.Coalesce(this=both, expressions=[lit(none)])


def _has_acr(n: Reader) -> exp.Expr:
    return or_(not_(_null(n("large"))), not_(_null(n("small"))))


def _acr_low(n: Reader) -> exp.Expr:
    """The ACR/EULAR count's lowest points (NULL without it): an unknown count at 0."""
    large = exp.Coalesce(this=n("large"), expressions=[lit(0)])
    small = exp.Coalesce(this=n("small"), expressions=[lit(0)])
    return case((_has_acr(n), _points(large, small, lit(0))))


def _acr_high(n: Reader) -> exp.Expr:
    """Its highest: an unknown count at its maximum; joints outside the count are taken as
    none only when both counts are on file."""
    large = exp.Coalesce(this=n("large"), expressions=[lit(LARGE_JOINTS_MAX)])
    small = exp.Coalesce(this=n("small"), expressions=[lit(SMALL_JOINTS_MAX)])
    both = and_(not_(_null(n("large"))), not_(_null(n("small"))))
    other = case((both, lit(0)), default=lit(OTHER_TO_EXCEED))
    return case((_has_acr(n), _points(large, small, other)))


def _count_28_low(n: Reader) -> exp.Expr:
    """The 28-joint count's lowest points: max(tender, swollen) joints, as many large as
    the 28 hold (6), nothing outside. (It sets no upper limit.)"""

    def involved() -> exp.Expr:
        return exp.Greatest(ignore_nulls=True, this=n("tender_28"), expressions=[n("swollen_28")])

    large = exp.Least(ignore_nulls=True, this=involved(), expressions=[lit(LARGE_IN_28)])
    small = exp.Greatest(
        ignore_nulls=True,
        this=exp.Sub(this=involved(), expression=lit(LARGE_IN_28)),
        expressions=[lit(0)],
    )
    return case((not_(_null(involved())), _points(large, small, lit(0))))


def _count_68_high(n: Reader) -> exp.Expr:
    """The 68/66 count's highest points: tender + swollen joints, every one small (NULL
    unless both figures are on file). (It sets no lower limit.)"""
    involved = exp.Add(this=n("tender_68"), expression=n("swollen_66"))
    small = exp.Least(ignore_nulls=True, this=involved.copy(), expressions=[lit(SMALL_JOINTS_MAX)])
    return case((not_(_null(involved)), _points(lit(0), small, lit(0))))
