"""WOMAC pain subscale (Western Ontario and McMaster Universities Osteoarthritis Index).

Source: Bellamy N. WOMAC Osteoarthritis Index User Guide (versions IX/X, Brisbane); the
index itself: Bellamy N, Buchanan WW, Goldsmith CH, Campbell J, Stitt LW. J Rheumatol
1988;15:1833-40.

The pain subscale has 5 items (walking on a flat surface, going up or down stairs, at night
while in bed, sitting or lying, standing upright), each for the past 48 hours:

* LK3.1 (Likert): each item 0 (none) - 4 (extreme); subscale total 0-20.
* NRS3.1 (numerical rating scale): each item 0 - 10; subscale total 0-50.

Missing items (User Guide rule for the pain subscale): if two or more of the five items are
missing the subscale is invalid and is not scored; if one is missing, it is replaced by the
mean of the four answered items (equivalently, total = mean of answered items x 5).

Normalisation to 0-10 (a convention chosen here, stated so results are comparable): the
mean item score rescaled to 0-10, i.e. Likert total / 2 (0-20 -> 0-10) and NRS total / 5
(0-50 -> 0-10, the mean of the items).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from trialdesk.errors import FactError

__all__ = ["WOMAC_PAIN_ITEMS", "WomacFormat", "WomacPain", "womac_pain"]

#: Number of items in the WOMAC pain subscale.
WOMAC_PAIN_ITEMS = 5
_MAX_MISSING = 1


class WomacFormat(StrEnum):
    """Response format of the WOMAC 3.1 questionnaire."""

    LIKERT = "LK3.1"  # items 0-4
    NRS = "NRS3.1"  # items 0-10


_ITEM_MAX = {WomacFormat.LIKERT: 4, WomacFormat.NRS: 10}


@dataclass(frozen=True, slots=True)
class WomacPain:
    """A scored WOMAC pain subscale."""

    format: WomacFormat
    total: float  # 0-20 (LK3.1) or 0-50 (NRS3.1), after imputation
    normalised_0_10: float
    imputed_items: int  # 0 or 1

    @property
    def maximum(self) -> int:
        """Highest possible total for this format (20 or 50)."""
        return _ITEM_MAX[self.format] * WOMAC_PAIN_ITEMS


def womac_pain(items: Sequence[int | None], response_format: WomacFormat | str) -> WomacPain:
    """Score the WOMAC pain subscale from its five item scores (``None`` = not answered).

    Raises:
        FactError: unknown format (field ``response_format``); not exactly five items, an item
            that is not a whole number within the format's range, or more than one item
            missing (field ``womac_pain``).
    """
    try:
        fmt = WomacFormat(response_format)
    except ValueError:
        raise FactError(
            f"unknown WOMAC format {response_format!r} (expected LK3.1 or NRS3.1)",
            field="response_format",
        ) from None
    if isinstance(items, str | bytes) or len(items) != WOMAC_PAIN_ITEMS:
        raise FactError(
            f"the WOMAC pain subscale has {WOMAC_PAIN_ITEMS} items, got {items!r}",
            field="womac_pain",
        )
    top = _ITEM_MAX[fmt]
    answered: list[int] = []
    for number, item in enumerate(items, start=1):
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= top:
            raise FactError(
                f"WOMAC {fmt.value} pain item {number} must be a whole number 0-{top}, "
                f"got {item!r}",
                field="womac_pain",
            )
        answered.append(item)
    missing = WOMAC_PAIN_ITEMS - len(answered)
    if missing > _MAX_MISSING:
        raise FactError(
            f"WOMAC pain subscale invalid: {missing} of {WOMAC_PAIN_ITEMS} items missing "
            f"(at most {_MAX_MISSING} may be imputed)",
            field="womac_pain",
        )
    total = Decimal(sum(answered)) * WOMAC_PAIN_ITEMS / len(answered)
    normalised = total * 10 / (top * WOMAC_PAIN_ITEMS)
    return WomacPain(
        format=fmt,
        total=float(total),
        normalised_0_10=float(normalised),
        imputed_items=missing,
    )
