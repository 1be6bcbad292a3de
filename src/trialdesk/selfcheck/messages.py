"""What the self-check says about an answer it cannot use, in English and Simplified Chinese
(zh-CN: a translation for the site to review).

Each sentence tells the person what to do (GOV.UK error messages: "say what happened and
how to fix it", in plain words), and is shown next to the question it is about, so it
needs no subject of its own; the page's error summary puts the question before it.
"""

from __future__ import annotations

from trialdesk.study.texts import Text

__all__ = ["MESSAGES", "unit_text"]

MESSAGES: dict[str, Text] = {
    "yes_no": Text(
        "Choose Yes, No or I don't know.",
        "请选择“是”、“否”或“不知道”。",
    ),
    "choice": Text(
        "Choose one of the answers given.",
        "请从给出的答案中选择一项。",
    ),
    "number": Text(
        "Enter a number from {low} to {high}{unit}.",
        "请输入 {low} 到 {high} 之间的数字{unit}。",
    ),
    "date": Text(
        "Enter a date like 2024-03-31.",
        "请按 2024-03-31 的格式输入日期。",
    ),
    "month_year": Text(
        "Enter a month and year from 1900 on, like 2024-03.",
        "请输入 1900 年以后的年月，格式如 2024-03。",
    ),
    "duration": Text(
        "Enter how long, like 8 months or 2 years, or a whole number of {unit}.",
        "请输入时长，例如 8 个月或 2 年，或以{unit}为单位的整数。",
    ),
    "duration_bounds": Text(
        "Enter a length of time from {low} to {high}{unit}.",
        "请输入 {low} 到 {high}{unit}之间的时长。",
    ),
    "future": Text(
        "This date is in the future. Enter a date up to today.",
        "该日期在今天之后。请输入今天或更早的日期。",
    ),
    "as_text": Text(
        "Give this answer as text.",
        "请以文字形式给出此答案。",
    ),
    "no_question": Text(
        "There is no question '{key}' in this self-check.",
        "本自评中没有问题“{key}”。",
    ),
}

# The units the self-check's numbers and lengths of time are asked in. A number's "years"
# is an age (岁); a length of time's is a span (年).
_NUMBER_UNITS: dict[str, Text] = {
    "years": Text("years", "岁"),
    "cm": Text("cm", "厘米"),
    "kg": Text("kg", "公斤"),
    "mg/day": Text("mg a day", "毫克/天"),
}
_DURATION_UNITS: dict[str, Text] = {
    "days": Text("days", "天"),
    "weeks": Text("weeks", "周"),
    "months": Text("months", "个月"),
    "years": Text("years", "年"),
}


def unit_text(unit: str | None, answer_type: str = "number") -> Text | None:
    """A question's unit as a person reads it; a unit with no translation stays as written
    (a symbol such as mmHg reads the same in both)."""
    if unit is None:
        return None
    units = _DURATION_UNITS if answer_type == "duration" else _NUMBER_UNITS
    return units.get(unit, Text(unit))
