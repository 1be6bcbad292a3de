"""Metadata: the datasets against their define.xml (datasets and variables described, labels
as declared), required values present, and character lengths fitted to the data."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from trialdesk.reports.cdisc.check.model import Hit, Severity, rule
from trialdesk.reports.cdisc.check.submission import Submission, blank
from trialdesk.reports.cdisc.dataset import Dataset
from trialdesk.reports.cdisc.sdtm.variables import ig_variables


@rule(
    "SD1063",
    "FDAC023",
    Severity.ERROR,
    "Dataset is not present in define.xml",
    source="FDA Validator Rules FDAC023; Define-XML 2.0 §4.3 (an ItemGroupDef per dataset)",
    needs_define=True,
)
def dataset_not_in_define(sub: Submission) -> Iterator[Hit]:
    assert sub.define is not None
    for ds in sub.datasets:
        if ds.name not in sub.define.datasets:
            yield Hit(ds.name, None, "", ds.name)


@rule(
    "SD0061",
    "FDAC024",
    Severity.WARNING,
    "Domain referenced in define.xml but dataset is missing",
    source="FDA Validator Rules FDAC024; Define-XML 2.0 §4.3",
    needs_define=True,
)
def define_dataset_missing(sub: Submission) -> Iterator[Hit]:
    assert sub.define is not None
    present = {ds.name for ds in sub.datasets}
    for name in sub.define.datasets:
        if name not in present:
            yield Hit(name, None, "", name)


@rule(
    "SD0060",
    "FDAC026",
    Severity.ERROR,
    "Variable in dataset is not present in define.xml",
    source="FDA Validator Rules FDAC026; Define-XML 2.0 §4.3.1 (an ItemRef per variable)",
    needs_define=True,
)
def variable_not_in_define(sub: Submission) -> Iterator[Hit]:
    assert sub.define is not None
    for ds in sub.datasets:
        declared = sub.define.datasets.get(ds.name)
        if declared is None:
            continue  # SD1063 reports the dataset
        for name in ds.names:
            if name not in declared.variables:
                yield Hit(ds.name, None, name, name)


@rule(
    "SD0054",
    "FDAC025",
    Severity.WARNING,
    "Variable in define.xml is not present in the dataset",
    source="FDA Validator Rules FDAC025; Define-XML 2.0 §4.3.1",
    needs_define=True,
)
def define_variable_missing(sub: Submission) -> Iterator[Hit]:
    assert sub.define is not None
    for ds in sub.datasets:
        declared = sub.define.datasets.get(ds.name)
        if declared is None:
            continue
        for name in declared.variables:
            if name not in ds.names:
                yield Hit(ds.name, None, name, name)


# Variables whose SDTMIG Core is "Req". For the domains trialdesk builds, the SDTMIG 3.4
# table beside the SDTM domains (reports/cdisc/sdtm/sdtmig_3_4.csv); for the others, the
# SDTMIG 3.4 §6-8 domain tables (the same in 3.2 for these): every general-class domain has
# STUDYID, DOMAIN, USUBJID, --SEQ and its topic variable. define.xml's Mandatory is not
# used: the pilot's define marks TSVAL Mandatory although SDTMIG 3.2 made it Exp (null with
# TSVALNF), and P21 follows the IG.
_REQUIRED_BY_CLASS = {
    "FINDINGS": ("STUDYID", "DOMAIN", "USUBJID", "--SEQ", "--TESTCD", "--TEST"),
    "EVENTS": ("STUDYID", "DOMAIN", "USUBJID", "--SEQ", "--TERM"),
    "INTERVENTIONS": ("STUDYID", "DOMAIN", "USUBJID", "--SEQ", "--TRT"),
}
_REQUIRED_BY_DOMAIN = {
    "QS": ("QSCAT",),
    "RELREC": ("STUDYID", "RDOMAIN", "RELID"),
    "SUPP": ("STUDYID", "RDOMAIN", "USUBJID", "QNAM", "QLABEL", "QVAL", "QORIG"),
}


@lru_cache(maxsize=1)
def _ig_required() -> dict[str, tuple[str, ...]]:
    return {
        domain: tuple(n for n, v in variables.items() if v.core == "Req")
        for domain, variables in ig_variables().items()
    }


def required_variables(sub: Submission, ds: Dataset) -> list[str]:
    """The dataset's variables whose SDTMIG core is Req (or core Req in its own metadata)."""
    domain = sub.domain_of(ds)
    p = domain[:2]
    names = [n.replace("--", p) for n in _REQUIRED_BY_CLASS.get(sub.dataset_class(ds), ())]
    names += _ig_required().get(domain, ())
    names += _REQUIRED_BY_DOMAIN.get("SUPP" if domain.startswith("SUPP") else domain, ())
    names += [v.name for v in ds.variables if v.core == "Req"]
    present = set(ds.names)
    return [n for n in dict.fromkeys(names) if n in present]


@rule(
    "SD0002",
    "FDAC018",
    Severity.ERROR,
    "NULL value in variable marked as Required",
    source="FDA Validator Rules FDAC018; the SDTMIG 3.4 domain specification tables "
    "(Core Req: never null)",
)
def required_null(sub: Submission) -> Iterator[Hit]:
    for ds in sub.datasets:
        required = required_variables(sub, ds)
        for i, row in sub.rows(ds):
            for name in required:
                if blank(row.get(name)):
                    yield Hit(ds.name, i, name, "")


@rule(
    "SD1082",
    "FDAC036",
    Severity.ERROR,
    "Variable length is too long for actual data",
    source="FDA Validator Rules FDAC036; FDA Study Data Technical Conformance Guide "
    "(character lengths set to the longest value used; a split domain's datasets share the "
    "domain's longest, SDTMIG 3.2 §4.1.1.7)",
)
def length_too_long(sub: Submission) -> Iterator[Hit]:
    for datasets in sub.by_domain().values():
        longest: dict[str, int] = {}
        for ds in datasets:
            for v in ds.variables:
                if v.kind == "Char":
                    n = max(
                        (len(str(r.get(v.name) or "").rstrip().encode("utf-8")) for r in ds.rows),
                        default=0,
                    )
                    longest[v.name] = max(longest.get(v.name, 0), n)
        for ds in datasets:
            for v in ds.variables:
                # a variable null throughout keeps length 1 (SAS cannot store 0)
                if v.kind == "Char" and v.length is not None and v.length > max(longest[v.name], 1):
                    yield Hit(
                        ds.name, None, v.name, f"length {v.length}, longest value {longest[v.name]}"
                    )
