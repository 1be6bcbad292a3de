"""Realistic patients through the real Screener: both verdicts, and why."""

from __future__ import annotations

import pytest

from selfcheck.conftest import TODAY, WOMAN_45, Check, finding
from trialdesk.selfcheck import Answers, evaluate, questions, visible
from trialdesk.study.loader import Study


def test_woman_45_may_be_eligible_and_the_site_checks_the_rest(check: Check) -> None:
    out = check()
    assert out.verdict == "may_be_eligible"
    assert out.reasons == ()
    site = " ".join(out.site_will_check)
    for needed in ("consent", "ultrasound", "blood", "liver", "kidney", "ECG", "pregnant"):
        assert needed in site
    # what her answers decide is not on the site's list
    for decided in ("I2", "I3", "I5", "I6", "E15", "E18", "E20", "E24"):
        assert finding(out, decided) == ("fine", "answers")
    assert out.to_json()["verdict"] == "may_be_eligible"


@pytest.mark.parametrize(
    ("changes", "criterion", "words"),
    [
        ({"age": "70"}, "I2", "aged 18 to 65"),
        ({"pregnancy": "pregnant"}, "E19", "pregnant"),
        ({"pregnancy": "breastfeeding"}, "E19", "breastfeeding"),
        ({"live_vaccine": "live"}, "E24", "live vaccine"),
        ({"ra_diagnosed": "no"}, "I3", "rheumatoid arthritis"),
        ({"ra_since": "2026-02"}, "I3", "at least 3 months"),
        ({"knee_pain": "no"}, "I4", "knee"),
        ({"methotrexate": "no"}, "I6", "methotrexate"),
        ({"methotrexate_how_long": "2 months"}, "I5", "at least 3 months"),
        ({"methotrexate_dose_changed": "yes"}, "I6", "no change in dose"),
        ({"steroid": "shot"}, "E20", "steroid"),
        ({"steroid": "pills", "steroid_dose": "15", "steroid_dose_changed": "no"}, "E20", "10 mg"),
        (
            {"steroid": "pills", "steroid_dose": "5", "steroid_dose_changed": "yes"},
            "E20",
            "changed",
        ),
        ({"infections": "hepatitis_b"}, "E3", "hepatitis B"),
        ({"tb": "now"}, "E4", "tuberculosis"),
        ({"tb": "untreated"}, "E4", "without full treatment"),
        ({"cancer": "yes"}, "E18", "cancer"),
        ({"other_study": "recent"}, "E22", "another study"),
        ({"implants": "yes"}, "E16", "MRI"),
        ({"height": "165", "weight": "82"}, "E15", "BMI"),  # BMI 30.1
    ],
)
def test_probably_not_eligible_says_why(
    check: Check, changes: dict[str, str], criterion: str, words: str
) -> None:
    out = check(**changes)
    assert out.verdict == "probably_not_eligible"
    assert criterion in out.ruled_out_by
    assert any(words in reason for reason in out.reasons)


@pytest.mark.parametrize(
    ("age", "expected"), [("17", "rules_out"), ("18", "fine"), ("65", "fine"), ("66", "rules_out")]
)
def test_boundary_ages(check: Check, age: str, expected: str) -> None:
    assert finding(check(age=age), "I2")[0] == expected


@pytest.mark.parametrize(
    ("changes", "criteria", "why"),
    [
        # answers that leave a criterion to the site, and the reason code the web app shows
        ({"steroid": "not_sure"}, ["E20"], "not_sure"),
        ({"knee_events": "yes"}, ["E7", "E8", "E9"], "not_sure"),
        ({"tb": "treated"}, ["E4"], "doctor_decides"),
        ({"cancer": "skin_only"}, ["E18"], "doctor_decides"),
        ({"other_study": "earlier"}, ["E22"], "doctor_decides"),
        ({"infections": "none"}, ["E3"], "needs_tests_or_records"),
        ({"knee_pain": "yes"}, ["I4"], "needs_tests_or_records"),
        ({"pregnancy": "no"}, ["E19"], "needs_tests_or_records"),  # the pregnancy test
        ({"other_ra_medicine": "yes"}, ["I5"], "needs_tests_or_records"),  # its dose: not asked
        ({"ra_since": "2025-12"}, ["I3"], "exact_dates"),  # 1 or 31 December: either side
        ({"ra_since": None}, ["I3"], "not_answered"),
        ({"sex": None}, ["E19"], "not_answered"),  # the pregnancy question may apply
        ({}, ["I1", "E2", "E21", "E28"], "not_asked"),
    ],
)
def test_site_will_check(
    check: Check, changes: dict[str, str | None], criteria: list[str], why: str
) -> None:
    out = check(**changes)
    assert out.verdict == "may_be_eligible"
    for criterion in criteria:
        assert finding(out, criterion) == ("site_will_check", why)


@pytest.mark.parametrize(
    ("changes", "criterion"),
    [
        ({"sex": "male", "pregnancy": None}, "E19"),  # the pregnancy question does not apply
        ({"steroid": "pills", "steroid_dose": "10", "steroid_dose_changed": "no"}, "E20"),
        ({"height": "165", "weight": "81.7"}, "E15"),  # BMI 30.0 is not over 30
        ({"live_vaccine": "not_live"}, "E24"),
        ({"ra_since": "2025-11"}, "I3"),
    ],
)
def test_answers_that_satisfy_a_criterion(
    check: Check, changes: dict[str, str | None], criterion: str
) -> None:
    assert finding(check(**changes), criterion) == ("fine", "answers")


def test_methotrexate_no_rules_out_both_methotrexate_criteria(check: Check) -> None:
    out = check(methotrexate="no")
    assert out.ruled_out_by == ("I5", "I6")
    # another csDMARD can satisfy I5 but never I6
    out = check(methotrexate="no", other_ra_medicine="yes")
    assert out.ruled_out_by == ("I6",)


def test_no_answers_decides_nothing(study: Study) -> None:
    # D5: with nothing answered the check cannot tell, and does not say "may be eligible"
    out = evaluate(study, Answers(), TODAY)
    assert out.verdict == "cannot_tell"
    assert len(out.site_will_check) == len(study.criteria.criteria) == 34


def test_answers_that_decide_nothing_cannot_tell(check: Check) -> None:
    # only "I don't know" / "I'm not sure" answers: every criterion stays with the site
    out = check({}, steroid="not_sure", infections="not_sure")
    assert out.verdict == "cannot_tell" and not out.reasons


def test_one_deciding_answer_may_be_eligible(check: Check) -> None:
    assert check({}, age="45").verdict == "may_be_eligible"
    assert check({}, age="70").verdict == "probably_not_eligible"


def test_seventy_year_old(check: Check) -> None:
    out = check(age="70")
    assert out.to_json()["reasons"] == ["You need to be aged 18 to 65."]


def test_answers_to_questions_that_do_not_apply_are_ignored(check: Check) -> None:
    out = check(sex="male", pregnancy="pregnant")
    assert out.verdict == "may_be_eligible"
    assert finding(out, "E19") == ("fine", "answers")


def test_visible_follows_earlier_answers(study: Study) -> None:
    qs = questions(study)
    ids = {q.id for q in visible(qs, {})}
    assert {"pregnancy", "ra_since", "steroid_dose"}.isdisjoint(ids)
    ids = {q.id for q in visible(qs, {"sex": "female", "ra_diagnosed": "YES", "steroid": "pills"})}
    assert {"pregnancy", "ra_since", "steroid_dose", "steroid_dose_changed"} <= ids
    assert "pregnancy" not in {q.id for q in visible(qs, {"sex": "male"})}
    assert "ra_since" not in {q.id for q in visible(qs, {"ra_diagnosed": "perhaps"})}
    # a man not on steroids or methotrexate answers a short list
    short = visible(qs, {"sex": "male", "methotrexate": "no", "steroid": "no"})
    assert 12 <= len(short) <= 20
    assert len(visible(qs, dict(WOMAN_45))) == 20
