"""trialdesk's own SDTM export of a simulated trial, with its define.xml 2.1, passes the
checker with no error (issue 16, point 2) and no warning, every rule run."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from trialdesk.reports.cdisc.check.run import check_directory
from trialdesk.reports.cdisc.define.build import build_define
from trialdesk.reports.cdisc.define.write import write_define_xml
from trialdesk.reports.cdisc.sdtm.package import sdtm_datasets, write_package
from trialdesk.reports.cdisc.sdtm.source import source_of
from trialdesk.study.loader import load_study
from trialdesk.trial.review.extract import trial_extract
from trialdesk.trial.simulate.run import simulate
from trialdesk.trial.store.db import open_store

pytestmark = pytest.mark.slow  # simulating a trial and writing its SDTM: ~10 s here


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    study = load_study("NCT06947746")
    folder = tmp_path_factory.mktemp("own")
    store = open_store(f"sqlite:///{folder / 'trial.db'}")
    try:
        simulate(store, study, participants=6, seed=11, as_of=date(2026, 11, 30))
        with store.read() as session:
            extract = trial_extract(session, study)
    finally:
        store.close()
    source = source_of(study, extract, created=datetime(2026, 12, 1, tzinfo=UTC))
    out = folder / "sdtm"
    out.mkdir()
    written, _ = write_package(sdtm_datasets(source), out, format="xpt", source=source)
    write_define_xml(build_define([w.dataset for w in written], study=study), out / "define.xml")
    return out


def test_the_own_export_passes(export: Path) -> None:
    result = check_directory(export)
    assert result.define is not None and not result.skipped
    assert {"DM", "AE", "EX", "SV"} <= set(result.datasets)
    assert [f.as_dict() for f in result.findings] == []
