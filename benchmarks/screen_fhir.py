"""Screen the 617 Synthea FHIR R4 bundles for the default study and print the figures.

    .venv/bin/python benchmarks/screen_fhir.py [--data TARBALL] [--no-cli]

The archive (../shared/data/synthea-fhir-r4/R4_SYNTHEA_617_bundles.tar.xz) is extracted
once into a cache folder under the system temp folder; later runs reuse it. The script
prints:

* patients per second, in process (reading + screening);
* the time spent reading FHIR (``read_fhir_bytes``) and evaluating (``Screener.screen``),
  with the median and p95 evaluation time per patient;
* a baseline run in the same process: bare ``orjson.loads`` of the same bytes, and the
  ratios of reading and evaluation to it;
* the verdict tally;
* the wall time of the whole CLI (``trialdesk screen DIR --format json``) in a subprocess;
* the targets beside the figures, then every figure as one JSON line, last.

Nothing here asserts: figures change with the machine, so tests never time anything.
When the data is absent the script prints ``skipped: ...`` and exits 0.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from trialdesk.criteria.screening import Screener
from trialdesk.facts.record import PatientRecord
from trialdesk.patients.fhir import read_fhir_bytes
from trialdesk.study.loader import load_study

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "synthea-fhir-r4" / "R4_SYNTHEA_617_bundles.tar.xz"

STUDY = "NCT06947746"
SCREENING = date(2019, 6, 1)  # Synthea's records end around 2019-2020
BASELINE = SCREENING + timedelta(days=14)  # the CLI's default when no baseline is given

TARGET_EVAL_MEDIAN_MS = 5.0
TARGET_CLI_S = 60.0

console = Console()


# --- data --------------------------------------------------------------------------------


def cache_dir(tarball: Path) -> Path:
    """The extracted copy of one archive (keyed by its name, size and mtime)."""
    st = tarball.stat()
    key = f"{tarball.name.split('.')[0]}-{st.st_size}-{int(st.st_mtime)}"
    return Path(tempfile.gettempdir()) / "trialdesk-bench" / key


def extract_once(tarball: Path) -> Path:
    """Extract the archive unless a complete extraction is already cached."""
    target = cache_dir(tarball)
    done = target / ".complete"
    if done.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=target.name + ".partial-", dir=target.parent))
    with console.status(f"extracting {tarball.name} into {target} (once)"):
        with tarfile.open(tarball, "r:xz") as tar:
            tar.extractall(partial, filter="data")
        (partial / ".complete").write_text("ok\n")
        if target.exists():  # a previous extraction that did not finish
            shutil.rmtree(target)
        partial.rename(target)
    return target


def bundle_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.json") if p.is_file())


# --- measurements ------------------------------------------------------------------------


def progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def baseline_orjson(blobs: list[bytes]) -> float:
    """Seconds to parse every bundle with bare orjson (no FHIR mapping), GC paused as in
    read_fhir_bytes so the two are compared on the same footing."""
    was = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        for blob in blobs:
            orjson.loads(blob)
        return time.perf_counter() - t0
    finally:
        if was:
            gc.enable()


def read_all(names: list[str], blobs: list[bytes]) -> tuple[list[PatientRecord], float, int]:
    """Records read (as the CLI: all first), seconds reading, and the number of errors."""
    records: list[PatientRecord] = []
    errors = 0
    elapsed = 0.0
    with progress() as bar:
        task = bar.add_task("reading", total=len(blobs))
        for name, blob in zip(names, blobs, strict=True):
            t0 = time.perf_counter()
            result = read_fhir_bytes(name, blob)
            elapsed += time.perf_counter() - t0
            records.extend(result.records)
            errors += len(result.errors)
            for e in result.errors:
                console.print(f"[red]read error:[/] {e}", highlight=False)
            bar.advance(task)
    return records, elapsed, errors


def screen_all(records: list[PatientRecord]) -> tuple[list[float], Counter[str]]:
    """Per-patient evaluation seconds and the verdict tally."""
    study = load_study(STUDY)
    screener = Screener(study.criteria, study.valuesets, study.id)
    times: list[float] = []
    tally: Counter[str] = Counter()
    with progress() as bar:
        task = bar.add_task("screening", total=len(records))
        for record in records:
            t0 = time.perf_counter()
            result = screener.screen(record, dates={"screening": SCREENING, "baseline": BASELINE})
            times.append(time.perf_counter() - t0)
            tally[result.verdict.value] += 1
            bar.advance(task)
    return times, tally


def cli_command(folder: Path) -> list[str]:
    """The installed console script beside this interpreter, else the app via ``-c``."""
    exe = Path(sys.executable).with_name("trialdesk")
    if exe.exists():
        head = [str(exe)]
    else:
        head = [sys.executable, "-c", "from trialdesk.cli import app; app()"]
    options = ["--format", "json", "--screening-date", SCREENING.isoformat()]
    return [*head, "screen", str(folder), *options]


def time_cli(folder: Path) -> tuple[float, int, str]:
    """Wall seconds of the whole CLI run, its exit code and the tail of its stderr."""
    cmd = cli_command(folder)
    with console.status("timing the CLI: " + " ".join(cmd[-5:])):
        t0 = time.perf_counter()
        proc = subprocess.run(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, cwd=ROOT
        )
        wall = time.perf_counter() - t0
    return wall, proc.returncode, proc.stderr.decode(errors="replace").strip()[-500:]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil
    return ordered[int(rank) - 1]


# --- report ------------------------------------------------------------------------------


def verdict_table(tally: Counter[str]) -> Table:
    table = Table(title="Verdicts", title_justify="left")
    table.add_column("verdict")
    table.add_column("patients", justify="right")
    total = sum(tally.values())
    for verdict in ("eligible", "needs_review", "incomplete", "ineligible"):
        n = tally.get(verdict, 0)
        table.add_row(verdict, f"{n} ({100 * n / total:.1f}%)" if total else "0")
    return table


def mark(ok: bool) -> str:
    return "[green]ok[/]" if ok else "[red]missed[/]"


def main() -> int:
    parser = argparse.ArgumentParser(description="Screen the 617 Synthea FHIR R4 bundles.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the .tar.xz archive")
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI subprocess run")
    args = parser.parse_args()

    tarball: Path = args.data
    if not tarball.is_file():
        print(f"skipped: Synthea archive absent: {tarball} (see ../shared/data/SOURCES.md)")
        return 0

    folder = extract_once(tarball)
    files = bundle_files(folder)
    if not files:
        print(f"skipped: no .json bundles in {folder}")
        return 0
    names = [str(p) for p in files]
    blobs = [p.read_bytes() for p in files]
    mib = sum(map(len, blobs)) / 2**20

    orjson_s = baseline_orjson(blobs)
    records, read_s, read_errors = read_all(names, blobs)
    eval_times, tally = screen_all(records)
    eval_s = sum(eval_times)
    n = len(records)
    median_ms = statistics.median(eval_times) * 1000 if eval_times else float("nan")
    p95_ms = percentile(eval_times, 95) * 1000 if eval_times else float("nan")
    max_ms = max(eval_times) * 1000 if eval_times else float("nan")

    cli_s: float | None = None
    cli_rc: int | None = None
    if not args.no_cli:
        cli_s, cli_rc, cli_err = time_cli(folder)
        if cli_rc not in (0, None):
            console.print(f"[yellow]CLI exited {cli_rc}:[/] {cli_err}", highlight=False)

    total_s = read_s + eval_s
    eval_ratio = eval_s / orjson_s if orjson_s else float("nan")
    read_ratio = read_s / orjson_s if orjson_s else float("nan")

    console.rule(f"{len(files)} Synthea bundles, {n} patients, study {STUDY}")
    console.print(
        f"{mib:.0f} MiB of FHIR JSON, cached in {folder}\n"
        f"screening {SCREENING}, baseline {BASELINE}; "
        f"Python {platform.python_version()}, {os.cpu_count()} CPU(s)",
        highlight=False,
    )
    time_table = Table(title="Where the time goes (in process)", title_justify="left")
    time_table.add_column("phase")
    time_table.add_column("s", justify="right")
    time_table.add_column("ms/patient", justify="right")
    time_table.add_column("share", justify="right")
    time_table.add_column("× orjson", justify="right")
    rows = [
        ("read FHIR (read_fhir_bytes)", read_s, f"{100 * read_s / total_s:.0f}%", read_ratio),
        ("evaluate (Screener.screen)", eval_s, f"{100 * eval_s / total_s:.0f}%", eval_ratio),
        ("total", total_s, "100%", total_s / orjson_s if orjson_s else float("nan")),
        ("baseline: orjson.loads only", orjson_s, "", 1.0),
    ]
    for label, seconds, share, ratio in rows:
        time_table.add_row(
            label, f"{seconds:.2f}", f"{1000 * seconds / n:.2f}", share, f"{ratio:.2f}"
        )
    console.print(time_table)

    fig = Table(title="Figures and targets", title_justify="left")
    fig.add_column("figure")
    fig.add_column("value", justify="right")
    fig.add_column("target", justify="right")
    fig.add_column("")
    fig.add_row("patients per second (read + evaluate)", f"{n / total_s:,.0f}", "", "")
    eval_ok = median_ms <= TARGET_EVAL_MEDIAN_MS
    fig.add_row(
        "evaluation per patient, median",
        f"{median_ms:.2f} ms",
        f"≤ {TARGET_EVAL_MEDIAN_MS:g} ms",
        mark(eval_ok),
    )
    fig.add_row("evaluation per patient, p95", f"{p95_ms:.2f} ms", "", "")
    fig.add_row("evaluation per patient, max", f"{max_ms:.1f} ms", "", "")
    fig.add_row("evaluation time ÷ bare orjson parse", f"×{eval_ratio:.2f}", "", "")
    if cli_s is not None:
        fig.add_row(
            f"whole CLI run, wall (exit {cli_rc})",
            f"{cli_s:.1f} s",
            f"< {TARGET_CLI_S:g} s",
            mark(cli_s < TARGET_CLI_S),
        )
    console.print(fig)
    if read_errors:
        console.print(f"[red]{read_errors} file(s) could not be read[/]")
    console.print(verdict_table(tally))

    result: dict[str, Any] = {
        "benchmark": "screen_fhir",
        "study": STUDY,
        "bundles": len(files),
        "patients": n,
        "read_errors": read_errors,
        "mib": round(mib, 2),
        "patients_per_s": round(n / total_s, 1),
        "read_s": round(read_s, 3),
        "eval_s": round(eval_s, 3),
        "eval_median_ms": round(median_ms, 3),
        "eval_p95_ms": round(p95_ms, 3),
        "eval_max_ms": round(max_ms, 3),
        "orjson_s": round(orjson_s, 3),
        "eval_vs_orjson": round(eval_ratio, 3),
        "read_vs_orjson": round(read_ratio, 3),
        "cli_wall_s": round(cli_s, 2) if cli_s is not None else None,
        "cli_exit": cli_rc,
        "target_eval_median_ms": TARGET_EVAL_MEDIAN_MS,
        "target_cli_s": TARGET_CLI_S,
        "meets_eval_target": eval_ok,
        "meets_cli_target": cli_s < TARGET_CLI_S if cli_s is not None else None,
        "verdicts": dict(sorted(tally.items())),
        "python": platform.python_version(),
    }
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
