"""The investigator's signature queue (/staff/signatures) and its count on the staff home:
the candidates' criteria, the visits and the casebooks whose signature is missing or
lapsed, each linked to where it is signed (trial/review/signature_queue.py).

The queue builds every screening candidate's checklist and every participant's calendar
(hundreds of statements, seconds with 200 candidates: benchmarks/screening_pages.py), and
the staff home shows its count on every investigator's visit. It is kept per study and
site day under the audit head (page_cache.py says why the head marks a state of the
whole store), shared by every investigator, and built in the thread pool, never on the
event loop."""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any

from cachetools import LRUCache
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.review.signature_queue import SignatureQueue, signature_queue
from trialdesk.trial.store import audit
from trialdesk.web.access import allow
from trialdesk.web.deps import all_studies, now, store_of, study_or_404, user_of
from trialdesk.web.pages import render, templates
from trialdesk.web.rooms.conduct.changes import StudyId
from trialdesk.web.rooms.signatures import shown  # noqa: F401  (registers the filters)

__all__ = ["router", "signature_counts"]

router = APIRouter(include_in_schema=False)
PAGE = "/staff/signatures"
SIGNERS = (Permission.SIGN_ELIGIBILITY, Permission.SIGN_VISITS, Permission.SIGN_CASEBOOKS)


_KEPT_LOCK = threading.Lock()  # pages are built on the thread pool


def _kept(request: Request) -> LRUCache[Hashable, SignatureQueue]:
    """The app's kept queues: a few per study (one per audit head and site day)."""
    state = request.app.state
    with _KEPT_LOCK:
        kept: LRUCache[Hashable, SignatureQueue] | None = getattr(state, "signature_queues", None)
        if kept is None:
            kept = state.signature_queues = LRUCache(maxsize=32)
        return kept


def _queue(request: Request, study: Study) -> SignatureQueue:
    """The study's queue today at its site, kept until the next audited write."""
    today = site_today(study.schedule, now())
    kept = _kept(request)
    with store_of(request).read() as session:
        key = (study.id, today, audit.head(session))  # read first: never newer than the rest
        with _KEPT_LOCK:
            found = kept.get(key)
        if found is None:
            found = signature_queue(session, study, today)
            with _KEPT_LOCK:
                kept[key] = found
        return found


@router.get(PAGE, response_class=HTMLResponse, dependencies=[allow(Permission.SIGN_ELIGIBILITY)])
async def queue_page(request: Request, study: StudyId = None) -> Response:
    """Everything waiting for an investigator's signature, per study served (or the one
    asked for with ``?study=``)."""
    studies = [study_or_404(request, study)] if study else all_studies(request)
    # each candidate's checklist is built: in the thread pool, off the event loop
    queues = [(s, await run_in_threadpool(_queue, request, s)) for s in studies]
    context: dict[str, Any] = {"queues": queues}
    return render(request, "signatures.html", context)


def signature_counts(request: Request, study: Study) -> dict[str, object] | None:
    """The staff home's count for ``study`` (templates/signatures_count.html): None for a
    user who signs nothing. Called while the home renders, which is on the thread pool
    (dashboard/pages.py), and kept (``_queue``)."""
    user = user_of(request)
    if not all(user.can(p) for p in SIGNERS):
        return None
    queue = _queue(request, study)
    return {
        "total": queue.total,
        "criteria": queue.criteria_count,
        "unreadable": queue.unreadable,
        "visits": len(queue.visits),
        "casebooks": len(queue.casebooks),
    }


templates.env.globals["signature_counts"] = signature_counts
