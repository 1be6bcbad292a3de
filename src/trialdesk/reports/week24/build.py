"""The week-24 report from the trial store: one read (trial/review/extract.py, the SDTM
helpers' read service) gives the SDTM datasets, ADaM is derived from them, the CONSORT
numbers come from the screening log and conduct records as of the data cut's site day."""

from __future__ import annotations

from datetime import UTC, datetime

from trialdesk.gc_pause import cycle_collection_paused
from trialdesk.reports.cdisc.adam import adam_datasets
from trialdesk.reports.cdisc.dataset import Dataset
from trialdesk.reports.cdisc.sdtm.package import sdtm_datasets
from trialdesk.reports.cdisc.sdtm.source import source_of
from trialdesk.reports.consort import ConsortCounts, consort_of
from trialdesk.reports.week24.report import Week24Report, week24_report
from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today
from trialdesk.trial.review.extract import trial_extract
from trialdesk.trial.store.db import Session

__all__ = ["Inputs", "read_inputs", "report_from_store", "sdtm_from_store"]

Inputs = tuple[dict[str, Dataset], dict[str, Dataset], ConsortCounts]  # SDTM, ADaM, CONSORT


def sdtm_from_store(session: Session, study: Study, data_cut: datetime) -> dict[str, Dataset]:
    """Every SDTM dataset the export writes (the Findings domains included), by name."""
    extract = trial_extract(session, study, screening=False)  # IE is not read by the report
    source = source_of(study, extract, created=data_cut)
    return {d.name: d for d in sdtm_datasets(source)}


@cycle_collection_paused()  # the trial's SDTM and ADaM records (gc_pause.py)
def read_inputs(session: Session, study: Study, data_cut: datetime) -> Inputs:
    sdtm = sdtm_from_store(session, study, data_cut)
    adam = {d.name: d for d in adam_datasets(study, sdtm)}
    consort = consort_of(session, study, site_today(study.schedule, data_cut))
    return sdtm, adam, consort


def report_from_store(
    session: Session,
    study: Study,
    *,
    lang: str = "en",
    data_cut: datetime | None = None,
    draw: bool = True,
    png: bool = False,
) -> Week24Report:
    """The report as the store stands now (or at ``data_cut``, an aware instant)."""
    cut = data_cut or datetime.now(UTC)
    _, adam, consort = read_inputs(session, study, cut)
    return week24_report(study, adam, data_cut=cut, lang=lang, consort=consort, draw=draw, png=png)
