"""The compiled SQL, per dialect, for a few criteria: golden files under tests/data/golden.

A change to the compiler shows up here as a diff a reviewer can read. Regenerate with
TRIALDESK_UPDATE_GOLDEN=1 after checking the new SQL by eye.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from omopbuild import Cdm, standard_vocab
from trialdesk.criteria.model import Criterion, Kind
from trialdesk.criteria.parser import Names, parse_rule
from trialdesk.criteria.sql.facts import fact_sources
from trialdesk.criteria.sql.query import build_query, build_tree
from trialdesk.feasibility.population import prepare_codes
from trialdesk.study.loader import load_study

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
CRITERIA = ("I2", "E8", "E10", "E15", "E24")


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "spark"])
def test_compiled_sql_matches_the_golden_file(dialect: str) -> None:
    study = load_study()
    subset = replace(
        study.criteria, criteria=tuple(c for c in study.criteria.criteria if c.id in CRITERIA)
    )
    cdm = Cdm(standard_vocab())
    cdm.person(1, date(1970, 1, 1), "female")
    # a result with a UCUM unit concept, so that the unit's reading shows (facts.unit_source)
    cdm.row(
        "measurement",
        person_id=1,
        measurement_concept_id=cdm.vocab["alt"],
        measurement_source_concept_id=0,
        measurement_date=date(2026, 3, 1),
        value_as_number=30.0,
        value_as_concept_id=0,
        unit_concept_id=cdm.vocab["unit:U/L"],
        unit_source_value="U/L",
        range_low=None,
        range_high=None,
        visit_occurrence_id=None,
    )
    with cdm.source() as source:
        tables = prepare_codes(source, study)
    query = build_query(
        subset,
        tables,
        {n: v.unit for n, v in study.valuesets.items()},
        dates={"screening": date(2026, 3, 2), "baseline": date(2026, 3, 16)},
        parameters={"target_knee": "right"},
        dialect=dialect,
        study_id=study.id,
        valuesets=study.valuesets,
    )
    pretty = sqlglot.transpile(query.sql, read=dialect, write=dialect, pretty=True)[0] + "\n"
    path = GOLDEN / f"{'-'.join(CRITERIA)}.{dialect}.sql"
    if os.environ.get("TRIALDESK_UPDATE_GOLDEN"):
        path.write_text(pretty)
    assert path.read_text() == pretty, f"compiled SQL changed: compare with {path}"
    # every placeholder the SQL uses is bound, and nothing else is (DuckDB refuses extras)
    style = {"duckdb": r"\$(\w+)", "postgres": r"%\((\w+)\)s", "spark": r":(\w+)"}[dialect]
    used = set(re.findall(style, re.sub(r"'[^']*'", "", query.sql)))
    assert used == set(query.params)
    assert query.params["target_knee"] == "right"


# Every domain function and operator, beside the study's own rules, so that a node built
# once and placed twice cannot hide in a construct the default study does not use.
EXTRA_RULES = (
    "highest(alt, within=screening_period) / lowest(ast, within=screening_period) != 1",
    "age(at=coalesce(consent, screening)) == 40",
    "age(at=screening) / 2 < 20",
    "latest(alt, within=window(consent - days(28), consent)) == 3",
    "highest(alt, within=screening_period) + lowest(ast, within=screening_period) * 2 - 1 > 3",
    "history(malignancy, within=window(consent - years(5), consent))",
    "taking(csdmard, on=coalesce(consent, screening))",
    "positive(hiv_test, within=window(consent - days(28), consent))",
    "active(rheumatoid_arthritis, on=consent)",
    "consented(by=consent + days(3))",
    "taking_since(csdmard, on=consent) <= consent - months(3)",
    "dose_changed(csdmard, within=window(consent - weeks(4), consent))",
    "highest_x_uln(alt, within=window(consent - days(28), consent)) == 2",
    "crcl_cockcroft_gault(within=screening_period) == 60",
    "bmi(within=screening_period) == 30",
    "acr_eular_2010(on=consent) == 6",
)


def _coded_cdm() -> Cdm:
    """One person with a row of every table for every concept: every code row, unit,
    consent and vaccine concept the compiler can meet."""
    vocab = standard_vocab()
    vocab.add("cvx:mmr", "CVX", "03", "MMR")
    cdm = Cdm(vocab)
    v = cdm.vocab
    cdm.person(1, date(1970, 1, 1), "female")
    day = date(2026, 2, 1)
    cdm.row("visit_occurrence", visit_occurrence_id=1, person_id=1, visit_concept_id=9201)
    for cid in list(v.ids.values()):
        cdm.row("condition_occurrence", person_id=1, condition_concept_id=cid)
        cdm.row(
            "measurement",
            person_id=1,
            measurement_concept_id=cid,
            measurement_date=day,
            unit_concept_id=v["unit:mg/dL"],
            value_as_concept_id=v["positive"],
        )
        cdm.row("observation", person_id=1, observation_concept_id=cid, unit_source_value="x")
        cdm.row("drug_exposure", person_id=1, drug_concept_id=cid, route_concept_id=v["route:oral"])
        cdm.row(
            "procedure_occurrence",
            person_id=1,
            procedure_concept_id=cid,
            modifier_concept_id=v["side:left"],
        )
        cdm.row("device_exposure", person_id=1, device_concept_id=cid)
    return cdm


def _assert_a_tree(tree: exp.Expr, dialect: str) -> None:
    seen: set[int] = set()
    for node in tree.walk():
        assert id(node) not in seen, f"shared node: {node.sql(dialect)[:200]}"
        seen.add(id(node))
        for child in node.iter_expressions():
            assert child.parent is node, f"stale parent: {child.sql(dialect)[:200]}"


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "spark"])
def test_no_node_of_the_compiled_tree_is_shared(dialect: str) -> None:
    """The compiler passes copy=False to sqlglot's builders (builders.and_, ...): a node
    built once and placed twice would print alike but be rewritten in both places at once
    by any later transform. Every node must sit under exactly one parent."""
    study = load_study()
    names = Names(
        valuesets=frozenset(study.valuesets),
        anchors=frozenset(study.participant.anchors),
        sides=frozenset(study.participant.parameters),
        windows=study.criteria.windows,
        parameters=study.criteria.parameters,
    )
    extra = tuple(
        Criterion(f"X{i}", Kind.INCLUSION, text, rule=parse_rule(text, names))
        for i, text in enumerate(EXTRA_RULES)
    )
    criteria = replace(study.criteria, criteria=(*study.criteria.criteria, *extra))
    with _coded_cdm().source() as source:
        tables = prepare_codes(source, study)
    assert tables.rows and tables.ucum_units and tables.consent_concepts and tables.cvx_concepts
    for fact_source in fact_sources(
        tables.consent_concepts, tables.cvx_concepts, tables.ucum_units
    ):
        _assert_a_tree(fact_source.select, dialect)
    for baseline in (date(2026, 3, 16), date(2026, 3, 2)):
        tree, _ = build_tree(
            criteria,
            tables,
            {n: v.unit for n, v in study.valuesets.items()},
            dates={"screening": date(2026, 3, 2), "baseline": baseline},
            parameters={"target_knee": "right"},
            dialect=dialect,
            study_id=study.id,
            valuesets=study.valuesets,
        )
        _assert_a_tree(tree, dialect)
