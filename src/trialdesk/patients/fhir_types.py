"""Reading FHIR R4 data types (Coding, CodeableConcept, dates, Period, Quantity, Reference)
out of a resource: tolerant readers, for which a value of the wrong JSON type counts as
absent, and systems made canonical through the code-system table."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from trialdesk.facts.codesystems import SYSTEMS, read_uri
from trialdesk.facts.record import Coding, Quantity

__all__ = [
    "code_of",
    "coding",
    "codings",
    "codings_of",
    "date_of",
    "first_of",
    "parse_date",
    "period_of",
    "quantity_of",
    "reference_of",
    "text_of",
    "when",
]

Json = dict[str, Any]
UCUM = SYSTEMS["ucum"]
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T.*)?)?)?", re.ASCII | re.DOTALL)

_CODING_CACHE: dict[tuple[str, str, str | None], Coding] = {}


def coding(c: Any) -> Coding | None:
    """A Coding with a code (system made canonical), shared between equal codings."""
    if not isinstance(c, dict):
        return None
    code = c.get("code")
    if not isinstance(code, str) or not code:
        return None
    system = c.get("system")
    system = read_uri(system) if isinstance(system, str) else ""
    display = c.get("display")
    key = (system, code, display if isinstance(display, str) else None)
    hit = _CODING_CACHE.get(key)
    if hit is None:
        if len(_CODING_CACHE) > 100_000:
            _CODING_CACHE.clear()
        hit = _CODING_CACHE[key] = Coding(*key)
    return hit


def codings(cc: Any) -> tuple[Coding, ...]:
    """The codings of a CodeableConcept (or of a bare Coding, as R4 Encounter.class is)."""
    if not isinstance(cc, dict):
        return ()
    raw = cc.get("coding")
    if not isinstance(raw, list):
        one = coding(cc)
        return (one,) if one else ()
    return tuple(c for c in map(coding, raw) if c is not None)


def codings_of(ccs: Any) -> tuple[Coding, ...]:
    """The codings of a list of CodeableConcepts (or of one)."""
    if isinstance(ccs, list):
        return tuple(c for cc in ccs for c in codings(cc))
    return codings(ccs)


def text_of(cc: Any) -> str | None:
    """CodeableConcept.text, else the first display."""
    if isinstance(cc, list):
        cc = cc[0] if cc else None
    if not isinstance(cc, dict):
        return None
    text = cc.get("text")
    if isinstance(text, str) and text:
        return text
    raw = cc.get("coding")
    for c in raw if isinstance(raw, list) else ():
        if isinstance(c, dict) and isinstance(c.get("display"), str) and c["display"]:
            return str(c["display"])
    return None


def code_of(cc: Any) -> str | None:
    """The first code of a CodeableConcept, lower case (for statuses)."""
    for c in codings(cc):
        return c.code.lower()
    return None


def parse_date(value: str) -> date | None:
    """A FHIR date/dateTime/instant as a date (first 10 chars; "2020" and "2020-05" -> 1st)."""
    m = _DATE.fullmatch(value)
    if m is None:
        return None
    try:
        return date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        return None


def date_of(value: Any, name: str, problems: list[str]) -> date | None:
    """``value`` as a date; when it is given but not a date, say so in ``problems``."""
    if value is None:
        return None
    if isinstance(value, str):
        d = parse_date(value)
        if d is not None:
            return d
    problems.append(f"{name} {value!r} is not a date")
    return None


def period_of(p: Any, name: str, problems: list[str]) -> tuple[date | None, date | None]:
    if not isinstance(p, dict):
        return None, None
    return date_of(p.get("start"), f"{name}.start", problems), date_of(
        p.get("end"), f"{name}.end", problems
    )


def when(res: Json, base: str, problems: list[str]) -> tuple[date | None, date | None, bool]:
    """start, end and whether <base>[x] is given as a dateTime, instant or Period."""
    for suffix in ("DateTime", "Instant"):
        value = res.get(base + suffix)
        if value is not None:
            return date_of(value, base + suffix, problems), None, True
    period = res.get(base + "Period")
    if period is not None:
        return *period_of(period, base + "Period", problems), True
    return None, None, False


def quantity_of(q: Any) -> Quantity | None:
    """A Quantity with a number; unit = the UCUM code when coded in UCUM, else the unit text."""
    if not isinstance(q, dict):
        return None
    value = q.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    unit = q.get("unit")
    code = q.get("code")
    if q.get("system") == UCUM and isinstance(code, str):
        unit = code
    elif not isinstance(unit, str):
        unit = code if isinstance(code, str) else None
    comparator = q.get("comparator")
    return Quantity(float(value), unit, comparator if isinstance(comparator, str) else None)


def reference_of(value: Any) -> str | None:
    if isinstance(value, dict):
        ref = value.get("reference")
        if isinstance(ref, str) and ref:
            return ref
    return None


def first_of(value: Any) -> Json | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, dict) else None
