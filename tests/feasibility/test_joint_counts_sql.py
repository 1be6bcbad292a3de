"""I3's joint domain over OMOP: the compiled SQL and the evaluator agree (issue 19, point 2).

Joint counts reach a CDM as measurement or observation rows (LOINC 88981-6/88980-8, the
site's own codes), with a {#} unit concept, no unit, or a unit that is not a count. Each
generated person is screened twice, by the SQL over the CDM and by the evaluator over the
same rows read through the OMOP adapter, on I3 and on rules that probe the score's lower
and upper ends (``acr_eular_2010(on=screening) >= k``): both ends must agree, not only
I3's status, which reads the upper end alone.
"""

from __future__ import annotations

import os
import random
import shutil
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omopbuild import Cdm, Vocab, standard_vocab
from trialdesk.criteria.model import Criterion, Kind
from trialdesk.criteria.parser import Names, parse_rule
from trialdesk.criteria.screening import Screener
from trialdesk.criteria.sql.query import STATUS_NAMES
from trialdesk.feasibility.population import screen_population
from trialdesk.feasibility.sources import load_into_postgres, open_source
from trialdesk.patients.omop import read_omop
from trialdesk.study.loader import Study, load_study

SCREENING, BASELINE = date(2026, 3, 2), date(2026, 3, 16)
JOINT_SETS = [
    "tender_joint_count_28",
    "swollen_joint_count_28",
    "tender_joint_count_68",
    "swollen_joint_count_66",
    "joints_large_involved",
    "joints_small_involved",
]
# days from screening: the 3-month window starts 90 days before (2025-12-02)
OFFSETS = [-120, -91, -90, -60, -10, 0, 1]
VALUES = [0, 1, 2, 3, 4, 6, 7, 10, 11, 12, 30, 2.5, 67]


def _study() -> Study:
    study = load_study()
    names = Names(valuesets=frozenset(study.valuesets), anchors=frozenset({"screening"}))
    probes = tuple(
        Criterion(f"X{k}", Kind.INCLUSION, f"score >= {k}", rule=parse_rule(rule, names))
        for k, rule in ((k, f"acr_eular_2010(on=screening) >= {k}") for k in range(1, 11))
    )
    i3 = next(c for c in study.criteria.criteria if c.id == "I3")
    return replace(study, criteria=replace(study.criteria, criteria=(i3, *probes)))


STUDY = _study()
SCREENER = Screener(STUDY.criteria, STUDY.valuesets, STUDY.id)


def _vocab() -> Vocab:
    v = standard_vocab()
    v.add("unit:{#}", "UCUM", "{#}", "{#}")
    return v


VOCAB = _vocab()


def _row(cdm: Cdm, pid: int, vs: str, value: float | None, day: date, **kw: Any) -> None:
    table = kw.pop("table", "measurement")
    cdm.row(
        table,
        person_id=pid,
        **{f"{table}_concept_id": VOCAB[vs], f"{table}_source_concept_id": 0},
        **{f"{table}_date": day},
        value_as_number=value,
        value_as_concept_id=kw.pop("result", 0),
        unit_concept_id=kw.pop("unit", 0),
        unit_source_value=None,
        **(
            {"range_low": None, "range_high": kw.pop("high", None)}
            if table == "measurement"
            else {}
        ),
        visit_occurrence_id=None,
    )


@st.composite
def person(draw: Any, pid: int, cdm: Cdm) -> None:
    cdm.person(pid, date(1970, 1, 1), "female")
    onset = draw(st.sampled_from([None, date(2019, 1, 1), SCREENING - timedelta(days=30)]))
    if onset is not None:
        cdm.row(
            "condition_occurrence",
            person_id=pid,
            condition_concept_id=VOCAB["rheumatoid_arthritis"],
            condition_source_concept_id=0,
            condition_start_date=onset,
            condition_end_date=None,
            visit_occurrence_id=None,
        )
    for vs in ("rheumatoid_factor", "anti_ccp"):
        result = draw(st.sampled_from([None, "positive", "negative"]))
        if result is not None:
            _row(cdm, pid, vs, None, SCREENING - timedelta(days=20), result=VOCAB[result])
    if draw(st.booleans()):
        value = float(draw(st.sampled_from([2, 12])))
        _row(
            cdm,
            pid,
            "crp",
            value,
            SCREENING - timedelta(days=20),
            unit=VOCAB["unit:mg/L"],
            high=5.0,
        )
    for _ in range(draw(st.integers(0, 6))):
        _row(
            cdm,
            pid,
            draw(st.sampled_from(JOINT_SETS)),
            float(draw(st.sampled_from(VALUES))),
            SCREENING + timedelta(days=draw(st.sampled_from(OFFSETS))),
            unit=draw(st.sampled_from([0, VOCAB["unit:{#}"], VOCAB["unit:mg/dL"]])),
            table=draw(st.sampled_from(["measurement", "observation"])),
        )


@st.composite
def populations(draw: Any) -> Cdm:
    cdm = Cdm(VOCAB)
    for pid in range(1, draw(st.integers(1, 8)) + 1):
        draw(person(pid, cdm))
    return cdm


def statuses(cdm: Cdm) -> list[tuple[str, str, str, str]]:
    """(person, criterion, python status, sql status) for every person and criterion."""
    source = cdm.source()
    try:
        dates = {"screening": SCREENING, "baseline": BASELINE}
        pop = screen_population(source, STUDY, dates=dates, parameters={"target_knee": "right"})
        records = read_omop(source)
    finally:
        source.close()
    out = []
    for i, rec in enumerate(records):
        result = SCREENER.screen(rec, dates=dates, parameters={"target_knee": None})
        for j, c in enumerate(result.criteria):
            sql = STATUS_NAMES[int(pop.statuses[i, j])]
            out.append((rec.id, c.criterion.id, c.status.value, sql))
    return out


@settings(
    max_examples=int(os.environ.get("TRIALDESK_DIFF_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(populations())
def test_sql_and_evaluator_agree_on_the_joint_domain(cdm: Cdm) -> None:
    assert [s for s in statuses(cdm) if s[2] != s[3]] == []


# One person per case: (rows as (value set, value, days from screening), I3 by both paths).
CASES: list[tuple[str, list[tuple[str, float, int]], str]] = [
    ("no-count", [], "met"),
    (
        "68-66-two-joints",
        [("tender_joint_count_68", 1, -10), ("swollen_joint_count_66", 1, -10)],
        "not_met",
    ),
    (
        "68-66-four-joints",
        [("tender_joint_count_68", 2, -10), ("swollen_joint_count_66", 2, -10)],
        "met",
    ),
    (
        "acr-2-small",
        [("joints_large_involved", 0, -10), ("joints_small_involved", 2, -10)],
        "not_met",
    ),
    ("acr-4-small", [("joints_large_involved", 0, -10), ("joints_small_involved", 4, -10)], "met"),
    (
        "older-exam-not-read",
        [
            ("tender_joint_count_28", 3, -60),
            ("tender_joint_count_68", 0, -10),
            ("swollen_joint_count_66", 0, -10),
        ],
        "not_met",
    ),
    (
        "window-edge-read",
        [("tender_joint_count_68", 0, -90), ("swollen_joint_count_66", 0, -90)],
        "not_met",
    ),
    (
        "before-window",
        [("tender_joint_count_68", 0, -91), ("swollen_joint_count_66", 0, -91)],
        "met",
    ),
    ("not-whole", [("tender_joint_count_68", 2.5, -10), ("swollen_joint_count_66", 0, -10)], "met"),
    (
        "contradiction",
        [
            ("tender_joint_count_28", 12, -10),
            ("tender_joint_count_68", 1, -10),
            ("swollen_joint_count_66", 0, -10),
        ],
        "met",
    ),
]


@pytest.fixture(scope="module")
def case_statuses() -> dict[str, dict[str, tuple[str, str]]]:
    cdm = Cdm(VOCAB)
    for pid, (_, rows, _) in enumerate(CASES, 1):
        cdm.person(pid, date(1970, 1, 1), "female")
        cdm.row(
            "condition_occurrence",
            person_id=pid,
            condition_concept_id=VOCAB["rheumatoid_arthritis"],
            condition_source_concept_id=0,
            condition_start_date=date(2019, 1, 1),
            condition_end_date=None,
            visit_occurrence_id=None,
        )
        # RF positive (2 points), anti-CCP negative, CRP normal: score = joints + 3
        _row(
            cdm,
            pid,
            "rheumatoid_factor",
            None,
            SCREENING - timedelta(days=20),
            result=VOCAB["positive"],
        )
        _row(cdm, pid, "anti_ccp", None, SCREENING - timedelta(days=20), result=VOCAB["negative"])
        _row(
            cdm, pid, "crp", 2.0, SCREENING - timedelta(days=20), unit=VOCAB["unit:mg/L"], high=5.0
        )
        for vs, value, offset in rows:
            _row(
                cdm,
                pid,
                vs,
                float(value),
                SCREENING + timedelta(days=offset),
                unit=VOCAB["unit:{#}"],
            )
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for pid, criterion, python, sql in statuses(cdm):
        out.setdefault(CASES[int(pid) - 1][0], {})[criterion] = (python, sql)
    return out


@pytest.mark.parametrize(
    ("name", "expected"), [(c[0], c[2]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_case_gets_the_same_status_from_both(
    case_statuses: dict[str, dict[str, tuple[str, str]]], name: str, expected: str
) -> None:
    found = case_statuses[name]
    assert found["I3"] == (expected, expected)
    assert all(python == sql for python, sql in found.values()), found


# --- the same SQL on PostgreSQL and Spark (the GREATEST/LEAST of absent counts) ------------

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _case_cdm_files(tmp: Path) -> tuple[Path, Path]:
    """The population of ``_mixed_cdm`` as a DuckDB file and a Parquet folder."""
    source = _mixed_cdm().source()
    con = source._con  # noqa: SLF001 - a test CDM, written out for the other engines
    con.execute(f"ATTACH '{tmp / 'omop.duckdb'}' AS f")
    (tmp / "omop").mkdir()
    tables = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'memory'"
    ).fetchall()
    for (table,) in tables:
        con.execute(f"CREATE TABLE f.{table} AS SELECT * FROM memory.{table}")
        con.execute(f"COPY memory.{table} TO '{tmp / 'omop' / table}.parquet' (FORMAT PARQUET)")
    con.execute("DETACH f")
    source.close()
    return tmp / "omop.duckdb", tmp / "omop"


def _mixed_cdm() -> Cdm:
    """200 people with every mix of joint counts, serology and history (seeded)."""
    rng = random.Random(5)
    cdm = Cdm(VOCAB)
    for pid in range(1, 201):
        cdm.person(pid, date(1970, 1, 1), "female")
        if rng.random() < 0.8:
            cdm.row(
                "condition_occurrence",
                person_id=pid,
                condition_concept_id=VOCAB["rheumatoid_arthritis"],
                condition_source_concept_id=0,
                condition_start_date=date(2019, 1, 1),
                condition_end_date=None,
                visit_occurrence_id=None,
            )
        for vs in ("rheumatoid_factor", "anti_ccp"):
            result = rng.choice([None, "positive", "negative"])
            if result:
                _row(cdm, pid, vs, None, SCREENING - timedelta(days=20), result=VOCAB[result])
        for _ in range(rng.randint(0, 6)):
            _row(
                cdm,
                pid,
                rng.choice(JOINT_SETS),
                float(rng.choice(VALUES)),
                SCREENING + timedelta(days=rng.choice(OFFSETS)),
                unit=rng.choice([0, VOCAB["unit:{#}"], VOCAB["unit:mg/dL"]]),
                table=rng.choice(["measurement", "observation"]),
            )
    return cdm


@pytest.mark.parametrize("engine", ["postgres", "spark"])
def test_other_engines_give_the_same_statuses(tmp_path: Path, engine: str) -> None:
    dates = {"screening": SCREENING, "baseline": BASELINE}
    params = {"target_knee": "right"}
    duckdb_file, parquet = _case_cdm_files(tmp_path)
    with open_source(str(duckdb_file)) as source:
        expected = screen_population(source, STUDY, dates=dates, parameters=params)
    if engine == "postgres":
        psycopg = pytest.importorskip("psycopg")
        try:
            psycopg.connect(PG_URL, connect_timeout=3).close()
        except psycopg.OperationalError as exc:
            pytest.skip(f"PostgreSQL unreachable at {PG_URL}: {exc}")
        load_into_postgres(duckdb_file, PG_URL, "td_joint_counts")
        opened = open_source(PG_URL, schema="td_joint_counts")
    else:
        pytest.importorskip("pyspark")
        if shutil.which("java") is None:
            pytest.skip("no Java runtime: Spark cannot start")
        opened = open_source(str(parquet), engine="spark")
    with opened as source:
        found = screen_population(source, STUDY, dates=dates, parameters=params)
    assert (found.person_ids == expected.person_ids).all()
    assert (found.statuses == expected.statuses).all()
    # the population reaches every status on I3 and on the probes of both ends
    assert {int(s) for s in expected.statuses.ravel()} == {0, 1, 2}
