"""The screening log page's English and Simplified Chinese pairs that it still reads from
here (templates/screening_log.html, rooms/screening/log.py). The rest of the screening
room marks its texts for the Babel catalogue (trialdesk.i18n); this file goes when the
screening log does too (issue 17, language). zh-CN: a translation for the site to review.
``{name}`` fields are filled by the page.
"""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["TEXTS"]

TEXTS: dict[str, Text] = {
    "study": Text("Study", "研究"),
    "name": Text("Name", "姓名"),
    "subject": Text("Subject", "受试者编号"),
    "added": Text("Added", "添加日期"),
    "none_match": Text("No candidates match.", "没有符合条件的候选受试者。"),
    "places": Text("Places taken: {taken} of {target}", "已占名额：{taken}/{target}"),
    "log_title": Text("Screening log", "筛选日志"),
    "consent": Text("Consent", "知情同意"),
    "outcome": Text("Outcome", "结局"),
    "on": Text("On", "日期"),
    "reasons": Text("Reasons", "原因"),
    "failed_on": Text("Failed on criterion", "未通过的标准"),
    "dates_at_site": Text("Dates are the site's ({zone}).", "日期均为研究中心当地日期（{zone}）。"),
}
