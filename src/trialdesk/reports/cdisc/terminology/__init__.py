"""CDISC SDTM controlled terminology: the dated subset trialdesk ships (sdtmct-2025-03-28).

The data file beside this module (sdtmct-2025-03-28.yaml) holds, per code list, its NCI
code, short name, name, extensible flag and its terms (submission value -> NCI code),
extracted by tools/extract_ct.py from the CDISC Library cache bundled in the usdm4 0.29.0
wheel; README.md says how. Large code lists are shipped in part (``complete`` is False):
a value missing from one of them is "not shipped here", not "not in CDISC CT".

    >>> codelist("C66742").terms["Y"]
    'C49488'
    >>> find("ROUTE").terms["INTRA-ARTICULAR"]
    'C38223'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

import yaml

from trialdesk.errors import NotFoundError, StudyError

__all__ = ["CodeList", "DATA", "Terminology", "codelist", "codelists", "find", "source", "version"]

DATA = Path(__file__).with_name("sdtmct-2025-03-28.yaml")
version = "sdtmct-2025-03-28"  # the CT package and its effective date


@dataclass(frozen=True)
class CodeList:
    """A CDISC CT code list: its terms as submission value -> NCI code."""

    code: str  # NCI code of the code list, e.g. "C66742"
    short_name: str  # its submission value, e.g. "NY"
    name: str  # e.g. "No Yes Response"
    extensible: bool  # sponsors may add terms (marked def:ExtendedValue in define.xml)
    terms: Mapping[str, str]
    complete: bool = True  # False: only the terms this project uses are shipped
    source_terms: int = 0  # how many terms the source holds
    package: str = "sdtmct"  # the CT package the source files it under

    def __contains__(self, value: object) -> bool:
        return value in self.terms

    def nci_code(self, value: str) -> str | None:
        """The NCI code of a submission value, None when the list does not hold it."""
        return self.terms.get(value)


@dataclass(frozen=True)
class Terminology:
    version: str
    source: Mapping[str, str]  # package, version, file and date read
    codelists: Mapping[str, CodeList]  # by NCI code


@cache
def _terminology() -> Terminology:
    document = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    lists: dict[str, CodeList] = {}
    for code, entry in document["codelists"].items():
        terms = entry["terms"]
        bad = sorted(str(k) for k, v in terms.items() if not isinstance(k, str) or not v)
        if bad:  # e.g. an unquoted YAML key read as a boolean
            raise StudyError(f"code list {code}: terms {bad} are not text", file=str(DATA))
        lists[code] = CodeList(
            code=code,
            short_name=entry["short_name"],
            name=entry["name"],
            extensible=bool(entry["extensible"]),
            terms=MappingProxyType(dict(terms)),
            complete=bool(entry["complete"]),
            source_terms=int(entry["source_terms"]),
            package=entry["package"],
        )
    source = {str(k): str(v) for k, v in document["source"].items()}
    if source.get("version") != version:
        raise StudyError(f"holds {source.get('version')}, not {version}", file=str(DATA))
    return Terminology(version, MappingProxyType(source), MappingProxyType(lists))


def codelists() -> Mapping[str, CodeList]:
    """Every shipped code list, by NCI code."""
    return _terminology().codelists


def source() -> Mapping[str, str]:
    """Where the subset was read from (package, version, file, date read)."""
    return _terminology().source


def codelist(nci_code: str) -> CodeList:
    """The code list with this NCI code (e.g. "C66742" for NY)."""
    try:
        return _terminology().codelists[nci_code]
    except KeyError:
        raise NotFoundError(
            f"code list {nci_code} is not in the shipped subset of {version}",
            resource="CDISC CT",
            file=str(DATA),
        ) from None


def find(short_name: str) -> CodeList:
    """The code list with this short name (e.g. "NY", "ROUTE")."""
    for cl in _terminology().codelists.values():
        if cl.short_name == short_name:
            return cl
    raise NotFoundError(
        f"no code list {short_name!r} in the shipped subset of {version}",
        resource="CDISC CT",
        file=str(DATA),
    )
