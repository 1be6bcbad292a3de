"""EULAR response criteria, DAS28 version: good, moderate or no response at follow-up.

Sources:

* van Gestel AM, Prevoo MLL, van 't Hof MA, et al. Development and validation of the
  European League Against Rheumatism response criteria for rheumatoid arthritis. Arthritis
  Rheum 1996;39:34-40 (the original DAS version, cut-offs 2.4 / 3.7).
* van Gestel AM, Haagsma CJ, van Riel PLCM. Validation of rheumatoid arthritis improvement
  criteria that include simplified joint counts. Arthritis Rheum 1998;41:1845-50 (the DAS28
  version, cut-offs 3.2 / 5.1).
* Fransen J, van Riel PLCM. The Disease Activity Score and the EULAR response criteria.
  Clin Exp Rheumatol 2005;23(5 Suppl 39):S93-9.

The table (improvement = baseline - current; research notes issue 13 section 3, read in
the Ann Rheum Dis response-criteria table and in fragla/acreular R/responseRA.R @ 60491f59):

    current DAS28 \\ improvement   > 1.2      > 0.6 and <= 1.2   <= 0.6
    <= 3.2                         good       moderate           none
    > 3.2 and <= 5.1               moderate   moderate           none
    > 5.1                          moderate   none               none

The improvement thresholds are strict (">": exactly 1.2 is not good, exactly 0.6 is no
response) and the level thresholds inclusive ("<=": exactly 3.2 is in the first row, exactly
5.1 in the second), as the definition is worded ("improvement > 1.2", "DAS28 <= 3.2").

Both DAS28 values are first rounded to 2 decimals, the precision DAS28 is reported at, with
ROUND_HALF_UP (5.125 -> 5.13; the conventional rounding a clinician does by hand: a local
convention, the sources do not state one), and the improvement is computed and compared in
Decimal. In binary floating point 3.64 - 2.44 is 1.2000000000000002, which would wrongly
pass "> 1.2"; in decimal it is exactly 1.20.

The baseline and current values must be of the same DAS28 version (ESR or CRP): the two are
not interchangeable (Fransen & van Riel 2005). The numbers alone cannot show which version
they are; the form that feeds them names the one DAS28 item at both visits.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from trialdesk.clinical.checks import decimal_in_range

__all__ = ["EularResponse", "das28_reported", "eular_response"]


class EularResponse(StrEnum):
    GOOD = "good"
    MODERATE = "moderate"
    NONE = "none"


_HUNDREDTH = Decimal("0.01")
# Improvement: "> 1.2" is twice the DAS28 measurement error, "> 0.6" once (van Gestel 1998).
_LARGE_IMPROVEMENT = Decimal("1.2")
_SOME_IMPROVEMENT = Decimal("0.6")
# Level reached: low disease activity <= 3.2; high > 5.1 (van Gestel 1998).
_LOW_ACTIVITY = Decimal("3.2")
_HIGH_ACTIVITY = Decimal("5.1")


def das28_reported(value: object, field: str = "das28") -> Decimal:
    """A DAS28 value as it is reported: 2 decimals, ROUND_HALF_UP.

    A DAS28 below 0 is refused: with ESR >= 1 mm/h (Westergren reads whole millimetres) the
    DAS28-ESR is at least 0, and the DAS28-CRP at least 0.96.

    Raises:
        FactError: not a number, NaN or infinite, or negative (field ``field``).
    """
    number = decimal_in_range(value, field, 0, None)
    return number.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def eular_response(baseline: object, current: object) -> EularResponse:
    """The EULAR response (DAS28 version) from the baseline and current DAS28 of one version.

    Raises:
        FactError: either value not a finite non-negative number (field ``baseline`` or
            ``current``).
    """
    before = das28_reported(baseline, "baseline")
    now = das28_reported(current, "current")
    improvement = before - now  # exact: both have 2 decimals
    if now <= _LOW_ACTIVITY:
        if improvement > _LARGE_IMPROVEMENT:
            return EularResponse.GOOD
        return EularResponse.MODERATE if improvement > _SOME_IMPROVEMENT else EularResponse.NONE
    if now <= _HIGH_ACTIVITY:
        return EularResponse.MODERATE if improvement > _SOME_IMPROVEMENT else EularResponse.NONE
    return EularResponse.MODERATE if improvement > _LARGE_IMPROVEMENT else EularResponse.NONE
