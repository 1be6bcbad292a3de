"""Review findings on issue 19's readings: routes written as real systems write them (E8),
and a device's "presence of" finding whose value says absent (E16).

Study dates as in test_fact_shapes_matrix.py: screening 2026-03-02, baseline 2026-03-16.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fhirbuild import RIGHT_KNEE, cc, encounter, med_admin, obs, record
from trialdesk.clinical.routes import group_of, routes_said
from trialdesk.criteria.screening import CriterionResult, Screener, Status
from trialdesk.facts.record import Laterality

Json = dict[str, Any]
SCREENING, BASELINE = date(2026, 3, 2), date(2026, 3, 16)
VISIT = encounter("AMB", "2025-06-01", "2025-06-01", rid="visit")  # the record is supplied
TRIAMCINOLONE_INJ = "1085728"  # RxNorm triamcinolone acetonide 40 MG/ML Injectable Suspension
EDQM = "http://standardterms.edqm.eu"
PACEMAKER_IN_SITU = ("snomed", "441509002", "Cardiac pacemaker in situ")


def _run(screener: Screener, resources: tuple[Json, ...], cid: str) -> CriterionResult:
    result = screener.screen(
        record(VISIT, *resources),
        dates={"screening": SCREENING, "baseline": BASELINE},
        parameters={"target_knee": Laterality.RIGHT},
        only=(cid,),
    )
    (found,) = result.criteria
    return found


def _explain(r: CriterionResult) -> str:
    notes = " | ".join(f"{e.note} {e.resource or ''}" for e in r.evidence)
    return f"{r.criterion.id} {r.status.value}: {notes}; missing {r.missing}"


def injection(route: Json, rid: str) -> Json:
    """A triamcinolone MedicationAdministration into the right knee, its route as given."""
    res = med_admin(TRIAMCINOLONE_INJ, "2026-02-01", 40, rid=rid)
    res["dosage"]["route"] = route
    res["dosage"]["site"] = cc(RIGHT_KNEE)
    return res


# --- E8: the intra-articular route as systems write it -----------------------------------

INTRA_ARTICULAR = [
    pytest.param({"text": "Intra-articular injection"}, id="text-intra-articular-injection"),
    pytest.param({"text": "关节腔内注射"}, id="text-chinese"),
    pytest.param({"text": "INTRAARTICULAR"}, id="text-no-hyphen-upper-case"),
    pytest.param(
        {"coding": [{"system": EDQM, "code": "20013000", "display": "Intraarticular use"}]},
        id="EDQM-20013000",
    ),
    pytest.param(
        {"coding": [{"display": "Intra-articular route (qualifier value)"}]},
        id="SNOMED-display-without-code",
    ),
    pytest.param(
        {"coding": [{"system": "urn:oid:1.2.156.1", "code": "IA07"}], "text": "关节腔注射"},
        id="local-code-with-chinese-text",
    ),
]


@pytest.mark.parametrize("route", INTRA_ARTICULAR)
def test_e8_reads_the_intra_articular_route_as_written(screener: Screener, route: Json) -> None:
    r = _run(screener, (injection(route, "ia"),), "E8")
    assert r.status is Status.MET, _explain(r)
    assert any(e.resource == "MedicationAdministration/ia" for e in r.evidence), _explain(r)


@pytest.mark.parametrize(
    "route",
    [
        pytest.param({"text": "关节周围注射"}, id="chinese-periarticular"),
        pytest.param(
            {"coding": [{"system": "urn:oid:1.2.156.1", "code": "R99"}]}, id="local-code-only"
        ),
        pytest.param({"text": "injection into the knee"}, id="text-injection-into-knee"),
    ],
)
def test_e8_route_written_but_not_recognised_is_unknown_naming_it(
    screener: Screener, route: Json
) -> None:
    r = _run(screener, (injection(route, "ux"),), "E8")
    assert r.status is Status.UNKNOWN, _explain(r)
    shown = route.get("text") or route["coding"][0]["code"]
    assert any("MedicationAdministration/ux" in m and shown in m for m in r.missing), _explain(r)


@pytest.mark.parametrize(
    "route",
    [
        pytest.param({"text": "口服"}, id="chinese-oral"),
        pytest.param({"text": "Intravenous use"}, id="EDQM-display-intravenous"),
        pytest.param({"text": "IM"}, id="text-IM"),
    ],
)
def test_e8_a_known_other_route_is_not_met(screener: Screener, route: Json) -> None:
    r = _run(screener, (injection(route, "other"),), "E8")
    assert r.status is Status.NOT_MET, _explain(r)


def test_an_intra_articular_injection_is_local_not_parenteral() -> None:
    # "injection" alone says parenteral, but a named route decides first (E20, E6)
    assert group_of(["Intra-articular injection"]) == "local"
    assert group_of(["关节腔内注射"]) == "local"
    assert group_of(["injection"]) == "parenteral"
    assert group_of(["肌内注射"]) == "parenteral"
    assert routes_said(["intranasal"]) == frozenset()  # whole words only


def test_e20_intra_articular_steroid_in_words_is_not_systemic(screener: Screener) -> None:
    r = _run(screener, (injection({"text": "Intra-articular injection"}, "ia20"),), "E20")
    assert r.status is not Status.MET, _explain(r)


# --- E16: a "presence of" device finding whose value says absent -------------------------

ABSENT = [
    pytest.param({"valueCodeableConcept": cc(("snomed", "2667000", "Absent"))}, id="SNOMED-absent"),
    pytest.param({"valueBoolean": False}, id="valueBoolean-false"),
    pytest.param(
        {"interpretation": [cc(("interp", "NEG", "Negative"))]}, id="interpretation-negative"
    ),
]


@pytest.mark.parametrize("value", ABSENT)
def test_e16_device_observation_recorded_absent_is_not_met(screener: Screener, value: Json) -> None:
    finding = {**obs(PACEMAKER_IN_SITU, None, None, "2025-01-01", rid="pm-absent"), **value}
    r = _run(screener, (finding,), "E16")
    assert r.status is Status.NOT_MET, _explain(r)
    said = [e for e in r.evidence if e.resource == "Observation/pm-absent"]
    assert said and "absent" in said[0].note, _explain(r)


def test_e16_device_observation_with_no_value_is_present(screener: Screener) -> None:
    r = _run(screener, (obs(PACEMAKER_IN_SITU, None, None, "2025-01-01", rid="pm"),), "E16")
    assert r.status is Status.MET, _explain(r)


def test_e16_device_observation_true_is_present(screener: Screener) -> None:
    finding = {**obs(PACEMAKER_IN_SITU, None, None, "2025-01-01", rid="pm"), "valueBoolean": True}
    r = _run(screener, (finding,), "E16")
    assert r.status is Status.MET, _explain(r)
