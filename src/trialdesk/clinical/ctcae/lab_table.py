"""Read ``labs.yaml`` (beside this module): the CTCAE v5.0 thresholds of each laboratory
term, as criteria one grader evaluates (lab_grading.py). The file's header describes the
criteria it may hold; a malformed entry is an InputError naming the file and the entry."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml

from trialdesk.clinical.ctcae_terms import ctcae_terms
from trialdesk.clinical.units import MOLAR_MASS_G_PER_MOL, canonical_unit
from trialdesk.errors import InputError, UnitError

__all__ = [
    "LABS_FILE",
    "Criterion",
    "LabTerm",
    "all_lab_terms",
    "lab_term_named",
    "lab_terms",
    "not_graded",
]

LABS_FILE = Path(__file__).with_name("labs.yaml")

Reference = Literal["ULN", "LLN", "baseline"]
_NUMBER = r"\d+(?:\.\d+)?"
_RELATIVE = re.compile(
    rf"(?P<op><=|>=|<|>)\s*(?:(?P<factor>{_NUMBER})\s*x\s*)?(?P<ref>ULN|LLN|baseline)"
    rf"(?:\s*\+\s*(?P<offset>{_NUMBER})\s*(?P<unit>\S+))?"
)
_ABSOLUTE = re.compile(rf"(?P<op><=|>=|<|>)\s*(?P<number>{_NUMBER})\s*(?P<unit>\S+)")


@dataclass(frozen=True, slots=True)
class Criterion:
    """One criterion of a grade, e.g. ``> 3.0 x ULN`` or ``< 10.0 g/dL | < 100 g/L``.

    Relative (``reference`` set): value ``op`` factor x reference (+ offset in
    ``offset_unit``). Absolute: value ``op`` the threshold of ``thresholds`` in the value's
    unit, or the first one after converting the value to its unit.
    """

    text: str
    op: str
    reference: Reference | None = None
    factor: Decimal = Decimal(1)
    offset: Decimal | None = None
    offset_unit: str | None = None
    thresholds: tuple[tuple[str, Decimal], ...] = ()  # (UCUM unit, number) equivalents

    @property
    def low(self) -> bool:
        """Met by a value below the threshold (a decrease)."""
        return self.op.startswith("<")

    def threshold(self, unit: str | None) -> tuple[str, Decimal]:
        """The absolute threshold printed in ``unit``, else the first (to convert to)."""
        return next(((u, n) for u, n in self.thresholds if u == unit), self.thresholds[0])

    def shown(self, unit: str | None) -> str:
        """The criterion as used for a value in ``unit`` (one of the equivalents)."""
        if self.reference is not None:
            return self.text
        used, number = self.threshold(unit)
        return f"{self.op} {number} {used}"


@dataclass(frozen=True, slots=True)
class LabTerm:
    """A CTCAE term graded from a laboratory value: criteria per grade, see labs.yaml."""

    term: str
    analytes: tuple[str, ...]
    grades: Mapping[int, tuple[Criterion, ...]]
    if_baseline_abnormal: Mapping[int, tuple[Criterion, ...]] | None = None
    clinical: str | None = None
    reading: str | None = None
    # the substance whose molar mass converts g <-> mol (clinical/units.py), if any
    substance: str | None = None

    @property
    def low(self) -> bool:
        """A decrease term (Anemia), not an increase (ALT increased)."""
        return next(iter(self.grades.values()))[0].low


def _fail(message: str, entry: str) -> InputError:
    return InputError(message, file=str(LABS_FILE), field=entry)


def _criterion(text: object, entry: str) -> Criterion:
    if not isinstance(text, str):
        raise _fail(f"a criterion must be text, got {text!r}", entry)
    written = " ".join(text.split())
    relative = _RELATIVE.fullmatch(written)
    if relative:
        ref: Reference = relative["ref"]  # type: ignore[assignment]  # the regex allows 3
        offset = relative["offset"]
        return Criterion(
            text=written,
            op=relative["op"],
            reference=ref,
            factor=Decimal(relative["factor"] or 1),
            offset=Decimal(offset) if offset else None,
            offset_unit=_unit(relative["unit"], entry) if offset else None,
        )
    parts = [_ABSOLUTE.fullmatch(part.strip()) for part in written.split("|")]
    if not all(parts):
        raise _fail(f"not a criterion: {written!r}", entry)
    ops = {part["op"] for part in parts if part}
    if len(ops) != 1:
        raise _fail(f"equivalent thresholds must share one comparison: {written!r}", entry)
    thresholds = tuple(
        (_unit(part["unit"], entry), Decimal(part["number"])) for part in parts if part
    )
    return Criterion(text=written, op=ops.pop(), thresholds=thresholds)


def _unit(unit: str, entry: str) -> str:
    try:
        return canonical_unit(unit)
    except UnitError as exc:
        raise _fail(f"unit {unit!r}: {exc.message}", entry) from exc


def _grades(raw: object, entry: str) -> Mapping[int, tuple[Criterion, ...]]:
    if not isinstance(raw, dict) or not raw:
        raise _fail("grades must map grades 1-4 to lists of criteria", entry)
    grades: dict[int, tuple[Criterion, ...]] = {}
    for grade, criteria in sorted(raw.items()):
        where = f"{entry}.{grade}"
        if grade not in (1, 2, 3, 4) or not isinstance(criteria, list) or not criteria:
            raise _fail("each grade (1-4) needs a list of criteria", where)
        grades[grade] = tuple(_criterion(text, where) for text in criteria)
    directions = {c.low for criteria in grades.values() for c in criteria}
    if len(directions) != 1:
        raise _fail("a term's criteria must all be decreases (<) or all increases (>)", entry)
    return MappingProxyType(grades)


def _lab_term(term: str, raw: Any) -> LabTerm:
    entry = f"terms.{term}"
    known = ctcae_terms().named(term)
    if known is None or known.term != term:
        raise _fail(f"{term!r} is not a CTCAE v5.0 term as NCI spells it", entry)
    analytes = raw.get("analytes") if isinstance(raw, dict) else None
    if not isinstance(analytes, list) or not all(isinstance(a, str) for a in analytes):
        raise _fail("analytes must be a list of names", f"{entry}.analytes")
    grades = _grades(raw.get("grades"), f"{entry}.grades")
    abnormal = raw.get("if_baseline_abnormal")
    switch = _grades(abnormal, f"{entry}.if_baseline_abnormal") if abnormal else None
    undefined = [g for g in (*grades, *(switch or ())) if known.grades[g] is None]
    if undefined:
        raise _fail(f"CTCAE v5.0 defines no grade {undefined[0]} for {term}", entry)
    return LabTerm(
        term=term,
        analytes=tuple(analytes),
        grades=grades,
        if_baseline_abnormal=switch,
        clinical=raw.get("clinical"),
        reading=raw.get("reading"),
        substance=_substance(raw.get("substance"), entry),
    )


def _substance(raw: object, entry: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or raw not in MOLAR_MASS_G_PER_MOL:
        raise _fail(
            f"substance {raw!r} has no molar mass in clinical/units.py", f"{entry}.substance"
        )
    return raw


@dataclass(frozen=True, slots=True)
class _Table:
    by_analyte: Mapping[str, tuple[LabTerm, ...]]
    by_term: Mapping[str, LabTerm]
    not_graded: Mapping[str, str]


@functools.cache
def _table() -> _Table:
    raw = yaml.safe_load(LABS_FILE.read_text(encoding="utf-8"))
    by_term = {term: _lab_term(term, entry) for term, entry in raw["terms"].items()}
    by_analyte: dict[str, list[LabTerm]] = {}
    for lab_term in by_term.values():
        for analyte in lab_term.analytes:
            by_analyte.setdefault(analyte.casefold(), []).append(lab_term)
    reasons: dict[str, str] = {}
    for name, entry in raw["not_graded"].items():
        for analyte in entry["analytes"]:
            reasons[analyte.casefold()] = f"{name}: {' '.join(entry['reason'].split())}"
    return _Table(
        by_analyte=MappingProxyType({key: tuple(found) for key, found in by_analyte.items()}),
        by_term=MappingProxyType(by_term),
        not_graded=MappingProxyType(reasons),
    )


def lab_terms(analyte: str) -> tuple[LabTerm, ...]:
    """The CTCAE terms graded from ``analyte`` (an SDTM LB test code such as ``HGB`` or a
    trialdesk concept such as ``hemoglobin``; case-insensitive), in labs.yaml's order."""
    return _table().by_analyte.get(analyte.strip().casefold(), ())


def lab_term_named(term: str) -> LabTerm:
    """The laboratory grading of the CTCAE term ``term`` (as NCI spells it).

    Raises:
        KeyError: no laboratory grading for that term.
    """
    return _table().by_term[term]


def all_lab_terms() -> tuple[LabTerm, ...]:
    """Every term of labs.yaml, in its order."""
    return tuple(_table().by_term.values())


def not_graded(analyte: str) -> str | None:
    """Why CTCAE v5.0 grades nothing (or not every direction) from ``analyte``, if listed."""
    return _table().not_graded.get(analyte.strip().casefold())
