"""CTCAE v5.0 grades for laboratory increases of ALT, AST and creatinine.

Source: U.S. Department of Health and Human Services, National Cancer Institute. Common
Terminology Criteria for Adverse Events (CTCAE) Version 5.0, published November 27, 2017;
SOC "Investigations".

Alanine aminotransferase increased / Aspartate aminotransferase increased:

=====  ============================================  ===========================
grade  if baseline was normal                        if baseline was abnormal
=====  ============================================  ===========================
1      >ULN - 3.0 x ULN                              1.5 - 3.0 x baseline
2      >3.0 - 5.0 x ULN                              >3.0 - 5.0 x baseline
3      >5.0 - 20.0 x ULN                             >5.0 - 20.0 x baseline
4      >20.0 x ULN                                   >20.0 x baseline
=====  ============================================  ===========================

Creatinine increased (criteria joined by ";" are alternatives; the higher grade wins):

1. >ULN - 1.5 x ULN
2. >1.5 - 3.0 x baseline; >1.5 - 3.0 x ULN
3. >3.0 x baseline; >3.0 - 6.0 x ULN
4. >6.0 x ULN

Grade 0 here means "no CTCAE increase". The clinical parts of grades 3-5 (hospitalisation,
dialysis, death) are outside a laboratory calculator. A baseline is "abnormal" when it is
above the ULN. Without a baseline the ALT/AST value is graded against the ULN (the
"baseline normal" column) and the rule text says so. Ratios are computed in decimal
arithmetic on the values as written, so a value of exactly 3.0 x ULN is grade 1, not 2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from trialdesk.errors import FactError

__all__ = [
    "CtcaeGrade",
    "grade_alt_increased",
    "grade_ast_increased",
    "grade_creatinine_increased",
]

_SOURCE = "CTCAE v5.0 (NCI, 2017-11-27)"
_ONE, _ONE_HALF, _THREE = Decimal(1), Decimal("1.5"), Decimal(3)
_FIVE, _SIX, _TWENTY = Decimal(5), Decimal(6), Decimal(20)


@dataclass(frozen=True, slots=True)
class CtcaeGrade:
    """A CTCAE grade (0 = no increase, 1-4) and the rule that produced it, as text."""

    term: str
    grade: int
    rule: str


def _positive(value: object, field: str, *, allow_zero: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FactError(f"{field} must be a number, got {value!r}", field=field)
    number = float(value)
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        kind = "non-negative" if allow_zero else "positive"
        raise FactError(f"{field} must be a finite {kind} number, got {value!r}", field=field)
    return Decimal(repr(number))


def _times(ratio: Decimal) -> str:
    return f"{float(ratio):.4g}"


_NORMAL_BANDS = (
    "<= ULN: not increased",
    ">ULN - 3.0 x ULN",
    ">3.0 - 5.0 x ULN",
    ">5.0 - 20.0 x ULN",
    ">20.0 x ULN",
)
_ABNORMAL_BANDS = (
    "< 1.5 x baseline: not increased",
    "1.5 - 3.0 x baseline",
    ">3.0 - 5.0 x baseline",
    ">5.0 - 20.0 x baseline",
    ">20.0 x baseline",
)


def _grade_aminotransferase(
    term: str, value: float, uln: float, baseline: float | None
) -> CtcaeGrade:
    current = _positive(value, "value", allow_zero=True)
    limit = _positive(uln, "uln")
    if baseline is not None:
        base = _positive(baseline, "baseline")
        if base > limit:
            ratio = current / base
            if ratio > _TWENTY:
                grade = 4
            elif ratio > _FIVE:
                grade = 3
            elif ratio > _THREE:
                grade = 2
            else:
                grade = 1 if ratio >= _ONE_HALF else 0
            rule = (
                f"{term}, {_SOURCE}: baseline {baseline:g} > ULN {uln:g} (abnormal); value "
                f"{value:g} = {_times(ratio)} x baseline, grade {grade}: "
                f"{_ABNORMAL_BANDS[grade]}"
            )
            return CtcaeGrade(term=term, grade=grade, rule=rule)
        basis = f"baseline {baseline:g} <= ULN {uln:g} (normal)"
    else:
        basis = "no baseline given, graded against ULN as for a normal baseline"
    ratio = current / limit
    if ratio > _TWENTY:
        grade = 4
    elif ratio > _FIVE:
        grade = 3
    elif ratio > _THREE:
        grade = 2
    else:
        grade = 1 if ratio > _ONE else 0
    rule = (
        f"{term}, {_SOURCE}: {basis}; value {value:g} = {_times(ratio)} x ULN ({uln:g}), "
        f"grade {grade}: {_NORMAL_BANDS[grade]}"
    )
    return CtcaeGrade(term=term, grade=grade, rule=rule)


def grade_alt_increased(value: float, uln: float, baseline: float | None = None) -> CtcaeGrade:
    """CTCAE v5.0 grade of "Alanine aminotransferase increased" for an ALT ``value``.

    ``value``, ``uln`` and ``baseline`` share one unit (e.g. U/L). ``baseline`` above ``uln``
    switches to the "baseline abnormal" multiples of baseline (grade 1 from 1.5 x baseline).

    Raises:
        FactError: a negative or non-finite value, or a ULN/baseline that is not positive.
    """
    return _grade_aminotransferase("Alanine aminotransferase increased", value, uln, baseline)


def grade_ast_increased(value: float, uln: float, baseline: float | None = None) -> CtcaeGrade:
    """CTCAE v5.0 grade of "Aspartate aminotransferase increased"; same rules as ALT.

    Raises:
        FactError: a negative or non-finite value, or a ULN/baseline that is not positive.
    """
    return _grade_aminotransferase("Aspartate aminotransferase increased", value, uln, baseline)


_CREATININE_ULN_BANDS = (
    "<= ULN: not increased",
    ">ULN - 1.5 x ULN",
    ">1.5 - 3.0 x ULN",
    ">3.0 - 6.0 x ULN",
    ">6.0 x ULN",
)


def grade_creatinine_increased(
    value: float, uln: float, baseline: float | None = None
) -> CtcaeGrade:
    """CTCAE v5.0 grade of "Creatinine increased" for a serum creatinine ``value``.

    The grade is the higher of the ULN criterion and, when ``baseline`` is given, the
    baseline criterion (>1.5 - 3.0 x baseline: grade 2; >3.0 x baseline: grade 3).
    All three values share one unit (mg/dL or µmol/L).

    Raises:
        FactError: a negative or non-finite value, or a ULN/baseline that is not positive.
    """
    term = "Creatinine increased"
    current = _positive(value, "value", allow_zero=True)
    limit = _positive(uln, "uln")
    ratio = current / limit
    if ratio > _SIX:
        by_uln = 4
    elif ratio > _THREE:
        by_uln = 3
    elif ratio > _ONE_HALF:
        by_uln = 2
    else:
        by_uln = 1 if ratio > _ONE else 0
    parts = [f"value {value:g} = {_times(ratio)} x ULN ({uln:g}): {_CREATININE_ULN_BANDS[by_uln]}"]
    grade = by_uln
    if baseline is not None:
        base = _positive(baseline, "baseline")
        to_base = current / base
        if to_base > _THREE:
            by_base, band = 3, ">3.0 x baseline"
        elif to_base > _ONE_HALF:
            by_base, band = 2, ">1.5 - 3.0 x baseline"
        else:
            by_base, band = 0, "<= 1.5 x baseline: no baseline criterion met"
        parts.append(f"{_times(to_base)} x baseline ({baseline:g}): {band}")
        grade = max(by_uln, by_base)
    rule = f"{term}, {_SOURCE}: " + "; ".join(parts) + f"; grade {grade}"
    return CtcaeGrade(term=term, grade=grade, rule=rule)
