"""Rheumatoid arthritis scores: ACR/EULAR 2010 classification, DAS28, CDAI, SDAI, HAQ-DI.

Sources (formula and thresholds are repeated at each function):

* Aletaha D, Neogi T, Silman AJ, et al. 2010 Rheumatoid arthritis classification criteria:
  an American College of Rheumatology/European League Against Rheumatism collaborative
  initiative. Arthritis Rheum 2010;62(9):2569-81. doi:10.1002/art.27584.
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
* Fries JF, Spitz P, Kraines RG, Holman HR. Measurement of patient outcome in arthritis.
  Arthritis Rheum 1980;23:137-45; Bruce B, Fries JF. The Stanford Health Assessment
  Questionnaire: dimensions and practical applications. Health Qual Life Outcomes 2003;1:20
  (HAQ-DI scoring rules).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from trialdesk.errors import FactError

__all__ = [
    "ACR_EULAR_THRESHOLD",
    "HAQ_ITEMS_PER_CATEGORY",
    "LARGE_JOINTS_MAX",
    "SMALL_JOINTS_MAX",
    "AcrEular2010",
    "DiseaseActivity",
    "HaqCategory",
    "RaClassification",
    "Serology",
    "acr_eular_2010",
    "acr_eular_2010_range",
    "cdai",
    "cdai_category",
    "das28_category",
    "das28_crp",
    "das28_esr",
    "haq_di",
    "sdai",
    "sdai_category",
    "serology_level",
]


# --- validation -------------------------------------------------------------------------


def _number(value: object, field: str, low: float, high: float | None, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FactError(f"{field} must be a number ({unit}), got {value!r}", field=field)
    number = float(value)
    if not math.isfinite(number) or number < low or (high is not None and number > high):
        bounds = f"{low:g}-{high:g}" if high is not None else f">= {low:g}"
        raise FactError(f"{field} must be {bounds} {unit}, got {value!r}", field=field)
    return number


def _count(value: object, field: str, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise FactError(f"{field} must be a whole number 0-{high}, got {value!r}", field=field)
    return value


def _exact(value: float) -> Decimal:
    return Decimal(repr(float(value)))


# --- ACR/EULAR 2010 classification ------------------------------------------------------

#: Large joints: shoulders, elbows, hips, knees, ankles (Aletaha 2010, Table 3 note).
LARGE_JOINTS_MAX = 10
#: Small joints: MCPs (10), PIPs (8), thumb IPs (2), MTPs 2-5 (8), wrists (2).
SMALL_JOINTS_MAX = 30
#: Classification as definite RA needs a total of at least 6 of 10.
ACR_EULAR_THRESHOLD = 6


class Serology(StrEnum):
    """RF or ACPA result in the ACR/EULAR 2010 sense (Aletaha 2010, Table 3 note)."""

    NEGATIVE = "negative"  # <= ULN
    LOW_POSITIVE = "low-positive"  # > ULN and <= 3 x ULN
    HIGH_POSITIVE = "high-positive"  # > 3 x ULN


_SEROLOGY_POINTS = {Serology.NEGATIVE: 0, Serology.LOW_POSITIVE: 2, Serology.HIGH_POSITIVE: 3}


class RaClassification(StrEnum):
    """What an ACR/EULAR 2010 score, possibly with unknown domains, allows one to say."""

    DEFINITE_RA = "definite RA"  # minimum attainable total >= 6
    NOT_CLASSIFIED = "not classified as RA"  # maximum attainable total < 6
    UNDETERMINED = "undetermined"  # depends on a missing domain


def serology_level(value: float, uln: float, field: str = "serology") -> Serology:
    """Classify an RF or ACPA titre (IU/mL or U/mL) against the assay's ULN.

    Aletaha 2010: negative <= ULN; low-positive > ULN and <= 3 x ULN; high-positive > 3 x ULN.
    (A result known only as "positive" counts as low-positive for RF.)

    Raises:
        FactError: negative or non-finite titre, or ULN not positive.
    """
    titre = _exact(_number(value, field, 0.0, None, "titre"))
    limit = _exact(_number(uln, f"{field}_uln", 0.0, None, "titre"))
    if limit == 0:
        raise FactError("the upper limit of normal must be positive", field=f"{field}_uln")
    if titre <= limit:
        return Serology.NEGATIVE
    if titre <= 3 * limit:
        return Serology.LOW_POSITIVE
    return Serology.HIGH_POSITIVE


@dataclass(frozen=True, slots=True)
class AcrEular2010:
    """ACR/EULAR 2010 points per domain (``None`` = domain unknown) and the attainable range.

    Domains: joints 0-5, serology 0-3, acute-phase reactants 0-1, symptom duration 0-1.
    """

    joints: int | None
    serology: int | None
    acute_phase: int | None
    duration: int | None
    minimum: int
    maximum: int

    @property
    def total(self) -> int | None:
        """The total 0-10 when every domain is known, else ``None``."""
        return self.minimum if self.minimum == self.maximum and not self.unknown else None

    @property
    def unknown(self) -> tuple[str, ...]:
        """Names of the domains that were not known."""
        domains = {
            "joints": self.joints,
            "serology": self.serology,
            "acute_phase": self.acute_phase,
            "duration": self.duration,
        }
        return tuple(name for name, points in domains.items() if points is None)

    @property
    def classification(self) -> RaClassification:
        """Definite RA if every completion scores >= 6; not classified if none can."""
        if self.minimum >= ACR_EULAR_THRESHOLD:
            return RaClassification.DEFINITE_RA
        if self.maximum < ACR_EULAR_THRESHOLD:
            return RaClassification.NOT_CLASSIFIED
        return RaClassification.UNDETERMINED


def _joint_points(large: int, small: int, other: int) -> int:
    # Aletaha 2010 Table 3, domain A: >10 joints (at least 1 small) 5; 4-10 small 3;
    # 1-3 small 2; 2-10 large 1; 1 large 0. "Other" joints (TMJ, AC, SC, ...) count only
    # toward the >10 category.
    if small >= 1 and large + small + other > 10:
        return 5
    if small >= 4:
        return 3
    if small >= 1:
        return 2
    return 1 if large >= 2 else 0


def _known(values: Iterable[object]) -> list[object]:
    return [value for value in values if value is not None]


def acr_eular_2010_range(
    *,
    large_joints: int | None = None,
    small_joints: int | None = None,
    other_joints: int | None = 0,
    rf: Serology | str | None = None,
    acpa: Serology | str | None = None,
    crp_abnormal: bool | None = None,
    esr_abnormal: bool | None = None,
    symptom_weeks: float | None = None,
) -> AcrEular2010:
    """ACR/EULAR 2010 RA classification score with any domain possibly unknown (``None``).

    Aletaha 2010, Table 3 (applies to a patient with at least one joint with definite
    clinical synovitis not better explained by another disease; that precondition is the
    caller's):

    * A. joints: 1 large 0; 2-10 large 1; 1-3 small 2; 4-10 small 3; >10 joints with at
      least one small 5. Counts of involved joints (swelling or tenderness).
    * B. serology: RF and ACPA negative 0; either low-positive 2; either high-positive 3.
    * C. acute-phase reactants: CRP and ESR normal 0; either abnormal 1.
    * D. symptom duration: < 6 weeks 0; >= 6 weeks 1.

    As the paper says, at least one test result is needed for B and for C; a domain with one
    of its two tests known is scored from that test. A domain with nothing known is unknown,
    and the result's ``minimum``/``maximum`` are the lowest and highest totals any values of
    the unknown domains could give. An unknown joint count (large, small or other) is ranged
    over all its possible values; the joint domain is known when the counts given fix its
    points (e.g. 12 small joints score 5 whatever the large-joint count).

    Raises:
        FactError: a joint count outside its range (large 0-10, small 0-30, other >= 0), an
            unknown serology level, a non-boolean CRP/ESR flag or a negative duration.
    """
    large_range = (
        [_count(large_joints, "large_joints", LARGE_JOINTS_MAX)]
        if large_joints is not None
        else list(range(LARGE_JOINTS_MAX + 1))
    )
    small_range = (
        [_count(small_joints, "small_joints", SMALL_JOINTS_MAX)]
        if small_joints is not None
        else list(range(SMALL_JOINTS_MAX + 1))
    )
    if other_joints is not None:
        if isinstance(other_joints, bool) or not isinstance(other_joints, int) or other_joints < 0:
            raise FactError(
                f"other_joints must be a whole number >= 0, got {other_joints!r}",
                field="other_joints",
            )
        other_range = [other_joints]
    else:
        other_range = list(range(12))  # enough to reach ">10 joints"
    joint_options = {
        _joint_points(large, small, other)
        for large in large_range
        for small in small_range
        for other in other_range
    }
    # Known when the counts given fix the points (e.g. 12 small joints: 5 whatever the rest).
    joints = min(joint_options) if len(joint_options) == 1 else None

    levels: list[Serology] = []
    for field, level in (("rf", rf), ("acpa", acpa)):
        if level is None:
            continue
        try:
            levels.append(Serology(level))
        except ValueError:
            raise FactError(
                f"{field} must be one of {', '.join(s.value for s in Serology)}, got {level!r}",
                field=field,
            ) from None
    serology = max(_SEROLOGY_POINTS[level] for level in levels) if levels else None

    for field, flag in (("crp_abnormal", crp_abnormal), ("esr_abnormal", esr_abnormal)):
        if flag is not None and not isinstance(flag, bool):
            raise FactError(f"{field} must be true, false or unknown, got {flag!r}", field=field)
    flags = _known((crp_abnormal, esr_abnormal))
    acute_phase = (1 if any(flags) else 0) if flags else None

    duration: int | None = None
    if symptom_weeks is not None:
        weeks = _number(symptom_weeks, "symptom_weeks", 0.0, None, "weeks")
        duration = 1 if weeks >= 6 else 0

    minimum = (
        min(joint_options)
        + (serology if serology is not None else 0)
        + (acute_phase if acute_phase is not None else 0)
        + (duration if duration is not None else 0)
    )
    maximum = (
        max(joint_options)
        + (serology if serology is not None else 3)
        + (acute_phase if acute_phase is not None else 1)
        + (duration if duration is not None else 1)
    )
    return AcrEular2010(
        joints=joints,
        serology=serology,
        acute_phase=acute_phase,
        duration=duration,
        minimum=minimum,
        maximum=maximum,
    )


def acr_eular_2010(
    *,
    large_joints: int,
    small_joints: int,
    other_joints: int = 0,
    rf: Serology | str | None,
    acpa: Serology | str | None,
    crp_abnormal: bool | None,
    esr_abnormal: bool | None,
    symptom_weeks: float,
) -> AcrEular2010:
    """ACR/EULAR 2010 score with every domain required (see :func:`acr_eular_2010_range`).

    One of RF/ACPA and one of CRP/ESR may be ``None`` (the paper needs at least one test
    per domain); ``result.total`` is then the 0-10 total and ``result.classification`` is
    definite RA when it is >= 6.

    Raises:
        FactError: as :func:`acr_eular_2010_range`, or a domain is unknown (the message
            names the missing fields).
    """
    missing = [
        name
        for name, value in (
            ("large_joints", large_joints),
            ("small_joints", small_joints),
            ("other_joints", other_joints),
            ("symptom_weeks", symptom_weeks),
        )
        if value is None
    ]
    if rf is None and acpa is None:
        missing.append("rf/acpa")
    if crp_abnormal is None and esr_abnormal is None:
        missing.append("crp_abnormal/esr_abnormal")
    if missing:
        raise FactError(
            f"ACR/EULAR 2010 score needs {', '.join(missing)}", field=", ".join(missing)
        )
    return acr_eular_2010_range(
        large_joints=large_joints,
        small_joints=small_joints,
        other_joints=other_joints,
        rf=rf,
        acpa=acpa,
        crp_abnormal=crp_abnormal,
        esr_abnormal=esr_abnormal,
        symptom_weeks=symptom_weeks,
    )


# --- disease activity -------------------------------------------------------------------


class DiseaseActivity(StrEnum):
    REMISSION = "remission"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


def das28_esr(tjc28: int, sjc28: int, esr_mm_h: float, patient_global_mm: float) -> float:
    """DAS28-ESR (Prevoo 1995):
    ``0.56*sqrt(TJC28) + 0.28*sqrt(SJC28) + 0.70*ln(ESR) + 0.014*GH``.

    GH is the patient's global assessment on a 0-100 mm VAS; ESR in mm/h must be > 0 (ln)
    and <= 200 (the length of a Westergren column). Returned unrounded.

    Raises:
        FactError: a joint count outside 0-28, ESR outside (0, 200], GH outside 0-100.
    """
    tender = _count(tjc28, "tjc28", 28)
    swollen = _count(sjc28, "sjc28", 28)
    esr = _number(esr_mm_h, "esr_mm_h", 0.0, 200.0, "mm/h")
    if esr == 0:
        raise FactError("ESR must be above 0 mm/h for DAS28-ESR (ln of ESR)", field="esr_mm_h")
    global_health = _number(patient_global_mm, "patient_global_mm", 0.0, 100.0, "mm")
    return (
        0.56 * math.sqrt(tender)
        + 0.28 * math.sqrt(swollen)
        + 0.70 * math.log(esr)
        + 0.014 * global_health
    )


def das28_crp(tjc28: int, sjc28: int, crp_mg_l: float, patient_global_mm: float) -> float:
    """DAS28-CRP (das-score.nl):
    ``0.56*sqrt(TJC28) + 0.28*sqrt(SJC28) + 0.36*ln(CRP+1) + 0.014*GH + 0.96``.

    CRP in **mg/L** (not mg/dL); GH on a 0-100 mm VAS. Returned unrounded.

    Raises:
        FactError: a joint count outside 0-28, CRP negative, GH outside 0-100.
    """
    tender = _count(tjc28, "tjc28", 28)
    swollen = _count(sjc28, "sjc28", 28)
    crp = _number(crp_mg_l, "crp_mg_l", 0.0, None, "mg/L")
    global_health = _number(patient_global_mm, "patient_global_mm", 0.0, 100.0, "mm")
    return (
        0.56 * math.sqrt(tender)
        + 0.28 * math.sqrt(swollen)
        + 0.36 * math.log(crp + 1)
        + 0.014 * global_health
        + 0.96
    )


def _category(
    score: float, field: str, cuts: tuple[float, float, float], *, strict: bool, low_bound: float
) -> DiseaseActivity:
    value = _number(score, field, low_bound, None, "points")
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
    """CDAI (Aletaha 2005): ``TJC28 + SJC28 + PGA + EGA``, globals on 0-10 cm VAS; 0-76.

    Summed in decimal arithmetic on the values as written (1 + 0.9 + 0.9 = 2.8 exactly).

    Raises:
        FactError: a joint count outside 0-28, a global assessment outside 0-10.
    """
    parts = (
        _count(tjc28, "tjc28", 28),
        _count(sjc28, "sjc28", 28),
        _number(patient_global_cm, "patient_global_cm", 0.0, 10.0, "cm"),
        _number(evaluator_global_cm, "evaluator_global_cm", 0.0, 10.0, "cm"),
    )
    return float(sum((_exact(part) for part in parts), Decimal(0)))


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
    """SDAI (Smolen 2003): ``TJC28 + SJC28 + PGA + EGA + CRP``, CRP in **mg/dL**.

    Raises:
        FactError: as :func:`cdai`, or CRP negative.
    """
    crp = _number(crp_mg_dl, "crp_mg_dl", 0.0, None, "mg/dL")
    clinical = cdai(tjc28, sjc28, patient_global_cm, evaluator_global_cm)
    return float(_exact(clinical) + _exact(crp))


def sdai_category(score: float) -> DiseaseActivity:
    """SDAI activity: remission <= 3.3; low > 3.3-11; moderate > 11-26; high > 26.

    Raises:
        FactError: ``score`` not a finite non-negative number.
    """
    return _category(score, "sdai", (3.3, 11.0, 26.0), strict=False, low_bound=0.0)


# --- HAQ-DI -----------------------------------------------------------------------------


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
