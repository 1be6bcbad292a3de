"""The texts staff read in the lock room, in English and Simplified Chinese.
zh-CN: a translation for the site to review."""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["BLOCKERS", "TEXTS"]

TEXTS: dict[str, Text] = {
    "title": Text("Sign-off and database lock", "签署与数据库锁定"),
    "participants": Text("Participants", "受试者"),
    "intro": Text(
        "The investigator signs each participant's casebook; any later change lapses the "
        "sign-off. A data manager freezes what is clean (no entry; queries go on) and locks "
        "the database when nothing blocks it. Once locked, nothing can change until it is "
        "unlocked with a reason and a signature.",
        "研究者签署每位受试者的病例报告册；之后任何修改都会使签署失效。数据管理员可冻结已清理的数据"
        "（不可录入，质疑仍可进行），并在无阻碍事项时锁定数据库。锁定后任何数据均不可更改，除非"
        "说明理由并签名后解锁。",
    ),
    "locked": Text("Database locked", "数据库已锁定"),
    "unlocked": Text("Database open", "数据库未锁定"),
    "locked_by": Text("Locked by", "锁定人"),
    "lock_meaning": Text("database lock", "数据库锁定"),
    "hash": Text("SHA-256 of the locked data", "锁定数据的SHA-256"),
    "intact": Text("The casebooks still hash as locked.", "病例报告册的哈希值与锁定时一致。"),
    "not_intact": Text(
        "The casebooks no longer hash as locked: investigate.",
        "病例报告册的哈希值与锁定时不一致：请调查。",
    ),
    "not_enforced": Text(
        "The store's lock state disagrees with the lock record: the database was changed "
        "outside the application. Run 'trialdesk audit verify' and investigate.",
        "存储中的锁定状态与锁定记录不一致：数据库在应用程序之外被修改。请运行"
        "'trialdesk audit verify'并调查。",
    ),
    "blockers": Text("What blocks the lock", "阻碍锁定的事项"),
    "no_blockers": Text("Nothing blocks the lock.", "无阻碍锁定的事项。"),
    "lock": Text("Lock the database", "锁定数据库"),
    "unlock": Text("Unlock the database", "解锁数据库"),
    "reason": Text("Reason", "理由"),
    "password": Text("Your password (signature)", "您的密码（电子签名）"),
    "casebooks": Text("Casebooks", "病例报告册"),
    "participant": Text("Participant", "受试者"),
    "state": Text("Sign-off", "签署状态"),
    "signed": Text("signed", "已签署"),
    "lapsed": Text("lapsed: changed since signed", "已失效：签署后有修改"),
    "unsigned": Text("not signed", "未签署"),
    "signed_by": Text("Signed", "签署记录"),
    "frozen": Text("Frozen", "冻结"),
    "whole": Text("whole casebook", "整册"),
    "freeze": Text("Freeze", "冻结"),
    "thaw": Text("Thaw", "解冻"),
    "sign": Text("Sign the selected casebooks", "签署所选病例报告册"),
    "select": Text("Select", "选择"),
    "none": Text("No participants yet.", "暂无受试者。"),
    "history": Text("Earlier locks", "历史锁定记录"),
    "unlocked_by": Text("Unlocked by", "解锁人"),
}

BLOCKERS: dict[str, Text] = {
    "open_queries": Text("Open queries", "未关闭的质疑"),
    "sdv_not_met": Text("SDV plan not met", "源数据核查计划未完成"),
    "unsigned_casebooks": Text("Casebooks not signed", "病例报告册未签署"),
    "uncoded_adverse_events": Text("Adverse events not coded", "不良事件未编码"),
    "unassessed_adverse_events": Text(
        "Adverse events without a current signed causality assessment",
        "不良事件缺少有效的已签署因果关系评估",
    ),
    "unresolved_deviations": Text(
        "Proposed deviations not confirmed or dismissed", "提议的方案偏离尚未确认或驳回"
    ),
}
