"""The contact details a person leaves after the self-check, checked as a whole: every
mistake is reported at once, at its field, in a sentence the person can act on, in English
and Simplified Chinese (zh-CN: a translation for the site to review). Walkthrough D6/D7.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from trialdesk.errors import TrialdeskError
from trialdesk.selfcheck.said import SaidError, raise_all
from trialdesk.study.texts import Text

__all__ = ["CONTACT_MESSAGES", "EMAIL", "MAX", "PHONE", "LeadContact", "check_consent"]

# A deliberately plain shape check: one @, a dot in the domain, no spaces. Deliverability
# is proven by writing to it, not by a regex (OWASP Input Validation Cheat Sheet).
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE = re.compile(r"\+?[0-9 ().\-/]+")
MIN_PHONE_DIGITS = 6  # the shortest local numbers; with a country code far more
MAX = {"name": 200, "email": 254, "phone": 40, "preferred_contact": 500}  # RFC 5321: 254

CONTACT_MESSAGES: dict[str, Text] = {
    "name": Text("Enter your name.", "请输入您的姓名。"),
    "reach": Text(
        "Enter an e-mail address or a phone number, so that the study team can contact you.",
        "请输入电子邮箱地址或电话号码，以便研究团队与您联系。",
    ),
    "email": Text(
        "Enter an e-mail address in the correct format, like name@example.com.",
        "请输入格式正确的电子邮箱地址，例如 name@example.com。",
    ),
    "phone": Text(
        "Enter a phone number with at least 6 digits, like +86 21 1234 5678. Use only "
        "digits, spaces and + ( ) - . /",
        "请输入至少 6 位数字的电话号码，例如 +86 21 1234 5678。只能使用数字、空格和 + ( ) - . /",
    ),
    "too_long": Text(
        "{what} must be {limit} characters or fewer.",
        "{what}不能超过 {limit} 个字符。",
    ),
    "control": Text(
        "{what} contains a hidden control character. Type it again without copying and pasting.",
        "{what}含有不可见的控制字符。请重新输入，不要复制粘贴。",
    ),
    "consent": Text(
        "Tick the box to agree that the study team may contact you. Nothing is stored "
        "without your consent.",
        "请勾选此框，同意研究团队与您联系。未经您的同意，不会保存任何信息。",
    ),
}

_WHAT: dict[str, Text] = {
    "name": Text("Your name", "您的姓名"),
    "email": Text("The e-mail address", "电子邮箱地址"),
    "phone": Text("The phone number", "电话号码"),
    "preferred_contact": Text("When to contact you", "联系时间"),
}


def _text(value: str | None, field: str, errors: list[TrialdeskError]) -> str | None:
    """``value`` stripped, None when blank; too long or with control characters (NUL
    among them, which PostgreSQL cannot store) is an error at ``field``."""
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > MAX[field]:
        what, limit = _WHAT[field], MAX[field]
        errors.append(SaidError(CONTACT_MESSAGES["too_long"], field=field, what=what, limit=limit))
    elif any(unicodedata.category(c) == "Cc" for c in text):
        errors.append(SaidError(CONTACT_MESSAGES["control"], field=field, what=_WHAT[field]))
    return text


def _reach(email: str | None, phone: str | None, errors: list[TrialdeskError]) -> None:
    if email is None and phone is None:
        # at the e-mail box, the first of the two (the page shows it over both)
        errors.append(SaidError(CONTACT_MESSAGES["reach"], field="email"))
    if email is not None and len(email) <= MAX["email"] and not EMAIL.fullmatch(email):
        errors.append(SaidError(CONTACT_MESSAGES["email"], field="email"))
    if (
        phone is not None
        and len(phone) <= MAX["phone"]
        and (not PHONE.fullmatch(phone) or sum(c.isdigit() for c in phone) < MIN_PHONE_DIGITS)
    ):
        errors.append(SaidError(CONTACT_MESSAGES["phone"], field="phone"))


def check_consent(consented: object) -> SaidError | None:
    """The error when consent is not explicitly given (only ``True`` is consent)."""
    return None if consented is True else SaidError(CONTACT_MESSAGES["consent"], field="consent")


@dataclass(frozen=True)
class LeadContact:
    """How the site may reach the person; blank strings count as not given. Built with
    ``consented``, the consent box is checked with the rest (every error at once)."""

    name: str
    email: str | None = None
    phone: str | None = None
    preferred_contact: str | None = None

    def __post_init__(self) -> None:
        errors: list[TrialdeskError] = []
        name = _text(self.name, "name", errors)
        email = _text(self.email, "email", errors)
        phone = _text(self.phone, "phone", errors)
        preferred = _text(self.preferred_contact, "preferred_contact", errors)
        if name is None:
            errors.insert(0, SaidError(CONTACT_MESSAGES["name"], field="name"))
        _reach(email, phone, errors)
        raise_all(errors, resource="contact details")
        for attr, value in (
            ("name", name),
            ("email", email),
            ("phone", phone),
            ("preferred_contact", preferred),
        ):
            object.__setattr__(self, attr, value)

    @classmethod
    def with_consent(
        cls,
        consented: object,
        *,
        name: str,
        email: str | None = None,
        phone: str | None = None,
        preferred_contact: str | None = None,
    ) -> LeadContact:
        """The contact details of a request to be contacted, and its consent, checked
        together: the form's every mistake, the unticked box included, reported at once."""
        errors: list[TrialdeskError] = []
        contact = None
        try:
            contact = cls(name, email, phone, preferred_contact)
        except TrialdeskError as error:
            errors.append(error)
        refused = check_consent(consented)
        if refused is not None:
            errors.append(refused)
        raise_all(errors, resource="contact details")
        assert contact is not None
        return contact
