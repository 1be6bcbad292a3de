"""Tests for trialdesk.clinical.ultrasound: every pair of grades against D'Agostino MA et al.
RMD Open 2017;3:e000428, Table 4, row by row."""

from __future__ import annotations

import pytest

from trialdesk.clinical.ultrasound import combined_grade
from trialdesk.errors import FactError

# Table 4, each row's criteria spelled out over the grades they admit.
TABLE_4 = {
    (0, 0): 0,  # normal: no SH and no PD
    (1, 0): 1,  # minimal: SH 1 and PD <= 1
    (1, 1): 1,
    (2, 0): 2,  # moderate: SH 2 and PD <= 2 ...
    (2, 1): 2,
    (2, 2): 2,
    (1, 2): 2,  # ... or SH 1 and PD 2
    (3, 0): 3,  # severe: SH 3 and PD <= 3 ...
    (3, 1): 3,
    (3, 2): 3,
    (3, 3): 3,
    (1, 3): 3,  # ... or SH 1 or 2 and PD 3
    (2, 3): 3,
}


@pytest.mark.parametrize(("sh", "pd"), sorted(TABLE_4))
def test_table_4(sh: int, pd: int) -> None:
    assert combined_grade(sh, pd) == TABLE_4[(sh, pd)]


def test_every_gradable_pair_is_in_table_4() -> None:
    assert {(sh, pd) for sh in range(4) for pd in range(4) if sh > 0 or pd == 0} == set(TABLE_4)


@pytest.mark.parametrize("pd", [1, 2, 3])
def test_doppler_without_synovial_hypertrophy_is_not_gradable(pd: int) -> None:
    with pytest.raises(FactError, match="not gradable") as info:
        combined_grade(0, pd)
    assert info.value.field == "pd"


@pytest.mark.parametrize(
    ("sh", "pd", "field"),
    [(4, 0, "sh"), (-1, 0, "sh"), (1.0, 0, "sh"), (True, 0, "sh"), (1, 4, "pd"), (1, None, "pd")],
)
def test_grades_outside_0_3_are_refused(sh: object, pd: object, field: str) -> None:
    with pytest.raises(FactError) as info:
        combined_grade(sh, pd)  # type: ignore[arg-type]
    assert info.value.field == field
