"""The CDISC pilot's own derivations reproduced from its own SDTM inputs: ADAE's TRTEMFL
(sdtm_cdiscpilot01 AE/DM/EX against adam_cdiscpilot01 ADAE) and ADQSCIBC's analysis
windows (update2 QSGI, the CIBIC+ records, against adam_cdiscpilot01 ADQSCIBC).

The pilot's rules come from its ADaM define.xml: TRTEMFL "If ASTDT >= TRTSDT > . then
TRTEMFL='Y'. Otherwise TRTEMFL='N'"; ASTDT imputes a missing day to 01 and nothing else
(adae.PILOT_RULES); ADQSCIBC's windows (its rows: Week 8 days 2-84 target 56, Week 16
85-140 target 112, Week 24 from 141 target 168) are fed as a schedule, as the study
schedule feeds trialdesk's own windows; AWTDIFF "Absolute difference between AWTARGET and
ADY"; DTYPE LOCF.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest

from trialdesk.reports.cdisc.adam.adae import PILOT_RULES, adae
from trialdesk.reports.cdisc.adam.adeff import adeff
from trialdesk.reports.cdisc.adam.adsl import adsl
from trialdesk.reports.cdisc.adam.bds import windows_from_schedule
from trialdesk.reports.cdisc.adam.dates import sas_date
from trialdesk.reports.cdisc.adam.findings import Parameter
from trialdesk.reports.cdisc.dataset import Dataset, Value, read_xpt
from trialdesk.study.schedule import Schedule, Visit
from trialdesk.study.texts import Text

PILOT = Path(__file__).parents[4].parent / "shared" / "data" / "cdisc-pilot01"
SDTM = PILOT / "sdtm_cdiscpilot01"
ADAM = PILOT / "adam_cdiscpilot01"
UPDATE2 = PILOT / "sdtm_cdiscpilot_update2_zip" / "cdiscpilot_update2.zip"

pytestmark = pytest.mark.skipif(
    not (SDTM / "ae.xpt").is_file() or not (ADAM / "adae.xpt").is_file(),
    reason=f"the CDISC pilot data is not in {PILOT} (see shared/data)",
)


def _as_sas(value: Value | date) -> int | None:
    if isinstance(value, date):
        return sas_date(value)
    return int(value) if isinstance(value, (int, float)) else None


@pytest.fixture(scope="module")
def pilot_adsl() -> Dataset:
    return adsl({"DM": read_xpt(SDTM / "dm.xpt"), "EX": read_xpt(SDTM / "ex.xpt")})


def test_first_dose_dates_agree_with_the_pilot(pilot_adsl: Dataset) -> None:
    """TRTSDT from EX's first dose equals the pilot's (taken there from SV VISITNUM 3)."""
    theirs = {r["USUBJID"]: _as_sas(r["TRTSDT"]) for r in read_xpt(ADAM / "adsl.xpt").rows}
    ours = {r["USUBJID"]: r.get("TRTSDT") for r in pilot_adsl.rows}
    same = sum(ours.get(k) == v for k, v in theirs.items())
    print(f"TRTSDT agreement {same}/{len(theirs)}")
    assert same == len(theirs)


def test_trtemfl_reproduces_the_pilot_for_every_record(pilot_adsl: Dataset) -> None:
    ours = adae(read_xpt(SDTM / "ae.xpt"), pilot_adsl, PILOT_RULES)
    theirs = read_xpt(ADAM / "adae.xpt")
    mine = {(r["USUBJID"], r["AESEQ"]): r["TRTEMFL"] for r in ours.rows}
    pairs = [(mine.get((r["USUBJID"], r["AESEQ"])), r["TRTEMFL"]) for r in theirs.rows]
    same = sum(a == b for a, b in pairs)
    print(f"TRTEMFL agreement {same}/{len(pairs)}")
    assert len(pairs) == 1191
    assert same == len(pairs)


def _pilot_windows() -> Schedule:
    def week(n: int, target: int, low: int, high: int | None) -> Visit:
        return Visit(
            f"W{n}", Text(f"Week {n}"), n, "TREATMENT", day=target, first_day=low, last_day=high
        )

    return Schedule(
        (week(8, 56, 2, 84), week(16, 112, 85, 140), week(24, 168, 141, None)), day1="day1"
    )


@pytest.fixture(scope="module")
def qsgi(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    if not UPDATE2.is_file():
        pytest.skip(f"the pilot's update2 SDTM zip is not at {UPDATE2}")
    folder = tmp_path_factory.mktemp("update2")
    with zipfile.ZipFile(UPDATE2) as archive:
        (folder / "qsgi.xpt").write_bytes(archive.read("SDTM/qsgi.xpt"))  # CIBIC+ lives here
    return read_xpt(folder / "qsgi.xpt")


WINDOW_VARIABLES = ("AVISIT", "AVISITN", "ADY", "AWTARGET", "AWTDIFF", "AWLO", "AWHI", "ANL01FL")


def _compare(
    ours: Mapping[object, Mapping[str, Value]], theirs: Mapping[object, Mapping[str, Value]]
) -> list[str]:
    differences = []
    for key, row in theirs.items():
        mine = ours.get(key)
        if mine is None:
            differences.append(f"{key}: missing")
            continue
        for name in WINDOW_VARIABLES:
            if (mine.get(name) or None) != (row.get(name) or None):
                differences.append(
                    f"{key} {name}: ours {mine.get(name)!r}, pilot {row.get(name)!r}"
                )
    return differences


def test_adqscibc_windows_reproduce_the_pilot(pilot_adsl: Dataset, qsgi: Dataset) -> None:
    windows = windows_from_schedule(_pilot_windows())
    cibic = [("QS", Parameter("CIBICVAL", "CIBIC Score", 1, "CIBIC"))]
    ours = adeff({"QS": qsgi}, pilot_adsl, cibic, windows, locf=True, name="ADQSCIBC")
    theirs = read_xpt(ADAM / "adqscibc.xpt").records()
    assert len(ours.rows) == len(theirs) == 730

    def key(row: Mapping[str, Value]) -> tuple[Value, ...]:
        seq = row.get("SRCSEQ", row.get("QSSEQ"))
        return (row["USUBJID"], row["DTYPE"], row["AVISIT"] if row["DTYPE"] else seq)

    differences = _compare({key(r): r for r in ours.records()}, {key(r): r for r in theirs})
    print(f"ADQSCIBC window agreement: {len(theirs) - len(differences)} of {len(theirs)} records")
    assert differences == [], differences[:10]


def test_the_pilot_cibic_data_hold_no_window_tie(pilot_adsl: Dataset, qsgi: Dataset) -> None:
    """The tie rule of ANL01FL (the later of two equally near) is an assumption the pilot
    cannot confirm: no subject has two CIBIC+ records equally near a target."""
    windows = windows_from_schedule(_pilot_windows())
    cibic = [("QS", Parameter("CIBICVAL", "CIBIC Score", 1, "CIBIC"))]
    rows = adeff({"QS": qsgi}, pilot_adsl, cibic, windows).rows
    seen: dict[tuple[Value, Value, Value], int] = {}
    for r in rows:
        k = (r["USUBJID"], r["AVISIT"], r["AWTDIFF"])
        seen[k] = seen.get(k, 0) + 1
    assert max(seen.values()) == 1
