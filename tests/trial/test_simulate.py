"""The simulated trial (`trialdesk trial simulate`): the same seed and as-of date give the
same store, on SQLite and PostgreSQL alike; the audit chain holds; N are enrolled, or the
study's target with a note; every derived score is what its inputs give; nothing is dated
after the as-of date; missed visits and early endings are recorded through the services,
and each planned screen failure fails at its criterion."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from trialdesk.errors import ConflictError
from trialdesk.study.loader import Study, load_study
from trialdesk.study.windows import site_today
from trialdesk.trial import accounts
from trialdesk.trial.accounts.models import Signature
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.conduct.derive import compute_item
from trialdesk.trial.conduct.form_data import participant_forms
from trialdesk.trial.conduct.models import Disposition, FormRecord, VisitRecord
from trialdesk.trial.conduct.participants import list_participants
from trialdesk.trial.safety.models import AdverseEvent, CausalityAssessment
from trialdesk.trial.screening.models import Candidate, Enrolment, EnteredFact, Judgment
from trialdesk.trial.simulate.population import FAILURES, Intended, draw_person, intended_of
from trialdesk.trial.simulate.rates import Rates
from trialdesk.trial.simulate.run import Simulation, simulate
from trialdesk.trial.store.audit import verify
from trialdesk.trial.store.db import Store, open_store
from trialdesk.trial.store.models import AuditRecord

from .helpers import PASSWORD

STUDY = load_study("NCT06947746")  # enrolment target 15 (ctgov.json)
AS_OF = date(2026, 11, 30)
SEED = 7


def dump(store: Store) -> dict[str, Any]:
    """What a simulated store holds, by natural keys (no row ids, no password hashes)."""
    with store.read() as session:
        number = {e.candidate_id: e.subject_number for e in session.scalars(select(Enrolment))}
        record = {c.id: c.record_number for c in session.scalars(select(Candidate))}
        by_enrolment = {e.id: e.subject_number for e in session.scalars(select(Enrolment))}
        candidates = sorted(
            (c.record_number, c.name, str(c.birth_date), c.sex, c.status.value,
             sorted(c.failed_criteria), c.outcome_reason,
             json.dumps([c.anchor_dates, c.parameters], sort_keys=True), str(c.created_at),
             number.get(c.id))
            for c in session.scalars(select(Candidate))
        )  # fmt: skip
        facts = sorted(
            (record[f.candidate_id], f.concept, str(f.on), f.value, f.unit, f.upper_limit)
            for f in session.scalars(select(EnteredFact))
        )
        judged = sorted(
            (record[j.candidate_id], j.criterion_id, j.decision, j.reason)
            for j in session.scalars(select(Judgment))
        )
        visits = sorted(
            (by_enrolment[v.enrolment_id], v.key, str(v.visit_date), v.missed_reason,
             str(v.recorded_at))
            for v in session.scalars(select(VisitRecord))
        )  # fmt: skip
        forms = sorted(
            (by_enrolment[f.enrolment_id], f.visit_key, f.form_id, f.row, f.status.value,
             json.dumps([f.values, f.entered, f.derived, f.flags], sort_keys=True),
             str(f.updated_at))
            for f in session.scalars(select(FormRecord))
        )  # fmt: skip
        ended = sorted(
            (by_enrolment[d.enrolment_id], d.term, str(d.ended_on), d.reason)
            for d in session.scalars(select(Disposition))
        )
        events = sorted(
            (by_enrolment[e.enrolment_id], e.sequence, e.term, e.grade, e.onset_date,
             e.end_date, e.outcome, str(e.recorded_at), str(e.updated_at))
            for e in session.scalars(select(AdverseEvent))
        )  # fmt: skip
    return {
        "candidates": candidates, "facts": facts, "judgments": judged, "visits": visits,
        "forms": forms, "dispositions": ended, "adverse_events": events,
    }  # fmt: skip


def _other_notes(sim: Simulation) -> list[str]:
    """The notes but the one every run has (its adverse events are an assumption)."""
    return [note for note in sim.notes if not note.startswith("adverse events:")]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def trial_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty store for the module's simulation, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('simulated') / 'trial.db'}"
        return
    import psycopg

    server: str = request.getfixturevalue("pg_server")
    schema = f"td_sim_{os.getpid()}_{os.urandom(4).hex()}"
    plain = server.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')  # type: ignore[arg-type]
    try:
        yield f"{server}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def simulated(trial_url: str) -> Iterator[tuple[Store, Simulation]]:
    """20 participants asked for, on a study whose target is 15, up to AS_OF."""
    store = open_store(trial_url)
    try:
        yield store, simulate(store, STUDY, participants=20, seed=SEED, as_of=AS_OF)
    finally:
        store.close()


def test_the_same_seed_and_date_give_the_same_store(
    simulated: tuple[Store, Simulation], tmp_path: Path
) -> None:
    store, _ = simulated
    again = open_store(f"sqlite:///{tmp_path / 'again.db'}")  # on SQLite whatever the first
    try:
        simulate(again, STUDY, participants=20, seed=SEED, as_of=AS_OF)
        assert dump(again) == dump(store)
        other = open_store(f"sqlite:///{tmp_path / 'other.db'}")
        simulate(other, STUDY, participants=20, seed=SEED + 1, as_of=AS_OF)
        assert dump(other)["forms"] != dump(store)["forms"]  # the seed matters
        other.close()
    finally:
        again.close()


def test_the_audit_chain_verifies(simulated: tuple[Store, Simulation]) -> None:
    store, _ = simulated
    with store.read() as session:
        report = verify(session)
    assert report.ok, report.problems
    assert report.rows > 1000


def test_enrolment_stops_at_the_target_with_a_note(simulated: tuple[Store, Simulation]) -> None:
    store, sim = simulated
    assert sim.enrolled == sim.enrolling == 15 == STUDY.target_enrollment
    assert any("enrolment target" in note and "15 enrolled" in note for note in sim.notes)
    with store.read() as session:
        assert len(list_participants(session, STUDY.id)) == 15
        statuses = {c.status.value for c in session.scalars(select(Candidate))}
    assert {"enrolled", "screen_failed", "declined"} <= statuses


def test_exactly_n_are_enrolled_below_the_target(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'five.db'}")
    try:
        sim = simulate(store, STUDY, participants=5, seed=3, as_of=AS_OF)
        with store.read() as session:
            assert len(list_participants(session, STUDY.id)) == 5 == sim.enrolled
        assert _other_notes(sim) == []
    finally:
        store.close()


def test_every_derived_score_is_what_its_inputs_give(simulated: tuple[Store, Simulation]) -> None:
    store, _ = simulated
    computed: set[str] = set()
    with store.read() as session:
        for participant in list_participants(session, STUDY.id):
            data = participant_forms(session, STUDY, participant)
            for where in data.forms.values():
                form = STUDY.forms[where.form_id]
                for item in form.derived:
                    stored = where.derived.get(item.id)
                    assert stored == compute_item(STUDY, data, where, form, item), (
                        participant.subject_number,
                        where.visit_key,
                        item.id,
                    )
                    if stored is not None and stored.get("value") is not None:
                        computed.add(item.id)
    # scores of every kind were computed: DAS28, CDAI, SDAI, EULAR response, HAQ-DI,
    # WOMAC (with its response format) and the ultrasound grade
    assert {"das28_crp", "das28_esr", "cdai", "sdai", "eular_response_crp", "haq_di",
            "pain_score", "total_score", "combined_grade"} <= computed  # fmt: skip


def test_nothing_is_dated_after_the_as_of_date(simulated: tuple[Store, Simulation]) -> None:
    store, _ = simulated
    schedule = STUDY.schedule
    with store.read() as session:
        visits = [v.visit_date for v in session.scalars(select(VisitRecord)) if v.visit_date]
        assert visits and max(visits) <= AS_OF
        ended = [d.ended_on for d in session.scalars(select(Disposition))]
        assert ended and max(ended) <= AS_OF
        entered = [site_today(schedule, f.updated_at) for f in session.scalars(select(FormRecord))]
        assert max(entered) <= AS_OF
        signed = [site_today(schedule, s.signed_at) for s in session.scalars(select(Signature))]
        assert max(signed) <= AS_OF
        audited = session.scalars(
            select(AuditRecord.at).where(AuditRecord.entity != "user_account")
        ).all()  # the demo accounts are made at the wall clock's time
        assert max(site_today(schedule, at) for at in audited) <= AS_OF


def test_some_visits_are_missed_and_some_end_early(simulated: tuple[Store, Simulation]) -> None:
    store, sim = simulated
    with store.read() as session:
        missed = session.scalars(
            select(VisitRecord).where(VisitRecord.missed_reason.is_not(None))
        ).all()
        terms = [d.term for d in session.scalars(select(Disposition))]
    assert len(missed) == sim.tally.missed > 0
    assert "COMPLETED" in terms and any(t != "COMPLETED" for t in terms)
    in_follow_up = sim.enrolled - len(terms)
    assert in_follow_up > 0  # at the as-of date, some are between visits


def test_every_way_of_ending_goes_through_the_services(tmp_path: Path) -> None:
    """With a discontinuation and a missed-visit rate far above the default, each way
    participation can end is recorded: withdrawal closes the candidate, an early
    termination visit has its forms, a missed visit says why."""
    store = open_store(f"sqlite:///{tmp_path / 'ending.db'}")
    rates = Rates(discontinued=0.9, missed_visit=0.3)
    try:
        sim = simulate(store, STUDY, participants=15, seed=11, as_of=AS_OF, rates=rates)
        with store.read() as session:
            ends = {d.term: d for d in session.scalars(select(Disposition))}
            assert {"WITHDRAWAL BY SUBJECT", "LOST TO FOLLOW-UP"} <= set(ends)
            withdrawn = session.scalars(
                select(Candidate).where(Candidate.status == "withdrawn")
            ).all()
            assert len(withdrawn) == sim.tally.ended_early["WITHDRAWAL BY SUBJECT"]
            termination = session.scalars(
                select(FormRecord).where(FormRecord.visit_key == "ET")
            ).all()
            assert termination  # the early termination visit's forms were entered
            lost = ends["LOST TO FOLLOW-UP"]
            assert lost.visit_record_id is None  # no visit: they could not be reached
        assert sim.tally.missed > 5
    finally:
        store.close()


def test_each_planned_screen_failure_fails_at_its_criterion(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'fails.db'}")
    rates = Rates(screen_fail=0.85, declined=0.0)
    try:
        sim = simulate(store, STUDY, participants=3, seed=6, as_of=AS_OF, rates=rates)
        with store.read() as session:
            candidates = {c.record_number: c for c in session.scalars(select(Candidate))}
            judged = {
                candidates_id: criterion
                for candidates_id, criterion in session.execute(
                    select(Judgment.candidate_id, Judgment.criterion_id).where(
                        Judgment.decision == "met", Judgment.criterion_id.like("E%")
                    )
                )
            }
        planned = set()
        for index in range(sim.tally.candidates):
            if intended_of(6, index, rates) is not Intended.SCREEN_FAIL:
                continue
            failure = draw_person(STUDY, 6, index, AS_OF, Intended.SCREEN_FAIL, rates).failure
            c = candidates[f"SIM-{index + 1:06d}"]
            assert c.status.value == "screen_failed" and failure in c.failed_criteria
            assert judged.get(c.id) == ("E26" if failure == "E26" else None)  # signed
            planned.add(failure)
        assert planned == {reason for reason, _ in FAILURES}  # every reason was tried
    finally:
        store.close()


def test_commits_wait_for_the_disk_again_once_the_simulation_is_over(tmp_path: Path) -> None:
    """While a simulation fills a SQLite store its commits do not wait for the disk
    (synchronous NORMAL: in WAL mode a commit survives the process crashing); the store's
    own setting (SQLite's default, FULL) is back for whatever uses it next."""
    store = open_store(f"sqlite:///{tmp_path / 'sync.db'}")
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        with store.engine.connect() as conn:
            seen.append(conn.exec_driver_sql("PRAGMA synchronous").scalar_one())

    try:
        simulate(store, STUDY, participants=1, seed=3, as_of=AS_OF, progress=progress)
        with store.engine.connect() as conn:
            after = conn.exec_driver_sql("PRAGMA synchronous").scalar_one()
    finally:
        store.close()
    assert seen and set(seen) == {1}  # NORMAL
    assert after == 2  # FULL


def test_a_study_copy_with_a_larger_target_enrols_more(tmp_path: Path) -> None:
    """The benchmark's way past NCT06947746's 15 places: a copy of the study folder whose
    registry record says more (the protocol itself unchanged)."""
    study = _with_target(STUDY, 20, tmp_path)
    store = open_store(f"sqlite:///{tmp_path / 'twenty.db'}")
    try:
        sim = simulate(store, study, participants=18, seed=2, as_of=AS_OF)
        assert sim.enrolled == 18 and _other_notes(sim) == []
    finally:
        store.close()


def _with_target(study: Study, target: int, into: Path) -> Study:
    folder = into / "study"
    shutil.copytree(study.folder, folder)
    record = json.loads((folder / "ctgov.json").read_text())
    record["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = target
    (folder / "ctgov.json").write_text(json.dumps(record))
    return load_study(str(folder))


runner = CliRunner()


def test_the_command_simulates_and_says_how_to_sign_in(tmp_path: Path) -> None:
    from trialdesk.cli.trial import trial_app
    from trialdesk.trial.simulate.staff import DEMO_PASSWORD

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    args = ["simulate", "--participants", "3", "--seed", "4", "--as-of", "2026-10-01",
            "--database-url", url]  # fmt: skip
    result = runner.invoke(trial_app, args)
    assert result.exit_code == 0, result.output
    assert "3 enrolled" in result.output
    assert "sim.coordinator (coordinator)" in result.output
    assert "sim.investigator (investigator)" in result.output
    assert result.output.count(DEMO_PASSWORD) == 1 and "DEMO ONLY" in result.output
    again = runner.invoke(trial_app, args)
    assert again.exit_code == 2 and "already holds" in again.output
    future = runner.invoke(trial_app, [*args[:5], "--as-of", "2999-01-01", *args[7:]])
    assert future.exit_code == 2 and "--as-of" in future.output


def test_a_store_with_staff_of_its_own_is_refused(store: Store) -> None:
    """The demo accounts' password is published: they never join real accounts."""
    with store.transaction() as session:
        accounts.create_user(
            session, actor="system", username="ann", password=PASSWORD, role=Role.ADMIN,
            reason="the site's own admin",
        )  # fmt: skip
    with pytest.raises(ConflictError, match="staff account"):
        simulate(store, STUDY, participants=2, seed=1, as_of=AS_OF)
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Candidate)) == 0
        assert accounts.find_user(session, "sim.coordinator") is None


W4_ON = date(2026, 4, 13)  # day 29 of the helpers' day 1 (2026-03-16)
BASELINE_FORMS: list[tuple[str, dict[str, object]]] = [
    ("joint_counts", {"tjc28": 9, "sjc28": 6, "tjc68": 12, "sjc66": 7}),
    ("acute_phase", {"crp": "18.5", "esr": 42}),
    ("global_assessments", {"patient_global": 64, "evaluator_global": 52}),
]
WEEK_4_FORMS: list[tuple[str, dict[str, object]]] = [
    ("joint_counts", {"tjc28": 5, "sjc28": 3, "tjc68": 7, "sjc66": 4}),
    ("acute_phase", {"crp": "9.5", "esr": 30}),
    ("global_assessments", {"patient_global": 45, "evaluator_global": 38}),
    ("womac", {"knee": "right", **{f"pain_{i}": "2" for i in range(1, 6)},
               "stiffness_1": "1", "stiffness_2": "2",
               **{f"function_{i}": str(i % 3) for i in range(1, 18)}}),
    ("vital_signs", {"sysbp": 128, "diabp": 78, "pulse": 72, "temp": "36.6", "weight": "61.5"}),
]  # fmt: skip


def _week_4(store: Store, batch: bool) -> dict[str, Any]:
    """A participant's day 1 and week 4 forms, week 4's saved at once or one by one; the
    forms stored and the audit entries the week-4 saves wrote."""
    from trialdesk.trial.conduct.entry import FormEntry, save_form, save_forms

    from .conduct_helpers import LATER, enrolled, inject, save, visit_on
    from .screening_helpers import STUDY as HELPERS_STUDY

    _, (pid,) = enrolled(store)
    inject(store, pid)
    for form_id, values in BASELINE_FORMS:
        save(store, pid, form_id, values, visit="D1")
    visit_on(store, pid, "W4", W4_ON)
    with store.read() as session:
        first = session.scalar(select(func.max(AuditRecord.id))) or 0
    entries = [(f, FormEntry(v, complete=True)) for f, v in WEEK_4_FORMS]
    if batch:
        with store.transaction() as session:
            save_forms(
                session, actor="coord", study=HELPERS_STUDY, enrolment_id=pid, visit_id="W4",
                forms=entries, now=LATER,
            )  # fmt: skip
    else:
        for form_id, entry in entries:
            with store.transaction() as session:
                save_form(
                    session, actor="coord", study=HELPERS_STUDY, enrolment_id=pid,
                    form_id=form_id, entry=entry, now=LATER, visit_id="W4",
                )  # fmt: skip
    with store.read() as session:
        forms = sorted(
            (f.id, f.visit_key, f.form_id, f.status.value, f.values, f.derived, f.flags)
            for f in session.scalars(select(FormRecord))
        )
        audited = [
            (a.entity, a.entity_id, a.action, a.changes, a.reason)
            for a in session.scalars(select(AuditRecord).where(AuditRecord.id > first))
        ]
    return {"forms": forms, "audit": audited}


def test_a_visit_saved_at_once_is_stored_and_audited_as_form_by_form(tmp_path: Path) -> None:
    """save_forms (the simulator's) stores what save_form does, one form after another:
    the same records, derived values and audit entries, in the same order."""
    at_once = open_store(f"sqlite:///{tmp_path / 'at-once.db'}")
    one_by_one = open_store(f"sqlite:///{tmp_path / 'one-by-one.db'}")
    try:
        batch, single = _week_4(at_once, True), _week_4(one_by_one, False)
    finally:
        at_once.close()
        one_by_one.close()
    assert batch == single
    scores = next(f for f in batch["forms"] if f[1:3] == ("W4", "disease_activity"))[5]
    assert scores["das28_esr"]["value"] is not None
    assert scores["eular_response_esr"]["value"] in ("good", "moderate", "none")
    womac = next(f for f in batch["forms"] if f[1:3] == ("W4", "womac"))[5]
    assert womac["pain_score"]["value"] == "10.00" and womac["pain_score"]["inputs"]["format"]
    recomputed = [a for a in batch["audit"] if a[4] == "recomputed from its inputs"]
    assert recomputed  # the scores moved with each form, and each move was audited


def test_adverse_events_are_recorded_with_their_causality_signed(
    simulated: tuple[Store, Simulation],
) -> None:
    """Each simulated event is recorded through the safety service by the investigator,
    with a signed, current causality assessment; none begins before day 1 (they follow
    the injection) or after the as-of date; the run says its rates are an assumption."""
    store, sim = simulated
    assert any(n.startswith("adverse events: a simulation assumption") for n in sim.notes)
    with store.read() as session:
        events = list(session.scalars(select(AdverseEvent)))
        assessed = {a.adverse_event_id for a in session.scalars(select(CausalityAssessment))}
        day1 = {p.id: p.day1(STUDY) for p in list_participants(session, STUDY.id)}
    assert len(events) == sim.tally.adverse_events > 0
    for event in events:
        assert event.id in assessed
        first = day1[event.enrolment_id]
        assert first is not None
        assert first <= date.fromisoformat(event.onset_date) <= AS_OF
        assert (event.end_date is None) == (event.outcome == "NOT RECOVERED/NOT RESOLVED")
