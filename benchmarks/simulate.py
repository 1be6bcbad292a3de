"""Simulate a trial of N participants into a temporary SQLite store and print the figures.

    .venv/bin/python benchmarks/simulate.py [N]      (N defaults to 1000)

What ``trialdesk trial simulate --participants N`` does (the same ``simulate()``, without
the progress bar), timed in process after a warm-up (imports, the UCUM registry, the
study's screener), then:

* the wall and CPU time, participants/s, form saves/s and audit entries/s;
* a baseline run of 50 participants in the same process and the time per participant at
  50 and at N, with their ratio (near 1: the cost grows linearly with N);
* the target beside the figure, then every figure as one JSON line, last.

NCT06947746 has 15 places (its ctgov.json): the runs use a copy of its study folder in a
temporary folder whose registry record says N places. A copy, not a ``--target`` option
of the command, because the target is the registry's number the enrolment service
enforces (and stores on the site's row): an option would let a demo store disagree with
the study the web app shows, and a copy keeps the change visible and inside this script.

Nothing here asserts: figures change with the machine, so tests never time anything.
"""

from __future__ import annotations

import json
import platform
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import func, select

from trialdesk.clinical.units import convert
from trialdesk.study.loader import Study, load_study
from trialdesk.trial.simulate.run import simulate
from trialdesk.trial.store.db import open_store
from trialdesk.trial.store.models import AuditRecord

STUDY = "NCT06947746"
AS_OF = date(2026, 11, 30)  # fixed, so runs on any day simulate the same trial
SEED = 1
BASELINE_N = 50
TARGET_N, TARGET_S = 1000, 120.0  # issue 13: --participants 1000 under 2 minutes

console = Console()


def with_target(folder: Path, places: int, into: Path) -> Study:
    """A copy of a study folder whose registry record has ``places`` places."""
    copy = into / f"{folder.name}-{places}"
    shutil.copytree(folder, copy)
    record = json.loads((copy / "ctgov.json").read_text(encoding="utf-8"))
    record["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = places
    (copy / "ctgov.json").write_text(json.dumps(record), encoding="utf-8")
    return load_study(str(copy))


def run(study: Study, n: int, folder: Path) -> dict[str, Any]:
    store = open_store(f"sqlite:///{folder / f'trial-{n}.db'}")
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        result = simulate(store, study, participants=n, seed=SEED, as_of=AS_OF)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        with store.read() as session:
            audited = session.scalar(select(func.count()).select_from(AuditRecord)) or 0
    finally:
        store.close()
    t = result.tally
    return {
        "participants": t.enrolled,
        "candidates": t.candidates,
        "forms": t.forms,
        "visits": t.visits,
        "audit_entries": audited,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "participants_per_s": round(t.enrolled / wall, 2),
        "forms_per_s": round(t.forms / wall, 1),
        "audit_entries_per_s": round(audited / wall, 1),
        "ms_per_participant": round(1000 * wall / t.enrolled, 1),
    }


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else TARGET_N
    bundled = load_study(STUDY)
    bundled.screener  # noqa: B018 - warm-up: the screener's code tables
    convert(1.0, "g/L", "g/dL")  # warm-up: the UCUM registry the screening facts convert with
    with tempfile.TemporaryDirectory(prefix="trialdesk-simulate-") as tmp:
        folder = Path(tmp)
        study = with_target(bundled.folder, max(n, BASELINE_N), folder)
        study.screener  # noqa: B018
        console.print(f"baseline: {BASELINE_N} participants ...", highlight=False)
        base = run(study, BASELINE_N, folder)
        console.print(f"run: {n} participants ...", highlight=False)
        main_run = run(study, n, folder)
    ratio = main_run["ms_per_participant"] / base["ms_per_participant"]
    console.print(
        f"{main_run['participants']} participants ({main_run['candidates']} candidates, "
        f"{main_run['visits']} visits, {main_run['forms']} forms, "
        f"{main_run['audit_entries']} audit entries) in {main_run['seconds']} s "
        f"(CPU {main_run['cpu_seconds']} s)",
        highlight=False,
    )
    console.print(
        f"  {main_run['participants_per_s']} participants/s, {main_run['forms_per_s']} form "
        f"saves/s, {main_run['audit_entries_per_s']} audit entries/s",
        highlight=False,
    )
    console.print(
        f"  per participant: {main_run['ms_per_participant']} ms at {n}, "
        f"{base['ms_per_participant']} ms at {BASELINE_N}: ratio {ratio:.2f} "
        "(1.00: linear in N)",
        highlight=False,
    )
    if n == TARGET_N:
        met = "met" if main_run["seconds"] < TARGET_S else "NOT met"
        console.print(f"  target: {TARGET_N} participants under {TARGET_S:.0f} s: {met}")
    figures = {
        "n": n,
        "as_of": AS_OF.isoformat(),
        "seed": SEED,
        "run": main_run,
        "baseline": base,
        "per_participant_ratio": round(ratio, 3),
        "machine": platform.platform(),
        "python": platform.python_version(),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
