"""Population feasibility on DuckDB: the compiled query against two baselines, same run.

    python benchmarks/feasibility.py --persons 1000000

Generates (once, cached under the temp folder) a synthetic OMOP CDM with `trialdesk synth`
in a child process, then measures in this process:
  - the full feasibility run (code resolution + the compiled query + attrition);
  - the scan floor: one query that reads every column the compiled query reads;
  - the per-patient evaluator on a sample of persons read through the OMOP adapter.
Prints a table, then the figures as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table

from trialdesk.criteria.screening import Screener
from trialdesk.feasibility.attrition import attrition
from trialdesk.feasibility.population import prepare_codes, screen_population
from trialdesk.feasibility.sources import open_source
from trialdesk.patients.omop import read_omop
from trialdesk.patients.record import Laterality
from trialdesk.study.loader import load_study

SCREENING, BASELINE = date(2026, 3, 2), date(2026, 3, 16)

# Every column the compiled query reads (criteria/sql/facts.py and query.py).
READ = {
    "person": "person_id, gender_concept_id, year_of_birth, month_of_birth, day_of_birth, "
    "birth_datetime",
    "condition_occurrence": "person_id, condition_concept_id, condition_source_concept_id, "
    "condition_start_date, condition_end_date, visit_occurrence_id",
    "measurement": "person_id, measurement_concept_id, measurement_source_concept_id, "
    "measurement_date, value_as_number, unit_concept_id, unit_source_value, range_high, "
    "value_as_concept_id, visit_occurrence_id",
    "observation": "person_id, observation_concept_id, observation_source_concept_id, "
    "observation_date, value_as_number, unit_concept_id, unit_source_value, "
    "value_as_concept_id, value_as_string, visit_occurrence_id",
    "drug_exposure": "person_id, drug_concept_id, drug_source_concept_id, "
    "drug_exposure_start_date, drug_exposure_end_date, quantity, days_supply, "
    "route_concept_id, visit_occurrence_id",
    "procedure_occurrence": "person_id, procedure_concept_id, procedure_source_concept_id, "
    "procedure_date, modifier_concept_id, visit_occurrence_id",
    "device_exposure": "person_id, device_concept_id, device_source_concept_id, "
    "device_exposure_start_date, device_exposure_end_date",
    "visit_occurrence": "person_id, visit_occurrence_id, visit_concept_id, "
    "visit_source_concept_id, visit_start_date, visit_end_date",
}
# HASH forces every value of every column to be read and combined.
SCAN_FLOOR = "SELECT " + ", ".join(
    f"(SELECT SUM(HASH({cols}) % 1000) FROM {table})" for table, cols in READ.items()
)


def population(persons: int, seed: int) -> Path:
    out = Path(tempfile.gettempdir()) / "trialdesk-bench" / f"omop-{persons}-{seed}"
    if not (out / "omop.duckdb").is_file():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "trialdesk.cli",
                "synth",
                "--persons",
                str(persons),
                "--seed",
                str(seed),
                "--out",
                str(out),
            ],
            check=True,
        )
    return out


def best_of(runs: int, fn: object) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sample", type=int, default=20_000, help="evaluator sample size")
    parser.add_argument(
        "--memory-limit", default="3GB", help="DuckDB memory_limit (it spills past it)"
    )
    args = parser.parse_args()
    console = Console()
    folder = population(args.persons, args.seed)
    study = load_study()
    source = open_source(str(folder / "omop.duckdb"))
    source.execute(f"SET memory_limit = '{args.memory_limit}'", {})

    def run() -> None:
        pop = screen_population(
            source, study, screening=SCREENING, baseline=BASELINE, target_knee="right"
        )
        attrition(pop)

    source.execute(SCAN_FLOOR, {})  # warm the cache for both measurements alike
    full = best_of(2, run)
    floor = best_of(3, lambda: source.execute(SCAN_FLOOR, {}))
    tables = prepare_codes(source, study)
    query_only = best_of(
        2,
        lambda: screen_population(
            source,
            study,
            screening=SCREENING,
            baseline=BASELINE,
            target_knee="right",
            tables=tables,
        ),
    )
    sample = [
        int(r["person_id"])
        for r in source.execute(
            f"SELECT person_id FROM person ORDER BY HASH(person_id) LIMIT {args.sample}", {}
        ).to_pylist()
    ]
    records = read_omop(source, sample)
    screener = Screener(study.criteria, study.valuesets, study.id)
    per_person = []
    for record in track(records, description="evaluator on the sample", console=console):
        started = time.perf_counter()
        screener.screen(
            record, screening=SCREENING, baseline=BASELINE, target_knee=Laterality.RIGHT
        )
        per_person.append(time.perf_counter() - started)
    source.close()
    evaluator = statistics.fmean(per_person)
    sql_per_person = full / args.persons
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    figures = {
        "persons": args.persons,
        "seconds_full_run": round(full, 2),
        "seconds_query_only": round(query_only, 2),
        "persons_per_second": round(args.persons / full),
        "scan_floor_seconds": round(floor, 3),
        "ratio_to_scan_floor": round(full / floor, 1),
        "evaluator_ms_per_person": round(evaluator * 1000, 3),
        "sql_us_per_person": round(sql_per_person * 1e6, 2),
        "speedup_per_person_vs_evaluator": round(evaluator / sql_per_person, 1),
        "peak_memory_gb": round(peak_gb, 2),
    }
    table = Table(title=f"Feasibility on DuckDB, {args.persons:,} persons", show_header=True)
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    targets = {
        "ratio_to_scan_floor": "<= 2",
        "speedup_per_person_vs_evaluator": ">= 200",
        "peak_memory_gb": "<= 4",
    }
    for key, value in figures.items():
        table.add_row(key, f"{value:,}", targets.get(key, ""))
    console.print(table)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
