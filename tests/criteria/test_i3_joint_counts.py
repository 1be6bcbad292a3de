"""Issue 19: I3's ACR/EULAR 2010 score from joint counts, so that it can be surely below 6.

Each case is a small FHIR R4 bundle in a shape records send joint counts in (LOINC
88981-6/88980-8 Observations, a CDAI panel's components, a site's own codes, a Chinese
display text only, valueInteger with no unit), screened by the real adapter and Screener.
The person has had RA since 2019 (symptom duration: 1 point) with a visit on file.
Serology and acute-phase reactants are negative and normal unless a case says otherwise,
so the score is the joint points + 1 (+ 2 with a positive RF). Boundaries: a score of
exactly 5 rules I3 out, exactly 6 does not.

Study dates: screening 2026-03-02, baseline 2026-03-16; the examination is on 2026-02-20.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from fhirbuild import NEGATIVE, POSITIVE, condition, encounter, obs, patient, record
from trialdesk.criteria.logic import Tri
from trialdesk.criteria.parser import Names, parse_rule
from trialdesk.criteria.screening import CriterionResult, Screener, Status
from trialdesk.facts.record import PatientRecord
from trialdesk.study.loader import Study
from trialdesk.trial.screening.fact_entry import FactEntry, to_fact

Json = dict[str, Any]
SCREENING, BASELINE = date(2026, 3, 2), date(2026, 3, 16)
EXAM = "2026-02-20"
TJC28, SJC28 = "88981-6", "88980-8"  # LOINC Tender joint # / Swollen joint # (CDAI panel)
TJC68, SJC66 = ("trialdesk", "tjc68"), ("trialdesk", "sjc66")
LARGE, SMALL = ("trialdesk", "acr-eular-large-joints"), ("trialdesk", "acr-eular-small-joints")
RF, ACPA, CRP, ESR = "11572-5", "32218-0", "1988-5", "4537-7"

RA = condition("69896004", onset="2019-01-01", rid="ra")
VISIT = encounter("AMB", "2025-06-01", "2025-06-01", rid="visit")
SERONEGATIVE = (
    obs(RF, None, None, EXAM, result=NEGATIVE, rid="rf"),
    obs(ACPA, None, None, EXAM, result=NEGATIVE, rid="acpa"),
)
RF_POSITIVE = (  # a result known only as positive: low-positive, 2 points (Aletaha 2010)
    obs(RF, None, None, EXAM, result=POSITIVE, rid="rf"),
    obs(ACPA, None, None, EXAM, result=NEGATIVE, rid="acpa"),
)
NORMAL_APR = (obs(CRP, 2, "mg/L", EXAM, 5, rid="crp"), obs(ESR, 10, "mm/h", EXAM, 20, rid="esr"))


def count(code: str | tuple[str, str], n: float, day: str = EXAM, **kw: Any) -> Json:
    """A joint count as an Observation with valueQuantity in {#} (LOINC's unit)."""
    return obs(code, n, kw.pop("unit", "{#}"), day, **kw)


def integer(code: str | tuple[str, str], n: int, rid: str) -> Json:
    """A joint count sent as valueInteger, with no unit."""
    res = obs(code, None, None, EXAM, rid=rid)
    res["valueInteger"] = n
    return res


def cdai_panel(tender: int, swollen: int) -> Json:
    """A CDAI panel (LOINC 75842-5) carrying the counts as components."""
    res = obs("75842-5", None, None, EXAM, rid="cdai")
    res["component"] = [
        {"code": {"coding": [{"system": "http://loinc.org", "code": code}]}, "valueInteger": n}
        for code, n in ((TJC28, tender), (SJC28, swollen))
    ]
    return res


def local_text(display: str, n: int) -> Json:
    """A count with a hospital's own code, readable only by its (Chinese) display text."""
    res = obs(("trialdesk", "x"), n, "{#}", EXAM, rid="his")
    res["code"] = {
        "coding": [{"system": "urn:oid:2.16.156.1", "code": "RA-17", "display": display}]
    }
    return res


def cell(status: str, *res: Json, says: str, id: str, base: tuple[Json, ...] = ()) -> Any:
    return pytest.param(
        Status(status), (*(base or SERONEGATIVE + NORMAL_APR), *res), says, id=f"{status}-{id}"
    )


CELLS = [
    # --- the 68/66 count: an upper limit --------------------------------------------------
    cell(
        "not_met",
        count(TJC68, 1, rid="t68"),
        count(SJC66, 1, rid="s66"),
        says="ACR/EULAR 2010 score between 1 and 3/10",
        id="68-66-two-joints-at-most",
    ),
    cell(
        "not_met",
        integer(TJC68, 0, "t68"),
        integer(SJC66, 0, "s66"),
        says="ACR/EULAR 2010 score 1/10",
        id="68-66-none-involved-valueInteger",
    ),
    cell(
        "not_met",
        count(TJC68, 2, rid="t68"),
        count(SJC66, 1, rid="s66"),
        base=RF_POSITIVE + NORMAL_APR,
        says="ACR/EULAR 2010 score between 3 and 5/10",  # 3 joints: at most 2 points
        id="68-66-score-at-most-5",
    ),
    cell(
        "met",
        count(TJC68, 2, rid="t68"),
        count(SJC66, 2, rid="s66"),
        base=RF_POSITIVE + NORMAL_APR,
        says="ACR/EULAR 2010 score between 3 and 6/10",  # 4 joints: up to 3 points
        id="68-66-score-may-be-6",
    ),
    cell(
        "met",
        count(TJC68, 0, rid="t68"),
        says="one figure alone sets no limit",
        id="68-tender-only",
    ),
    # --- the ACR/EULAR count: exact ------------------------------------------------------
    cell(
        "not_met",
        count(LARGE, 0, rid="large"),
        count(SMALL, 2, rid="small"),
        base=RF_POSITIVE + NORMAL_APR,
        says="ACR/EULAR 2010 score 5/10",  # 2 + 2 + 0 + 1
        id="acr-count-score-exactly-5",
    ),
    cell(
        "met",
        count(LARGE, 0, rid="large"),
        count(SMALL, 4, rid="small"),
        base=RF_POSITIVE + NORMAL_APR,
        says="ACR/EULAR 2010 score 6/10",  # 3 + 2 + 0 + 1
        id="acr-count-score-exactly-6",
    ),
    cell(
        "met",
        count(SMALL, 2, rid="small"),
        says="large joints not counted",
        id="acr-count-small-only",
    ),
    # --- the 28-joint count: a lower limit -------------------------------------------------
    cell(
        "met",
        count(TJC28, 12, rid="t28"),
        count(SJC28, 3, rid="s28"),
        says="ACR/EULAR 2010 score 6/10",  # 12 of 28: 6+ small, 12 joints: 5 points
        id="28-count-12-involved",
    ),
    cell(
        "met",
        count(TJC28, 0, rid="t28"),
        count(SJC28, 0, rid="s28"),
        says="no upper limit",
        id="28-count-none-involved-not-ruled-out",
    ),
    cell("met", cdai_panel(12, 8), says="ACR/EULAR 2010 score 6/10", id="cdai-panel-components"),
    cell(
        "met",
        local_text("28个关节压痛数", 12),
        says="matched on display text only",
        id="chinese-display-only",
    ),
    # --- which examination ---------------------------------------------------------------
    cell(
        "met",
        count(TJC68, 0, "2026-01-10", rid="t68-old"),
        count(SJC66, 0, "2026-01-10", rid="s66-old"),
        count(TJC28, 3, rid="t28-new"),
        says="from the joint examination of 2026-02-20",
        id="latest-examination-only",
    ),
    cell(
        "not_met",
        count(TJC28, 3, "2026-01-10", rid="t28-old"),
        count(TJC68, 0, rid="t68-new"),
        count(SJC66, 0, rid="s66-new"),
        says="ACR/EULAR 2010 score 1/10",
        id="older-28-count-not-combined",
    ),
    cell(
        "met",
        count(TJC68, 0, "2025-11-01", rid="t68"),
        count(SJC66, 0, "2025-11-01", rid="s66"),
        says="ACR/EULAR 2010 score between 1 and 6/10",
        id="examination-before-the-3-months",
    ),
    cell(
        "met",
        count(TJC28, 12, rid="t28"),
        count(TJC68, 2, rid="t68"),
        count(SJC66, 1, rid="s66"),
        says="the counts contradict each other",
        id="counts-contradict",
    ),
    # --- unusable counts are said, never guessed ---------------------------------------------
    cell(
        "met",
        count(TJC68, 2.5, rid="t68"),
        count(SJC66, 0, rid="s66"),
        says="Observation/t68: Tender joint count (68 joints) 2.5 is not a count of 0-68 joints",
        id="not-a-whole-number",
    ),
    cell(
        "met",
        count(TJC28, 30, rid="t28"),
        says="Observation/t28: Tender joint count (28 joints) 30 is not a count of 0-28 joints",
        id="more-than-28",
    ),
    cell(
        "met",
        count(TJC68, 0, rid="t68", unit="mg"),
        count(SJC66, 0, rid="s66"),
        says="unusable: Observation/t68",
        id="unit-not-a-count",
    ),
]


def _i3(screener: Screener, rec: PatientRecord) -> CriterionResult:
    result = screener.screen(
        rec,
        dates={"screening": SCREENING, "baseline": BASELINE},
        parameters={"target_knee": None},
        only=("I3",),
    )
    (found,) = result.criteria
    return found


def _notes(r: CriterionResult) -> str:
    return " | ".join(f"{e.note} {e.resource or ''}" for e in r.evidence)


@pytest.mark.parametrize(("status", "resources", "says"), CELLS)
def test_cell(screener: Screener, status: Status, resources: tuple[Json, ...], says: str) -> None:
    r = _i3(screener, record(patient(), RA, VISIT, *resources))
    notes = _notes(r)
    assert r.status is status, f"{r.status.value}: {notes}; missing {r.missing}"
    assert says in notes, notes


def test_a_read_count_says_the_rule_it_is_read_by(screener: Screener) -> None:
    r = _i3(screener, record(patient(), RA, VISIT, count(TJC28, 12, rid="t28")))
    notes = _notes(r)
    assert "protocol assumption" in notes and "Aletaha 2010" in notes
    assert "LOINC 88981-6/88980-8 are read as 28-joint counts" in notes
    assert "Tender joint count (28 joints): 12 Observation/t28" in notes


def test_history_unknown_is_unknown_unless_the_score_rules_out(screener: Screener) -> None:
    no_date = condition("69896004", onset=None, rid="ra-nodate")
    r = _i3(screener, record(patient(), no_date, VISIT, count(TJC28, 3)))
    assert r.status is Status.UNKNOWN
    assert "the date of Condition/ra-nodate" in r.missing
    # with no date, the duration may be 0 or 1; no joint involved: at most 0 + 3 + 1 + 1
    r = _i3(screener, record(patient(), no_date, VISIT, count(TJC68, 0), count(SJC66, 0)))
    assert r.status is Status.NOT_MET, _notes(r)


def test_an_open_joint_domain_says_what_would_close_it(study: Study, screener: Screener) -> None:
    names = Names(valuesets=frozenset(study.valuesets), anchors=frozenset({"screening"}))
    rule = parse_rule("acr_eular_2010(on=screening) >= 6", names)
    out = screener.evaluate_rule(
        rule, record(patient(), RA, VISIT, count(TJC28, 3)), dates={"screening": SCREENING}
    )
    assert out.tri is Tri.UNKNOWN
    assert any(
        "a 68/66-joint count, or the involved large and small joints" in m for m in out.missing
    ), out.missing


# --- a coordinator's entry reads as the same fact from FHIR (issue 19, point 4) ------------

ENTERED = [
    ("joints_large_involved", "0", count(LARGE, 0, rid="e0")),
    ("joints_small_involved", "2", count(SMALL, 2, rid="e1")),
    ("tender_joint_count_28", "12", count(TJC28, 12, rid="e2")),
    ("swollen_joint_count_28", "3", integer(SJC28, 3, "e3")),
    ("tender_joint_count_68", "1", count(TJC68, 1, rid="e4")),
    ("swollen_joint_count_66", "1", integer(SJC66, 1, "e5")),
]


def test_entered_counts_screen_like_the_same_counts_from_fhir(
    study: Study, screener: Screener
) -> None:
    base = record(patient(), RA, VISIT, *RF_POSITIVE, *NORMAL_APR)
    entered = tuple(
        to_fact(
            study,
            FactEntry(concept, date(2026, 2, 20), value=value, source_document="joint chart"),
            resource=f"EnteredFact/{n}",
            today=SCREENING,
        )
        for n, (concept, value, _) in enumerate(ENTERED)
    )
    for subset in ((0, 1), (2, 3), (4, 5), (0, 1, 4, 5), (2, 4, 5)):
        by_hand = replace(base, facts=(*base.facts, *(entered[i] for i in subset)))
        from_fhir = record(
            patient(), RA, VISIT, *RF_POSITIVE, *NORMAL_APR, *(ENTERED[i][2] for i in subset)
        )
        a, b = _i3(screener, by_hand), _i3(screener, from_fhir)
        assert (a.status, a.evidence[0].note) == (b.status, b.evidence[0].note), subset
