"""Column batches: the rows of one CDM table for one chunk of persons, as numpy arrays.

Dates are day numbers (days since 1970-01-01, int64). NULL is :data:`NULL` in integer and
date columns, NaN in float columns and None in text columns; a column never given is NULL
throughout. Row ids are given by the caller (visits, whose ids other rows point to) or
assigned when the batch is finished, in the order rows were added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from trialdesk.patients.synthetic.schema import columns

__all__ = ["NULL", "Batch", "Builder", "days_to_iso"]

NULL = np.iinfo(np.int64).min

Array = npt.NDArray[Any]


def _null_of(kind: str, n: int) -> Array:
    if kind == "f":
        return np.full(n, np.nan)
    if kind == "s":
        return np.full(n, None, dtype=object)
    return np.full(n, NULL, dtype=np.int64)


@dataclass
class Batch:
    """Finished rows of one table: column name -> array (columns never given are absent)."""

    table: str
    n: int
    cols: dict[str, Array] = field(default_factory=dict)

    def get(self, name: str) -> Array:
        """A column, NULL-filled when it was never given."""
        found = self.cols.get(name)
        if found is not None:
            return found
        kinds = {c.name: c.kind for c in columns(self.table)}
        return _null_of(kinds[name], self.n)


class Builder:
    """Collects the parts of one table's rows; each part has the same columns' lengths."""

    def __init__(self, table: str, id_column: str | None = None) -> None:
        self.table = table
        self.id_column = id_column
        self._kinds = {c.name: c.kind for c in columns(table)}
        self._parts: list[tuple[int, dict[str, Array]]] = []
        self.n = 0

    def add(self, n: int, **cols: Any) -> None:
        """Add ``n`` rows; a column given as a scalar is repeated."""
        if n == 0:
            return
        part: dict[str, Array] = {}
        for name, value in cols.items():
            kind = self._kinds.get(name)
            if kind is None:
                raise KeyError(f"{self.table} has no column {name!r}")
            if value is None:
                continue
            arr = np.asarray(value)
            if arr.ndim == 0:
                arr = np.full(n, arr.item(), dtype=object if kind == "s" else arr.dtype)
            if len(arr) != n:
                raise ValueError(f"{self.table}.{name}: {len(arr)} values for {n} rows")
            if kind in ("i", "d"):
                arr = arr.astype(np.int64, copy=False)
            elif kind == "f":
                arr = arr.astype(np.float64, copy=False)
            part[name] = arr
        self._parts.append((n, part))
        self.n += n

    def finish(self, first_id: int) -> Batch:
        """The rows in the order added; ids from ``first_id`` when the table has an id column."""
        names: list[str] = []
        for _, part in self._parts:
            names.extend(k for k in part if k not in names)
        cols: dict[str, Array] = {}
        for name in names:
            kind = self._kinds[name]
            pieces = [part.get(name, None) for _, part in self._parts]
            cols[name] = (
                np.concatenate(
                    [
                        p if p is not None else _null_of(kind, n)
                        for p, (n, _) in zip(pieces, self._parts, strict=True)
                    ]
                )
                if pieces
                else _null_of(kind, 0)
            )
        if self.id_column is not None and self.id_column not in cols:
            cols[self.id_column] = np.arange(first_id, first_id + self.n, dtype=np.int64)
        return Batch(self.table, self.n, cols)


def days_to_iso(days: Array) -> list[str]:
    """Day numbers as ISO dates ('YYYY-MM-DD'); NULL days must be removed first."""
    return np.datetime_as_string(days.astype("datetime64[D]"), unit="D").tolist()  # type: ignore[no-any-return]
