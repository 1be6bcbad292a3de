"""Adverse events recorded and corrected: coded to CTCAE v5.0 with its SOC, graded with a
grade the term defines, dated with ISO 8601 partial dates, serious only by the ICH E2A
criteria ticked; every bad input a clear message at its field, all at once, nothing
stored, the audit chain intact. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trialdesk.errors import FieldErrors, InputError, NotFoundError
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.safety.event_input import EventInput
from trialdesk.trial.safety.events import emergence, event_fields, events_of
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.stale import StaleError

from .conduct_helpers import enrolled, inject
from .helpers import audit_rows
from .screening_helpers import STUDY
from .test_safety_helpers import record, update, written


def refused(store: Store, pid: int, **changes: object) -> dict[str, list[str]]:
    """The messages per field of a refused event; nothing was written, the chain holds."""
    before = written(store)
    with pytest.raises(FieldErrors) as caught:
        record(store, pid, **changes)
    assert written(store) == before
    with store.read() as session:
        assert audit.verify(session).ok
    return caught.value.by_field


@pytest.fixture
def injected(store: Store) -> int:
    """A participant consented on 2026-02-27, injected on day 1, 2026-03-16."""
    _, (pid,) = enrolled(store)
    inject(store, pid)
    return pid


def test_an_event_is_coded_numbered_and_audited(store: Store, injected: int) -> None:
    first = record(store, injected, term="injection site reaction", grade=1).event
    second = record(store, injected).event
    assert (first.sequence, second.sequence) == (1, 2)
    assert first.term == "Injection site reaction"  # as the list spells it
    assert first.soc == "General disorders and administration site conditions"
    assert first.meddra_code == "10022095"
    assert first.special_interest == ["injection_site_reaction"]  # from the term alone
    assert not first.serious and first.seriousness == []
    assert (first.onset_date, first.end_date) == ("2026-03-18", "2026-03-25")
    (entry,) = [r for r in audit_rows(store) if r.entity == "adverse_event" and
                r.entity_id == str(first.id)]  # fmt: skip
    assert entry.action == "create" and entry.actor == "coord"
    assert entry.changes["term"] == [None, "Injection site reaction"]
    assert entry.changes["grade"] == [None, 1]
    with store.read() as session:
        participant = participant_or_404(session, injected)
        assert [e.sequence for e in events_of(session, participant)] == [1, 2]
        assert audit.verify(session).ok


def test_the_bad_inputs_of_the_issue_each_at_its_field_all_at_once(
    store: Store, injected: int
) -> None:
    """An end before onset, grade 5 without a fatal outcome, a term not in the list, an
    event before consent: one refusal naming each, nothing stored."""
    fields = refused(
        store, injected, onset="2026-02-20", end="2026-02-10", grade=5, term="Knee pain"
    )
    assert set(fields) == {"onset", "end", "outcome", "term"}
    assert "before the informed consent was signed (2026-02-27)" in fields["onset"][0]
    assert "2026-02-10 is before the onset (2026-02-20)" in fields["end"][0]
    assert "grade 5" in fields["outcome"][0] and "FATAL" in fields["outcome"][0]
    assert "'Knee pain' is not in the CTCAE v5.0 term list" in fields["term"][0]


def test_serious_is_never_typed_only_derived_from_the_criteria(store: Store, injected: int) -> None:
    assert "serious" not in EventInput.__dataclass_fields__  # nothing to tick "serious" with
    event = record(store, injected, seriousness=("hospitalisation",), grade=3).event
    assert event.serious and event.seriousness == ["hospitalisation"]
    assert event_fields(event)["hospitalisation"] is True
    fields = refused(store, injected, seriousness=("serious",))
    assert "'serious' is not an ICH E2A seriousness criterion" in fields["seriousness"][0]


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        (dict(term="Joint infection", grade=1), "grade", "Joint infection has no grade 1"),
        (dict(term="Arthralgia", grade=5), "grade", "its grades: 1, 2, 3"),  # "-" in CTCAE
        (dict(grade=6), "grade", "from 1 to 5"),
        (dict(grade="two"), "grade", "from 1 to 5"),
        (dict(grade=None), "grade", "choose the CTCAE grade"),
        (dict(term=""), "term", "choose a CTCAE term"),
        (dict(verbatim="  "), "verbatim", "write the event"),
        (dict(onset=None), "onset", "give the date"),
        (dict(onset="18/03/2026"), "onset", "YYYY, YYYY-MM or YYYY-MM-DD"),
        (dict(onset="2026-04-03", end=None, outcome="RECOVERING/RESOLVING"), "onset",
         "in the future"),
        (dict(end="2026-02"), "end", "before the onset"),
        (dict(outcome="FATAL", seriousness=("death",)), "grade", "a fatal event is grade 5"),
        (dict(grade=4, seriousness=("death",)), "seriousness", "the outcome is FATAL"),
        (dict(term="Joint infection", grade=5, outcome="FATAL"), "seriousness",
         "tick 'results in death'"),
        (dict(outcome="NOT RECOVERED/NOT RESOLVED"), "end", "says the event goes on"),
        (dict(end=None), "end", "says the event ended: give the date it ended"),
        (dict(action_taken="DOSE NOT CHANGED"), "action_taken", "NOT APPLICABLE"),
        (dict(action_taken="stopped"), "action_taken", "is not one of"),
        (dict(outcome=None), "outcome", "choose one of"),
        (dict(special_interest=("ra_flare",), term="Joint infection"), "special_interest",
         "not Joint infection"),
        (dict(special_interest=("septic",)), "special_interest", "'septic' is not an adverse"),
        (dict(baseline_grade=1), "worsened_on", "needs both"),
        (dict(baseline_grade=2, worsened_on="2026-04-01"), "baseline_grade",
         "higher grade (2) than before day 1 (2)"),
    ],
)  # fmt: skip
def test_each_rule_of_an_event_refuses_at_its_field(
    store: Store, injected: int, changes: dict[str, object], field: str, says: str
) -> None:
    fields = refused(store, injected, **changes)
    assert field in fields, fields
    assert any(says in message for message in fields[field]), fields[field]


def test_a_fatal_grade_5_event_is_serious_by_death_with_its_date(
    store: Store, injected: int
) -> None:
    event = record(
        store, injected, term="Joint infection", grade=5, outcome="FATAL",
        seriousness=("death", "hospitalisation"), end="2026-03-30",
    ).event  # fmt: skip
    assert event.serious and event.seriousness == ["death", "hospitalisation"]
    assert event.special_interest == ["joint_infection"]


def test_partial_dates_are_refused_only_when_certainly_wrong(store: Store, injected: int) -> None:
    # the month of consent: the onset may be after it; an end "2026-03" may be after "2026-03-18"
    assert record(store, injected, onset="2026-02", end="2026-03").event.onset_date == "2026-02"
    assert record(store, injected, onset="2026-03-18", end="2026-03").event.end_date == "2026-03"
    assert "onset" in refused(store, injected, onset="2026-01", end="2026-03")


def test_an_event_before_day_1_is_recorded_and_is_not_treatment_emergent(store: Store) -> None:
    _, (pid,) = enrolled(store)  # consented, not injected yet
    before = record(store, pid, onset="2026-03-05", end="2026-03-08",
                    action_taken="DRUG INTERRUPTED").event  # fmt: skip
    inject(store, pid)
    after = record(store, pid).event
    with store.read() as session:
        participant = participant_or_404(session, pid)
        assert emergence(STUDY, participant, before) is None
        assert emergence(STUDY, participant, after) == "began on or after day 1"


def test_a_condition_that_worsened_after_day_1_is_treatment_emergent(
    store: Store, injected: int
) -> None:
    event = record(
        store, injected, verbatim="knee effusion, worse since the injection", onset="2026-03-01",
        end=None, outcome="RECOVERING/RESOLVING", grade=3, baseline_grade=1,
        worsened_on="2026-03",
    ).event  # fmt: skip
    with store.read() as session:
        participant = participant_or_404(session, injected)
        assert emergence(STUDY, participant, event) == "worsened after day 1 from grade 1"
    fields = refused(store, injected, onset="2026-03-20", baseline_grade=1,
                     worsened_on="2026-03-25")  # fmt: skip
    assert "it had no grade before day 1" in fields["baseline_grade"][0]


def test_an_aesi_staff_confirm_is_kept_with_those_the_term_decides(
    store: Store, injected: int
) -> None:
    flare = record(store, injected, term="Arthritis", special_interest=("ra_flare",)).event
    assert flare.special_interest == ["ra_flare"]
    elsewhere = record(store, injected, term="Arthritis").event  # another joint: not ticked
    assert elsewhere.special_interest == []


def test_a_correction_names_its_reason_and_is_refused_on_a_stale_form(
    store: Store, injected: int
) -> None:
    event = record(store, injected).event
    opened = event.version
    corrected = update(store, injected, event, grade=3, version=opened).event
    assert corrected.grade == 3 and corrected.version == opened + 1
    entry = audit_rows(store)[-1]
    assert (entry.action, entry.entity, entry.reason) == ("update", "adverse_event",
                                                          "corrected from source")  # fmt: skip
    assert entry.changes == {"grade": [2, 3]}
    with pytest.raises(StaleError):
        update(store, injected, event, grade=1, version=opened)
    with pytest.raises(FieldErrors) as no_reason:
        update(store, injected, corrected, grade=1, reason=" ", end="2026-02-01")
    assert set(no_reason.value.by_field) == {"reason", "end"}
    with pytest.raises(InputError, match="nothing changed"):
        update(store, injected, corrected, grade=3)


def test_an_event_is_found_only_under_its_participant(store: Store) -> None:
    _, (a, b) = enrolled(store, 2)
    event = record(store, a, onset="2026-03-05", end="2026-03-06").event
    with pytest.raises(NotFoundError):
        update(store, b, event, grade=1)
    with pytest.raises(NotFoundError):
        record(store, 10**9)


def test_the_verbatim_text_is_checked_as_every_typed_text(store: Store, injected: int) -> None:
    fields = refused(store, injected, verbatim="swollen\x00knee")
    assert "control characters" in fields["verbatim"][0]
    assert "at most 200" in refused(store, injected, verbatim="x" * 201)["verbatim"][0]


def test_the_site_date_decides_the_future(store: Store, injected: int) -> None:
    """At 20:00 UTC on 1 April it is already 2 April in Shanghai: an onset that day is
    not in the future."""
    late = datetime(2026, 4, 1, 20, 0, tzinfo=UTC)
    assert record(store, injected, onset="2026-04-02", end=None, now=late,
                  outcome="RECOVERING/RESOLVING").event.onset_date == "2026-04-02"  # fmt: skip


def test_a_refused_correction_leaves_the_event_and_the_log_as_they_were(
    store: Store, injected: int
) -> None:
    event = record(store, injected).event
    before = [(r.id, r.hash) for r in audit_rows(store)]
    with pytest.raises(FieldErrors):
        update(store, injected, event, grade=9, term="nope")
    assert [(r.id, r.hash) for r in audit_rows(store)] == before
    with store.read() as session:
        participant = participant_or_404(session, injected)
        (kept,) = events_of(session, participant)
        assert event_fields(kept) == event_fields(event) and kept.version == event.version
