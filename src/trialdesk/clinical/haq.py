"""The Health Assessment Questionnaire Disability Index (HAQ-DI).

Sources (scoring rules are repeated at the function):

* Fries JF, Spitz P, Kraines RG, Holman HR. Measurement of patient outcome in arthritis.
  Arthritis Rheum 1980;23:137-45; Bruce B, Fries JF. The Stanford Health Assessment
  Questionnaire: dimensions and practical applications. Health Qual Life Outcomes 2003;1:20
  (HAQ-DI scoring rules).
* The aids and devices of each category: the CLINHAQ instruction text (quoted on
  abbeyscientific.org) and the CDISC HAQ-DI item lists (HAQ01TC C106667: HAQ0110-HAQ0122
  aids, HAQ0134-HAQ0145 help from another person), research notes issue 13 section 6.

HAQ-DI is computed exactly (Decimal) and reported to 3 decimals by the calculator registry:
with 8 categories it is a multiple of 0.125, exact at 3 decimals.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from trialdesk.clinical.checks import MissingValueError
from trialdesk.errors import FactError

__all__ = [
    "HAQ_AID_CATEGORY",
    "HAQ_ITEMS_PER_CATEGORY",
    "HaqCategory",
    "haq_aided_categories",
    "haq_di",
    "haq_di_exact",
]


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

#: Each aid or device the HAQ asks about, and the category whose score it raises to 2
#: (CLINHAQ instructions; CDISC HAQ01TC). "Other" aids are assigned to a category by the
#: scorer, and help from another person is asked per category: a form passes those as
#: categories. The activities category (errands and chores, ...) has no device: help only.
HAQ_AID_CATEGORY: Mapping[str, HaqCategory] = MappingProxyType(
    {
        "dressing_devices": HaqCategory.DRESSING,  # button hook, zipper pull, long shoe horn
        "built_up_chair": HaqCategory.ARISING,  # special or built-up chair
        "built_up_utensils": HaqCategory.EATING,  # built-up or special utensils
        "cane": HaqCategory.WALKING,
        "walker": HaqCategory.WALKING,
        "crutches": HaqCategory.WALKING,
        "wheelchair": HaqCategory.WALKING,
        "raised_toilet_seat": HaqCategory.HYGIENE,
        "bathtub_bar": HaqCategory.HYGIENE,
        # on the Stanford form's list; not in the CLINHAQ text read (research notes [R])
        "bathtub_seat": HaqCategory.HYGIENE,
        "long_handled_bathroom": HaqCategory.HYGIENE,  # long-handled appliances in bathroom
        "long_handled_reach": HaqCategory.REACH,  # long-handled appliances for reach
        "jar_opener": HaqCategory.GRIP,  # for jars previously opened
    }
)


def _haq_category(value: object, field: str) -> HaqCategory:
    try:
        return HaqCategory(str(value))
    except ValueError:
        raise FactError(
            f"unknown HAQ-DI category {value!r} (known: {', '.join(HaqCategory)})", field=field
        ) from None


def haq_aided_categories(
    aids: Collection[str] = (), aids_or_help: Collection[HaqCategory | str] = ()
) -> frozenset[HaqCategory]:
    """The categories an aid, a device or help from another person raises: those of the
    individual ``aids`` used (names of :data:`HAQ_AID_CATEGORY`) and the categories in
    ``aids_or_help`` (help from another person, or an "other" aid the scorer assigned).

    Raises:
        FactError: an unknown aid (field ``aids``) or category (field ``aids_or_help``).
    """
    categories = {_haq_category(category, "aids_or_help") for category in aids_or_help}
    for aid in aids:
        if aid not in HAQ_AID_CATEGORY:
            raise FactError(
                f"unknown HAQ aid or device {aid!r} (known: {', '.join(HAQ_AID_CATEGORY)})",
                field="aids",
            )
        categories.add(HAQ_AID_CATEGORY[aid])
    return frozenset(categories)


def haq_di(
    items: Mapping[HaqCategory | str, Sequence[int | None]],
    aids_or_help: Collection[HaqCategory | str] = (),
    *,
    adjust_for_aids: bool = True,
) -> float:
    """HAQ-DI as a float, unrounded: :func:`haq_di_exact`, which says what it computes."""
    return float(haq_di_exact(items, aids_or_help, adjust_for_aids=adjust_for_aids))


def haq_di_exact(
    items: Mapping[HaqCategory | str, Sequence[int | None]],
    aids_or_help: Collection[HaqCategory | str] = (),
    *,
    adjust_for_aids: bool = True,
) -> Decimal:
    """HAQ Disability Index, 0-3 (Fries 1980; scoring per Bruce & Fries 2003).

    ``items`` maps each category to its item scores (0 without any difficulty, 1 some,
    2 much, 3 unable; ``None`` = not answered); a category left out is unanswered.
    ``aids_or_help`` lists the categories in which an aid or device, or help from another
    person, is used (:func:`haq_aided_categories` gives them from the individual aids).

    Category score = the highest item score; with an aid/device or help it is raised to 2
    if lower (a 3 stays 3); a category with no item answered has no score (an aid alone
    does not give it one). HAQ-DI = sum of category scores / number of categories scored,
    and needs at least 6 of the 8 categories. Returned unrounded (a division in Decimal,
    28 significant digits). ``adjust_for_aids=False`` gives the score without the aids
    adjustment, which some trials report beside it (the aids are then ignored; research
    notes section 6 [R]: recalled, not read in a primary text).

    Raises:
        FactError: an unknown category, a wrong number of items, an item not in 0-3
            (field ``haq_di``), an unknown category in ``aids_or_help``.
        MissingValueError: fewer than 6 categories answered (field ``haq_di``).
    """
    named = haq_aided_categories((), aids_or_help)  # an unknown category is refused either way
    aided = named if adjust_for_aids else frozenset()
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
        raise MissingValueError(
            f"HAQ-DI needs at least {_HAQ_MIN_CATEGORIES} of 8 categories answered, "
            f"got {len(scores)}",
            field="haq_di",
        )
    return Decimal(sum(scores)) / len(scores)
