"""Review findings of issue 16 on ADaM, each by hand: an enrolled participant not yet
injected is in the ITT set and ONGOING; a partial onset is never imputed after a complete
end (nor is such an event emergent); LOCF never carries a pre-treatment value; a study
folder whose endpoint reads an item with no SDTM test is an error naming the file."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from trialdesk.errors import FieldErrors, TrialdeskError
from trialdesk.reports.cdisc.adam.adae import AdaeRules, adae_rows
from trialdesk.reports.cdisc.adam.adeff import efficacy_parameters
from trialdesk.reports.cdisc.adam.adsl import adsl
from trialdesk.reports.cdisc.adam.bds import AnalysisWindow, derive_ablfl, impute_locf, in_window
from trialdesk.reports.cdisc.adam.dates import StartRule, impute_start, sas_date
from trialdesk.reports.cdisc.dataset import Dataset, Value, Variable
from trialdesk.study.endpoints import EndpointKind
from trialdesk.study.loader import load_study

TRTSDT = sas_date(date(2026, 3, 10))  # study day 1


def _dm(*rows: dict[str, Value]) -> Dataset:
    names = ("STUDYID", "USUBJID", "ARMCD", "ARM", "ACTARMCD", "ACTARM", "ARMNRS")
    return Dataset("DM", "Demographics", tuple(Variable(n, n) for n in names), rows)


def test_an_enrolled_participant_not_yet_injected_is_itt_and_ongoing() -> None:
    dm = _dm(
        {"STUDYID": "S", "USUBJID": "S-001", "ARMCD": "HISC", "ARM": "hiSC",
         "ARMNRS": "ASSIGNED, NOT TREATED"},
        {"STUDYID": "S", "USUBJID": "S-SF-002", "ARMNRS": "SCREEN FAILURE"},
        {"STUDYID": "S", "USUBJID": "S-SF-003", "ARMNRS": "NOT ASSIGNED"},
    )  # fmt: skip
    rows = {r["USUBJID"]: r for r in adsl({"DM": dm}).rows}
    assigned = rows["S-001"]
    assert (assigned["ITTFL"], assigned["SAFFL"], assigned["EOSSTT"]) == ("Y", "N", "ONGOING")
    for never in ("S-SF-002", "S-SF-003"):
        assert (rows[never]["ITTFL"], rows[never]["EOSSTT"]) == ("N", "")


def test_a_partial_onset_is_never_imputed_after_a_complete_end() -> None:
    # onset "2026-03" may be the first dose day (10 March), but the event ended on 4 March
    ended = sas_date(date(2026, 3, 4))
    imputed = impute_start("2026-03", StartRule.CONSERVATIVE, first_dose=TRTSDT, end=ended)
    assert (imputed.value, imputed.flag) == (ended, "D")
    # without an end, the first dose day as before (admiral min_dates)
    assert impute_start("2026-03", StartRule.CONSERVATIVE, first_dose=TRTSDT).value == TRTSDT


def test_an_event_that_ended_before_the_first_dose_is_not_emergent() -> None:
    subjects: dict[Value, dict[str, Value]] = {
        "S-001": {"TRTSDT": TRTSDT, "TRTEDT": TRTSDT, "SAFFL": "Y"}
    }
    ae: list[dict[str, Value]] = [
        {"USUBJID": "S-001", "AESEQ": 1, "AESTDTC": "2026-03", "AEENDTC": "2026-03-04"},
        {"USUBJID": "S-001", "AESEQ": 2, "AESTDTC": "2026", "AEENDTC": "2026-02"},
        {"USUBJID": "S-001", "AESEQ": 3, "AESTDTC": "2026-03", "AEENDTC": "2026-03-12"},
    ]
    rows = adae_rows(ae, subjects, AdaeRules())
    ended, partly, emergent = rows
    assert ended["ASTDT"] == ended["AENDT"] == sas_date(date(2026, 3, 4))
    assert (ended["ADURN"], ended["TRTEMFL"]) == (1, "N")
    assert partly["ASTDT"] == partly["AENDT"] == sas_date(date(2026, 2, 28))
    assert partly["TRTEMFL"] == "N"
    assert (emergent["ASTDT"], emergent["TRTEMFL"]) == (TRTSDT, "Y")  # may be emergent


W8 = AnalysisWindow("Week 8", 8, 56, 2, 84)
W16 = AnalysisWindow("Week 16", 16, 112, 85, 140)


def _obs(day: int, aval: float) -> dict[str, Value]:
    adt = TRTSDT + day - 1 if day > 0 else TRTSDT + day
    return {"USUBJID": "S-001", "PARAMCD": "P", "ADY": day, "ADT": adt, "TRTSDT": TRTSDT,
            "AVAL": aval}  # fmt: skip


def test_locf_never_carries_a_screening_value_after_baseline() -> None:
    # screening (day -20) and a second pre-dose value (day -3); the baseline is day 1's
    rows = derive_ablfl(
        [in_window(_obs(d, v), [W8, W16]) for d, v in ((-20, 9.0), (-3, 8.0), (1, 7.0))]
    )
    assert [r["ABLFL"] for r in rows] == ["", "", "Y"]
    assert [r for r in impute_locf(rows, [W8, W16]) if r.get("DTYPE")] == []
    # a post-baseline value is carried forward, as before
    rows = rows + [in_window(_obs(29, 5.0), [W8, W16])]
    carried = [r for r in impute_locf(rows, [W8, W16]) if r.get("DTYPE") == "LOCF"]
    assert [(r["AVISIT"], r["AVAL"], r["ADY"]) for r in carried] == [("Week 16", 5.0, 29)]


def test_an_endpoint_reading_an_item_without_sdtm_test_names_the_file_and_endpoint() -> None:
    study = load_study("NCT06947746")
    changes = [e for e in study.endpoints if e.kind is EndpointKind.CHANGE_FROM_BASELINE]
    assert changes, "the bundled study has change-from-baseline endpoints"
    broken = replace(study, forms={})  # no form: no item has an SDTM target
    with pytest.raises(FieldErrors) as refused:
        efficacy_parameters(broken)
    assert isinstance(refused.value, TrialdeskError)
    text = str(refused.value)
    assert text.startswith(str(study.folder / "endpoints.yaml"))
    assert all(f"endpoint {e.id} reads" in text for e in changes)
    assert len(refused.value.errors) == sum(len(e.reads) for e in changes)  # all at once
