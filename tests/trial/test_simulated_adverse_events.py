"""The simulator's adverse-event rates (adverse_events.yaml): the file is checked, with
every problem named, and the planned events follow its published rates."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from trialdesk.errors import FieldErrors
from trialdesk.trial.simulate.adverse_events import RATES_FILE, event_rates, planned_events

DAY1 = date(2026, 3, 2)


def test_the_shipped_rates_are_the_published_ones() -> None:
    """Shang et al. 2023 (Stem Cell Res Ther, doi:10.1186/s13287-023-03332-5), pooled
    over 50 studies: knee pain 24.5%, effusion 12.5%, swelling 11.9%."""
    rates = {e.term: e.rate for e in event_rates().events}
    assert rates == {"Arthralgia": 0.245, "Joint effusion": 0.125, "Injection site reaction": 0.119}
    assert event_rates().assumption


def test_planned_events_follow_the_rates() -> None:
    rates = event_rates()
    n = 4000
    seen = {e.term: 0 for e in rates.events}
    for seed in range(n):
        for planned in planned_events(rates, str(seed), DAY1, None):
            seen[planned.rate.term] += 1
            assert DAY1 <= planned.onset <= DAY1 + timedelta(days=3)
            assert planned.ends > planned.onset
            assert planned.grade in planned.rate.grades
    for e in rates.events:
        share = seen[e.term] / n
        # three standard errors of a proportion at n = 4000: under 0.021 for these rates
        assert abs(share - e.rate) < 3 * (e.rate * (1 - e.rate) / n) ** 0.5, e.term


def test_none_begins_once_participation_stopped() -> None:
    rates = event_rates()
    for seed in range(300):
        assert planned_events(rates, str(seed), DAY1, stops_on=DAY1) == []


def test_the_same_seed_plans_the_same_events() -> None:
    rates = event_rates()
    assert planned_events(rates, "s1", DAY1, None) == planned_events(rates, "s1", DAY1, None)


def test_a_bad_rates_file_names_every_problem(tmp_path: Path) -> None:
    text = RATES_FILE.read_text(encoding="utf-8")
    bad = (
        text.replace("term: Arthralgia", "term: Knee ache", 1)
        .replace("rate: 0.125", "rate: 1.5", 1)
        .replace("grades: {1: 0.85, 2: 0.15}", "grades: {1: 0.85, 2: 0.10}", 1)
    )
    path = tmp_path / "adverse_events.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(FieldErrors) as refused:
        event_rates(path)
    problems = [(e.field, e.message) for e in refused.value.errors]
    assert len(problems) == 3, problems
    assert all(e.file == str(path) for e in refused.value.errors)
    fields = [f for f, _ in problems]
    assert any(f and f.startswith("events.0") for f in fields)  # the unknown term
    assert "events.1.rate" in fields
    assert any(f and f.startswith("events.2") for f in fields)  # grades not summing to 1
    assert any("Knee ache" in m for _, m in problems)
