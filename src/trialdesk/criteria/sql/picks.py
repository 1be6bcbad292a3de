"""Each person's first row by an order, as one plain aggregate (no window, no sort).

"The latest reading (ties: the higher value)" is the row with the largest (date, value).
Instead of numbering rows in a window per person, the row's order keys and the few
facts wanted from it are put in one value whose natural order is that order, and MAX
picks it in the same GROUP BY as every other aggregate:

- DuckDB: one HUGEINT, the fields packed side by side from the most significant end
  (a date as its day number, a DOUBLE as its IEEE bits turned order-preserving, small
  codes in a few bits). MAX over HUGEINT is an ordinary scalar aggregate; MAX over a
  LIST or STRUCT costs about four times as much per row (measured alone), and the
  whole query 8% more CPU at 1,000,000 persons (10.9 s instead of 10.0 s).
- PostgreSQL and Spark: an ARRAY of DOUBLE, which both order element by element.

Every field is non-NULL (engines order NULL elements differently): a value that may be
missing goes in as a 0/1 code followed by the value or 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from trialdesk.criteria.sql.builders import case, cast, lit, paren
from trialdesk.criteria.sql.compiler import DateVal, SqlCompiler

DAY, NUMBER, CODE = "day", "number", "code"
# bits per field in the HUGEINT: days since 1970 plus 2**22 cover the years 1..9999;
# a DOUBLE takes 64; a code is 0..7
_WIDTH = {DAY: 23, NUMBER: 64, CODE: 3}
_DAY_OFFSET = 1 << 22
_SIGN = 1 << 63
_EPOCH = "1970-01-01"


@dataclass(frozen=True)
class Field:
    kind: str  # DAY (a DATE), NUMBER (a DOUBLE) or CODE (an integer 0..7)
    value: exp.Expr


def _epoch() -> exp.Expr:
    return cast(lit(_EPOCH), exp.DataType.Type.DATE)


def _huge(value: exp.Expr | int) -> exp.Expr:
    literal = exp.Literal.string(str(value)) if isinstance(value, int) else value
    return cast(literal, exp.DataType.build("HUGEINT", dialect="duckdb"))


def _bits(value: exp.Expr) -> exp.Expr:
    """A DOUBLE's IEEE bits as a signed BIGINT (DuckDB)."""
    as_bit = cast(cast(value, exp.DataType.Type.DOUBLE), exp.DataType.build("BIT"))
    return cast(as_bit, exp.DataType.Type.BIGINT)


def _ordered_bits(value: exp.Expr) -> exp.Expr:
    """0 .. 2**64-1 in the DOUBLE's order: positive numbers above negative ones, and
    a negative number's bits reversed (its magnitude grows as it falls). -0.0 is read as
    0.0 (IEEE: -0.0 + 0.0 = 0.0), since the two are equal everywhere else: in the
    evaluator and in PostgreSQL's and Spark's arrays, a tie falls to the next field."""
    double = cast(value, exp.DataType.Type.DOUBLE)
    bits = _bits(exp.Add(this=double, expression=cast(lit(0), exp.DataType.Type.DOUBLE)))
    return case(
        (
            exp.GTE(this=bits, expression=lit(0)),
            exp.Add(this=_huge(bits.copy()), expression=_huge(_SIGN)),
        ),
        default=exp.Sub(this=_huge(-1), expression=_huge(bits.copy())),
    )


def _unordered_bits(u: exp.Expr) -> exp.Expr:
    """The DOUBLE whose _ordered_bits is ``u``."""
    bits = case(
        (exp.GTE(this=u, expression=_huge(_SIGN)), exp.Sub(this=u.copy(), expression=_huge(_SIGN))),
        default=exp.Sub(this=_huge(-1), expression=u.copy()),
    )
    as_bit = cast(cast(bits, exp.DataType.Type.BIGINT), exp.DataType.build("BIT"))
    return cast(as_bit, exp.DataType.Type.DOUBLE)


class Pick:
    """MAX over ``fields`` (compared in order) among the rows where ``where`` holds."""

    def __init__(
        self, c: SqlCompiler, where: exp.Expr, fields: Sequence[Field], floor: DateVal | None
    ) -> None:
        self.fields = list(fields)
        self.packed = c.dialect == "duckdb"
        if self.packed:
            assert sum(_WIDTH[f.kind] for f in fields) < 127, "a HUGEINT holds 127 bits"
            value = self._pack()
        else:
            value = exp.Array(expressions=[self._number(f) for f in fields])
        self.column = c.aggregate(exp.Max(this=case((where, value))), floor=floor)
        self._c = c
        self._got: dict[int, exp.Column] = {}

    def _number(self, field: Field) -> exp.Expr:
        if field.kind == DAY:
            day = exp.DateDiff(this=field.value, expression=_epoch(), unit=exp.var("DAY"))
            return cast(day, exp.DataType.Type.DOUBLE)
        return cast(field.value, exp.DataType.Type.DOUBLE)

    def _pack(self) -> exp.Expr:
        packed: exp.Expr | None = None
        part: exp.Expr
        for field in self.fields:
            if field.kind == DAY:
                day = exp.DateDiff(this=field.value, expression=_epoch(), unit=exp.var("DAY"))
                part = exp.Add(this=_huge(day), expression=_huge(_DAY_OFFSET))
            elif field.kind == NUMBER:
                part = _ordered_bits(field.value)
            else:
                part = _huge(field.value)
            # shifts and masks: HUGEINT division and modulo are software routines,
            # measured 40 times slower
            shifted = (
                exp.BitwiseLeftShift(this=paren(packed), expression=lit(_WIDTH[field.kind]))
                if packed is not None
                else None
            )
            packed = exp.Add(this=shifted, expression=part) if shifted is not None else part
        assert packed is not None
        return packed

    def get(self, position: int) -> exp.Expr:
        """Field ``position`` (0-based) of the picked row, a NUMBER or CODE (dates are
        only ever order keys here), decoded once per person."""
        if position not in self._got:
            self._got[position] = self._c.derive(self._decode(position))
        return self._got[position].copy()

    def _decode(self, position: int) -> exp.Expr:
        field = self.fields[position]
        assert field.kind != DAY, "a picked date is read as the MAX of the dates"
        if not self.packed:
            return exp.Bracket(
                this=paren(self.column.copy()), expressions=[lit(position + 1)], offset=1
            )
        below = sum(_WIDTH[f.kind] for f in self.fields[position + 1 :])
        raw: exp.Expr = exp.BitwiseRightShift(this=self.column.copy(), expression=lit(below))
        if position > 0:
            mask = _huge((1 << _WIDTH[field.kind]) - 1)
            raw = exp.BitwiseAnd(this=paren(raw), expression=mask)
        if field.kind == NUMBER:
            return _unordered_bits(paren(raw))
        return cast(raw, exp.DataType.Type.INT)
