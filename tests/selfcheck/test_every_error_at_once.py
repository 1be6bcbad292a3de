"""Walkthrough D5, D6, D25: the self-check reports every unusable answer at once, each at
its question, in a sentence a person can act on, in English and in Chinese; and an empty
self-check says it cannot tell."""

from __future__ import annotations

from datetime import date

import pytest

from trialdesk.errors import FieldErrors, InputError
from trialdesk.selfcheck import Answers, evaluate, parse_answers
from trialdesk.selfcheck.said import SaidError, messages_by_field, said_in
from trialdesk.study.loader import Study

from .conftest import TODAY, WOMAN_45


def test_three_mistakes_are_three_errors_in_one_answer(study: Study) -> None:
    # the walkthrough's D6: age 150, height 5.6, weight 0 took three submits to find
    with pytest.raises(FieldErrors) as caught:
        parse_answers(study, {**WOMAN_45, "age": "150", "height": "5.6", "weight": "0"})
    assert [e.field for e in caught.value.errors] == ["age", "height", "weight"]
    english = messages_by_field(caught.value, "en")
    assert english == {
        "age": "Enter a number from 10 to 120 years.",
        "height": "Enter a number from 100 to 250 cm.",
        "weight": "Enter a number from 25 to 350 kg.",
    }
    chinese = messages_by_field(caught.value, "zh-CN")
    assert chinese["age"] == "请输入 10 到 120 之间的数字（岁）。"
    assert chinese["height"] == "请输入 100 到 250 之间的数字（厘米）。"
    assert chinese["weight"] == "请输入 25 到 350 之间的数字（公斤）。"


def test_one_mistake_is_one_error_with_both_languages(study: Study) -> None:
    with pytest.raises(SaidError) as caught:
        parse_answers(study, {**WOMAN_45, "ra_since": "122024-01"})
    error = caught.value
    assert error.field == "ra_since"
    assert error.message == "Enter a month and year from 1900 on, like 2024-03."
    assert said_in(error, "zh-CN") == "请输入 1900 年以后的年月，格式如 2024-03。"
    assert said_in(InputError("plain"), "zh-CN") == "plain"  # an untranslated one as it is


@pytest.mark.parametrize(
    ("field", "raw", "english"),
    [
        ("ra_diagnosed", "maybe", "Choose Yes, No or I don't know."),
        ("steroid", "sometimes", "Choose one of the answers given."),
        (
            "methotrexate_how_long",
            "soon",
            "Enter how long, like 8 months or 2 years, or a whole number of months.",
        ),
        ("methotrexate_how_long", "200 years", "Enter a length of time from 0 to 1200 months."),
    ],
)
def test_each_kind_of_answer_says_what_to_do(
    study: Study, field: str, raw: str, english: str
) -> None:
    with pytest.raises(SaidError) as caught:
        parse_answers(study, {**WOMAN_45, field: raw})
    assert (caught.value.field, caught.value.message) == (field, english)
    assert said_in(caught.value, "zh-CN") != english  # said in Chinese too


def test_future_dates_are_all_reported(study: Study) -> None:
    answers = parse_answers(study, {**WOMAN_45, "ra_since": "2026-05"})
    with pytest.raises(SaidError) as caught:
        evaluate(study, answers, TODAY)
    assert caught.value.field == "ra_since"
    assert said_in(caught.value, "zh-CN") == "该日期在今天之后。请输入今天或更早的日期。"


def test_unknown_questions_are_all_named(study: Study) -> None:
    with pytest.raises(FieldErrors) as caught:
        parse_answers(study, {"nope": "1", "neither": "2"})
    assert {e.field for e in caught.value.errors} == {"nope", "neither"}


def test_the_age_bounds_catch_slips_not_eligibility(study: Study) -> None:
    # a 16-year-old is told why not (I2), not that the answer is wrong (D25)
    outcome = evaluate(study, parse_answers(study, {"age": "16"}), TODAY)
    assert outcome.verdict == "probably_not_eligible"
    with pytest.raises(SaidError):
        parse_answers(study, {"age": "4"})


def test_sex_may_be_another_answer_and_leaves_pregnancy_to_the_site(study: Study) -> None:
    sex = next(i for i in study.criteria.selfcheck if i.id == "sex")
    assert dict(sex.options)["other"] == "Another answer, or I'd rather not say"
    outcome = evaluate(study, parse_answers(study, {**WOMAN_45, "sex": "other"}), TODAY)
    e19 = next(c for c in outcome.criteria if c.criterion.id == "E19")
    assert (e19.finding.value, e19.why) == ("site_will_check", "not_sure")


def test_one_way_of_not_knowing_and_one_spelling(study: Study) -> None:
    labels = [label for item in study.criteria.selfcheck for _, label in item.options]
    words = " ".join(
        [label for label in labels]
        + [item.ask for item in study.criteria.selfcheck]
        + [item.help or "" for item in study.criteria.selfcheck]
    )
    assert "I'm not sure" not in words and "I don't know" in labels
    for american in ("defense", "breast-feeding", " shot", "pill", "FluMist", "Trexall"):
        assert american not in words, american


def test_no_answer_cannot_tell(study: Study) -> None:
    out = evaluate(study, Answers(), date(2026, 3, 16))
    assert out.verdict == "cannot_tell" and out.to_json()["verdict"] == "cannot_tell"
