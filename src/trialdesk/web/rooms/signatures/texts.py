"""The texts of the signature queue, the batch signing page and the signature lines shown
wherever a signed judgment is, in English and Simplified Chinese.
zh-CN: a translation for the site to review."""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["MEANINGS", "TEXTS"]

TEXTS: dict[str, Text] = {
    "title": Text("Waiting for your signature", "待您签名"),
    "intro": Text(
        "Everything in this study that an investigator's signature is missing on, or whose "
        "signature lapsed because what was signed changed.",
        "本研究中尚缺研究者签名、或因所签内容已改变而签名失效的全部事项。",
    ),
    "nothing": Text("Nothing waits for a signature.", "没有待签名的事项。"),
    "criteria": Text("Eligibility criteria of candidates", "候选人的入选/排除标准判断"),
    "visits": Text("Visits", "访视"),
    "casebooks": Text("Casebooks", "病例报告表（CRF）册"),
    "candidate": Text("Candidate", "候选人"),
    "unsigned": Text("not signed", "未签名"),
    "lapsed": Text("lapsed", "已失效"),
    "sign_them": Text("Review and sign", "审阅并签名"),
    "participant": Text("Participant", "受试者"),
    "visit": Text("Visit", "访视"),
    "date": Text("Date", "日期"),
    "open": Text("Open", "打开"),
    "casebook_due": Text(
        "Casebooks are signed on the lock page; one is due once participation has ended "
        "(protocol assumption) or when its sign-off lapsed.",
        "CRF册在锁库页面签名；受试者结束参与后（方案假设）或签名失效时需签名。",
    ),
    "home_link": Text("Waiting for your signature", "待您签名"),
    "home_none": Text("nothing waits", "无待签事项"),
    "unreadable": Text("could not be read", "无法读取"),
    "unreadable_intro": Text(
        "The checklist of these candidates could not be built, so what waits for a "
        "signature is not known; open the candidate to see why.",
        "以下候选人的筛选清单无法生成，因此无法确定待签名事项；请打开候选人页面查看原因。",
    ),
    # the batch signing page
    "sign_title": Text("Sign eligibility criteria", "签署入选/排除标准判断"),
    "sign_several": Text(
        "Sign several criteria with one password entry", "输入一次密码签署多条标准"
    ),
    "sign_intro": Text(
        "Decide each criterion you are ready to decide, with a reason; leave the others "
        "undecided. One password entry signs every decision made, each with its own "
        "signature: your printed name, the date and time, and the meaning below.",
        "对准备好判断的每条标准作出决定并注明理由；其余可暂不决定。输入一次密码即签署全部已作出的决定，"
        "每项各有一个签名：您的印刷体姓名、日期时间及下述签名含义。",
    ),
    "meaning": Text("Meaning of the signature", "签名含义"),
    "criterion": Text("Criterion", "标准"),
    "evidence": Text("Evidence", "证据"),
    "missing": Text("Missing", "缺失"),
    "decision": Text("Your decision", "您的决定"),
    "met": Text("met", "符合"),
    "not_met": Text("not met", "不符合"),
    "undecided": Text("not now", "暂不决定"),
    "reason": Text("Reason", "理由"),
    "password": Text("Your password, to sign", "您的密码（用于签名）"),
    "sign_button": Text("Sign the decisions made", "签署已作出的决定"),
    "signs_as": Text("You sign as", "您的签名姓名"),
    "back": Text("Back to the candidate", "返回候选人页面"),
    "none_to_sign": Text(
        "No criterion of this candidate waits for a signature.", "该候选人没有待签名的标准。"
    ),
    "decide_one": Text("decide at least one criterion", "请至少对一条标准作出决定"),
    "reason_needed": Text("give a reason for this decision", "请填写该决定的理由"),
    "was_lapsed": Text("signed before; the signature lapsed", "曾签名，签名已失效"),
    # a signature as shown (21 CFR 11.50)
    "signed": Text("Signed", "已签名："),
    "no_longer": Text("No longer current: signed", "已失效的签名："),
    "by": Text("by", "签名人"),
    "meaning_is": Text("meaning", "含义"),
    "lapsed_line": Text("Lapsed", "已失效"),
    "lapsed_added": Text("added on", "添加于"),
    "lapsed_retracted": Text("retracted on", "撤回于"),
    "lapsed_by": Text("by", "操作人"),
    "lapsed_unknown": Text(
        "the evidence it relied on changed since it was signed (a date or detail of the candidate)",
        "签名所依据的证据在签名后发生了改变（候选人的某个日期或信息）",
    ),
    "sign_again": Text("The investigator signs again.", "需研究者重新签名。"),
}

# Signature meanings (signatures.Meaning values) in words, for the signed record
# (21 CFR 11.50(a)(3)).
MEANINGS: dict[str, Text] = {
    "eligibility decision": Text("eligibility decision", "入组资格判断"),
    "visit data review": Text("visit data review", "访视数据审阅"),
    "causality assessment": Text("causality assessment", "因果关系评估"),
    "safety review decision": Text("safety review decision", "安全性审查决定"),
    "serious adverse event report": Text("serious adverse event report", "严重不良事件报告"),
    "casebook approval": Text("casebook approval", "CRF册批准"),
    "database lock": Text("database lock", "数据库锁定"),
    "database unlock": Text("database unlock", "数据库解锁"),
}
