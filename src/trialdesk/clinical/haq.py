"""The Health Assessment Questionnaire Disability Index (HAQ-DI).

Sources (scoring rules are repeated at the function):

* Fries JF, Spitz P, Kraines RG, Holman HR. Measurement of patient outcome in arthritis.
  Arthritis Rheum 1980;23:137-45; Bruce B, Fries JF. The Stanford Health Assessment
  Questionnaire: dimensions and practical applications. Health Qual Life Outcomes 2003;1:20
  (HAQ-DI scoring rules).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from enum import StrEnum
from types import MappingProxyType

from trialdesk.errors import FactError

__all__ = ["HAQ_ITEMS_PER_CATEGORY", "HaqCategory", "haq_di"]


class HaqCategory(StrEnum):
    """The eight HAQ-DI categories (Bruce & Fries 2003)."""

    DRESSING = "dressing_grooming"
    ARISING = "arising"
    EATING = "eating"
    WALKING = "walking"
    HYGIENE = "hygiene"
    REACH = "reach"
    GRIP = "grip"
    ACTIVITIES = "activities"


#: Items per category in the 20-item HAQ-DI.
HAQ_ITEMS_PER_CATEGORY: Mapping[HaqCategory, int] = MappingProxyType(
    {
        HaqCategory.DRESSING: 2,
        HaqCategory.ARISING: 2,
        HaqCategory.EATING: 3,
        HaqCategory.WALKING: 2,
        HaqCategory.HYGIENE: 3,
        HaqCategory.REACH: 2,
        HaqCategory.GRIP: 3,
        HaqCategory.ACTIVITIES: 3,
    }
)
_HAQ_MIN_CATEGORIES = 6


def _haq_category(value: object, field: str) -> HaqCategory:
    try:
        return HaqCategory(str(value))
    except ValueError:
        raise FactError(
            f"unknown HAQ-DI category {value!r} (known: {', '.join(HaqCategory)})", field=field
        ) from None


def haq_di(
    items: Mapping[HaqCategory | str, Sequence[int | None]],
    aids_or_help: Collection[HaqCategory | str] = (),
) -> float:
    """HAQ Disability Index, 0-3 (Fries 1980; scoring per Bruce & Fries 2003).

    ``items`` maps each category to its item scores (0 without any difficulty, 1 some,
    2 much, 3 unable; ``None`` = not answered); a category left out is unanswered.
    ``aids_or_help`` lists the categories in which an aid or device, or help from another
    person, is used.

    Category score = the highest item score; with an aid/device or help it is raised to 2
    if lower (a 3 stays 3); a category with no item answered has no score (an aid alone
    does not give it one). HAQ-DI = sum of category scores / number of categories scored,
    and needs at least 6 of the 8 categories. Returned unrounded.

    Raises:
        FactError: an unknown category, a wrong number of items, an item not in 0-3, or
            fewer than 6 categories answered (field ``haq_di``).
    """
    aided = {_haq_category(category, "aids_or_help") for category in aids_or_help}
    scores: list[int] = []
    for key, answers in items.items():
        category = _haq_category(key, "haq_di")
        expected = HAQ_ITEMS_PER_CATEGORY[category]
        if isinstance(answers, str | bytes) or len(answers) != expected:
            raise FactError(
                f"HAQ-DI category {category} has {expected} items, got {answers!r}",
                field="haq_di",
            )
        answered: list[int] = []
        for answer in answers:
            if answer is None:
                continue
            if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer <= 3:
                raise FactError(
                    f"HAQ-DI item scores are 0-3, got {answer!r} in {category}", field="haq_di"
                )
            answered.append(answer)
        if not answered:
            continue
        score = max(answered)
        if category in aided:
            score = max(score, 2)
        scores.append(score)
    if len(scores) < _HAQ_MIN_CATEGORIES:
        raise FactError(
            f"HAQ-DI needs at least {_HAQ_MIN_CATEGORIES} of 8 categories answered, "
            f"got {len(scores)}",
            field="haq_di",
        )
    return sum(scores) / len(scores)
