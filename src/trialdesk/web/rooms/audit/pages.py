"""The audit trail for monitors and admins: newest first, filtered by person (candidate),
user and dates, with the chain verified on every view, whether it is keyed, and a signed
anchor of its head to keep elsewhere (docs/audit.md). An entry altered outside the
application so that it cannot be read is listed as unreadable, never a failed page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from trialdesk.errors import TrialdeskError
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening.trail import about_candidate
from trialdesk.trial.store import audit
from trialdesk.trial.store.anchors import Anchor
from trialdesk.trial.store.audit_key import key_for
from trialdesk.trial.store.audit_search import AuditFilter, search
from trialdesk.trial.store.text import plain_text
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.deps import store_of
from trialdesk.web.locale import locale_of
from trialdesk.web.pages import render
from trialdesk.web.rooms.audit.texts import TEXTS

router = APIRouter(include_in_schema=False)

AUDIT_PAGE = 200


@router.get(
    "/staff/audit", response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_AUDIT)]
)
async def audit_trail(
    request: Request,
    candidate: str = "",
    actor: str = "",
    since: str = "",
    until: str = "",
) -> HTMLResponse:
    """The audit log, newest first, filtered by person (candidate), user and dates."""
    values = {"candidate": candidate, "actor": actor, "since": since, "until": until}
    errors: dict[str, str] = {}
    candidate_id: int | None = None
    try:
        candidate_id = forms.number(values, "candidate")
        wanted = AuditFilter(
            # no control characters (a NUL is refused by PostgreSQL: security probe F6)
            actor=plain_text(forms.text(values, "actor", 64), "actor", 64),
            since=forms.optional_day(values, "since"),
            until=forms.optional_day(values, "until"),
        )
    except TrialdeskError as error:
        errors[error.field or "form"] = error.message
        candidate_id, wanted = None, AuditFilter()
    # Verifying the whole chain takes a while on a big log: in the thread pool, so other
    # requests are served meanwhile (security probe F10).
    context = await run_in_threadpool(_trail, request, candidate_id, wanted)
    context.update(values=values, errors=errors, t=TEXTS, locale=locale_of(request))
    return render(request, "audit.html", context, status_code=422 if errors else 200)


def _trail(request: Request, candidate_id: int | None, wanted: AuditFilter) -> dict[str, Any]:
    with store_of(request).read() as session:
        report = audit.verify(session)
        scope = about_candidate(session, candidate_id) if candidate_id is not None else None
        rows = search(session, wanted, AUDIT_PAGE, scope)
        key = key_for(session)
        # An anchor vouches for the head: signed only for a chain that verified, else it
        # would vouch for a broken or altered log (the page says why there is none).
        if key is None:
            anchor, no_anchor = None, "no_anchor"
        elif not report.ok:
            anchor, no_anchor = None, "no_anchor_broken"
        elif not report.head_id:
            anchor, no_anchor = None, "no_anchor_empty"
        else:
            anchor, no_anchor = Anchor.signed(key, report.head_id, report.head_hash).token, None
        unreadable = report.unreadable or any(r.unreadable for r in rows)
        return {
            "rows": rows,
            "report": report,
            "anchor": anchor,
            "no_anchor": no_anchor,  # the key of the text saying why there is no anchor
            "unreadable": unreadable,
            # the fingerprint names the key; where it is kept stays off the page
            "fingerprint": key.fingerprint if key is not None else None,
        }
