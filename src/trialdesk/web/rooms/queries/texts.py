"""The texts staff read in the queries room, in English and Simplified Chinese. Chinese
terms follow NMPA GCP (2020) usage: 质疑 (data query), 监查员 (monitor), 源数据 (source data).
zh-CN: a translation for the site to review."""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["KINDS", "MESSAGE_KINDS", "STATES", "TEXTS"]

STATES: dict[str, Text] = {
    "open": Text("open", "待回复"),
    "answered": Text("answered", "已回复"),
    "closed": Text("closed", "已关闭"),
    "cancelled": Text("cancelled", "已取消"),
}
KINDS: dict[str, Text] = {
    "item": Text("item", "数据项"),
    "visit": Text("visit", "访视"),
    "adverse_event": Text("adverse event", "不良事件"),
    "fact": Text("screening fact", "筛选数据"),
}
MESSAGE_KINDS: dict[str, Text] = {
    "raise": Text("asked", "提出"),
    "answer": Text("answered", "回复"),
    "correction": Text("corrected the datum", "已更正数据"),
    "close": Text("closed", "关闭"),
    "cancel": Text("cancelled", "取消"),
    "reopen": Text("asked again", "再次提出"),
}
TEXTS: dict[str, Text] = {
    "title": Text("Queries", "质疑"),
    "participant_title": Text("Queries", "质疑"),
    "intro": Text(
        "Questions on the data: raised by a monitor, or by an edit check when a form is "
        "saved. The site answers by explaining or by correcting the datum on its form; only "
        "the monitor closes a query, never a correction or a check that passes.",
        "关于数据的质疑：由监查员提出，或在保存表单时由逻辑核查自动提出。研究中心通过说明或在表单上更正数据作答；"
        "只有监查员可以关闭质疑，更正数据或核查通过都不会自动关闭。",
    ),
    "participants": Text("Participants", "受试者"),
    "all_queries": Text("All queries", "全部质疑"),
    "filter": Text("Filter", "筛选"),
    "clear_filters": Text("Clear", "清除"),
    "any": Text("any", "任意"),
    "state": Text("State", "状态"),
    "kind": Text("Target", "对象"),
    "participant": Text("Participant", "受试者"),
    "subject": Text("Subject", "受试者编号"),
    "min_age": Text("At least this many days old", "至少已提出天数"),
    "age": Text("Age (site days)", "天数（中心日期）"),
    "days": Text("days", "天"),
    "raised": Text("Raised", "提出时间"),
    "by": Text("by", "由"),
    "system": Text("edit check", "逻辑核查"),
    "thread": Text("Thread", "往来记录"),
    "none": Text("No query matches.", "没有符合条件的质疑。"),
    "none_participant": Text("No queries on this participant.", "该受试者没有质疑。"),
    "open_count": Text("Open", "待回复"),
    "answered_count": Text("Answered", "已回复"),
    "oldest": Text("Oldest open (days)", "最久待回复（天）"),
    "site": Text("Site", "中心"),
    "counts_title": Text("Queries", "质疑"),
    "see_queries": Text("See the queries", "查看质疑"),
    "raise_title": Text("Raise a query", "提出质疑"),
    "target_kind": Text("What the query is about", "质疑对象"),
    "visit": Text("Visit (e.g. W4)", "访视（如 W4）"),
    "form": Text("Form", "表单"),
    "row": Text("Log row", "记录行"),
    "item": Text("Item", "数据项"),
    "adverse_event": Text("Adverse event (id)", "不良事件（编号）"),
    "fact": Text("Screening fact (id)", "筛选数据（编号）"),
    "question": Text("Question", "质疑内容"),
    "raise_button": Text("Raise the query", "提出质疑"),
    "reply_title": Text("Reply", "回复"),
    "reply": Text("Your reply", "您的回复"),
    "correction": Text(
        "I corrected the datum on its form (save the form first)",
        "我已在表单上更正该数据（请先保存表单）",
    ),
    "correct_link": Text("Correct it on the form", "在表单上更正"),
    "reply_button": Text("Send the reply", "发送回复"),
    "close_title": Text("Close", "关闭"),
    "close_note": Text("Last word (optional)", "结束说明（可选）"),
    "close_button": Text("Close the query", "关闭质疑"),
    "cancel_title": Text("Cancel", "取消"),
    "cancel_reason": Text("Why it is cancelled", "取消理由"),
    "cancel_button": Text("Cancel the query", "取消质疑"),
    "reopen_title": Text("Ask again", "再次提出"),
    "reopen_text": Text("The new question", "新的质疑内容"),
    "reopen_button": Text("Reopen the query", "重新打开质疑"),
    "not_done": Text("The change was not made", "未作更改"),
    "nothing_stored": Text("Nothing was stored.", "未保存任何内容。"),
    "saved": Text("Saved.", "已保存。"),
    "value_asked": Text("value when asked", "提出时的值"),
    "value_now": Text("now", "当前值"),
    "changed_since": Text("changed since the question", "提出质疑后已更改"),
    "with_items": Text("with", "及"),
    "target_now": Text("The target now", "质疑对象当前状态"),
    "correction_ref": Text("form saved as version", "表单已保存为版本"),
    "badge": Text("query", "质疑"),
    "badge_many": Text("queries", "质疑"),
    "raise_here": Text("Raise a query on this item", "对此数据项提出质疑"),
    "version": Text("version", "版本"),
    "adverse_event_word": Text("Adverse event", "不良事件"),
    "fact_word": Text("Screening fact", "筛选数据"),
    "visit_word": Text("Visit", "访视"),
    "log_row": Text("row", "行"),
}
