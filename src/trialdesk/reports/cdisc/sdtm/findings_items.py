"""What is fixed about each result item of a form, worked out once per export rather than
once per record: its test qualifiers (--TESTCD, --TEST, --CAT, ... from its SDTM target),
whether its result is a number, the items that hold its reference limits, and the
CTCAE grading of a laboratory result (findings_flags.py).

The per-record parts, in the order findings.py applies them to a record:
- ``reference_range``: --ORNRLO/--ORNRHI as the laboratory gave them (the item's
  ``reference`` limits, or items targeting the test's LBORNRLO/LBORNRHI), --STNRLO/--STNRHI
  in the item's unit, --NRIND against them; other per-test variable items as they are;
- ``LabGrades``: LBTOX/LBTOXGR, the CTCAE v5.0 grade, as the safety pages grade the same value
  (trial/safety/lab_grades.py: the limits entered beside it, the baseline visit's value).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from trialdesk.reports.cdisc.dataset import Value
from trialdesk.reports.cdisc.sdtm.findings_flags import range_indicator, toxicity
from trialdesk.reports.cdisc.sdtm.findings_plan import DomainPlan, test_name
from trialdesk.reports.cdisc.sdtm.findings_values import (
    FormValues,
    Results,
    is_numeric,
    number_text,
)
from trialdesk.study.forms import Form, Item

__all__ = ["LabGrades", "ResultItem", "reference_range", "result_items"]


@dataclass(frozen=True)
class _Limit:
    variable: str  # LBORNRLO, or another per-test variable
    item: Item
    standard: str | None  # LBSTNRLO for a limit (its number in the item's unit), else None


@dataclass(frozen=True)
class ResultItem:
    """A result item of a form in one domain's plan."""

    index: int  # its position on the form (the records' order)
    item: Item
    testcd: str
    tpt: str | None
    qualifiers: Mapping[str, Value]  # --TESTCD, --TEST, --CAT ... --TPTNUM (and --LAT)
    numeric: bool  # its result is a number (findings_values.is_numeric)
    limits: tuple[_Limit, ...]
    low: Item | None  # the items holding the laboratory's LLN and ULN (grading)
    high: Item | None


def result_items(
    form: Form, plan: DomainPlan, time_points: Mapping[str, int]
) -> tuple[ResultItem, ...]:
    """The result items of ``form`` in ``plan``, in the form's order."""
    d = plan.domain
    results = {id(i) for i in plan.results}
    out = []
    for index, item in enumerate(form.items):
        if id(item) not in results:
            continue
        t = item.sdtm
        assert t is not None and t.testcd is not None
        qualifiers: dict[str, Value] = {
            f"{d}TESTCD": t.testcd, f"{d}TEST": test_name(item), f"{d}CAT": t.cat,
            f"{d}SCAT": t.scat, f"{d}LOC": t.loc, f"{d}METHOD": t.method, f"{d}TPT": t.tpt,
            f"{d}TPTNUM": time_points.get(t.tpt) if t.tpt else None,
        }  # fmt: skip
        if t.lat:
            qualifiers[f"{d}LAT"] = t.lat
        by_variable = dict(plan.test_items.get(t.testcd, {}))
        for variable, limit_id in ((f"{d}ORNRLO", item.reference_low),
                                   (f"{d}ORNRHI", item.reference_high)):  # fmt: skip
            if limit_id and variable not in by_variable:
                by_variable[variable] = form.item(limit_id)
        limits = tuple(_Limit(v, limit, _standard(v)) for v, limit in by_variable.items())
        low = form.item(item.reference_low) if item.reference_low else None
        high = form.item(item.reference_high) if item.reference_high else None
        out.append(
            ResultItem(
                index, item, t.testcd, t.tpt, qualifiers, is_numeric(item), limits, low, high
            )
        )
    return tuple(out)


def _standard(variable: str) -> str | None:
    """--STNRLO/--STNRHI of a limit variable (--ORNRLO/--ORNRHI), None for another."""
    return variable.replace("ORNR", "STNR") if variable.endswith(("ORNRLO", "ORNRHI")) else None


def reference_range(
    row: dict[str, Value], d: str, r: ResultItem, form: FormValues, results: Results
) -> None:
    """--ORNRLO/--ORNRHI, --STNRLO/--STNRHI and --NRIND of one record (module docstring)."""
    for limit in r.limits:
        raw = form.of(limit.item)
        if raw is None or raw == "":
            continue
        number = results.number(raw) if limit.standard is not None else None
        if limit.standard is not None and number is not None:
            typed = form.entered.get(limit.item.id)
            as_typed = typed.get("value") if isinstance(typed, Mapping) else None
            row[limit.variable] = str(as_typed) if as_typed is not None else number_text(number)
            row[limit.standard] = float(number)
        else:
            row[limit.variable] = str(raw)
    if not r.limits:
        # no limit of this test on the form: --STNRLO/--STNRHI are not numbers (only the
        # limits above set them as such), so range_indicator would give a blank
        return
    stresn = row.get(f"{d}STRESN")
    low, high = row.get(f"{d}STNRLO"), row.get(f"{d}STNRHI")
    indicator = range_indicator(
        stresn if isinstance(stresn, float) else None,
        low if isinstance(low, float) else None,
        high if isinstance(high, float) else None,
    )
    if indicator:
        row[f"{d}NRIND"] = indicator


class LabGrades:
    """LBTOX/LBTOXGR of one export's laboratory records (module docstring). A grade depends
    on nothing but the test, value, unit, limits and baseline (grade_lab is a function of
    them), and a trial repeats readings: each distinct one is graded once per export."""

    def __init__(self, results: Results | None = None) -> None:
        self._known: dict[tuple[Any, ...], tuple[str, str] | None] = {}
        self._results = results or Results()

    def grade(
        self,
        row: dict[str, Value],
        r: ResultItem,
        content: Mapping[str, Any] | FormValues,
        baseline: Mapping[str, Any] | FormValues | None,
    ) -> None:
        form = content if isinstance(content, FormValues) else FormValues(content)
        number = self._results.number

        def limit(item: Item | None) -> Decimal | None:
            return number(form.of(item)) if item is not None else None

        if baseline is not None and not isinstance(baseline, FormValues):
            baseline = FormValues(baseline)
        before = number(baseline.of(r.item)) if baseline is not None else None
        value = number(form.of(r.item))
        reading = (r.testcd, value, r.item.unit, limit(r.low), limit(r.high), before)
        if reading in self._known:
            graded = self._known[reading]
        else:
            graded = self._known[reading] = toxicity(
                r.testcd, value, r.item.unit, lln=reading[3], uln=reading[4], baseline=before
            )
        if graded is not None:
            row["LBTOX"], row["LBTOXGR"] = graded
