"""What the self-check's pages say, in English and Simplified Chinese.
zh-CN: a translation for the site to review.

One spelling convention, British, as the rest of the site ("e-mail", "centimetres"); one
way of not knowing: "I don't know". The questions, their help and the criteria's plain
lines are the study folder's texts (its criteria file), not these.
"""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["TEXTS"]

TEXTS: dict[str, Text] = {
    # the questions page
    "title": Text("Self-check", "自我评估"),
    "error_prefix": Text("Error: ", "错误："),
    "heading": Text("Check if this trial may suit you", "看看这项研究是否适合您"),
    "lede": Text(
        "A few questions about your health, in about 2 minutes. Your answers are checked "
        "against the study's published criteria.",
        "几个关于您健康状况的问题，大约需要 2 分钟。您的答案会与研究公布的入选和排除标准进行核对。",
    ),
    "stored": Text(
        "Nothing you enter is stored unless you ask the study team to contact you at the "
        "end. If you do not know an answer, leave it blank or choose “I don't know”.",
        "除非您在最后要求研究团队与您联系，否则您填写的内容不会被保存。"
        "如果不知道某个问题的答案，可以留空或选择“不知道”。",
    ),
    "problem": Text("There is a problem", "有需要修改的地方"),
    "only_if": Text("Only if you answered {answers}.", "仅当您{answers}时需要回答。"),
    "only_if_part": Text("“{answer}” to “{question}”", "对“{question}”回答“{answer}”"),
    "only_if_and": Text(" and ", "并且"),
    "yes": Text("Yes", "是"),
    "no": Text("No", "否"),
    "dont_know": Text("I don't know", "不知道"),
    "in_unit": Text(" (in {unit})", "（单位：{unit}）"),
    "month_placeholder": Text("YYYY-MM", "年年年年-月月"),
    "duration_placeholder": Text("for example: 8 months or 2 years", "例如：8 个月或 2 年"),
    "no_questions": Text(
        "This study has no self-check questions yet. Read its participation requirements, "
        "or ask the study team.",
        "本研究尚无自我评估问题。请阅读其参与要求，或咨询研究团队。",
    ),
    "requirements": Text("Participation requirements", "参与要求"),
    "see_result": Text("See my result", "查看我的结果"),
    "back": Text("Back to the study", "返回研究页面"),
    # the result page
    "result_title": Text("Your result", "您的结果"),
    "may_title": Text("You may be eligible", "您可能符合条件"),
    "may_lede": Text(
        "From your answers, you may be able to take part in this study.",
        "根据您的答案，您可能可以参加这项研究。",
    ),
    "site_checks": Text(
        "The study team will still check {count} things your answers cannot show",
        "研究团队仍需核实 {count} 项您的答案无法说明的情况",
    ),
    "not_title": Text("You are probably not eligible", "您可能不符合条件"),
    "not_lede_because": Text(
        "From your answers, this study is probably not a match for you, because:",
        "根据您的答案，这项研究可能不适合您，原因如下：",
    ),
    "not_lede": Text(
        "From your answers, this study is probably not a match for you.",
        "根据您的答案，这项研究可能不适合您。",
    ),
    "cannot_title": Text("We could not tell from your answers", "根据您的答案，我们无法判断"),
    "cannot_lede": Text(
        "Your answers do not tell us whether this study may suit you: you did not answer "
        "enough of the questions, or answered “I don't know”. The study team can tell you "
        "more.",
        "您的答案不足以判断这项研究是否适合您：回答的问题不够多，或选择了“不知道”。研究团队可以为您提供更多信息。",
    ),
    "again": Text(
        "If an answer was not right, or you can answer more of the questions, you can",
        "如果某个答案有误，或您能回答更多问题，可以",
    ),
    "again_link": Text("start the self-check again", "重新开始自我评估"),
    "stop": Text(".", "。"),
    "not_advice": Text("This is not medical advice.", "这不是医疗建议。"),
    "disclaimer": Text(
        "This check uses only your answers and the study's published criteria. Only the "
        "study team can confirm whether you can take part, after talking with you and "
        "looking at your medical records. Do not change any treatment without talking to "
        "your doctor.",
        "本评估仅依据您的答案和研究公布的标准。只有研究团队在与您沟通并查看您的病历后，"
        "才能确认您能否参加。未经与医生沟通，请不要改变任何治疗。",
    ),
    "contact_may": Text("Ask the study team to contact you", "请研究团队与您联系"),
    "contact_other": Text(
        "Would you still like the study team to contact you?",
        "您仍希望研究团队与您联系吗？",
    ),
    "contact_optional": Text(
        "This is optional. If you send this form, the study team receives your details and "
        "your answers, and will contact you about the study. If you do not, nothing is stored.",
        "这是可选的。如果您提交此表，研究团队会收到您的信息和答案，并就这项研究与您联系。"
        "如果不提交，则不会保存任何信息。",
    ),
    "problem_details": Text("There is a problem with your details", "您填写的信息有需要修改的地方"),
    "name": Text("Your name", "您的姓名"),
    "reach": Text("How the study team can reach you", "研究团队如何联系您"),
    "reach_hint": Text(
        "Give an e-mail address, a phone number or both: at least one of them is needed.",
        "请填写电子邮箱地址或电话号码，或两者都填：至少需要填写其中一项。",
    ),
    "email": Text("E-mail address", "电子邮箱地址"),
    "email_hint": Text(
        "We only use it to contact you about this study.",
        "仅用于就这项研究与您联系。",
    ),
    "phone": Text("Phone number", "电话号码"),
    "phone_hint": Text(
        "Include the country code if you are outside the study's country.",
        "如果您不在研究所在国家，请加上国家代码。",
    ),
    "when": Text("When is a good time to contact you? (optional)", "什么时候方便联系您？（可选）"),
    "when_hint": Text(
        "For example: weekday mornings, or by e-mail only.",
        "例如：工作日上午，或仅通过电子邮件。",
    ),
    "send": Text("Send my details", "发送我的信息"),
    "closed": Text(
        "This study is closed: it takes no more contact requests. Nothing was stored.",
        "本研究已结束，不再接受联系请求。未保存任何信息。",
    ),
    "consent": Text(
        "I agree that the team running study {study} may contact me about taking part, "
        "using the details above. My answers and contact details are kept only for this, "
        "and I can ask for them to be deleted at any time before my screening begins.",
        "我同意开展研究 {study} 的团队使用上述信息，就参加研究事宜与我联系。我的答案和联系方式"
        "仅用于此目的，在我的筛选开始之前，我可以随时要求删除这些信息。",
    ),
}
