"""Creatinine units and the Cockcroft-Gault creatinine clearance.

Cockcroft DW, Gault MH. Prediction of creatinine clearance from serum creatinine.
Nephron 1976;16(1):31-41. doi:10.1159/000180580. For men::

    CrCl (mL/min) = (140 - age in years) x weight (kg) / (72 x serum creatinine (mg/dL))

and 15 % less for women (x 0.85). The equation was derived in 249 men aged 18-92; it is
not defined for children, so ages under 18 are refused. Weight is the actual body weight the
caller passes (the paper used measured weight); choosing ideal or adjusted weight is the
caller's protocol decision.

Creatinine unit conversion uses the molar mass of creatinine, C4H7N3O, 113.12 g/mol
(PubChem CID 588): 1 mg/dL = 10 mg/L = 10 000 / 113.12 µmol/L = 88.40 µmol/L. This is the
factor behind KDIGO's "4.0 mg/dL (353.6 µmol/L)" (KDIGO Clinical Practice Guideline for
Acute Kidney Injury, Kidney Int Suppl 2012;2:1-138). The often quoted 88.42 corresponds to a
molar mass of 113.10 g/mol; the difference is below 0.03 %.
"""

from __future__ import annotations

from decimal import Decimal

from trialdesk.clinical.age import MAX_AGE_YEARS
from trialdesk.clinical.body import check_weight_kg
from trialdesk.clinical.checks import finite
from trialdesk.clinical.plausibility import LIMITS
from trialdesk.errors import FactError

__all__ = [
    "CREATININE_MG_DL_MAX",
    "CREATININE_MG_DL_MIN",
    "CREATININE_MOLAR_MASS_G_PER_MOL",
    "UMOL_L_PER_MG_DL",
    "check_creatinine_mg_dl",
    "cockcroft_gault",
    "creatinine_mg_dl_to_umol_l",
    "creatinine_umol_l_to_mg_dl",
]

#: Molar mass of creatinine, C4H7N3O (PubChem CID 588).
CREATININE_MOLAR_MASS_G_PER_MOL = 113.12
#: µmol/L per mg/dL: 10 000 / 113.12 = 88.40.
UMOL_L_PER_MG_DL = 10_000 / CREATININE_MOLAR_MASS_G_PER_MOL

#: Plausible serum creatinine, mg/dL, and the sources of the limits: the plausibility
#: table (clinical/plausibility.yaml, creatinine_mg_dl).
CREATININE_MG_DL_MAX = LIMITS["creatinine_mg_dl"].high
CREATININE_MG_DL_MIN = LIMITS["creatinine_mg_dl"].low

#: Cockcroft & Gault 1976 derivation cohort: men aged 18-92.
_CG_MIN_AGE = 18
_FEMALE_FACTOR = Decimal("0.85")


def check_creatinine_mg_dl(creatinine_mg_dl: float, field: str = "creatinine_mg_dl") -> float:
    """Return a serum creatinine in mg/dL if it is plausible (0.1-80 mg/dL).

    Raises:
        FactError: not a finite number, or outside ``CREATININE_MG_DL_MIN..MAX``.
    """
    return LIMITS["creatinine_mg_dl"].check(creatinine_mg_dl, field)


def creatinine_umol_l_to_mg_dl(umol_l: float) -> float:
    """Convert a creatinine concentration from µmol/L to mg/dL (divide by 88.40).

    Raises:
        FactError: not a finite non-negative number.
    """
    value = finite(umol_l, "creatinine_umol_l", "µmol/L")
    if value < 0:
        raise FactError(
            f"creatinine cannot be negative, got {value:g} µmol/L", field="creatinine_umol_l"
        )
    return value / UMOL_L_PER_MG_DL


def creatinine_mg_dl_to_umol_l(mg_dl: float) -> float:
    """Convert a creatinine concentration from mg/dL to µmol/L (multiply by 88.40).

    Raises:
        FactError: not a finite non-negative number.
    """
    value = finite(mg_dl, "creatinine_mg_dl", "mg/dL")
    if value < 0:
        raise FactError(
            f"creatinine cannot be negative, got {value:g} mg/dL", field="creatinine_mg_dl"
        )
    return value * UMOL_L_PER_MG_DL


def cockcroft_gault(
    age_years: int,
    weight_kg: float,
    creatinine_mg_dl: float,
    sex: str,
) -> float:
    """Creatinine clearance in mL/min by Cockcroft & Gault (Nephron 1976;16:31-41).

    ``(140 - age) * weight / (72 * creatinine)``, times 0.85 when ``sex`` is ``"female"``.
    Computed in decimal arithmetic on the values as written, so hand-checked examples come
    out exactly (68 y, 72 kg, 1.0 mg/dL, male: 72 mL/min).

    Raises:
        FactError: age not a whole number of years in 18..122 (field ``age_years``), weight
            or creatinine implausible, or ``sex`` not ``"male"``/``"female"`` (the equation
            has no other form).
    """
    if isinstance(age_years, bool) or not isinstance(age_years, int):
        raise FactError(
            f"age_years must be a whole number of years, got {age_years!r}", field="age_years"
        )
    if not _CG_MIN_AGE <= age_years <= MAX_AGE_YEARS:
        raise FactError(
            f"age {age_years} years is outside {_CG_MIN_AGE}-{MAX_AGE_YEARS}: Cockcroft-Gault "
            "is defined for adults only",
            field="age_years",
        )
    weight = Decimal(repr(check_weight_kg(weight_kg)))
    creatinine = Decimal(repr(check_creatinine_mg_dl(creatinine_mg_dl)))
    normalised_sex = sex.strip().lower() if isinstance(sex, str) else sex
    if normalised_sex not in ("male", "female"):
        raise FactError(
            f"sex must be 'male' or 'female' for Cockcroft-Gault, got {sex!r}", field="sex"
        )
    clearance = (140 - age_years) * weight / (72 * creatinine)
    if normalised_sex == "female":
        clearance *= _FEMALE_FACTOR
    return float(clearance)
