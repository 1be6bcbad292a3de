"""Body size: plausibility limits for weight and height, and the body-mass index.

BMI and its classes follow WHO, *Obesity: preventing and managing the global epidemic*,
Technical Report Series 894 (Geneva, 2000), Table 2.1: BMI = weight (kg) / height (m)²;
underweight < 18.50, normal 18.50-24.99, pre-obese 25.00-29.99, obese class I 30.00-34.99,
class II 35.00-39.99, class III >= 40.00 (so a BMI of exactly 30.0 is obese class I).

The plausibility limits bracket the most extreme humans on record, so a value outside them
is a data error (wrong unit, typo), never a person; they and their sources are in the
plausibility table (clinical/plausibility.yaml: weight_kg, height_m).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from trialdesk.clinical.checks import finite
from trialdesk.clinical.plausibility import LIMITS
from trialdesk.errors import FactError

__all__ = [
    "HEIGHT_M_MAX",
    "HEIGHT_M_MIN",
    "WEIGHT_KG_MAX",
    "WEIGHT_KG_MIN",
    "BmiClass",
    "bmi",
    "check_height_m",
    "check_weight_kg",
    "who_bmi_class",
]

#: The plausible range of a body weight (kg) and height (m): the plausibility table.
WEIGHT_KG_MIN = LIMITS["weight_kg"].low
WEIGHT_KG_MAX = LIMITS["weight_kg"].high
HEIGHT_M_MIN = LIMITS["height_m"].low
HEIGHT_M_MAX = LIMITS["height_m"].high


class BmiClass(StrEnum):
    """WHO TRS 894 (2000) Table 2.1 classes of BMI in adults."""

    UNDERWEIGHT = "underweight"  # < 18.50
    NORMAL = "normal"  # 18.50-24.99
    PRE_OBESE = "pre-obese"  # 25.00-29.99 ("overweight" is >= 25.00)
    OBESE_I = "obese class I"  # 30.00-34.99
    OBESE_II = "obese class II"  # 35.00-39.99
    OBESE_III = "obese class III"  # >= 40.00


def check_weight_kg(weight_kg: float, field: str = "weight_kg") -> float:
    """Return ``weight_kg`` as a float if it is a humanly possible body weight in kg.

    Raises:
        FactError: not a finite number, or outside ``WEIGHT_KG_MIN..WEIGHT_KG_MAX``.
    """
    return LIMITS["weight_kg"].check(weight_kg, field)


def check_height_m(height_m: float, field: str = "height_m") -> float:
    """Return ``height_m`` as a float if it is a humanly possible body height in metres.

    Raises:
        FactError: not a finite number, or outside ``HEIGHT_M_MIN..HEIGHT_M_MAX`` (a height
            given in cm, e.g. 170, is rejected rather than read as 170 m).
    """
    return LIMITS["height_m"].check(height_m, field)


def bmi(weight_kg: float, height_m: float) -> float:
    """Body-mass index in kg/m² (WHO TRS 894, 2000): ``weight_kg / height_m ** 2``.

    Computed in decimal arithmetic on the values as written, so 76.8 kg at 1.60 m is exactly
    30.0 (binary floating point would give 29.999999999999993 and the wrong WHO class).

    Raises:
        FactError: weight or height fails :func:`check_weight_kg` / :func:`check_height_m`.
    """
    weight = Decimal(repr(check_weight_kg(weight_kg)))
    height = Decimal(repr(check_height_m(height_m)))
    return float(weight / (height * height))


def who_bmi_class(bmi_kg_m2: float) -> BmiClass:
    """WHO TRS 894 (2000) Table 2.1 class of an adult BMI; cut-offs belong to the upper class.

    Raises:
        FactError: ``bmi_kg_m2`` is not a finite positive number.
    """
    value = finite(bmi_kg_m2, "bmi", "kg/m2")
    if value <= 0:
        raise FactError(f"BMI must be positive, got {value:g}", field="bmi")
    if value < 18.5:
        return BmiClass.UNDERWEIGHT
    if value < 25.0:
        return BmiClass.NORMAL
    if value < 30.0:
        return BmiClass.PRE_OBESE
    if value < 35.0:
        return BmiClass.OBESE_I
    if value < 40.0:
        return BmiClass.OBESE_II
    return BmiClass.OBESE_III
