"""The safety room's words in the reader's language: English, and Simplified Chinese from
one table. A page asks ``say("Grade")``; a word the table lacks is an error when a
Chinese page is rendered (the tests render every page in both), never English shown
silently. The closed vocabularies (ICH E2A criteria, CDISC action and outcome, the
relationship scale) are translated here too; their stored values stay the standard's.

Chinese terms follow the usage of China's NMPA GCP (药物临床试验质量管理规范, 2020) and the
Chinese translation of ICH E2A: 严重不良事件, 预期性, 因果关系, 不良事件特别关注 (AESI).
"""

from __future__ import annotations

from collections.abc import Callable

from trialdesk.trial.safety.terms import ActionTaken, Outcome, Relationship, Seriousness

__all__ = ["ZH", "Say", "sayer", "vocabulary"]

Say = Callable[[str], str]

ZH: dict[str, str] = {
    # page titles and sections
    "Adverse events": "不良事件",
    "Adverse event": "不良事件",
    "Participants": "受试者",
    "Participant": "受试者",
    "Safety listing": "安全性列表",
    "Study hold": "研究暂停",
    "Record an adverse event": "记录不良事件",
    "Correct this adverse event": "更正此不良事件",
    "Causality assessment": "因果关系评估",
    "Sign the causality assessment": "签署因果关系评估",
    "Safety review": "安全性审查",
    "Sign the safety-review decision": "签署安全性审查决定",
    "The change was not made": "未作更改",
    "Saved.": "已保存。",
    "Signed.": "已签署。",
    "Download CSV": "下载 CSV",
    "Filter": "筛选",
    "Clear": "清除",
    "any": "任意",
    "yes": "是",
    "no": "否",
    "No adverse events recorded.": "尚无不良事件记录。",
    "No adverse event matches.": "没有符合条件的不良事件。",
    "Back to the participant": "返回受试者",
    "All adverse events": "所有不良事件",
    # columns and fields
    "No.": "编号",
    "Subject": "受试者编号",
    "Verbatim term": "原始描述",
    "CTCAE term": "CTCAE 术语",
    "System organ class": "系统器官分类",
    "SOC": "系统器官分类",
    "Grade": "分级",
    "Onset": "开始日期",
    "End": "结束日期",
    "ongoing": "持续中",
    "Serious": "严重",
    "Seriousness criteria (ICH E2A)": "严重性标准（ICH E2A）",
    "TEAE": "治疗期出现",
    "Treatment-emergent": "治疗期出现的不良事件",
    "AESI": "特别关注",
    "Adverse events of special interest": "特别关注的不良事件",
    "Action taken with the study treatment": "对研究治疗采取的措施",
    "Outcome": "转归",
    "Causality": "因果关系",
    "Related": "相关",
    "Relationship to the study product": "与研究产品的关系",
    "Relationship to the injection procedure": "与注射操作的关系",
    "Expectedness": "预期性",
    "Expected": "预期",
    "Unexpected": "非预期",
    "Is the event expected (reference safety information)?": "该事件是否预期（参考安全性信息）？",
    "Grade before day 1 (a condition that worsened)": "第1天前的分级（加重的既往疾病）",
    "Date it worsened": "加重日期",
    "Reason for the change": "更改原因",
    "Your password": "您的密码",
    "Decision and its reasons": "决定及其理由",
    "Last change": "最后更改",
    "by": "由",
    "Recorded": "记录于",
    "Version": "版本",
    # causality states
    "not assessed": "未评估",
    "signed": "已签署",
    "lapsed": "已失效",
    "assessment lapsed: the event changed after it was signed": "评估已失效：签署后事件已更改",
    "The event changed after the assessment was signed: it no longer covers it. It stays "
    "on record; the investigator assesses the event again.": (
        "评估签署后事件已更改，该评估不再适用。它保留在记录中；研究者需重新评估该事件。"
    ),
    "Only the investigator assesses causality.": "因果关系仅由研究者评估。",
    "Optional: sign it now with the event, or later on the event page.": (
        "可选：现在与事件一并签署，或稍后在事件页面签署。"
    ),
    "signed by": "签署人",
    "on": "于",
    # hints
    "Partial dates as known: YYYY-MM-DD, YYYY-MM or YYYY.": (
        "按已知信息填写部分日期：YYYY-MM-DD、YYYY-MM 或 YYYY。"
    ),
    "Type to search the 837 CTCAE v5.0 terms (NCI publishes them in English only).": (
        "输入以搜索 837 个 CTCAE v5.0 术语（NCI 仅发布英文版）。"
    ),
    "Grades of the chosen term (CTCAE v5.0)": "所选术语的分级（CTCAE v5.0）",
    "Choose a term to see its grades.": "选择术语后显示其分级。",
    "not defined for this term": "该术语无此分级",
    "Serious is derived: an event is serious when any criterion is ticked.": (
        "“严重”由标准推导：勾选任一标准即为严重不良事件。"
    ),
    "Treatment-emergent is derived from day 1, never typed.": (
        "治疗期出现由第1天推导，不可手工填写。"
    ),
    "Tick only if the event is one, e.g. in the target knee.": (
        "仅当事件属于此类时勾选，例如发生在目标膝关节。"
    ),
    "Other AESIs are flagged from the term.": "其他特别关注事件由术语自动标记。",
    "By signing you confirm the relationship and expectedness below for this event as it "
    "stands now.": "签署即表示您确认该事件当前情况下的以下因果关系和预期性。",
    "A monitor reads and changes nothing.": "监查员只读，不作更改。",
    "Protocol assumption": "方案假设",
    # hold
    "The study is paused": "研究已暂停",
    "Enrolment and injections are refused until an investigator signs a safety-review "
    "decision that resumes the study.": (
        "在研究者签署恢复研究的安全性审查决定之前，入组和注射均被拒绝。"
    ),
    "Stopping rule": "停止规则",
    "Paused since": "暂停自",
    "Why": "原因",
    "Rules met now": "当前满足的规则",
    "The study is not paused.": "研究未暂停。",
    "Review and resume": "审查并恢复",
    "Resume the study": "恢复研究",
    "Past holds": "既往暂停",
    "released": "已解除",
    "Signing resumes enrolment and injections; the hold, the decision and the events it "
    "reviewed stay on record.": "签署后恢复入组和注射；暂停记录、决定及所审查的事件保留在记录中。",
    "Stopping rules of this study": "本研究的停止规则",
    # filters
    "Term or SOC contains": "术语或系统器官分类包含",
    "Grade at least": "分级不低于",
    "Related to product or procedure": "与产品或操作相关",
    "Subject number": "受试者编号",
    # buttons
    "Save the adverse event": "保存不良事件",
    "Save the correction": "保存更正",
    "Sign": "签署",
    "Show": "显示",
    "Open": "打开",
}

_SERIOUSNESS_ZH = {
    Seriousness.DEATH: "导致死亡",
    Seriousness.LIFE_THREATENING: "危及生命",
    Seriousness.HOSPITALISATION: "需要住院或延长住院时间",
    Seriousness.DISABILITY: "导致永久或严重的残疾/功能丧失",
    Seriousness.CONGENITAL_ANOMALY: "先天性异常/出生缺陷",
    Seriousness.MEDICALLY_IMPORTANT: "其他重要医学事件",
}
_ACTION = {
    ActionTaken.NOT_APPLICABLE: ("Not applicable", "不适用"),
    ActionTaken.DOSE_NOT_CHANGED: ("Dose not changed", "剂量未改变"),
    ActionTaken.DRUG_INTERRUPTED: ("Drug interrupted", "暂停用药"),
    ActionTaken.DRUG_WITHDRAWN: ("Drug withdrawn", "永久停药"),
    ActionTaken.DOSE_REDUCED: ("Dose reduced", "减量"),
    ActionTaken.DOSE_INCREASED: ("Dose increased", "增量"),
    ActionTaken.UNKNOWN: ("Unknown", "未知"),
}
_OUTCOME = {
    Outcome.RECOVERED: ("Recovered/resolved", "痊愈/消退"),
    Outcome.RECOVERING: ("Recovering/resolving", "好转/消退中"),
    Outcome.NOT_RECOVERED: ("Not recovered/not resolved", "未好转/未消退"),
    Outcome.RECOVERED_WITH_SEQUELAE: ("Recovered/resolved with sequelae", "痊愈/消退但有后遗症"),
    Outcome.FATAL: ("Fatal", "死亡"),
    Outcome.UNKNOWN: ("Unknown", "未知"),
}
_RELATIONSHIP = {
    Relationship.UNRELATED: ("Unrelated", "无关"),
    Relationship.UNLIKELY: ("Unlikely", "可能无关"),
    Relationship.POSSIBLE: ("Possible", "可能有关"),
    Relationship.PROBABLE: ("Probable", "很可能有关"),
    Relationship.DEFINITE: ("Definite", "肯定有关"),
}


def vocabulary(locale: str) -> dict[str, dict[str, str]]:
    """Each closed vocabulary: stored value -> its label in the reader's language."""
    zh = locale == "zh-CN"
    return {
        "seriousness": {s.value: _SERIOUSNESS_ZH[s] if zh else s.label for s in Seriousness},
        "action_taken": {a.value: pair[zh] for a, pair in _ACTION.items()},
        "outcome": {o.value: pair[zh] for o, pair in _OUTCOME.items()},
        "relationship": {r.value: pair[zh] for r, pair in _RELATIONSHIP.items()},
    }


def sayer(locale: str) -> Say:
    """``say(english)``: the text in the reader's language (KeyError: not translated)."""
    if locale != "zh-CN":

        def english(text: str) -> str:
            if text not in ZH:
                raise KeyError(f"no Chinese for {text!r} in the safety room's labels")
            return text

        return english
    return ZH.__getitem__
