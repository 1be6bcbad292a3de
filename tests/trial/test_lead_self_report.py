"""A lead becomes a candidate with what the person reported (walkthrough D9): their sex, and
their dated answers as entered facts of source "Patient self-report", which the checklist
reads; an age is no birth date."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from trialdesk.study.loader import Study, load_study
from trialdesk.trial.screening import imports, leads
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.models import Candidate, EnteredFact
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord

from .helpers import NOW

ANSWERS = {
    "age": "45",
    "sex": "female",
    "ra_diagnosed": "yes",
    "ra_since": "2018-03",
    "methotrexate": "yes",
    "methotrexate_how_long": "3 years",
    "methotrexate_dose_changed": "no",
    "knee_pain": "no",
    "infections": "hiv",
    "height": "165",
    "weight": "62",
}


@pytest.fixture(scope="module")
def study() -> Study:
    return load_study()


def _lead(store: Store, answers: dict[str, str]) -> int:
    with store.transaction() as session:
        lead = leads.store_lead(
            session,
            study_id="NCT06947746",
            contact=leads.LeadContact("Li Na", "li.na@example.org"),
            answers=answers,
            outcome={"verdict": "may_be_eligible"},
            consent_text="I agree.",
            consented=True,
            now=NOW,
        )
        return lead.id


def _candidate(store: Store, study: Study, lead_id: int) -> int:
    with store.transaction() as session:
        added = imports.from_lead(
            session, actor="coord", lead_id=lead_id, now=NOW, studies={study.id: study}
        )
        return added.id


def test_the_answers_become_self_reported_facts(store: Store, study: Study) -> None:
    lead_id = _lead(store, ANSWERS)
    candidate_id = _candidate(store, study, lead_id)
    with store.read() as session:
        candidate = session.get(Candidate, candidate_id)
        assert candidate is not None
        assert (candidate.sex, candidate.birth_date) == ("female", None)  # an age is no date
        rows = list(
            session.scalars(select(EnteredFact).where(EnteredFact.candidate_id == candidate_id))
        )
        reference = candidate.source_ref.removeprefix("lead ") if candidate.source_ref else ""
        entered = {r.concept: r for r in rows}
        assert set(entered) == {
            "rheumatoid_arthritis", "methotrexate", "body_height", "body_weight"
        }  # fmt: skip
        # "no knee pain" is no pain score; an undated HIV diagnosis is not dated for them
        assert entered["rheumatoid_arthritis"].on == date(2018, 3, 31)
        assert entered["methotrexate"].on == date(2023, 3, 2)
        assert (entered["body_height"].value, entered["body_height"].unit) == ("165", "cm")
        for row in rows:
            assert row.source_document == (
                f"Patient self-report: self-check of lead {reference} on 2026-03-02 (to confirm)"
            )
            assert row.entered_by == "coord" and row.retracted_at is None
        # the checklist reads them: RA for 8 years meets I3's history, methotrexate is on file
        checklist = build_checklist(session, study, candidate, date(2026, 3, 9))
        results = {r.criterion.id: r for r in checklist.result.criteria}
        bmi = results["E15"]
        cited = {e.resource for e in bmi.evidence if getattr(e, "resource", None)}
        assert {
            f"EnteredFact/{entered['body_height'].id}",
            f"EnteredFact/{entered['body_weight'].id}",
        } <= cited
        i3 = results["I3"]
        assert f"EnteredFact/{entered['rheumatoid_arthritis'].id}" in {
            e.resource for e in i3.evidence if getattr(e, "resource", None)
        }
        # the candidate's creation says where the sex came from and what the age allows
        created = session.scalars(
            select(AuditRecord).where(
                AuditRecord.entity == "candidate", AuditRecord.entity_id == str(candidate_id)
            )
        ).first()
        assert created is not None and created.reason is not None
        assert "sex female as the person reported it" in created.reason
        assert "born between 1980-03-03 and 1981-03-02" in created.reason


def test_without_the_study_only_the_name_comes(store: Store) -> None:
    lead_id = _lead(store, ANSWERS)
    with store.transaction() as session:
        added = imports.from_lead(session, actor="coord", lead_id=lead_id, now=NOW)
        assert added.sex is None
        count = session.scalars(
            select(EnteredFact).where(EnteredFact.candidate_id == added.id)
        ).all()
        assert count == []


def test_nothing_to_carry_enters_nothing(store: Store, study: Study) -> None:
    lead_id = _lead(store, {"age": "45"})
    candidate_id = _candidate(store, study, lead_id)
    with store.read() as session:
        rows = session.scalars(
            select(EnteredFact).where(EnteredFact.candidate_id == candidate_id)
        ).all()
        assert rows == []
