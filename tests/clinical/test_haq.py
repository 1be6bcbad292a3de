"""Tests for trialdesk.clinical.haq.

Sources of the expected values are given at each table. Where no published worked example
with all inputs was found, the value was computed by hand from the published formula and the
intermediate figures are written next to the case.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.clinical.checks import MissingValueError
from trialdesk.clinical.haq import (
    HAQ_AID_CATEGORY,
    HaqCategory,
    haq_aided_categories,
    haq_di,
    haq_di_exact,
)
from trialdesk.errors import FactError

# --- HAQ-DI (Fries 1980; Bruce & Fries 2003) ---------------------------------------------

_HAQ_EXAMPLE: dict[HaqCategory | str, list[int | None]] = {
    HaqCategory.DRESSING: [1, 0],  # 1
    HaqCategory.ARISING: [2, 1],  # 2
    HaqCategory.EATING: [0, 0, 1],  # 1
    HaqCategory.WALKING: [1, 1],  # 1, raised to 2 by a cane
    HaqCategory.HYGIENE: [0, 0, 0],  # 0
    HaqCategory.REACH: [3, 1],  # 3
    HaqCategory.GRIP: [1, 2, 0],  # 2
    HaqCategory.ACTIVITIES: [1, 1, 1],  # 1
}


def test_haq_di_worked_example() -> None:
    # Hand-computed: highest item per category, walking raised to 2 by a cane:
    # (1 + 2 + 1 + 2 + 0 + 3 + 2 + 1) / 8 = 12 / 8 = 1.5.
    assert haq_di(_HAQ_EXAMPLE, aids_or_help=[HaqCategory.WALKING]) == 1.5
    # Without the aid: 11 / 8 = 1.375.
    assert haq_di(_HAQ_EXAMPLE) == 1.375


def test_aid_never_lowers_a_category_and_leaves_3_alone() -> None:
    # Reach is already 3; an aid there changes nothing. Grip is 2: unchanged. Hygiene 0 -> 2.
    assert haq_di(_HAQ_EXAMPLE, aids_or_help=["reach", "grip"]) == 1.375
    assert haq_di(_HAQ_EXAMPLE, aids_or_help=["hygiene"]) == 13 / 8


def test_missing_categories_reduce_the_divisor() -> None:
    answers = dict(_HAQ_EXAMPLE)
    answers[HaqCategory.HYGIENE] = [None, None, None]  # unanswered: 11 / 7
    assert haq_di(answers) == pytest.approx(11 / 7)
    del answers[HaqCategory.REACH]  # six categories left: (11 - 3) / 6
    assert haq_di(answers) == pytest.approx(8 / 6)


def test_aid_alone_does_not_score_an_unanswered_category() -> None:
    answers = dict(_HAQ_EXAMPLE)
    answers[HaqCategory.HYGIENE] = [None, None, None]
    assert haq_di(answers, aids_or_help=["hygiene"]) == pytest.approx(11 / 7)


def test_partially_answered_category_counts() -> None:
    answers = dict(_HAQ_EXAMPLE)
    answers[HaqCategory.EATING] = [None, 3, None]
    assert haq_di(answers) == (11 - 1 + 3) / 8


@pytest.mark.parametrize(("level", "expected"), [(0, 0.0), (3, 3.0)])
def test_haq_di_extremes(level: int, expected: float) -> None:
    answers = {category: [level] * 3 for category in ("eating", "hygiene", "grip", "activities")}
    answers |= {category: [level] * 2 for category in ("dressing_grooming", "arising", "walking")}
    answers["reach"] = [level, level]
    assert haq_di(answers) == expected


def test_fewer_than_six_categories_is_refused() -> None:
    answers = {key: value for key, value in _HAQ_EXAMPLE.items() if key not in ("reach", "grip")}
    answers[HaqCategory.HYGIENE] = [None, None, None]  # 5 answered
    with pytest.raises(FactError, match="at least 6 of 8") as info:
        haq_di(answers)
    assert info.value.field == "haq_di"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"walking": [1, 1, 1]}, "has 2 items"),
        ({"walking": [4, 1]}, "0-3"),
        ({"walking": [-1, 1]}, "0-3"),
        ({"walking": [1.5, 1]}, "0-3"),
        ({"walking": [True, 1]}, "0-3"),
        ({"sleeping": [1, 1]}, "unknown HAQ-DI category"),
    ],
)
def test_haq_di_refuses_bad_input(change: dict[str, list[object]], message: str) -> None:
    answers: dict[object, object] = {str(k): v for k, v in _HAQ_EXAMPLE.items()}
    answers.update(change)
    with pytest.raises(FactError, match=message):
        haq_di(answers)  # type: ignore[arg-type]


def test_haq_di_refuses_unknown_aid_category() -> None:
    with pytest.raises(FactError, match="unknown HAQ-DI category") as info:
        haq_di(_HAQ_EXAMPLE, aids_or_help=["cane"])
    assert info.value.field == "aids_or_help"


@given(data=st.data(), aids=st.sets(st.sampled_from(list(HaqCategory))))
def test_haq_di_stays_within_0_3_and_aids_never_lower_it(
    data: st.DataObject, aids: set[HaqCategory]
) -> None:
    answers = {
        category: data.draw(st.lists(st.integers(0, 3), min_size=size, max_size=size))
        for category, size in (
            (HaqCategory.DRESSING, 2),
            (HaqCategory.ARISING, 2),
            (HaqCategory.EATING, 3),
            (HaqCategory.WALKING, 2),
            (HaqCategory.HYGIENE, 3),
            (HaqCategory.REACH, 2),
            (HaqCategory.GRIP, 3),
            (HaqCategory.ACTIVITIES, 3),
        )
    }
    plain = haq_di(answers)  # type: ignore[arg-type]
    aided = haq_di(answers, aids_or_help=aids)  # type: ignore[arg-type]
    assert 0 <= plain <= aided <= 3


# --- individual aids, exact values, the score without the aids adjustment ----------------


def test_aid_table_covers_each_category_but_activities() -> None:
    assert set(HAQ_AID_CATEGORY.values()) == set(HaqCategory) - {HaqCategory.ACTIVITIES}
    assert HAQ_AID_CATEGORY["cane"] is HaqCategory.WALKING
    assert HAQ_AID_CATEGORY["jar_opener"] is HaqCategory.GRIP
    assert HAQ_AID_CATEGORY["long_handled_reach"] is HaqCategory.REACH
    assert HAQ_AID_CATEGORY["long_handled_bathroom"] is HaqCategory.HYGIENE


def test_individual_aids_map_to_their_categories() -> None:
    aided = haq_aided_categories(["cane", "walker", "raised_toilet_seat"], ["activities"])
    assert aided == {HaqCategory.WALKING, HaqCategory.HYGIENE, HaqCategory.ACTIVITIES}
    # the worked example with a cane, given as the aid itself: 12 / 8
    assert haq_di(_HAQ_EXAMPLE, haq_aided_categories(["cane"])) == 1.5


def test_unknown_aid_is_refused() -> None:
    with pytest.raises(FactError, match="unknown HAQ aid") as info:
        haq_aided_categories(["rollator"])
    assert info.value.field == "aids"


def test_score_without_the_aids_adjustment_ignores_aids() -> None:
    aids = [HaqCategory.WALKING, HaqCategory.HYGIENE]
    assert haq_di(_HAQ_EXAMPLE, aids) == 14 / 8
    assert haq_di(_HAQ_EXAMPLE, aids, adjust_for_aids=False) == 11 / 8
    with pytest.raises(FactError, match="unknown HAQ-DI category"):
        haq_di(_HAQ_EXAMPLE, ["cane"], adjust_for_aids=False)


def test_exact_value_is_a_decimal() -> None:
    answers = dict(_HAQ_EXAMPLE)
    answers[HaqCategory.HYGIENE] = [None, None, None]
    assert haq_di_exact(_HAQ_EXAMPLE) == Decimal("1.375")
    assert haq_di_exact(answers) == Decimal(11) / 7


def test_too_few_categories_is_missing_not_wrong() -> None:
    with pytest.raises(MissingValueError):
        haq_di({"walking": [1, 1]})
