"""The texts staff read about leads (the list, a lead, erasing it), in English and
Simplified Chinese. zh-CN: a translation for the site to review."""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["TEXTS"]

TEXTS: dict[str, Text] = {
    "erase_title": Text("Erase on request", "应本人要求删除"),
    "erase_intro": Text(
        "When the person asks for their details to be deleted: their name, contact details, "
        "answers and the self-check's result are erased from the store, and the key of the "
        "digests the audit trail keeps is erased with them, so the trail can no longer be "
        "tied to them. The audit trail records that an erasure happened, by whom and when, "
        "with no content. The lead stays in the list as 'erased', so the counts stay true. "
        "This cannot be undone.",
        "当本人要求删除其信息时：其姓名、联系方式、自评答案和自评结果将从系统中删除，审计追踪所保存"
        "摘要的密钥也一并删除，审计追踪从此无法再与本人关联。审计追踪仅记录删除操作的发生、执行人和"
        "时间，不含任何内容。该线索以“已删除”状态保留在列表中，以保证统计数字真实。此操作不可撤销。",
    ),
    "erase_notes": Text(
        "Status notes already saved stay in the audit trail as written: keep the person's "
        "details out of notes.",
        "已保存的状态备注按原样保留在审计追踪中：请勿在备注中写入本人的个人信息。",
    ),
    "erase_reason": Text("How the request was made (audit trail)", "请求方式（记入审计追踪）"),
    "erase_confirm": Text(
        "I confirm the person asked for their details to be deleted",
        "我确认本人已要求删除其个人信息",
    ),
    "erase_button": Text("Erase this lead's personal data", "删除该线索的个人信息"),
    "erase_refused": Text(
        "This lead became a screening candidate: the candidate's record is study data and "
        "is kept as research records must be (GDPR Art. 17(3)(c)/(d), PIPL Art. 47). It "
        "cannot be erased; tell the person so.",
        "该线索已转为筛选候选人：候选人记录属于研究数据，须按研究记录的要求保存（GDPR第17条第3款"
        "(c)/(d)项，《个人信息保护法》第四十七条）。无法删除，请告知本人。",
    ),
    "erased": Text(
        "Erased on request: the person's details are no longer held. The reference, the "
        "study and the consent given remain.",
        "已应本人要求删除：系统不再保存本人的信息。仅保留编号、所属研究和同意记录。",
    ),
    "trail_copies": Text(
        "This lead was stored before its details were kept out of the audit trail "
        "(revision 0015): earlier audit entries still hold them and cannot be changed. "
        "Record this in the answer to the person.",
        "该线索保存于个人信息不再写入审计追踪之前（版本0015）：较早的审计条目仍含有这些信息且无法"
        "更改。请在答复本人时注明。",
    ),
    "trail_names_only": Text(
        "The lead is erased: the trail shows which fields each entry changed, not their values.",
        "该线索已删除：审计追踪仅显示每条记录更改了哪些字段，不显示其值。",
    ),
    "confirm_needed": Text(
        "Tick the box to confirm the person asked for the erasure.",
        "请勾选以确认本人已要求删除。",
    ),
    "erased_name": Text("(erased)", "（已删除）"),
    # the list and its filter
    "leads_title": Text("Pre-screening leads", "预筛选线索"),
    "leads_intro": Text(
        "People who did the self-check on the public page and asked to be contacted.",
        "在公开页面完成自我评估并要求联系的人。",
    ),
    "filter": Text("Show", "显示"),
    "all_statuses": Text("All statuses", "全部状态"),
    "apply": Text("Show these", "筛选"),
    "none_yet": Text("No leads yet.", "暂无线索。"),
    "none_match": Text("No lead has this status.", "没有处于此状态的线索。"),
    "col_reference": Text("Reference", "编号"),
    "col_study": Text("Study", "研究"),
    "col_received": Text("Received", "收到时间"),
    "col_name": Text("Name", "姓名"),
    "col_selfcheck": Text("Self-check", "自我评估"),
    "col_status": Text("Status", "状态"),
    # the self-check's verdict as a badge
    "may_be_eligible": Text("may be eligible", "可能符合条件"),
    "probably_not_eligible": Text("probably not eligible", "可能不符合条件"),
    "cannot_tell": Text("could not tell", "无法判断"),
    # statuses
    "status_new": Text("new", "新"),
    "status_contacted": Text("contacted", "已联系"),
    "status_not_suitable": Text("not suitable", "不适合"),
    "status_referred": Text("referred", "已转介"),
    "status_erased": Text("erased", "已删除"),
    # possible duplicates (D30)
    "duplicate": Text("possible duplicate", "可能重复"),
    "duplicate_of": Text(
        "This may be the same person as lead {references}: check before contacting them "
        "twice. Nothing is merged.",
        "此人可能与线索 {references} 为同一人：请核实，避免重复联系。系统不会合并记录。",
    ),
    "email_shared": Text("same e-mail address", "电子邮箱相同"),
    "phone_shared": Text("same phone number", "电话号码相同"),
    "name_and_answers_shared": Text("same name and answers", "姓名和答案相同"),
    # the answers, by question (D9)
    "answers": Text("Answers", "答案"),
    "question": Text("Question", "问题"),
    "answer": Text("Answer", "回答"),
    "yes": Text("Yes", "是"),
    "no": Text("No", "否"),
    "no_longer_asked": Text(
        "(no longer asked by the study's self-check)", "（本研究的自我评估已不再询问）"
    ),
    "carried": Text(
        "Adding this lead as a screening candidate enters what the person reported (their "
        "sex, and each answer with a date or a value: a diagnosis since a month, a medicine "
        "for a length of time, height and weight) as facts of source “Patient self-report”, "
        "for the team to confirm from the records. An age is not a birth date: confirm it "
        "from an identity document.",
        "将此线索添加为筛选候选人时，本人报告的内容（性别，以及带有日期或数值的回答：某月起的诊断、"
        "用药时长、身高和体重）会作为来源为“患者自述”的事实录入，由团队根据病历核实。年龄不等于出生"
        "日期：请根据身份证件核实。",
    ),
}
