"""SQL for the computed figures: age, Cockcroft-Gault, BMI, ACR/EULAR 2010, drug courses.

Each mirrors its Python twin in criteria/measures.py, criteria/medications.py or
criteria/ra_classification.py, including the rounding that keeps boundaries exact.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from sqlglot import exp

from trialdesk.clinical.age import MAX_AGE_YEARS
from trialdesk.criteria.nodes import Call
from trialdesk.criteria.sql.builders import (
    alias,
    and_,
    case,
    cast,
    col,
    lit,
    not_,
    or_,
    paren,
    round_,
)
from trialdesk.criteria.sql.compiler import DateVal, Interval, SqlCompiler
from trialdesk.criteria.sql.functions import (
    END,
    START,
    _kind,
    _overlaps,
    result_sign,
)
from trialdesk.criteria.sql.joints_sql import joint_range
from trialdesk.criteria.sql.picks import CODE, DAY, NUMBER, Field, Pick
from trialdesk.criteria.sql.readings_sql import latest
from trialdesk.errors import StudyError

# Cockcroft & Gault 1976 (clinical/renal.py): (140 - age) * weight / (72 * creatinine),
# times 0.85 for women; defined for ages 18..122.
_CG_MIN_AGE = 18


def _null(e: exp.Expr) -> exp.Expr:
    return exp.Is(this=e, expression=exp.Null())


def _days(later: exp.Expr, earlier: exp.Expr) -> exp.Expr:
    return exp.DateDiff(this=later, expression=earlier, unit=exp.var("DAY"))


def age_at(c: SqlCompiler, at: exp.Expr) -> exp.Expr:
    """Completed years on ``at`` (a birthday on Feb 29 comes on Mar 1 in common years)."""
    birth = col("birth_date", "p")
    years = exp.Sub(
        this=exp.Sub(this=exp.Year(this=at.copy()), expression=exp.Year(this=birth.copy())),
        expression=case(
            (
                or_(
                    exp.LT(this=exp.Month(this=at.copy()), expression=exp.Month(this=birth.copy())),
                    and_(
                        exp.EQ(
                            this=exp.Month(this=at.copy()), expression=exp.Month(this=birth.copy())
                        ),
                        exp.LT(this=exp.Day(this=at.copy()), expression=exp.Day(this=birth.copy())),
                    ),
                ),
                lit(1),
            ),
            default=lit(0),
        ),
    )
    return case(
        (
            or_(
                _null(birth.copy()),
                _null(at.copy()),
                exp.LT(this=at.copy(), expression=birth.copy()),
            ),
            exp.Null(),
        ),
        (exp.GT(this=years.copy(), expression=lit(MAX_AGE_YEARS)), exp.Null()),
        default=years,
    )


def crcl(c: SqlCompiler, w: tuple[DateVal, DateVal]) -> Interval:
    scr = latest(c, "creatinine", w)
    kg = latest(c, "body_weight", w)
    age = age_at(c, scr.d)
    sex = col("sex", "p")
    value: exp.Expr = exp.Div(
        this=exp.Mul(this=exp.Sub(this=lit(140), expression=age.copy()), expression=kg.v),
        expression=exp.Mul(this=lit(72), expression=scr.v),
    )
    value = case(
        (
            exp.EQ(this=sex.copy(), expression=lit("female")),
            exp.Mul(this=value.copy(), expression=lit(0.85)),
        ),
        default=value,
    )
    ok = and_(
        sex.copy().isin(lit("male"), lit("female")),
        exp.GTE(this=age.copy(), expression=lit(_CG_MIN_AGE)),
        not_(_null(kg.v)),
    )
    result = case((ok, round_(value, 6)))
    return result, result.copy()


def bmi(c: SqlCompiler, w: tuple[DateVal, DateVal]) -> Interval:
    observed = latest(c, "bmi", w)
    kg = latest(c, "body_weight", w)
    cm = latest(c, "body_height", (date.min, w[1]))
    metres = exp.Div(this=cm.v, expression=lit(100.0))
    raw = exp.Div(this=kg.v, expression=exp.Mul(this=metres, expression=metres.copy()))
    # one decimal, half up, in float: the same operations as measures.bmi
    rounded = exp.Div(
        this=exp.Floor(
            this=exp.Add(this=exp.Mul(this=raw, expression=lit(10)), expression=lit(0.5))
        ),
        expression=lit(10.0),
    )
    value = case((not_(_null(observed.v)), observed.v), default=rounded)
    return value, value.copy()


def islands(rows: exp.Select, gap_days: int) -> exp.Select:
    """Merge each person's (st, en) rows into islands: a row joins the island when it starts
    no more than ``gap_days`` after the latest end so far. Columns: person_id, s, e."""
    order = exp.Order(expressions=[exp.Ordered(this=col("st")), exp.Ordered(this=col("en"))])
    prev = exp.Window(
        this=exp.Max(this=col("en")),
        partition_by=[col("person_id")],
        order=order,
        spec=exp.WindowSpec(
            kind="ROWS",
            start="UNBOUNDED",
            start_side="PRECEDING",
            end=exp.Literal.number(1),
            end_side="PRECEDING",
        ),
    )
    marked = exp.select(col("person_id"), col("st"), col("en"), alias(prev, "prev_en")).from_(
        alias(paren(rows), "r"), copy=False
    )
    reach = exp.DateAdd(this=col("prev_en"), expression=lit(gap_days), unit=exp.var("DAY"))
    brk = case(
        (or_(_null(col("prev_en")), exp.GT(this=col("st"), expression=reach)), lit(1)),
        default=lit(0),
    )
    island = exp.Window(
        this=exp.Sum(this=brk),
        partition_by=[col("person_id")],
        order=order.copy(),
        spec=exp.WindowSpec(
            kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"
        ),
    )
    numbered = exp.select(col("person_id"), col("st"), col("en"), alias(island, "isl")).from_(
        alias(paren(marked), "m"), copy=False
    )
    return (
        exp.select(
            col("person_id"),
            alias(exp.Min(this=col("st")), "s"),
            alias(exp.Max(this=col("en")), "e"),
        )
        .from_(alias(paren(numbered), "n"), copy=False)
        .group_by(col("person_id"), col("isl"), copy=False)
    )


def course_start(c: SqlCompiler, names: tuple[str, ...], on: DateVal, gap_days: int) -> exp.Expr:
    """The start of the course of treatment (orders ≤ gap apart) that spans ``on``."""
    name = f"s{len(c.out.ctes)}"
    on_sql = c.sql_date(on)
    rows = (
        exp.select(col("person_id"), alias(START.copy(), "st"), alias(END.copy(), "en"))
        .from_("td_rows", copy=False)
        .where(
            and_(
                c.in_vs(names),
                _kind("medication"),
                exp.LTE(this=START.copy(), expression=on_sql.copy()),
            ),
            copy=False,
        )
    )
    cte = (
        exp.select(
            alias(col("person_id"), f"{name}_pid"),
            alias(exp.Min(this=col("s")), f"{name}_v"),
        )
        .from_(alias(paren(islands(rows, gap_days)), "i"), copy=False)
        .where(exp.GTE(this=col("e"), expression=on_sql.copy()), copy=False)
        .group_by(col("person_id"), copy=False)
    )
    c.out.ctes.append((name, cte))
    return col(f"{name}_v")


def _covered_days(c: SqlCompiler, rows: exp.Select) -> str:
    """A CTE: per person, the number of distinct days the (st, en) rows cover."""
    name = f"x{len(c.out.ctes)}"
    days = exp.Sum(this=exp.Add(this=_days(col("e"), col("s")), expression=lit(1)))
    cte = (
        exp.select(alias(col("person_id"), f"{name}_pid"), alias(days, f"{name}_v"))
        .from_(alias(paren(islands(rows, 1)), "i"), copy=False)
        .group_by(col("person_id"), copy=False)
    )
    c.out.ctes.append((name, cte))
    return name


def exposure_days(c: SqlCompiler, node: Call, w: tuple[DateVal, DateVal]) -> Interval:
    """(days surely by the route, days possibly by it), clipped to the window and horizon."""
    names = node.valuesets
    route = node.option("route")
    if not (isinstance(w[0], date) and isinstance(w[1], date)):
        raise StudyError("exposure_days() in SQL needs a window of fixed dates")
    scope = and_(c.in_vs(names), _kind("medication"), _overlaps(c, *w))
    got = c.first_info("route", names)
    if isinstance(route, str):
        scope = and_(scope, or_(_null(got.copy()), exp.EQ(this=got.copy(), expression=lit(route))))
    w_end = min(w[1], c.horizon)
    first = case(
        (exp.GTE(this=START.copy(), expression=c.sql_date(w[0])), START.copy()),
        default=c.sql_date(w[0]),
    )
    last = case(
        (exp.LTE(this=END.copy(), expression=c.sql_date(w_end)), END.copy()),
        default=c.sql_date(w_end),
    )

    def rows(extra: exp.Expr | None) -> exp.Select:
        clipped = exp.select(col("person_id"), alias(first.copy(), "st"), alias(last.copy(), "en"))
        clipped = clipped.from_("td_rows", copy=False).where(
            and_(scope.copy(), extra) if extra is not None else scope.copy(), copy=False
        )
        return (
            exp.select("*")
            .from_(alias(paren(clipped), "r0"), copy=False)
            .where(exp.GTE(this=col("en"), expression=col("st")), copy=False)
        )

    possible = _covered_days(c, rows(None))
    certain = (
        _covered_days(c, rows(not_(_null(got.copy())))) if isinstance(route, str) else possible
    )
    lo = cast(
        exp.Coalesce(this=col(f"{certain}_v"), expressions=[lit(0)]), exp.DataType.Type.DOUBLE
    )
    hi = cast(
        exp.Coalesce(this=col(f"{possible}_v"), expressions=[lit(0)]), exp.DataType.Type.DOUBLE
    )
    return lo, hi


def _serology_points(c: SqlCompiler, vs: str, until: DateVal) -> exp.Expr:
    """ACR/EULAR serology points from the latest fact of ``vs`` on or before ``until``,
    usable or not: by its value against its own reference high, else by its result sign.
    The points are worked out per row and carried by the Pick (latest date, then the
    higher value, a missing value last) as a code: 0 none, else points + 1."""
    v, h = col("value_num"), col("range_high")
    numeric = case(
        (
            or_(
                exp.LT(this=v.copy(), expression=lit(0)), exp.LTE(this=h.copy(), expression=lit(0))
            ),
            exp.Null(),
        ),
        (exp.LTE(this=v.copy(), expression=h.copy()), lit(0)),
        (exp.LTE(this=v.copy(), expression=exp.Mul(this=lit(3), expression=h.copy())), lit(2)),
        default=lit(3),
    )
    sign = result_sign(c)
    points = case(
        (and_(not_(_null(v.copy())), not_(_null(h.copy()))), numeric),
        (exp.EQ(this=sign, expression=lit(2)), lit(2)),
        (exp.EQ(this=sign.copy(), expression=lit(0)), lit(0)),
    )
    has_value = case((_null(v.copy()), lit(0)), default=lit(1))
    fields = [
        Field(DAY, START.copy()),
        Field(CODE, has_value),
        Field(NUMBER, exp.Coalesce(this=v.copy(), expressions=[lit(0)])),
        Field(
            CODE, exp.Coalesce(this=exp.Add(this=points, expression=lit(1)), expressions=[lit(0)])
        ),
    ]
    where = and_(col(f"m__{vs}"), exp.LTE(this=START.copy(), expression=c.sql_date(until)))
    code = Pick(c, where, fields, None).get(3)
    return case(
        (exp.GT(this=code, expression=lit(0)), exp.Sub(this=code.copy(), expression=lit(1)))
    )


def acr_eular_2010(c: SqlCompiler, on: DateVal) -> Interval:
    jmin, jmax = joint_range(c, on)  # 0..5 points with no usable joint count (joints_sql.py)
    ser = [_serology_points(c, vs, on) for vs in ("rheumatoid_factor", "anti_ccp") if vs in c.units]
    ser_pts = _greatest(ser)
    lookback = on - relativedelta(years=1) if isinstance(on, date) else on
    flags = []
    for vs in ("crp", "esr"):
        if vs not in c.units:
            continue
        flags.append(latest(c, vs, (lookback, on)).a)  # above its own reference high
    apr = _greatest(flags)  # 1 if one is above its range, 0 if none, NULL if unknown
    onset = _first_onset(c, on)
    dur = case(
        (_null(onset.copy()), exp.Null()),
        (exp.GTE(this=_days(c.sql_date(on), onset.copy()), expression=lit(42)), lit(1)),
        default=lit(0),
    )
    lo = exp.Add(
        this=exp.Add(
            this=exp.Add(this=jmin, expression=exp.Coalesce(this=ser_pts, expressions=[lit(0)])),
            expression=exp.Coalesce(this=apr, expressions=[lit(0)]),
        ),
        expression=exp.Coalesce(this=dur, expressions=[lit(0)]),
    )
    hi = exp.Add(
        this=exp.Add(
            this=exp.Add(
                this=jmax, expression=exp.Coalesce(this=ser_pts.copy(), expressions=[lit(3)])
            ),
            expression=exp.Coalesce(this=apr.copy(), expressions=[lit(1)]),
        ),
        expression=exp.Coalesce(this=dur.copy(), expressions=[lit(1)]),
    )
    return cast(lo, exp.DataType.Type.DOUBLE), cast(hi, exp.DataType.Type.DOUBLE)


def _greatest(items: list[exp.Expr]) -> exp.Expr:
    """The largest of ``items`` that are not NULL; NULL if all are (or there are none)."""
    if not items:
        return exp.Null()
    if len(items) == 1:
        return items[0]
    return exp.Greatest(this=items[0], expressions=items[1:], ignore_nulls=True)


def _first_onset(c: SqlCompiler, on: DateVal) -> exp.Expr:
    agg = c.aggregate(
        exp.Min(
            this=case(
                (
                    and_(
                        col("m__rheumatoid_arthritis"),
                        exp.LTE(this=START.copy(), expression=c.sql_date(on)),
                    ),
                    START.copy(),
                )
            )
        )
    )
    return agg
