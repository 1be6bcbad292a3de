"""SQL for each domain function, mirroring criteria/queries.py, medications.py, results.py
and participation.py.

Every function here has a Python twin; the differential tests run both on the same
people. Row-level conditions are written over ``td_rows`` (see compiler.py).
"""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from trialdesk.criteria.medications import COURSE_GAP
from trialdesk.criteria.nodes import Call, Node
from trialdesk.criteria.queries import INPATIENT_CLASSES
from trialdesk.criteria.results import NEGATIVE, POSITIVE
from trialdesk.criteria.sql.builders import and_, case, col, lit, not_, or_, tri_to_bool
from trialdesk.criteria.sql.compiler import DateVal, Interval, SqlCompiler
from trialdesk.criteria.sql.sides_sql import side_options, side_tri
from trialdesk.errors import StudyError

START, END = col("start_date"), col("end_date")


def _le(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return exp.LTE(this=a, expression=b)


def _open_start(start: DateVal) -> bool:
    """A window with no lower bound (history up to a date): no date.min parameter, which
    not every engine can bind."""
    return isinstance(start, date) and start == date.min


def _between(c: SqlCompiler, value: exp.Expr, start: DateVal, end: DateVal) -> exp.Expr:
    upper = _le(value.copy(), c.sql_date(end))
    if _open_start(start):
        return and_(not_(exp.Is(this=value.copy(), expression=exp.Null())), upper)
    return and_(_le(c.sql_date(start), value.copy()), upper)


def _overlaps(c: SqlCompiler, start: DateVal, end: DateVal) -> exp.Expr:
    upper = _le(START.copy(), c.sql_date(end))
    if _open_start(start):
        return and_(upper, not_(exp.Is(this=END.copy(), expression=exp.Null())))
    return and_(upper, _le(c.sql_date(start), END.copy()))


def _min_date(c: SqlCompiler, a: DateVal, b: DateVal) -> DateVal:
    if isinstance(a, date) and isinstance(b, date):
        return min(a, b)
    return case((_le(c.sql_date(a), c.sql_date(b)), c.sql_date(a)), default=c.sql_date(b))


def _kind(*kinds: str) -> exp.Expr:
    return col("kind").isin(*(lit(k) for k in kinds))


def _tri_min(*parts: exp.Expr) -> exp.Expr:
    """Kleene AND of 0/1/2 codes: the smallest."""
    out = parts[0]
    for p in parts[1:]:
        out = case((_le(out.copy(), p.copy()), out.copy()), default=p.copy())
    return out


# -- closed world -------------------------------------------------------------------------


def history(c: SqlCompiler, node: Call, window: tuple[DateVal, DateVal] | None) -> exp.Expr:
    until = node.option("until")
    horizon: DateVal = c.horizon
    if isinstance(until, Node):
        folded = c.date(until)
        assert folded is not None
        horizon = folded
    if window is not None:
        start, end = window[0], _min_date(c, window[1], horizon)
    else:
        start, end = date.min, horizon
    scope = c.in_vs(node.valuesets)
    excluding = node.option("excluding")
    if isinstance(excluding, str):
        scope = and_(
            scope, not_(exp.Coalesce(this=col(f"m__{excluding}"), expressions=[exp.false()]))
        )
    parts: list[exp.Expr] = [
        case(
            (exp.Is(this=START.copy(), expression=exp.Null()), lit(1)),
            (_overlaps(c, start, end), lit(2)),
            default=lit(0),
        )
    ]
    if any(c.kinds.get(vs) == "device" for vs in node.valuesets):
        # a device's "presence of" finding recorded as absent rules the row out
        parts.append(case((device_absent(c), lit(0)), default=lit(2)))
    side = node.option("side")
    if isinstance(side, str):
        parts.append(side_tri(c, side))  # sides.on_side()
    if node.option("inpatient") is True:
        vclass = col("vclass")  # a visit row joins itself: its own class
        parts.append(
            case(
                (exp.Is(this=vclass.copy(), expression=exp.Null()), lit(1)),
                (vclass.copy().isin(*(lit(k) for k in sorted(INPATIENT_CLASSES))), lit(2)),
                default=lit(0),
            )
        )
    if c.codes.any_flag("u", node.valuesets):
        # queries.history(): a drug row whose route the route table does not know (codes.py)
        unread = exp.Coalesce(this=c.first_info("u", node.valuesets), expressions=[exp.false()])
        parts.append(case((unread, lit(1)), default=lit(2)))
    route = node.option("route")
    if isinstance(route, str):
        got = c.first_info("route", node.valuesets)
        parts.append(
            case(
                (exp.Is(this=got.copy(), expression=exp.Null()), lit(1)),
                (exp.EQ(this=got.copy(), expression=lit(route)), lit(2)),
                default=lit(0),
            )
        )
    row = case((scope, _tri_min(*parts)))
    return tri_to_bool(c.aggregate(exp.Max(this=row), floor=start))


def result_sign(c: SqlCompiler) -> exp.Expr:
    """queries.result_sign() per row: 2 positive, 0 negative, 1 unclear. Coded results are
    read by the words of their concept (decided in Python, codes.py), then the text, then
    the value against the row's own reference high."""
    text = exp.Lower(this=exp.Trim(this=col("vstr")))

    def words(concepts: set[int], vocabulary: frozenset[str]) -> exp.Expr:
        coded = col("vcid").isin(*(lit(x) for x in sorted(concepts))) if concepts else exp.false()
        said = text.copy().isin(*(lit(x) for x in sorted(vocabulary)))
        return exp.Coalesce(this=or_(coded, said), expressions=[exp.false()])

    numeric = and_(
        not_(exp.Is(this=col("value_num"), expression=exp.Null())),
        not_(exp.Is(this=col("range_high"), expression=exp.Null())),
    )
    above = case(
        (exp.GT(this=col("value_num"), expression=col("range_high")), lit(2)), default=lit(0)
    )
    return case(
        (words(c.codes.positive_concepts, POSITIVE), lit(2)),
        (words(c.codes.negative_concepts, NEGATIVE), lit(0)),
        (numeric, above),
        default=lit(1),
    )


def positive(
    c: SqlCompiler,
    names: tuple[str, ...],
    w: tuple[DateVal, DateVal],
    side: str | None = None,
    unsided: str = "unknown",
) -> exp.Expr:
    """results.positive() as one aggregate. Each row of the value sets is a code: 3 a
    positive result in the window, 2 an unclear one or a result with no date, 1 a negative
    one; the largest decides in the evaluator's order (any positive: TRUE; else anything
    unclear or undated: UNKNOWN; else all negative: FALSE; no result at all: UNKNOWN).
    Three aggregates (count, sign, undated count) did the same at three times the cost.

    With ``side``: a row of the other side is no row; one that cannot be placed is 2 when
    it reads positive or unclear and 0 when negative (it cannot say the side's result is
    negative), as results.positive() reads it."""
    sign = result_sign(c)
    finding = exp.Coalesce(this=c.first_info("c", names), expressions=[exp.false()])
    sign = case((finding, lit(2)), default=sign)
    dated = and_(c.in_vs(names), _between(c, START, *w))
    undated = and_(c.in_vs(names), exp.Is(this=START.copy(), expression=exp.Null()))
    if side is None:
        row = case((dated, exp.Add(this=sign, expression=lit(1))), (undated, lit(2)))
    else:
        placed = side_tri(c, side, unsided)
        unplaced = case((exp.EQ(this=sign.copy(), expression=lit(0)), lit(0)), default=lit(2))
        row = case(
            (and_(c.in_vs(names), exp.EQ(this=placed, expression=lit(0))), exp.Null()),
            (
                and_(dated, exp.EQ(this=placed.copy(), expression=lit(2))),
                exp.Add(this=sign, expression=lit(1)),
            ),
            (dated.copy(), unplaced),
            (undated, lit(2)),
        )
    # rows with no start are always read (floors.py), so the window's start is the floor
    top = c.aggregate(exp.Max(this=row), floor=w[0])
    return case(
        (exp.EQ(this=top, expression=lit(3)), exp.true()),
        (exp.EQ(this=top.copy(), expression=lit(1)), exp.false()),
    )


def device_absent(c: SqlCompiler) -> exp.Expr:
    """queries.device_absent() per row: an observation row whose value says the device is
    absent (value_as_string 'false', or a coded result read as negative)."""
    said_false = exp.Coalesce(
        this=exp.EQ(this=col("vstr"), expression=lit("false")), expressions=[exp.false()]
    )
    negative = exp.EQ(this=result_sign(c), expression=lit(0))
    return and_(_kind("observation"), or_(said_false, negative))


def consented(c: SqlCompiler, by: DateVal) -> exp.Expr:
    return case((_le(col("consent_first", "c"), c.sql_date(by)), exp.true()))


def compile_bool(c: SqlCompiler, node: Call) -> exp.Expr:
    from trialdesk.criteria.sql import medications_sql

    name = node.name
    if name == "history":
        within = node.option("within")
        return history(c, node, c.window(within) if within is not None else None)
    if name == "active":
        on = c.date(node.option("on"))  # type: ignore[arg-type]
        assert on is not None
        return history(c, node, (on, on))
    if name == "taking":
        on = c.date(node.option("on"))  # type: ignore[arg-type]
        assert on is not None
        return medications_sql.taking(c, node.valuesets, on)
    if name == "dose_changed":
        return medications_sql.dose_changed(c, node.valuesets, c.window_option(node))
    if name == "positive":
        return positive(c, node.valuesets, c.window_option(node), *side_options(node))
    if name == "consented":
        by = c.date(node.option("by"))  # type: ignore[arg-type]
        assert by is not None
        return consented(c, by)
    if name == "in_other_study":
        # CDM v5.4 has no research-study participation (docs/omop.md): none on file
        return exp.false()
    raise StudyError(f"{name}() cannot be compiled to SQL")


def compile_number(c: SqlCompiler, node: Call) -> Interval:
    from trialdesk.criteria.sql import measures_sql, medications_sql
    from trialdesk.criteria.sql.readings_sql import extreme, highest_x_uln, latest

    name = node.name
    if name in ("highest", "lowest"):
        return extreme(c, node.valuesets[0], c.window_option(node), name)
    if name == "latest":
        reading = latest(c, node.valuesets[0], c.window_option(node), *side_options(node))
        return reading.v, reading.v
    if name == "highest_x_uln":
        return highest_x_uln(c, node.valuesets[0], c.window_option(node))
    if name == "highest_daily_dose":
        return medications_sql.highest_daily_dose(c, node, c.window_option(node))
    if name == "exposure_days":
        return measures_sql.exposure_days(c, node, c.window_option(node))
    if name == "age":
        at = c.date(node.option("at"))  # type: ignore[arg-type]
        assert at is not None
        age = measures_sql.age_at(c, c.sql_date(at))
        return age, age.copy()
    if name == "crcl_cockcroft_gault":
        return measures_sql.crcl(c, c.window_option(node))
    if name == "bmi":
        return measures_sql.bmi(c, c.window_option(node))
    if name == "acr_eular_2010":
        on = c.date(node.option("on"))  # type: ignore[arg-type]
        assert on is not None
        return measures_sql.acr_eular_2010(c, on)
    raise StudyError(f"{name}() cannot be compiled to SQL")


def taking_since(c: SqlCompiler, node: Call) -> exp.Expr:
    from trialdesk.criteria.sql import measures_sql

    on = c.date(node.option("on"))  # type: ignore[arg-type]
    assert on is not None
    return measures_sql.course_start(c, node.valuesets, on, COURSE_GAP.days)
