"""A back-dated outcome is never stored before what it follows (review finding 3): enrolled
"on" the consent's day is enrolled at the consent, not at the midnight before it; a screen
failure or decline "on" the day the candidate was added is stored at their adding. The
later of the site day's start and that instant is kept; a later day keeps its start.
Dates before 1900 are refused naming ``on`` (year 1 overflowed). SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from trialdesk.errors import InputError
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import consent, enrolment
from trialdesk.trial.screening.outcome_dates import outcome_instant
from trialdesk.trial.store.db import Store

from .helpers import NOW
from .screening_helpers import (
    CONSENTED_AT,
    FORM,
    STUDY,
    TODAY,
    eligible_candidates,
    example,
    import_candidates,
    prepare_study,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
LATER = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)  # three days after the candidates were added


def test_the_instant_is_the_later_of_the_days_start_and_not_before() -> None:
    consented = datetime(2026, 2, 27, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai
    assert outcome_instant(date(2026, 2, 27), LATER, SHANGHAI, not_before=consented) == consented
    next_day = outcome_instant(date(2026, 2, 28), LATER, SHANGHAI, not_before=consented)
    assert next_day == datetime(2026, 2, 27, 16, 0, tzinfo=UTC)  # 02-28 00:00 +08
    assert outcome_instant(None, LATER, SHANGHAI, not_before=consented) == LATER


@pytest.mark.parametrize("on", [date(1, 1, 1), date(1899, 12, 31)])
def test_a_date_before_1900_is_refused_naming_on(on: date) -> None:
    with pytest.raises(InputError) as refused:
        outcome_instant(on, LATER, SHANGHAI)
    assert refused.value.field == "on" and "before 1900" in refused.value.message


def test_enrolled_on_the_consent_day_is_not_before_the_consent(store: Store) -> None:
    investigator = prepare_study(store)
    [cid] = eligible_candidates(store, investigator, 1)  # consented 2026-02-27 17:30 +08
    on = CONSENTED_AT.astimezone(SHANGHAI).date()
    with store.transaction() as session:
        row = enrolment.enrol(
            session, actor="coord", study=STUDY, candidate_id=cid, expected_version=None,
            today=TODAY, now=LATER, on=on, zone=SHANGHAI,
        )  # fmt: skip
        assert row.enrolled_at == CONSENTED_AT  # not 2026-02-26 16:00 UTC, 00:00 +08
        assert cands.candidate_or_404(session, cid).outcome_at == CONSENTED_AT


@pytest.mark.parametrize("outcome", ["decline", "screen_fail"])
def test_an_outcome_on_the_day_the_candidate_was_added_is_not_before_it(
    store: Store, outcome: str
) -> None:
    prepare_study(store)
    [cid] = import_candidates(store, example("02-ineligible-alt-zoster-bmi.json"))
    added_on = NOW.astimezone(SHANGHAI).date()
    with store.transaction() as session:
        if outcome == "decline":
            closed = enrolment.decline(
                session, actor="coord", candidate_id=cid, expected_version=None,
                reason="moved away", now=LATER, on=added_on, zone=SHANGHAI,
            )  # fmt: skip
        else:
            closed = enrolment.screen_fail(
                session, actor="coord", study=STUDY, candidate_id=cid, expected_version=None,
                reason=None, today=TODAY, now=LATER, on=added_on, zone=SHANGHAI,
            )  # fmt: skip
        assert closed.outcome_at == closed.created_at == NOW


def test_a_date_before_the_candidate_was_added_is_still_refused(store: Store) -> None:
    prepare_study(store)
    [cid] = import_candidates(store, example("02-ineligible-alt-zoster-bmi.json"))
    with pytest.raises(InputError) as refused, store.transaction() as session:
        enrolment.decline(
            session, actor="coord", candidate_id=cid, expected_version=None,
            reason="moved away", now=LATER, on=date(2026, 3, 1), zone=SHANGHAI,
        )  # fmt: skip
    assert refused.value.field == "on" and "was added" in refused.value.message


def test_consent_later_than_the_days_start_keeps_the_enrolment_after_it(store: Store) -> None:
    """A consent re-signed late on the enrolment day (form 1.0 again): still after it."""
    investigator = prepare_study(store)
    [cid] = eligible_candidates(store, investigator, 1)
    evening = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
    with store.transaction() as session:
        consent.record_consent(
            session, actor="coord", candidate_id=cid, form_version=FORM, consented_at=evening,
            obtained_by="Dr. Lin Zhao", participant_signed_on=date(2026, 3, 1), now=LATER,
            zone=SHANGHAI,
        )  # fmt: skip
    with store.transaction() as session:
        row = enrolment.enrol(
            session, actor="coord", study=STUDY, candidate_id=cid, expected_version=None,
            today=TODAY, now=LATER, on=date(2026, 3, 1), zone=SHANGHAI,
        )  # fmt: skip
    assert row.enrolled_at == evening
