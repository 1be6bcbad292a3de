"""A submission as the rules see it: the datasets of one directory, grouped by domain (split
datasets such as LBCH, LBHE and LBUR make one domain LB, as SDTMIG 3.2 §4.1.1.7 allows), the
define.xml metadata when there is one, and the small reads every rule needs (a blank value,
a number, the subject's reference start date)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

from trialdesk.reports.cdisc.check.define_meta import DefineMeta
from trialdesk.reports.cdisc.dataset import Dataset, Value

__all__ = ["Submission", "blank", "number", "text"]

# SDTMIG 3.2 §2.6 / SDTM 1.4 §2.2: the general observation classes of the standard domains;
# a custom domain falls back to its topic variable (--TESTCD, --TERM or --TRT)
_CLASSES = {
    "FINDINGS": {
        "DA",
        "DD",
        "EG",
        "FA",
        "IE",
        "IS",
        "LB",
        "MB",
        "MI",
        "MO",
        "MS",
        "PC",
        "PE",
        "PP",
        "QS",
        "RP",
        "RS",
        "SC",
        "SS",
        "TR",
        "TU",
        "VS",
        "FT",
        "CV",
        "MK",
        "NV",
        "OE",
        "RE",
        "UR",
    },
    "EVENTS": {"AE", "CE", "DS", "DV", "HO", "MH"},
    "INTERVENTIONS": {"CM", "EC", "EX", "ML", "PR", "SU", "AG"},
    "SPECIAL PURPOSE": {"CO", "DM", "SE", "SV", "SM"},
    "TRIAL DESIGN": {"TA", "TD", "TE", "TI", "TM", "TS", "TV"},
}
_TOPIC = {"TESTCD": "FINDINGS", "TERM": "EVENTS", "TRT": "INTERVENTIONS"}


def blank(value: Value) -> bool:
    """Null as SDTM means it: a missing number or a character value of spaces only."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def text(row: Mapping[str, Value], name: str) -> str:
    value = row.get(name)
    if blank(value):
        return ""
    if isinstance(value, float):
        # 12 significant digits: XPT's IBM floats turn 9.3 into 9.299999999999999 in places
        return format(value, ".12g")
    return str(value).strip()


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def number(value: Value) -> float | None:
    """A number, from a numeric variable or a character one holding a plain number."""
    if blank(value):
        return None
    if isinstance(value, int | float):
        return float(value)
    s = str(value).strip()
    return float(s) if _NUMBER.match(s) else None


@dataclass(frozen=True)
class Submission:
    datasets: tuple[Dataset, ...]
    define: DefineMeta | None = None

    def dataset(self, name: str) -> Dataset | None:
        for ds in self.datasets:
            if ds.name == name:
                return ds
        return None

    def domain_of(self, ds: Dataset) -> str:
        """The domain a dataset belongs to: its DOMAIN value (LBCH -> LB), SUPP + its
        RDOMAIN for supplemental qualifiers (SUPPLBCH -> SUPPLB), else its name."""
        return self._domains[ds.name]

    @cached_property
    def _domains(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for ds in self.datasets:
            out[ds.name] = ds.name
            column = "RDOMAIN" if ds.name.startswith("SUPP") else "DOMAIN"
            if column not in ds.names:
                continue
            for row in ds.rows:
                value = text(row, column)
                if value:
                    out[ds.name] = "SUPP" + value if column == "RDOMAIN" else value
                    break
        return out

    def prefix(self, ds: Dataset) -> str:
        """The two-letter variable prefix (--) of a domain's own variables."""
        return self.domain_of(ds)[:2]

    def by_domain(self) -> dict[str, list[Dataset]]:
        out: dict[str, list[Dataset]] = {}
        for ds in self.datasets:
            out.setdefault(self.domain_of(ds), []).append(ds)
        return out

    def dataset_class(self, ds: Dataset) -> str:
        """FINDINGS, EVENTS, INTERVENTIONS, SPECIAL PURPOSE, TRIAL DESIGN, RELATIONSHIP."""
        if ds.dataset_class:
            return ds.dataset_class.upper()
        if self.define and ds.name in self.define.datasets:
            declared = self.define.datasets[ds.name].dataset_class
            if declared:
                return declared.upper()
        domain = self.domain_of(ds)
        if domain.startswith("SUPP") or domain == "RELREC":
            return "RELATIONSHIP"
        for cls, domains in _CLASSES.items():
            if domain in domains:
                return cls
        prefix = self.prefix(ds)
        for suffix, cls in _TOPIC.items():
            if prefix + suffix in ds.names:
                return cls
        return ""

    def general(self, ds: Dataset) -> bool:
        return self.dataset_class(ds) in {"FINDINGS", "EVENTS", "INTERVENTIONS"}

    @cached_property
    def subjects(self) -> dict[str, Mapping[str, Value]]:
        """DM's records by USUBJID (the first, should there be two)."""
        dm = self.dataset("DM")
        out: dict[str, Mapping[str, Value]] = {}
        if dm is not None:
            for row in dm.rows:
                out.setdefault(text(row, "USUBJID"), row)
        return out

    def rows(self, ds: Dataset) -> Iterator[tuple[int, Mapping[str, Value]]]:
        """Each record with its 1-based record number."""
        return enumerate(ds.rows, start=1)
