"""SDTMIG 3.4 variable metadata for the domains built here, read from sdtmig_3_4.csv (a fact
table with its source in its header): labels exactly as the IG gives them, the IG's core
(Req, Exp, Perm), role and CDISC CT code list. A domain names the variables it carries, in
the IG's order; the metadata come from the table, so a label is never typed twice."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from trialdesk.reports.cdisc.dataset import Variable

__all__ = ["IgVariable", "domain_variables", "ig_variables"]

TABLE = Path(__file__).with_name("sdtmig_3_4.csv")

# define.xml DataType by variable: numbers that may hold fractions are float (VISITNUM of an
# unscheduled visit, 2.1; a dose); other numbers are integers; --DTC are ISO 8601 values
# that may be partial (SDTMIG 3.4 §4.4.2), durations ISO 8601 durations (§4.4.3).
_FLOATS = frozenset({"VISITNUM", "EXDOSE"})
_CORES = {"Req": "Req", "Exp": "Exp", "Perm": "Perm"}


@dataclass(frozen=True)
class IgVariable:
    dataset: str
    order: int
    name: str
    label: str
    kind: str  # Char | Num
    codelist: str | None  # the first NCI code when the IG lists several
    role: str
    core: str


@cache
def ig_variables() -> dict[str, dict[str, IgVariable]]:
    """dataset -> variable name -> its IG metadata."""
    table: dict[str, dict[str, IgVariable]] = {}
    with TABLE.open(encoding="utf-8", newline="") as f:
        lines = (line for line in f if not line.startswith("#"))
        for row in csv.DictReader(lines):
            codes = [c.strip() for c in row["codelist"].split(";") if c.strip()]
            v = IgVariable(
                dataset=row["dataset"], order=int(row["order"]), name=row["variable"],
                label=row["label"], kind=row["type"], codelist=codes[0] if codes else None,
                role=row["role"], core=_CORES.get(row["core"], row["core"]),
            )  # fmt: skip
            table.setdefault(v.dataset, {})[v.name] = v
    return table


def _data_type(v: IgVariable) -> str:
    if v.kind == "Num":
        return "float" if v.name in _FLOATS else "integer"
    if v.name.endswith("DTC"):
        return "partialDatetime"
    if v.name.endswith("DUR"):
        return "durationDatetime"
    return "text"


def domain_variables(
    domain: str, names: list[str] | str, *, codelists: dict[str, str | None] | None = None,
    origins: dict[str, str] | None = None,
) -> tuple[Variable, ...]:  # fmt: skip
    """The named variables of ``domain`` with their IG metadata, in the IG's order.
    ``codelists``: the code list a variable's values come from where the IG gives several
    or none, None for no code list reference (DSDECOD: NCOMPLT or PROTMLST by record);
    ``origins``: define.xml Origin by name."""
    wanted = names.split() if isinstance(names, str) else names
    table = ig_variables()[domain]
    unknown = [n for n in wanted if n not in table]
    if unknown:
        raise KeyError(f"{domain}: not SDTMIG 3.4 variables: {unknown} ({TABLE.name})")
    chosen = sorted((table[n] for n in wanted), key=lambda v: v.order)
    codelists, origins = codelists or {}, origins or {}
    return tuple(
        Variable(
            name=v.name,
            label=v.label,
            data_type=_data_type(v),
            role=v.role,
            codelist=codelists.get(v.name, v.codelist),
            origin=origins.get(v.name),
            core=v.core,
        )  # fmt: skip
        for v in chosen
    )
