"""ADaM from the SDTM export of a simulated trial (6 participants): every participant
injected is in the safety population with TRTSDT the day-1 anchor, every AE record is in
ADAE with a TRTEMFL, ADLB and ADEFF rows sit in the schedule's windows, and each
(subject, parameter, analysis visit) has exactly one ANL01FL record."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest

from trialdesk.reports.cdisc.adam import adam_datasets
from trialdesk.reports.cdisc.adam.bds import windows_from_schedule
from trialdesk.reports.cdisc.adam.dates import from_sas_date
from trialdesk.reports.cdisc.dataset import Dataset
from trialdesk.reports.cdisc.sdtm.findings import findings_domains
from trialdesk.reports.cdisc.sdtm.package import sdtm_datasets
from trialdesk.reports.cdisc.sdtm.source import source_of
from trialdesk.study.loader import load_study
from trialdesk.trial.review.extract import trial_extract
from trialdesk.trial.simulate.run import simulate
from trialdesk.trial.store.db import open_store

STUDY = load_study("NCT06947746")


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, Dataset], dict[str, Dataset], dict[str, str]]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('adam') / 'trial.db'}")
    try:
        simulate(store, STUDY, participants=6, seed=11, as_of=date(2026, 11, 30))
        with store.read() as session:
            extract = trial_extract(session, STUDY)
    finally:
        store.close()
    source = source_of(STUDY, extract, created=datetime(2026, 12, 1, tzinfo=UTC))
    sdtm = {d.name: d for d in sdtm_datasets(source)}
    sdtm.update({d.name: d for d in findings_domains(STUDY, source.casebooks)})
    day1 = {s.usubjid: (s.day1(STUDY.schedule) or date.min).isoformat() for s in source.subjects}
    return sdtm, {d.name: d for d in adam_datasets(STUDY, sdtm)}, day1


def test_adsl_treatment_start_is_day1(
    built: tuple[dict[str, Dataset], dict[str, Dataset], dict[str, str]],
) -> None:
    sdtm, adam, day1 = built
    assert len(adam["ADSL"].rows) == len(sdtm["DM"].rows)
    treated = [r for r in adam["ADSL"].rows if r["SAFFL"] == "Y"]
    assert treated
    for row in treated:
        assert from_sas_date(row["TRTSDT"]).isoformat() == day1[str(row["USUBJID"])]  # type: ignore[arg-type]


def test_adae_has_every_ae_record(
    built: tuple[dict[str, Dataset], dict[str, Dataset], dict[str, str]],
) -> None:
    sdtm, adam, _ = built
    if "AE" not in sdtm or not sdtm["AE"].rows:
        pytest.skip("the simulated trial recorded no adverse event")
    assert len(adam["ADAE"].rows) == len(sdtm["AE"].rows)
    assert {r["TRTEMFL"] for r in adam["ADAE"].rows} <= {"Y", "N"}


@pytest.mark.parametrize("name", ["ADLB", "ADEFF"])
def test_bds_rows_sit_in_schedule_windows(
    built: tuple[dict[str, Dataset], dict[str, Dataset], dict[str, str]], name: str
) -> None:
    _, adam, _ = built
    if name not in adam or not adam[name].rows:
        pytest.skip(f"no {name} rows: the SDTM findings gave none")
    assert STUDY.schedule is not None
    windows = {w.avisit: w for w in windows_from_schedule(STUDY.schedule)}
    flagged = Counter(
        (r["USUBJID"], r["PARAMCD"], r["AVISIT"]) for r in adam[name].rows if r["ANL01FL"] == "Y"
    )
    assert flagged and max(flagged.values()) == 1
    for row in adam[name].rows:
        if row["AVISIT"] and row["AVISIT"] != "Baseline":
            window = windows[str(row["AVISIT"])]
            assert window.holds(int(row["ADY"]))  # type: ignore[arg-type]
            assert row["AWTDIFF"] == abs(int(row["ADY"]) - window.target)  # type: ignore[arg-type]
