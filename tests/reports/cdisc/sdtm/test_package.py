"""The SDTM package of a simulated trial (8 participants), written as XPT and as
Dataset-JSON and read back: every domain has its required variables, subjects match DM,
--SEQ is unique, --DY agrees with study_day, EPOCH and VISITNUM come from the schedule, IE
matches the screening results, EX has one injection per participant. And the command."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trialdesk.cli import app
from trialdesk.reports.cdisc.dataset import Dataset, read_dataset_json, read_xpt
from trialdesk.reports.cdisc.sdtm.package import sdtm_datasets, write_package
from trialdesk.reports.cdisc.sdtm.source import SdtmSource, source_of
from trialdesk.reports.cdisc.sdtm.timing import epochs
from trialdesk.reports.cdisc.sdtm.variables import ig_variables
from trialdesk.study.loader import load_study
from trialdesk.study.schedule import study_day
from trialdesk.trial.review.extract import trial_extract
from trialdesk.trial.simulate.run import simulate
from trialdesk.trial.store.db import open_store

STUDY = load_study("NCT06947746")


@pytest.fixture(scope="module")
def trial(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SdtmSource]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('sdtm') / 'trial.db'}"
    store = open_store(url)
    try:
        simulate(store, STUDY, participants=8, seed=5, as_of=date(2026, 11, 30))
        with store.read() as session:
            extract = trial_extract(session, STUDY)
        yield url, source_of(STUDY, extract, created=datetime(2026, 12, 1, tzinfo=UTC))
    finally:
        store.close()


@pytest.fixture(scope="module", params=["xpt", "json"])
def read_back(
    request: pytest.FixtureRequest, trial: tuple[str, SdtmSource],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Dataset]:  # fmt: skip
    _, source = trial
    out = tmp_path_factory.mktemp(request.param)
    written, _ = write_package(sdtm_datasets(source), out, format=request.param, source=source)
    read = read_xpt if request.param == "xpt" else read_dataset_json
    return {w.dataset.name: read(w.path) for w in written}


def test_every_domain_has_its_required_variables(read_back: dict[str, Dataset]) -> None:
    assert {"DM", "SE", "SV", "EX", "AE", "DS", "IE", "TA", "TE", "TV", "TI", "TS"} <= set(
        read_back
    )
    for name, d in read_back.items():
        if name not in ig_variables():
            continue  # the Findings, CM and SUPP--: tests/reports/cdisc/sdtm_findings/
        required = {v.name for v in ig_variables()[name].values() if v.core == "Req"}
        assert required <= set(d.names), (name, required - set(d.names))
        for row in d.rows:
            assert all(row[v] not in ("", None) for v in required if v != "TSVAL"), (name, row)


def test_subjects_match_dm_and_seq_is_unique(read_back: dict[str, Dataset]) -> None:
    subjects = [r["USUBJID"] for r in read_back["DM"].rows]
    assert len(subjects) == len(set(subjects)) == 10  # 8 participants, 2 screen failures
    for name, d in read_back.items():
        if "USUBJID" not in d.names:
            continue
        assert {r["USUBJID"] for r in d.rows} <= set(subjects), name
        seq = f"{name}SEQ"
        if seq in d.names:
            keys = [(r["USUBJID"], r[seq]) for r in d.rows]
            assert len(keys) == len(set(keys)), name


def test_study_days_agree_with_study_day(read_back: dict[str, Dataset]) -> None:
    starts = {r["USUBJID"]: r["RFSTDTC"] for r in read_back["DM"].rows}
    checked = 0
    for name, d in read_back.items():
        for dtc_name in [n for n in d.names if n.endswith("DTC") and n[:-3] + "DY" in d.names]:
            dy_name = dtc_name[:-3] + "DY"
            for r in d.rows:
                start, value = str(starts.get(str(r.get("USUBJID")), "")), str(r[dtc_name] or "")
                if len(start) >= 10 and len(value) >= 10:
                    expected = study_day(
                        date.fromisoformat(start[:10]), date.fromisoformat(value[:10])
                    )
                    assert r[dy_name] == expected, (name, dtc_name, r)
                    checked += 1
                else:
                    assert r[dy_name] in (None, ""), (name, r)
    assert checked > 100


def test_epochs_and_visits_come_from_the_schedule(read_back: dict[str, Dataset]) -> None:
    assert STUDY.schedule is not None
    known = {e.name for e in epochs(STUDY.schedule)}
    assert {r["EPOCH"] for r in read_back["AE"].rows} <= known
    assert read_back["AE"].rows, "the simulation gave adverse events"
    planned = {float(v.visitnum) for v in STUDY.schedule.visits}
    for r in read_back["SV"].rows:
        number = float(r["VISITNUM"])  # type: ignore[arg-type]
        assert number in planned or int(number) in planned, r  # unscheduled: x.1 after visit x
    tv = {float(r["VISITNUM"]): r["VISIT"] for r in read_back["TV"].rows}  # type: ignore[arg-type]
    for r in read_back["SV"].rows:
        if float(r["VISITNUM"]) in tv:  # type: ignore[arg-type]
            assert r["VISIT"] == tv[float(r["VISITNUM"])]  # type: ignore[arg-type]


def test_ie_matches_the_screening_results(
    read_back: dict[str, Dataset], trial: tuple[str, SdtmSource]
) -> None:
    _, source = trial
    expected = sorted(
        (s.usubjid, c.id) for s in source.subjects for c in s.screened.criteria if c.excludes
    )
    got = sorted((str(r["USUBJID"]), str(r["IETESTCD"])) for r in read_back["IE"].rows)
    assert got == expected and got  # the screen failures, each at the criterion that failed
    failed = {s.usubjid for s in source.subjects if not s.enrolled}
    assert {u for u, _ in got} == failed


def test_ex_one_injection_per_injected_participant(read_back: dict[str, Dataset]) -> None:
    ex = read_back["EX"].rows
    injected = [r for r in read_back["DM"].rows if r["RFXSTDTC"]]
    assert len(ex) == len(injected) == 8
    assert {r["USUBJID"] for r in ex} == {r["USUBJID"] for r in injected}
    for r in ex:
        assert (r["EXROUTE"], r["EXLOC"]) == ("INTRA-ARTICULAR", "KNEE JOINT")
        assert r["EXLAT"] in ("LEFT", "RIGHT") and r["EXDOSU"] == "10^6 Therapeutic Cells"
        assert r["EXSTDY"] == 1 and r["EPOCH"] == "TREATMENT"


def test_the_command_writes_the_package(trial: tuple[str, SdtmSource], tmp_path: Path) -> None:
    url, _ = trial
    result = CliRunner().invoke(
        app, ["export", "sdtm", "--out", str(tmp_path / "x"), "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    assert "dm.xpt" in result.output
    assert (tmp_path / "x" / "dm.xpt").is_file() and (tmp_path / "x" / "ex.xpt").is_file()
    assert len(read_xpt(tmp_path / "x" / "dm.xpt").rows) == 10
    bad = CliRunner().invoke(app, ["export", "sdtm", "--out", str(tmp_path), "--study", "nope",
                                   "--database-url", url])  # fmt: skip
    assert bad.exit_code == 2
