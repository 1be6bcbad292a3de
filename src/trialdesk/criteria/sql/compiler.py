"""Compile criteria trees to one SQL query over OMOP CDM v5.4, as sqlglot expressions.

Design (docs/feasibility.md): every domain call becomes a few aggregates per person
(``a0``, ``a1``, ...) over coded rows (``td_rows``: the CDM tables projected onto one
shape, facts.py, and tagged by the small ``td_codes`` table). passes.py computes them with
one GROUP BY per group of tables; "the latest reading" is an aggregate too (picks.py);
only drug courses and days covered, which merge overlapping spans, keep a windowed CTE.
The per-person SELECT then combines the aggregates with SQL's three-valued logic, which
is Kleene's: NULL is UNKNOWN.

Tri-valued aggregates are small integers (0 FALSE, 1 UNKNOWN, 2 TRUE) so that MAX gives
Kleene OR over rows and LEAST gives Kleene AND within a row. Numbers are intervals
(lo, hi), as in the evaluator. Dates built from the staff-set anchors (screening,
baseline) are folded here with the evaluator's own date arithmetic and bound as
parameters; a date read from the record (consent) is a per-person column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlglot import exp

from trialdesk.criteria.evaluator import shift
from trialdesk.criteria.nodes import (
    Anchor,
    And,
    Arith,
    Call,
    Coalesce,
    Compare,
    Duration,
    Node,
    Not,
    Number,
    Or,
    Parameter,
    SexOf,
    String,
    Surely,
    Window,
)
from trialdesk.criteria.participant import Participant
from trialdesk.criteria.sql.builders import (
    alias,
    and_,
    case,
    cast,
    col,
    greatest,
    least,
    lit,
    not_,
    or_,
    paren,
)
from trialdesk.criteria.sql.codes import CodeTables
from trialdesk.errors import StudyError

UNBOUNDED = 1e308  # the interval's open top, as the evaluator's float("inf")
Interval = tuple[exp.Expr, exp.Expr]
DateVal = date | exp.Expr


@dataclass
class Compiled:
    """Everything the query builder needs from compiling one study's criteria."""

    aggregates: list[exp.Expr] = field(default_factory=list)  # aliased, over td_rows
    # per aggregate: no row whose span ends before this date can change it (passes.py)
    floors: dict[str, date] = field(default_factory=dict)
    ctes: list[tuple[str, exp.Expr]] = field(default_factory=list)  # per-person CTEs
    params: dict[str, object] = field(default_factory=dict)
    # per-person values of each domain call (td_calls), so the criteria only combine columns
    values: list[exp.Expr] = field(default_factory=list)
    # per-person figures worked out from aggregates once, beside them (picks.py)
    derived: list[exp.Expr] = field(default_factory=list)


class SqlCompiler:
    """Compiles one study's rules for one set of study dates and parameter values.

    ``dates``: every staff-set anchor's date; ``parameters``: the side parameters' values
    (bound as parameters named after them); ``participant``: what the study declares."""

    def __init__(
        self,
        codes: CodeTables,
        valueset_units: dict[str, str | None],
        *,
        dates: Mapping[str, date],
        parameters: Mapping[str, str | None],
        participant: Participant,
        study_id: str,
        dialect: str = "duckdb",
        valueset_kinds: Mapping[str, str] | None = None,
    ) -> None:
        self.dialect = dialect  # only for the few constructs that differ (picks.py)
        self.codes = codes
        self.units = valueset_units
        self.kinds = dict(valueset_kinds or {})  # value set -> kind (device, finding, ...)
        self.participant = participant
        self.dates = {a.name: dates[a.name] for a in participant.staff}
        self.horizon = max(self.dates.values())
        self.parameters = dict(parameters)
        self.out = Compiled()
        self.study_id = study_id
        self._memo: dict[object, object] = {}
        self.shared: dict[object, object] = {}  # per-person values several calls read
        self._date_params: dict[date, str] = {}

    # -- helpers -------------------------------------------------------------------------
    def param_date(self, day: date) -> exp.Expr:
        name = self._date_params.get(day)
        if name is None:
            name = f"d{len(self._date_params)}"
            self._date_params[day] = name
            self.out.params[name] = day
        return cast(exp.Placeholder(this=name), exp.DataType.Type.DATE)

    def sql_date(self, value: DateVal) -> exp.Expr:
        """A date as SQL: a bound parameter, or a copy of the expression (callers pass
        the same column, START or END, to several places of the tree)."""
        return self.param_date(value) if isinstance(value, date) else value.copy()

    def aggregate(self, expression: exp.Expr, floor: DateVal | None = None) -> exp.Column:
        """A per-person aggregate over the coded rows. ``floor``: the earliest span end of a
        row that can give it a value other than NULL or 0 (rows with no start aside), when
        that is a fixed date; the passes skip older rows."""
        name = f"a{len(self.out.aggregates)}"
        self.out.aggregates.append(alias(expression, name))
        if isinstance(floor, date) and floor != date.min:
            self.out.floors[name] = floor
        return col(name)

    def in_vs(self, names: tuple[str, ...]) -> exp.Expr:
        flags = [col(CodeTables.column("m", vs)) for vs in names]
        return or_(*flags) if len(flags) > 1 else flags[0]

    def first_info(self, kind: str, names: tuple[str, ...]) -> exp.Expr:
        """The per-value-set attribute of the first name a row matches (as hits() picks)."""
        return case(
            *((col(CodeTables.column("m", vs)), col(CodeTables.column(kind, vs))) for vs in names)
        )

    # -- dates and windows -----------------------------------------------------------------
    def date(self, node: Node) -> DateVal | None:
        if isinstance(node, Anchor):
            day = self.dates.get(node.name)
            if day is not None:
                return day
            return col(f"{node.name}_date")  # read from the record, per person (query.py)
        if isinstance(node, Coalesce):
            items = [self.date(i) for i in node.items]
            for item in items:
                if isinstance(item, date):
                    break
            sql_items = [self.sql_date(i) for i in items if i is not None]
            return exp.Coalesce(this=sql_items[0], expressions=sql_items[1:])
        if isinstance(node, Arith):
            base = self.date(node.left)
            assert isinstance(node.right, Duration)
            if isinstance(base, date):
                return shift(base, node.op, node.right)
            unit = exp.var(node.right.unit.rstrip("s").upper())
            cls = exp.DateAdd if node.op == "+" else exp.DateSub
            return cls(this=base, expression=lit(node.right.amount), unit=unit)
        if isinstance(node, Call) and node.name == "taking_since":
            return self.taking_since(node)
        raise StudyError(f"cannot compile {type(node).__name__} as a date to SQL")

    def window(self, node: object) -> tuple[DateVal, DateVal]:
        assert isinstance(node, Window)
        start, end = self.date(node.start), self.date(node.end)
        assert start is not None and end is not None
        return start, end

    def window_option(self, call: Call) -> tuple[DateVal, DateVal]:
        return self.window(call.option("within"))

    # -- booleans --------------------------------------------------------------------------
    def bool(self, node: Node) -> exp.Expr:
        if isinstance(node, And):
            return and_(*(paren(self.bool(i)) for i in node.items))
        if isinstance(node, Or):
            return or_(*(paren(self.bool(i)) for i in node.items))
        if isinstance(node, Not):
            return not_(paren(self.bool(node.item)))
        if isinstance(node, Surely):
            return exp.Coalesce(this=paren(self.bool(node.item)), expressions=[exp.false()])
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, Call):
            return self.bool_call(node)
        raise StudyError(f"cannot compile {type(node).__name__} as a condition to SQL")

    def compare(self, node: Compare) -> exp.Expr:
        from trialdesk.criteria.nodes import Type, type_of

        t = type_of(node.left)
        ops = {"<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE, "==": exp.EQ, "!=": exp.NEQ}
        if t is Type.DATE:
            left, right = self.date(node.left), self.date(node.right)
            assert left is not None and right is not None
            if isinstance(left, date) and isinstance(right, date):
                from trialdesk.criteria.evaluator import _CMP

                return exp.true() if _CMP[node.op](left, right) else exp.false()
            return ops[node.op](this=self.sql_date(left), expression=self.sql_date(right))
        if t is Type.STRING:
            return ops[node.op](this=self.text(node.left), expression=self.text(node.right))
        (alo, ahi), (blo, bhi) = self.number(node.left), self.number(node.right)
        op = node.op
        if op in ("==", "!="):
            same = case(
                (
                    and_(
                        exp.EQ(this=alo, expression=ahi),
                        exp.EQ(this=ahi.copy(), expression=blo),
                        exp.EQ(this=blo.copy(), expression=bhi),
                    ),
                    exp.true(),
                ),
                (
                    or_(
                        exp.LT(this=ahi.copy(), expression=blo.copy()),
                        exp.LT(this=bhi.copy(), expression=alo.copy()),
                    ),
                    exp.false(),
                ),
            )
            return same if op == "==" else not_(same)
        if op in (">", ">="):
            (alo, ahi), (blo, bhi) = (blo, bhi), (alo, ahi)
            op = "<" if op == ">" else "<="
        if op == "<":
            return case(
                (exp.LT(this=ahi, expression=blo), exp.true()),
                (exp.GTE(this=alo, expression=bhi), exp.false()),
            )
        return case(
            (exp.LTE(this=ahi, expression=blo), exp.true()),
            (exp.GT(this=alo, expression=bhi), exp.false()),
        )

    def text(self, node: Node) -> exp.Expr:
        if isinstance(node, String):
            return lit(node.value)
        if isinstance(node, SexOf):
            return col("sex")
        raise StudyError(f"cannot compile {type(node).__name__} as text to SQL")

    # -- numbers ---------------------------------------------------------------------------
    def number(self, node: Node) -> Interval:
        if isinstance(node, Number | Parameter):
            v = lit(node.value)
            return v, v.copy()
        if isinstance(node, Arith):
            (alo, ahi), (blo, bhi) = self.number(node.left), self.number(node.right)
            if node.op == "+":
                return exp.Add(this=alo, expression=blo), exp.Add(this=ahi, expression=bhi)
            if node.op == "-":
                return exp.Sub(this=alo, expression=bhi), exp.Sub(this=ahi, expression=blo)
            if node.op == "/":
                zero = and_(
                    exp.LTE(this=blo, expression=lit(0)), exp.GTE(this=bhi, expression=lit(0))
                )
                blo, bhi = (
                    case((zero, exp.Null()), default=exp.Div(this=lit(1.0), expression=bhi)),
                    case((zero, exp.Null()), default=exp.Div(this=lit(1.0), expression=blo)),
                )
            products = [
                exp.Mul(this=a.copy(), expression=b.copy()) for a in (alo, ahi) for b in (blo, bhi)
            ]
            return least(*products), greatest(*(p.copy() for p in products))
        if isinstance(node, Call):
            return self.number_call(node)
        raise StudyError(f"cannot compile {type(node).__name__} as a number to SQL")

    # -- the domain functions ------------------------------------------------------------------
    def derive(self, expression: exp.Expr) -> exp.Column:
        """A per-person column computed once from aggregate columns, read by td_calls."""
        name = f"d{len(self.out.derived)}"
        self.out.derived.append(alias(expression, name))
        return col(name)

    def value(self, expression: exp.Expr) -> exp.Column:
        """A per-person column of td_calls holding ``expression``."""
        name = f"v{len(self.out.values)}"
        self.out.values.append(alias(expression, name))
        return col(name)

    def _column_for(self, node: Call, build: Callable[[], exp.Expr]) -> exp.Expr:
        """The td_calls column holding a call's value, built once per call node."""
        memo = self._memo.get(node)
        if memo is None:
            memo = self.value(build())
            self._memo[node] = memo
        assert isinstance(memo, exp.Expr)
        return memo.copy()

    def bool_call(self, node: Call) -> exp.Expr:
        from trialdesk.criteria.sql import functions

        return self._column_for(node, lambda: functions.compile_bool(self, node))

    def taking_since(self, node: Call) -> exp.Expr:
        from trialdesk.criteria.sql import functions

        return self._column_for(node, lambda: functions.taking_since(self, node))

    def number_call(self, node: Call) -> Interval:
        from trialdesk.criteria.sql import functions

        memo = self._memo.get(node)
        if memo is None:
            lo, hi = functions.compile_number(self, node)
            lo_col = self.value(lo)
            memo = (lo_col, lo_col if hi == lo else self.value(hi))  # a point: one column
            self._memo[node] = memo
        assert isinstance(memo, tuple)
        lo_col, hi_col = memo
        return lo_col.copy(), hi_col.copy()
