"""The texts staff read on the proposals page, in English and Simplified Chinese.
zh-CN: a translation for the site to review."""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["TEXTS"]

TEXTS: dict[str, Text] = {
    "title": Text("Proposed adverse events", "提示的不良事件"),
    "intro": Text(
        "Lab values graded with CTCAE v5.0 whose grade is new or worse than baseline. A "
        "proposal never records an adverse event by itself: the investigator confirms or "
        "dismisses it.",
        "按CTCAE v5.0分级、较基线新出现或加重的实验室检查值。"
        "提示不会自动记录不良事件：由研究者确认或排除。",
    ),
    "participants": Text("Participants", "受试者"),
    "none": Text("No lab grade proposes an adverse event.", "没有提示不良事件的实验室检查分级。"),
    "visit": Text("Visit", "访视"),
    "lab": Text("Lab", "检查项目"),
    "value": Text("Value", "结果"),
    "baseline": Text("Baseline grade", "基线分级"),
    "grade": Text("CTCAE v5.0 term and grade", "CTCAE v5.0术语及分级"),
    "grade_word": Text("grade", "分级"),
    "state": Text("Decision", "决定"),
    "open": Text("to decide", "待决定"),
    "confirm": Text("confirmed", "已确认"),
    "dismiss": Text("dismissed", "已排除"),
    "changed": Text("the value changed since", "该值此后已更改"),
    "decided_on": Text("decided on", "决定所依据的值"),
    "event": Text("adverse event", "不良事件"),
    "rule": Text("How it was graded", "分级依据"),
    "confirm_button": Text("Confirm: record the adverse event", "确认：记录不良事件"),
    "dismiss_button": Text("Dismiss", "排除"),
    "reason": Text("Reason", "理由"),
    "dismiss_reason": Text("Why it is not an adverse event", "不属于不良事件的理由"),
    "verbatim": Text("Verbatim term", "原始描述"),
    "onset": Text("Onset (YYYY, YYYY-MM or YYYY-MM-DD)", "发生日期（YYYY、YYYY-MM或YYYY-MM-DD）"),
    "end": Text("End (empty: ongoing)", "结束日期（留空：持续中）"),
    "event_grade": Text("Grade", "分级"),
    "outcome": Text("Outcome", "转归"),
    "no_baseline": Text("none", "无"),
    "ungraded": Text(
        "Lab values after baseline that could not be graded: they propose nothing until completed",
        "基线后无法分级的实验室检查值：补全前不会提示不良事件",
    ),
    "problem": Text("Why", "原因"),
    "may_not": Text(
        "Only the investigator may confirm or dismiss a proposal.", "仅研究者可确认或排除提示。"
    ),
}
