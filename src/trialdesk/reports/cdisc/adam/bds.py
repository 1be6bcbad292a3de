"""Basic Data Structure (BDS) derivations: analysis windows, the baseline, change from it,
the one analysis record per window, last observation carried forward and toxicity shifts
(CDISC ADaMIG v1.3 §3.3; admiral as the reference of behaviour: derive_var_base,
derive_var_chg, derive_var_pchg, derive_var_extreme_flag, derive_var_anl_flag).

Rows are mappings of variable to value (the Dataset row shape) with ADT/ADY numeric
(dates.py); ``by`` is the subject and parameter (USUBJID, PARAMCD) unless said. Each
function returns new rows and leaves its input alone, unless told ``in_place`` (a caller
that built the rows itself: findings.bds_rows, which chains them over every record).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from trialdesk.reports.cdisc.adam.occds import grade_number
from trialdesk.reports.cdisc.dataset import Value
from trialdesk.study.schedule import Schedule

__all__ = [
    "BASELINE_VISIT",
    "AnalysisWindow",
    "decimals",
    "derive_ablfl",
    "derive_anl01fl",
    "derive_base",
    "derive_chg",
    "derive_pchg",
    "derive_shift",
    "impute_locf",
    "in_window",
    "put_in_window",
    "windows_from_schedule",
]

Row = dict[str, Value]
BY = ("USUBJID", "PARAMCD")

# ADaMIG v1.3 §3.3.4 (AVISIT): the baseline record may carry AVISIT "Baseline"; AVISITN 0
# sorts it first. trialdesk does so whatever day the baseline value was taken on.
BASELINE_VISIT = ("Baseline", 0.0)


@dataclass(frozen=True)
class AnalysisWindow:
    """An analysis visit and its window in relative days (AWLO..AWHI; None: open)."""

    avisit: str
    avisitn: float
    target: int
    low: int | None
    high: int | None

    @property
    def awrange(self) -> str:
        """AWRANGE as the CDISC pilot writes it: "2-84", ">140"."""
        if self.high is None:
            return f">{self.low - 1}" if self.low is not None else ""
        if self.low is None:
            return f"<{self.high + 1}"
        return f"{self.low}-{self.high}"

    def holds(self, day: int) -> bool:
        return (self.low is None or day >= self.low) and (self.high is None or day <= self.high)


def windows_from_schedule(schedule: Schedule) -> tuple[AnalysisWindow, ...]:
    """The analysis windows: the schedule's own visit windows, the ones every page and the
    window function judge visits by (study/windows.py), not a second definition. A
    scheduled visit with a target day makes a window: AVISIT its English name, AVISITN its
    VISITNUM, AWTARGET its day, AWLO/AWHI its first and last day (either may be open). The
    baseline visit makes none: its values are the baseline (ABLFL), not a visit.

    >>> from trialdesk.study.schedule import Visit
    >>> from trialdesk.study.texts import Text
    >>> week = Visit("W8", Text("Week 8"), 8, "TREATMENT", day=56, first_day=2, last_day=84)
    >>> windows_from_schedule(Schedule((week,), day1="day1"))[0].awrange
    '2-84'
    """
    return tuple(
        AnalysisWindow(
            avisit=visit.name.en or visit.id,
            avisitn=float(visit.visitnum),
            target=visit.day,
            low=visit.first_day,
            high=visit.last_day,
        )
        for visit in schedule.scheduled
        if visit.day is not None
        and (visit.first_day is not None or visit.last_day is not None)
        and visit.id != schedule.baseline_visit
    )


def in_window(row: Row, windows: Sequence[AnalysisWindow]) -> Row:
    """The row with AVISIT, AVISITN and the window variables of the window its ADY falls
    in (the nearest target when windows overlap); AVISIT blank when none holds it.
    AWTDIFF is |ADY - AWTARGET| (the pilot's define.xml: "Absolute difference").

    >>> w = AnalysisWindow("Week 16", 16, 112, 85, 140)
    >>> r = in_window({"ADY": 126}, [w])
    >>> r["AVISIT"], r["AWTDIFF"], r["AWRANGE"], r["AWU"]
    ('Week 16', 14, '85-140', 'DAYS')
    >>> in_window({"ADY": 150}, [w])["AVISIT"]
    ''
    """
    return put_in_window(dict(row), windows)


def put_in_window(row: Row, windows: Sequence[AnalysisWindow]) -> Row:
    """``in_window``, changing ``row`` itself (and returning it)."""
    day = row.get("ADY")
    holding = [w for w in windows if isinstance(day, (int, float)) and w.holds(int(day))]
    if not holding:
        row["AVISIT"], row["AVISITN"] = "", None
        return row
    assert isinstance(day, (int, float))
    window = min(holding, key=lambda w: abs(int(day) - w.target))
    row.update(_window_values(window, int(day)))
    return row


def _window_values(window: AnalysisWindow, day: int) -> Row:
    return {
        "AVISIT": window.avisit,
        "AVISITN": window.avisitn,
        "AWRANGE": window.awrange,
        "AWTARGET": window.target,
        "AWTDIFF": abs(day - window.target),
        "AWLO": window.low,
        "AWHI": window.high,
        "AWU": "DAYS",
    }


def _key(row: Row, by: Sequence[str]) -> tuple[Value, ...]:
    return tuple(map(row.get, by))


def _rows(rows: Sequence[Row], in_place: bool) -> list[Row]:
    """The rows a derivation sets its variables on: ``rows`` itself, or copies of them."""
    if in_place:
        assert isinstance(rows, list), "in place: a list of the caller's own rows"
        return rows
    return [dict(r) for r in rows]


def _num(value: Value) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def _has_value(row: Row) -> bool:
    return _num(row.get("AVAL")) is not None or bool(row.get("AVALC"))


def derive_ablfl(
    rows: Sequence[Row], *, by: Sequence[str] = BY, in_place: bool = False
) -> list[Row]:
    """ABLFL = "Y" on the last record with a value on or before the day of first dose
    (ADT <= TRTSDT; ADaMIG v1.3 §3.3.4 "Baseline Record Flag"; admiral
    ``derive_var_extreme_flag(mode = "last", filter = ADT <= TRTSDT)``), ordered by ADT,
    then VISITNUM, then SRCSEQ. Derived rows (DTYPE) are never the baseline. Day-1 values
    count as before the dose: the schedule takes them before the injection (the
    baseline visit of schedule.yaml). The baseline record's AVISIT is "Baseline".

    >>> rows = [{"USUBJID": "1", "PARAMCD": "P", "ADT": 9, "TRTSDT": 10, "AVAL": 5.0},
    ...         {"USUBJID": "1", "PARAMCD": "P", "ADT": 10, "TRTSDT": 10, "AVAL": None},
    ...         {"USUBJID": "1", "PARAMCD": "P", "ADT": 12, "TRTSDT": 10, "AVAL": 4.0}]
    >>> [r["ABLFL"] for r in derive_ablfl(rows)]
    ['Y', '', '']
    """

    def eligible(row: Row) -> bool:
        adt, start = _num(row.get("ADT")), _num(row.get("TRTSDT"))
        return (
            _has_value(row)
            and not row.get("DTYPE")
            and adt is not None
            and start is not None
            and adt <= start
        )

    def order(i: int) -> tuple[float, float, float]:
        row = rows[i]
        adt, visitnum, seq = (_num(row.get(v)) or 0.0 for v in ("ADT", "VISITNUM", "SRCSEQ"))
        return (adt, visitnum, seq)

    last: dict[tuple[Value, ...], int] = {}
    for i, row in enumerate(rows):
        if eligible(row):
            k = _key(row, by)
            if k not in last or order(i) >= order(last[k]):
                last[k] = i
    chosen = set(last.values())
    out = _rows(rows, in_place)
    for i, row in enumerate(out):
        if i in chosen:
            row["ABLFL"] = "Y"
            row["AVISIT"], row["AVISITN"] = BASELINE_VISIT
        else:
            row["ABLFL"] = ""
    return out


def derive_base(
    rows: Sequence[Row],
    *,
    by: Sequence[str] = BY,
    source: str = "AVAL",
    target: str = "BASE",
    in_place: bool = False,
) -> list[Row]:
    """BASE (or BTOXGR from ATOXGR, ...): the baseline record's ``source`` on every record
    of its subject and parameter (admiral ``derive_var_base``); null without a baseline.

    >>> rows = [{"USUBJID": "1", "PARAMCD": "P", "ABLFL": "Y", "AVAL": 5.0},
    ...         {"USUBJID": "1", "PARAMCD": "P", "ABLFL": "", "AVAL": 4.0},
    ...         {"USUBJID": "2", "PARAMCD": "P", "ABLFL": "", "AVAL": 4.0}]
    >>> [r["BASE"] for r in derive_base(rows)]
    [5.0, 5.0, None]
    """
    base = {_key(r, by): r.get(source) for r in rows if r.get("ABLFL") == "Y"}
    out = _rows(rows, in_place)
    for row in out:
        row[target] = base.get(_key(row, by))
    return out


def _post_baseline(row: Row) -> bool:
    """After the baseline: a record not flagged baseline from study day 2 on (the single
    dose is on day 1, where only the pre-dose baseline is taken: schedule.yaml)."""
    day = _num(row.get("ADY"))
    return row.get("ABLFL") != "Y" and day is not None and day > 1


@lru_cache(maxsize=4096)  # a trial repeats its values (scores): each is worked out once
def decimals(value: float) -> int:
    """The decimal places a value was given to: its shortest round-tripping form (``repr``)
    without trailing zeros.

    >>> [decimals(x) for x in (4.0, 5.5, 0.25, 1e-05, 120.0)]
    [0, 1, 2, 5, 0]
    """
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def derive_chg(rows: Sequence[Row], *, in_place: bool = False) -> list[Row]:
    """CHG = AVAL - BASE on post-baseline records (admiral ``derive_var_chg``; ADaMIG v1.3
    §3.3.4), null when either is missing or on the baseline and earlier records.

    Rounded to the decimal places of its inputs (the more precise of AVAL and BASE), as
    ADaM programs do: the difference of two values given to d places has d places, and
    binary floating point would otherwise store 3.2 - 3.5 as -0.2999999999999998.

    >>> rows = [{"ABLFL": "Y", "ADY": 1, "AVAL": 5.5, "BASE": 5.5},
    ...         {"ABLFL": "", "ADY": 29, "AVAL": 4.0, "BASE": 5.5},
    ...         {"ABLFL": "", "ADY": 57, "AVAL": None, "BASE": 5.5},
    ...         {"ABLFL": "", "ADY": 85, "AVAL": 3.2, "BASE": 3.5}]
    >>> [r["CHG"] for r in derive_chg(rows)]
    [None, -1.5, None, -0.3]
    """
    out = _rows(rows, in_place)
    for row in out:
        aval, base = _num(row.get("AVAL")), _num(row.get("BASE"))
        chg = None
        if _post_baseline(row) and aval is not None and base is not None:
            chg = round(aval - base, max(decimals(aval), decimals(base)))
        row["CHG"] = chg
    return out


# PROTOCOL ASSUMPTION (the SAP is silent; ADaMIG v1.3 sets no precision): PCHG is kept to
# two decimal places more than its inputs (0.01 % for a whole-number score), finer than any
# table shows it, and free of floating-point noise (8.571428571428566 vs ...571).
PCHG_EXTRA_DECIMALS = 2


def derive_pchg(rows: Sequence[Row], *, in_place: bool = False) -> list[Row]:
    """PCHG = 100 * CHG / BASE; null when BASE is 0 or either is missing (admiral
    ``derive_var_pchg``: "If BASE is zero, PCHG is set to NA"), rounded to the inputs'
    decimal places plus ``PCHG_EXTRA_DECIMALS``.

    >>> rows = [{"CHG": -2.0, "BASE": 8.0}, {"CHG": 1.0, "BASE": 0.0}, {"CHG": None, "BASE": 8.0},
    ...         {"CHG": -3.0, "BASE": 7.0}, {"CHG": 0.3, "BASE": 2.9}]
    >>> [r["PCHG"] for r in derive_pchg(rows)]
    [-25.0, None, None, -42.86, 10.345]
    """
    out = _rows(rows, in_place)
    for row in out:
        chg, base = _num(row.get("CHG")), _num(row.get("BASE"))
        pchg = None
        if chg is not None and base:
            places = max(decimals(chg), decimals(base)) + PCHG_EXTRA_DECIMALS
            pchg = round(100 * chg / base, places)
        row["PCHG"] = pchg
    return out


def derive_anl01fl(
    rows: Sequence[Row], *, by: Sequence[str] = BY, name: str = "ANL01FL", in_place: bool = False
) -> list[Row]:
    """``name`` = "Y" on one record per subject, parameter and analysis visit: the one
    nearest the window's target (smallest AWTDIFF); of two equally near, the later (ADT,
    then SRCSEQ). The baseline record is its own visit. Records with no value or no
    analysis visit are not flagged.

    The tie rule is a PROTOCOL ASSUMPTION: the pilot's define.xml refers to its SAP
    ("SAP Page 10 analysis windows"), which is not shipped with the data, and the pilot's
    CIBIC data hold no tie to learn from (tests/reports/cdisc/adam/test_pilot.py counts
    them); the later of two equally near is the common SAP rule (the later assessment has
    the longer exposure). admiral ``derive_var_extreme_flag`` with order (AWTDIFF, -ADT).

    >>> week4 = {"USUBJID": "1", "PARAMCD": "P", "AVISIT": "Week 4"}
    >>> rows = [{**week4, "AWTDIFF": 2, "ADT": 27, "AVAL": 1.0},
    ...         {**week4, "AWTDIFF": 2, "ADT": 31, "AVAL": 2.0},
    ...         {**week4, "AWTDIFF": 3, "ADT": 32, "AVAL": 3.0}]
    >>> [r["ANL01FL"] for r in derive_anl01fl(rows)]
    ['', 'Y', '']
    """

    def order(row: Row) -> tuple[float, float, float]:
        diff = _num(row.get("AWTDIFF"))
        return (
            diff if diff is not None else 0.0,
            -(_num(row.get("ADT")) or 0.0),
            -(_num(row.get("SRCSEQ")) or 0.0),
        )

    best: dict[tuple[Value, ...], int] = {}
    for i, row in enumerate(rows):
        if not row.get("AVISIT") or not _has_value(row):
            continue
        k = (*_key(row, by), row.get("AVISIT"))
        if k not in best or order(row) < order(rows[best[k]]):
            best[k] = i
    chosen = set(best.values())
    out = _rows(rows, in_place)
    for i, row in enumerate(out):
        row[name] = "Y" if i in chosen else ""
    return out


def impute_locf(
    rows: Sequence[Row], windows: Sequence[AnalysisWindow], *, by: Sequence[str] = BY
) -> list[Row]:
    """The rows plus, for each analysis window with no observed value, a copy of the last
    post-baseline observation before the window opens, with that window's variables and
    DTYPE = "LOCF" (ADaMIG v1.3 §4.2.1: an imputed record is a new row with DTYPE). As the
    CDISC pilot's ADQSCIBC: "LOCF denotes that the LOCF imputation method was used".
    Only post-baseline observations are carried (from study day 2, bds._post_baseline):
    never a screening or pre-dose value. Nothing is carried into a window before the
    first of them.

    >>> w = [AnalysisWindow("Week 8", 8, 56, 2, 84), AnalysisWindow("Week 16", 16, 112, 85, 140)]
    >>> rows = [in_window({"USUBJID": "1", "PARAMCD": "P", "ADY": 29, "AVAL": 3.0}, w)]
    >>> added = impute_locf(rows, w)[-1]
    >>> added["AVISIT"], added["DTYPE"], added["AWTDIFF"], added["AVAL"]
    ('Week 16', 'LOCF', 83, 3.0)
    """
    out = [dict(r) for r in rows]
    groups: dict[tuple[Value, ...], list[Row]] = {}
    for row in rows:
        # observed after the dose only: a screening value is never carried forward
        if _has_value(row) and _post_baseline(row) and not row.get("DTYPE"):
            groups.setdefault(_key(row, by), []).append(row)
    for observed in groups.values():
        filled = {r.get("AVISIT") for r in observed if r.get("AVISIT")}
        observed = sorted(observed, key=lambda r: (_num(r.get("ADY")), _num(r.get("SRCSEQ")) or 0))
        for window in sorted(windows, key=lambda w: w.target):
            if window.avisit in filled:
                continue
            opens = window.low if window.low is not None else window.target
            before = [r for r in observed if (_num(r.get("ADY")) or 0) < opens]
            if before:
                carried = before[-1]
                day = int(_num(carried.get("ADY")) or 0)
                out.append({**carried, **_window_values(window, day), "DTYPE": "LOCF"})
    return out


def derive_shift(
    rows: Sequence[Row],
    *,
    by: Sequence[str] = BY,
    flag: str = "ANL02FL",
    post_baseline: Callable[[Row], bool] = _post_baseline,
    in_place: bool = False,
) -> list[Row]:
    """The shift from the baseline grade to the worst post-baseline grade (ADaMIG v1.3
    §3.3.7 SHIFTy): on the record of the worst ATOXGR after baseline (the earliest of
    equals) ``flag`` = "Y" and SHIFT1 = "BTOXGR to ATOXGR", "MISSING" for a grade not
    known; admiral ``derive_var_shift`` over the worst record. A parameter never graded
    (no CTCAE criteria for the test) has no shift.

    >>> alt = {"USUBJID": "1", "PARAMCD": "ALT", "BTOXGR": "0"}
    >>> rows = [{**alt, "ADY": 8, "ADT": 8, "ATOXGR": "1"},
    ...         {**alt, "ADY": 29, "ADT": 29, "ATOXGR": "2"},
    ...         {**alt, "ADY": 57, "ADT": 57, "ATOXGR": "2"}]
    >>> [(r["ANL02FL"], r["SHIFT1"]) for r in derive_shift(rows)]
    [('', ''), ('Y', '0 to 2'), ('', '')]
    """

    def order(row: Row) -> tuple[int, float]:
        grade = grade_number(row.get("ATOXGR"))
        return (-(grade if grade is not None else -1), _num(row.get("ADT")) or 0.0)

    graded = {_key(r, by) for r in rows if r.get("ATOXGR") or r.get("BTOXGR")}
    worst: dict[tuple[Value, ...], int] = {}
    for i, row in enumerate(rows):
        if post_baseline(row) and not row.get("DTYPE") and _key(row, by) in graded:
            k = _key(row, by)
            if k not in worst or order(row) < order(rows[worst[k]]):
                worst[k] = i
    chosen = set(worst.values())
    out = _rows(rows, in_place)
    for i, row in enumerate(out):
        if i in chosen:
            before = row.get("BTOXGR") or "MISSING"
            after = row.get("ATOXGR") or "MISSING"
            row[flag], row["SHIFT1"] = "Y", f"{before} to {after}"
        else:
            row[flag], row["SHIFT1"] = "", ""
    return out
