"""Kleene's strong three-valued logic: the full truth tables."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.criteria.logic import Tri, all_of, any_of

T, F, U = Tri.TRUE, Tri.FALSE, Tri.UNKNOWN

AND = {(T, T): T, (T, U): U, (T, F): F, (U, U): U, (U, F): F, (F, F): F}
OR = {(T, T): T, (T, U): T, (T, F): T, (U, U): U, (U, F): U, (F, F): F}


@pytest.mark.parametrize(("a", "b"), list(itertools.product([T, F, U], repeat=2)))
def test_and_or_tables(a: Tri, b: Tri) -> None:
    key = (a, b) if (a, b) in AND else (b, a)
    assert a & b is AND[key]
    assert a | b is OR[key]


@pytest.mark.parametrize(("a", "expected"), [(T, F), (F, T), (U, U)])
def test_not(a: Tri, expected: Tri) -> None:
    assert ~a is expected


tris = st.sampled_from([T, F, U])


@given(st.lists(tris))
def test_de_morgan_over_lists(values: list[Tri]) -> None:
    assert ~all_of(values) is any_of(~v for v in values)


def test_of() -> None:
    assert Tri.of(True) is T and Tri.of(False) is F and Tri.of(None) is U
