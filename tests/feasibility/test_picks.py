"""Picks (criteria/sql/picks.py): MAX over one packed value is the row with the largest
fields, compared in order, and its fields come back exactly (but for the sign of a zero:
-0.0 and 0.0 are equal, as in the evaluator) — on DuckDB's HUGEINT packing and on the
ARRAY form PostgreSQL and Spark use (run here on DuckDB too)."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from trialdesk.criteria.sql.builders import col
from trialdesk.criteria.sql.codes import CodeTables
from trialdesk.criteria.sql.compiler import SqlCompiler
from trialdesk.criteria.sql.picks import CODE, DAY, NUMBER, Field, Pick
from trialdesk.study.loader import load_study

DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
NUMBERS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 1.5, 5e-324, -5e-324, 1e308, -1e308]),
)
ROW = st.tuples(st.integers(1, 3), DAYS, NUMBERS, st.integers(0, 7))


def _picked(dialect: str, rows: list[tuple[int, date, float, int]]) -> dict[int, tuple]:
    c = SqlCompiler(
        CodeTables(valuesets=[]),
        {},
        dates={"screening": date(2026, 3, 2), "baseline": date(2026, 3, 16)},
        parameters={},
        participant=load_study().participant,
        study_id="x",
    )
    c.dialect = dialect
    fields = [Field(DAY, col("d")), Field(NUMBER, col("x")), Field(CODE, col("k"))]
    pick = Pick(c, exp.true(), fields, None)
    value, code = pick.get(1), pick.get(2)
    inner = exp.select(col("g"), *c.out.aggregates).from_("t").group_by(col("g"))
    outer = exp.select(col("g"), *c.out.derived).from_(inner.subquery("a"))
    names = {d.alias: d for d in c.out.derived}
    con = duckdb.connect()
    con.execute("CREATE TABLE t (g INT, d DATE, x DOUBLE, k INT)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    got = con.execute(outer.sql(dialect="duckdb")).fetchall()
    value_at, code_at = (1 + list(names).index(column.name) for column in (value, code))
    return {r[0]: (r[value_at], r[code_at]) for r in got}


@pytest.mark.parametrize("dialect", ["duckdb", "postgres"])
@settings(max_examples=60, deadline=None)
@given(rows=st.lists(ROW, min_size=1, max_size=12))
def test_the_largest_row_comes_back_exactly(dialect: str, rows: list[tuple]) -> None:
    expected: dict[int, tuple] = {}
    for g, d, x, k in rows:
        best = expected.get(g)
        if best is None or (d, x, k) > best:
            expected[g] = (d, x, k)
    got = _picked(dialect, rows)
    assert set(got) == set(expected)
    for g, (_day, x, k) in expected.items():
        value, code = got[g]
        assert value == x and code == k, (g, rows)


@pytest.mark.parametrize("dialect", ["duckdb", "postgres"])
def test_a_signed_zero_ties_with_zero_and_the_next_field_decides(dialect: str) -> None:
    day = date(2026, 3, 2)
    (value, code) = _picked(dialect, [(1, day, -0.0, 7), (1, day, 0.0, 1)])[1]
    assert value == 0.0 and code == 7


def test_dates_order_before_values() -> None:
    day = date(2026, 3, 2)
    rows = [(1, day, 9.0, 0), (1, day + timedelta(days=1), -3.0, 1), (1, day, 10.0, 7)]
    assert _picked("duckdb", rows) == {1: (-3.0, 1)}
