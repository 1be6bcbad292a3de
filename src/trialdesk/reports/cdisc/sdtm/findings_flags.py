"""Derived qualifiers of Findings records: the reference range indicator and CTCAE grade of
a laboratory result, and the last observation before exposure.

- LBNRIND (SDTMIG 3.4 Section 6.3, LB table: "Indicates where the value falls with respect
  to reference range"): LOW, HIGH or NORMAL (CDISC C78736) against the laboratory's own
  limits entered beside the result.
- LBTOX/LBTOXGR: the CTCAE v5.0 term and grade (clinical/ctcae, the same grading the safety
  pages use), against those limits and the participant's baseline value of the test.
- --LOBXFL (SDTMIG 3.4 Section 6.3, the Findings domain tables: "Operationally derived
  indicator used to identify the last non-missing value prior to RFXSTDTC. The value
  should be "Y" or null"), per subject and test. SDTMIG 3.4 has it in place of --BLFL,
  whose baseline definition belongs to the analysis (ADaM).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from decimal import Decimal
from typing import Any

from trialdesk.clinical.ctcae import grade_lab
from trialdesk.errors import FactError

__all__ = ["flag_last_before_exposure", "range_indicator", "toxicity"]


def range_indicator(value: float | None, low: float | None, high: float | None) -> str:
    """LOW below the lower limit, HIGH above the upper, NORMAL between (C78736); blank
    without a result or a limit to compare with."""
    if value is None or (low is None and high is None):
        return ""
    if low is not None and value < low:
        return "LOW"
    if high is not None and value > high:
        return "HIGH"
    return "NORMAL"


def toxicity(
    testcd: str,
    value: Decimal | None,
    unit: str | None,
    *,
    lln: Decimal | None,
    uln: Decimal | None,
    baseline: Decimal | None,
) -> tuple[str, str] | None:
    """(LBTOX, LBTOXGR): the CTCAE v5.0 term and grade of a result, or ``None`` when CTCAE
    grades nothing of the test or the grade cannot be decided (a limit it needs is missing):
    the grade is left blank then, never guessed."""
    if value is None:
        return None
    try:
        graded = grade_lab(testcd, value, unit, lln=lln, uln=uln, baseline=baseline)
    except FactError:
        return None
    if graded is None:
        return None
    return graded.term, str(graded.grade)


# --TPT names of a time point after the dose (CDISC TPT examples: "30 MIN POST-DOSE").
# PROTOCOL ASSUMPTION: a result at the schedule's baseline visit is taken before the
# dose (schedule.yaml baseline_visit) unless its time point says it is after it.
_AFTER_DOSE = ("POST",)


def flag_last_before_exposure(
    rows: Sequence[MutableMapping[str, Any]],
    domain: str,
    *,
    before_exposure: Mapping[int, bool],
) -> None:
    """Set --LOBXFL = "Y" on the last record, per subject and test (and the qualifiers that
    make it another measurement: category, location, laterality, method), that has a
    result and was taken before the first exposure. ``before_exposure``: by row index.
    Rows are in time order already (visit, then form, then time point)."""
    last: dict[tuple[Any, ...], int] = {}
    names = ("USUBJID", f"{domain}TESTCD", f"{domain}CAT", f"{domain}SCAT", f"{domain}LOC",
             f"{domain}LAT", f"{domain}METHOD")  # fmt: skip
    blanks = ("",) * len(names)
    orres = f"{domain}ORRES"
    for index, row in enumerate(rows):
        if not before_exposure.get(index) or not row.get(orres):
            continue
        last[tuple(map(row.get, names, blanks))] = index
    for index in last.values():
        rows[index][f"{domain}LOBXFL"] = "Y"


def is_after_dose(tpt: str | None) -> bool:
    return bool(tpt) and any(word in (tpt or "").upper() for word in _AFTER_DOSE)
