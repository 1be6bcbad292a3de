"""The week-24 report's time on a simulated trial; prints figures.

    .venv/bin/python benchmarks/week24.py [N]      (N defaults to 1000)
    .venv/bin/python benchmarks/week24.py N --database-url URL --study FOLDER

(the second form reuses a store simulated before on the study copy in FOLDER, read only,
instead of simulating N participants again)

``trial simulate`` of N participants (a copy of the study folder with N places:
benchmarks/simulate.py says why), then, each timed once: the store read and the SDTM and
ADaM derivation (reports/week24/build.read_inputs), the report's tables and figures
(week24_report), and its HTML, JSON and PDF. Target (issue 16): the report under 10 s for
N = 1000. Nothing here asserts: figures change with the machine.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from simulate import AS_OF, SEED, with_target  # benchmarks/simulate.py, beside this file

from trialdesk.reports.week24.build import read_inputs
from trialdesk.reports.week24.html import report_html
from trialdesk.reports.week24.pdf import report_pdf
from trialdesk.reports.week24.report import report_json, week24_report
from trialdesk.study.loader import load_study
from trialdesk.trial.simulate.run import simulate
from trialdesk.trial.store.db import open_store


def main(n: int, database_url: str | None = None, folder: Path | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if database_url is not None and folder is not None:
            study = load_study(str(folder))
            store = open_store(database_url)
            simulated = 0.0  # a store simulated before, reused
        else:
            study = with_target(load_study("NCT06947746").folder, n, Path(tmp))
            store = open_store(f"sqlite:///{Path(tmp) / 'trial.db'}")
            started = time.perf_counter()
            simulate(store, study, participants=n, seed=SEED, as_of=AS_OF)
            simulated = time.perf_counter() - started
        cut = datetime.now(UTC)
        figures: dict[str, float] = {"participants": n, "simulate_s": round(simulated, 1)}
        t0 = time.perf_counter()
        with store.read() as session:
            sdtm, adam, consort = read_inputs(session, study, cut)
        t1 = time.perf_counter()
        report = week24_report(study, adam, data_cut=cut, consort=consort)
        t2 = time.perf_counter()
        html = report_html(report, "en")
        t3 = time.perf_counter()
        data = json.dumps(report_json(report))
        t4 = time.perf_counter()
        png = week24_report(study, adam, data_cut=cut, consort=consort, png=True)
        pdf = report_pdf(png, "en")
        t5 = time.perf_counter()
        store.close()
        figures |= {
            "read_sdtm_adam_s": round(t1 - t0, 2),
            "tables_and_figures_s": round(t2 - t1, 2),
            "html_s": round(t3 - t2, 2),
            "json_s": round(t4 - t3, 2),
            "pdf_with_png_figures_s": round(t5 - t4, 2),
            "report_html_total_s": round(t3 - t0, 2),
            "adsl_rows": len(adam["ADSL"].rows),
            "adlb_rows": len(adam["ADLB"].rows) if "ADLB" in adam else 0,
            "html_mb": round(len(html) / 1e6, 2),
            "json_mb": round(len(data) / 1e6, 2),
            "pdf_mb": round(len(pdf) / 1e6, 2),
        }
        for key, value in figures.items():
            print(f"{key:>24}: {value}")
        print(json.dumps(figures))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Time the week-24 report of a simulated trial.")
    parser.add_argument("n", nargs="?", type=int, default=1000, help="participants")
    parser.add_argument("--database-url", help="reuse this simulated store (not simulated)")
    parser.add_argument("--study", type=Path, help="the study folder the store was made with")
    args = parser.parse_args()
    if (args.database_url is None) != (args.study is None):
        parser.error("--database-url and --study go together")
    main(args.n, args.database_url, args.study)
