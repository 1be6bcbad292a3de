"""Kleene's strong three-valued logic: TRUE, FALSE and UNKNOWN.

UNKNOWN means "the data needed to decide is missing", never "false". The SQL compiler
maps UNKNOWN to NULL, whose AND/OR/NOT follow the same truth tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum


class Tri(Enum):
    FALSE = 0
    UNKNOWN = 1
    TRUE = 2

    def __invert__(self) -> Tri:
        return _NOT[self]

    def __and__(self, other: Tri) -> Tri:
        return self if self.value <= other.value else other

    def __or__(self, other: Tri) -> Tri:
        return self if self.value >= other.value else other

    @classmethod
    def of(cls, value: bool | None) -> Tri:
        if value is None:
            return cls.UNKNOWN
        return cls.TRUE if value else cls.FALSE


_NOT = {Tri.TRUE: Tri.FALSE, Tri.FALSE: Tri.TRUE, Tri.UNKNOWN: Tri.UNKNOWN}


def all_of(values: Iterable[Tri]) -> Tri:
    """Kleene AND over many values (TRUE for none)."""
    result = Tri.TRUE
    for v in values:
        result = result & v
        if result is Tri.FALSE:
            break
    return result


def any_of(values: Iterable[Tri]) -> Tri:
    """Kleene OR over many values (FALSE for none)."""
    result = Tri.FALSE
    for v in values:
        result = result | v
        if result is Tri.TRUE:
            break
    return result
