"""One rule evaluated on its own (a form's edit check), with dates the study does not
screen with: the visit being checked and day 1."""

from __future__ import annotations

from datetime import date

from fhirbuild import obs, patient, record
from trialdesk.criteria.logic import Tri
from trialdesk.criteria.parser import Names, parse_rule
from trialdesk.criteria.screening import Screener
from trialdesk.study.loader import Study

WEIGHT = "29463-7"
DAY1, W4 = date(2026, 3, 16), date(2026, 4, 13)
RULE = (
    "latest(body_weight, within=window(visit, visit))"
    " > 1.1 * latest(body_weight, within=window(day1, day1))"
)


def _names(study: Study) -> Names:
    return Names(
        valuesets=frozenset(study.valuesets), anchors=frozenset({"screening", "visit", "day1"})
    )


def test_a_rule_reads_the_dates_it_is_given(study: Study, screener: Screener) -> None:
    rule = parse_rule(RULE, _names(study))
    gained = record(
        patient(),
        obs(WEIGHT, 70, "kg", DAY1.isoformat(), rid="w0"),
        obs(WEIGHT, 78, "kg", W4.isoformat(), rid="w4"),
    )
    dates = {"visit": W4, "day1": DAY1, "screening": date(2026, 3, 2)}
    out = screener.evaluate_rule(rule, gained, dates=dates)
    assert out.tri is Tri.TRUE
    assert {e.resource for e in out.evidence} == {"Observation/w0", "Observation/w4"}
    steady = record(
        patient(),
        obs(WEIGHT, 70, "kg", DAY1.isoformat(), rid="w0"),
        obs(WEIGHT, 71, "kg", W4.isoformat(), rid="w4"),
    )
    assert screener.evaluate_rule(rule, steady, dates=dates).tri is Tri.FALSE


def test_a_date_not_known_makes_what_reads_it_unknown(study: Study, screener: Screener) -> None:
    rule = parse_rule(RULE, _names(study))
    person = record(patient(), obs(WEIGHT, 78, "kg", W4.isoformat()))
    out = screener.evaluate_rule(rule, person, dates={"visit": W4, "day1": None})
    assert out.tri is Tri.UNKNOWN
    assert out.missing == ("the day1 date",)
    assert screener.evaluate_rule(rule, person, dates={}).tri is Tri.UNKNOWN


def test_a_record_date_is_read_from_the_record_when_not_given(
    study: Study, screener: Screener
) -> None:
    names = Names(anchors=frozenset({"screening", "consent"}))
    rule = parse_rule("consent <= screening", names)
    person = record(patient())  # no consent on file: its date is unknown
    out = screener.evaluate_rule(rule, person, dates={"screening": date(2026, 3, 2)})
    assert out.tri is Tri.UNKNOWN
    assert out.missing == ("the consent date",)
