"""Trial design: one element per ETCD and ELEMENT in TE, one TSSEQ per parameter in TS
(SDTMIG 3.2 §7.2-7.6)."""

from __future__ import annotations

from collections.abc import Iterator

from trialdesk.reports.cdisc.check.model import Hit, Severity, rule
from trialdesk.reports.cdisc.check.submission import Submission, text


def _repeats(sub: Submission, dataset: str, *names: str) -> Iterator[Hit]:
    ds = sub.dataset(dataset)
    if ds is None or not set(names) <= set(ds.names):
        return
    seen: set[tuple[str, ...]] = set()
    for i, row in sub.rows(ds):
        key = tuple(text(row, n) for n in names)
        if key in seen:
            yield Hit(ds.name, i, names[-1], key[-1])
        seen.add(key)


@rule(
    "SD1064",
    "FDAC219",
    Severity.ERROR,
    "Duplicate ETCD value",
    source="FDA Validator Rules FDAC219; SDTMIG 3.2 §7.2.2 TE (one record per element)",
)
def duplicate_etcd(sub: Submission) -> Iterator[Hit]:
    return _repeats(sub, "TE", "ETCD")


@rule(
    "SD1068",
    "FDAC218",
    Severity.ERROR,
    "Duplicate ELEMENT value",
    source="FDA Validator Rules FDAC218; SDTMIG 3.2 §7.2.2 TE (one record per element)",
)
def duplicate_element(sub: Submission) -> Iterator[Hit]:
    return _repeats(sub, "TE", "ELEMENT")


@rule(
    "SD1038",
    "FDAC045",
    Severity.ERROR,
    "Non-unique value for TSSEQ variable within TSPARMCD",
    source="FDA Validator Rules FDAC045; SDTMIG 3.2 §7.6 TS (TSSEQ numbers a parameter's values)",
)
def duplicate_tsseq(sub: Submission) -> Iterator[Hit]:
    return _repeats(sub, "TS", "TSPARMCD", "TSSEQ")
