"""Roles and permissions in the words staff use, for the sentences they read.

The code checks permissions by their codes (``view_candidates``); a refusal says, in the
reader's language, which role the person has and what it does not allow (walkthrough D20:
"Your role (admin) may not view_candidates"). zh-CN: a translation for the site to review.
"""

from __future__ import annotations

from trialdesk.study.texts import Text
from trialdesk.trial.accounts.roles import Permission, Role

__all__ = ["ACTIONS", "ROLE_NAMES", "refusal"]

P = Permission

ROLE_NAMES: dict[Role, Text] = {
    Role.ADMIN: Text("administrator", "管理员"),
    Role.INVESTIGATOR: Text("investigator", "研究者"),
    Role.COORDINATOR: Text("research coordinator", "研究协调员"),
    Role.MONITOR: Text("monitor", "监查员"),
    Role.DATA_MANAGER: Text("data manager", "数据管理员"),
}

# What each permission lets a person do, as the end of "may not …".
ACTIONS: dict[Permission, Text] = {
    P.VIEW_LEADS: Text("see the pre-screening leads", "查看预筛选线索"),
    P.EDIT_LEADS: Text("change pre-screening leads", "修改预筛选线索"),
    P.MANAGE_USERS: Text("manage staff accounts", "管理工作人员账户"),
    P.VIEW_AUDIT: Text("read the audit trail", "查看审计追踪"),
    P.VIEW_STAFF: Text("open the staff pages", "打开工作人员页面"),
    P.SIGN_ELIGIBILITY: Text("sign eligibility judgments", "签署入选资格判断"),
    P.VIEW_CANDIDATES: Text("see the screening candidates", "查看筛选候选人"),
    P.EDIT_CANDIDATES: Text(
        "change screening candidates (facts, consent, outcome)",
        "修改筛选候选人（事实、知情同意、筛选结果）",
    ),
    P.MANAGE_CONSENT_FORMS: Text("register consent form versions", "登记知情同意书版本"),
    P.VIEW_PARTICIPANTS: Text("see the participants and their visits", "查看受试者及其访视"),
    P.EDIT_VISITS: Text("record visits and their forms", "记录访视及其表单"),
    P.SIGN_VISITS: Text("sign visits", "签署访视"),
    P.SIGN_CAUSALITY: Text("sign the causality of adverse events", "签署不良事件的因果关系判断"),
    P.SIGN_SAFETY_REVIEW: Text("sign a safety review", "签署安全性审查"),
    P.VIEW_SAFETY: Text("see adverse events and safety reports", "查看不良事件和安全性报告"),
    P.RECORD_ADVERSE_EVENTS: Text("record adverse events", "记录不良事件"),
    P.DECIDE_AE_PROPOSALS: Text(
        "confirm or dismiss proposed adverse events", "确认或驳回系统提议的不良事件"
    ),
    P.RAISE_QUERIES: Text("raise or close data queries", "发起或关闭数据质疑"),
    P.ANSWER_QUERIES: Text("answer data queries", "回复数据质疑"),
    P.VERIFY_SOURCE: Text("verify data against the source documents", "进行源数据核查"),
    P.RECORD_DEVIATIONS: Text("record protocol deviations", "记录方案偏离"),
    P.DECIDE_DEVIATIONS: Text("decide protocol deviations", "判定方案偏离"),
    P.SIGN_CASEBOOKS: Text("sign casebooks", "签署病例报告"),
    P.FREEZE_DATA: Text("freeze or thaw data", "冻结或解冻数据"),
    P.LOCK_DATABASE: Text("lock or unlock the database", "锁定或解锁数据库"),
    P.EXPORT_DATA: Text("export the study data", "导出研究数据"),
}

_REFUSAL = Text("Your role ({role}) may not {action}.", "您的角色（{role}）不能{action}。")


def refusal(role: str, permission: Permission) -> Text:
    """The sentence a refused person reads, in both languages."""
    try:
        known = ROLE_NAMES[Role(role)]
    except ValueError:  # a role this version does not know: its code is all there is
        known = Text(role, role)
    action = ACTIONS[permission]
    return Text(
        _REFUSAL.en.format(role=known.en, action=action.en),
        (_REFUSAL.zh_cn or "").format(role=known.get("zh-CN"), action=action.get("zh-CN")),
    )
