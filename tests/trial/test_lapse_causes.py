"""A lapse names a fact only when that fact moved what was signed (walkthrough D11): a
date changed after signing is not blamed on the next fact entered."""

from __future__ import annotations

from datetime import timedelta

from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening.lapses import Change
from trialdesk.trial.store.db import Store

from .helpers import NOW
from .screening_helpers import BASELINE, STUDY, TODAY, eligible_candidates, prepare_study
from .test_signature_lapses import add, alt, checklist

JUDGMENT_ONLY = sorted(c.id for c in STUDY.criteria.criteria if c.judgment is not None)


def test_a_date_change_after_signing_is_not_blamed_on_a_later_fact(store: Store) -> None:
    assert JUDGMENT_ONLY, "the study has criteria decided by judgment alone"
    investigator = prepare_study(store)
    [cid] = eligible_candidates(store, investigator, 1)
    with store.transaction() as session:
        cands.set_screening_details(
            session, study=STUDY, actor="coord", candidate_id=cid, expected_version=None,
            dates={"screening": TODAY, "baseline": BASELINE + timedelta(days=7)},
            parameters={"target_knee": "right"}, reason="baseline moved",
            now=NOW + timedelta(minutes=30),
        )  # fmt: skip
    add(store, cid, alt(), NOW + timedelta(hours=1), actor="carol")
    after = checklist(store, cid)
    for criterion in JUDGMENT_ONLY:
        if criterion not in after.judgments:
            continue
        view = after.judgments[criterion][0]
        # lapsed (the whole record it relied on changed), but not by the ALT entered
        assert view.current is False
        assert view.lapse is None, (criterion, view.lapse)


def test_with_the_dates_unchanged_the_fact_is_named(store: Store) -> None:
    investigator = prepare_study(store)
    [cid] = eligible_candidates(store, investigator, 1)
    fact = add(store, cid, alt(), NOW + timedelta(hours=1), actor="carol")
    after = checklist(store, cid)
    signed = [c for c in JUDGMENT_ONLY if c in after.judgments]
    assert signed
    for criterion in signed:
        lapse = after.judgments[criterion][0].lapse
        assert lapse is not None and (lapse.fact_id, lapse.change) == (fact.id, Change.ADDED)
