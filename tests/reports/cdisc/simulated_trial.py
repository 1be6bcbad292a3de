"""The simulated trial issue 16's proof is built on, made once per test session: ``trial
simulate --participants 8 --seed 7`` as of 2026-11-30 (benchmarks/simulate.py's fixed
day), its SDTM source exported as of 2026-12-01, its SDTM datasets and ADaM in memory.

Shared by test_golden, test_pilot_shapes and test_package_roundtrip (simulating takes
~5 s; the datasets are read, never changed)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from trialdesk.reports.cdisc.adam import adam_datasets
from trialdesk.reports.cdisc.dataset import Dataset
from trialdesk.reports.cdisc.sdtm.package import sdtm_datasets
from trialdesk.reports.cdisc.sdtm.source import SdtmSource, source_of
from trialdesk.study.loader import load_study
from trialdesk.trial.review.extract import trial_extract
from trialdesk.trial.simulate.run import simulate
from trialdesk.trial.store.db import open_store

SEED, PARTICIPANTS = 7, 8
AS_OF = date(2026, 11, 30)  # the simulation's "today"
CREATED = datetime(2026, 12, 1, tzinfo=UTC)  # the export's creation instant


@dataclass(frozen=True)
class Built:
    source: SdtmSource
    sdtm: tuple[Dataset, ...]
    adam: tuple[Dataset, ...]


@cache
def simulated() -> Built:
    study = load_study("NCT06947746")
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'trial.db'}")
        try:
            simulate(store, study, participants=PARTICIPANTS, seed=SEED, as_of=AS_OF)
            with store.read() as session:
                extract = trial_extract(session, study)
        finally:
            store.close()
    source = source_of(study, extract, created=CREATED)
    sdtm = sdtm_datasets(source)
    adam = adam_datasets(study, {d.name: d for d in sdtm})
    return Built(source, tuple(sdtm), tuple(adam))
