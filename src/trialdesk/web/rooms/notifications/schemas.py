"""The notifications API's JSON shape, made from the read model the page uses
(trial/notify/views.py). Texts a person reads come in both languages."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from trialdesk.trial.notify.views import MessageView
from trialdesk.web.rooms.notifications.words import text

__all__ = ["MessageOut", "NotificationsOut", "SmtpOut", "message_out"]


class Texts(BaseModel):
    """A text a person reads, in English and Simplified Chinese."""

    model_config = ConfigDict(populate_by_name=True)

    en: str
    zh_cn: str = Field(alias="zh-CN")


def _texts(word: str) -> Texts:
    said = text(word)
    return Texts.model_validate({"en": said.en, "zh-CN": said.zh_cn})


class SmtpOut(BaseModel):
    configured: bool
    server: str | None = Field(description="host:port (TLS), and the From address")
    problem: str | None = Field(None, description="why the settings cannot be used")


class MessageOut(BaseModel):
    id: int
    study: str
    enrolment_id: int
    subject_number: str
    adverse_event_id: int
    event_sequence: int = Field(description="the event's number within the participant")
    reason: str = Field(description="became_serious, seriousness_changed or no_longer_serious")
    reason_text: Texts
    recipient_role: str = Field(description="investigator or safety_contact")
    recipient: str
    subject: str
    message_id: str = Field(description="the e-mail's Message-ID, the same on every attempt")
    created_at: datetime
    state: str = Field(description="pending, sending, sent, retrying or undelivered")
    state_text: Texts
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    sent_at: datetime | None


class NotificationsOut(BaseModel):
    smtp: SmtpOut
    messages: list[MessageOut]


def message_out(m: MessageView) -> MessageOut:
    return MessageOut(
        id=m.id,
        study=m.study_id,
        enrolment_id=m.enrolment_id,
        subject_number=m.subject_number,
        adverse_event_id=m.adverse_event_id,
        event_sequence=m.event_sequence,
        reason=m.reason,
        reason_text=_texts(m.reason),
        recipient_role=m.recipient_role,
        recipient=m.recipient,
        subject=m.subject,
        message_id=m.message_id,
        created_at=m.created_at,
        state=m.shown.value,
        state_text=_texts(m.shown.value),
        attempts=m.attempts,
        next_attempt_at=m.next_attempt_at,
        last_error=m.last_error,
        sent_at=m.sent_at,
    )
