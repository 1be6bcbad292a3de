"""What define.xml's value-level metadata costs: the SDTM define.xml of a simulated trial
of N participants built, validated and rendered with and without it; prints the figures.

    .venv/bin/python benchmarks/define_value_level.py [N]      (N defaults to 15)

The trial is ``trialdesk trial simulate --participants N`` (benchmarks/simulate.py's
study copy, seed and date) in a temporary SQLite store, its SDTM domains built once (not
timed). Then, after a warm-up (the schema and the stylesheet load once per process), each
of the two variants three times, best of three per stage: build (the odmlib document, the
value lists measured from every row), to_xml, validate (the Define-XML 2.1 XSD through
xmlschema) and render (define.html through CDISC's stylesheet), with the document's size
and the number of value-level ItemRefs. "without" replaces value_level() by an empty one.
The value lists grow with the tests the forms define, not with N (build reads every
result once more). Every figure is printed as one JSON line, last.

Nothing here asserts: figures change with the machine, so tests never time anything.
"""

from __future__ import annotations

import json
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from simulate import AS_OF, SEED, STUDY, with_target  # noqa: E402  (benchmarks/simulate.py)

import trialdesk.reports.cdisc.define.build as build  # noqa: E402
from trialdesk.reports.cdisc.dataset import Dataset  # noqa: E402
from trialdesk.reports.cdisc.define import render_html, to_xml, validate_define  # noqa: E402
from trialdesk.reports.cdisc.define.value_level import ValueLevel, value_level  # noqa: E402
from trialdesk.reports.cdisc.sdtm.package import sdtm_datasets  # noqa: E402
from trialdesk.reports.cdisc.sdtm.source import source_of  # noqa: E402
from trialdesk.study.loader import Study, load_study  # noqa: E402
from trialdesk.trial.review.extract import trial_extract  # noqa: E402
from trialdesk.trial.simulate.run import simulate  # noqa: E402
from trialdesk.trial.store.db import open_store  # noqa: E402

RUNS = 3


def _datasets(n: int, folder: Path) -> tuple[Study, list[Dataset]]:
    (folder / "study").mkdir()
    study = with_target(load_study(STUDY).folder, n, folder / "study")
    store = open_store(f"sqlite:///{folder / 'trial.db'}")
    try:
        simulate(store, study, participants=n, seed=SEED, as_of=AS_OF)
        with store.read() as session:
            extract = trial_extract(session, study)
    finally:
        store.close()
    datasets = sdtm_datasets(source_of(study, extract, created=datetime.now(UTC)))
    return study, [d for d in datasets if d.rows or d.name == "DM"]


def _stages(study: Study, datasets: list[Dataset]) -> dict[str, Any]:
    times: dict[str, float] = {}
    t = time.perf_counter()
    document = build.build_define(datasets, study=study)
    times["build"] = time.perf_counter() - t
    t = time.perf_counter()
    xml = to_xml(document)
    times["to_xml"] = time.perf_counter() - t
    t = time.perf_counter()
    validate_define(xml)
    times["validate"] = time.perf_counter() - t
    t = time.perf_counter()
    render_html(xml)
    times["render"] = time.perf_counter() - t
    return {
        "times": times,
        "bytes": len(xml.encode("utf-8")),
        "refs": xml.count("<def:WhereClauseRef"),
    }


def _variant(study: Study, datasets: list[Dataset], *, with_values: bool) -> dict[str, Any]:
    build.value_level = value_level if with_values else (lambda d, c: ValueLevel())  # type: ignore[assignment]
    try:
        runs = [_stages(study, datasets) for _ in range(RUNS)]
    finally:
        build.value_level = value_level
    best = {k: min(r["times"][k] for r in runs) for k in runs[0]["times"]}
    return {**{f"{k}_s": round(v, 3) for k, v in best.items()},
            "total_s": round(sum(best.values()), 3), "bytes": runs[0]["bytes"],
            "value_level_refs": runs[0]["refs"]}  # fmt: skip


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with tempfile.TemporaryDirectory() as tmp:
        study, datasets = _datasets(n, Path(tmp))
        _stages(study, datasets)  # warm-up: the XSD and the stylesheet load once
        figures = {
            "participants": n,
            "records": sum(len(d.rows) for d in datasets),
            "without": _variant(study, datasets, with_values=False),
            "with": _variant(study, datasets, with_values=True),
            "python": platform.python_version(),
        }
    for variant in ("without", "with"):
        f = figures[variant]
        print(f"{variant:>8}: build {f['build_s']:.2f} s, to_xml {f['to_xml_s']:.2f} s, "
              f"validate {f['validate_s']:.2f} s, render {f['render_s']:.2f} s; "
              f"total {f['total_s']:.2f} s, {f['bytes']:,} bytes, "
              f"{f['value_level_refs']} value-level ItemRefs")  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
