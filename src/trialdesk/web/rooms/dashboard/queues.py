"""The staff home's work queues: for each study, what waits for this user's role, counted,
each count linking to the list behind it (walkthrough D24: the home showed lead counts
only, with green badges even at zero).

A queue is shown only to a role that can act on it (its permission); a count of zero is
neutral, a count above zero is a "to do" (warn), and an overdue visit or a running SAE
clock is urgent (bad). The investigator's signature queue keeps its own include
(signatures_count.html). zh-CN: a translation for the site to review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from trialdesk.study.loader import Study
from trialdesk.study.texts import Text
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.conduct.dashboard import dashboard
from trialdesk.trial.review import query_views
from trialdesk.trial.review.deviations import stored_counts
from trialdesk.trial.safety.clock import study_clocks
from trialdesk.trial.screening.candidates import list_candidates
from trialdesk.trial.screening.leads import LeadStatus, list_leads
from trialdesk.trial.screening.models import CandidateStatus
from trialdesk.trial.store.db import Session
from trialdesk.web.deps import StaffUser, now

__all__ = ["Queue", "QUEUE_TEXTS", "queues_of"]

QUEUE_TEXTS: dict[str, Text] = {
    "page_title": Text("Staff", "工作人员"),
    "home_title": Text("Studies at this site", "本中心的研究"),
    "title": Text("Waiting for you", "待办事项"),
    "none": Text("Nothing waits here for your role.", "您的角色在此暂无待办事项。"),
    "leads_new": Text("New pre-screening leads to contact", "待联系的新预筛选线索"),
    "screening": Text("Candidates in screening", "筛选中的候选人"),
    "visits_overdue": Text("Visits overdue", "已逾期的访视"),
    "visits_due": Text("Visits due this week", "本周到期的访视"),
    "forms_incomplete": Text("Visits with forms to complete", "表单未完成的访视"),
    "queries_open": Text("Open data queries (to answer)", "待回复的数据质疑"),
    "queries_answered": Text("Answered queries (to close)", "已回复待关闭的数据质疑"),
    "deviations": Text("Protocol deviations to decide", "待判定的方案偏离"),
    "sae_clocks": Text("SAE reports with a running clock", "计时中的严重不良事件报告"),
    "staff_view": Text("Open the study's work", "打开研究工作页面"),
    "public_page": Text("Public page (what patients see)", "公开页面（患者所见）"),
}


@dataclass(frozen=True)
class Queue:
    key: str  # its text in QUEUE_TEXTS, and its id on the page
    count: int
    href: str
    urgent: bool = False  # past a deadline: shown as such when above zero

    @property
    def tone(self) -> str:
        """The badge's class: zero is neutral, never a green "all good"."""
        if not self.count:
            return "badge badge-none"
        return "badge badge-bad" if self.urgent else "badge badge-warn"


def _link(path: str, **query: str) -> str:
    return f"{path}?{urlencode(query)}"


def _leads(session: Session, study: Study, today: date) -> list[Queue]:
    new = len(list_leads(session, study.id, LeadStatus.NEW))
    return [Queue("leads_new", new, _link("/staff/leads", study=study.id, status="new"))]


def _screening(session: Session, study: Study, today: date) -> list[Queue]:
    count = len(list_candidates(session, study.id, CandidateStatus.SCREENING))
    href = _link("/staff/candidates", study=study.id, status="screening")
    return [Queue("screening", count, href)]


def _visits(session: Session, study: Study, today: date) -> list[Queue]:
    if study.schedule is None:
        return []
    totals = dashboard(session, study, today).totals

    def at(badge: str) -> str:
        return _link("/staff/participants", study=study.id, badge=badge)

    return [
        Queue("visits_overdue", totals["overdue"], at("overdue"), urgent=True),
        Queue("visits_due", totals["due"], at("due")),
        Queue("forms_incomplete", totals["incomplete"], at("incomplete")),
    ]


def _open_queries(session: Session, study: Study, today: date) -> list[Queue]:
    site = query_views.counts(session, study, today).site
    href = _link("/staff/queries", study=study.id, state="open")
    return [Queue("queries_open", site.open, href)]


def _answered_queries(session: Session, study: Study, today: date) -> list[Queue]:
    site = query_views.counts(session, study, today).site
    href = _link("/staff/queries", study=study.id, state="answered")
    return [Queue("queries_answered", site.answered, href)]


def _deviations(session: Session, study: Study, today: date) -> list[Queue]:
    proposed = stored_counts(session, study)["proposed"]
    href = _link("/staff/deviations", study=study.id, state="proposed")
    return [Queue("deviations", proposed, href)]


def _sae(session: Session, study: Study, today: date) -> list[Queue]:
    running = study_clocks(session, study, now(), running_only=True)
    return [Queue("sae_clocks", len(running), _link("/staff/safety", study=study.id), True)]


# Each queue with the permission of those who work it, in the order the home shows them.
_QUEUES: tuple[tuple[Permission, Callable[[Session, Study, date], list[Queue]]], ...] = (
    (Permission.EDIT_LEADS, _leads),
    (Permission.EDIT_CANDIDATES, _screening),
    (Permission.RECORD_ADVERSE_EVENTS, _sae),
    (Permission.EDIT_VISITS, _visits),
    (Permission.ANSWER_QUERIES, _open_queries),
    (Permission.RAISE_QUERIES, _answered_queries),
    (Permission.DECIDE_DEVIATIONS, _deviations),
)


def queues_of(session: Session, user: StaffUser, study: Study, today: date) -> list[Queue]:
    """What waits in ``study`` for ``user``'s role, in the home's order."""
    found: list[Queue] = []
    for permission, count in _QUEUES:
        if user.can(permission):
            found.extend(count(session, study, today))
    return found
