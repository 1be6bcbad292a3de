"""Skipping rows too old for any window that reads them.

Most CDM rows are laboratory results, and most criteria read a few weeks of them. Each
aggregate says (compiler.aggregate ``floor``) the earliest span end of a row that can give
it a value other than NULL or 0; a value set's floor is the earliest over the aggregates
that read it (none if one of them reads all history). A row is then read only if one of
the value sets it matches can use it: first by a coarse filter the scan can apply before
the join with the codes (a recent row, or a concept of a value set read in full), then
exactly, per code row, after it. Rows with no start are always kept (some criteria count
them as "undated").

Dropping a row that only ever meets a CASE's ELSE 0 is safe: every consumer reads an
aggregate's "no rows" (NULL) and 0 alike, as the join with the codes already relies on.
Measured (best of three, one process): without floors the query takes twice the CPU,
5.3 s instead of 2.6 s at 200,000 persons and 23 s instead of 10.5 s at 1,000,000.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlglot import exp

from trialdesk.criteria.sql.builders import case, col, lit, or_, paren

DateParam = Callable[[date], exp.Expr]


def names_in(tree: exp.Expr) -> set[str]:
    return {column.name for column in tree.find_all(exp.Column)}


def flags_in(names: Iterable[str]) -> set[str]:
    """The value sets whose match flags (``m__<value set>``) are among ``names``."""
    return {n[3:] for n in names if n.startswith("m__")}


def flag_floors(aggregates: Sequence[exp.Alias], floors: Mapping[str, date]) -> dict[str, date]:
    """Per value set: the earliest floor of the aggregates that read it, if all have one."""
    lowest: dict[str, date | None] = {}
    for agg in aggregates:
        flags = flags_in(names_in(agg))
        if not flags:
            return {}  # an aggregate that reads rows of any value set: keep every row
        floor = floors.get(agg.alias)
        for flag in flags:
            known = lowest.get(flag, floor)
            lowest[flag] = None if known is None or floor is None else min(known, floor)
    return {f: day for f, day in sorted(lowest.items()) if day is not None}


def floor_column(flags: Sequence[str], floors: Mapping[str, date], param: DateParam) -> exp.Expr:
    """Per code row: the earliest floor of the value sets it matches; NULL (read every
    row) when one of them has none."""
    each = [case((col(f"m__{f}"), param(floors[f]))) for f in flags if f in floors]
    least = (
        exp.Least(this=each[0], expressions=each[1:], ignore_nulls=True)
        if len(each) > 1
        else each[0]
    )
    open_ended = [col(f"m__{f}") for f in flags if f not in floors]
    if not open_ended:
        return least
    return case((paren(or_(*open_ended)), exp.Null()), default=least)


def coarse_filter(
    flags: Sequence[str],
    floors: Mapping[str, date],
    code_rows: Iterable[Mapping[str, Any]],
    kinds: frozenset[str],
    param: DateParam,
) -> exp.Expr:
    """Over the facts before the join: a row that can pass the exact filter, i.e. with no
    start, or ending on or after the earliest floor, or of a concept that some value set
    read in full matches."""
    open_ended = [f for f in flags if f not in floors]
    concepts = sorted(
        {
            int(row["cid"])
            for row in code_rows
            if row["kind"] in kinds and any(row.get(f"m__{f}") for f in open_ended)
        }
    )
    keep: list[exp.Expr] = [
        exp.Is(this=col("start_date"), expression=exp.Null()),
        exp.GTE(this=col("end_date"), expression=param(min(floors.values()))),
    ]
    if concepts:
        keep.append(col("cid").isin(*(lit(c) for c in concepts)))
    return or_(*keep)


def exact_filter() -> exp.Expr:
    """After the join with the codes (alias k, with its floor column), over the facts f."""
    return or_(
        exp.Is(this=col("start_date", "f"), expression=exp.Null()),
        exp.Is(this=col("floor_date", "k"), expression=exp.Null()),
        exp.GTE(this=col("end_date", "f"), expression=col("floor_date", "k")),
    )
