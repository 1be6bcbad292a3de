"""A serious adverse event's reports: the event's page with its 24-hour clock and its
reports, a report's form (a draft, saved whole with the version it was opened on), the
investigator's submission (a signature page), and the report as the CIOMS I form, a
print page and a PDF.

Every write goes through trial/safety/sae_reports.py (audited, checked whole: a refused
form comes back with every message at its field and nothing stored); the submission's
password is checked outside the write transaction (web/signing.py). The clock moves with
time, so these pages are built on every request, never kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from trialdesk.errors import TrialdeskError
from trialdesk.reports.cioms import cioms_form, cioms_pdf
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.accounts.signatures import Meaning
from trialdesk.trial.safety import sae_reports
from trialdesk.trial.safety.causality import Signing
from trialdesk.trial.safety.clock import SaeClock, any_running, study_clocks
from trialdesk.trial.safety.sae_models import SaeReport
from trialdesk.trial.safety.sae_reports import ReportInput, SaeView
from trialdesk.trial.store.db import Session
from trialdesk.web import forms, signing
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.errors import status_of
from trialdesk.web.locale import locale_of, remember_locale
from trialdesk.web.pages import render, templates
from trialdesk.web.rooms.conduct.changes import apply_change, errors_of, posted_values
from trialdesk.web.rooms.conduct.changes import study_of_participant as study_of
from trialdesk.web.rooms.safety.labels import ZH as ROOM_ZH
from trialdesk.web.rooms.safety.labels import vocabulary
from trialdesk.web.schemas import RowId

__all__ = [
    "REPORT",
    "SAE",
    "clock_marker",
    "clock_panel",
    "clock_words",
    "event_clock",
    "report_input",
    "router",
    "sae_say",
    "with_clocks",
]

router = APIRouter(include_in_schema=False)

SAE = "/staff/participants/{enrolment_id}/adverse-events/{event_id}/sae"
REPORT = SAE + "/reports/{report_id}"
REPORT_FIELDS = ("narrative", "admitted_on", "discharged_on", "tests", "concomitant", "reporter")
# what a form may carry: the service checks the real limits, at their fields, all at once
_CARRY = 2 * sae_reports.NARRATIVE_MAX

# The SAE pages' own words (the room's table, labels.py, has the shared ones).
SAE_ZH: dict[str, str] = {
    "Serious adverse event reports": "严重不良事件报告",
    "SAE report": "严重不良事件报告",
    "Reports": "报告",
    "initial report": "首次报告",
    "follow-up report": "随访报告",
    "draft": "草稿",
    "submitted": "已提交",
    "Start the initial report": "开始首次报告",
    "Start a follow-up report": "开始随访报告",
    "A report is in draft: complete and submit it before starting another.": (
        "有一份报告尚为草稿：请先完成并提交，再开始新的报告。"
    ),
    "No report yet.": "尚无报告。",
    "The event is not serious: it has no SAE report.": "该事件不严重，无需严重不良事件报告。",
    "Narrative (describe the event, its course and treatment)": "叙述（描述事件、经过及治疗）",
    "Hospital admission date": "入院日期",
    "Hospital discharge date": "出院日期",
    "Only when the event requires or prolongs hospitalisation.": (
        "仅当事件导致住院或延长住院时填写。"
    ),
    "Relevant tests and laboratory data": "相关检查和实验室数据",
    "Concomitant medication (drugs and dates; not those treating the event)": (
        "合并用药（药物及日期；不包括治疗该事件的药物）"
    ),
    "Reporter (printed name)": "报告人（正楷姓名）",
    "Save the draft": "保存草稿",
    "Submit": "提交",
    "Submit this report": "提交此报告",
    "Submitted.": "已提交。",
    "Submitted and signed by": "提交并签名",
    "A submitted report never changes: a correction or new information is a follow-up "
    "report.": "已提交的报告不可更改：更正或新信息请以随访报告提交。",
    "Only the investigator submits a report.": "报告仅由研究者提交。",
    "By signing you submit this report to the sponsor as shown, with the event as it "
    "stands now.": "签署即表示您按所示内容向申办方提交此报告，并包括事件的当前情况。",
    "Sign and submit": "签署并提交",
    "CIOMS I form (print)": "CIOMS I 表（打印）",
    "CIOMS I form (PDF)": "CIOMS I 表（PDF）",
    "Print": "打印",
    "Back to the adverse event": "返回不良事件",
    "Back to the report": "返回报告",
    "Outcome (from the event)": "转归（来自事件）",
    "24-hour clock": "24小时时限",
    "Serious since (awareness)": "判定为严重（获知时间）",
    "Initial report due": "首次报告截止时间",
    "time left": "剩余时间",
    "overdue by": "已逾期",
    "met": "按时提交",
    "late by": "逾期提交",
    "early by": "提前",
    "open": "进行中",
    "overdue": "已逾期",
    "late": "逾期",
    "Open SAE clocks": "进行中的严重不良事件时限",
    "No open SAE clock.": "没有进行中的严重不良事件时限。",
    "The investigator reports a serious adverse event to the sponsor within 24 hours of "
    "awareness (ICH E6(R3) 2.7; EU 536/2014 Art. 41(2)); a protocol assumption.": (
        "研究者应在获知严重不良事件后24小时内向申办方报告（ICH E6(R3) 2.7；"
        "欧盟 536/2014 第41条第2款）；方案假设。"
    ),
    "Report": "报告",
    "Event": "事件",
    "Due": "截止",
    "State": "状态",
    "Sign": "签署",
    "Not filled": "未填写",
    "h": "小时",
    "min": "分钟",
}


def sae_say(locale: str) -> Callable[[str], str]:
    """``say(english)`` in the reader's language from the SAE words, then the room's
    (KeyError: a word neither has, found by the tests that render each page in both)."""
    zh = locale == "zh-CN"

    def say(text: str) -> str:
        if text in SAE_ZH:
            return SAE_ZH[text] if zh else text
        if text in ROOM_ZH:
            return ROOM_ZH[text] if zh else text
        raise KeyError(f"no Chinese for {text!r} in the SAE pages' words")

    return say


def clock_words(clock: SaeClock, say: Callable[[str], str]) -> str:
    """The clock's state and its time in words: "time left 3 h 05 min"."""
    minutes = int(clock.delta.total_seconds() // 60)
    span = f"{minutes // 60} {say('h')} {minutes % 60:02d} {say('min')}"
    return {
        "open": f"{say('time left')} {span}",
        "overdue": f"{say('overdue by')} {span}",
        "met": f"{say('met')} ({say('early by')} {span})",
        "late": f"{say('late by')} {span}",
    }[clock.state.value]


def clock_panel(
    session: Session, study: Study, locale: str, enrolment_id: int | None = None
) -> list[tuple[SaeClock, str]]:
    """The running clocks (open or overdue) of the study or one participant, the most
    urgent first, each with its time in words: the dashboards' panel (safety_clocks.html)."""
    say = sae_say(locale)
    running = study_clocks(session, study, now(), enrolment_id=enrolment_id, running_only=True)
    return [(c, clock_words(c, say)) for c in running]


def clock_marker(session: Session) -> str | None:
    """For a kept page's key: the minute now while a clock runs anywhere (its time left
    changes and it turns overdue with no write to rebuild the page), else nothing. One
    lookup per request: a kept page must stay cheaper than a rendered one."""
    if any_running(session):
        return now().strftime("%Y-%m-%dT%H:%M")
    return None


def with_clocks(key: tuple[object, ...]) -> Callable[[Session], tuple[object, ...]]:
    """A kept page's key (web/page_cache.py) with the clock marker added."""
    return lambda session: (*key, clock_marker(session))


# The panel is one include on the conduct room's pages, which read it with these.
templates.env.globals["sae_say"] = sae_say


def report_input(form: FormData) -> ReportInput:
    """The report as the page posted it: text as typed, the service reads and checks it."""
    return ReportInput(**{name: forms.text(form, name, _CARRY) or None for name in REPORT_FIELDS})


def _values(report: SaeReport) -> dict[str, str]:
    return {
        "narrative": report.narrative or "",
        "admitted_on": report.admitted_on.isoformat() if report.admitted_on else "",
        "discharged_on": report.discharged_on.isoformat() if report.discharged_on else "",
        "tests": report.tests or "",
        "concomitant": report.concomitant or "",
        "reporter": report.reporter or "",
    }


def event_clock(session: Session, study: Study, view: SaeView) -> SaeClock | None:
    clocks = study_clocks(session, study, now(), enrolment_id=view.participant.id)
    return next((c for c in clocks if c.event_id == view.event.id), None)


def _context(
    request: Request, session: Session, enrolment_id: int, event_id: int
) -> dict[str, Any]:
    study = study_of(request, session, enrolment_id)
    view = sae_reports.sae_view(session, study, enrolment_id, event_id)
    locale = locale_of(request)
    say = sae_say(locale)
    clock = event_clock(session, study, view)
    return {
        "study": study,
        "view": view,
        "participant": view.participant,
        "event": view.event,
        "clock": clock,
        "clock_text": clock_words(clock, say) if clock is not None else "",
        "say": say,
        "vocab": vocabulary(locale),
        "locale": locale,
        "sign_meaning": Meaning.SAE_REPORT,
    }


def _page(
    request: Request,
    session: Session,
    enrolment_id: int,
    event_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    code: int = 200,
) -> Response:
    context = _context(request, session, enrolment_id, event_id)
    context |= {"errors": errors or {}, "values": values or {}}
    return remember_locale(request, render(request, "safety_sae.html", context, code))


@router.get(SAE, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_SAFETY)])
async def sae_page(request: Request, enrolment_id: RowId, event_id: RowId) -> Response:
    """The serious event's clock and reports, and the start of the next report."""
    with store_of(request).read() as session:
        return _page(request, session, enrolment_id, event_id)


@router.post(SAE + "/reports", dependencies=[allow(Permission.RECORD_ADVERSE_EVENTS)])
async def start_report(request: Request, enrolment_id: RowId, event_id: RowId) -> Response:
    def change(session: Session, form: FormData) -> SaeReport:
        return sae_reports.start_report(
            session, actor=user_of(request).username,
            study=study_of(request, session, enrolment_id), enrolment_id=enrolment_id,
            event_id=event_id, given=report_input(form), now=now(),
        )  # fmt: skip

    def done(report: SaeReport) -> str:
        return REPORT.format(enrolment_id=enrolment_id, event_id=event_id, report_id=report.id)

    def refused(errors: dict[str, str], values: dict[str, str], code: int) -> Response:
        with store_of(request).read() as session:
            return _page(request, session, enrolment_id, event_id, errors, values, code)

    return await apply_change(request, change, done, refused)


def _report_page(
    request: Request,
    session: Session,
    ids: tuple[int, int, int],
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    code: int = 200,
    template: str = "safety_sae_report.html",
) -> Response:
    enrolment_id, event_id, report_id = ids
    context = _context(request, session, enrolment_id, event_id)
    report = context["view"].report(report_id)
    context |= {
        "report": report,
        "errors": errors or {},
        "values": values if values is not None else _values(report),
        "saved": request.query_params.get("saved") == "1",
        "submitted": request.query_params.get("submitted") == "1",
    }
    return remember_locale(request, render(request, template, context, code))


@router.get(REPORT, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_SAFETY)])
async def report_page(
    request: Request, enrolment_id: RowId, event_id: RowId, report_id: RowId
) -> Response:
    """A report: its form while a draft, as submitted after."""
    with store_of(request).read() as session:
        return _report_page(request, session, (enrolment_id, event_id, report_id))


@router.post(REPORT, dependencies=[allow(Permission.RECORD_ADVERSE_EVENTS)])
async def save_report(
    request: Request, enrolment_id: RowId, event_id: RowId, report_id: RowId
) -> Response:
    def change(session: Session, form: FormData) -> SaeReport:
        return sae_reports.save_report(
            session, actor=user_of(request).username,
            study=study_of(request, session, enrolment_id), enrolment_id=enrolment_id,
            event_id=event_id, report_id=report_id, given=report_input(form),
            expected_version=forms.number(form, "version"), now=now(),
        )  # fmt: skip

    def refused(errors: dict[str, str], values: dict[str, str], code: int) -> Response:
        with store_of(request).read() as session:
            ids = (enrolment_id, event_id, report_id)
            return _report_page(request, session, ids, errors, values, code)

    done = REPORT.format(enrolment_id=enrolment_id, event_id=event_id, report_id=report_id)
    return await apply_change(request, change, done + "?saved=1", refused)


@router.get(
    REPORT + "/submit", response_class=HTMLResponse, dependencies=[allow(Permission.SIGN_CAUSALITY)]
)
async def submit_page(
    request: Request, enrolment_id: RowId, event_id: RowId, report_id: RowId
) -> Response:
    """The investigator's signature page: the report as it will be submitted."""
    with store_of(request).read() as session:
        ids = (enrolment_id, event_id, report_id)
        return _report_page(request, session, ids, template="safety_sae_submit.html")


@router.post(REPORT + "/submit", dependencies=[allow(Permission.SIGN_CAUSALITY)])
async def submit_report(
    request: Request, enrolment_id: RowId, event_id: RowId, report_id: RowId
) -> Response:
    form = await request.form()
    password = forms.text(form, "password", 1024)

    def act(session: Session, signer: User, checked: PasswordCheck) -> SaeReport:
        return sae_reports.submit_report(
            session, signing=Signing(signer, password, checked),
            study=study_of(request, session, enrolment_id), enrolment_id=enrolment_id,
            event_id=event_id, report_id=report_id,
            expected_version=forms.number(form, "version"), now=now(),
        )  # fmt: skip

    ids = (enrolment_id, event_id, report_id)
    try:
        await signing.sign(request, password, act)
    except TrialdeskError as error:
        with store_of(request).read() as session:
            return _report_page(
                request, session, ids, errors_of(error), posted_values(form),
                status_of(error), template="safety_sae_submit.html",
            )  # fmt: skip
    done = REPORT.format(enrolment_id=enrolment_id, event_id=event_id, report_id=report_id)
    return RedirectResponse(done + "?submitted=1", status_code=303)


def _cioms(request: Request, session: Session, ids: tuple[int, int, int]) -> dict[str, Any]:
    enrolment_id, event_id, report_id = ids
    context = _context(request, session, enrolment_id, event_id)
    report = context["view"].report(report_id)
    context["report"] = report
    context["form"] = cioms_form(context["study"], context["view"], report, context["clock"])
    return context


@router.get(
    REPORT + "/cioms", response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_SAFETY)]
)
async def cioms_page(
    request: Request, enrolment_id: RowId, event_id: RowId, report_id: RowId
) -> Response:
    """The report as the CIOMS I form, for the browser to print (print CSS)."""
    with store_of(request).read() as session:
        context = _cioms(request, session, (enrolment_id, event_id, report_id))
        return remember_locale(request, render(request, "cioms.html", context))


@router.get(REPORT + "/cioms.pdf", dependencies=[allow(Permission.VIEW_SAFETY)])
async def cioms_download(
    request: Request, enrolment_id: RowId, event_id: RowId, report_id: RowId
) -> Response:
    """The report as the CIOMS I form in PDF (English and Chinese labels)."""
    with store_of(request).read() as session:
        form = _cioms(request, session, (enrolment_id, event_id, report_id))["form"]
    name = f"CIOMS-I_{form.control_number}_{form.report_en.replace(' ', '-')}.pdf"
    return Response(
        cioms_pdf(form),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
