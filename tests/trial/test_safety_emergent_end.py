"""An event that ended before day 1 is not treatment-emergent, whatever its partial onset
may be, and the adverse-event pages (trial/safety/emergent.py) and ADaM's ADAE TRTEMFL
(reports/cdisc/adam) agree on every onset, end and day 1."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.reports.cdisc.adam.adae import AdaeRules, adae_rows
from trialdesk.reports.cdisc.adam.dates import sas_date
from trialdesk.reports.cdisc.dataset import Value
from trialdesk.trial.safety.emergent import treatment_emergent
from trialdesk.trial.safety.partial_dates import PartialDate

DAY1 = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("onset", "end", "emergent"),
    [
        ("2026-03", "2026-03-04", False),  # the onset may be day 1, but it ended before
        ("2026", "2026-02", False),  # ended in February, certainly before day 1
        ("2026-03", "2026-03-10", True),  # ended on day 1: it may have begun on it
        ("2026-03", "2026-03", True),  # the end may be on or after day 1
        ("2026-03", None, True),
    ],
)
def test_an_event_that_ended_before_day_1_is_not_emergent(
    onset: str, end: str | None, emergent: bool
) -> None:
    found = treatment_emergent(
        PartialDate.parse(onset), DAY1, grade=2, end=PartialDate.parse(end) if end else None
    )
    assert found.emergent is emergent
    if not emergent:
        assert "ended before day 1" in found.why


def test_a_worsened_condition_that_ended_before_day_1_is_not_emergent() -> None:
    found = treatment_emergent(
        PartialDate.parse("2026-01-05"), DAY1, grade=3, baseline_grade=1,
        worsened_on=PartialDate.parse("2026-02"), end=PartialDate.parse("2026-02"),
    )  # fmt: skip
    assert not found.emergent


days = st.dates(min_value=date(2025, 6, 1), max_value=date(2026, 12, 31))
precision = st.sampled_from(["year", "month", "day"])


def _cut(day: date, kept: str) -> PartialDate:
    if kept == "year":
        return PartialDate(day.year)
    if kept == "month":
        return PartialDate(day.year, day.month)
    return PartialDate.of(day)


@given(days, precision, st.none() | st.tuples(days, precision), days)
def test_the_pages_and_adam_agree(
    onset_day: date, onset_kept: str, ended: tuple[date, str] | None, day1: date
) -> None:
    onset = _cut(onset_day, onset_kept)
    end = _cut(*ended) if ended is not None else None
    if end is not None and end.certainly_before(onset):
        return  # refused when entered (trial/safety/event_input.py)
    pages = treatment_emergent(onset, day1, grade=2, end=end).emergent
    subjects: dict[Value, dict[str, Value]] = {
        "S-1": {"TRTSDT": sas_date(day1), "TRTEDT": sas_date(day1), "SAFFL": "Y"}
    }
    event: dict[str, Value] = {"USUBJID": "S-1", "AESEQ": 1, "AESTDTC": onset.isoformat(),
             "AEENDTC": end.isoformat() if end else ""}  # fmt: skip
    row = adae_rows([event], subjects, AdaeRules())[0]
    assert row["TRTEMFL"] == ("Y" if pages else "N")
    astdt, aendt = row["ASTDT"], row["AENDT"]
    if isinstance(aendt, int):
        assert isinstance(astdt, int) and astdt <= aendt
