"""Identifiers: DOMAIN, --SEQ, USUBJID across the submission, and DM's arms and age."""

from __future__ import annotations

from collections.abc import Iterator

from trialdesk.reports.cdisc.check.model import Hit, Severity, rule
from trialdesk.reports.cdisc.check.submission import Submission, text


@rule(
    "SD0004",
    "FDAC056",
    Severity.ERROR,
    "Inconsistent value for DOMAIN",
    source="FDA Validator Rules FDAC056; SDTM v1.4 §2.2.4 (DOMAIN); SDTMIG 3.2 §4.1.1.7 "
    "(split datasets keep their domain's DOMAIN, e.g. LBCH holds DOMAIN = LB)",
)
def inconsistent_domain(sub: Submission) -> Iterator[Hit]:
    for ds in sub.datasets:
        if "DOMAIN" not in ds.names:
            continue
        for i, row in sub.rows(ds):
            value = text(row, "DOMAIN")
            # a dataset named after its domain, or a split dataset whose name starts with it
            split = len(value) == 2 and len(ds.name) > 2 and ds.name.startswith(value)
            if value != ds.name and not split:
                yield Hit(ds.name, i, "DOMAIN", value)


@rule(
    "SD0005",
    "FDAC044",
    Severity.ERROR,
    "Duplicate value for --SEQ variable",
    source="FDA Validator Rules FDAC044; SDTM v1.4 §2.2.4 (--SEQ unique within a subject and "
    "domain); SDTMIG 3.2 §4.1.1.7 (across the datasets of a split domain)",
)
def duplicate_sequence(sub: Submission) -> Iterator[Hit]:
    for domain, datasets in sub.by_domain().items():
        seen: set[tuple[str, str]] = set()
        for ds in datasets:
            seq = domain[:2] + "SEQ"
            owner = next((n for n in ("USUBJID", "POOLID") if n in ds.names), None)
            if seq not in ds.names or owner is None:
                continue
            for i, row in sub.rows(ds):
                key = (text(row, owner) or text(row, "POOLID"), text(row, seq))
                if not key[1]:
                    continue
                if key in seen:
                    yield Hit(ds.name, i, seq, row.get(seq))
                seen.add(key)


@rule(
    "SD0083",
    "FDAC041",
    Severity.ERROR,
    "Duplicate USUBJID",
    source="FDA Validator Rules FDAC041; SDTMIG 3.2 §5.1.1 DM (one record per subject)",
)
def duplicate_subject(sub: Submission) -> Iterator[Hit]:
    dm = sub.dataset("DM")
    if dm is None:
        return
    seen: set[str] = set()
    for i, row in sub.rows(dm):
        usubjid = text(row, "USUBJID")
        if usubjid in seen:
            yield Hit(dm.name, i, "USUBJID", usubjid)
        seen.add(usubjid)


@rule(
    "SD0064",
    "FDAC040",
    Severity.ERROR,
    "Subject is not present in DM domain",
    source="FDA Validator Rules FDAC040; SDTMIG 3.2 §5.1.1 (every subject is in DM)",
)
def subject_not_in_dm(sub: Submission) -> Iterator[Hit]:
    if sub.dataset("DM") is None:
        return
    subjects = sub.subjects
    for ds in sub.datasets:
        if ds.name == "DM" or "USUBJID" not in ds.names:
            continue
        for i, row in sub.rows(ds):
            usubjid = text(row, "USUBJID")
            if usubjid and usubjid not in subjects:
                yield Hit(ds.name, i, "USUBJID", usubjid)


@rule(
    "SD1129",
    "FDAC190",
    Severity.ERROR,
    "Neither AGE nor AGETXT variables are present",
    source="FDA Validator Rules FDAC190; SDTMIG 3.2 §5.1.1 DM (AGE expected, AGETXT)",
)
def no_age_variable(sub: Submission) -> Iterator[Hit]:
    dm = sub.dataset("DM")
    if dm is not None and not {"AGE", "AGETXT"} & set(dm.names):
        yield Hit(dm.name, None, "AGE")


@rule(
    "SD2236",
    "FDAC197",
    Severity.WARNING,
    "ACTARMCD does not equal ARMCD",
    source="FDA Validator Rules FDAC197; SDTMIG 3.2 §5.1.1 DM (ARMCD planned, ACTARMCD actual arm)",
)
def actual_arm_differs(sub: Submission) -> Iterator[Hit]:
    dm = sub.dataset("DM")
    if dm is None or not {"ARMCD", "ACTARMCD"} <= set(dm.names):
        return
    for i, row in sub.rows(dm):
        if text(row, "ARMCD") != text(row, "ACTARMCD"):
            yield Hit(dm.name, i, "ACTARMCD", text(row, "ACTARMCD"))
