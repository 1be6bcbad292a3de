"""Building sqlglot expressions without sqlglot's defensive copies: the small helpers every
SQL module of the compiler writes with (and_, or_, not_, paren, alias, cast, case, col,
lit, ...), and the few constructs several of them share (tri_to_bool, parenthesize,
round_, least, greatest).

sqlglot's builders copy their arguments by default. The compiler builds every argument
fresh and copies explicitly where it uses one twice, so these skip the copy, which was two
thirds of the compile time (docs/feasibility.md). A test walks the compiled tree to prove no
node is shared (tests/feasibility/test_golden_sql.py).
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.expressions.datatypes import DATA_TYPE

__all__ = [
    "alias",
    "and_",
    "case",
    "cast",
    "col",
    "greatest",
    "least",
    "lit",
    "not_",
    "or_",
    "paren",
    "parenthesize",
    "round_",
    "tri_to_bool",
]


def lit(value: float | int | str | bool | None) -> exp.Expr:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(value)


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table)


def and_(*items: exp.Expr) -> exp.Expr:
    return exp.and_(*items, copy=False)


def or_(*items: exp.Expr) -> exp.Expr:
    return exp.or_(*items, copy=False)


def not_(item: exp.Expr) -> exp.Expr:
    return exp.not_(item, copy=False)


def paren(item: exp.Expr) -> exp.Expr:
    return exp.paren(item, copy=False)


def alias(item: exp.Expr, name: str) -> exp.Expr:
    return exp.alias_(item, name, copy=False)


def cast(item: exp.Expr, to: DATA_TYPE) -> exp.Expr:
    return exp.cast(item, to, copy=False)


def case(*whens: tuple[exp.Expr, exp.Expr], default: exp.Expr | None = None) -> exp.Case:
    return exp.Case(ifs=[exp.If(this=c, true=t) for c, t in whens], default=default)


def tri_to_bool(agg: exp.Expr) -> exp.Expr:
    """0/1/2 (or NULL: no rows, i.e. 0) to FALSE/NULL/TRUE, as NULLIF(COALESCE(agg, 0), 1)
    = 2: three plain operations per person where a CASE tested the code twice."""
    known = exp.Nullif(this=exp.Coalesce(this=agg, expressions=[lit(0)]), expression=lit(1))
    return exp.EQ(this=known, expression=lit(2))


def parenthesize(tree: exp.Expr) -> exp.Expr:
    """Wrap every operand that is itself an operator in parentheses.

    sqlglot prints the trees it is given as they are: a tree built by hand as
    (140 - age) * weight carries no parenthesis node and would print as
    140 - age * weight. Parenthesising every nested operand keeps the tree's meaning.
    """

    def wrap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Binary | exp.Not | exp.Neg):
            for key in ("this", "expression"):
                child = node.args.get(key)
                if isinstance(child, exp.Binary | exp.Not):
                    node.set(key, exp.Paren(this=child))
        return node

    return tree.transform(wrap, copy=False)


def round_(value: exp.Expr, decimals: int) -> exp.Expr:
    """ROUND through DECIMAL(38, 12), which every engine rounds the same way (PostgreSQL
    has no ROUND for double precision); the result goes back to DOUBLE."""
    as_decimal = cast(value, exp.DataType.build("DECIMAL(38, 12)"))
    return cast(exp.Round(this=as_decimal, decimals=lit(decimals)), exp.DataType.Type.DOUBLE)


def least(*items: exp.Expr) -> exp.Expr:
    return items[0] if len(items) == 1 else exp.Least(this=items[0], expressions=list(items[1:]))


def greatest(*items: exp.Expr) -> exp.Expr:
    return items[0] if len(items) == 1 else exp.Greatest(this=items[0], expressions=list(items[1:]))
