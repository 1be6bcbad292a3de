"""The Findings domains, CM and SUPP-- of a simulated trial (6 participants): every result
item a form targets is in its domain as many times as it was saved, --SEQ is unique per
subject, no test is twice at one visit and time point, every label is SDTMIG 3.4's, and
every dataset goes through SAS transport v5 and back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from trialdesk.reports.cdisc.dataset import Dataset, read_xpt, write_xpt
from trialdesk.reports.cdisc.sdtm.cm import cm_domain
from trialdesk.reports.cdisc.sdtm.findings import findings_domains
from trialdesk.reports.cdisc.sdtm.findings_context import form_key
from trialdesk.reports.cdisc.sdtm.findings_values import item_value
from trialdesk.reports.cdisc.sdtm.supp import supp_datasets
from trialdesk.study.loader import load_study
from trialdesk.trial.conduct.participants import list_participants
from trialdesk.trial.review.casebook import casebooks
from trialdesk.trial.simulate.run import simulate
from trialdesk.trial.store.db import open_store

STUDY = load_study("NCT06947746")

# SDTMIG 3.4 Section 6.3 domain tables (Findings), labels as published
COMMON = {
    "STUDYID": "Study Identifier", "DOMAIN": "Domain Abbreviation",
    "USUBJID": "Unique Subject Identifier", "VISITNUM": "Visit Number", "VISIT": "Visit Name",
    "VISITDY": "Planned Study Day of Visit", "EPOCH": "Epoch",
}  # fmt: skip
SDTMIG_34 = {
    "VS": {"VSSEQ": "Sequence Number", "VSTESTCD": "Vital Signs Test Short Name",
           "VSTEST": "Vital Signs Test Name", "VSORRES": "Result or Finding in Original Units",
           "VSORRESU": "Original Units", "VSSTRESC": "Character Result/Finding in Std Format",
           "VSSTRESN": "Numeric Result/Finding in Standard Units", "VSSTRESU": "Standard Units",
           "VSLOBXFL": "Last Observation Before Exposure Flag",
           "VSDTC": "Date/Time of Measurements", "VSDY": "Study Day of Vital Signs",
           "VSTPT": "Planned Time Point Name", "VSTPTNUM": "Planned Time Point Number"},
    "LB": {"LBSEQ": "Sequence Number", "LBTESTCD": "Lab Test or Examination Short Name",
           "LBTEST": "Lab Test or Examination Name", "LBCAT": "Category for Lab Test",
           "LBORRES": "Result or Finding in Original Units", "LBORRESU": "Original Units",
           "LBORNRLO": "Reference Range Lower Limit in Orig Unit",
           "LBORNRHI": "Reference Range Upper Limit in Orig Unit",
           "LBSTRESC": "Character Result/Finding in Std Format",
           "LBSTRESN": "Numeric Result/Finding in Standard Units", "LBSTRESU": "Standard Units",
           "LBSTNRLO": "Reference Range Lower Limit-Std Units",
           "LBSTNRHI": "Reference Range Upper Limit-Std Units",
           "LBNRIND": "Reference Range Indicator", "LBMETHOD": "Method of Test or Examination",
           "LBLOBXFL": "Last Observation Before Exposure Flag", "LBTOX": "Toxicity",
           "LBTOXGR": "Standard Toxicity Grade", "LBDTC": "Date/Time of Specimen Collection",
           "LBDY": "Study Day of Specimen Collection"},
    "QS": {"QSSEQ": "Sequence Number", "QSTESTCD": "Question Short Name",
           "QSTEST": "Question Name", "QSCAT": "Category of Question",
           "QSSCAT": "Subcategory for Question", "QSORRES": "Finding in Original Units",
           "QSORRESU": "Original Units", "QSSTRESC": "Character Result/Finding in Std Format",
           "QSSTRESN": "Numeric Finding in Standard Units", "QSSTRESU": "Standard Units",
           # Findings class qualifiers added under Section 2.5
           "QSLOC": "Location Used for the Measurement", "QSLAT": "Laterality",
           "QSLOBXFL": "Last Observation Before Exposure Flag", "QSDRVFL": "Derived Flag",
           "QSDTC": "Date/Time of Finding", "QSDY": "Study Day of Finding"},
    "MK": {"MKSEQ": "Sequence Number", "MKTESTCD": "Short Name of Musculoskeletal Test",
           "MKTEST": "Name of Musculoskeletal Test",
           "MKORRES": "Result or Finding in Original Units", "MKORRESU": "Original Units",
           "MKSTRESC": "Character Result/Finding in Std Format",
           "MKSTRESN": "Numeric Result/Finding in Standard Units", "MKSTRESU": "Standard Units",
           "MKLOC": "Location Used for the Measurement", "MKLAT": "Laterality",
           "MKMETHOD": "Method of Test or Examination",
           "MKLOBXFL": "Last Observation Before Exposure Flag", "MKDRVFL": "Derived Flag",
           "MKDTC": "Date/Time of Collection", "MKDY": "Study Day of Visit/Collection/Exam"},
    "RS": {"RSSEQ": "Sequence Number", "RSTESTCD": "Assessment Short Name",
           "RSTEST": "Assessment Name", "RSCAT": "Category for Assessment",
           "RSORRES": "Result or Finding in Original Units",
           "RSSTRESC": "Character Result/Finding in Std Format",
           "RSSTRESN": "Numeric Result/Finding in Standard Units",
           "RSLOBXFL": "Last Observation Before Exposure Flag", "RSDRVFL": "Derived Flag",
           "RSDTC": "Date/Time of Assessment", "RSDY": "Study Day of Assessment"},
}  # fmt: skip


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[dict[str, Any]]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('sdtm_findings') / 'trial.db'}"
    store = open_store(url)
    simulate(store, STUDY, participants=6, seed=3, as_of=date(2026, 11, 30))
    with store.read() as session:
        yield list(casebooks(session, list_participants(session, STUDY.id)).values())


@pytest.fixture(scope="module")
def datasets(books: list[dict[str, Any]]) -> dict[str, Dataset]:
    return {d.name: d for d in findings_domains(STUDY, books)}


def saved_results(books: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """(domain, testcd) -> how many times a result item of that test holds a value."""
    found: Counter[tuple[str, str]] = Counter()
    for book in books:
        for text, content in book["forms"].items():
            for item in STUDY.forms[form_key(text).form_id].items:
                t = item.sdtm
                if t is None or not t.testcd or t.variable or t.domain.startswith("SUPP"):
                    continue
                if item_value(content, item) not in (None, ""):
                    found[(t.domain, t.testcd)] += 1
    return found


def test_every_saved_result_is_a_record(
    books: list[dict[str, Any]], datasets: dict[str, Dataset]
) -> None:
    expected = saved_results(books)
    made = Counter(
        (name, str(row[f"{name}TESTCD"])) for name, d in datasets.items() for row in d.rows
    )
    assert made == expected
    assert set(datasets) == {"LB", "MK", "QS", "RS", "VS"}
    assert len(books) == 6 and sum(made.values()) > 1000


def test_sequence_and_keys_are_unique(datasets: dict[str, Dataset]) -> None:
    for name, d in datasets.items():
        seqs = [(r["USUBJID"], r[f"{name}SEQ"]) for r in d.rows]
        assert len(set(seqs)) == len(seqs), name
        keys = Counter(tuple(r.get(k) for k in d.keys) for r in d.records())
        assert max(keys.values()) == 1, (name, keys.most_common(1))
        # one record per test, visit and time point (the schedule has one form a visit)
        visit_test = Counter(
            (r["USUBJID"], r[f"{name}TESTCD"], r["VISITNUM"], r.get(f"{name}TPT", ""))
            for r in d.records()
        )
        assert max(visit_test.values()) == 1, name


def test_labels_are_sdtmig_34(datasets: dict[str, Dataset]) -> None:
    for name, d in datasets.items():
        for v in d.variables:
            assert len(v.label) <= 40, v.name
            assert v.label == {**COMMON, **SDTMIG_34[name]}[v.name], (name, v.name)
    cm = cm_domain(STUDY, [])
    assert cm.variable("CMTRT").label == "Reported Name of Drug, Med, or Therapy"


def test_baseline_flag_once_per_subject_and_test(datasets: dict[str, Dataset]) -> None:
    for name, d in datasets.items():
        flagged = Counter(
            (r["USUBJID"], r[f"{name}TESTCD"], r.get(f"{name}LAT", ""))
            for r in d.records() if r[f"{name}LOBXFL"] == "Y"
        )  # fmt: skip
        assert flagged and max(flagged.values()) == 1, name
        days = [r[f"{name}DY"] for r in d.records() if r[f"{name}LOBXFL"] == "Y"]
        assert all(isinstance(day, int) and day <= 1 for day in days), name


def test_through_sas_transport_and_back(datasets: dict[str, Dataset], books: list[dict[str, Any]],
                                        tmp_path: Path) -> None:  # fmt: skip
    every = [*datasets.values(), cm_domain(STUDY, books)]
    every += supp_datasets(every)
    for d in every:
        back = read_xpt(write_xpt(d, tmp_path / f"{d.name.lower()}.xpt"))
        assert back.names == d.names and len(back.rows) == len(d.rows)
        assert [v.label for v in back.variables] == [v.label for v in d.variables]
