"""What the public trial page itself says around the registry's record, in English and
Simplified Chinese. zh-CN: a translation for the site to review."""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["TEXTS"]

TEXTS: dict[str, Text] = {
    "cta_title": Text("Check if this trial may suit you", "看看这项研究是否适合您"),
    "cta_text": Text(
        "Answer a few questions about your health; it takes about 2 minutes. Nothing is "
        "stored unless you ask the study team to contact you.",
        "回答几个关于您健康状况的问题，大约需要 2 分钟。"
        "除非您要求研究团队与您联系，否则不会保存任何信息。",
    ),
    "cta_button": Text("Start the self-check", "开始自我评估"),
    "stale": Text(
        "The registry still says “{status}”, but the estimated start date, {start}, has "
        "passed. The registry record was last updated on {updated}, so this may be out of "
        "date: ask the study team.",
        "登记库仍显示“{status}”，但预计开始日期 {start} 已过。登记记录最后更新于 {updated}，"
        "因此该状态可能已过时：请咨询研究团队。",
    ),
    "stale_undated": Text(
        "The registry still says “{status}”, but the estimated start date, {start}, has "
        "passed, so this may be out of date: ask the study team.",
        "登记库仍显示“{status}”，但预计开始日期 {start} 已过，"
        "因此该状态可能已过时：请咨询研究团队。",
    ),
    "contact": Text("Contact", "联系方式"),
    "no_contact": Text(
        "The study team has not published a phone number or an e-mail address.",
        "研究团队未公布电话号码或电子邮箱地址。",
    ),
    "no_contact_then": Text(
        "To be contacted, do the self-check and leave your details at the end: the study "
        "team will contact you.",
        "如希望研究团队与您联系，请完成自我评估，并在最后留下您的联系方式。",
    ),
}
