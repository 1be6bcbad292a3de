"""Export the CDISC package of a simulated trial of N participants and print the figures.

    .venv/bin/python benchmarks/export.py [N]      (N defaults to 1000)
    .venv/bin/python benchmarks/export.py N --database-url URL --study FOLDER

The second form reuses a store simulated before (``trialdesk trial simulate
--participants N --database-url URL`` on the study copy in FOLDER, which it reads only)
instead of simulating N participants again; its warm-up is then the export of that
same store once, untimed.

The trial is ``trialdesk trial simulate --participants N`` (benchmarks/simulate.py's
study copy with N places, its seed and date), simulated into a temporary SQLite store
first (not timed). Then, timed in process after a warm-up (the export of a 2-participant
trial: imports, the CT subset, the Define-XML schema and stylesheet, which a run of the
command loads once; their cost is printed apart):

* the export as ``trialdesk export sdtm`` and ``export adam`` do it (reports/cdisc/export.py):
  reading the store (the extract), building the SDTM domains, writing them as XPT with
  define.xml and define.html, deriving ADaM from the same SDTM and writing it likewise;
* the floor, measured in the same run: pyreadstat alone writing the same frames (the
  pandas DataFrames of every dataset the export wrote, built beforehand) to XPT v5;
* the ratio export / floor, beside issue 16's target (export <= 3x the floor), for the
  whole export and for the part after the store read; then every figure as one JSON line.

Nothing here asserts: figures change with the machine, so tests never time anything.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pyreadstat
from rich.console import Console

sys.path.insert(0, str(Path(__file__).parent))
from simulate import AS_OF, SEED, STUDY, with_target  # noqa: E402  (benchmarks/simulate.py)

from trialdesk.reports.cdisc.dataset import Dataset, _frame  # noqa: E402  (the frame write_xpt writes)
from trialdesk.reports.cdisc.export import Package, write_adam, write_sdtm  # noqa: E402
from trialdesk.reports.cdisc.sdtm.package import sdtm_datasets  # noqa: E402
from trialdesk.reports.cdisc.sdtm.source import SdtmSource, source_of  # noqa: E402
from trialdesk.study.loader import Study, load_study  # noqa: E402
from trialdesk.trial.review.extract import trial_extract  # noqa: E402
from trialdesk.trial.simulate.run import simulate  # noqa: E402
from trialdesk.trial.store.db import open_store  # noqa: E402

TARGET_N, TARGET_RATIO = 1000, 3.0  # issue 16: export <= 3x pyreadstat alone, at N=1000
FLOOR_RUNS = 3  # the floor is short: its best of three
WARM_UP_N = 2
console = Console()
T = TypeVar("T")


def timed(what: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = what()
    return result, time.perf_counter() - started


def simulated(study: Study, n: int, folder: Path) -> str:
    url = f"sqlite:///{folder / f'trial-{n}.db'}"
    store = open_store(url)
    try:
        simulate(store, study, participants=n, seed=SEED, as_of=AS_OF)
    finally:
        store.close()
    return url


def read_source(study: Study, url: str) -> SdtmSource:
    store = open_store(url)
    try:
        with store.read() as session:
            extract = trial_extract(session, study)
    finally:
        store.close()
    return source_of(study, extract, created=datetime.now(UTC))


def floor(datasets: list[Dataset], out: Path) -> tuple[float, float]:
    """pyreadstat alone writing the frames of ``datasets`` (built before the clock starts),
    with the labels and names write_xpt gives it: wall and CPU seconds, the best of
    FLOOR_RUNS each."""
    frames = [(d, _frame(d)) for d in datasets]
    out.mkdir(parents=True, exist_ok=True)
    best, best_cpu = float("inf"), float("inf")
    for _ in range(FLOOR_RUNS):
        started, cpu = time.perf_counter(), time.process_time()
        for d, frame in frames:
            pyreadstat.write_xport(
                frame, str(out / f"{d.name.lower()}.xpt"), file_label=d.label,
                column_labels=[v.label for v in d.variables], table_name=d.name,
                file_format_version=5,
            )  # fmt: skip
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best, best_cpu


def export(study: Study, url: str, out: Path) -> tuple[dict[str, float], Package, Package]:
    """The export's stages, timed (wall seconds; "cpu" the CPU seconds of them all)."""
    cpu = time.process_time()
    source, read_s = timed(lambda: read_source(study, url))
    sdtm, build_s = timed(lambda: sdtm_datasets(source))
    tabulation, sdtm_s = timed(
        lambda: write_sdtm(source, out / "sdtm", format="xpt", datasets=sdtm)
    )
    analysis, adam_s = timed(lambda: write_adam(source, out / "adam", format="xpt", sdtm=sdtm))
    seconds = {
        "read_store": read_s,
        "build_sdtm": build_s,
        "write_sdtm_and_define": sdtm_s,
        "adam_build_write_and_define": adam_s,
        "cpu": time.process_time() - cpu,
    }
    return seconds, tabulation, analysis


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time the CDISC export of a simulated trial.")
    parser.add_argument("n", nargs="?", type=int, default=TARGET_N, help="participants")
    parser.add_argument("--database-url", help="reuse this simulated store (not simulated)")
    parser.add_argument("--study", type=Path, help="the study folder the store was made with")
    args = parser.parse_args()
    if (args.database_url is None) != (args.study is None):
        parser.error("--database-url and --study go together")
    return args


def main() -> None:
    args = arguments()
    n: int = args.n
    with tempfile.TemporaryDirectory(prefix="trialdesk-export-") as tmp:
        folder = Path(tmp)
        if args.database_url is not None:
            study = load_study(str(args.study))
            url, simulate_s = args.database_url, 0.0
            console.print(f"warm-up: the export of {url} once ...", highlight=False)
            _, warm_up_s = timed(lambda: export(study, url, folder / "warm"))
        else:
            study = with_target(load_study(STUDY).folder, max(n, WARM_UP_N), folder)
            console.print(f"warm-up: {WARM_UP_N} participants ...", highlight=False)
            warm = simulated(study, WARM_UP_N, folder)
            _, warm_up_s = timed(lambda: export(study, warm, folder / "warm"))
            console.print(f"simulating {n} participants (not timed) ...", highlight=False)
            url, simulate_s = timed(lambda: simulated(study, n, folder))
        console.print("exporting SDTM and ADaM (XPT, define.xml) ...", highlight=False)
        seconds, tabulation, analysis = export(study, url, folder / "out")
        written = [w.dataset for w in tabulation.written + analysis.written]
        floor_s, floor_cpu = floor(written, folder / "floor")
    cpu = seconds.pop("cpu")
    total = sum(seconds.values())
    after_read = total - seconds["read_store"]
    records = {
        "sdtm": sum(len(w.dataset.rows) for w in tabulation.written),
        "adam": sum(len(w.dataset.rows) for w in analysis.written),
    }
    subjects = len(next(w.dataset for w in tabulation.written if w.dataset.name == "DM").rows)
    console.print(
        f"{n} participants ({subjects} subjects in DM): {len(tabulation.written)} SDTM datasets "
        f"({records['sdtm']} records), {len(analysis.written)} ADaM datasets "
        f"({records['adam']} records); simulated in {simulate_s:.1f} s"
        + (" (a store reused)" if args.database_url else ""),
        highlight=False,
    )
    for stage, s in seconds.items():
        console.print(f"  {stage:<28} {s:8.2f} s", highlight=False)
    console.print(f"  {'export, total':<28} {total:8.2f} s", highlight=False)
    console.print(
        f"  floor: pyreadstat alone, the same {len(written)} frames: {floor_s:.2f} s "
        f"(best of {FLOOR_RUNS})",
        highlight=False,
    )
    ratio, ratio_after, ratio_cpu = total / floor_s, after_read / floor_s, cpu / floor_cpu
    console.print(
        f"  export / floor: {ratio:.1f}x (from the store); {ratio_after:.1f}x (after the "
        f"store read); target <= {TARGET_RATIO:.0f}x at N={TARGET_N}",
        highlight=False,
    )
    console.print(
        f"  CPU seconds (steadier on a busy machine): export {cpu:.2f} s, floor "
        f"{floor_cpu:.2f} s: {ratio_cpu:.1f}x",
        highlight=False,
    )
    console.print(
        f"  (warm-up, once a process: the export of "
        f"{'the same store' if args.database_url else f'{WARM_UP_N} participants'} took "
        f"{warm_up_s:.2f} s)",
        highlight=False,
    )
    figures: dict[str, Any] = {
        "n": n,
        "as_of": AS_OF.isoformat(),
        "seed": SEED,
        "subjects": subjects,
        "records": records,
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "export_seconds": round(total, 3),
        "floor_seconds": round(floor_s, 3),
        "ratio": round(ratio, 2),
        "ratio_after_read": round(ratio_after, 2),
        "export_cpu_seconds": round(cpu, 3),
        "floor_cpu_seconds": round(floor_cpu, 3),
        "ratio_cpu": round(ratio_cpu, 2),
        "warm_up_seconds": round(warm_up_s, 3),
        "machine": platform.platform(),
        "python": platform.python_version(),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
