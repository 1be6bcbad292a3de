"""The SAE listing shows every serious event, before the injection too, with its TEAE
flag; "leading to withdrawal" counts the events that were going on when a participant
left for an adverse event (or whose action was DRUG WITHDRAWN), not every TEAE of theirs."""

from __future__ import annotations

from trialdesk.reports.cdisc.adam.adae import ADAE_VARIABLES
from trialdesk.reports.cdisc.adam.adsl import ADSL_VARIABLES
from trialdesk.reports.cdisc.adam.variables import variables
from trialdesk.reports.cdisc.dataset import Dataset, Value
from trialdesk.reports.week24.listings import sae_listing
from trialdesk.reports.week24.safety_tables import overview_table

TRTSDT, EOSDT = 100, 150


def _adsl(*rows: dict[str, Value]) -> Dataset:
    return Dataset("ADSL", "", variables(ADSL_VARIABLES), rows, ("STUDYID", "USUBJID"))


def _adae(*rows: dict[str, Value]) -> Dataset:
    return Dataset("ADAE", "", variables(ADAE_VARIABLES), rows, ("STUDYID", "USUBJID", "AESEQ"))


def _subject(n: int, **more: Value) -> dict[str, Value]:
    return {"STUDYID": "S", "USUBJID": f"S-{n}", "SUBJID": str(n), "ITTFL": "Y",
            "SAFFL": "Y", "TRTSDT": TRTSDT, "EOSSTT": "ONGOING", **more}  # fmt: skip


def _event(n: int, seq: int, start: int, end: int | None, **more: Value) -> dict[str, Value]:
    return {"STUDYID": "S", "USUBJID": f"S-{n}", "SUBJID": str(n), "AESEQ": seq,
            "AEDECOD": "Arthralgia", "AEBODSYS": "MUSC", "ATOXGR": "2", "ASTDT": start,
            "AENDT": end, "ASTDY": start - TRTSDT + 1, "TRTEMFL": "Y", "AESER": "N",
            **more}  # fmt: skip


def test_leading_to_withdrawal_counts_only_the_events_ongoing_when_they_left() -> None:
    adsl = _adsl(
        _subject(1, EOSSTT="DISCONTINUED", DCSREAS="ADVERSE EVENT", EOSDT=EOSDT),
        _subject(2),
    )
    adae = _adae(
        _event(1, 1, 105, 110),  # resolved weeks before they left: did not lead to it
        _event(1, 2, 140, None),  # going on when they left
        _event(1, 3, 120, EOSDT),  # ended the day they left
        _event(2, 1, 105, 110, AEACN="DRUG WITHDRAWN"),
    )
    row = next(r for r in overview_table(adae, adsl).rows if r.label.en == "Leading to withdrawal")
    count, _, events = row.cells
    assert count.subjects == ("S-1", "S-2")
    assert events.text == "3"
    assert "ADAE USUBJID=S-1 AESEQ=1" not in events.records


def test_the_sae_listing_shows_serious_events_before_the_injection_with_their_flag() -> None:
    adsl = _adsl(_subject(1), _subject(2, SAFFL="N", TRTSDT=None))
    adae = _adae(
        _event(1, 1, 90, 95, AESER="Y", TRTEMFL="N"),  # before the injection
        _event(1, 2, 120, None, AESER="Y"),
        _event(1, 3, 125, None),  # not serious: not listed
        _event(2, 1, 90, None, AESER="Y", TRTEMFL=""),  # enrolled, never injected
    )
    table = sae_listing(adae, adsl)
    assert table.columns[-1].en == "TEAE (TRTEMFL)"
    flags = [(r.label.en, r.cells[-1].text) for r in table.rows]
    assert flags == [("1", "N"), ("1", "Y"), ("2", "")]
    assert "before and after the injection" in table.notes[0].en
    assert table.population.en == "Enrolled (ITT set, N = 2)"
