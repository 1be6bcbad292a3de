"""Occurrence (OCCDS) derivations: treatment-emergent, first and worst occurrences, and
relationship groups (CDISC ADaM Occurrence Data Structure v1.1; admiral as the reference
of behaviour: derive_var_trtemfl, derive_var_extreme_flag).

Rows are mappings of variable to value (the Dataset row shape); dates are SAS dates
(dates.py). Each function returns new rows and leaves its input alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from trialdesk.reports.cdisc.dataset import Value

__all__ = [
    "RELATED",
    "flag_first",
    "flag_worst",
    "grade_number",
    "relationship_group",
    "treatment_emergent",
]

Row = Mapping[str, Value]


def treatment_emergent(
    start: int | None,
    first_dose: int | None,
    *,
    end: int | None = None,
    last_dose: int | None = None,
    end_window: int | None = None,
    missing_start_emergent: bool = True,
    initial_grade: int | None = None,
    grade: int | None = None,
) -> bool | None:
    """Whether an event is treatment-emergent (TRTEMFL), after admiral's
    ``derive_var_trtemfl``; None when the subject was never treated (no flag at all).

    - started on or after the first dose (ASTDT >= TRTSDT: the CDISC pilot's rule, adam
      define.xml ADAE.TRTEMFL), and, with ``end_window``, at most that many days after
      the last dose;
    - no start date, and the end is on or after the first dose or unknown (admiral:
      counted, an event that may be emergent is not missed); ``missing_start_emergent=
      False`` follows the pilot, which flags these "N";
    - began before the first dose but worsened: the grade rose above ``initial_grade``
      and the event had not ended before the first dose (ICH E9 glossary, "worsens
      relative to the pre-treatment state").

    >>> treatment_emergent(100, 100), treatment_emergent(99, 100), treatment_emergent(99, None)
    (True, False, None)
    >>> treatment_emergent(None, 100, end=120), treatment_emergent(None, 100, end=90)
    (True, False)
    >>> treatment_emergent(130, 100, last_dose=100, end_window=28)
    False
    >>> treatment_emergent(90, 100, end=110, initial_grade=1, grade=3)
    True
    """
    if first_dose is None:
        return None
    if start is None:
        return missing_start_emergent and (end is None or end >= first_dose)
    if start >= first_dose:
        if end_window is not None and last_dose is not None:
            return start <= last_dose + end_window
        return True
    return (
        initial_grade is not None
        and grade is not None
        and grade > initial_grade
        and (end is None or end >= first_dose)
    )


def grade_number(value: Value) -> int | None:
    """A toxicity grade (CTCAE v5.0 grades 1-5, "0" for none) or a severity (CDISC CT
    C66769 AESEV: MILD < MODERATE < SEVERE) as a number that orders them.

    >>> grade_number("3"), grade_number(2.0), grade_number("MODERATE"), grade_number("")
    (3, 2, 2, None)
    """
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return int(value)
    text = str(value).strip().upper()
    if text.isdigit():
        return int(text)
    return _SEVERITY.get(text)


_SEVERITY = {"MILD": 1, "MODERATE": 2, "SEVERE": 3}  # CDISC CT C66769 (AESEV), in order


def _ordered(
    rows: Sequence[Row], by: Sequence[str], key: Callable[[Row], Any]
) -> dict[tuple[Value, ...], list[int]]:
    groups: dict[tuple[Value, ...], list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(tuple(row.get(v) for v in by), []).append(i)
    for members in groups.values():
        members.sort(key=lambda i: key(rows[i]))
    return groups


def _order_key(row: Row) -> tuple[float, float]:
    start = row.get("ASTDT")
    seq = row.get("AESEQ")
    return (
        float(start) if isinstance(start, (int, float)) else float("inf"),
        float(seq) if isinstance(seq, (int, float)) else float("inf"),
    )


def flag_first(
    rows: Sequence[Row],
    name: str,
    *,
    by: Sequence[str],
    where: Callable[[Row], bool] = lambda r: r.get("TRTEMFL") == "Y",
) -> list[dict[str, Value]]:
    """``name`` = "Y" on the first record (earliest ASTDT, then AESEQ) of each ``by``
    group among the rows ``where`` selects: the pilot's AOCCFL (by USUBJID), AOCCSFL
    (USUBJID, AEBODSYS), AOCCPFL (USUBJID, AEBODSYS, AEDECOD), as its define.xml says.

    >>> rows = [{"USUBJID": "1", "AESEQ": 1, "ASTDT": 5, "TRTEMFL": "Y"},
    ...         {"USUBJID": "1", "AESEQ": 2, "ASTDT": 3, "TRTEMFL": "Y"},
    ...         {"USUBJID": "1", "AESEQ": 3, "ASTDT": 1, "TRTEMFL": "N"}]
    >>> [r["AOCCFL"] for r in flag_first(rows, "AOCCFL", by=["USUBJID"])]
    ['', 'Y', '']
    """
    chosen = [i for i, r in enumerate(rows) if where(r)]
    groups = _ordered([rows[i] for i in chosen], by, _order_key)
    firsts = {chosen[members[0]] for members in groups.values()}
    return [{**r, name: "Y" if i in firsts else ""} for i, r in enumerate(rows)]


def flag_worst(
    rows: Sequence[Row],
    name: str,
    *,
    by: Sequence[str],
    grade: str = "ATOXGR",
    where: Callable[[Row], bool] = lambda r: r.get("TRTEMFL") == "Y",
) -> list[dict[str, Value]]:
    """``name`` = "Y" on the record of the worst grade in each ``by`` group, the earliest
    of equals (ASTDT, then AESEQ): ADaM OCCDS v1.1 AOCCIFL "1st Max Sev./Int. Occurrence
    Flag" (by USUBJID) and its per-term kin (by USUBJID, AEDECOD); admiral
    ``derive_var_extreme_flag(mode = "first")`` after ordering by descending grade. A
    record without a grade is never the worst unless no record of its group has one.

    >>> pain = {"USUBJID": "1", "AEDECOD": "PAIN", "TRTEMFL": "Y"}
    >>> rows = [{**pain, "AESEQ": 1, "ASTDT": 5, "ATOXGR": "2"},
    ...         {**pain, "AESEQ": 2, "ASTDT": 9, "ATOXGR": "3"},
    ...         {**pain, "AESEQ": 3, "ASTDT": 12, "ATOXGR": "3"}]
    >>> [r["AOCPIFL"] for r in flag_worst(rows, "AOCPIFL", by=["USUBJID", "AEDECOD"])]
    ['', 'Y', '']
    """

    def key(row: Row) -> tuple[int, float, float]:
        number = grade_number(row.get(grade))
        return (-(number if number is not None else -1), *_order_key(row))

    chosen = [i for i, r in enumerate(rows) if where(r)]
    groups = _ordered([rows[i] for i in chosen], by, key)
    worst = {chosen[members[0]] for members in groups.values()}
    return [{**r, name: "Y" if i in worst else ""} for i, r in enumerate(rows)]


# PROTOCOL ASSUMPTION (to be confirmed in the SAP): the causality terms reported as related.
# NCI CTEP "Guidelines: Adverse Event Reporting Requirements" (2005, §3, Tables A-B) report
# possible, probable and definite as related (trialdesk's Relationship scale,
# trial/safety/terms.py); the CDISC pilot's AEREL terms POSSIBLE / PROBABLE likewise. A
# missing relationship counts as related (the conservative convention of AE tables:
# an event is not shown unrelated because nobody assessed it).
RELATED = frozenset(
    {"POSSIBLE", "POSSIBLY RELATED", "PROBABLE", "PROBABLY RELATED", "DEFINITE",
     "DEFINITELY RELATED", "RELATED", "Y"}
)  # fmt: skip
NOT_RELATED = frozenset(
    {"NONE", "NOT RELATED", "UNRELATED", "REMOTE", "UNLIKELY", "UNLIKELY RELATED", "N"}
)


def relationship_group(value: Value) -> str:
    """RELGRy (ADaM OCCDS v1.1 "Pooled Causality Group y"): RELATED or NOT RELATED.

    >>> relationship_group("probable"), relationship_group("UNLIKELY"), relationship_group("")
    ('RELATED', 'NOT RELATED', 'RELATED')
    """
    text = "" if value is None else str(value).strip().upper()
    if text in NOT_RELATED:
        return "NOT RELATED"
    if text in RELATED or not text:
        return "RELATED"
    raise ValueError(f"causality {value!r} is neither a related nor an unrelated term")
