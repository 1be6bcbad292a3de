"""Tests for trialdesk.clinical.womac (WOMAC 3.1 pain subscale, Bellamy's User Guide).

No published item-level worked example was found; the cases are hand-computed from the
scoring rules quoted in the module docstring (sum of 5 items; one missing item replaced by
the mean of the other four; two or more missing: invalid; 0-10 = mean item rescaled).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.clinical.womac import WomacFormat, WomacPain, womac_pain
from trialdesk.errors import FactError


@pytest.mark.parametrize(
    ("items", "fmt", "total", "normalised", "imputed"),
    [
        # Likert LK3.1 (0-4 per item, total 0-20, 0-10 = total / 2).
        ([2, 3, 1, 2, 2], "LK3.1", 10.0, 5.0, 0),
        ([0, 0, 0, 0, 0], "LK3.1", 0.0, 0.0, 0),
        ([4, 4, 4, 4, 4], "LK3.1", 20.0, 10.0, 0),
        ([1, 0, 0, 0, 0], "LK3.1", 1.0, 0.5, 0),
        # One item missing: mean of (2, 3, 2, 1) = 2 -> total 2 x 5 = 10.
        ([2, 3, None, 2, 1], "LK3.1", 10.0, 5.0, 1),
        # One item missing: mean of (1, 2, 2, 2) = 1.75 -> total 8.75, 0-10: 4.375.
        ([None, 1, 2, 2, 2], WomacFormat.LIKERT, 8.75, 4.375, 1),
        # NRS3.1 (0-10 per item, total 0-50, 0-10 = total / 5 = item mean).
        ([5, 6, 4, 7, 3], "NRS3.1", 25.0, 5.0, 0),
        ([10, 10, 10, 10, 10], "NRS3.1", 50.0, 10.0, 0),
        # One missing: mean of (5, 6, 7, 3) = 5.25 -> total 26.25, 0-10: 5.25.
        ([5, 6, None, 7, 3], WomacFormat.NRS, 26.25, 5.25, 1),
    ],
)
def test_pain_subscale_examples(
    items: list[int | None], fmt: str, total: float, normalised: float, imputed: int
) -> None:
    result = womac_pain(items, fmt)
    assert result == WomacPain(
        format=WomacFormat(fmt), total=total, normalised_0_10=normalised, imputed_items=imputed
    )


def test_maximum_per_format() -> None:
    assert womac_pain([0] * 5, "LK3.1").maximum == 20
    assert womac_pain([0] * 5, "NRS3.1").maximum == 50


@pytest.mark.parametrize(
    "items",
    [
        [None, None, 1, 2, 3],  # two missing: invalid (User Guide)
        [None, None, None, None, None],
    ],
)
def test_two_or_more_missing_items_invalidate_the_subscale(items: list[int | None]) -> None:
    with pytest.raises(FactError, match="invalid") as info:
        womac_pain(items, "LK3.1")
    assert info.value.field == "womac_pain"


@pytest.mark.parametrize(
    ("items", "fmt"),
    [
        ([1, 2, 3, 4], "LK3.1"),  # four items
        ([1, 2, 3, 4, 0, 1], "LK3.1"),  # six items
        ([5, 0, 0, 0, 0], "LK3.1"),  # Likert item above 4
        ([-1, 0, 0, 0, 0], "LK3.1"),
        ([11, 0, 0, 0, 0], "NRS3.1"),  # NRS item above 10
        ([1.5, 0, 0, 0, 0], "NRS3.1"),  # not a whole number
        ([True, 0, 0, 0, 0], "LK3.1"),
        ("12345", "LK3.1"),
    ],
)
def test_bad_items_are_refused(items: object, fmt: str) -> None:
    with pytest.raises(FactError) as info:
        womac_pain(items, fmt)  # type: ignore[arg-type]
    assert info.value.field == "womac_pain"


@pytest.mark.parametrize("fmt", ["VA3.1", "likert", "", None])
def test_unknown_format_is_refused(fmt: object) -> None:
    with pytest.raises(FactError, match="unknown WOMAC format") as info:
        womac_pain([0, 0, 0, 0, 0], fmt)  # type: ignore[arg-type]
    assert info.value.field == "response_format"


_formats = st.sampled_from([WomacFormat.LIKERT, WomacFormat.NRS])


@given(data=st.data(), fmt=_formats)
def test_normalised_score_stays_within_0_10_and_rises_with_any_item(
    data: st.DataObject, fmt: WomacFormat
) -> None:
    top = 4 if fmt is WomacFormat.LIKERT else 10
    items = data.draw(st.lists(st.integers(0, top), min_size=5, max_size=5))
    result = womac_pain(items, fmt)
    assert 0 <= result.normalised_0_10 <= 10
    assert result.total == sum(items)
    index = data.draw(st.integers(0, 4))
    if items[index] < top:
        raised = [*items]
        raised[index] += 1
        assert womac_pain(raised, fmt).normalised_0_10 > result.normalised_0_10


@given(data=st.data(), fmt=_formats)
def test_imputation_equals_mean_of_answered_items(data: st.DataObject, fmt: WomacFormat) -> None:
    top = 4 if fmt is WomacFormat.LIKERT else 10
    items: list[int | None] = list(data.draw(st.lists(st.integers(0, top), min_size=5, max_size=5)))
    gap = data.draw(st.integers(0, 4))
    items[gap] = None
    answered = [item for item in items if item is not None]
    result = womac_pain(items, fmt)
    assert result.total == pytest.approx(sum(answered) / 4 * 5)
    assert result.imputed_items == 1
