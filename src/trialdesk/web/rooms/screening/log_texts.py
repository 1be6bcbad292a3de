"""The screening log page's own texts (its filters, exports and CONSORT alternative), in
English and Simplified Chinese. zh-CN: a translation for the site to review."""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["LOG_TEXTS"]

LOG_TEXTS: dict[str, Text] = {
    "any": Text("any", "全部"),
    "added_from": Text("Added from", "添加日期自"),
    "added_to": Text("Added to", "添加日期至"),
    "criterion_hint": Text("e.g. I3", "例如 I3"),
    "filter": Text("Filter", "筛选"),
    "export": Text("Export CSV", "导出CSV"),
    "export_hint": Text(
        "For the site: names and hospital record numbers included.",
        "供研究中心使用：包含姓名和病历号。",
    ),
    "sponsor": Text("Pseudonymised CSV for the sponsor", "供申办方的假名化CSV"),
    "sponsor_hint": Text(
        "Screening and subject numbers, age and dates only: no name, record number, birth "
        "date or free-text reason.",
        "仅含筛选号、受试者编号、年龄和日期：不含姓名、病历号、出生日期或自由文本原因。",
    ),
    "consort_title": Text("Flow of candidates (CONSORT)", "候选人流程（CONSORT）"),
    "rows": Text("{count} candidates, oldest first", "共{count}名候选人，按时间先后排列"),
}
