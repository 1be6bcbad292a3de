"""The notifications room's words in English and Simplified Chinese (one table: a word
missing from it fails the Chinese page in the tests, never shows English silently)."""

from __future__ import annotations

from collections.abc import Callable

from trialdesk.study.texts import Text

__all__ = ["ZH", "Say", "sayer", "text"]

Say = Callable[[str], str]

ZH: dict[str, str] = {
    "Notifications": "通知",
    "Safety alerts by e-mail": "安全性警报邮件",
    "Each serious adverse event alerts the investigator and the study's safety contact "
    "by e-mail, written with the event and delivered by the server's worker; a failed "
    "delivery is retried, nothing is dropped.": (
        "每一例严重不良事件都会通过电子邮件通知研究者和研究的安全性联系人：警报与事件一同写入，"
        "由服务器的后台程序发送；发送失败会重试，不会丢弃。"
    ),
    "SMTP server": "SMTP 服务器",
    "not configured: alerts stay undelivered until TRIALDESK_SMTP_HOST is set": (
        "未配置：在设置 TRIALDESK_SMTP_HOST 之前，警报保持未送达"
    ),
    "settings are wrong": "设置有误",
    "Created": "创建时间",
    "Study": "研究",
    "Participant": "受试者",
    "Event": "事件",
    "Why": "原因",
    "Recipient": "收件人",
    "State": "状态",
    "Attempts": "尝试次数",
    "No safety alerts yet.": "尚无安全性警报。",
    "next attempt": "下次尝试",
    "last error": "最近错误",
    # states (views.Shown)
    "pending": "待发送",
    "sending": "发送中",
    "sent": "已发送",
    "retrying": "发送失败，将重试",
    "undelivered": "未送达：未配置 SMTP",
    # reasons (alerts.Reason)
    "became_serious": "成为严重不良事件",
    "seriousness_changed": "严重性、分级或转归已更改",
    "no_longer_serious": "不再为严重不良事件",
    # recipients (alerts.RecipientRole)
    "investigator": "研究者",
    "safety_contact": "安全性联系人",
}

EN: dict[str, str] = {
    "pending": "pending",
    "sending": "sending",
    "sent": "sent",
    "retrying": "failed, retrying",
    "undelivered": "undelivered: SMTP not configured",
    "became_serious": "became serious",
    "seriousness_changed": "seriousness, grade or outcome changed",
    "no_longer_serious": "no longer serious",
    "investigator": "investigator",
    "safety_contact": "safety contact",
}


def text(word: str) -> Text:
    """A word in both languages (the API gives both)."""
    return Text(EN.get(word, word), ZH[word])


def sayer(locale: str) -> Say:
    if locale == "zh-CN":
        return lambda word: ZH[word]
    return lambda word: EN.get(word, word)
