"""Following participants: visit signatures that lapse when the data change, the end of
participation in CDISC terms (a withdrawal keeps every datum), and a site dashboard whose
counts are the participants' own badges."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from trialdesk.errors import ConflictError, ForbiddenError, InputError
from trialdesk.study.windows import VisitStatus
from trialdesk.trial import accounts
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.accounts.signatures import SignatureRefused
from trialdesk.trial.conduct import disposition, signoff, visits
from trialdesk.trial.conduct.calendar import calendar
from trialdesk.trial.conduct.dashboard import badges_of, dashboard
from trialdesk.trial.conduct.models import FormRecord, VisitRecord
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.screening.models import Candidate, CandidateStatus
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store

from .conduct_helpers import LATER, SHANGHAI, enrol, enrolled, inject, save, visit_on
from .helpers import PASSWORD, count
from .screening_helpers import STUDY

D2 = date(2026, 3, 17)
VITALS = {"sysbp": 128, "diabp": 78, "pulse": 72, "temp": "36.6", "weight": "61.5"}


def sign(store: Store, user_id: int, pid: int, visit: str, password: str = PASSWORD) -> None:
    with store.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        signoff.sign_visit(
            session, signer=user, password=password, study=STUDY, enrolment_id=pid,
            visit_id=visit, now=LATER,
        )  # fmt: skip


def signature_state(store: Store, pid: int, visit: str) -> signoff.VisitSignatureState:
    with store.read() as session:
        participant = participant_or_404(session, pid)
        record = visits.visit_record_or_404(session, participant, visit)
        return signoff.visit_signature_state(session, participant, record)


@pytest.fixture
def at_day_2(store: Store) -> tuple[int, int]:
    """(the investigator, a participant whose day-2 visit took place)."""
    investigator, (pid,) = enrolled(store)
    inject(store, pid)
    visit_on(store, pid, "D2", D2)
    return investigator, pid


def test_a_visit_is_signed_when_complete_and_lapses_on_any_change(
    store: Store, at_day_2: tuple[int, int]
) -> None:
    investigator, pid = at_day_2
    vitals = save(store, pid, "vital_signs", VITALS, visit="D2")
    with pytest.raises(InputError, match="complete every form first: Pain"):
        sign(store, investigator, pid, "D2")
    save(store, pid, "pain_vas", {"pain_vas": 40}, visit="D2")
    with pytest.raises(SignatureRefused):
        sign(store, investigator, pid, "D2", password="wrong")
    sign(store, investigator, pid, "D2")
    state = signature_state(store, pid, "D2")
    assert state.current and state.signature is not None
    assert state.signature.meaning == "visit data review"
    with pytest.raises(InputError, match="signed already"):
        sign(store, investigator, pid, "D2")
    save(store, pid, "vital_signs", {**VITALS, "pulse": 80}, visit="D2", version=vitals.version,
         reason="transcription error")  # fmt: skip
    lapsed = signature_state(store, pid, "D2")
    assert lapsed.lapsed and lapsed.signature is not None
    assert lapsed.signature.id == state.signature.id  # kept, shown as no longer current
    sign(store, investigator, pid, "D2")
    assert signature_state(store, pid, "D2").current


def test_a_coordinator_cannot_sign_a_visit(store: Store, at_day_2: tuple[int, int]) -> None:
    _, pid = at_day_2
    with store.transaction() as session:
        coordinator = accounts.create_user(
            session, actor="system", username="cora", password=PASSWORD, role=Role.COORDINATOR,
            reason="test",
        )  # fmt: skip
        coordinator_id = coordinator.id
    save(store, pid, "vital_signs", VITALS, visit="D2")
    save(store, pid, "pain_vas", {"pain_vas": 40}, visit="D2")
    with pytest.raises(ForbiddenError):
        sign(store, coordinator_id, pid, "D2")


def test_a_withdrawal_keeps_every_datum_and_stops_the_calendar(
    store: Store, at_day_2: tuple[int, int]
) -> None:
    _, pid = at_day_2
    save(store, pid, "vital_signs", VITALS, visit="D2")
    kept = (count(store, FormRecord), count(store, VisitRecord))
    with store.transaction() as session:
        disposition.end_participation(
            session, actor="coord", study=STUDY, enrolment_id=pid,
            term="WITHDRAWAL BY SUBJECT", ended_on=date(2026, 4, 1), reason="moved away",
            now=LATER, termination_visit_on=date(2026, 4, 2),
        )  # fmt: skip
    assert count(store, FormRecord) == kept[0]
    assert count(store, VisitRecord) == kept[1] + 1  # the early termination visit
    with store.read() as session:
        participant = participant_or_404(session, pid)
        assert participant.disposition is not None
        assert participant.disposition.term == "WITHDRAWAL BY SUBJECT"
        candidate = session.get(Candidate, participant.candidate.id)
        assert candidate is not None and candidate.status is CandidateStatus.WITHDRAWN
        rows = {r.key: r for r in calendar(session, STUDY, participant, LATER.date())}
        assert rows["W1"].status is VisitStatus.MISSED  # its window closed before the end
        assert rows["W4"].status is VisitStatus.NOT_DUE
        assert rows["ET"].status is VisitStatus.DONE_IN_WINDOW
        assert audit.verify(session).ok
    with pytest.raises(ConflictError, match="already ended"), store.transaction() as session:
        disposition.end_participation(
            session, actor="coord", study=STUDY, enrolment_id=pid, term="DEATH",
            ended_on=date(2026, 4, 3), reason=None, now=LATER,
        )  # fmt: skip
    save(store, pid, "vital_signs", VITALS, visit="ET")  # the termination visit's forms


def test_completion_is_at_week_24(store: Store, at_day_2: tuple[int, int]) -> None:
    _, pid = at_day_2
    late = pytest.raises(InputError, match="completion is at Week 24")
    with late, store.transaction() as session:
        disposition.end_participation(
            session, actor="coord", study=STUDY, enrolment_id=pid, term="COMPLETED",
            ended_on=date(2026, 9, 1), reason=None, now=LATER,
        )  # fmt: skip
    with pytest.raises(InputError, match="not a disposition term"), store.transaction() as session:
        disposition.end_participation(
            session, actor="coord", study=STUDY, enrolment_id=pid, term="BORED",
            ended_on=date(2026, 9, 1), reason=None, now=LATER,
        )  # fmt: skip
    visit_on(store, pid, "W24", date(2026, 9, 1))
    with store.transaction() as session:
        done = disposition.end_participation(
            session, actor="coord", study=STUDY, enrolment_id=pid, term="COMPLETED",
            ended_on=date(2026, 9, 1), reason=None, now=LATER,
        )  # fmt: skip
        assert done.term == "COMPLETED"


def test_a_missed_visit_and_its_reason(store: Store, at_day_2: tuple[int, int]) -> None:
    _, pid = at_day_2
    with store.transaction() as session:
        visits.mark_missed(
            session, actor="coord", study=STUDY, enrolment_id=pid, visit_id="W1",
            reason="participant unwell, could not travel", now=LATER,
        )  # fmt: skip
    with store.read() as session:
        rows = {r.key: r for r in calendar(session, STUDY, participant_or_404(session, pid),
                                           LATER.date())}  # fmt: skip
        assert rows["W1"].status is VisitStatus.MISSED
    with pytest.raises(InputError, match="not recorded yet|recorded as not done"):
        save(store, pid, "vital_signs", VITALS, visit="W1")


def test_the_dashboard_counts_are_the_participants_badges(store: Store) -> None:
    investigator, ids = enrolled(store, 3)
    ids += enrol(store, investigator, 1, start=10)
    a, b, c, d = ids
    inject(store, a)  # day 1 on 2026-03-16
    inject(store, b, administered_at="2026-03-20T09:00")
    visit_on(store, b, "D2", date(2026, 3, 21))
    save(store, b, "vital_signs", VITALS, visit="D2", complete=False)  # incomplete
    with store.transaction() as session:
        visits.mark_missed(
            session, actor="coord", study=STUDY, enrolment_id=b, visit_id="W1",
            reason="holiday", now=LATER,
        )  # fmt: skip
    inject(store, c, administered_at="2026-03-18T09:00")
    # d is not injected: everything awaits day 1
    for today in (date(2026, 3, 19), date(2026, 4, 1), date(2026, 4, 12), date(2026, 6, 1)):
        with store.read() as session:
            board = dashboard(session, STUDY, today)
            own = [
                badges_of(calendar(session, STUDY, participant_or_404(session, pid), today))
                for pid in ids
            ]
        assert [r.participant.id for r in board.rows] == ids
        for name in ("due", "overdue", "missed", "incomplete"):
            assert board.totals[name] == sum(badge.counts[name] for badge in own), (today, name)
            assert len(board.with_badge(name)) == board.totals[name]
    with store.read() as session:
        board = dashboard(session, STUDY, date(2026, 4, 1))
    by_id = {r.participant.id: r.badges for r in board.rows}
    assert [r.key for r in by_id[b].missed] == ["W1"]
    # screening and day 1 took place with forms still to enter; day 2's vitals are a draft
    assert [r.key for r in by_id[b].incomplete] == ["SCR", "D1", "D2"]
    # not injected: nothing is due yet, but screening took place with its forms to enter
    assert by_id[d].counts == {"due": 0, "overdue": 0, "missed": 0, "incomplete": 1}
    # day 17: day 2 and week 1 windows have closed; week 2's (days 12-18) is still open
    assert [r.key for r in by_id[a].overdue] == ["D2", "W1"]
    assert "W2" in [r.key for r in by_id[a].due]


def test_site_time_decides_the_day(store: Store) -> None:
    """An injection at 07:00 in Shanghai is on the site's day, though UTC is a day behind."""
    _, (pid,) = enrolled(store)
    inject(store, pid, administered_at="2026-03-16T07:00")
    with store.read() as session:
        assert participant_or_404(session, pid).day1(STUDY) == date(2026, 3, 16)
        stored = session.scalars(select(FormRecord)).one().values["administered_at"]
    assert datetime.fromisoformat(stored).astimezone(SHANGHAI).hour == 7
