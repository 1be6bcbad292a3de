"""The exports' read service (trial/review/extract.py) reads every consented candidate
whose screening closed without enrolment (screen failures and those who declined after
consenting) with how it closed in CDISC terms, and no one still in screening at the cut,
so DM, DS and ADSL count the consented people the CONSORT diagram counts."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from trialdesk.study.loader import load_study
from trialdesk.trial.review.extract import TrialExtract, trial_extract
from trialdesk.trial.screening.models import Candidate, CandidateStatus, Consent
from trialdesk.trial.simulate.rates import Rates
from trialdesk.trial.simulate.run import simulate
from trialdesk.trial.store.db import open_store

STUDY = load_study("NCT06947746")


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> tuple[TrialExtract, dict[int, str]]:
    """A small simulated trial where many decline; the extract and every consented
    candidate's status."""
    folder: Path = tmp_path_factory.mktemp("extract")
    store = open_store(f"sqlite:///{folder / 'trial.db'}")
    rates = Rates(screen_fail=0.25, declined=0.45)
    simulate(store, STUDY, participants=3, seed=11, as_of=date(2026, 6, 30), rates=rates)
    with store.read() as session:
        extract = trial_extract(session, STUDY, screening=False)
        consented = set(session.scalars(select(Consent.candidate_id)))
        statuses = {
            c.id: c.status.value
            for c in session.scalars(select(Candidate).where(Candidate.id.in_(consented)))
        }
    store.close()
    return extract, statuses


def test_every_consented_candidate_with_a_closed_screening_is_read(
    read: tuple[TrialExtract, dict[int, str]],
) -> None:
    extract, statuses = read
    closed = {i for i, s in statuses.items() if s != CandidateStatus.SCREENING.value}
    assert {s.candidate_id for s in extract.subjects} == closed
    kinds = Counter(statuses[i] for i in closed)
    assert kinds[CandidateStatus.DECLINED.value] > 0, "the seed gives a decline after consent"


def test_how_screening_closed_in_cdisc_terms(read: tuple[TrialExtract, dict[int, str]]) -> None:
    extract, _ = read
    seen = set()
    for s in extract.subjects:
        if s.subject_number is not None:  # enrolled: assigned, no closing
            assert (s.closing_decod, s.arm_null_reason) == (None, None)
            continue
        seen.add(s.status)
        expected = {
            CandidateStatus.SCREEN_FAILED.value: ("SCREEN FAILURE", "SCREEN FAILURE"),
            CandidateStatus.DECLINED.value: ("OTHER", "NOT ASSIGNED"),
        }[s.status]
        assert (s.closing_decod, s.arm_null_reason) == expected
        assert s.casebook is None and s.outcome_on is not None
        if s.status == CandidateStatus.DECLINED.value:
            assert s.outcome_reason  # the DSTERM: a decline always gives its reason
    assert CandidateStatus.DECLINED.value in seen
    # participants first (subject-number order), then the not enrolled by candidate
    numbers = [s.subject_number for s in extract.subjects]
    enrolled = [n for n in numbers if n is not None]
    assert numbers[: len(enrolled)] == sorted(enrolled)
    rest = [s.candidate_id for s in extract.subjects if s.subject_number is None]
    assert rest == sorted(rest)
