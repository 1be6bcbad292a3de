"""Visits: one VISIT per VISITNUM and one VISITNUM per VISIT within a domain, and every
subject's visit in the data present in SV (SDTMIG 3.2 §4.1.4.5, §5.3.2 SV)."""

from __future__ import annotations

from collections.abc import Iterator

from trialdesk.reports.cdisc.check.model import Hit, Severity, rule
from trialdesk.reports.cdisc.check.submission import Submission, text


def _inconsistent(sub: Submission, key: str, value: str) -> Iterator[Hit]:
    """Records whose ``value`` differs from the first one seen for their ``key`` within the
    domain (split datasets together)."""
    for datasets in sub.by_domain().values():
        first: dict[str, str] = {}
        for ds in datasets:
            if not {key, value} <= set(ds.names):
                continue
            for i, row in sub.rows(ds):
                k, v = text(row, key), text(row, value)
                if not k or not v:
                    continue
                if first.setdefault(k, v) != v:
                    yield Hit(ds.name, i, value, v)


@rule(
    "SD0051",
    "FDAC091",
    Severity.ERROR,
    "Inconsistent value for VISIT within VISITNUM",
    source="FDA Validator Rules FDAC091; SDTMIG 3.2 §4.1.4.5 (VISITNUM and VISIT 1:1)",
)
def visit_within_visitnum(sub: Submission) -> Iterator[Hit]:
    return _inconsistent(sub, "VISITNUM", "VISIT")


@rule(
    "SD0052",
    "FDAC092",
    Severity.ERROR,
    "Inconsistent value for VISITNUM within VISIT",
    source="FDA Validator Rules FDAC092; SDTMIG 3.2 §4.1.4.5 (VISITNUM and VISIT 1:1)",
)
def visitnum_within_visit(sub: Submission) -> Iterator[Hit]:
    return _inconsistent(sub, "VISIT", "VISITNUM")


@rule(
    "SD0065",
    "FDAC104",
    Severity.WARNING,
    "USUBJID/VISIT/VISITNUM values do not match SV domain data",
    source="FDA Validator Rules FDAC104; SDTMIG 3.2 §5.3.2 SV (one record per subject "
    "visit, planned or not); records with --STAT populated are exempt",
)
def visit_not_in_sv(sub: Submission) -> Iterator[Hit]:
    sv = sub.dataset("SV")
    if sv is None:
        return
    visits = {(text(r, "USUBJID"), text(r, "VISIT"), text(r, "VISITNUM")) for r in sv.rows}
    for ds in sub.datasets:
        if not sub.general(ds) or not {"USUBJID", "VISITNUM", "VISIT"} <= set(ds.names):
            continue
        stat = sub.prefix(ds) + "STAT"
        for i, row in sub.rows(ds):
            key = (text(row, "USUBJID"), text(row, "VISIT"), text(row, "VISITNUM"))
            if not key[2] or text(row, stat) or key in visits:
                continue
            yield Hit(ds.name, i, "VISITNUM", row.get("VISITNUM"))
