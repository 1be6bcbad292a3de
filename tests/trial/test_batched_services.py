"""Services that write several things of one candidate at once (the facts of a screening
visit, the investigator's decisions signed in one act) store and audit exactly what the
one-at-a-time services store, in the same order; a refusal stores nothing. And the audit
chain, whose entries a transaction writes together at its flushes, holds through
savepoints and through several transactions of one session."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trialdesk.errors import ConflictError, FieldErrors
from trialdesk.trial.accounts.models import Signature, User
from trialdesk.trial.accounts.signatures import SignatureRefused
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import facts, judgments
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.fact_entry import FactEntry
from trialdesk.trial.screening.models import EnteredFact, Judgment
from trialdesk.trial.store.audit import Action, append, head, verify
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord

from .helpers import NOW, PASSWORD
from .screening_helpers import (
    JUDGED,
    STUDY,
    TODAY,
    date_and_consent,
    ex01_copies,
    import_candidates,
    prepare_study,
    sign_all,
)

ON = date(2026, 3, 1)
DOC = "lab report, 1 March 2026"
ENTRIES = [
    FactEntry("alt", ON, value="30", unit="U/L", source_document=DOC),
    FactEntry("ast", ON, value="28", unit="U/L", upper_limit="40", source_document=DOC),
    FactEntry("hemoglobin", ON, value="12.9", unit="g/dL", source_document=DOC),
    FactEntry("creatinine", ON, value="80", unit="umol/L", source_document=DOC),
    FactEntry("crp", ON, value="6.5", unit="mg/L", source_document=DOC),
]


def _trail(
    store: Store, candidate_id: int, after: int, until: int | None = None
) -> list[tuple[Any, ...]]:
    """The audit entries after entry ``after`` (to ``until``), as two candidates' compare: each
    row named by its place among the rows of its table in the trail, the candidate as C,
    and a signature's digest (of content naming the candidate) left out."""
    names: dict[tuple[str, str], str] = {}

    def name(entity: str, row_id: object) -> str:
        key = (entity, str(row_id))
        if key not in names:
            names[key] = f"{entity}#{sum(1 for e, _ in names if e == entity)}"
        return names[key]

    def plain(field: str, value: Any) -> Any:
        if field == "candidate_id":
            return "C" if value == candidate_id else value
        if field == "signature_id" and value is not None:
            return name("signature", value)
        if field == "digest":
            return "..."
        if isinstance(value, str):
            return value.replace(f"candidate {candidate_id}", "candidate C")
        return value

    with store.read() as session:
        query = select(AuditRecord).where(AuditRecord.id > after).order_by(AuditRecord.id)
        if until is not None:
            query = query.where(AuditRecord.id <= until)
        rows = session.scalars(query)
        return [
            (a.actor, a.action, name(a.entity, a.entity_id),
             {k: [plain(k, old), plain(k, new)] for k, (old, new) in a.changes.items()},
             plain("reason", a.reason))
            for a in rows
        ]  # fmt: skip


def _last_entry(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.max(AuditRecord.id))) or 0


def _two_candidates(store: Store) -> tuple[int, list[int]]:
    investigator = prepare_study(store)
    ids = import_candidates(store, ex01_copies(2))
    for cid in ids:
        date_and_consent(store, cid)
    return investigator, ids


# --------------------------------------------------------------------------- facts


def test_facts_entered_at_once_are_stored_and_audited_as_one_by_one(store: Store) -> None:
    _, (one_by_one, at_once) = _two_candidates(store)
    before = _last_entry(store)
    for entry in ENTRIES:
        with store.transaction() as session:
            facts.add_fact(
                session, actor="coord", study=STUDY, candidate_id=one_by_one, entry=entry, now=NOW
            )
    middle = _last_entry(store)
    with store.transaction() as session:
        rows = facts.add_facts(
            session, actor="coord", study=STUDY, candidate_id=at_once, entries=ENTRIES, now=NOW
        )
    assert [r.id for r in rows] == sorted(r.id for r in rows)  # stored in the order given

    with store.read() as session:

        def stored(cid: int) -> list[tuple[Any, ...]]:
            query = select(EnteredFact).where(EnteredFact.candidate_id == cid)
            return [
                (f.concept, f.on, f.value, f.unit, f.upper_limit, f.source_document,
                 f.entered_at, f.entered_by)
                for f in session.scalars(query.order_by(EnteredFact.id))
            ]  # fmt: skip

        first, second = stored(one_by_one), stored(at_once)
    assert first == second and len(first) == len(ENTRIES)
    trail = _trail(store, one_by_one, before, middle)
    assert _trail(store, at_once, middle) == trail
    assert [(a[1], a[2]) for a in trail] == [
        ("create", f"entered_fact#{n}") for n in range(len(ENTRIES))
    ]
    with store.read() as session:
        candidate = cands.candidate_or_404(session, at_once)
        checklist = build_checklist(session, STUDY, candidate, TODAY)
    assert {f.id for f in checklist.entered} == {r.id for r in rows}  # the engine reads them


def test_entries_refused_are_reported_together_and_nothing_is_stored(store: Store) -> None:
    _, (cid, _) = _two_candidates(store)
    wrong = [
        ENTRIES[0],
        FactEntry("alt", ON, value="30", unit="kg", source_document=DOC),  # not a unit of ALT
        ENTRIES[2],
        FactEntry("hemoglobin", ON, value="12.9", unit="g/dL", source_document=" "),
    ]
    before = _last_entry(store)
    with store.transaction() as session:
        with pytest.raises(FieldErrors) as refused:
            facts.add_facts(
                session, actor="coord", study=STUDY, candidate_id=cid, entries=wrong, now=NOW
            )
        # refused before anything was written, in the caller's transaction too
        assert session.scalar(select(func.count()).select_from(EnteredFact)) == 0
        assert head(session)[0] == before
    where = [(e.resource, e.field) for e in refused.value.errors]
    assert where == [("entry 2 (alt)", "unit"), ("entry 4 (hemoglobin)", "source_document")]
    assert _last_entry(store) == before


# ----------------------------------------------------------------------- judgments


def _decisions(session: Session, cid: int) -> list[judgments.Decision]:
    candidate = cands.candidate_or_404(session, cid)
    bases = build_checklist(session, STUDY, candidate, TODAY).bases
    return [
        judgments.Decision(criterion, decision, "checked at the screening visit", bases[criterion])
        for criterion, decision in JUDGED.items()
    ]


def _sign_at_once(
    session: Session, investigator: int, cid: int, password: str = PASSWORD,
    decisions: list[judgments.Decision] | None = None,
) -> list[Judgment]:  # fmt: skip
    user = session.get(User, investigator)
    assert user is not None
    return judgments.sign_judgments(
        session, user=user, password=password, study=STUDY, candidate_id=cid,
        decisions=decisions or _decisions(session, cid), today=TODAY, now=NOW,
    )  # fmt: skip


def test_judgments_signed_in_one_act_are_stored_and_audited_as_one_by_one(store: Store) -> None:
    investigator, (one_by_one, at_once) = _two_candidates(store)
    before = _last_entry(store)
    sign_all(store, investigator, one_by_one)
    middle = _last_entry(store)
    with store.transaction() as session:
        rows = _sign_at_once(session, investigator, at_once)

    with store.read() as session:

        def signed(cid: int) -> list[Any]:
            query = select(Judgment).where(Judgment.candidate_id == cid).order_by(Judgment.id)
            return [
                (j.criterion_id, j.decision, j.reason, j.signature.signer,
                 j.signature.printed_name, j.signature.meaning, j.signature.signed_at,
                 {k: v for k, v in j.signature.content.items()
                  if k not in ("candidate", "evidence")})  # the candidate's own
                for j in session.scalars(query)
            ]  # fmt: skip

        first, second = signed(one_by_one), signed(at_once)
        views = {
            cid: build_checklist(session, STUDY, cands.candidate_or_404(session, cid), TODAY)
            for cid in (one_by_one, at_once)
        }
    assert first == second and len(first) == len(JUDGED)
    assert [r.criterion_id for r in rows] == list(JUDGED)
    trail = _trail(store, one_by_one, before, middle)
    assert _trail(store, at_once, middle) == trail
    # each signature, then the judgment it signs, in turn
    assert [(a[1], a[2]) for a in trail] == [
        entry for n in range(len(JUDGED))
        for entry in (("sign", f"signature#{n}"), ("create", f"judgment#{n}"))
    ]  # fmt: skip
    for view in views.values():
        assert view.result.verdict.value == "eligible"
        assert all(view.judgments[c][0].current for c in JUDGED)


def test_a_wrong_password_or_a_changed_basis_signs_nothing(store: Store) -> None:
    investigator, (cid, _) = _two_candidates(store)
    before = _last_entry(store)
    with store.transaction() as session:
        with pytest.raises(SignatureRefused):
            _sign_at_once(session, investigator, cid, password="not my password")
        stale = _decisions(session, cid)
        stale[-1] = judgments.Decision(stale[-1].criterion_id, "not_met", "x", "an old basis")
        with pytest.raises(ConflictError) as conflict:
            _sign_at_once(session, investigator, cid, decisions=stale)
        assert conflict.value.field == "basis"
        for table in (Judgment, Signature):
            assert session.scalar(select(func.count()).select_from(table)) == 0
        assert head(session)[0] == before


# --------------------------------------------------------------------- audit chain


def _entries(store: Store) -> list[tuple[int, str]]:
    with store.read() as session:
        assert verify(session).ok
        rows = session.scalars(select(AuditRecord).order_by(AuditRecord.id))
        return [(a.id, a.entity_id) for a in rows]


def _add(session: Session, name: str) -> None:
    append(session, actor="a", action=Action.CREATE, entity="lead", entity_id=name)


def test_entries_of_a_savepoint_rolled_back_leave_no_gap(store: Store) -> None:
    with store.transaction() as session:
        _add(session, "a")
        savepoint = session.begin_nested()
        _add(session, "gone")  # not written yet
        savepoint.rollback()
        savepoint = session.begin_nested()
        _add(session, "gone too")
        session.flush()  # written inside the savepoint
        savepoint.rollback()
        assert session.scalar(select(func.count()).select_from(AuditRecord)) == 1
        _add(session, "b")
        with session.begin_nested():
            _add(session, "c")
        _add(session, "d")
        assert head(session)[0] == 4  # a query sees the entries not written yet
    assert _entries(store) == [(1, "a"), (2, "b"), (3, "c"), (4, "d")]


def test_one_session_several_transactions_keep_one_chain(store: Store) -> None:
    with store.sessionmaker() as session:
        with session.begin():
            _add(session, "a")
        with pytest.raises(RuntimeError), session.begin():
            _add(session, "rolled back")
            raise RuntimeError
        with session.begin():
            _add(session, "b")
    assert _entries(store) == [(1, "a"), (2, "b")]
