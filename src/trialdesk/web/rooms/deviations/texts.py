"""The texts staff read on the deviations pages, in English and Simplified Chinese.
zh-CN: a translation for the site to review."""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["TEXTS"]

TEXTS: dict[str, Text] = {
    "title": Text("Protocol deviations", "方案偏离"),
    "participants": Text("Participants", "受试者"),
    "intro": Text(
        "Deviations the data show are proposed on every read; the investigator confirms or "
        "dismisses each with a reason. Staff may also enter one by hand.",
        "系统每次读取时根据数据提示方案偏离；由研究者确认或排除并说明理由。工作人员也可手工录入。",
    ),
    "none": Text("No protocol deviation.", "无方案偏离。"),
    "filter": Text("Filter", "筛选"),
    "all": Text("all", "全部"),
    "state": Text("State", "状态"),
    "severity": Text("Class", "分类"),
    "kind": Text("Kind", "类型"),
    "participant": Text("Participant", "受试者"),
    "proposed": Text("proposed", "待决定"),
    "confirmed": Text("confirmed", "已确认"),
    "dismissed": Text("dismissed", "已排除"),
    "major": Text("major", "重大"),
    "minor": Text("minor", "轻微"),
    "term": Text("Deviation (DVTERM)", "偏离描述（DVTERM）"),
    "decod": Text("Coded term (DVDECOD)", "编码术语（DVDECOD）"),
    "cat": Text("Category (DVCAT)", "类别（DVCAT）"),
    "date": Text("Date (DVSTDTC)", "日期（DVSTDTC）"),
    "visit": Text("Visit / epoch", "访视/时期"),
    "changed": Text("the data changed since; they now show:", "数据此后已更改，现显示："),
    "no_longer": Text("the data no longer show it", "数据已不再显示此偏离"),
    "proposed_again": Text("proposed again: its class rose", "分类升高，再次提示"),
    "earlier_dismissed": Text("dismissed earlier as", "此前已排除，当时分类为"),
    "reason": Text("Reason", "理由"),
    "confirm_button": Text("Confirm", "确认"),
    "dismiss_button": Text("Dismiss", "排除"),
    "decided_by": Text("decided by", "决定人"),
    "manual_title": Text("Enter a deviation by hand", "手工录入方案偏离"),
    "save": Text("Save", "保存"),
    "may_not": Text(
        "Only the investigator may confirm or dismiss a deviation.",
        "仅研究者可确认或排除方案偏离。",
    ),
    "counts": Text("Protocol deviations", "方案偏离"),
    "to_decide": Text("to decide", "待决定"),
    "review_proposed": Text("review what the data propose", "查看数据提示的偏离"),
    "entered_to_decide": Text("entered by hand to decide", "手工录入待决定"),
    "by_hand": Text("entered by hand", "手工录入"),
}
