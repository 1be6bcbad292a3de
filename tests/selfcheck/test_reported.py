"""What a self-check's answers assert, to carry into a screening (walkthrough D9): only
what the person said, each at one day, never a stand-in value."""

from __future__ import annotations

from datetime import date

from trialdesk.selfcheck.reported import ReportedFact, self_report
from trialdesk.study.loader import Study

from .conftest import WOMAN_45

ON = date(2026, 12, 7)


def _by_concept(facts: tuple[ReportedFact, ...]) -> dict[str, ReportedFact]:
    return {f.concept: f for f in facts}


def test_the_womans_answers(study: Study) -> None:
    report = self_report(study, {**WOMAN_45, "ra_since": "2018-03"}, ON)
    facts = _by_concept(report.facts)
    assert set(facts) == {"rheumatoid_arthritis", "methotrexate", "body_height", "body_weight"}
    # a month is entered at its last day: the shorter history, read in no one's favour
    assert facts["rheumatoid_arthritis"].on == date(2018, 3, 31)
    # "2 years" of methotrexate: from two years before the self-check; no dose was asked
    mtx = facts["methotrexate"]
    assert (mtx.on, mtx.dose_mg, mtx.end) == (date(2024, 12, 7), None, None)
    assert (facts["body_height"].value, facts["body_height"].unit) == (165.0, "cm")
    assert (facts["body_weight"].value, facts["body_weight"].on) == (62.0, date(2026, 12, 6))
    assert report.sex == "female"
    # 45 on 2026-12-07: born from 1980-12-08 to 1981-12-07, not on one of those days
    assert report.born_between == (date(1980, 12, 8), date(1981, 12, 7))
    assert report.not_carried == ()


def test_knee_pain_no_is_not_a_pain_score_of_zero(study: Study) -> None:
    # the self-check's record reads "no" as WOMAC 0 to judge I4; a screening record must not
    report = self_report(study, {**WOMAN_45, "knee_pain": "no"}, ON)
    assert "womac_pain" not in _by_concept(report.facts)


def test_a_fact_with_no_date_is_named_not_invented(study: Study) -> None:
    report = self_report(
        study, {**WOMAN_45, "ra_since": "", "infections": "hiv", "tb": "treated"}, ON
    )
    assert "rheumatoid_arthritis" not in _by_concept(report.facts)
    assert report.not_carried == ("ra_diagnosed", "infections", "tb")


def test_a_dose_only_when_given(study: Study) -> None:
    pills = self_report(
        study, {"steroid": "pills", "steroid_dose": "7.5", "steroid_dose_changed": "yes"}, ON
    )
    (steroid,) = pills.facts
    assert (steroid.dose_mg, steroid.route, steroid.code) == (7.5, "oral", "rxnorm|8640")
    assert steroid.on == ON  # "in the last 4 weeks": its latest day
    shot = self_report(study, {"steroid": "shot"}, ON).facts[0]
    assert (shot.route, shot.end, shot.dose_mg) == ("intramuscular", ON, None)  # one injection
    changed = self_report(
        study,
        {"methotrexate": "yes", "methotrexate_how_long": "8", "methotrexate_dose_changed": "yes"},
        ON,
    )
    # a changed dose is told by two facts with stand-in doses in the self-check: not here
    assert [(f.concept, f.dose_mg) for f in changed.facts] == [("methotrexate", None)]


def test_answers_that_do_not_apply_or_no_longer_fit_are_left_out(study: Study) -> None:
    report = self_report(
        study, {"sex": "male", "pregnancy": "pregnant", "weight": "heavy", "gone": "x"}, ON
    )
    assert report.facts == () and report.sex == "male"
