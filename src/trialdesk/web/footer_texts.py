"""The page footer's texts, in English and Simplified Chinese: the patient's (the registry
and "not medical advice") on public pages, the study team's on staff pages (walkthrough
D24: staff pages carried the patient's). zh-CN: a translation for the site to review."""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["FOOTER", "STAFF_PATHS"]

STAFF_PATHS = ("/staff", "/admin")

FOOTER: dict[str, Text] = {
    "registry": Text(
        "Study information comes from the public registry {registry}.",
        "研究信息来自公共注册平台{registry}。",
    ),
    "not_advice": Text(
        "Nothing on this site is medical advice: talk to your doctor or the study team.",
        "本网站的任何内容都不构成医疗建议：请咨询您的医生或研究团队。",
    ),
    "staff": Text(
        "For the study team: what you do here is kept in the audit trail.",
        "仅供研究团队使用：您在此处的操作均记录在审计追踪中。",
    ),
    "api_docs": Text("API documentation", "API文档"),
}
