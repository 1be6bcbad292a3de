"""Walkthrough D6/D7: the contact form and the staff's add-candidate form report every
mistake at once, each at its field, in a sentence with its subject, in English and in
Chinese."""

from __future__ import annotations

from datetime import date

import pytest

from trialdesk.errors import FieldErrors, InputError
from trialdesk.selfcheck.said import messages_by_field
from trialdesk.trial.screening.candidates import NewCandidate
from trialdesk.trial.screening.leads import LeadContact


def test_an_empty_contact_form_says_everything_at_once() -> None:
    with pytest.raises(FieldErrors) as caught:
        LeadContact.with_consent(False, name="  ", email="", phone="")
    assert messages_by_field(caught.value, "en") == {
        "name": "Enter your name.",
        "email": "Enter an e-mail address or a phone number, so that the study team can "
        "contact you.",
        "consent": "Tick the box to agree that the study team may contact you. Nothing is "
        "stored without your consent.",
    }
    chinese = messages_by_field(caught.value, "zh-CN")
    assert chinese["email"] == "请输入电子邮箱地址或电话号码，以便研究团队与您联系。"
    assert chinese["name"] == "请输入您的姓名。"


def test_a_bad_email_and_a_bad_phone_are_both_named() -> None:
    with pytest.raises(FieldErrors) as caught:
        LeadContact.with_consent(True, name="Anna", email="anna@", phone="abc")
    english = messages_by_field(caught.value, "en")
    assert english["email"] == (
        "Enter an e-mail address in the correct format, like name@example.com."
    )
    assert english["phone"].startswith("Enter a phone number with at least 6 digits")
    assert set(english) == {"email", "phone"}


def test_too_long_and_hidden_characters_name_their_subject() -> None:
    with pytest.raises(FieldErrors) as caught:
        LeadContact("A" * 201, "a@b.org\x00", None, "x" * 501)
    english = messages_by_field(caught.value, "en")
    assert english["name"] == "Your name must be 200 characters or fewer."
    assert english["email"].startswith("The e-mail address contains a hidden control character")
    assert english["preferred_contact"] == "When to contact you must be 500 characters or fewer."


def test_a_good_request_passes_with_consent_only() -> None:
    contact = LeadContact.with_consent(True, name=" Ann ", phone=" +86 21 1234 5678 ")
    assert (contact.name, contact.email, contact.phone) == ("Ann", None, "+86 21 1234 5678")
    with pytest.raises(InputError) as caught:
        LeadContact.with_consent("yes", name="Ann", phone="+86 21 1234 5678")
    assert caught.value.field == "consent"  # only JSON true is consent


def test_the_add_candidate_form_says_everything_at_once() -> None:
    # the walkthrough's D6: birth date 2030-01-01 and record number "#bad id!", and no name
    with pytest.raises(FieldErrors) as caught:
        NewCandidate.from_form(
            name="", birth_date="2030-01-01", sex="x", record_number="#bad id!",
            today=date(2026, 12, 7),
        )  # fmt: skip
    english = messages_by_field(caught.value, "en")
    assert english == {
        "birth_date": "The birth date cannot be in the future: enter a date up to today.",
        "name": "Enter the person's full name.",
        "sex": "Choose the sex: female, male, other or unknown.",
        "record_number": "Enter the hospital record number with letters, digits and . _ / - "
        "only, starting with a letter or a digit.",
    }
    assert messages_by_field(caught.value, "zh-CN")["name"] == "请输入此人的全名。"


@pytest.mark.parametrize(
    ("birth", "message"),
    [
        ("1980-02-30", "Enter the birth date as year, month and day, like 1980-03-31."),
        ("31/03/1980", "Enter the birth date as year, month and day, like 1980-03-31."),
        ("1899-12-31", "Enter a birth date in 1900 or later."),
    ],
)
def test_a_birth_date_says_what_is_wrong(birth: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        NewCandidate.from_form(
            name="Wang Fang", birth_date=birth, sex="", record_number="", today=date(2026, 1, 1)
        )
    assert (caught.value.field, caught.value.message) == ("birth_date", message)


def test_a_good_person_is_kept_as_given() -> None:
    person = NewCandidate.from_form(
        name=" 王芳 ", birth_date="1980-03-31", sex="Female", record_number="MRN-1",
        today=date(2026, 1, 1),
    )  # fmt: skip
    assert person == NewCandidate("王芳", date(1980, 3, 31), "female", "MRN-1")
