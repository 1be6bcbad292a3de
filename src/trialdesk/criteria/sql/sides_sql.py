"""SQL for sides.on_side(): is a row on the side a side parameter gives (the target knee)?

A row's side of the parameter's body site is decided in Python (codes.side_code) and read
from its code row: left, right, bilateral, ``elsewhere`` (its body site is not that site)
or NULL (no side recorded). The parameter's value is bound under its own name. The result
is a Kleene code, as the other row parts of functions.py: 2 on the side, 0 on the other
side, 1 not known.
"""

from __future__ import annotations

from sqlglot import exp

from trialdesk.criteria.nodes import Call
from trialdesk.criteria.sql.builders import case, cast, col, lit, or_
from trialdesk.criteria.sql.codes import ELSEWHERE
from trialdesk.criteria.sql.compiler import SqlCompiler


def side_tri(c: SqlCompiler, side: str, unsided: str = "unknown") -> exp.Expr:
    """0/1/2 per row for ``side=<side>``; ``unsided="assume"`` takes a row with no side
    recorded as on the side (a protocol assumption the evaluator's evidence states)."""
    c.out.params[side] = c.parameters.get(side)
    wanted = cast(exp.Placeholder(this=side), exp.DataType.Type.VARCHAR)
    column = col(c.codes.side_column(c.participant.parameters[side].site))
    return case(
        (exp.EQ(this=column.copy(), expression=lit(ELSEWHERE)), lit(1)),
        (exp.Is(this=column.copy(), expression=exp.Null()), lit(2 if unsided == "assume" else 1)),
        (exp.Is(this=wanted.copy(), expression=exp.Null()), lit(1)),
        (
            or_(
                exp.EQ(this=column.copy(), expression=lit("bilateral")),
                exp.EQ(this=column.copy(), expression=wanted.copy()),
            ),
            lit(2),
        ),
        default=lit(0),
    )


def side_options(node: Call) -> tuple[str | None, str]:
    """(the side parameter, how an unsided row reads) of a call's options."""
    side = node.option("side")
    unsided = node.option("unsided")
    return (side if isinstance(side, str) else None), str(unsided or "unknown")
