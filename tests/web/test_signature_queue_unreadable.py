"""One candidate whose checklist cannot be built (an upload altered outside trialdesk)
never breaks the staff home, the signature queue or the candidate list: it is listed,
marked, and the others are shown as before (review finding on the staff home)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from trial.screening_helpers import date_and_consent, example, import_candidates, prepare_study
from trialdesk.trial.screening.models import Candidate, FhirUpload
from trialdesk.trial.store.db import Store
from webclient import client_as


def two_candidates_one_altered(store: Store) -> tuple[int, int]:
    """ex-01 twice, from two uploads; the second upload's stored checksum then edited
    outside trialdesk, so its candidate's checklist is refused (UploadAltered)."""
    prepare_study(store)
    [readable] = import_candidates(store, example("01-eligible-looking.json"), "a.json")
    [altered] = import_candidates(store, example("01-eligible-looking.json"), "b.json")
    for cid in (readable, altered):
        date_and_consent(store, cid)
    with store.engine.begin() as conn:
        upload = conn.scalar(select(Candidate.upload_id).where(Candidate.id == altered))
        conn.execute(update(FhirUpload).where(FhirUpload.id == upload).values(sha256="0" * 64))
    return readable, altered


def test_the_home_and_the_queue_mark_the_unreadable_candidate(app: FastAPI, store: Store) -> None:
    readable, altered = two_candidates_one_altered(store)
    investigator: TestClient = client_as(app, "investigator")
    home = investigator.get("/staff")
    assert home.status_code == 200, home.text
    assert "data-unreadable" in home.text and "could not be read 1" in home.text
    queue = investigator.get("/staff/signatures")
    assert queue.status_code == 200, queue.text
    assert f'data-candidate="{altered}" data-unreadable' in queue.text
    assert "audit trail holds" in queue.text  # why, as the error says it
    assert f'data-candidate="{readable}"><td>' in queue.text  # the other one, to sign
    assert f'href="/staff/signatures/candidates/{readable}"' in queue.text


def test_the_list_filtered_by_verdict_leaves_the_unreadable_one_out(
    app: FastAPI, store: Store
) -> None:
    readable, altered = two_candidates_one_altered(store)
    coordinator = client_as(app, "coordinator")
    page = coordinator.get("/staff/candidates?verdict=needs_review")
    assert page.status_code == 200, page.text
    assert f'/staff/candidates/{readable}"' in page.text
    assert f'/staff/candidates/{altered}"' not in page.text
    whole = coordinator.get("/staff/candidates")
    assert whole.status_code == 200
    assert f'/staff/candidates/{altered}"' in whole.text  # listed, with no verdict
