"""E8 over OMOP: a drug_exposure's route as a CDM carries it (a route concept named in
words, an EDQM code, a local code nobody maps) gets the same status from the compiled SQL
as from the evaluator over the same rows (the differential rule, DESIGN.md)."""

from __future__ import annotations

from datetime import date

import pytest

from omopbuild import Cdm, standard_vocab
from trialdesk.criteria.screening import Screener
from trialdesk.criteria.sql.query import STATUS_NAMES
from trialdesk.facts.record import Laterality
from trialdesk.feasibility.population import screen_population
from trialdesk.patients.omop import read_omop
from trialdesk.study.loader import Study

SCREENING, BASELINE = date(2026, 3, 2), date(2026, 3, 16)
# route concept (vocabulary, code, name) -> E8 for a triamcinolone exposure on 2026-02-01
ROUTES = [
    (("EDQM", "20013000", "Intraarticular use"), "unknown"),  # OMOP has no site: side unknown
    (("Route local", "IA07", "关节腔内注射"), "unknown"),
    (("Route local", "R99", "关节周围注射"), "unknown"),  # not recognised: route unknown
    (("SNOMED", "26643006", "Oral route"), "not_met"),
]


@pytest.fixture(scope="module")
def statuses(study: Study) -> dict[int, tuple[str, str]]:
    vocab = standard_vocab()
    cdm = Cdm(vocab)
    for pid, ((vocabulary, code, name), _) in enumerate(ROUTES, 1):
        cdm.person(pid, date(1970, 1, 1), "female")
        cdm.row(
            "drug_exposure",
            person_id=pid,
            drug_concept_id=vocab["systemic_corticosteroid"],
            drug_source_concept_id=0,
            drug_exposure_start_date=date(2026, 2, 1),
            drug_exposure_end_date=date(2026, 2, 1),
            route_concept_id=vocab.add(f"route:{code}", vocabulary, code, name),
        )
    source = cdm.source()
    try:
        dates = {"screening": SCREENING, "baseline": BASELINE}
        pop = screen_population(source, study, dates=dates, parameters={"target_knee": "right"})
        records = read_omop(source)
    finally:
        source.close()
    screener = Screener(study.criteria, study.valuesets, study.id)
    out = {}
    for i, rec in enumerate(records):
        python = screener.screen(rec, dates=dates, parameters={"target_knee": Laterality.RIGHT})
        (j,) = [j for j, c in enumerate(python.criteria) if c.criterion.id == "E8"]
        sql = STATUS_NAMES[int(pop.statuses[i, j])]
        out[int(rec.id)] = (python.criteria[j].status.value, sql)
    return out


@pytest.mark.parametrize(("pid", "expected"), [(n, e) for n, (_, e) in enumerate(ROUTES, 1)])
def test_e8_sql_and_evaluator_agree_on_routes(
    statuses: dict[int, tuple[str, str]], pid: int, expected: str
) -> None:
    python, sql = statuses[pid]
    assert (python, sql) == (expected, expected), ROUTES[pid - 1]
