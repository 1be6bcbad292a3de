"""Tests for trialdesk.clinical.womac (WOMAC 3.1, Bellamy's User Guide).

No published item-level worked example was found; the cases are hand-computed from the
scoring rules quoted in the module docstring (subscale = sum of its items; missing items
replaced by the mean of the answered ones up to each subscale's limit: pain 1, stiffness 0,
function 3; 0-10 and 0-100 = score / maximum rescaled). The maxima are the published
ranges (LK3.1 20 / 8 / 68 / 96, VA3.1 500 / 200 / 1700 / 2400, awell-score's WOMAC README
and the textbook table in the research notes).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.clinical.checks import MissingValueError
from trialdesk.clinical.womac import (
    WOMAC_SUBSCALES,
    WomacFormat,
    WomacPain,
    WomacSubscale,
    womac,
    womac_pain,
    womac_subscale,
)
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
        # VA3.1 (0-100 mm per item, total 0-500, 0-10 = total / 50).
        ([50, 60, 40, 70, 30], "VA3.1", 250.0, 5.0, 0),
        ([100, 100, None, 100, 100], "VA3.1", 500.0, 10.0, 1),
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
    assert womac_pain([0] * 5, "VA3.1").maximum == 500


@pytest.mark.parametrize(
    "items",
    [
        [None, None, 1, 2, 3],  # two missing: invalid (User Guide)
        [None, None, None, None, None],
    ],
)
def test_two_or_more_missing_items_invalidate_the_subscale(items: list[int | None]) -> None:
    with pytest.raises(MissingValueError, match="invalid") as info:
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
        ([101, 0, 0, 0, 0], "VA3.1"),  # VA item above 100 mm
        ([True, 0, 0, 0, 0], "LK3.1"),
        ("12345", "LK3.1"),
    ],
)
def test_bad_items_are_refused(items: object, fmt: str) -> None:
    with pytest.raises(FactError) as info:
        womac_pain(items, fmt)  # type: ignore[arg-type]
    assert info.value.field == "womac_pain"


@pytest.mark.parametrize("fmt", ["VA3", "likert", "lk3.1", "", None, 3.1])
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


# --- all three subscales and the total -------------------------------------------------

_LIKERT = {
    "pain": [2, 3, 1, 2, 2],  # 10
    "stiffness": [2, 1],  # 3
    "function": [1, 2, 2, 1, 0, 3, 2, 1, 1, 2, 2, 1, 0, 1, 2, 3, 1],  # 25
}


def test_rule_table_sizes_and_limits() -> None:
    assert {name: (rule.items, rule.max_imputed) for name, rule in WOMAC_SUBSCALES.items()} == {
        WomacSubscale.PAIN: (5, 1),
        WomacSubscale.STIFFNESS: (2, 0),
        WomacSubscale.FUNCTION: (17, 3),
    }
    assert sum(rule.items for rule in WOMAC_SUBSCALES.values()) == 24
    assert all(rule.source for rule in WOMAC_SUBSCALES.values())
    # the stiffness rule is the one not read in a primary text: marked as an assumption
    assert [n for n, r in WOMAC_SUBSCALES.items() if r.assumption] == [WomacSubscale.STIFFNESS]


def test_likert_scores_total_and_normalisation() -> None:
    scores = womac(_LIKERT, "LK3.1")
    got = {name: s.score for name, s in scores.subscales.items()}
    assert got == {"pain": 10, "stiffness": 3, "function": 25}
    assert scores.invalid == {}
    assert scores.total == 38
    assert scores.maximum_total == 96
    # 38 / 96 x 100 = 39.583...; x 10 = 3.9583...
    assert scores.total_normalised_0_100 == Decimal(38) * 100 / 96
    assert scores.total_normalised_0_10 == Decimal(38) * 10 / 96
    stiffness = scores.subscales[WomacSubscale.STIFFNESS]
    assert (stiffness.maximum, stiffness.normalised_0_100) == (8, Decimal("37.5"))
    function = scores.subscales[WomacSubscale.FUNCTION]
    assert (function.maximum, function.normalised_0_10) == (68, Decimal(250) / 68)
    assert scores.imputed == {"pain": 0, "stiffness": 0, "function": 0}


@pytest.mark.parametrize(
    ("fmt", "top", "maxima"),
    [
        ("LK3.1", 4, (20, 8, 68, 96)),
        ("NRS3.1", 10, (50, 20, 170, 240)),
        ("VA3.1", 100, (500, 200, 1700, 2400)),
    ],
)
def test_published_ranges_per_format(fmt: str, top: int, maxima: tuple[int, ...]) -> None:
    sizes = {name: rule.items for name, rule in WOMAC_SUBSCALES.items()}
    worst = womac({name: [top] * n for name, n in sizes.items()}, fmt)
    best = womac({name: [0] * n for name, n in sizes.items()}, fmt)
    pain, stiffness, function = (worst.subscales[s] for s in WomacSubscale)
    assert (pain.score, stiffness.score, function.score, worst.total) == maxima
    assert (pain.maximum, stiffness.maximum, function.maximum, worst.maximum_total) == maxima
    assert worst.total_normalised_0_100 == 100
    assert best.total == 0
    assert best.total_normalised_0_10 == 0


def test_function_imputes_up_to_three_items() -> None:
    # 3 missing: the mean of the 14 answered (1+2+2+1+0+3+2+1+1+2+2+1+0+1 = 19) x 17
    items = dict(_LIKERT, function=[*_LIKERT["function"][:14], None, None, None])
    scores = womac(items, "LK3.1")
    function = scores.subscales[WomacSubscale.FUNCTION]
    assert function.score == Decimal(19) * 17 / 14
    assert function.imputed_items == 3
    assert scores.imputed == {"pain": 0, "stiffness": 0, "function": 3}
    assert scores.total == 10 + 3 + Decimal(19) * 17 / 14


def test_four_missing_function_items_invalidate_function_and_the_total() -> None:
    items = dict(_LIKERT, function=[*_LIKERT["function"][:13], None, None, None, None])
    scores = womac(items, "LK3.1")
    assert set(scores.subscales) == {WomacSubscale.PAIN, WomacSubscale.STIFFNESS}
    assert "4 of 17 items missing" in scores.invalid[WomacSubscale.FUNCTION]
    assert scores.total is None
    assert scores.total_normalised_0_100 is None
    with pytest.raises(MissingValueError) as info:
        womac_subscale("function", items["function"], "LK3.1")
    assert info.value.field == "womac_function"


def test_one_missing_stiffness_item_invalidates_stiffness() -> None:
    # protocol assumption: no stiffness item may be imputed
    scores = womac(dict(_LIKERT, stiffness=[2, None]), "NRS3.1")
    assert WomacSubscale.STIFFNESS in scores.invalid
    assert scores.total is None
    with pytest.raises(MissingValueError) as info:
        womac_subscale("stiffness", [None, 1], "LK3.1")
    assert info.value.field == "womac_stiffness"


def test_pain_imputation_is_counted_per_subscale() -> None:
    scores = womac(dict(_LIKERT, pain=[2, 3, None, 2, 1]), "LK3.1")
    assert scores.imputed == {"pain": 1, "stiffness": 0, "function": 0}
    assert scores.total == 10 + 3 + 25


def test_a_subscale_left_out_is_not_scored() -> None:
    scores = womac({"pain": [1, 1, 1, 1, 1]}, "LK3.1")
    assert set(scores.subscales) == {WomacSubscale.PAIN}
    assert set(scores.invalid) == {WomacSubscale.STIFFNESS, WomacSubscale.FUNCTION}
    assert scores.total is None


@pytest.mark.parametrize(
    ("items", "field"),
    [
        (dict(_LIKERT, stiffness=[5, 0]), "womac_stiffness"),  # a wrong answer is an error
        (dict(_LIKERT, function=[0] * 16), "womac_function"),
        (dict(_LIKERT, mood=[0, 0]), "subscale"),
    ],
)
def test_wrong_answers_are_errors_not_missing(items: dict[str, list[int]], field: str) -> None:
    with pytest.raises(FactError) as info:
        womac(items, "LK3.1")  # type: ignore[arg-type]
    assert not isinstance(info.value, MissingValueError)
    assert info.value.field == field
