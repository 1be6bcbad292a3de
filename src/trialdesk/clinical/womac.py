"""WOMAC 3.1 (Western Ontario and McMaster Universities Osteoarthritis Index): pain,
stiffness and physical function subscales and the total.

Sources:

* Bellamy N, Buchanan WW, Goldsmith CH, Campbell J, Stitt LW. Validation study of WOMAC.
  J Rheumatol 1988;15:1833-40 (the index); Bellamy N. WOMAC Osteoarthritis Index User Guide
  (versions IX/X, Brisbane; licensed, womac.org).
* Subscales: pain 5 items, stiffness 2, physical function 17; 24 in all, each for the past
  48 hours (RehabMeasures/SRAlab summary; BMC Musculoskelet Disord 2004;5:17).
* Formats: LK3.1, Likert 0 (none) - 4 (extreme) per item; NRS3.1, 0-10 per item; VA3.1, a
  100 mm visual analogue scale per item, read here to the whole millimetre. Subscale ranges
  LK3.1 0-20 / 0-8 / 0-68 (total 0-96), VA3.1 0-500 / 0-200 / 0-1700 (0-2400), NRS3.1
  0-50 / 0-20 / 0-170 (0-240) (awell-health/awell-score src/scores/womac/README.md; the
  textbook table in research notes issue 13 section 5).

Each subscale is the sum of its items, on the format's own scale. A missing item is
replaced by the mean of the subscale's answered items (equivalently: score = mean of the
answered items x number of items) if the subscale allows that many missing; otherwise the
subscale is not scored. The rules per subscale, with their sources, are
:data:`WOMAC_SUBSCALES`. The total (sum of the three) is given only when all three are.

Normalised scores (a convention chosen here; Copsey B et al. Qual Life Res 2019;28:335-43
found both in use): score / maximum x 10 (0-10) and x 100 (0-100). For the pain subscale
0-10 is the Likert total / 2 and the NRS mean item, as before.

Item text is licensed and is not shipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from trialdesk.clinical.checks import MissingValueError
from trialdesk.errors import FactError

__all__ = [
    "WOMAC_ITEM_MAX",
    "WOMAC_PAIN_ITEMS",
    "WOMAC_SUBSCALES",
    "MissingItemRule",
    "WomacFormat",
    "WomacPain",
    "WomacScores",
    "WomacSubscale",
    "WomacSubscaleScore",
    "womac",
    "womac_format",
    "womac_pain",
    "womac_subscale",
]


class WomacFormat(StrEnum):
    """Response format of the WOMAC 3.1 questionnaire (CDISC QSCAT "WOMAC LK 3.1 INDEX"
    C122384, "WOMAC NRS 3.1 INDEX" C122385, "WOMAC VA 3.1 INDEX" C122386)."""

    LIKERT = "LK3.1"  # items 0-4
    NRS = "NRS3.1"  # items 0-10
    VISUAL_ANALOGUE = "VA3.1"  # items 0-100 mm


#: The highest score of one item in each format.
WOMAC_ITEM_MAX: Mapping[WomacFormat, int] = MappingProxyType(
    {WomacFormat.LIKERT: 4, WomacFormat.NRS: 10, WomacFormat.VISUAL_ANALOGUE: 100}
)


class WomacSubscale(StrEnum):
    PAIN = "pain"
    STIFFNESS = "stiffness"
    FUNCTION = "function"


@dataclass(frozen=True, slots=True)
class MissingItemRule:
    """How many of a subscale's items may be missing and still be imputed, and why."""

    items: int
    max_imputed: int
    source: str
    assumption: bool = False  # a protocol assumption: no primary text read, site to confirm


#: The subscales, their sizes and missing-item rules (research notes issue 13 section 5).
WOMAC_SUBSCALES: Mapping[WomacSubscale, MissingItemRule] = MappingProxyType(
    {
        # 1 missing: mean-substituted; 2 or more: invalid. The rule trialdesk has applied
        # since the pain subscale was written, citing the User Guide; Ghomrawi HMK et al. BMC
        # Musculoskelet Disord 2011;12:109 describe the WOMAC's method as mean substitution
        # that leaves some subscales unscored. The cut-off was not seen in a primary text.
        WomacSubscale.PAIN: MissingItemRule(
            items=5,
            max_imputed=1,
            source="Bellamy, WOMAC User Guide (pain: 1 missing item imputed, 2+ invalid); "
            "Ghomrawi 2011 BMC Musculoskelet Disord 12:109",
        ),
        # PROTOCOL ASSUMPTION: the User Guide's stiffness rule was not read (it is quoted as
        # "1 of 2 may be substituted" and as "invalid if any is missing"). With 2 items,
        # imputing one would double a single answer, so here no stiffness item may be
        # missing: the stricter reading, never an estimate. For the site to confirm.
        WomacSubscale.STIFFNESS: MissingItemRule(
            items=2,
            max_imputed=0,
            source="protocol assumption: User Guide rule not verified; stricter reading "
            "(no missing item) chosen",
            assumption=True,
        ),
        # "if there are 4 or more missing items, the patient's response is invalid; when
        # 1-3 items are missing, the average value for the sub-scale is substituted".
        WomacSubscale.FUNCTION: MissingItemRule(
            items=17,
            max_imputed=3,
            source="Whitehouse SL, Learmonth ID, Crawford RW. J Bone Joint Surg Br "
            "2004;86-B(Supp IV):469 (function: 1-3 missing imputed, 4+ invalid)",
        ),
    }
)

#: Number of items in the WOMAC pain subscale.
WOMAC_PAIN_ITEMS = WOMAC_SUBSCALES[WomacSubscale.PAIN].items


@dataclass(frozen=True, slots=True)
class WomacSubscaleScore:
    """One scored subscale, on the format's own scale, after imputation."""

    subscale: WomacSubscale
    format: WomacFormat
    score: Decimal
    imputed_items: int

    @property
    def maximum(self) -> int:
        return WOMAC_ITEM_MAX[self.format] * WOMAC_SUBSCALES[self.subscale].items

    @property
    def normalised_0_10(self) -> Decimal:
        return self.score * 10 / self.maximum

    @property
    def normalised_0_100(self) -> Decimal:
        return self.score * 100 / self.maximum


@dataclass(frozen=True, slots=True)
class WomacScores:
    """The three subscales (those that could be scored), why the others could not, and the
    total when all three were scored."""

    format: WomacFormat
    subscales: Mapping[WomacSubscale, WomacSubscaleScore]
    invalid: Mapping[WomacSubscale, str]  # subscale -> why it is not scored

    @property
    def total(self) -> Decimal | None:
        if self.invalid:
            return None
        return sum((s.score for s in self.subscales.values()), Decimal(0))

    @property
    def maximum_total(self) -> int:
        return WOMAC_ITEM_MAX[self.format] * sum(r.items for r in WOMAC_SUBSCALES.values())

    @property
    def total_normalised_0_10(self) -> Decimal | None:
        total = self.total
        return None if total is None else total * 10 / self.maximum_total

    @property
    def total_normalised_0_100(self) -> Decimal | None:
        total = self.total
        return None if total is None else total * 100 / self.maximum_total

    @property
    def imputed(self) -> Mapping[WomacSubscale, int]:
        """Items imputed per scored subscale."""
        return {name: s.imputed_items for name, s in self.subscales.items()}


def womac_format(response_format: object) -> WomacFormat:
    """The format named ``LK3.1``, ``NRS3.1`` or ``VA3.1``.

    Raises:
        FactError: any other value (field ``response_format``).
    """
    if isinstance(response_format, str):  # a WomacFormat is a str too
        try:
            return WomacFormat(response_format)
        except ValueError:
            pass
    raise FactError(
        f"unknown WOMAC format {response_format!r} (expected LK3.1, NRS3.1 or VA3.1)",
        field="response_format",
    )


def womac_subscale(
    subscale: WomacSubscale | str,
    items: Sequence[int | None],
    response_format: WomacFormat | str,
) -> WomacSubscaleScore:
    """Score one subscale from its item scores in order (``None`` = not answered).

    Raises:
        FactError: unknown subscale or format; not the subscale's number of items, or an
            item that is not a whole number within the format's range (field
            ``womac_<subscale>``).
        MissingValueError: more items missing than the subscale's rule allows (field
            ``womac_<subscale>``).
    """
    fmt = womac_format(response_format)
    try:
        name = WomacSubscale(subscale)
    except ValueError:
        raise FactError(f"unknown WOMAC subscale {subscale!r}", field="subscale") from None
    rule = WOMAC_SUBSCALES[name]
    field = f"womac_{name.value}"
    if isinstance(items, str | bytes) or len(items) != rule.items:
        raise FactError(
            f"the WOMAC {name} subscale has {rule.items} items, got {items!r}", field=field
        )
    top = WOMAC_ITEM_MAX[fmt]
    answered: list[int] = []
    for number, item in enumerate(items, start=1):
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= top:
            raise FactError(
                f"WOMAC {fmt.value} {name} item {number} must be a whole number 0-{top}, "
                f"got {item!r}",
                field=field,
            )
        answered.append(item)
    missing = rule.items - len(answered)
    if missing > rule.max_imputed:
        raise MissingValueError(
            f"WOMAC {name} subscale invalid: {missing} of {rule.items} items missing "
            f"(at most {rule.max_imputed} may be imputed)",
            field=field,
        )
    score = Decimal(sum(answered)) * rule.items / len(answered)
    return WomacSubscaleScore(subscale=name, format=fmt, score=score, imputed_items=missing)


def womac(
    items: Mapping[WomacSubscale | str, Sequence[int | None]],
    response_format: WomacFormat | str,
) -> WomacScores:
    """Score every subscale and the total. A subscale left out, or with more items missing
    than its rule allows, is not scored (``invalid`` says why) and there is then no total.

    Raises:
        FactError: an unknown format or subscale, a wrong number of items, or an item out
            of the format's range (a wrong answer is an error, a missing one is not).
    """
    fmt = womac_format(response_format)
    given: dict[WomacSubscale, Sequence[int | None]] = {}
    for key, answers in items.items():
        try:
            given[WomacSubscale(key)] = answers
        except ValueError:
            raise FactError(f"unknown WOMAC subscale {key!r}", field="subscale") from None
    scored: dict[WomacSubscale, WomacSubscaleScore] = {}
    invalid: dict[WomacSubscale, str] = {}
    for name, rule in WOMAC_SUBSCALES.items():
        try:
            scored[name] = womac_subscale(name, given.get(name, [None] * rule.items), fmt)
        except MissingValueError as error:
            invalid[name] = error.message
    return WomacScores(
        format=fmt, subscales=MappingProxyType(scored), invalid=MappingProxyType(invalid)
    )


@dataclass(frozen=True, slots=True)
class WomacPain:
    """A scored WOMAC pain subscale (the shape :func:`womac_pain` has always returned)."""

    format: WomacFormat
    total: float  # 0-20 (LK3.1), 0-50 (NRS3.1) or 0-500 (VA3.1), after imputation
    normalised_0_10: float
    imputed_items: int  # 0 or 1

    @property
    def maximum(self) -> int:
        """Highest possible total for this format (20, 50 or 500)."""
        return WOMAC_ITEM_MAX[self.format] * WOMAC_PAIN_ITEMS


def womac_pain(items: Sequence[int | None], response_format: WomacFormat | str) -> WomacPain:
    """Score the WOMAC pain subscale from its five item scores (``None`` = not answered).

    Raises:
        FactError: unknown format (field ``response_format``); not exactly five items, an item
            that is not a whole number within the format's range, or more than one item
            missing (:class:`MissingValueError`) (field ``womac_pain``).
    """
    pain = womac_subscale(WomacSubscale.PAIN, items, response_format)
    return WomacPain(
        format=pain.format,
        total=float(pain.score),
        normalised_0_10=float(pain.normalised_0_10),
        imputed_items=pain.imputed_items,
    )
