"""The texts staff read on the SDV pages, in English and Simplified Chinese.
zh-CN: a translation for the site to review."""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["KINDS", "STATES", "TEXTS"]

TEXTS: dict[str, Text] = {
    "title": Text("Source data verification", "源数据核查"),
    "intro": Text(
        "The items the study's SDV plan requires: the critical data in full, the others by "
        "a sample drawn per participant and item. An item verified and changed since shows "
        "as changed: verify it again.",
        "研究源数据核查计划要求核查的条目：关键数据全部核查，其余数据按受试者和条目抽样核查。"
        "核查后又被修改的条目显示为已更改，需要重新核查。",
    ),
    "no_plan": Text(
        "The study declares no SDV plan (sdv.yaml): nothing is required.",
        "本研究未声明源数据核查计划（sdv.yaml）：无核查要求。",
    ),
    "assumption": Text("Protocol assumption. Source:", "方案假设。来源："),
    "rate": Text("Sampled rate of the other items", "其他条目的抽样比例"),
    "participants": Text("Participants", "受试者"),
    "participant": Text("Participant", "受试者"),
    "overall": Text("Overall", "总计"),
    "critical": Text("Critical (100%)", "关键数据（100%）"),
    "sampled": Text("Sampled", "抽样数据"),
    "required": Text("required", "应核查"),
    "verified": Text("verified", "已核查"),
    "changed": Text("changed since verification", "核查后已更改"),
    "pending": Text("not yet verified", "尚未核查"),
    "met": Text("plan met", "已完成计划"),
    "not_met": Text("plan not met", "未完成计划"),
    "item": Text("Item", "条目"),
    "value": Text("Value as stored", "存储值"),
    "need": Text("Why", "核查原因"),
    "state": Text("State", "状态"),
    "verified_by": Text("Verified", "核查记录"),
    "was": Text("verified value", "核查时的值"),
    "verify": Text("Verify", "核查"),
    "verify_selected": Text("Mark the selected items verified", "将所选条目标记为已核查"),
    "verify_all": Text("Verify every item of this section", "核查本部分全部条目"),
    "may_not": Text(
        "Only a monitor verifies against the source: you can read the progress.",
        "仅监查员可进行源数据核查：您可查看进度。",
    ),
    "sample_hidden": Text(
        "Which of the other items were drawn into the sample is shown to the monitor only "
        "(an item appears here once verified); the counts include them.",
        "其他条目中哪些被抽中核查仅对监查员显示（条目核查后才在此显示）；统计数包含这些条目。",
    ),
    "none": Text("Nothing to verify yet.", "暂无需要核查的条目。"),
    "open": Text("Open", "打开"),
    "sdv_of": Text("SDV", "源数据核查"),
    "not_required": Text("not required", "非必须"),
}

KINDS: dict[str, Text] = {
    "consent": Text("Informed consent", "知情同意"),
    "fact": Text("Screening facts (eligibility evidence)", "筛选数据（入选依据）"),
    "judgment": Text("Signed eligibility judgments", "已签署的入选判断"),
    "adverse_event": Text("Adverse events", "不良事件"),
}

STATES: dict[str, Text] = {
    "unverified": Text("not yet verified", "尚未核查"),
    "verified": Text("verified", "已核查"),
    "changed": Text("changed since verification", "核查后已更改"),
}
