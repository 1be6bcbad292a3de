"""The texts of the audit page, in English and Simplified Chinese.
zh-CN: a translation for the site to review."""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["TEXTS"]

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
}
