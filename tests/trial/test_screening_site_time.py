"""Screening in site time (issue 17): a consent judged on the site's calendar across the
date line (D2), the date and warnings of an irreversible outcome (D10), and one source of
truth for consent (D16)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from trialdesk.errors import InputError
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import consent, enrolment
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.models import Consent
from trialdesk.trial.screening.outcome_dates import outcome_instant, outcome_warnings
from trialdesk.trial.store.db import Store

from .screening_helpers import (
    STUDY,
    TODAY,
    date_and_consent,
    eligible_candidates,
    example,
    import_candidates,
    prepare_study,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")  # DST: 2026-03-29 02:00 CET -> 03:00 CEST


def _consent(store: Store, cid: int, at: datetime, signed: date, zone: ZoneInfo | None,
             now: datetime) -> Consent:  # fmt: skip
    with store.transaction() as session:
        return consent.record_consent(
            session, actor="coord", candidate_id=cid, form_version="1.0", consented_at=at,
            obtained_by="Dr Zhang", participant_signed_on=signed, now=now, zone=zone,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("wall", "zone", "signed"),
    [
        # 07:00 in Shanghai is 23:00 UTC the day before: the walkthrough's D2
        (datetime(2026, 12, 7, 7, 0), SHANGHAI, date(2026, 12, 7)),
        (datetime(2026, 12, 7, 23, 30), SHANGHAI, date(2026, 12, 7)),  # 15:30 UTC, same day
        # the night the clocks go forward in Berlin: 00:30 CET is 23:30 UTC the day before
        (datetime(2026, 3, 29, 0, 30), BERLIN, date(2026, 3, 29)),
        (datetime(2026, 3, 29, 23, 30), BERLIN, date(2026, 3, 29)),  # CEST, 21:30 UTC
    ],
)
def test_the_consent_date_is_the_sites(
    store: Store, wall: datetime, zone: ZoneInfo, signed: date
) -> None:
    prepare_study(store)
    [cid] = import_candidates(store, example("03-incomplete-no-labs.json"))
    now = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
    with_offset = wall.replace(tzinfo=zone)
    row = _consent(store, cid, with_offset, signed, zone, now)
    assert row.consented_at == with_offset.astimezone(UTC)  # the instant, kept exactly
    # a wall-clock time (what the page's datetime-local sends) is the site's
    [other] = import_candidates(store, example("02-ineligible-alt-zoster-bmi.json"), "b.json")
    assert _consent(store, other, wall, signed, zone, now).consented_at == row.consented_at


def test_without_the_site_zone_the_utc_date_would_refuse_it(store: Store) -> None:
    """The defect as it was: judged on UTC's calendar, a 07:00 Shanghai consent is on the
    day before its signature."""
    prepare_study(store)
    [cid] = import_candidates(store, example("03-incomplete-no-labs.json"))
    at = datetime(2026, 12, 7, 7, 0, tzinfo=SHANGHAI)
    now = datetime(2026, 12, 8, tzinfo=UTC)
    with pytest.raises(InputError) as refused:
        _consent(store, cid, at, date(2026, 12, 7), None, now)
    assert refused.value.field == "participant_signed_on"
    with pytest.raises(InputError) as naive:
        _consent(store, cid, at.replace(tzinfo=None), date(2026, 12, 7), None, now)
    assert naive.value.field == "consented_at"  # no zone given: an offset is required


def test_a_signature_date_after_the_sites_today_is_in_the_future(store: Store) -> None:
    prepare_study(store)
    [cid] = import_candidates(store, example("03-incomplete-no-labs.json"))
    now = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # 07:30 on 12-07 in Shanghai
    at = datetime(2026, 12, 7, 7, 0, tzinfo=SHANGHAI)
    assert _consent(store, cid, at, date(2026, 12, 7), SHANGHAI, now).id


def test_the_checklist_reads_the_consent_on_the_sites_date(store: Store) -> None:
    """I2's age is at the consent date: the site's, not UTC's day before."""
    prepare_study(store)
    [cid] = import_candidates(store, example("01-eligible-looking.json"))
    at = datetime(2026, 2, 28, 7, 0, tzinfo=SHANGHAI)  # 2026-02-27 23:00 UTC
    _consent(store, cid, at, date(2026, 2, 28), SHANGHAI, datetime(2026, 3, 1, tzinfo=UTC))
    with store.read() as session:
        checklist = build_checklist(session, STUDY, cands.candidate_or_404(session, cid), TODAY)
    consent_facts = [f for f in checklist.record.facts if f.kind.value == "consent"]
    assert [f.start for f in consent_facts] == [date(2026, 2, 28)]


def test_only_the_consent_recorded_here_counts(store: Store) -> None:
    """D16: ex-01's FHIR Consent is shown, not counted; I1 waits for the consent recorded
    with its form version, and the same candidate once recorded has I1 met."""
    prepare_study(store)
    [cid] = import_candidates(store, example("01-eligible-looking.json"))
    with store.read() as session:
        sheet = build_checklist(session, STUDY, cands.candidate_or_404(session, cid), TODAY)
    status = {r.criterion.id: r.status.value for r in sheet.result.criteria}
    assert status["I1"] == "unknown"
    assert [f.resource for f in sheet.record_consents] == ["Consent/ex-01-consent-11"]
    assert not sheet.consents
    date_and_consent(store, cid)
    with store.read() as session:
        sheet = build_checklist(session, STUDY, cands.candidate_or_404(session, cid), TODAY)
    assert {r.criterion.id: r.status.value for r in sheet.result.criteria}["I1"] == "met"
    assert len(sheet.consents) == 1 and sheet.record_consents  # still shown beside it


def test_an_outcome_date_is_the_sites_and_never_in_the_future() -> None:
    now = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # 2026-12-07 07:30 in Shanghai
    assert outcome_instant(None, now, SHANGHAI) == now
    assert outcome_instant(date(2026, 12, 7), now, SHANGHAI) == now  # today at the site
    earlier = outcome_instant(date(2026, 12, 5), now, SHANGHAI)
    assert earlier == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)  # 00:00 in Shanghai
    with pytest.raises(InputError) as future:
        outcome_instant(date(2026, 12, 8), now, SHANGHAI)
    assert future.value.field == "on" and "2026-12-07" in future.value.message


def test_enrolment_warns_of_a_passed_baseline_and_a_closed_screening_window(
    store: Store,
) -> None:
    investigator = prepare_study(store)
    [cid] = eligible_candidates(store, investigator, 1)  # baseline 2026-03-16
    with store.read() as session:
        candidate = cands.candidate_or_404(session, cid)
        before = outcome_warnings(STUDY, candidate, date(2026, 3, 10))
        on_the_eve = outcome_warnings(STUDY, candidate, date(2026, 3, 15))
        on_the_day = outcome_warnings(STUDY, candidate, date(2026, 3, 16))
        after = outcome_warnings(STUDY, candidate, date(2026, 3, 17))
        unset = outcome_warnings(STUDY, replace_dates(candidate, baseline=None), date(2026, 3, 10))
    assert before == [] and on_the_eve == []
    # screening days -28..-1 before day 1 (schedule.yaml): closed on 2026-03-15
    assert [(w.kind, w.dates) for w in on_the_day] == [
        ("screening_window_closed", (date(2026, 2, 16), date(2026, 3, 15)))
    ]
    assert [w.kind for w in after] == ["baseline_passed", "screening_window_closed"]
    assert after[0].dates == (date(2026, 3, 16),)
    assert [w.kind for w in unset] == ["baseline_not_set"]


def replace_dates(candidate: object, **dates: date | None) -> object:
    """A stand-in candidate whose study dates are ``dates`` (the warnings read only those)."""

    class Dated:
        def date_of(self, anchor: str) -> date | None:
            return dates.get(anchor, candidate.date_of(anchor))  # type: ignore[attr-defined]

    return Dated()


def test_a_back_dated_enrolment_is_not_before_the_consent(store: Store) -> None:
    investigator = prepare_study(store)
    [cid] = eligible_candidates(store, investigator, 1)  # consented 2026-02-27
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with pytest.raises(InputError) as early, store.transaction() as session:
        enrolment.enrol(
            session, actor="coord", study=STUDY, candidate_id=cid, expected_version=None,
            today=TODAY, now=now, on=date(2026, 2, 26), zone=SHANGHAI,
        )  # fmt: skip
    assert early.value.field == "on" and "2026-02-27" in early.value.message
    with store.transaction() as session:
        row = enrolment.enrol(
            session, actor="coord", study=STUDY, candidate_id=cid, expected_version=None,
            today=TODAY, now=now, on=date(2026, 2, 28), zone=SHANGHAI,
        )  # fmt: skip
        assert row.enrolled_at == datetime(2026, 2, 27, 16, 0, tzinfo=UTC)  # 02-28 00:00 +08
        assert cands.candidate_or_404(session, cid).outcome_at == row.enrolled_at
    later = now + timedelta(days=1)
    with store.transaction() as session:
        withdrawn = enrolment.withdraw(
            session, actor="coord", candidate_id=cid, expected_version=None,
            withdrawn_on=date(2026, 3, 3), reason="moved away", now=later, zone=SHANGHAI,
        )  # fmt: skip
        assert withdrawn.withdrawn_at == datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
