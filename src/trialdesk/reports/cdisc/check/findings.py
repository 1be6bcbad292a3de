"""Findings: units beside results, baseline records and their results, duplicate results,
tests not done without a reason, and a baseline per subject in the measured domains."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from trialdesk.reports.cdisc.check.model import Hit, Severity, rule
from trialdesk.reports.cdisc.check.submission import Submission, number, text
from trialdesk.reports.cdisc.dataset import Value

# SDTMIG 3.2 §6.3: the Findings domains whose --ORRESU/--STRESU are Expected (LB, VS, EG);
# QS scores and SC characteristics have no units.
_UNIT_DOMAINS = {"LB", "VS", "EG"}
# Assumption (no published list): tests whose results have no unit. P21 2.2 does
# not flag the pilot's urine pH and specific gravity (874 records each without a unit) and
# flags only results that are numbers above 0 (the pilot's KETONES "0" and COLOR "N" are
# not flagged, KETONES "1" is): reproduced here so the counts match.
_UNITLESS_TESTS = {"PH", "SPGRAV"}
# SD0006: the domains in which every treated subject needs a baseline (FDA FDAC113)
_BASELINE_DOMAINS = ("EG", "LB", "MB", "MS", "PC", "VS")
_NOT_TREATED = {"SCRNFAIL", "NOTASSGN"}
# the baseline flag: --BLFL (SDTMIG 3.2), or --LOBXFL, the Last Observation Before Exposure
# Flag that SDTMIG 3.4 §6.3 Findings uses in its place
_BASELINE_FLAGS = ("BLFL", "LOBXFL")


def _baseline(row: Mapping[str, Value], p: str) -> bool:
    return any(text(row, p + flag) == "Y" for flag in _BASELINE_FLAGS)


def _unit_missing(sub: Submission, result: str, unit: str) -> Iterator[Hit]:
    for ds in sub.datasets:
        p = sub.prefix(ds)
        if sub.domain_of(ds) not in _UNIT_DOMAINS or p + unit not in ds.names:
            continue
        for i, row in sub.rows(ds):
            value = number(row.get(p + result))
            if value is None or value <= 0 or text(row, p + unit):
                continue
            if text(row, p + "TESTCD").upper() in _UNITLESS_TESTS:
                continue
            yield Hit(ds.name, i, p + unit, row.get(p + result))


@rule(
    "SD0026",
    "FDAC154",
    Severity.WARNING,
    "Missing value for --ORRESU, when --ORRES is provided",
    source="FDA Validator Rules FDAC154; SDTMIG 3.2 §6.3 (--ORRESU with a numeric --ORRES)",
)
def original_unit_missing(sub: Submission) -> Iterator[Hit]:
    return _unit_missing(sub, "ORRES", "ORRESU")


@rule(
    "SD0029",
    "FDAC169",
    Severity.WARNING,
    "Missing value for --STRESU, when --STRESC is provided",
    source="FDA Validator Rules FDAC169; SDTMIG 3.2 §6.3 (--STRESU with a numeric --STRESC)",
)
def standard_unit_missing(sub: Submission) -> Iterator[Hit]:
    return _unit_missing(sub, "STRESC", "STRESU")


@rule(
    "SD1131",
    "FDAC173",
    Severity.WARNING,
    "Missing --STRESC value for Baseline record",
    source="FDA Validator Rules FDAC173; SDTM v1.4 Findings qualifiers (--BLFL marks a "
    "result; SDTMIG 3.4's --LOBXFL likewise)",
)
def baseline_without_result(sub: Submission) -> Iterator[Hit]:
    for ds in sub.datasets:
        p = sub.prefix(ds)
        flags = {p + f for f in _BASELINE_FLAGS}
        if sub.dataset_class(ds) != "FINDINGS" or p + "STRESC" not in ds.names:
            continue
        if not flags & set(ds.names):
            continue
        for i, row in sub.rows(ds):
            if _baseline(row, p) and not text(row, p + "STRESC"):
                yield Hit(ds.name, i, p + "STRESC", "")


# SD1117's record key: the qualifiers that make two results of one test on one date distinct
# (SDTMIG 3.2 §6.3 Findings: category, specimen, location, position, method, time point)
_RESULT_KEY = (
    "CAT",
    "SCAT",
    "TESTCD",
    "SPEC",
    "LOC",
    "LAT",
    "POS",
    "METHOD",
    "DTC",
    "TPTNUM",
    "TPTREF",
    "EVLINT",
    "GRPID",
)


@rule(
    "SD1117",
    "FDAC212",
    Severity.WARNING,
    "Duplicate records",
    source="FDA Validator Rules FDAC212; SDTMIG 3.2 §6.3 (one record per result per subject "
    "per test and collection date/time)",
)
def duplicate_results(sub: Submission) -> Iterator[Hit]:
    for domain, datasets in sub.by_domain().items():
        p = domain[:2]
        seen: set[tuple[str, ...]] = set()
        for ds in datasets:
            if sub.dataset_class(ds) != "FINDINGS" or not {
                "USUBJID",
                p + "TESTCD",
                p + "DTC",
            } <= set(ds.names):
                continue
            names = ["USUBJID", "VISITNUM"] + [p + k for k in _RESULT_KEY]
            names = [n for n in names if n in ds.names]
            for i, row in sub.rows(ds):
                if not text(row, p + "DTC"):
                    continue
                key = tuple(text(row, n) for n in names)
                if key in seen:
                    yield Hit(ds.name, i, p + "TESTCD", text(row, p + "TESTCD"))
                seen.add(key)


@rule(
    "SD1124",
    "FDAC176",
    Severity.WARNING,
    "Missing value for --REASND, when --STAT is 'NOT DONE'",
    source="FDA Validator Rules FDAC176; SDTMIG 3.2 §4.1.5.1.2 (--STAT and --REASND). Run "
    "where the dataset has --REASND, as P21 2.2 does (the pilot's VS has 8 NOT DONE records "
    "and no VSREASND variable; P21 reports none)",
)
def not_done_without_reason(sub: Submission) -> Iterator[Hit]:
    for ds in sub.datasets:
        p = sub.prefix(ds)
        if not {p + "STAT", p + "REASND"} <= set(ds.names):
            continue
        for i, row in sub.rows(ds):
            if text(row, p + "STAT") == "NOT DONE" and not text(row, p + "REASND"):
                yield Hit(ds.name, i, p + "REASND", "")


@rule(
    "SD0006",
    "FDAC113",
    Severity.WARNING,
    "No baseline result in Domain for subject",
    source="FDA Validator Rules FDAC113 (EG, LB, MB, MS, PC, VS; not screen failures, "
    "subjects not assigned or not treated); SDTM v1.4 Findings qualifiers (--BLFL); "
    "SDTMIG 3.4 (--LOBXFL in its place; ARMCD null with ARMNRS for subjects not assigned)",
)
def no_baseline(sub: Submission) -> Iterator[Hit]:
    dm = sub.dataset("DM")
    if dm is None:
        return
    domains = sub.by_domain()
    for domain in _BASELINE_DOMAINS:
        if domain not in domains:
            continue
        with_baseline = {
            text(row, "USUBJID")
            for ds in domains[domain]
            for row in ds.rows
            if _baseline(row, domain)
        }
        for i, row in sub.rows(dm):
            # ARMCD is compared ignoring case: the pilot writes "Scrnfail". SDTMIG 3.4 leaves
            # ARMCD null and says why in ARMNRS (screen failure, not assigned, not treated)
            if text(row, "ARMCD").upper() in _NOT_TREATED or not text(row, "ARMCD"):
                continue
            if text(row, "ARMNRS"):
                continue
            if text(row, "ACTARMCD").upper() == "NOTTRT":
                continue
            if text(row, "USUBJID") not in with_baseline:
                yield Hit(dm.name, i, "USUBJID", f"{text(row, 'USUBJID')} ({domain})")


_TESTCD = re.compile(r"^[A-Z_][A-Z0-9_]{0,7}$")


@rule(
    "SD0018",
    "FDAC058",
    Severity.ERROR,
    "Invalid value for --TESTCD variable",
    source="FDA Validator Rules FDAC058; SDTMIG 3.2 §4.1.2.1 (--TESTCD: at most 8 characters, "
    "letters, digits and underscores, not starting with a digit; it becomes a SAS name)",
)
def invalid_testcd(sub: Submission) -> Iterator[Hit]:
    for ds in sub.datasets:
        name = sub.prefix(ds) + "TESTCD"
        if sub.dataset_class(ds) != "FINDINGS" or name not in ds.names:
            continue
        for i, row in sub.rows(ds):
            value = text(row, name)
            if value and not _TESTCD.match(value):
                yield Hit(ds.name, i, name, value)


@rule(
    "SD0017",
    "FDAC057",
    Severity.ERROR,
    "Invalid value for --TEST variable",
    source="FDA Validator Rules FDAC057 (--TEST at most 40 characters: it becomes a SAS "
    "label); SDTMIG 3.2 §4.1.2.1 exempts IETEST, the criterion's text (up to 200)",
)
def invalid_test(sub: Submission) -> Iterator[Hit]:
    for ds in sub.datasets:
        name = sub.prefix(ds) + "TEST"
        if sub.domain_of(ds) == "IE":
            continue
        if sub.dataset_class(ds) != "FINDINGS" or name not in ds.names:
            continue
        for i, row in sub.rows(ds):
            value = text(row, name)
            if len(value) > 40:
                yield Hit(ds.name, i, name, value)


def _one_to_one(sub: Submission, key: str, value: str) -> Iterator[Hit]:
    """Records whose --``value`` differs from the first one seen for their --``key`` in the
    domain (split datasets together)."""
    for domain, datasets in sub.by_domain().items():
        k, v = domain[:2] + key, domain[:2] + value
        first: dict[str, str] = {}
        for ds in datasets:
            if sub.dataset_class(ds) != "FINDINGS" or not {k, v} <= set(ds.names):
                continue
            for i, row in sub.rows(ds):
                a, b = text(row, k), text(row, v)
                if a and b and first.setdefault(a, b) != b:
                    yield Hit(ds.name, i, v, b)


@rule(
    "SD0040",
    "FDAC085",
    Severity.ERROR,
    "Inconsistent value for --TEST within --TESTCD",
    source="FDA Validator Rules FDAC085; SDTMIG 3.2 §6.3 (--TESTCD and --TEST 1:1)",
)
def test_within_testcd(sub: Submission) -> Iterator[Hit]:
    return _one_to_one(sub, "TESTCD", "TEST")


@rule(
    "SD1043",
    "FDAC086",
    Severity.ERROR,
    "Inconsistent value for --TESTCD within --TEST",
    source="FDA Validator Rules FDAC086; SDTMIG 3.2 §6.3 (--TESTCD and --TEST 1:1)",
)
def testcd_within_test(sub: Submission) -> Iterator[Hit]:
    return _one_to_one(sub, "TEST", "TESTCD")
