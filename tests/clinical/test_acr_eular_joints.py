"""The ACR/EULAR 2010 joint domain from joint counts (trialdesk.clinical.acr_eular_joints).

Expected points follow Aletaha et al. 2010, Table 3, domain A, worked by hand from the
joints each count examines: the 28-joint count (Smolen 1995) holds 6 large and 22 small
joints; the 68/66 count (Felson 1993) every joint the domain counts and more. The property
test builds whole examinations joint by joint and checks that the range worked out from
their counts always holds the true points: the range is sure, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.clinical.acr_eular import acr_eular_2010_range
from trialdesk.clinical.acr_eular_joints import JointCounts, joint_domain, joint_points
from trialdesk.errors import FactError


def _range(**counts: int) -> tuple[int, int]:
    found = joint_domain(JointCounts(**counts))
    assert found is not None and not found.conflict
    return found.low, found.high


def test_no_count_is_no_domain() -> None:
    assert joint_domain(JointCounts()) is None


@pytest.mark.parametrize(
    ("involved", "low"),
    [
        # max(tender, swollen) of the 28 involved: up to 6 may all be large
        (0, 0),
        (1, 0),  # 1 large joint
        (2, 1),  # 2 large joints
        (6, 1),  # the 6 large joints of the 28
        (7, 2),  # a 7th must be small: 6 large + 1 small, 7 joints
        (9, 2),  # 6 large + 3 small
        (10, 3),  # 6 large + 4 small: 10 joints, not ">10"
        (11, 5),  # 6 large + 5 small: 11 joints, at least one small
        (28, 5),
    ],
)
def test_a_28_joint_count_sets_only_a_lower_limit(involved: int, low: int) -> None:
    assert _range(tender_28=involved) == (low, 5)
    assert _range(swollen_28=involved) == (low, 5)
    assert _range(tender_28=involved, swollen_28=0) == (low, 5)  # union >= the larger


@pytest.mark.parametrize(
    ("tender", "swollen", "high"),
    [
        # tender + swollen joints at most, every one small
        (0, 0, 0),
        (1, 0, 2),
        (2, 1, 2),  # 3 joints: 1-3 small
        (2, 2, 3),  # 4 joints: 4-10 small
        (5, 5, 3),  # 10 joints: not ">10"
        (6, 5, 5),  # 11 joints
        (68, 66, 5),
    ],
)
def test_a_68_66_count_sets_only_an_upper_limit(tender: int, swollen: int, high: int) -> None:
    assert _range(tender_68=tender, swollen_66=swollen) == (0, high)


def test_one_68_66_figure_alone_sets_no_limit() -> None:
    # a joint swollen but not tender is not in the tender count, and the reverse
    assert _range(tender_68=0) == (0, 5)
    assert _range(swollen_66=0) == (0, 5)


@pytest.mark.parametrize(
    ("large", "small", "points"),
    [(0, 0, 0), (1, 0, 0), (2, 0, 1), (3, 3, 2), (0, 4, 3), (0, 10, 3), (1, 10, 5), (10, 1, 5)],
)
def test_an_acr_eular_count_is_exact(large: int, small: int, points: int) -> None:
    assert _range(large=large, small=small) == (points, points)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"large": 3}, (1, 5)),  # small joints unknown: up to 30 of them
        ({"small": 0}, (0, 1)),  # no small joint: at most "2-10 large"
        ({"small": 2}, (2, 5)),  # 2 small and up to 10 large: 12 joints
    ],
)
def test_half_an_acr_eular_count_ranges_over_the_other_half(
    counts: dict[str, int], expected: tuple[int, int]
) -> None:
    assert _range(**counts) == expected


def test_shapes_of_one_examination_combine() -> None:
    # 28-joint count: at least 8 involved (at least 2 small): >= 2; 68/66: at most 10: <= 3
    assert _range(tender_28=8, tender_68=8, swollen_66=2) == (2, 3)
    # 12 of the 28 involved (>= 5 points) and an ACR/EULAR count of 12 small: 5
    assert _range(tender_28=12, large=0, small=12) == (5, 5)


def test_counts_that_contradict_each_other_leave_the_domain_unknown() -> None:
    # 12 of the 28 involved, yet 3 joints in all by the 68/66 count
    found = joint_domain(JointCounts(tender_28=12, tender_68=2, swollen_66=1))
    assert found is not None and found.conflict and (found.low, found.high) == (0, 5)
    assert "contradict" in found.reasons[-1]


def test_every_count_at_fault_is_named_at_once() -> None:
    with pytest.raises(FactError) as caught:
        joint_domain(JointCounts(tender_28=29, small=31, large=-1))
    message = caught.value.message
    assert "tender_28 must be a whole number 0-28" in message
    assert "small must be a whole number 0-30" in message
    assert "large must be a whole number 0-10" in message


def test_the_score_takes_a_joint_range() -> None:
    score = acr_eular_2010_range(joint_range=(2, 3), rf="negative", crp_abnormal=False)
    assert (score.joints, score.minimum, score.maximum) == (None, 2, 4)  # duration unknown
    exact = acr_eular_2010_range(joint_range=(3, 3), rf="low-positive", symptom_weeks=10)
    assert exact.joints == 3 and exact.minimum == 3 + 2 + 1
    with pytest.raises(FactError):
        acr_eular_2010_range(joint_range=(3, 2))
    with pytest.raises(FactError):
        acr_eular_2010_range(joint_range=(0, 5), small_joints=3)


# --- the range holds the true points, whatever joints the counts hold ---------------------


@dataclass(frozen=True)
class Joint:
    kind: str  # large, small, other (TMJ, SC, AC, tarsus, toe IP) or excluded (DIP, MTP1)
    in_28: bool
    swelling_assessed: bool = True  # hips: tenderness only (Felson 1993)
    foot: bool = False  # a tarsus or a toe IP: an "other joint" of Table 3, or not counted


# One side of the 68-joint count (Felson 1993), each joint with its ACR/EULAR class
# (Aletaha 2010, Table 3) and whether the 28-joint count examines it (Smolen 1995).
SIDE = (
    [Joint("other", False)] * 3  # TMJ, SC, AC
    + [Joint("large", True)] * 2  # shoulder, elbow
    + [Joint("small", True)] * 7  # wrist, MCP 1-5, thumb IP
    + [Joint("small", True)] * 4  # PIP 2-5
    + [Joint("excluded", False)] * 4  # DIP 2-5
    + [Joint("large", False, swelling_assessed=False)]  # hip
    + [Joint("large", True)]  # knee
    + [Joint("large", False)]  # ankle
    + [Joint("other", False, foot=True)]  # tarsus
    + [Joint("excluded", False)]  # MTP 1
    + [Joint("small", False)] * 4  # MTP 2-5
    + [Joint("other", False, foot=True)] * 5  # toe IP 1-5
)
JOINTS = SIDE * 2


def test_the_joint_model_is_the_published_one() -> None:
    assert len(JOINTS) == 68 and sum(j.swelling_assessed for j in JOINTS) == 66
    assert sum(j.in_28 for j in JOINTS) == 28
    assert sum(j.kind == "large" for j in JOINTS) == 10
    assert sum(j.kind == "small" for j in JOINTS) == 30
    assert sum(j.kind == "large" and j.in_28 for j in JOINTS) == 6


@st.composite
def examinations(draw: st.DrawFn) -> tuple[list[bool], list[bool]]:
    """Which of the 68 joints are tender, and which swollen (a hip is never found swollen)."""
    tender = draw(st.lists(st.booleans(), min_size=68, max_size=68))
    swollen = draw(st.lists(st.booleans(), min_size=68, max_size=68))
    swollen = [s and j.swelling_assessed for s, j in zip(swollen, JOINTS, strict=True)]
    return tender, swollen


@settings(max_examples=400)
@given(
    examinations(),
    st.sets(st.sampled_from(["28", "68", "acr"]), min_size=1),
    st.booleans(),
    st.booleans(),
)
def test_the_range_always_holds_the_true_points(
    exam: tuple[list[bool], list[bool]], shapes: set[str], others_count: bool, sparse: bool
) -> None:
    tender, swollen = exam
    if sparse:  # few involved joints, where the small categories are decided
        tender = [t and i % 7 == 0 for i, t in enumerate(tender)]
        swollen = [s and i % 5 == 0 for i, s in enumerate(swollen)]
    involved = [t or s for t, s in zip(tender, swollen, strict=True)]
    large = sum(i and j.kind == "large" for i, j in zip(involved, JOINTS, strict=True))
    small = sum(i and j.kind == "small" for i, j in zip(involved, JOINTS, strict=True))
    other = sum(i and j.kind == "other" for i, j in zip(involved, JOINTS, strict=True))
    if "acr" in shapes and other:
        # an entered ACR/EULAR count takes joints outside its lists as none (the RULE)
        shapes = shapes - {"acr"} or {"68"}
    # are tarsi and toe IPs "other joints" of the >10 category? the range must hold either way
    truth = joint_points(large, small, other if others_count else other - _tarsus_toes(involved))
    counts = JointCounts(
        tender_28=sum(t and j.in_28 for t, j in zip(tender, JOINTS, strict=True))
        if "28" in shapes
        else None,
        swollen_28=sum(s and j.in_28 for s, j in zip(swollen, JOINTS, strict=True))
        if "28" in shapes
        else None,
        tender_68=sum(tender) if "68" in shapes else None,
        swollen_66=sum(swollen) if "68" in shapes else None,
        large=large if "acr" in shapes else None,
        small=small if "acr" in shapes else None,
    )
    found = joint_domain(counts)
    assert found is not None and not found.conflict, found
    assert found.low <= truth <= found.high, (counts, truth, found)


def _tarsus_toes(involved: list[bool]) -> int:
    return sum(i and j.foot for i, j in zip(involved, JOINTS, strict=True))
