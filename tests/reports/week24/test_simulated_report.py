"""The week-24 report of a simulated trial (10 participants, seed 7): the TEAE counts and
the change from baseline at week 24 recomputed from the SDTM export alone (SAS XPT read
back), the same numbers as the report; its JSON against a golden file; HTML and PDF made.

Regenerate the golden file with TRIALDESK_UPDATE_GOLDEN=1 only after checking it by eye."""

from __future__ import annotations

import json
import os
import statistics
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from trialdesk.reports.cdisc.adam.occds import relationship_group
from trialdesk.reports.cdisc.dataset import Dataset, read_xpt
from trialdesk.reports.cdisc.sdtm.package import write_package
from trialdesk.reports.cdisc.sdtm.source import source_of
from trialdesk.reports.week24.build import read_inputs
from trialdesk.reports.week24.efficacy_tables import parameters_of
from trialdesk.reports.week24.html import report_html
from trialdesk.reports.week24.pdf import report_pdf
from trialdesk.reports.week24.report import Week24Report, report_json, week24_report
from trialdesk.study.loader import load_study
from trialdesk.trial.review.extract import trial_extract
from trialdesk.trial.simulate.run import simulate
from trialdesk.trial.store.db import open_store

STUDY = load_study("NCT06947746")
CUT = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
GOLDEN = Path(__file__).parents[2] / "data" / "golden" / "week24-seed7-n10.json"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Week24Report, dict[str, Dataset]]:
    folder = tmp_path_factory.mktemp("week24")
    store = open_store(f"sqlite:///{folder / 'trial.db'}")
    try:
        simulate(store, STUDY, participants=10, seed=7, as_of=date(2026, 11, 30))
        with store.read() as session:
            sdtm, adam, consort = read_inputs(session, STUDY, CUT)
            extract = trial_extract(session, STUDY, screening=False)
    finally:
        store.close()
    source = source_of(STUDY, extract, created=CUT)
    written, _ = write_package(list(sdtm.values()), folder / "sdtm", format="xpt", source=source)
    back = {w.dataset.name: read_xpt(w.path) for w in written}
    report = week24_report(STUDY, adam, data_cut=CUT, consort=consort, draw=False)
    return report, back


def test_teae_counts_from_sdtm_alone(built: tuple[Week24Report, dict[str, Dataset]]) -> None:
    report, sdtm = built
    treated = {r["USUBJID"] for r in sdtm["DM"].rows if r.get("RFSTDTC")}
    # treatment-emergent: onset on or after study day 1, the day of the injection
    emergent = [r for r in sdtm["AE"].rows
                if r["USUBJID"] in treated and float(r.get("AESTDY") or 0) >= 1]  # fmt: skip
    row = report.table("teae_overview").rows[0]
    assert row.cells[0].value == len({r["USUBJID"] for r in emergent}) > 0
    assert row.cells[2].value == len(emergent)
    serious = {r["USUBJID"] for r in emergent if r.get("AESER") == "Y"}
    rows = {r.label.en: r.cells for r in report.table("teae_overview").rows}
    assert rows["Serious (AESER = Y)"][0].value == len(serious)
    # related to the injection procedure: AE's AERLPRT, grouped as ADAE's RLPRTGR1 is
    procedure = {r["USUBJID"] for r in emergent
                 if relationship_group(r.get("AERLPRT")) == "RELATED"}  # fmt: skip
    assert rows["Related to the injection procedure (AERLPRT)"][0].value == len(procedure) > 0


def test_change_at_week_24_from_sdtm_alone(built: tuple[Week24Report, dict[str, Dataset]]) -> None:
    report, sdtm = built
    week24 = float(STUDY.schedule.visit("W24").visitnum)  # type: ignore[union-attr]
    rows = {r.label.en: r.cells for r in report.table("change_from_baseline").rows}
    checked = 0
    for code, label, _ in parameters_of(STUDY):
        baseline: dict[str, float] = {}
        at_24: dict[str, float] = {}
        for domain in sdtm.values():
            d = domain.name
            for r in domain.rows:
                if r.get(f"{d}TESTCD") != code or r.get(f"{d}STRESN") is None:
                    continue
                if r.get(f"{d}LOBXFL") == "Y":
                    baseline[str(r["USUBJID"])] = float(r[f"{d}STRESN"])  # type: ignore[arg-type]
                elif r.get("VISITNUM") == week24:
                    at_24[str(r["USUBJID"])] = float(r[f"{d}STRESN"])  # type: ignore[arg-type]
        changes = [at_24[s] - baseline[s] for s in sorted(at_24) if s in baseline]
        cells = rows[f"{label.en} ({code})"]
        assert cells[0].value == len(changes), code
        if changes:
            assert cells[1].value == pytest.approx(statistics.fmean(changes)), code
            checked += 1
    assert checked >= 10  # every score reached week 24 in someone


def test_json_matches_the_golden_file(built: tuple[Week24Report, dict[str, Dataset]]) -> None:
    report, _ = built
    data = json.loads(json.dumps(report_json(report), ensure_ascii=False))
    if os.environ.get("TRIALDESK_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert data == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_html_and_pdf_in_both_languages(built: tuple[Week24Report, dict[str, Dataset]]) -> None:
    report, _ = built
    zh = report_html(report, "zh-CN")
    assert "第24周报告" in zh and "数据截止" in zh and "2026-11-30 18:00" in zh  # Shanghai time
    en = report_html(report, "en")
    assert 'href="#who-1"' in en and 'id="who-1"' in en  # a count links to its people
    assert "Protocol assumptions stated" in en and "<svg" in en  # CONSORT inline
    assert report_pdf(report, "zh-CN").startswith(b"%PDF-")
