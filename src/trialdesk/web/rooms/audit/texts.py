"""The texts of the audit page, in English and Simplified Chinese.
zh-CN: a translation for the site to review."""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["TEXTS", "record_name"]

TEXTS: dict[str, Text] = {
    "keyed": Text(
        "The chain is keyed (HMAC-SHA256 under a key held outside the database) from row",
        "审计链已加密签名（使用数据库之外保存的密钥进行HMAC-SHA256），起始行：",
    ),
    "key": Text("Key", "密钥"),
    "unkeyed": Text(
        "The chain is not keyed: anyone who can write to the database could append an entry "
        "that verifies. Run 'trialdesk audit key init' (docs/audit.md).",
        "审计链未使用密钥：任何能写入数据库的人都可以追加一条能通过校验的记录。请运行"
        "'trialdesk audit key init'（见docs/audit.md）。",
    ),
    "head": Text("Newest entry (the head)", "最新条目（链头）"),
    "anchor": Text(
        "Anchor of the head: keep it outside the store (another machine, an e-mail to the "
        "monitor); 'trialdesk audit verify --expect-head' checks the log still holds it.",
        "链头锚点：请保存在系统之外（另一台机器、发给监查员的邮件）；"
        "'trialdesk audit verify --expect-head'可检查日志是否仍包含该条目。",
    ),
    "no_anchor": Text(
        "No anchor: the store has no key to sign it with.", "无锚点：系统没有可用于签名的密钥。"
    ),
    "no_anchor_broken": Text(
        "No anchor: the chain did not verify (see the problems above), and an anchor would "
        "vouch for it. Find out what changed ('trialdesk audit verify') before anchoring.",
        "无锚点：审计链未通过校验（见上方列出的问题），签发锚点即等于为其担保。请先查明更改内容"
        "（'trialdesk audit verify'）再签发锚点。",
    ),
    "no_anchor_empty": Text("No anchor: the log has no entry yet.", "无锚点：日志中尚无任何条目。"),
    "unreadable": Text(
        "Some entries cannot be read (altered outside the application): they are listed "
        "as unreadable. Run 'trialdesk audit verify'.",
        "部分条目无法读取（在应用程序之外被修改）：已标为无法读取。"
        "请运行'trialdesk audit verify'。",
    ),
    # the page (walkthrough D21)
    "title": Text("Audit trail", "审计追踪"),
    "intact": Text("The chain of {rows} records is intact.", "共{rows}条记录的审计链完整。"),
    "broken": Text("The audit chain is broken:", "审计链已损坏："),
    "f_candidate": Text("Person (candidate #)", "人员（候选人编号）"),
    "f_actor": Text("User", "用户"),
    "f_entity": Text("Kind of record", "记录类型"),
    "f_any": Text("any", "全部"),
    "f_since": Text("From (site date)", "起始日期（研究中心日期）"),
    "f_until": Text("To (site date)", "截止日期（研究中心日期）"),
    "filter": Text("Filter", "筛选"),
    "clear_filters": Text("Clear the filters", "清除筛选条件"),
    "export": Text("Download as CSV (every matching entry)", "下载CSV（所有符合条件的条目）"),
    "when": Text("When ({zone})", "时间（{zone}）"),
    "who": Text("Who", "操作人"),
    "what": Text("What", "操作"),
    "record": Text("Record", "记录"),
    "changes": Text("Changes (old → new)", "更改（原值 → 新值）"),
    "reason": Text("Reason", "原因"),
    "person": Text("Candidate", "候选人"),
    "created_people": Text("created", "创建了"),
    "none": Text("No entry matches these filters.", "没有符合筛选条件的条目。"),
    "showing": Text(
        "Entries {first} to {last}, newest first.", "第{first}至{last}条，最新的在前。"
    ),
    "older": Text("Older entries", "更早的条目"),
    "newest": Text("Back to the newest", "返回最新条目"),
    "unreadable_entry": Text("entry {id} unreadable", "条目{id}无法读取"),
}

# The kinds of record as staff call them; any other is shown with spaces for underscores.
RECORDS: dict[str, Text] = {
    "candidate": Text("candidate", "候选人"),
    "entered_fact": Text("entered fact", "录入的事实"),
    "judgment": Text("judgment", "判断"),
    "signature": Text("signature", "签名"),
    "consent": Text("consent", "知情同意"),
    "consent_form": Text("consent form version", "知情同意书版本"),
    "enrolment": Text("enrolment", "入组"),
    "fhir_upload": Text("FHIR upload", "FHIR上传"),
    "lead": Text("pre-screening lead", "预筛选线索"),
    "user_account": Text("user account", "用户账户"),
    "visit_record": Text("visit", "访视"),
    "form_record": Text("form", "表单"),
    "adverse_event": Text("adverse event", "不良事件"),
    "causality_assessment": Text("causality assessment", "因果关系评估"),
    "disposition": Text("end of participation", "结束参与"),
}


def record_name(entity: str) -> Text:
    return RECORDS.get(entity) or Text(entity.replace("_", " "))
