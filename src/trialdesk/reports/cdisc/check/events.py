"""Events: an end for every adverse event, and a seriousness criterion for every serious one."""

from __future__ import annotations

from collections.abc import Iterator

from trialdesk.reports.cdisc.check.dates import iso8601_valid, later
from trialdesk.reports.cdisc.check.model import Hit, Severity, rule
from trialdesk.reports.cdisc.check.submission import Submission, text

# SDTMIG 3.2 §6.2 AE: the seriousness criteria that back AESER = "Y"
_SERIOUS = ("AESCAN", "AESCONG", "AESDISAB", "AESDTH", "AESHOSP", "AESLIFE", "AESMIE")


@rule(
    "SD0021",
    "FDAC117",
    Severity.WARNING,
    "Missing End Time-Point value",
    source="FDA Validator Rules FDAC117; SDTMIG 3.2 §4.1.4.7 (--ENDTC, --ENRF, --ENRTPT). "
    "Applied to AE only, as P21 2.2's SDTM 3.2 configuration does (assumption: the "
    "pilot's CM holds 6,812 records without CMENDTC and P21 reports none)",
)
def missing_end(sub: Submission) -> Iterator[Hit]:
    for ds in sub.by_domain().get("AE", []):
        if "AEENDTC" not in ds.names:
            continue
        for i, row in sub.rows(ds):
            if text(row, "AEOCCUR") == "N":
                continue
            if not any(text(row, n) for n in ("AEENDTC", "AEENRF", "AEENRTPT")):
                yield Hit(ds.name, i, "AEENDTC", "")


@rule(
    "SD0009",
    "FDAC206",
    Severity.ERROR,
    "No qualifiers set to 'Y', when AE is Serious",
    source="FDA Validator Rules FDAC206; SDTMIG 3.2 §6.2 AE (AESER and its criteria)",
)
def serious_without_criterion(sub: Submission) -> Iterator[Hit]:
    for ds in sub.by_domain().get("AE", []):
        if "AESER" not in ds.names:
            continue
        flags = [n for n in _SERIOUS if n in ds.names]
        for i, row in sub.rows(ds):
            if text(row, "AESER") == "Y" and not any(text(row, n) == "Y" for n in flags):
                yield Hit(ds.name, i, "AESER", "Y")


@rule(
    "SD0090",
    "FDAC209",
    Severity.ERROR,
    "AESDTH is not 'Y', when AEOUT='FATAL'",
    source="FDA Validator Rules FDAC209; SDTMIG 3.2 §6.2 AE (AEOUT, AESDTH)",
)
def fatal_without_death(sub: Submission) -> Iterator[Hit]:
    for ds in sub.by_domain().get("AE", []):
        if not {"AEOUT", "AESDTH"} <= set(ds.names):
            continue
        for i, row in sub.rows(ds):
            if text(row, "AEOUT") == "FATAL" and text(row, "AESDTH") != "Y":
                yield Hit(ds.name, i, "AESDTH", text(row, "AESDTH"))


@rule(
    "SD0091",
    "FDAC210",
    Severity.ERROR,
    "AEOUT is not 'FATAL', when AESDTH='Y'",
    source="FDA Validator Rules FDAC210; SDTMIG 3.2 §6.2 AE (AEOUT, AESDTH)",
)
def death_not_fatal(sub: Submission) -> Iterator[Hit]:
    for ds in sub.by_domain().get("AE", []):
        if not {"AEOUT", "AESDTH"} <= set(ds.names):
            continue
        for i, row in sub.rows(ds):
            if text(row, "AESDTH") == "Y" and text(row, "AEOUT") != "FATAL":
                yield Hit(ds.name, i, "AEOUT", text(row, "AEOUT"))


@rule(
    "SD0080",
    "FDAC208",
    Severity.ERROR,
    "AE start date is after the latest Disposition date",
    source="FDA Validator Rules FDAC208; SDTMIG 3.2 §6.2 DS (the last disposition event ends "
    "the subject's participation). Only records with DSCAT = DISPOSITION EVENT count, where "
    "DS has DSCAT: a protocol milestone such as informed consent is not the end of a "
    "subject who is still in the study (assumption)",
)
def ae_after_disposition(sub: Submission) -> Iterator[Hit]:
    latest: dict[str, str] = {}
    for ds in sub.by_domain().get("DS", []):
        for row in ds.rows:
            if "DSCAT" in ds.names and text(row, "DSCAT") != "DISPOSITION EVENT":
                continue
            on, who = text(row, "DSSTDTC"), text(row, "USUBJID")
            if on and iso8601_valid(on) and (who not in latest or later(on, latest[who])):
                latest[who] = on
    for ds in sub.by_domain().get("AE", []):
        if "AESTDTC" not in ds.names:
            continue
        for i, row in sub.rows(ds):
            start = text(row, "AESTDTC")
            last = latest.get(text(row, "USUBJID"))
            if start and last and later(start, last):
                yield Hit(ds.name, i, "AESTDTC", start)
