"""What the thanks page after a contact request says, in English and Simplified Chinese.
zh-CN: a translation for the site to review.

Its promise about deletion is what the system does (screening/lead_erasure.py): before
the person becomes a screening candidate, staff erase their details on request; from then
on what the study records is research data, kept as the law requires for them (GDPR Art.
17(3)(c)/(d), PIPL Art. 47), and the person may still stop taking part at any time.
"""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["THANKS"]

THANKS: dict[str, Text] = {
    "title": Text("Thank you", "感谢您"),
    "sent": Text(
        "We have sent your details to the team of the study",
        "我们已将您的信息发送给以下研究的团队：",
    ),
    "reference": Text("Your reference:", "您的编号："),
    "keep": Text(
        "Keep this reference. Give it if you contact the study team.",
        "请保留此编号，联系研究团队时请提供。",
    ),
    "next": Text("What happens next", "接下来会怎样"),
    "step1": Text("A member of the study team reads your answers.", "研究团队成员会阅读您的答案。"),
    "step2": Text(
        "They contact you, using the details you gave, to talk about the study and answer "
        "your questions.",
        "他们会通过您留下的联系方式与您联系，介绍这项研究并解答您的问题。",
    ),
    "step3": Text(
        "If the study may suit you, they invite you to a screening visit. Only then can "
        "they confirm whether you can take part.",
        "如果这项研究可能适合您，他们会邀请您参加筛选访视。只有在筛选之后，才能确认您能否参加。",
    ),
    "choice": Text(
        "Taking part is always your choice. If you change your mind, tell the study team "
        "and quote your reference: they will not contact you again and, as long as your "
        "screening has not begun, they will delete your name, contact details and answers. "
        "Once your screening has begun, what the study has recorded about you is kept as "
        "the law requires for research records; you can still stop taking part at any time.",
        "是否参加始终由您决定。如果您改变主意，请告知研究团队并提供您的编号：他们将不再联系您；"
        "在筛选开始之前，他们会删除您的姓名、联系方式和答案。筛选一旦开始，研究已记录的"
        "有关您的信息将按法律对研究记录的要求保存；您仍可随时退出。",
    ),
    "back": Text("Back to the study", "返回研究页面"),
}
