"""Shared by the self-check tests: the default study, a fixed day, a typical patient."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from trialdesk.selfcheck import SelfCheckOutcome, evaluate, parse_answers
from trialdesk.study.loader import Study, load_study

TODAY = date(2026, 3, 16)

# A 45-year-old woman with RA for 2 years on stable methotrexate, not pregnant, no recent
# vaccines, knee pain: everything she can answer points to "may be eligible".
WOMAN_45 = {
    "age": "45",
    "sex": "female",
    "ra_diagnosed": "yes",
    "ra_since": "2024-03",
    "knee_pain": "yes",
    "methotrexate": "yes",
    "methotrexate_how_long": "2 years",
    "methotrexate_dose_changed": "no",
    "other_ra_medicine": "no",
    "steroid": "no",
    "knee_events": "no",
    "live_vaccine": "no",
    "infections": "none",
    "tb": "no",
    "cancer": "no",
    "pregnancy": "no",
    "other_study": "no",
    "implants": "no",
    "height": "165",
    "weight": "62",
}

Check = Callable[..., SelfCheckOutcome]


@pytest.fixture(scope="session")
def study() -> Study:
    return load_study()


@pytest.fixture
def check(study: Study) -> Check:
    """The outcome for WOMAN_45 with some answers changed (None removes an answer)."""

    def run(base: dict[str, str] | None = None, **changes: str | None) -> SelfCheckOutcome:
        raw = {**(WOMAN_45 if base is None else base), **changes}
        answers = {k: v for k, v in raw.items() if v is not None}
        return evaluate(study, parse_answers(study, answers), TODAY)

    return run


def finding(outcome: SelfCheckOutcome, criterion: str) -> tuple[str, str]:
    c = next(c for c in outcome.criteria if c.criterion.id == criterion)
    return c.finding.value, c.why
