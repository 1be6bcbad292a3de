"""Serious adverse event alerts: what they say, to whom, written to the outbox in the
caller's transaction (the event's own), so an alert exists exactly when its change does.

When an alert is written (events.py decides, the reasons below): an event that becomes
serious, on record or on a later correction; a correction of an event serious before and
after that changes its seriousness criteria, its grade or its outcome; and a correction
that unticks every criterion of a serious event (the recipients were told it was
serious). One message per recipient per such change. Any other correction (a date, the
verbatim term, an action taken) sends nothing.

The text is English then Simplified Chinese in one e-mail, and holds no personal data
beyond the subject number: the coded CTCAE term, the grade, the ticked criteria and the
outcome, never the verbatim term (free text that may name a person) nor any name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from enum import StrEnum
from zoneinfo import ZoneInfo

from trialdesk.trial.notify.models import OutboxMessage, State
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.values import as_utc

__all__ = [
    "REPORT_WITHIN",
    "Reason",
    "Recipient",
    "RecipientRole",
    "SaeAlert",
    "enqueue",
    "message_fields",
]

# The initial report of a serious adverse event is due within 24 hours of the site
# learning of it: issue 14 point 5 (the sponsor's brief, a protocol assumption: ICH E6(R2)
# 4.11.1 asks for it "immediately" without a figure). The clock starts when a write first
# made the event serious (adverse_event.serious_since).
REPORT_WITHIN = timedelta(hours=24)


class Reason(StrEnum):
    BECAME_SERIOUS = "became_serious"
    SERIOUSNESS_CHANGED = "seriousness_changed"  # criteria, grade or outcome of a serious event
    NO_LONGER_SERIOUS = "no_longer_serious"


class RecipientRole(StrEnum):
    INVESTIGATOR = "investigator"
    SAFETY_CONTACT = "safety_contact"


@dataclass(frozen=True)
class Recipient:
    role: RecipientRole
    email: str


@dataclass(frozen=True)
class SaeAlert:
    """What one alert tells of one adverse event (no name, no free text)."""

    study_id: str
    adverse_event_id: int
    enrolment_id: int
    subject_number: str
    sequence: int  # the event's number within the participant (AESPID)
    reason: Reason
    term: str  # CTCAE v5.0 term
    grade: int
    seriousness: Sequence[str]  # the ICH E2A criteria ticked (terms.Seriousness values)
    outcome: str  # CDISC OUT
    serious_since: datetime | None  # when it became serious: the clock's start
    zone: ZoneInfo  # the site's, for the due time as staff there read it


# ICH E2A (1994) II.B; the Chinese after China's GCP (2020) art. 11 (its definition of a
# serious adverse event), a translation for the site to review.
_CRITERIA = {
    "death": ("Results in death", "导致死亡"),
    "life_threatening": ("Is life-threatening", "危及生命"),
    "hospitalisation": ("Requires or prolongs hospitalisation", "需要住院治疗或者延长住院时间"),
    "disability": (
        "Results in persistent or significant disability/incapacity",
        "导致永久或者严重的残疾或者功能丧失",
    ),
    "congenital_anomaly": ("Is a congenital anomaly/birth defect", "先天性异常或者出生缺陷"),
    "medically_important": ("Other medically important event", "其他重要医学事件"),
}
# CDISC SDTM CT code list OUT (C66768); the Chinese a translation for the site to review.
_OUTCOMES = {
    "RECOVERED/RESOLVED": "痊愈/已缓解",
    "RECOVERING/RESOLVING": "正在恢复/缓解中",
    "NOT RECOVERED/NOT RESOLVED": "未恢复/未缓解",
    "RECOVERED/RESOLVED WITH SEQUELAE": "痊愈/缓解伴后遗症",
    "FATAL": "死亡",
    "UNKNOWN": "未知",
}
_HEADLINES = {
    Reason.BECAME_SERIOUS: ("Serious adverse event", "严重不良事件"),
    Reason.SERIOUSNESS_CHANGED: ("Serious adverse event changed", "严重不良事件已更改"),
    Reason.NO_LONGER_SERIOUS: ("Adverse event no longer serious", "不良事件不再为严重"),
}


def _wall(moment: datetime, zone: ZoneInfo) -> str:
    return as_utc(moment).astimezone(zone).strftime(f"%Y-%m-%d %H:%M ({zone.key})")


def _text(alert: SaeAlert) -> tuple[str, str]:
    en_head, zh_head = _HEADLINES[alert.reason]
    subject = (
        f"[{alert.study_id}] {en_head}: participant {alert.subject_number}, "
        f"event {alert.sequence} / {zh_head}：受试者 {alert.subject_number}，事件 {alert.sequence}"
    )
    en_criteria = "; ".join(_CRITERIA[c][0] for c in alert.seriousness) or "none"
    zh_criteria = "；".join(_CRITERIA[c][1] for c in alert.seriousness) or "无"
    outcome_zh = _OUTCOMES.get(alert.outcome, alert.outcome)
    en = [
        f"{en_head} in study {alert.study_id}.",
        "",
        f"Participant: {alert.subject_number}",
        f"Adverse event: {alert.sequence}",
        f"CTCAE v5.0 term: {alert.term}, grade {alert.grade}",
        f"Seriousness (ICH E2A): {en_criteria}",
        f"Outcome: {alert.outcome}",
    ]
    zh = [
        f"研究 {alert.study_id} 中的{zh_head}。",
        "",
        f"受试者：{alert.subject_number}",
        f"不良事件：{alert.sequence}",
        f"CTCAE v5.0 术语：{alert.term}，{alert.grade} 级",
        f"严重性标准（ICH E2A）：{zh_criteria}",
        f"转归：{outcome_zh}",
    ]
    if alert.serious_since is not None and alert.reason is not Reason.NO_LONGER_SERIOUS:
        due = _wall(alert.serious_since + REPORT_WITHIN, alert.zone)
        en.append(f"Initial report due by: {due} (24 hours after it became serious)")
        zh.append(f"首次报告截止时间：{due}（成为严重不良事件后 24 小时内）")
    en += ["", "Open trialdesk for the event. This message holds no personal data."]
    zh += ["", "请在 trialdesk 中查看该事件。本邮件不含个人信息。"]
    return subject, "\n".join([*en, "", "——", "", *zh, ""])


def message_fields(message: OutboxMessage) -> dict[str, object]:
    """What the audit entry of a new message records (its text, as written)."""
    names = (
        "study_id",
        "adverse_event_id",
        "subject_number",
        "event_sequence",
        "reason",
        "recipient_role",
        "recipient",
        "subject",
        "body",
        "message_id",
        "state",
        "next_attempt_at",
    )
    return {n: getattr(message, n) for n in names}


def enqueue(
    session: Session,
    alert: SaeAlert,
    recipients: Sequence[Recipient],
    *,
    actor: str,
    now: datetime,
) -> list[OutboxMessage]:
    """Write one message per recipient in the caller's transaction, each audited: they
    are committed, or rolled back, with the change they tell of."""
    now = as_utc(now)
    subject, body = _text(alert)
    written: list[OutboxMessage] = []
    for recipient in recipients:
        message = OutboxMessage(
            study_id=alert.study_id,
            adverse_event_id=alert.adverse_event_id,
            enrolment_id=alert.enrolment_id,
            subject_number=alert.subject_number,
            event_sequence=alert.sequence,
            reason=alert.reason.value,
            recipient_role=recipient.role.value,
            recipient=recipient.email,
            subject=subject,
            body=body,
            message_id=make_msgid(idstring=f"sae{alert.adverse_event_id}", domain="trialdesk"),
            created_at=now,
            created_by=actor,
            state=State.PENDING.value,
            attempts=0,
            next_attempt_at=now,
        )
        session.add(message)
        session.flush()
        audit.created(
            session,
            message,
            actor=actor,
            fields=message_fields(message),
            reason=f"{alert.reason.value} alert for adverse event {alert.sequence} of "
            f"{alert.subject_number} to the {recipient.role.value.replace('_', ' ')}",
            at=now,
        )
        written.append(message)
    return written
