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

from omopbuild import Cdm, standard_vocab
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
        screening=date(2026, 3, 2),
        baseline=date(2026, 3, 16),
        target_knee="right",
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


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "spark"])
def test_no_node_of_the_compiled_tree_is_shared(dialect: str) -> None:
    """The compiler passes copy=False to sqlglot's builders (compiler.and_, ...): a node
    built once and placed twice would print alike but be rewritten in both places at once
    by any later transform. Every node must sit under exactly one parent."""
    study = load_study()
    cdm = Cdm(standard_vocab())
    cdm.person(1, date(1970, 1, 1), "female")
    with cdm.source() as source:
        tables = prepare_codes(source, study)
    for baseline in (date(2026, 3, 16), date(2026, 3, 2)):
        tree, _ = build_tree(
            study.criteria,
            tables,
            {n: v.unit for n, v in study.valuesets.items()},
            screening=date(2026, 3, 2),
            baseline=baseline,
            target_knee="right",
            dialect=dialect,
            study_id=study.id,
            valuesets=study.valuesets,
        )
        seen: set[int] = set()
        for node in tree.walk():
            assert id(node) not in seen, f"shared node: {node.sql(dialect)[:200]}"
            seen.add(id(node))
            for child in node.iter_expressions():
                assert child.parent is node, f"stale parent: {child.sql(dialect)[:200]}"
