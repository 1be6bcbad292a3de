"""The data against their history (trial/store/audit_replay.py, ``audit verify --data``):
a store written through the services matches the trail it ends in; each direct edit of the
security probe's tamper matrix (D1 a candidate's status, D2 an entered value, D3 an
upload's content, D4 a judgment's decision) and of a signature is reported with table, row
and field; the checklist refuses an upload whose content no longer matches its checksum.
Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, insert, select, text, update
from typer.testing import CliRunner

from trialdesk.cli.trial import audit_app
from trialdesk.trial import accounts
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.accounts.users import REDACTED
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import checklist, facts, uploaded_records
from trialdesk.trial.screening.checklist import UploadAltered, build_checklist
from trialdesk.trial.screening.fact_entry import FactEntry
from trialdesk.trial.screening.models import Candidate, EnteredFact, FhirUpload, Judgment
from trialdesk.trial.store.audit_replay import (
    NOT_RECORDED,
    DataProblem,
    DataProblemKind,
    _same,
    recorded_fields,
    verify_data,
)
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord

from .helpers import NOW, PASSWORD, disable_audit_triggers
from .screening_helpers import (
    STUDY,
    TODAY,
    date_and_consent,
    example,
    import_candidates,
    prepare_study,
    sign_all,
)

runner = CliRunner()


@dataclass(frozen=True)
class Screened:
    eligible: int  # ex-01: dated, consented, every judgment signed
    alt_high: int  # ex-02: ALT >= 2 x ULN in its upload (E10 met)
    upload: int  # ex-02's upload
    fact: int  # an ALT entered for ex-01


@pytest.fixture
def screened(store: Store) -> Screened:
    investigator = prepare_study(store)
    [eligible] = import_candidates(store, example("01-eligible-looking.json"), "ex01.json")
    [alt_high] = import_candidates(store, example("02-ineligible-alt-zoster-bmi.json"), "ex02.json")
    date_and_consent(store, eligible)
    date_and_consent(store, alt_high)
    with store.transaction() as session:
        fact = facts.add_fact(
            session, actor="coord", study=STUDY, candidate_id=eligible, now=NOW,
            entry=FactEntry(concept="alt", on=TODAY, value="30", unit="U/L",
                            source_document="lab report"),
        )  # fmt: skip
        fact_id = fact.id
        upload = session.get(Candidate, alt_high)
        assert upload is not None and upload.upload_id is not None
        upload_id = upload.upload_id
    sign_all(store, investigator, eligible)
    with store.transaction() as session:  # a password reset: audited as redacted
        user = accounts.create_user(
            session, actor="system", username="cora", password=PASSWORD,
            role=Role.COORDINATOR, reason="test",
        )  # fmt: skip
        accounts.reset_password(
            session, actor="system", user_id=user.id, password=PASSWORD + "!", reason="test"
        )
    return Screened(eligible, alt_high, upload_id, fact_id)


def _report(store: Store) -> list[DataProblem]:
    with store.read() as session:
        return verify_data(session).problems


def _found(store: Store) -> set[tuple[str, str, str | None, str]]:
    return {(p.table, p.row_id, p.field, p.kind.value) for p in _report(store)}


def _edit(engine: Engine, statement: object) -> None:
    with engine.begin() as conn:
        conn.execute(statement)  # type: ignore[call-overload]


def _content(engine: Engine, upload: int) -> str:
    with engine.connect() as conn:
        return str(conn.scalar(select(FhirUpload.content).where(FhirUpload.id == upload)))


def test_a_store_written_through_the_services_matches_its_history(
    store: Store, screened: Screened
) -> None:
    with store.read() as session:
        report = verify_data(session)
    assert report.ok, report.problems
    assert {"candidate", "entered_fact", "fhir_upload", "judgment", "signature"} <= set(
        report.tables
    )
    with store.read() as session:
        signatures = session.scalar(select(Judgment.id).order_by(Judgment.id.desc()).limit(1))
    assert signatures is not None
    # both uploads and every signature recomputed; every field the trail records compared
    assert report.checksums >= 2 + 6
    assert report.rows > 10 and report.fields > report.rows
    assert NOT_RECORDED == REDACTED  # the password hash is not compared, and not flagged


def _candidate_status(s: Screened) -> tuple[object, tuple[str, str, str | None, str]]:
    return (
        update(Candidate).where(Candidate.id == s.eligible).values(status="enrolled"),
        ("candidate", str(s.eligible), "status", "differs"),
    )


def _entered_value(s: Screened) -> tuple[object, tuple[str, str, str | None, str]]:
    return (
        update(EnteredFact).where(EnteredFact.id == s.fact).values(value="300"),
        ("entered_fact", str(s.fact), "value", "differs"),
    )


def _judgment_decision(s: Screened) -> tuple[object, tuple[str, str, str | None, str]]:
    first = select(Judgment.id).where(Judgment.decision == "not_met").limit(1).scalar_subquery()
    return (
        update(Judgment).where(Judgment.id == first).values(decision="met"),
        ("judgment", "*", "decision", "differs"),
    )


EDITS: dict[str, Callable[[Screened], tuple[object, tuple[str, str, str | None, str]]]] = {
    "D1 candidate.status": _candidate_status,
    "D2 entered_fact.value": _entered_value,
    "D4 judgment.decision": _judgment_decision,
}


@pytest.mark.parametrize("edit", EDITS)
def test_a_direct_edit_is_named_by_table_row_and_field(
    store: Store, screened: Screened, edit: str
) -> None:
    statement, (table, row, field, kind) = EDITS[edit](screened)
    _edit(store.engine, statement)
    problems = _report(store)
    assert len(problems) == 1, problems
    (p,) = problems
    assert (p.table, p.field, p.kind.value) == (table, field, kind)
    assert row in ("*", p.row_id)
    assert "changed outside the application" in p.message and "entry " in p.message


def test_d3_an_edited_upload_fails_its_checksum(store: Store, screened: Screened) -> None:
    content = _content(store.engine, screened.upload)
    assert '"value": 125' in content
    edited = content.replace('"value": 125', '"value": 25')
    _edit(
        store.engine,
        update(FhirUpload).where(FhirUpload.id == screened.upload).values(content=edited),
    )
    assert _found(store) == {("fhir_upload", str(screened.upload), "content", "checksum")}
    # and when the stored checksum is forged to match, the trail's still tells
    forged = hashlib.sha256(edited.encode("utf-8")).hexdigest()
    _edit(
        store.engine,
        update(FhirUpload).where(FhirUpload.id == screened.upload).values(sha256=forged),
    )
    assert _found(store) == {
        ("fhir_upload", str(screened.upload), "content", "checksum"),
        ("fhir_upload", str(screened.upload), "sha256", "differs"),
    }


def test_a_signature_edited_shows_in_its_fields_and_its_content(
    store: Store, screened: Screened
) -> None:
    from trialdesk.trial.accounts.models import Signature

    with store.read() as session:
        first, second = session.scalars(select(Signature.id).order_by(Signature.id).limit(2))
        content = dict(session.get_one(Signature, second).content)
    _edit(store.engine, update(Signature).where(Signature.id == first).values(printed_name="X"))
    content["decision"] = "met" if content.get("decision") != "met" else "not_met"
    _edit(store.engine, update(Signature).where(Signature.id == second).values(content=content))
    assert _found(store) == {
        ("signature", str(first), "printed_name", "differs"),
        ("signature", str(second), "content", "checksum"),
    }


def test_rows_deleted_or_added_outside_the_application_show(
    store: Store, screened: Screened
) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM entered_fact WHERE id = {screened.fact}")
        conn.execute(
            insert(EnteredFact).values(
                id=screened.fact + 1000,
                candidate_id=screened.alt_high,
                concept="alt",
                on=TODAY,
                value="20",
                unit="U/L",
                source_document="forged",
                entered_at=NOW,
                entered_by="coord",
            )  # fmt: skip
        )
    kinds = {(p.table, p.kind) for p in _report(store)}
    assert kinds == {
        ("entered_fact", DataProblemKind.MISSING),
        ("entered_fact", DataProblemKind.UNAUDITED),
    }


UNREADABLE = {
    "not an object": "[1, 2]",
    "not JSON": "{not json",  # SQLite only: PostgreSQL's json type refuses it
    "NaN": '{"value": [NaN, 1]}',  # the same
}


@pytest.mark.parametrize("raw", UNREADABLE)
def test_an_unreadable_entry_is_named_and_the_replay_goes_on(
    store: Store, screened: Screened, raw: str
) -> None:
    if raw != "not an object" and store.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's json type refuses it")
    disable_audit_triggers(store.engine)
    with store.read() as session:
        first = session.scalar(
            select(AuditRecord.id).where(AuditRecord.entity == "entered_fact").limit(1)
        )
    cast = "CAST(:raw AS json)" if store.engine.dialect.name != "sqlite" else ":raw"
    with store.engine.begin() as conn:
        conn.execute(
            text(f"UPDATE audit_log SET changes = {cast} WHERE id = :id"),
            {"raw": UNREADABLE[raw], "id": first},
        )
    statement, edited = _candidate_status(screened)
    _edit(store.engine, statement)
    # named, and the entries after it still replayed: the edit after it is found
    assert _found(store) == {("audit_log", str(first), "changes", "unreadable"), edited}


def test_a_sign_in_under_an_unknown_name_names_no_row(store: Store) -> None:
    with store.transaction() as session:
        accounts.create_user(
            session, actor="system", username="ann", password=PASSWORD,
            role=Role.COORDINATOR, reason="test",
        )  # fmt: skip
    for name in ("ann", "nobody"):
        with store.transaction() as session, contextlib.suppress(accounts.LoginFailed):
            accounts.authenticate(session, username=name, password="wrong", now=NOW)
    assert _report(store) == []


def test_values_are_compared_in_their_json_form() -> None:
    assert _same("a", "a") and _same({"b": [1, 2.5]}, {"b": [1, 2.5]})
    assert not _same(1, 1.0) and not _same(True, 1) and not _same(None, "")
    assert not _same("2026-03-02", "2026-03-02 ")


def test_recorded_fields_replays_one_row(store: Store, screened: Screened) -> None:
    with store.read() as session:
        fields = recorded_fields(session, "candidate", str(screened.eligible))
        candidate = session.get_one(Candidate, screened.eligible)
    assert fields["status"] == candidate.status.value == "screening"
    assert fields["name"] == candidate.name


def test_audit_verify_data_exit_codes(db_url: str, store: Store, screened: Screened) -> None:
    ok = runner.invoke(audit_app, ["verify", "--data", "--database-url", db_url])
    assert ok.exit_code == 0, ok.output
    assert "data match their history" in ok.output
    statement, _ = _candidate_status(screened)
    _edit(store.engine, statement)
    bad = runner.invoke(
        audit_app, ["verify", "--data", "--database-url", db_url], env={"COLUMNS": "200"}
    )
    assert bad.exit_code == 1, bad.output
    assert "candidate" in bad.output and "status" in bad.output and "differs" in bad.output
    assert "data changed outside the application: 1 problem(s)" in bad.output
    plain = runner.invoke(audit_app, ["verify", "--database-url", db_url])
    assert plain.exit_code == 0, plain.output  # without --data only the chain is checked


def _checklist(store: Store, candidate_id: int) -> checklist.Checklist:
    with store.read() as session:
        candidate = cands.candidate_or_404(session, candidate_id)
        return build_checklist(session, STUDY, candidate, TODAY)


def test_the_checklist_refuses_an_upload_whose_content_was_edited(
    store: Store, screened: Screened
) -> None:
    status = {
        r.criterion.id: r.status.value for r in _checklist(store, screened.alt_high).result.criteria
    }
    assert status["E10"] == "met"
    content = _content(store.engine, screened.upload)
    _edit(
        store.engine,
        update(FhirUpload)
        .where(FhirUpload.id == screened.upload)
        .values(content=content.replace('"value": 125', '"value": 25')),
    )
    uploaded_records._PARSED.clear()  # as a fresh process: nothing parsed yet
    with pytest.raises(UploadAltered) as refused:
        _checklist(store, screened.alt_high)
    assert f"FHIR upload {screened.upload} (ex02.json)" in str(refused.value)
    assert "no longer matches its audited checksum" in str(refused.value)
    assert refused.value.code == "upload_altered"


def test_the_checklist_refuses_a_stored_checksum_the_trail_does_not_hold(
    store: Store, screened: Screened
) -> None:
    _checklist(store, screened.alt_high)  # parsed and kept under its checksum
    _edit(
        store.engine,
        update(FhirUpload).where(FhirUpload.id == screened.upload).values(sha256="0" * 64),
    )
    with pytest.raises(UploadAltered, match="not the one the audit trail holds"):
        _checklist(store, screened.alt_high)
    _checklist(store, screened.eligible)  # the other upload is read as before


def test_a_form_value_edited_or_removed_in_its_json_column_shows(store: Store) -> None:
    """A form's items live in one JSON column (``form_record.values``) and are audited one
    field per item: an item changed or taken out of the column is named as
    ``values.<item>`` (taken out: known as an item of that column from another row)."""
    from trialdesk.trial.conduct.models import FormRecord

    from .conduct_helpers import enrolled, inject

    _, [participant, other] = enrolled(store, 2)
    record = inject(store, participant)
    inject(store, other)
    assert _report(store) == []
    values = dict(record.values)
    assert values["dose"] == "50" and "volume" in values
    values["dose"] = "500"
    del values["volume"]
    _edit(store.engine, update(FormRecord).where(FormRecord.id == record.id).values(values=values))
    assert _found(store) == {
        ("form_record", str(record.id), "values.dose", "differs"),
        ("form_record", str(record.id), "values.volume", "differs"),
    }
