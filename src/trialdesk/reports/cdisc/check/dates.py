"""Dates and study days: ISO 8601 values (SDTMIG 3.2 §4.1.4.1-4.1.4.3), start before end,
and --DY / --STDY / --ENDY computed from the subject's RFSTDTC (SDTMIG 3.2 §4.1.4.4: day 1 is
the reference start date, the day before it is day -1, there is no day 0)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache

from trialdesk.reports.cdisc.check.model import Hit, Severity, rule
from trialdesk.reports.cdisc.check.submission import Submission, number, text

__all__ = ["components", "iso8601_valid", "later"]

# SDTMIG 3.2 §4.1.4.1-2: a date/time truncated on the right, or with a missing component in
# the middle written as a single hyphen ("2003---15", "-----T07:15"); a time zone may follow
_PART = re.compile(
    r"^(?P<y>\d{4}|-)"
    r"(?:-(?P<m>\d{2}|-)(?:-(?P<d>\d{2}|-))?)?"
    r"(?:T(?P<h>\d{2}|-)(?::(?P<mi>\d{2}|-)(?::(?P<s>\d{2}(?:\.\d+)?|-))?)?"
    r"(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_LIMITS = {"m": (1, 12), "h": (0, 23), "mi": (0, 59), "s": (0, 59)}


def _part_valid(value: str) -> bool:
    match = _PART.match(value)
    if not match:
        return False
    parts = match.groupdict()
    for key, (low, high) in _LIMITS.items():
        v = parts[key]
        if v and v != "-" and not low <= float(v) <= high:
            return False
    y, m, d = parts["y"], parts["m"], parts["d"]
    if d and d != "-":
        if not m or m == "-":
            return 1 <= int(d) <= 31
        year = int(y) if y != "-" else 2000  # a leap year: 29 February stays possible
        try:
            date(year, int(m), int(d))
        except ValueError:
            return False
    return True


@lru_cache(maxsize=65536)  # dates repeat across records
def iso8601_valid(value: str) -> bool:
    """An SDTM --DTC value: a (partial) date/time, or an interval of two (SDTMIG 3.2
    §4.1.4.3, ISO 8601 "start/end")."""
    parts = value.split("/")
    return len(parts) <= 2 and all(p and _part_valid(p) for p in parts)


@lru_cache(maxsize=65536)
def components(value: str) -> tuple[int, ...]:
    """The leading known components (year, month, day, hour, minute, second) of a valid
    ISO 8601 date/time; an interval gives its start."""
    match = _PART.match(value.split("/")[0])
    if not match:
        return ()
    out: list[int] = []
    for key in ("y", "m", "d", "h", "mi", "s"):
        v = match.group(key)
        if not v or v == "-":
            break
        out.append(int(float(v)))
    return tuple(out)


def later(a: str, b: str) -> bool:
    """a is after b, judged on the components both state (2014-01 is not after
    2014-01-15; 2014-01-16 is after 2014-01-15T23:00). An invalid value is SD0003's
    finding and is not compared."""
    if not (iso8601_valid(a) and iso8601_valid(b)):
        return False
    x, y = components(a), components(b)
    n = min(len(x), len(y))
    return n > 0 and x[:n] > y[:n]


@lru_cache(maxsize=65536)
def _day(value: str) -> date | None:
    c = components(value)
    if len(c) < 3:
        return None
    try:
        return date(c[0], c[1], c[2])
    except ValueError:  # an impossible date is SD0003's finding, not a study day's
        return None


def study_day(on: date, reference: date) -> int:
    delta = (on - reference).days
    return delta + 1 if delta >= 0 else delta


@rule(
    "SD0003",
    "FDAC038",
    Severity.ERROR,
    "Invalid ISO 8601 value for variable",
    source="FDA Validator Rules FDAC038; SDTMIG 3.2 §4.1.4.1-4.1.4.3 (*DTC in ISO 8601)",
)
def invalid_iso8601(sub: Submission) -> Iterator[Hit]:
    for ds in sub.datasets:
        names = [n for n in ds.names if n.endswith("DTC")]
        for i, row in sub.rows(ds):
            for name in names:
                value = text(row, name)
                if value and not iso8601_valid(value):
                    yield Hit(ds.name, i, name, value)


@rule(
    "SD1002",
    "FDAC111",
    Severity.ERROR,
    "RFSTDTC is after RFENDTC",
    source="FDA Validator Rules FDAC111; SDTMIG 3.2 §5.1.1 DM (RFSTDTC, RFENDTC)",
)
def reference_start_after_end(sub: Submission) -> Iterator[Hit]:
    dm = sub.dataset("DM")
    if dm is None or not {"RFSTDTC", "RFENDTC"} <= set(dm.names):
        return
    for i, row in sub.rows(dm):
        start, end = text(row, "RFSTDTC"), text(row, "RFENDTC")
        if start and end and later(start, end):
            yield Hit(dm.name, i, "RFSTDTC", start)


@rule(
    "SD0013",
    "FDAC107",
    Severity.ERROR,
    "--STDTC is after --ENDTC",
    source="FDA Validator Rules FDAC107; SDTMIG 3.2 §4.1.4.1 (--STDTC, --ENDTC)",
)
def start_after_end(sub: Submission) -> Iterator[Hit]:
    for ds in sub.datasets:
        p = sub.prefix(ds)
        start, end = p + "STDTC", p + "ENDTC"
        if not {start, end} <= set(ds.names):
            continue
        for i, row in sub.rows(ds):
            a, b = text(row, start), text(row, end)
            if a and b and later(a, b):
                yield Hit(ds.name, i, start, a)


@rule(
    "SD0012",
    "FDAC106",
    Severity.ERROR,
    "--STDY is after --ENDY",
    source="FDA Validator Rules FDAC106; SDTMIG 3.2 §4.1.4.4 (--STDY, --ENDY)",
)
def start_day_after_end_day(sub: Submission) -> Iterator[Hit]:
    for ds in sub.datasets:
        p = sub.prefix(ds)
        start, end = p + "STDY", p + "ENDY"
        if not {start, end} <= set(ds.names):
            continue
        for i, row in sub.rows(ds):
            a, b = number(row.get(start)), number(row.get(end))
            if a is not None and b is not None and a > b:
                yield Hit(ds.name, i, start, row.get(start))


def _wrong_days(sub: Submission, day_suffix: str, dtc_suffix: str) -> Iterator[Hit]:
    """Records whose study day differs from the one computed from the date and RFSTDTC
    (both complete dates); a blank day is another rule's business (SD1084/SD1088)."""
    for ds in sub.datasets:
        p = sub.prefix(ds)
        day_name, dtc_name = p + day_suffix, p + dtc_suffix
        if not {day_name, dtc_name, "USUBJID"} <= set(ds.names):
            continue
        for i, row in sub.rows(ds):
            given = number(row.get(day_name))
            if given is None:
                continue
            on = _day(text(row, dtc_name))
            subject = sub.subjects.get(text(row, "USUBJID"))
            reference = _day(text(subject, "RFSTDTC")) if subject is not None else None
            if on is None or reference is None:
                continue
            if given != study_day(on, reference):
                yield Hit(ds.name, i, day_name, row.get(day_name))


@rule(
    "SD1086",
    "FDAC127",
    Severity.WARNING,
    "Incorrect value for --DY variable",
    source="FDA Validator Rules FDAC127; SDTMIG 3.2 §4.1.4.4 (study day, no day 0)",
)
def incorrect_study_day(sub: Submission) -> Iterator[Hit]:
    return _wrong_days(sub, "DY", "DTC")


@rule(
    "SD1090",
    "FDAC131",
    Severity.ERROR,
    "Incorrect value for --STDY variable",
    source="FDA Validator Rules FDAC131; SDTMIG 3.2 §4.1.4.4 (study day, no day 0)",
)
def incorrect_start_day(sub: Submission) -> Iterator[Hit]:
    return _wrong_days(sub, "STDY", "STDTC")


@rule(
    "SD1094",
    "FDAC136",
    Severity.ERROR,
    "Incorrect value for --ENDY variable",
    source="FDA Validator Rules FDAC136; SDTMIG 3.2 §4.1.4.4 (study day, no day 0)",
)
def incorrect_end_day(sub: Submission) -> Iterator[Hit]:
    return _wrong_days(sub, "ENDY", "ENDTC")


@rule(
    "SD0038",
    "FDAC112",
    Severity.WARNING,
    "Value of Study Day variable equals 0",
    source="FDA Validator Rules FDAC112; SDTMIG 3.2 §4.1.4.4 (no day 0)",
)
def study_day_zero(sub: Submission) -> Iterator[Hit]:
    for ds in sub.datasets:
        names = [v.name for v in ds.variables if v.name.endswith("DY") and v.kind == "Num"]
        for i, row in sub.rows(ds):
            for name in names:
                if number(row.get(name)) == 0:
                    yield Hit(ds.name, i, name, row.get(name))
