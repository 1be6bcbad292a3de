"""The checks of a person's identifying details (a candidate added by hand or from a file),
each field's mistake said as a sentence with its subject, in English and Simplified
Chinese (zh-CN: a translation for the site to review), and all of them at once (D6).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from trialdesk.errors import TrialdeskError
from trialdesk.selfcheck.said import SaidError
from trialdesk.study.texts import Text

__all__ = ["EARLIEST_BIRTH", "PERSON_MESSAGES", "SEXES", "birth_date_of", "checked_field"]

SEXES = ("female", "male", "other", "unknown")  # FHIR R4 AdministrativeGender
EARLIEST_BIRTH = date(1900, 1, 1)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

PERSON_MESSAGES: dict[str, Text] = {
    "name": Text("Enter the person's full name.", "请输入此人的全名。"),
    "too_long": Text(
        "{what} must be {limit} characters or fewer.", "{what}不能超过 {limit} 个字符。"
    ),
    "control": Text(
        "{what} contains a hidden control character: type it again rather than pasting it.",
        "{what}含有不可见的控制字符：请重新输入，不要粘贴。",
    ),
    "sex": Text(
        "Choose the sex: female, male, other or unknown.",
        "请选择性别：女、男、其他或未知。",
    ),
    "record_number": Text(
        "Enter the hospital record number with letters, digits and . _ / - only, starting "
        "with a letter or a digit.",
        "请输入住院号／病历号，只能包含字母、数字和 . _ / -，并以字母或数字开头。",
    ),
    "birth_format": Text(
        "Enter the birth date as year, month and day, like 1980-03-31.",
        "请按年-月-日输入出生日期，例如 1980-03-31。",
    ),
    "birth_early": Text(
        "Enter a birth date in 1900 or later.",
        "请输入 1900 年或之后的出生日期。",
    ),
    "birth_future": Text(
        "The birth date cannot be in the future: enter a date up to today.",
        "出生日期不能晚于今天：请输入今天或更早的日期。",
    ),
}

WHAT: dict[str, Text] = {
    "name": Text("The name", "姓名"),
    "sex": Text("The sex", "性别"),
    "record_number": Text("The hospital record number", "住院号／病历号"),
    "birth_date": Text("The birth date", "出生日期"),
}


def checked_field(
    value: str | None, field: str, limit: int, errors: list[TrialdeskError]
) -> str | None:
    """``value`` stripped, None when blank; too long or holding a control character (NUL
    among them, which PostgreSQL cannot store) adds an error at ``field``."""
    text = (value or "").strip()
    if not text:
        return None
    what = WHAT.get(field, Text(field))
    if len(text) > limit:
        errors.append(SaidError(PERSON_MESSAGES["too_long"], field=field, what=what, limit=limit))
    elif any(unicodedata.category(c) == "Cc" for c in text):
        errors.append(SaidError(PERSON_MESSAGES["control"], field=field, what=what))
    return text


def birth_date_of(
    value: date | str | None, today: date | None, errors: list[TrialdeskError]
) -> date | None:
    """A birth date as given (a date, or YYYY-MM-DD as a date input sends it), checked
    against 1900 and, when ``today`` is known, the future."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            if not _DAY.fullmatch(text):
                raise ValueError(text)
            value = date.fromisoformat(text)
        except ValueError:
            errors.append(SaidError(PERSON_MESSAGES["birth_format"], field="birth_date"))
            return None
    if value is None:
        return None
    if value < EARLIEST_BIRTH:
        errors.append(SaidError(PERSON_MESSAGES["birth_early"], field="birth_date"))
    elif today is not None and value > today:
        errors.append(SaidError(PERSON_MESSAGES["birth_future"], field="birth_date"))
    return value
