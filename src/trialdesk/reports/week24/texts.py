"""Every text of the week-24 report, in English and Simplified Chinese (the Chinese a
translation for the site to review, as the study folder's are)."""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["T", "W"]


def T(en: str, zh: str) -> Text:  # noqa: N802  (a short constructor read as a table)
    return Text(en, zh)


class W:
    """The report's words, by use."""

    report = T("Week-24 report", "第24周报告")
    data_cut = T("Data cut", "数据截止")
    site_time = T("site time", "研究中心时间")
    generated = T("Made by trialdesk from the ADaM datasets", "由 trialdesk 根据 ADaM 数据集生成")
    assumptions = T("Protocol assumptions stated", "所采用的方案假设")
    assumption_note = T(
        "The registry does not define these; the site must confirm them.",
        "注册信息未作规定；须由研究中心确认。",
    )
    consort = T("CONSORT flow through follow-up", "CONSORT流程图（至随访）")
    plots = T("Figures", "图")
    appendix = T(
        "Appendix: participants and records behind each number",
        "附录：每个数字所对应的受试者和记录",
    )
    participants = T("Participants", "受试者")
    records = T("ADaM records", "ADaM记录")
    endpoints = T("Endpoints", "终点")
    primary = T("primary", "主要")
    secondary = T("secondary", "次要")
    none = T("None", "无")
    # populations
    safety_set = T("Safety set: SAFFL = Y", "安全性分析集：SAFFL = Y")
    fas = T("Full analysis set: FASFL = Y", "全分析集：FASFL = Y")
    all_subjects = T("Everyone in ADSL (screen failures included)", "ADSL中的所有人（含筛选失败）")
    # column headers
    characteristic = T("Characteristic", "特征")
    n_pct = T("n (%)", "n (%)")
    ci_exact = T("95% CI, exact (%)", "95% CI，精确法（%）")
    events = T("Events", "事件数")
    n = T("n", "n")
    mean = T("Mean", "均值")
    sd = T("SD", "标准差")
    median = T("Median", "中位数")
    range_ = T("Min, max", "最小值, 最大值")
    ci_t = T("95% CI of the mean", "均值的95% CI")
    parameter = T("Parameter", "参数")
    category = T("Category", "类别")
    term = T("System organ class / preferred term", "系统器官分类 / 首选术语")
    grade = T("Grade", "等级")


PLOT = {
    "visit": T("Analysis visit", "分析访视"),
    "value": T("Value", "数值"),
    "change": T("Change from baseline", "较基线的变化"),
    "course": T("Each participant's course", "每名受试者的病程"),
    "mean_ci": T("Mean change from baseline with 95% CI", "较基线变化的均值及95% CI"),
    "swimmer": T("Follow-up and adverse events", "随访与不良事件"),
    "study_day": T("Study day", "研究日"),
    "event": T("Adverse event", "不良事件"),
    "serious": T("Serious adverse event", "严重不良事件"),
    "waterfall": T(
        "Change from baseline at the endpoint visit, per participant",
        "终点访视时每名受试者较基线的变化",
    ),
}
