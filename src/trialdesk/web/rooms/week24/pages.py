"""The week-24 report as a staff page (`/staff/report/week24`), and its PDF and JSON
downloads: for whoever reads every participant's data (VIEW_PARTICIPANTS: investigator,
coordinator, monitor, data manager; there is no sponsor role, the monitor reads for the
sponsor). The report is built from the store in the thread pool: it derives SDTM and ADaM
for the whole study, too long for the event loop."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from trialdesk.reports.week24.build import report_from_store
from trialdesk.reports.week24.html import STYLES, report_fragment
from trialdesk.reports.week24.pdf import report_pdf
from trialdesk.reports.week24.report import Week24Report, report_json
from trialdesk.reports.week24.texts import T
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.roles import Permission
from trialdesk.web.access import allow
from trialdesk.web.deps import store_of
from trialdesk.web.locale import locale_of, remember_locale
from trialdesk.web.pages import render
from trialdesk.web.rooms.conduct.changes import StudyId, conduct_studies, conduct_study

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
PAGE = "/staff/report/week24"
# the downloads name every participant: never kept by a browser or a proxy, whatever the
# app's middleware does (as the exports room's archives)
NO_STORE = {"Cache-Control": "no-store"}
TEXTS = {
    "downloads": T("Download", "下载"),
    "pdf": T("PDF", "PDF"),
    "json": T("Tables as JSON", "表格（JSON）"),
    "intro": T(
        "Every number links to the participants and ADaM records behind it (appendix).",
        "每个数字都链接到其对应的受试者和ADaM记录（见附录）。",
    ),
}


def _build(request: Request, study: Study, lang: str, *, draw: bool, png: bool) -> Week24Report:
    with store_of(request).read() as session:
        return report_from_store(
            session, study, lang=lang, data_cut=datetime.now(UTC), draw=draw, png=png
        )


@router.get(PAGE, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def week24_page(request: Request, study: StudyId = None) -> Response:
    """The week-24 report in the reader's language, every count a link to its people."""
    chosen = conduct_study(request, study)
    lang = locale_of(request)
    report = await run_in_threadpool(_build, request, chosen, lang, draw=True, png=False)
    body = report_fragment(report, lang, inline=False)
    context = {
        "t": TEXTS,
        "locale": lang,
        "study": chosen,
        "studies": conduct_studies(request),
        "report": report,
        "body": body,
    }
    return remember_locale(request, render(request, "week24.html", context))


@router.get(PAGE + ".css", dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def week24_css() -> Response:
    """The report's own stylesheet (reports/week24/templates/week24.css): the page inside
    the staff layout uses the same rules the standalone report inlines."""
    return Response(STYLES, media_type="text/css")


@router.get(PAGE + ".pdf", dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def week24_pdf(request: Request, study: StudyId = None) -> Response:
    chosen = conduct_study(request, study)
    lang = locale_of(request)

    def made() -> bytes:
        return report_pdf(_build(request, chosen, lang, draw=True, png=True), lang)

    pdf = await run_in_threadpool(made)
    name = f"{chosen.id}-week24-{lang}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE},
    )


@router.get(PAGE + ".json", dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def week24_json(request: Request, study: StudyId = None) -> Response:
    chosen = conduct_study(request, study)
    lang = locale_of(request)
    report = await run_in_threadpool(_build, request, chosen, lang, draw=False, png=False)
    return Response(
        orjson.dumps(report_json(report)),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{chosen.id}-week24.json"',
            **NO_STORE,
        },
    )
