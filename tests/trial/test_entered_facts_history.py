"""Review findings on issue 19/17 in the screening wing: entered facts are no clinical
record (history stays unknown without an upload), and "in the future" is judged on the
site's day, not UTC's."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from trialdesk.criteria.screening import Status
from trialdesk.errors import FieldErrors, InputError
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.fact_entry import FactEntry
from trialdesk.trial.screening.facts import add_fact, add_facts
from trialdesk.trial.store.db import Store

from .screening_helpers import STUDY, TODAY, example, import_candidates

HISTORY = ("I3", "I5", "E1", "E8", "E16")
DOC = "Lab report, Changzheng Hospital"
# 07:30 in Shanghai on 2026-03-02 is 23:30 UTC on 2026-03-01
EARLY_MORNING = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)


def _by_name(store: Store, now: datetime = EARLY_MORNING) -> int:
    person = cands.NewCandidate(name="Wang Fang", birth_date=date(1975, 6, 15), sex="female")
    with store.transaction() as session:
        return cands.add_candidate(
            session, actor="coord", study_id=STUDY.id, person=person, now=now
        ).id


def _alt(store: Store, cid: int, on: date, now: datetime) -> None:
    entry = FactEntry("alt", on, value="30", unit="U/L", source_document=DOC)
    with store.transaction() as session:
        add_fact(session, actor="coord", study=STUDY, candidate_id=cid, entry=entry, now=now)


def _statuses(store: Store, cid: int) -> tuple[str, dict[str, Status]]:
    with store.read() as session:
        candidate = cands.candidate_or_404(session, cid)
        result = build_checklist(session, STUDY, candidate, TODAY).result
    return result.verdict.value, {c.criterion.id: c.status for c in result.criteria}


def test_an_entered_fact_does_not_open_history_of_a_name_only_candidate(store: Store) -> None:
    cid = _by_name(store)
    _alt(store, cid, TODAY, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    verdict, status = _statuses(store, cid)
    assert {c: status[c] for c in HISTORY} == dict.fromkeys(HISTORY, Status.UNKNOWN)
    assert verdict == "incomplete"


def test_an_uploaded_record_keeps_its_history_closed_world(store: Store) -> None:
    # ex-03 holds clinical facts: nothing on file of a malignancy is none (E1 not met)
    [cid] = import_candidates(store, example("03-incomplete-no-labs.json"))
    _alt(store, cid, TODAY, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    _, status = _statuses(store, cid)
    assert status["E1"] is Status.NOT_MET


def test_a_lab_dated_today_at_the_site_is_accepted_before_0800(store: Store) -> None:
    cid = _by_name(store)
    _alt(store, cid, date(2026, 3, 2), EARLY_MORNING)  # the site's today, UTC's tomorrow
    entries = [FactEntry("alt", date(2026, 3, 2), value="31", unit="U/L", source_document=DOC)]
    with store.transaction() as session:
        add_facts(
            session, actor="coord", study=STUDY, candidate_id=cid, entries=entries,
            now=EARLY_MORNING,
        )  # fmt: skip
    with store.read() as session:
        checklist = build_checklist(session, STUDY, cands.candidate_or_404(session, cid), TODAY)
    alts = [f for f in checklist.record.facts if f.resource.startswith("EnteredFact/")]
    assert [f.start for f in alts] == [date(2026, 3, 2)] * 2


def test_a_lab_dated_after_the_sites_today_is_refused(store: Store) -> None:
    cid = _by_name(store)
    with pytest.raises(InputError, match="future"):
        _alt(store, cid, date(2026, 3, 3), EARLY_MORNING)
    entries = [FactEntry("alt", date(2026, 3, 3), value="31", unit="U/L", source_document=DOC)]
    with pytest.raises(FieldErrors), store.transaction() as session:
        add_facts(
            session, actor="coord", study=STUDY, candidate_id=cid, entries=entries,
            now=EARLY_MORNING,
        )  # fmt: skip
