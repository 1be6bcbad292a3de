"""The texts staff read in the screening room, in English and Simplified Chinese: the
parts of the screening page, the candidates list and the screening log that issue 17
touched (site time, the confirmation of an outcome, the consent's one source of truth).
zh-CN: a translation for the site to review. ``{name}`` fields are filled by the page.
"""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["ACTIONS", "CONFIRM", "TEXTS", "VERDICTS", "WARNINGS"]

TEXTS: dict[str, Text] = {
    # the candidates list
    "candidates": Text("Candidates", "候选受试者"),
    "study": Text("Study", "研究"),
    "status": Text("Status", "状态"),
    "verdict": Text("Verdict", "判定"),
    "any": Text("any", "全部"),
    "all": Text("all", "全部"),
    "search": Text("Name or record number", "姓名或病历号"),
    "show": Text("Show", "显示"),
    "name": Text("Name", "姓名"),
    "birth_date": Text("Birth date", "出生日期"),
    "record_number": Text("Record number", "病历号"),
    "subject": Text("Subject", "受试者编号"),
    "source": Text("From", "来源"),
    "added": Text("Added", "添加日期"),
    "possible_duplicate": Text("possible duplicate", "可能重复"),
    "none_yet": Text("No candidates yet.", "暂无候选受试者。"),
    "none_match": Text("No candidates match.", "没有符合条件的候选受试者。"),
    "page_of": Text(
        "Page {page} of {pages} ({total} candidates)",
        "第{page}页，共{pages}页（{total}名候选受试者）",
    ),
    "previous": Text("Previous page", "上一页"),
    "next": Text("Next page", "下一页"),
    "list_caption": Text("Candidates, newest first", "候选受试者，按添加时间由新到旧"),
    "add_candidate": Text("Add a candidate", "添加候选受试者"),
    "upload_fhir": Text("Upload a FHIR record", "上传FHIR病历"),
    "import_feasibility": Text("Import a feasibility candidate list", "导入可行性候选名单"),
    # the screening page: the checklist's column labels when stacked, times and consent
    "evidence": Text("Evidence", "依据"),
    "missing": Text("Missing · investigator's decision", "缺失信息 · 研究者判断"),
    "when": Text("When ({zone})", "时间（{zone}）"),
    # the fact form's record-review attestation (trial/screening/entry_concepts.py ATTESTATION)
    "attestation": Text("Full clinical record reviewed", "完整病历已审阅"),
    "attestation_note": Text(
        "Attest that the person's full clinical record was reviewed: history criteria then "
        "read what is entered as the whole history (no malignancy entered: none). Retract it "
        "with a reason if the review was not complete.",
        "声明已审阅该人员的完整病历：此后病史类标准将已录入的信息视为全部病史（未录入恶性肿瘤即为无）。"
        "如审阅不完整，请注明原因后撤回。",
    ),
    "attestation_on": Text("Date the record was reviewed", "病历审阅日期"),
    "attestation_source": Text("Record reviewed", "所审阅的病历"),
    "attestation_source_hint": Text(
        'The record or system searched, e.g. "hospital HIS chart, inpatient and outpatient".',
        "所检索的病历或系统，例如“医院HIS病历（住院及门诊）”。",
    ),
    "attestation_submit": Text("Attest the review", "确认审阅"),
    "consent_title": Text("Informed consent", "知情同意"),
    "consent_none": Text("No consent recorded for this study.", "本研究尚未记录知情同意。"),
    "consent_line": Text(
        "Form {version}, {when}, obtained by {who}; participant signed {signed} (recorded by {by})",
        "知情同意书版本{version}，{when}，由{who}获取；受试者签署日期{signed}（记录人：{by}）",
    ),
    "record_consent_found": Text(
        "The uploaded record holds a research consent ({resource}, {date}, {status}). It is "
        "not this study's documented consent: only a consent recorded here, with the form "
        "version, who obtained it and the participant's signature date, counts for I1, "
        "enrolment and the screening log. Record it below if it is this study's.",
        "上传的病历中含有一份研究知情同意（{resource}，{date}，{status}）。它不是本研究记录在案的"
        "知情同意：只有在此处记录的知情同意（含知情同意书版本、获取人及受试者签署日期）才计入I1、"
        "入组及筛选日志。如属本研究，请在下方记录。",
    ),
    "form_version": Text("Form version", "知情同意书版本"),
    "consented_at": Text("Date and time of consent ({zone})", "知情同意日期和时间（{zone}）"),
    "consented_at_hint": Text(
        "The site's time ({zone}), as on the signed form.",
        "研究中心当地时间（{zone}），与签署的知情同意书一致。",
    ),
    "obtained_by": Text("Obtained by", "知情同意获取人"),
    "signed_on": Text("Participant's signature date", "受试者签署日期"),
    "record_consent": Text("Record consent", "记录知情同意"),
    # the outcome box
    "places": Text("Places taken: {taken} of {target}", "已占名额：{taken}/{target}"),
    "enrolled_on": Text("Enrolled {date} by {who}.", "{date}入组，操作人：{who}。"),
    "withdrawn_on": Text("Withdrawn {date}: {reason}", "{date}退出：{reason}"),
    "closed_on": Text("{status} on {date} by {who}", "{date}{status}，操作人：{who}"),
    "excluded_by": Text("excluded by {criteria}", "排除依据：{criteria}"),
    "full": Text(
        "All {target} places are taken: no further enrolment.", "全部{target}个名额已满：不再入组。"
    ),
    "consent_first": Text(
        "Eligible: record informed consent before enrolling.",
        "符合入选条件：入组前请先记录知情同意。",
    ),
    "not_eligible_yet": Text(
        'Enrolment needs the verdict "eligible": enter what is missing and have the '
        "investigator sign the judgment criteria.",
        "入组需要判定为“符合”：请补充缺失的信息，并由研究者签署需判断的标准。",
    ),
    "not_taking_part": Text("Not taking part", "不参加"),
    "record_a_withdrawal": Text("Record a withdrawal", "记录退出"),
    "reason": Text("Reason", "原因"),
    "note_optional": Text("Note (optional)", "备注（可选）"),
    # the confirmation step
    "confirm_title": Text("Confirm: {action}", "确认：{action}"),
    "date_of": Text("Date ({zone})", "日期（{zone}）"),
    "date_hint": Text(
        "Today at the site is {today}; an earlier date records a late entry (the audit "
        "trail keeps when it was recorded).",
        "研究中心今天是{today}；填写更早的日期即为补录（稽查轨迹会保留实际记录时间）。",
    ),
    "cannot_undo": Text(
        "This cannot be undone: a correction is a new entry with a reason.",
        "此操作不可撤销：如需更正，须另行记录并说明理由。",
    ),
    "confirm": Text("Confirm: {action}", "确认：{action}"),
    "cancel": Text("Cancel, back to the screening page", "取消，返回筛选页面"),
    "warning": Text("Check before confirming", "确认前请核对"),
    # the screening log
    "log_title": Text("Screening log", "筛选日志"),
    "consent": Text("Consent", "知情同意"),
    "outcome": Text("Outcome", "结局"),
    "on": Text("On", "日期"),
    "reasons": Text("Reasons", "原因"),
    "failed_on": Text("Failed on criterion", "未通过的标准"),
    "dates_at_site": Text("Dates are the site's ({zone}).", "日期均为研究中心当地日期（{zone}）。"),
}

# The outcome a button asks for, as a verb phrase and as the confirmation's explanation.
ACTIONS: dict[str, Text] = {
    "enrol": Text("Enrol", "入组"),
    "screen_fail": Text("Record screen failure", "记录筛选失败"),
    "decline": Text("Record as declined", "记录为不参加"),
    "withdraw": Text("Record withdrawal", "记录退出"),
}

CONFIRM: dict[str, Text] = {
    "enrol": Text(
        "{name} takes place {place} of {target} in {study} and gets the next subject number.",
        "{name}将占用{study}的第{place}/{target}个名额，并获得下一个受试者编号。",
    ),
    "screen_fail": Text(
        "{name}'s screening closes as a screen failure, excluded by {criteria}; the screening "
        "log and the CONSORT diagram count it.",
        "{name}的筛选将以筛选失败结束，排除依据：{criteria}；筛选日志及CONSORT流程图将计入。",
    ),
    "decline": Text(
        "{name}'s screening closes without enrolment for the reason given.",
        "{name}的筛选将以未入组结束，原因如所填。",
    ),
    "withdraw": Text(
        "{name} ({subject}) is recorded as withdrawn; the enrolment and everything before it stay.",
        "{name}（{subject}）将记录为退出；入组及之前的所有记录均保留。",
    ),
}

WARNINGS: dict[str, Text] = {
    "baseline_passed": Text(
        "The planned baseline date ({0}) has passed: set a new planned baseline date.",
        "计划基线日期（{0}）已过：请设定新的计划基线日期。",
    ),
    "baseline_not_set": Text(
        "The planned baseline date is not set: the screening window cannot be checked.",
        "尚未设定计划基线日期：无法核对筛选窗口。",
    ),
    "screening_window_closed": Text(
        "The screening window ({0} to {1}, before the planned baseline) closed on {1}: "
        "screening results may be too old for this baseline.",
        "筛选窗口（{0}至{1}，计划基线之前）已于{1}关闭：筛选结果对该基线可能已过期。",
    ),
}

VERDICTS: dict[str, Text] = {
    "eligible": Text("eligible", "符合"),
    "ineligible": Text("ineligible", "不符合"),
    "incomplete": Text("incomplete", "信息不全"),
    "needs_review": Text("needs review", "待研究者判断"),
}
