"""A synthetic adult hospital population for feasibility testing, as OMOP CDM v5.4 and FHIR R4.

>>> summary = generate(1_000, seed=7, out=Path("synth"), formats={"omop", "fhir"})

writes ``synth/omop/<table>.parquet`` (person, observation_period, visit_occurrence,
condition_occurrence, drug_exposure, measurement, observation, procedure_occurrence,
device_exposure, concept, concept_relationship, vocabulary, cdm_source), ``synth/omop.duckdb``
with the same tables, and ``synth/fhir/<Resource>.ndjson`` (FHIR Bulk Data) for the same
people, written so that trialdesk's FHIR adapter reads the facts docs/omop.md reads from the
CDM (see :mod:`.fhir_io`).

The population is a general adult one (age, sex and disease frequencies with their sources
in :mod:`.params`) enriched with rheumatoid arthritis (``ra_share``, default 6%) and with
what RA trial criteria ask about around a screening date: screening labs, consent, csDMARD
and steroid doses, knee procedures with laterality, live vaccines, recent infections.
Generation is vectorised with numpy per chunk of persons (``chunk_size``); the output
depends only on the arguments (the same seed and settings give the same rows).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from trialdesk.patients.synthetic.chunk import generate_chunk
from trialdesk.patients.synthetic.fhir_io import FhirWriter
from trialdesk.patients.synthetic.omop_io import OmopWriter, build_duckdb, static_batches
from trialdesk.patients.synthetic.params import Settings
from trialdesk.patients.synthetic.people import day_number
from trialdesk.patients.synthetic.schema import CLINICAL_TABLES, TABLES

__all__ = ["FORMATS", "GenerateSummary", "Settings", "generate"]

FORMATS = frozenset({"omop", "fhir"})
VOCABULARY_VERSION = "trialdesk-synthetic 1"


@dataclass(frozen=True)
class GenerateSummary:
    """What was written: persons, rows per CDM table, FHIR resources per type, seconds."""

    persons: int
    rows: dict[str, int]
    resources: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    omop_seconds: float = 0.0
    fhir_seconds: float = 0.0


def generate(
    persons: int,
    seed: int,
    out: Path,
    formats: Iterable[str],
    progress: Callable[[int, int], None] | None = None,
    *,
    screening_date: date = Settings.screening,
    baseline_date: date = Settings.baseline,
    ra_share: float = Settings.ra_share,
    chunk_size: int = Settings.chunk_size,
) -> GenerateSummary:
    """Generate ``persons`` persons into ``out`` in the given ``formats`` ("omop", "fhir").

    ``progress(done, total)`` is called after each chunk with the persons done so far.
    Existing ``out/omop``, ``out/omop.duckdb`` and ``out/fhir`` are replaced.
    """
    wanted = set(formats)
    unknown = wanted - FORMATS
    if unknown or not wanted:
        raise ValueError(f"formats must be a non-empty subset of {sorted(FORMATS)}")
    if persons < 0:
        raise ValueError("persons must not be negative")
    settings = Settings(screening_date, baseline_date, ra_share, chunk_size)
    began = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    omop = fhir = None
    if "omop" in wanted:
        shutil.rmtree(out / "omop", ignore_errors=True)
        omop = OmopWriter(out / "omop")
    if "fhir" in wanted:
        shutil.rmtree(out / "fhir", ignore_errors=True)
        fhir = FhirWriter(out / "fhir")
    rows = {t: 0 for t in TABLES}
    first_ids = {t: 1 for t in CLINICAL_TABLES}
    omop_s = fhir_s = 0.0
    done = 0
    index = 0
    try:
        while done < persons or (index == 0 and persons == 0):
            n = min(settings.chunk_size, persons - done)
            t0 = time.perf_counter()
            batches = generate_chunk(settings, seed, index, done + 1, n, first_ids)
            t1 = time.perf_counter()
            for table, batch in batches.items():
                rows[table] += batch.n
                first_ids[table] += batch.n
                if omop is not None:
                    omop.write(batch)
            t2 = time.perf_counter()
            if fhir is not None:
                fhir.write(batches, day_number(settings.baseline))
            t3 = time.perf_counter()
            omop_s += (t1 - t0) + (t2 - t1) if omop is not None else 0.0
            fhir_s += (t3 - t2) + ((t1 - t0) if omop is None else 0.0)
            done += n
            index += 1
            if progress is not None:
                progress(done, persons)
            if persons == 0:
                break
        if omop is not None:
            t0 = time.perf_counter()
            for batch in static_batches(settings.baseline, VOCABULARY_VERSION):
                rows[batch.table] += batch.n
                omop.write(batch)
            omop.close()
            build_duckdb(out / "omop.duckdb", omop.paths())
            omop_s += time.perf_counter() - t0
    finally:
        if omop is not None:
            omop.close()
        if fhir is not None:
            fhir.close()
    return GenerateSummary(
        persons=persons,
        rows=rows if omop is not None else {t: rows[t] for t in CLINICAL_TABLES},
        resources=dict(fhir.resources) if fhir is not None else {},
        seconds=time.perf_counter() - began,
        omop_seconds=omop_s,
        fhir_seconds=fhir_s,
    )
