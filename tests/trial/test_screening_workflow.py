"""The screening workflow at the service level, on SQLite and on PostgreSQL: imports that
are all or nothing (even when the process is killed), duplicates flagged and never merged,
signatures that lapse with their evidence, outcomes that refuse with a reason and write
nothing, consent versions, and screening-log counts that add up."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sql
from sqlalchemy.orm import Session

from trialdesk.errors import ConflictError, InputError, NotFoundError, TrialdeskError
from trialdesk.reports.consort import consort_counts
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import consent, enrolment, facts, imports, judgments, leads, trail
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.fact_entry import FactEntry
from trialdesk.trial.screening.models import (
    Candidate,
    CandidateStatus,
    Consent,
    ConsentForm,
    Enrolment,
    EnteredFact,
    FhirUpload,
    Judgment,
    Lead,
    LeadStatus,
    StudySite,
)
from trialdesk.trial.screening.screening_log import screening_log
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord

from .helpers import NOW
from .screening_helpers import (
    CONSENTED_AT,
    FORM,
    JUDGED,
    STUDY,
    TODAY,
    count,
    counts,
    date_and_consent,
    eligible_candidates,
    ex01_copies,
    example,
    import_candidates,
    prepare_study,
    sign_all,
    verdict,
)

ROWS = (Candidate, FhirUpload, EnteredFact, Judgment, Consent, Enrolment, StudySite, AuditRecord)


def nothing_written(
    store: Store, action: Callable[[], object], error: type[TrialdeskError] = InputError
) -> TrialdeskError:
    """Run ``action``, which must be refused with ``error``, and check that no row of any
    workflow table (nor the audit log) was added."""
    before = counts(store, *ROWS)
    with pytest.raises(error) as refused:
        action()
    assert counts(store, *ROWS) == before
    return refused.value


def in_transaction(store: Store, work: Callable[[Session], Any]) -> Callable[[], Any]:
    def run() -> Any:
        with store.transaction() as session:
            return work(session)

    return run


def candidate(store: Store, candidate_id: int) -> Candidate:
    with store.read() as session:
        return cands.candidate_or_404(session, candidate_id)


def audit_ok(store: Store) -> bool:
    with store.read() as session:
        return audit.verify(session).ok


# ----------------------------------------------------------------- crash safety

# Imports a big bundle in one transaction, announcing on stdout once 5 candidates are in
# (flushed, audited, uncommitted), then waits to be killed.
CHILD = """
import sys, time
from datetime import UTC, datetime
from trialdesk.trial.screening import imports
from trialdesk.trial.store.db import open_store

url, path = sys.argv[1], sys.argv[2]
real, added = imports.add_candidate, []

def add_then_stall(*args, **kwargs):
    row = real(*args, **kwargs)
    added.append(row.id)
    if len(added) == 5:
        print("began", flush=True)
        time.sleep(120)
    return row

imports.add_candidate = add_then_stall
store = open_store(url, migrate=False)
with store.transaction() as session:
    imports.import_fhir(session, actor="coord", study_id="NCT06947746", filename="big.json",
                      data=open(path, "rb").read(), now=datetime(2026, 3, 2, 9, tzinfo=UTC))
print("committed", flush=True)
"""
BIG = 100  # copies of ex-01: about 3.5 MB


def test_an_import_killed_part_way_leaves_nothing_and_can_be_run_again(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    data = ex01_copies(BIG)
    assert 2_000_000 < len(data) < imports.MAX_UPLOAD_BYTES
    bundle = tmp_path / "big.json"
    bundle.write_bytes(data)
    audit_before = count(store, AuditRecord)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, db_url, str(bundle)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 60)  # never hang the suite
        assert ready, "the child did not reach its 5th candidate within 60 s"
        line = child.stdout.readline()  # the child is 5 candidates in
        assert line == "began\n", f"child did not start the import: {child.stderr.read()}"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        assert child.stdout is not None and child.stderr is not None
        child.stdout.close()
        child.stderr.close()
    assert counts(store, Candidate, FhirUpload) == {"candidate": 0, "fhir_upload": 0}
    assert count(store, AuditRecord) == audit_before
    assert audit_ok(store)

    ids = import_candidates(store, data, "big.json")  # run again: complete
    assert len(ids) == BIG
    assert counts(store, Candidate, FhirUpload) == {"candidate": BIG, "fhir_upload": 1}
    assert count(store, AuditRecord) == audit_before + BIG + 1  # the candidates and the upload
    with store.read() as session:
        numbers = {c.record_number for c in cands.list_candidates(session, STUDY.id)}
        assert numbers == {f"CP-{i:05d}" for i in range(1, BIG + 1)}
        assert audit.verify(session).ok


def test_an_import_refused_on_its_last_patient_stores_nothing(store: Store) -> None:
    """All or nothing without a kill: the 3rd Patient's bad sex code refuses the file."""
    good = ex01_copies(2).decode()
    broken = good[: good.rindex('"female"')] + '"mostly"' + good[good.rindex('"female"') + 8 :]
    error = nothing_written(
        store, lambda: import_candidates(store, broken.encode(), "two.json")
    )  # fmt: skip
    assert error.file == "two.json" and error.field in ("gender", "sex")


# ------------------------------------------------------- a Bulk Data export, several files

BULK = Path(__file__).parents[2] / "examples" / "bulk"


def bulk_files(**replaced: bytes) -> list[tuple[str, bytes]]:
    files = {p.name: p.read_bytes() for p in sorted(BULK.glob("*.ndjson"))}
    return list((files | replaced).items())


def import_export(store: Store, files: list[tuple[str, bytes]]) -> list[int]:
    with store.transaction() as session:
        added = imports.import_fhir_files(
            session, actor="coord", study_id=STUDY.id, files=files, now=NOW
        )
        return [c.id for c in added]


def test_the_files_of_a_bulk_export_are_one_upload(store: Store) -> None:
    """Patient.ndjson on its own gives candidates with no clinical data; with the other
    files of the export, each candidate's checklist reads their labs and medications."""
    files = bulk_files()
    ids = import_export(store, files[::-1])  # whatever order the files were chosen in
    assert len(ids) == 2 and counts(store, FhirUpload) == {"fhir_upload": 1}
    with store.read() as session:
        upload = session.scalars(sql.select(FhirUpload)).one()
        assert upload.filename == " + ".join(name for name, _ in files)  # sorted by name
        c = cands.candidate_or_404(session, ids[0])
        sheet = build_checklist(session, STUDY, c, NOW.date())
    kinds = {f.kind.value for f in sheet.record.facts}
    assert {"observation", "medication", "condition"} <= kinds
    # The same export chosen again: the same content, so the same checksum.
    again = import_export(store, files)
    with store.read() as session:
        sums = session.scalars(sql.select(FhirUpload.sha256)).all()
    assert len(again) == 2 and len(set(sums)) == 1


@pytest.mark.parametrize(
    ("files", "file", "message"),
    [
        (lambda f: f + [("bundle.json", b"{}")], "bundle.json", "each must be an .ndjson"),
        (lambda f: f + [f[0]], "Condition.ndjson", "the same file name twice"),
        (lambda f: f + [("condition.NDJSON", f[0][1])], "condition.NDJSON", "the same file"),
        (  # a bad line names its own file and line, not a place in the joined export
            lambda f: [
                (n, d + b"{not json\n") if n == "Observation.ndjson" else (n, d) for n, d in f
            ],
            "Observation.ndjson",
            "line 46",
        ),
        (  # an Observation about a Patient the export does not hold
            lambda f: (
                [(n, d) for n, d in f if n != "Patient.ndjson"]
                + [("Patient.ndjson", f[-1][1].split(b"\n")[0] + b"\n")]
            ),
            "Condition.ndjson",
            "is not a Patient in this export",
        ),
        (lambda f: [(n, b"\xff" + d) for n, d in f], "Condition.ndjson", "not UTF-8"),
    ],
    ids=[
        "a Bundle among them",
        "a file twice",
        "in other case",
        "a bad line",
        "an orphan",
        "not UTF-8",
    ],  # fmt: skip
)
def test_a_bad_export_names_the_file_and_stores_nothing(
    store: Store,
    files: Callable[[list[tuple[str, bytes]]], list[tuple[str, bytes]]],
    file: str,
    message: str,
) -> None:
    error = nothing_written(store, lambda: import_export(store, files(bulk_files())))
    assert error.file == file and error.field is not None, error
    assert message in error.message + str(error), error


# ------------------------------------------------------------------- duplicates


def add(store: Store, name: str, **kw: Any) -> Candidate:
    study = kw.pop("study", STUDY.id)
    with store.transaction() as session:
        return cands.add_candidate(
            session, actor="coord", study_id=study, person=cands.NewCandidate(name, **kw), now=NOW
        )


def test_duplicates_are_flagged_never_merged(store: Store) -> None:
    first = add(store, "Ana Souza", birth_date=date(1970, 1, 1), record_number="H-1")
    assert first.possible_duplicates == []
    same_person = add(store, "  ANA   souza ", birth_date=date(1970, 1, 1))
    same_number = add(store, "Someone Else", record_number="H-1")
    no_birth_date = add(store, "Ana Souza")
    other_study = add(store, "Ana Souza", birth_date=date(1970, 1, 1), study="NCT00000001")
    assert same_person.possible_duplicates == [first.id]
    assert same_number.possible_duplicates == [first.id]
    assert no_birth_date.possible_duplicates == []  # a name alone is not enough
    assert other_study.possible_duplicates == []
    assert count(store, Candidate) == 5  # nothing merged
    with store.read() as session:
        kept = cands.candidate_or_404(session, first.id)
        assert (kept.name, kept.record_number) == ("Ana Souza", "H-1")


def test_a_fhir_record_number_is_read_and_a_second_upload_is_flagged(store: Store) -> None:
    [first] = import_candidates(store, example("01-eligible-looking.json"), "ex01.json")
    c = candidate(store, first)
    assert (c.record_number, c.name, c.birth_date) == (
        "EX-2026-0001", "Wenjing Qiao", date(1977, 8, 14)
    )  # fmt: skip
    assert (c.source, c.patient_key, c.source_ref) == ("fhir", "ex-01", "ex01.json#Patient/ex-01")
    [again] = import_candidates(store, example("01-eligible-looking.json"), "ex01-again.json")
    assert candidate(store, again).possible_duplicates == [first]
    assert counts(store, Candidate, FhirUpload) == {"candidate": 2, "fhir_upload": 2}


# ------------------------------------------------------------ leads, feasibility


def test_a_lead_becomes_a_candidate_once_and_is_marked_referred(store: Store) -> None:
    with store.transaction() as session:
        lead = leads.store_lead(
            session,
            study_id=STUDY.id,
            contact=leads.LeadContact("Maria Silva", "maria@example.org"),
            answers={},
            outcome={"verdict": "may_be_eligible"},
            consent_text="I agree to be contacted.",
            consented=True,
            now=NOW,
        )
    with store.transaction() as session:
        added = imports.from_lead(
            session, actor="coord", study_id=STUDY.id, lead_id=lead.id, now=NOW
        )
    assert (added.name, added.source, added.lead_id) == ("Maria Silva", "lead", lead.id)
    with store.read() as session:
        referred = session.get(Lead, lead.id)
        assert referred is not None and referred.status is LeadStatus.REFERRED
        assert referred.status_note == f"candidate {added.id}"
    again = nothing_written(
        store,
        in_transaction(
            store,
            lambda s: imports.from_lead(s, actor="c", study_id=STUDY.id, lead_id=lead.id, now=NOW),
        ),
        ConflictError,  # 409: the lead is a candidate already
    )
    assert again.field == "lead" and f"candidate {added.id}" in again.message
    wrong_study = nothing_written(
        store,
        in_transaction(
            store,
            lambda s: imports.from_lead(s, actor="c", study_id="NCT1", lead_id=lead.id, now=NOW),
        ),
    )
    assert wrong_study.field == "lead"
    with pytest.raises(NotFoundError), store.transaction() as session:
        imports.from_lead(session, actor="c", study_id=STUDY.id, lead_id=99999, now=NOW)


FEASIBILITY = (
    "person_id,verdict,unknown,needs_review\n1001,needs_review,,I4 E2\n1002,incomplete,E10 E11,\n"
)


def feasibility(store: Store, text: str, name: str = "candidates.csv") -> list[Candidate]:
    with store.transaction() as session:
        return imports.import_feasibility(
            session, actor="coord", study_id=STUDY.id, filename=name, data=text.encode(), now=NOW
        )


def test_a_feasibility_list_creates_candidates(store: Store) -> None:
    added = feasibility(store, FEASIBILITY)
    assert [(c.name, c.source, c.source_ref) for c in added] == [
        ("OMOP person 1001", "feasibility", "omop:person/1001"),
        ("OMOP person 1002", "feasibility", "omop:person/1002"),
    ]
    with store.read() as session:
        reasons = [r.reason for r in session.query(AuditRecord).order_by(AuditRecord.id)]
    assert reasons == [
        "feasibility list candidates.csv: needs_review; open: I4 E2",
        "feasibility list candidates.csv: incomplete; open: E10 E11",
    ]
    # the same list again: flagged as the same people (same OMOP person), not merged
    again = feasibility(store, FEASIBILITY)
    assert [c.possible_duplicates for c in again] == [[added[0].id], [added[1].id]]


MALFORMED = [
    ("person_id,unknown,needs_review\n1001,,\n", "file", "no verdict column"),
    ("id,verdict\n1001,eligible\n", "file", "no person_id column"),
    (FEASIBILITY + "12a,eligible,,\n", "person_id", "row 4: person_id '12a' is not a number"),
    (FEASIBILITY + ",eligible,,\n", "person_id", "row 4: person_id '' is not a number"),
    (FEASIBILITY + "\u00b2,eligible,,\n", "person_id", "is not a number"),  # "²".isdigit()
    (FEASIBILITY + "9" * 40 + ",eligible,,\n", "person_id", "up to 19 digits"),
    (FEASIBILITY + "1001,eligible,,\n", "person_id", "row 4: person 1001 twice"),
    ("person_id,verdict\n", "file", "no rows"),
    ("person_id,verdict\n1,a\x00b\n", "file", "contains NUL characters"),
]


def test_a_malformed_feasibility_list_names_file_and_field_and_stores_nothing(
    store: Store,
) -> None:
    for text, field, words in MALFORMED:
        error = nothing_written(store, lambda t=text: feasibility(store, t, "list.csv"))
        assert (error.file, error.field) == ("list.csv", field), text
        assert words in error.message, (text, error.message)
    bad_utf8 = nothing_written(
        store,
        in_transaction(
            store,
            lambda s: imports.import_feasibility(
                s, actor="c", study_id=STUDY.id, filename="x.csv", data=b"\xff\xfe", now=NOW
            ),
        ),
    )
    assert (bad_utf8.file, bad_utf8.field) == ("x.csv", "file")


# -------------------------------------------------------- facts and signatures


def alt(on: date = date(2026, 3, 1), value: str = "30") -> FactEntry:
    return FactEntry(
        concept="alt", on=on, value=value, unit="U/L", source_document=f"lab report {on}"
    )


def add_fact(store: Store, cid: int, entry: FactEntry, now: datetime = NOW) -> EnteredFact:
    with store.transaction() as session:
        return facts.add_fact(
            session, actor="coord", study=STUDY, candidate_id=cid, entry=entry, now=now
        )


def checklist(store: Store, cid: int) -> Any:
    with store.read() as session:
        return build_checklist(session, STUDY, cands.candidate_or_404(session, cid), TODAY)


def test_a_new_fact_voids_the_signatures_that_relied_on_it(store: Store) -> None:
    investigator = prepare_study(store)
    [cid] = eligible_candidates(store, investigator, 1)
    before = checklist(store, cid)
    assert before.result.verdict.value == "eligible"
    assert all(before.judgments[c][0].current for c in ("I4", "E2"))

    fact = add_fact(store, cid, alt())
    after = checklist(store, cid)
    # E2 is pure judgment: it relied on the whole record, which changed
    assert after.judgments["E2"][0].current is False
    assert after.judgments["E2"][0].signed_by == "ivy"  # kept in the history
    status = {r.criterion.id: r.status.value for r in after.result.criteria}
    assert status["E2"] == "needs_review"
    assert after.result.verdict.value != "eligible"
    # I4 relied only on its own evidence (WOMAC, ultrasound), which an ALT does not touch
    assert after.judgments["I4"][0].current is True

    # retracting the wrong entry: the row stays, with who, when and why
    later = NOW + timedelta(hours=1)
    with store.transaction() as session:
        facts.retract_fact(
            session, actor="coord2", fact_id=fact.id, reason="wrong patient's report", now=later
        )
    with store.read() as session:
        row = session.get(EnteredFact, fact.id)
        assert row is not None
        assert (row.retracted_by, row.retracted_at, row.retraction_reason) == (
            "coord2", later, "wrong patient's report"
        )  # fmt: skip
        assert (row.entered_by, row.value, row.unit) == ("coord", "30", "U/L")
    restored = checklist(store, cid)
    assert [f.id for f in restored.entered] == [fact.id]  # still listed, no longer counted
    # the record is again what E2 was signed on, yet the signature stays lapsed (D11):
    # the record it vouched for changed in between; the investigator signs again
    assert restored.judgments["E2"][0].current is False
    assert restored.result.verdict.value != "eligible"
    # a retraction needs a reason, and happens once
    for reason in ("", "   "):
        error = nothing_written(
            store,
            in_transaction(
                store,
                lambda s, r=reason: facts.retract_fact(
                    s, actor="c", fact_id=fact.id, reason=r, now=later
                ),
            ),
        )
        assert error.field == "reason"
    twice = nothing_written(
        store,
        in_transaction(
            store,
            lambda s: facts.retract_fact(s, actor="c", fact_id=fact.id, reason="again", now=later),
        ),
    )
    assert "already retracted" in twice.message


def test_a_signature_on_an_outdated_basis_or_with_a_wrong_password_is_refused(
    store: Store,
) -> None:
    investigator = prepare_study(store)
    [cid] = import_candidates(store, example("01-eligible-looking.json"))

    def sign(basis: str, password: str) -> Callable[[], object]:
        from trialdesk.trial.accounts.models import User

        def work(session: Session) -> object:
            user = session.get(User, investigator)
            assert user is not None
            return judgments.sign_judgment(
                session, user=user, password=password, study=STUDY, candidate_id=cid,
                criterion_id="E2", decision="not_met", reason="checked", basis=basis,
                today=TODAY, now=NOW,
            )  # fmt: skip

        return in_transaction(store, work)

    from .helpers import PASSWORD

    # No screening date yet: the checklist would be read on "today", and a signature
    # would lapse every day.
    undated = checklist(store, cid).bases["E2"]
    assert nothing_written(store, sign(undated, PASSWORD)).field == "screening_date"
    date_and_consent(store, cid)
    old_basis = checklist(store, cid).bases["E2"]
    add_fact(store, cid, alt())
    assert nothing_written(store, sign(old_basis, PASSWORD), ConflictError).field == "basis"
    new_basis = checklist(store, cid).bases["E2"]
    assert nothing_written(store, sign(new_basis, "not my password")).field == "password"
    sign(new_basis, PASSWORD)()
    assert checklist(store, cid).judgments["E2"][0].current


# ------------------------------------------------------------------- outcomes


def outcome(store: Store, what: str, cid: int, **kw: Any) -> Callable[[], Any]:
    def work(session: Session) -> Any:
        if what == "enrol":
            return enrolment.enrol(
                session, actor="coord", study=STUDY, candidate_id=cid, expected_version=None,
                today=TODAY, now=NOW,
            )  # fmt: skip
        if what == "screen_fail":
            return enrolment.screen_fail(
                session, actor="coord", study=STUDY, candidate_id=cid, expected_version=None,
                reason=kw.get("reason"), today=TODAY, now=NOW,
            )  # fmt: skip
        return enrolment.decline(
            session, actor="coord", candidate_id=cid, expected_version=None,
            reason=kw.get("reason"), now=NOW,
        )  # fmt: skip

    return in_transaction(store, work)


def test_a_screen_failure_records_the_criteria_the_engine_found(store: Store) -> None:
    [cid] = import_candidates(store, example("02-ineligible-alt-zoster-bmi.json"))
    with store.transaction() as session:
        cands.set_screening_details(
            session,
            study=STUDY,
            actor="coord",
            candidate_id=cid,
            expected_version=None,
            dates={"screening": TODAY, "baseline": date(2026, 3, 16)},
            parameters={"target_knee": "right"},
            reason=None,
            now=NOW,
        )
    outcome(store, "screen_fail", cid)()
    failed = candidate(store, cid)
    assert failed.status is CandidateStatus.SCREEN_FAILED
    assert failed.failed_criteria == ["E10", "E15", "E24"]  # examples/README.md
    assert (failed.outcome_by, failed.outcome_at) == ("coord", NOW)
    with store.read() as session:
        [entry] = [r for r in trail.candidate_trail(session, cid) if r.action == "screen_failed"]
    assert entry.reason == "excluded by E10, E15, E24"
    assert entry.changes["failed_criteria"] == [[], ["E10", "E15", "E24"]]
    closed = nothing_written(store, outcome(store, "decline", cid, reason="x"))
    assert closed.field == "status" and "already closed" in closed.message


def test_a_screen_failure_needs_an_excluding_criterion_and_decline_a_reason(
    store: Store,
) -> None:
    [cid] = import_candidates(store, example("01-eligible-looking.json"))
    assert nothing_written(store, outcome(store, "screen_fail", cid)).field == "outcome"
    for reason in (None, "", "  \n "):
        assert nothing_written(store, outcome(store, "decline", cid, reason=reason)).field == (
            "reason"
        )
    assert nothing_written(store, outcome(store, "decline", cid, reason="a\x00b")).field == (
        "reason"
    )
    outcome(store, "decline", cid, reason="does not want injections")()
    declined = candidate(store, cid)
    assert (declined.status, declined.outcome_reason) == (
        CandidateStatus.DECLINED, "does not want injections"
    )  # fmt: skip
    assert declined.failed_criteria == []


def test_enrolment_needs_consent_and_an_eligible_verdict(store: Store) -> None:
    investigator = prepare_study(store)
    # signed and dated, but no consent recorded here (the FHIR Consent is not enough)
    [no_consent] = import_candidates(store, example("01-eligible-looking.json"), "a.json")
    with store.transaction() as session:
        cands.set_screening_details(
            session,
            study=STUDY,
            actor="coord",
            candidate_id=no_consent,
            expected_version=None,
            dates={"screening": TODAY, "baseline": date(2026, 3, 16)},
            parameters={"target_knee": "right"},
            reason=None,
            now=NOW,
        )
    sign_all(store, investigator, no_consent)
    # I1 reads only the consent recorded here (issue 17, D16): unknown, so incomplete
    assert verdict(store, no_consent) == "incomplete"
    error = nothing_written(store, outcome(store, "enrol", no_consent))
    assert (error.field, error.message) == (
        "enrol", "the checklist verdict is incomplete, not eligible"
    )  # fmt: skip

    # consented, but the investigator has not signed: needs review
    [unsigned] = import_candidates(store, example("01-eligible-looking.json"), "b.json")
    date_and_consent(store, unsigned)
    error = nothing_written(store, outcome(store, "enrol", unsigned))
    assert error.field == "enrol"
    assert error.message == "the checklist verdict is needs review, not eligible"

    # ineligible (ex-02), consented
    [ineligible] = import_candidates(store, example("02-ineligible-alt-zoster-bmi.json"))
    date_and_consent(store, ineligible)
    error = nothing_written(store, outcome(store, "enrol", ineligible))
    assert "ineligible, not eligible" in error.message
    assert {candidate(store, c).status for c in (no_consent, unsigned, ineligible)} == {
        CandidateStatus.SCREENING
    }


# --------------------------------------------------------------------- consent


def record_consent(
    store: Store, cid: int, version: str = FORM, at: datetime = CONSENTED_AT, **kw: Any
) -> Callable[[], Any]:
    args: dict[str, Any] = {
        "actor": "coord",
        "candidate_id": cid,
        "form_version": version,
        "consented_at": at,
        "obtained_by": "Dr. Lin Zhao",
        "participant_signed_on": at.date() if isinstance(at, datetime) else at,
        "now": NOW,
    } | kw
    return in_transaction(store, lambda s: consent.record_consent(s, **args))


def test_consent_refuses_an_unknown_form_version_and_impossible_times(store: Store) -> None:
    [cid] = import_candidates(store, example("03-incomplete-no-labs.json"))
    none_yet = nothing_written(store, record_consent(store, cid))
    assert none_yet.field == "form_version" and "register" in none_yet.message
    prepare_study(store)
    unknown = nothing_written(store, record_consent(store, cid, "9.9"))
    assert unknown.field == "form_version" and "(1.0)" in unknown.message
    future = NOW + timedelta(days=1)
    assert nothing_written(store, record_consent(store, cid, at=future)).field == "consented_at"
    naive = datetime(2026, 2, 27, 9, 30)
    assert nothing_written(store, record_consent(store, cid, at=naive)).field == "consented_at"
    huge = datetime(9999, 12, 31, 23, 0, tzinfo=UTC) - timedelta(0)
    from datetime import timezone

    west = huge.replace(tzinfo=timezone(timedelta(hours=-5)))  # past year 9999 in UTC
    assert nothing_written(store, record_consent(store, cid, at=west)).field == "consented_at"
    before_form = datetime(2025, 12, 1, 9, tzinfo=UTC)
    assert nothing_written(store, record_consent(store, cid, at=before_form)).field == (
        "consented_at"
    )
    other_day = record_consent(store, cid, participant_signed_on=date(2026, 2, 28))
    assert nothing_written(store, other_day).field == "participant_signed_on"
    for who in ("", "   ", "x" * 201, "Dr\x00Zhao"):
        refused = nothing_written(store, record_consent(store, cid, obtained_by=who))
        assert refused.field == "obtained_by"
    record_consent(store, cid)()
    assert count(store, Consent) == 1


def test_a_new_form_version_makes_participants_due_for_reconsent(store: Store) -> None:
    investigator = prepare_study(store)
    [cid] = eligible_candidates(store, investigator, 1)
    outcome(store, "enrol", cid)()
    with store.read() as session:
        assert consent.due_for_reconsent(session, STUDY.id, TODAY) == []
    later = datetime(2026, 3, 12, 10, tzinfo=UTC)
    with store.transaction() as session:
        consent.add_form_version(
            session, actor="ivy", study_id=STUDY.id, version="2.0",
            effective_on=date(2026, 3, 10), now=later,
        )  # fmt: skip
    with store.read() as session:
        assert consent.due_for_reconsent(session, STUDY.id, date(2026, 3, 9)) == []  # not yet
        [due] = consent.due_for_reconsent(session, STUDY.id, later.date())
    assert (due.candidate_id, due.subject_number, due.consented_on, due.current_version) == (
        cid, "01-001", "1.0", "2.0"
    )  # fmt: skip
    # A consent taken after 2.0 took effect cannot be on 1.0 (the form replaced).
    stale = nothing_written(store, record_consent(store, cid, "1.0", at=later, now=later))
    assert stale.field == "form_version" and "replaced by 2.0" in stale.message
    record_consent(store, cid, "2.0", at=later, now=later)()
    with store.read() as session:
        assert consent.due_for_reconsent(session, STUDY.id, later.date()) == []
    twice = nothing_written(
        store,
        in_transaction(
            store,
            lambda s: consent.add_form_version(
                s,
                actor="ivy",
                study_id=STUDY.id,
                version="2.0",
                effective_on=date(2026, 3, 10),
                now=later,
            ),  # fmt: skip
        ),
    )
    assert twice.field == "version"
    assert count(store, ConsentForm) == 2


def test_a_screening_fact_dated_before_consent_is_flagged(store: Store) -> None:
    prepare_study(store)
    [cid] = import_candidates(store, example("03-incomplete-no-labs.json"))  # added NOW
    add_fact(store, cid, alt(on=NOW.date()))  # a screening blood test on the day added
    add_fact(store, cid, alt(on=date(2026, 2, 1), value="25"))  # history: not screening
    assert checklist(store, cid).pre_consent == [
        "alt on 2026-03-02 (lab report 2026-03-02): with no consent on file"
    ]
    consented = datetime(2026, 3, 3, 9, tzinfo=UTC)
    record_consent(store, cid, at=consented, now=consented)()
    assert checklist(store, cid).pre_consent == [
        "alt on 2026-03-02 (lab report 2026-03-02): before consent on 2026-03-03"
    ]


# ----------------------------------------------------------------- the log


def test_consort_counts_add_up(store: Store) -> None:
    investigator = prepare_study(store)
    enrolled, withdrawn = eligible_candidates(store, investigator, 2)
    [failed] = import_candidates(store, example("02-ineligible-alt-zoster-bmi.json"), "2.json")
    date_and_consent(store, failed)
    [declined, screening] = import_candidates(store, ex01_copies(2, start=50), "more.json")
    outcome(store, "enrol", enrolled)()
    outcome(store, "enrol", withdrawn)()
    with store.transaction() as session:
        enrolment.withdraw(
            session, actor="coord", candidate_id=withdrawn, expected_version=None,
            withdrawn_on=NOW.date(), reason="adverse event", now=NOW,
        )  # fmt: skip
    outcome(store, "screen_fail", failed)()
    outcome(store, "decline", declined, reason="lives too far")()
    with store.read() as session:
        c = consort_counts(screening_log(session, STUDY.id), STUDY)
        rows = screening_log(session, STUDY.id)
    assert c.assessed == 5 == len(rows)
    assert c.assessed == c.excluded + c.in_screening + c.enrolled
    assert (c.enrolled, c.withdrawn_after_enrolment, c.in_screening, c.declined) == (2, 1, 1, 1)
    assert c.excluded_by_reason == (("E10 (exclusion met)", 1),)
    assert c.target == 15
    by_id = {r.candidate_id: r for r in rows}
    assert by_id[withdrawn].outcome == "withdrawn" and by_id[withdrawn].subject_number == "01-002"
    assert by_id[failed].failed_criteria == ("E10", "E15", "E24")
    assert by_id[screening].outcome == "screening"
    assert by_id[enrolled].consented_on == CONSENTED_AT.date()
    assert audit_ok(store)


def test_ids_past_32_bits_are_simply_not_found(store: Store) -> None:
    """Row ids are INTEGER, 32 bits on PostgreSQL: a bigger id must be "not found", not a
    database error (the API accepts ids up to 2**63 - 1, SQLite's limit)."""
    for big in (2**31, 2**63 - 1):
        with pytest.raises(NotFoundError), store.transaction() as session:
            cands.candidate_or_404(session, big)
        with pytest.raises(NotFoundError), store.transaction() as session:
            facts.retract_fact(session, actor="c", fact_id=big, reason="x", now=NOW)
        with pytest.raises(NotFoundError), store.transaction() as session:
            imports.from_lead(session, actor="c", study_id=STUDY.id, lead_id=big, now=NOW)


def test_free_text_with_a_nul_character_is_refused_not_a_database_error(store: Store) -> None:
    """PostgreSQL cannot store NUL in text; SQLite can. Either way it is refused at the field."""
    [cid] = import_candidates(store, example("03-incomplete-no-labs.json"))
    details = in_transaction(
        store,
        lambda s: cands.set_screening_details(
            s,
            study=STUDY,
            actor="c",
            candidate_id=cid,
            expected_version=None,
            dates={"screening": TODAY, "baseline": None},
            parameters={"target_knee": None},
            reason="booked\x00",
            now=NOW,
        ),  # fmt: skip
    )
    assert nothing_written(store, details).field == "reason"
    assert nothing_written(store, outcome(store, "decline", cid, reason="no\x00")).field == "reason"


def test_enrolment_needs_consent_on_the_current_form(store: Store) -> None:
    """An eligible candidate consented on 1.0 cannot be enrolled once 2.0 is in effect:
    they are re-consented on 2.0 first (ICH E6(R3) 2.8.2)."""
    investigator = prepare_study(store)
    [cid] = eligible_candidates(store, investigator, 1)
    with store.transaction() as session:
        consent.add_form_version(
            session, actor="ivy", study_id=STUDY.id, version="2.0",
            effective_on=TODAY, now=NOW,
        )  # fmt: skip
    refused = nothing_written(store, outcome(store, "enrol", cid))
    assert refused.field == "enrol" and "re-consent" in refused.message
    record_consent(store, cid, "2.0", at=NOW - timedelta(hours=1))()
    outcome(store, "enrol", cid)()
    assert candidate(store, cid).status is CandidateStatus.ENROLLED


def test_an_identity_correction_needs_a_reason_keeps_the_old_values_and_reflags(
    store: Store,
) -> None:
    first = add(store, "Ana Souza", birth_date=date(1970, 1, 1), record_number="H-1")
    typo = add(store, "Ana Suza", birth_date=date(1970, 1, 1))
    assert typo.possible_duplicates == []  # the typo hid the duplicate

    def correct(reason: str, version: int | None = typo.version) -> Callable[[], object]:
        person = cands.NewCandidate("Ana Souza", date(1970, 1, 1), "female", None)
        return in_transaction(
            store,
            lambda s: cands.correct_identity(
                s, actor="coord", candidate_id=typo.id, expected_version=version,
                person=person, reason=reason, now=NOW,
            ),
        )  # fmt: skip

    assert nothing_written(store, correct("  ")).field == "reason"
    assert (
        nothing_written(store, correct("typo", version=typo.version + 1), ConflictError).field
        == "version"
    )
    correct("name misspelt on the referral letter")()
    fixed = candidate(store, typo.id)
    assert (fixed.name, fixed.sex, fixed.possible_duplicates) == ("Ana Souza", "female", [first.id])
    with store.read() as session:
        history = trail.candidate_trail(session, typo.id)
    last = history[-1]
    assert (last.action, last.reason) == ("update", "name misspelt on the referral letter")
    assert last.changes["name"] == ["Ana Suza", "Ana Souza"]


def test_the_candidate_s_trail_shows_each_signature_with_its_meaning(store: Store) -> None:
    investigator = prepare_study(store)
    [cid] = eligible_candidates(store, investigator, 1)
    with store.read() as session:
        entries = trail.candidate_trail(session, cid)
    signed = [e for e in entries if e.entity == "signature"]
    assert [e.action for e in signed] == ["sign"] * len(JUDGED)
    assert {e.changes["subject"][1] for e in signed} == {
        f"candidate {cid}, criterion {c}" for c in JUDGED
    }
    assert {(e.actor, e.changes["meaning"][1]) for e in signed} == {("ivy", "eligibility decision")}
