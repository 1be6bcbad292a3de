"""The ACR/EULAR 2010 joint domain, from the joint counts records actually carry.

Aletaha et al. 2010 (Arthritis Rheum 2010;62:2569-81), Table 3, domain A, scores the
involved joints: "any swollen or tender joint on examination", over 10 large joints
(shoulders, elbows, hips, knees, ankles) and 30 small ones (MCPs, PIPs, thumb IPs, MTPs
2-5, wrists); DIPs, first CMCs and first MTPs are excluded, and other joints (TMJ, AC,
SC, ...) count only toward ">10 joints". A record seldom holds that count. It holds:

* the ACR/EULAR count itself, large and small joints, where a site records it;
* a 28-joint count, tender and swollen (DAS28, CDAI, SDAI): shoulders, elbows and knees
  (6 large joints) and wrists, MCPs 1-5 and PIPs 1-5 with the thumb IP (22 small ones),
  both sides (Fuchs HA et al. Arthritis Rheum 1989;32:531-7; Smolen JS et al. Arthritis
  Rheum 1995;38:38-43). Hips, ankles and MTPs are not examined;
* a 68-tender / 66-swollen joint count, the ACR core set (Felson DT et al. Arthritis
  Rheum 1993;36:729-40): every joint the domain counts, and DIPs, first MTPs, tarsi and
  toe IPs besides; hips are examined for tenderness only.

A total count does not say which joints. So each shape gives only what is sure whatever
joints it holds (the protocol assumption of :data:`RULE`), as a range of points:

* ACR/EULAR count, large and small: exact; joints outside both lists, not counted, are
  taken as none. One of the two alone: the other ranges over all its values.
* 28-joint count: at least max(tender, swollen) joints are involved; the 28 hold only 6
  large joints, so any beyond 6 are small. The least it allows is those joints, as many
  large as can be, and nothing outside the 28; it sets no upper limit, since 4 large and
  8 small joints (and others) lie outside it.
* 68/66 count, both figures: at most tender + swollen joints are involved (each involved
  joint is tender, or swollen, or both); the most that allows is every one of them small.
  It sets no lower limit (DIPs, first MTPs, tarsi and toe IPs may be the ones counted).
  One figure alone sets neither.

The points are the intersection of the ranges of the shapes given; ranges that do not meet
mean the counts contradict each other, and the domain stays unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from trialdesk.clinical.checks import whole_count
from trialdesk.errors import FactError

__all__ = [
    "JOINTS_28",
    "LARGE_JOINTS_MAX",
    "LARGE_IN_28",
    "OTHER_TO_EXCEED",
    "RULE",
    "SMALL_JOINTS_MAX",
    "JointCounts",
    "JointDomain",
    "joint_domain",
    "joint_options",
    "joint_points",
]

#: Large joints: shoulders, elbows, hips, knees, ankles (Aletaha 2010, Table 3 note).
LARGE_JOINTS_MAX = 10
#: Small joints: MCPs (10), PIPs (8), thumb IPs (2), MTPs 2-5 (8), wrists (2).
SMALL_JOINTS_MAX = 30
#: The 28-joint count's joints, of which large: shoulders, elbows, knees (Smolen 1995).
JOINTS_28, LARGE_IN_28 = 28, 6
#: "Other" joints enough to pass ">10 joints" whatever the rest: an unknown other count.
OTHER_TO_EXCEED = 11
#: Each count's own maximum, the number of joints it examines.
MAXIMA = {
    "tender_28": JOINTS_28,
    "swollen_28": JOINTS_28,
    "tender_68": 68,
    "swollen_66": 66,
    "large": LARGE_JOINTS_MAX,
    "small": SMALL_JOINTS_MAX,
}

#: The reading, shown with every joint domain worked out from counts.
RULE = (
    "protocol assumption, to confirm: a joint is involved when swollen or tender (Aletaha "
    "2010, Table 3); a count gives only what holds whatever joints it holds: the 28-joint "
    "count (6 large, 22 small joints; Smolen 1995) a lower limit, the 68/66 count (Felson "
    "1993) an upper limit; LOINC 88981-6/88980-8 are read as 28-joint counts (made for the "
    "CDAI); joints outside an entered ACR/EULAR count are taken as not involved"
)


def joint_points(large: int, small: int, other: int) -> int:
    """Aletaha 2010 Table 3, domain A: >10 joints (at least 1 small) 5; 4-10 small 3;
    1-3 small 2; 2-10 large 1; 0-1 large 0. "Other" joints (TMJ, AC, SC, ...) count only
    toward the >10 category."""
    if small >= 1 and large + small + other > 10:
        return 5
    if small >= 4:
        return 3
    if small >= 1:
        return 2
    return 1 if large >= 2 else 0


@lru_cache(maxsize=1024)
def joint_options(
    large: tuple[int, ...], small: tuple[int, ...], other: tuple[int, ...]
) -> frozenset[int]:
    """The joint-domain points any combination of these counts can score (pure, and
    asked again on every screening with an unknown count: remembered)."""
    return frozenset(joint_points(lg, sm, ot) for lg in large for sm in small for ot in other)


@dataclass(frozen=True, slots=True)
class JointCounts:
    """The joint counts of one examination; ``None`` where that count is not on file."""

    tender_28: int | None = None
    swollen_28: int | None = None
    tender_68: int | None = None
    swollen_66: int | None = None
    large: int | None = None  # ACR/EULAR: involved large joints
    small: int | None = None  # ACR/EULAR: involved small joints

    def checked(self) -> JointCounts:
        """The counts, each a whole number within the joints it examines.

        Raises:
            FactError: every count at fault, named in one message.
        """
        problems: list[str] = []
        for name, high in MAXIMA.items():
            value = getattr(self, name)
            if value is None:
                continue
            try:
                whole_count(value, name, high)
            except FactError as exc:
                problems.append(exc.message)
        if problems:
            raise FactError("; ".join(problems), field="joint counts")
        return self


@dataclass(frozen=True, slots=True)
class JointDomain:
    """The joint domain's lowest and highest points, and why, in words."""

    low: int
    high: int
    reasons: tuple[str, ...]
    conflict: bool = False  # the counts contradict each other: the domain is unknown


def _acr(c: JointCounts) -> tuple[int, int, str] | None:
    if c.large is None and c.small is None:
        return None
    low = joint_points(c.large or 0, c.small or 0, 0)
    both = c.large is not None and c.small is not None
    high = joint_points(
        c.large if c.large is not None else LARGE_JOINTS_MAX,
        c.small if c.small is not None else SMALL_JOINTS_MAX,
        0 if both else OTHER_TO_EXCEED,
    )
    large = f"{c.large} large" if c.large is not None else "large joints not counted"
    small = f"{c.small} small" if c.small is not None else "small joints not counted"
    return low, high, f"ACR/EULAR joint count {large}, {small}: {_span(low, high)}"


def _count_28(c: JointCounts) -> tuple[int, int, str] | None:
    known = [n for n in (c.tender_28, c.swollen_28) if n is not None]
    if not known:
        return None
    involved = max(known)
    small = max(0, involved - LARGE_IN_28)
    low = joint_points(min(involved, LARGE_IN_28), small, 0)
    figures = _figures(("tender", c.tender_28), ("swollen", c.swollen_28))
    return (
        low,
        5,
        f"28-joint count ({figures}): at least {involved} joints involved, of them at "
        f"least {small} small: at least {low} points (hips, ankles and MTPs are not in the "
        "28: no upper limit)",
    )


def _count_68(c: JointCounts) -> tuple[int, int, str] | None:
    if c.tender_68 is None and c.swollen_66 is None:
        return None
    figures = _figures(("tender of 68", c.tender_68), ("swollen of 66", c.swollen_66))
    if c.tender_68 is None or c.swollen_66 is None:
        return 0, 5, f"68/66-joint count ({figures}): one figure alone sets no limit"
    involved = c.tender_68 + c.swollen_66
    high = joint_points(0, min(involved, SMALL_JOINTS_MAX), 0)
    return (
        0,
        high,
        f"68/66-joint count ({figures}): at most {involved} joints involved: at most {high} points",
    )


def joint_domain(counts: JointCounts) -> JointDomain | None:
    """The joint domain's points from one examination's counts; ``None`` with no count.

    Raises:
        FactError: a count that is not a whole number within the joints it examines.
    """
    counts.checked()
    bounds = [b for b in (_acr(counts), _count_28(counts), _count_68(counts)) if b is not None]
    if not bounds:
        return None
    low = max(b[0] for b in bounds)
    high = min(b[1] for b in bounds)
    reasons = tuple(b[2] for b in bounds)
    if low > high:
        return JointDomain(0, 5, (*reasons, "the counts contradict each other"), conflict=True)
    return JointDomain(low, high, reasons)


def _span(low: int, high: int) -> str:
    return f"{low} points" if low == high else f"{low}-{high} points"


def _figures(*pairs: tuple[str, int | None]) -> str:
    return ", ".join(f"{what} {n}" for what, n in pairs if n is not None)
