"""ACR/EULAR 2010 rheumatoid arthritis classification criteria.

Source (formula and thresholds are repeated at each function):

* Aletaha D, Neogi T, Silman AJ, et al. 2010 Rheumatoid arthritis classification criteria:
  an American College of Rheumatology/European League Against Rheumatism collaborative
  initiative. Arthritis Rheum 2010;62(9):2569-81. doi:10.1002/art.27584.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from trialdesk.clinical.acr_eular_joints import (
    LARGE_JOINTS_MAX,
    SMALL_JOINTS_MAX,
    joint_options,
)
from trialdesk.clinical.checks import exact, number_in_range, whole_count
from trialdesk.errors import FactError

__all__ = [
    "ACR_EULAR_THRESHOLD",
    "LARGE_JOINTS_MAX",
    "SMALL_JOINTS_MAX",
    "AcrEular2010",
    "RaClassification",
    "Serology",
    "acr_eular_2010",
    "acr_eular_2010_range",
    "serology_level",
]


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
    titre = exact(number_in_range(value, field, 0.0, None, "titre"))
    limit = exact(number_in_range(uln, f"{field}_uln", 0.0, None, "titre"))
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


def _known(values: Iterable[object]) -> list[object]:
    return [value for value in values if value is not None]


def _count_options(
    large_joints: int | None, small_joints: int | None, other_joints: int | None
) -> frozenset[int]:
    """The joint-domain points the counts allow, an unknown count ranged over its values."""
    large_range = (
        [whole_count(large_joints, "large_joints", LARGE_JOINTS_MAX)]
        if large_joints is not None
        else list(range(LARGE_JOINTS_MAX + 1))
    )
    small_range = (
        [whole_count(small_joints, "small_joints", SMALL_JOINTS_MAX)]
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
    return joint_options(tuple(large_range), tuple(small_range), tuple(other_range))


def _range_options(
    joint_range: tuple[int, int], large_joints: int | None, small_joints: int | None
) -> frozenset[int]:
    """The points in ``joint_range`` (a range of what the counts of another shape allow)."""
    if large_joints is not None or small_joints is not None:
        raise FactError(
            "give either the joint counts or the joint range, not both", field="joint_range"
        )
    low, high = joint_range
    if not (isinstance(low, int) and isinstance(high, int) and 0 <= low <= high <= 5):
        raise FactError(
            f"joint_range must be two whole numbers 0 <= low <= high <= 5, got {joint_range!r}",
            field="joint_range",
        )
    return frozenset({low, high})


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
    joint_range: tuple[int, int] | None = None,
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
    points (e.g. 12 small joints score 5 whatever the large-joint count). ``joint_range``
    gives the joint domain's lowest and highest points instead, when they were worked out
    from counts of another shape (clinical.acr_eular_joints: 28- and 68/66-joint counts).

    Raises:
        FactError: a joint count outside its range (large 0-10, small 0-30, other >= 0), a
            joint range with counts or outside 0-5, an unknown serology level, a non-boolean
            CRP/ESR flag or a negative duration.
    """
    if joint_range is not None:
        options = _range_options(joint_range, large_joints, small_joints)
    else:
        options = _count_options(large_joints, small_joints, other_joints)
    # Known when the counts given fix the points (e.g. 12 small joints: 5 whatever the rest).
    joints = min(options) if len(options) == 1 else None

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
        weeks = number_in_range(symptom_weeks, "symptom_weeks", 0.0, None, "weeks")
        duration = 1 if weeks >= 6 else 0

    minimum = (
        min(options)
        + (serology if serology is not None else 0)
        + (acute_phase if acute_phase is not None else 0)
        + (duration if duration is not None else 0)
    )
    maximum = (
        max(options)
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
