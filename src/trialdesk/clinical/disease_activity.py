"""Rheumatoid arthritis disease activity: DAS28-ESR, DAS28-CRP, CDAI, SDAI and their categories.

Sources (formula and thresholds are repeated at each function):

* Prevoo MLL, van 't Hof MA, Kuper HH, et al. Modified disease activity scores that include
  twenty-eight-joint counts. Arthritis Rheum 1995;38(1):44-8. DAS28-CRP formula as published
  by the DAS developers (das-score.nl, Radboud UMC Nijmegen).
* DAS28 categories: remission < 2.6 (Fransen J, Creemers MCW, van Riel PLCM. Rheumatology
  2004;43:1252-5); low <= 3.2, moderate <= 5.1, high > 5.1 (van Gestel AM et al. Arthritis
  Rheum 1998;41:1845-50; das-score.nl).
* Smolen JS, Breedveld FC, Schiff MH, et al. A simplified disease activity index for
  rheumatoid arthritis for use in clinical practice. Rheumatology 2003;42:244-57 (SDAI).
* Aletaha D, Nell VPK, Stamm T, et al. Arthritis Res Ther 2005;7:R796-806 (CDAI), and
  Aletaha D, Smolen JS. Clin Exp Rheumatol 2005;23(5 Suppl 39):S100-8 (CDAI/SDAI categories).
"""

from __future__ import annotations

import math
from decimal import Context, Decimal, localcontext
from enum import StrEnum

from trialdesk.clinical.checks import decimal_in_range, number_in_range, whole_count
from trialdesk.errors import FactError

__all__ = [
    "DiseaseActivity",
    "cdai",
    "cdai_category",
    "cdai_exact",
    "das28_category",
    "das28_crp",
    "das28_crp_exact",
    "das28_esr",
    "das28_esr_exact",
    "sdai",
    "sdai_category",
    "sdai_exact",
]

# DAS28 in Decimal: the weights and sums exact, sqrt and ln correctly rounded to 28
# significant digits, whatever the caller's decimal context.
_PRECISION = Context(prec=28)


class DiseaseActivity(StrEnum):
    REMISSION = "remission"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


def das28_esr(tjc28: int, sjc28: int, esr_mm_h: float, patient_global_mm: float) -> float:
    """DAS28-ESR as a float, unrounded: :func:`das28_esr_exact`."""
    return float(das28_esr_exact(tjc28, sjc28, esr_mm_h, patient_global_mm))


def das28_esr_exact(
    tjc28: int, sjc28: int, esr_mm_h: float | Decimal, patient_global_mm: float | Decimal
) -> Decimal:
    """DAS28-ESR (Prevoo 1995):
    ``0.56*sqrt(TJC28) + 0.28*sqrt(SJC28) + 0.70*ln(ESR) + 0.014*GH``.

    GH is the patient's global assessment on a 0-100 mm VAS; ESR in mm/h must be > 0 (ln)
    and <= 200 (the length of a Westergren column). Returned unrounded, in Decimal.

    Raises:
        FactError: a joint count outside 0-28, ESR outside (0, 200], GH outside 0-100.
    """
    tender = whole_count(tjc28, "tjc28", 28)
    swollen = whole_count(sjc28, "sjc28", 28)
    esr = decimal_in_range(esr_mm_h, "esr_mm_h", 0, 200, "mm/h")
    if esr == 0:
        raise FactError("ESR must be above 0 mm/h for DAS28-ESR (ln of ESR)", field="esr_mm_h")
    global_health = decimal_in_range(patient_global_mm, "patient_global_mm", 0, 100, "mm")
    with localcontext(_PRECISION):
        return (
            Decimal("0.56") * Decimal(tender).sqrt()
            + Decimal("0.28") * Decimal(swollen).sqrt()
            + Decimal("0.70") * esr.ln()
            + Decimal("0.014") * global_health
        )


def das28_crp(tjc28: int, sjc28: int, crp_mg_l: float, patient_global_mm: float) -> float:
    """DAS28-CRP as a float, unrounded: :func:`das28_crp_exact`."""
    return float(das28_crp_exact(tjc28, sjc28, crp_mg_l, patient_global_mm))


def das28_crp_exact(
    tjc28: int, sjc28: int, crp_mg_l: float | Decimal, patient_global_mm: float | Decimal
) -> Decimal:
    """DAS28-CRP (das-score.nl):
    ``0.56*sqrt(TJC28) + 0.28*sqrt(SJC28) + 0.36*ln(CRP+1) + 0.014*GH + 0.96``.

    CRP in **mg/L** (not mg/dL); GH on a 0-100 mm VAS. Returned unrounded, in Decimal.

    Raises:
        FactError: a joint count outside 0-28, CRP negative, GH outside 0-100.
    """
    tender = whole_count(tjc28, "tjc28", 28)
    swollen = whole_count(sjc28, "sjc28", 28)
    crp = decimal_in_range(crp_mg_l, "crp_mg_l", 0, None, "mg/L")
    global_health = decimal_in_range(patient_global_mm, "patient_global_mm", 0, 100, "mm")
    with localcontext(_PRECISION):
        return (
            Decimal("0.56") * Decimal(tender).sqrt()
            + Decimal("0.28") * Decimal(swollen).sqrt()
            + Decimal("0.36") * (crp + 1).ln()
            + Decimal("0.014") * global_health
            + Decimal("0.96")
        )


def _category(
    score: float, field: str, cuts: tuple[float, float, float], *, strict: bool, low_bound: float
) -> DiseaseActivity:
    value = number_in_range(score, field, low_bound, None, "points")
    remission, low, moderate = cuts
    in_remission = value < remission if strict else value <= remission
    if in_remission:
        return DiseaseActivity.REMISSION
    if value <= low:
        return DiseaseActivity.LOW
    if value <= moderate:
        return DiseaseActivity.MODERATE
    return DiseaseActivity.HIGH


def das28_category(score: float) -> DiseaseActivity:
    """DAS28 activity: remission < 2.6; low 2.6-3.2; moderate > 3.2-5.1; high > 5.1.

    Raises:
        FactError: ``score`` not a finite number.
    """
    return _category(score, "das28", (2.6, 3.2, 5.1), strict=True, low_bound=-math.inf)


def cdai(tjc28: int, sjc28: int, patient_global_cm: float, evaluator_global_cm: float) -> float:
    """CDAI as a float: :func:`cdai_exact`."""
    return float(cdai_exact(tjc28, sjc28, patient_global_cm, evaluator_global_cm))


def cdai_exact(
    tjc28: int,
    sjc28: int,
    patient_global_cm: float | Decimal,
    evaluator_global_cm: float | Decimal,
) -> Decimal:
    """CDAI (Aletaha 2005): ``TJC28 + SJC28 + PGA + EGA``, globals on 0-10 cm VAS; 0-76.

    Summed in decimal arithmetic on the values as written (1 + 0.9 + 0.9 = 2.8 exactly).

    Raises:
        FactError: a joint count outside 0-28, a global assessment outside 0-10.
    """
    parts = (
        Decimal(whole_count(tjc28, "tjc28", 28)),
        Decimal(whole_count(sjc28, "sjc28", 28)),
        decimal_in_range(patient_global_cm, "patient_global_cm", 0, 10, "cm"),
        decimal_in_range(evaluator_global_cm, "evaluator_global_cm", 0, 10, "cm"),
    )
    return sum(parts, Decimal(0))


def cdai_category(score: float) -> DiseaseActivity:
    """CDAI activity: remission <= 2.8; low > 2.8-10; moderate > 10-22; high > 22.

    Raises:
        FactError: ``score`` not a finite non-negative number.
    """
    return _category(score, "cdai", (2.8, 10.0, 22.0), strict=False, low_bound=0.0)


def sdai(
    tjc28: int,
    sjc28: int,
    patient_global_cm: float,
    evaluator_global_cm: float,
    crp_mg_dl: float,
) -> float:
    """SDAI as a float: :func:`sdai_exact`."""
    return float(sdai_exact(tjc28, sjc28, patient_global_cm, evaluator_global_cm, crp_mg_dl))


def sdai_exact(
    tjc28: int,
    sjc28: int,
    patient_global_cm: float | Decimal,
    evaluator_global_cm: float | Decimal,
    crp_mg_dl: float | Decimal,
) -> Decimal:
    """SDAI (Smolen 2003): ``TJC28 + SJC28 + PGA + EGA + CRP``, CRP in **mg/dL**; in Decimal.

    Raises:
        FactError: as :func:`cdai`, or CRP negative.
    """
    crp = decimal_in_range(crp_mg_dl, "crp_mg_dl", 0, None, "mg/dL")
    return cdai_exact(tjc28, sjc28, patient_global_cm, evaluator_global_cm) + crp


def sdai_category(score: float) -> DiseaseActivity:
    """SDAI activity: remission <= 3.3; low > 3.3-11; moderate > 11-26; high > 26.

    Raises:
        FactError: ``score`` not a finite non-negative number.
    """
    return _category(score, "sdai", (3.3, 11.0, 26.0), strict=False, low_bound=0.0)
