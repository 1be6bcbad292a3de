"""Which side of the body a coded site or diagnosis names, and which body site it is.

A study may declare a per-participant side of a body site (the target knee, the study eye:
participant.yaml, ``kind: side``); the engine then needs to know when a condition,
procedure or body site is about the left or the right one, or both. The sites trialdesk
knows and every code it reads are data, with their sources: ``body_sites.yaml`` beside
this module. Read in this order:

1. SNOMED CT laterality qualifier values (on a body site, or as the value of the
   laterality attribute 272741003 |Laterality (attribute)| in a post-coordinated
   expression), and the site's lateralised body structures.
2. ICD-10-CM codes whose side is fixed by the tabular list.
3. Free text ("left knee", "both eyes", "knee, right", "Knee - right", 右膝, 双眼) in
   the text or a coding's display, only when no code says which side.

Anything not listed gives ``None`` (side unknown), never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from trialdesk.facts.codesystems import spellings
from trialdesk.facts.record import Coding, Fact, Laterality

__all__ = [
    "SIDE_QUALIFIERS",
    "BodySite",
    "body_site",
    "body_sites",
    "foreign_site",
    "is_site",
    "laterality_of",
    "side_on",
]

_TABLE = Path(__file__).with_name("body_sites.yaml")
_SNOMED = spellings("snomed")
_ICD10CM = spellings("icd10cm")
# SNOMED CT compositional grammar: "<focus>:272741003=<side>" (272741003 |Laterality|).
_SNOMED_LATERALITY_ATTR = re.compile(r"272741003\s*(?:\|[^|]*\|)?\s*=\s*(\d+)")

L, R, B = Laterality.LEFT, Laterality.RIGHT, Laterality.BILATERAL
Side = Laterality | None


@dataclass(frozen=True)
class _IcdRule:
    """Codes whose n-th character (1-based ``at``) is the side, by subcategory."""

    at: int
    subcategories: frozenset[str]
    sides: Mapping[str, Side]


@dataclass(frozen=True)
class BodySite:
    """One body site a side parameter may name, and how codes and text say its side."""

    name: str
    noun: str  # "knee": used in evidence ("right knee, the target knee")
    plural: str
    snomed_site: frozenset[str]  # the structure, side not said
    snomed_sided: Mapping[str, Laterality]  # lateralised structures
    icd_exact: Mapping[str, Side]
    icd_rules: tuple[_IcdRule, ...]  # 6th, then 5th character
    icd_categories: tuple[str, ...]  # about the site, side not read from them
    text_both: re.Pattern[str]
    text_side: re.Pattern[str]
    text_site: re.Pattern[str]

    @property
    def article(self) -> str:
        """ "a knee", "an eye"."""
        return ("an " if self.noun[:1].lower() in "aeiou" else "a ") + self.noun

    def icd(self, code: str) -> tuple[bool, Side]:
        """(the code is about this site, the side it names) for one ICD-10-CM code."""
        c = code.replace(".", "").strip().upper()
        if c in self.icd_exact:
            return True, self.icd_exact[c]
        for rule in self.icd_rules:
            if c[: rule.at - 1] in rule.subcategories:
                return True, rule.sides.get(c[rule.at - 1]) if len(c) >= rule.at else None
        return c.startswith(self.icd_categories) if self.icd_categories else False, None

    def text(self, texts: Iterable[str]) -> set[Laterality]:
        sides: set[Laterality] = set()
        for text in texts:
            if self.text_both.search(text):
                sides.add(B)
            for groups in self.text_side.findall(text):
                word = next(g for g in groups if g).lower()
                sides.add(L if word in ("left", "左") else R)
        return sides


def _side(value: Any) -> Side:
    return None if value is None else Laterality(value)


def _site(name: str, raw: Mapping[str, Any]) -> BodySite:
    noun, plural = re.escape(raw["noun"]), re.escape(raw["plural"])
    # Chinese writes the side before the site, with no spaces: 右膝, 左侧膝关节, 双膝
    zh = re.escape(raw["zh"]) if raw.get("zh") else None
    zh_both = rf"|(?:双|两)侧?{zh}" if zh else ""
    zh_side = rf"|([左右])侧?{zh}" if zh else ""
    zh_site = rf"|{zh}" if zh else ""
    snomed, icd = raw.get("snomed") or {}, raw.get("icd10cm") or {}
    rules = tuple(
        _IcdRule(
            at,
            frozenset(str(s) for s in icd[key]["subcategories"]),
            {str(k): _side(v) for k, v in icd[key]["sides"].items()},
        )
        for key, at in (("sixth", 6), ("fifth", 5))
        if key in icd
    )
    return BodySite(
        name=name,
        noun=raw["noun"],
        plural=raw["plural"],
        snomed_site=frozenset(str(c) for c in snomed.get("site", ())),
        snomed_sided={str(k): Laterality(v) for k, v in (snomed.get("sided") or {}).items()},
        icd_exact={str(k): _side(v) for k, v in (icd.get("exact") or {}).items()},
        icd_rules=rules,
        icd_categories=tuple(str(c) for c in icd.get("categories", ())),
        # "both knees", "bilateral knees", "knees, bilateral", "left and right knees"
        text_both=re.compile(
            rf"\b(?:both\s+{plural}|bilateral\s+{noun}s?|{noun}s?,?\s+bilateral|"
            rf"(?:left\s+and\s+right|right\s+and\s+left)\s+{noun}s?)\b{zh_both}",
            re.IGNORECASE,
        ),
        # "left knee", "knee, right", "Knee - right" (LOINC-style names), "knee: left"
        text_side=re.compile(
            rf"\b(left|right)\s+{noun}\b|\b{noun}(?:\s*[,:\-–]\s*|\s+)(left|right)\b"
            rf"{zh_side}",
            re.IGNORECASE,
        ),
        text_site=re.compile(rf"\b{noun}s?\b{zh_site}", re.IGNORECASE),
    )


@cache
def _table() -> tuple[dict[str, Laterality], dict[str, BodySite]]:
    raw = yaml.safe_load(_TABLE.read_text(encoding="utf-8"))
    qualifiers = {str(k): Laterality(v) for k, v in raw["qualifiers"].items()}
    sites = {str(name): _site(str(name), body) for name, body in raw["sites"].items()}
    return qualifiers, sites


def body_sites() -> Mapping[str, BodySite]:
    """Every body site trialdesk can read a side for, by name (``knee``, ``eye``)."""
    return _table()[1]


def body_site(name: str) -> BodySite:
    """One body site by name; KeyError when trialdesk does not know it."""
    return _table()[1][name]


#: SNOMED CT laterality qualifier values (left, right, right and left): a body site coded
#: with one of these says the side, not the structure.
SIDE_QUALIFIERS = frozenset(_table()[0])


def _snomed(code: str, sided: Mapping[str, Laterality]) -> tuple[str, set[Laterality]]:
    """(the focus concept, the sides named) for a SNOMED CT code or expression."""
    sides: set[Laterality] = set()
    focus = code.split(":", 1)[0].split("|", 1)[0].strip()
    if focus in sided:
        sides.add(sided[focus])
    if ":" in code:
        for value in _SNOMED_LATERALITY_ATTR.findall(code):
            if value in sided:
                sides.add(sided[value])
    return focus, sides


def _combine(sides: set[Laterality]) -> Side:
    if not sides:
        return None
    if B in sides or (L in sides and R in sides):
        return B
    return next(iter(sides))


@cache
def _sided(site: str | None) -> dict[str, Laterality]:
    """The SNOMED CT codes that fix a side: the qualifiers, and the lateralised
    structures of one site (or of every site)."""
    qualifiers, sites = _table()
    out = dict(qualifiers)
    for s in sites.values() if site is None else (sites[site],):
        out.update(s.snomed_sided)
    return out


def laterality_of(
    codings: Iterable[Coding], text: str | None = None, site: str | None = None
) -> Side:
    """The side the codings (and, failing them, the text or displays) name; None if unknown.

    ``site``: read only that body site's codes and words (besides the qualifiers that fit
    any site); None reads every site's. Left and right together give ``BILATERAL``.
    """
    sites = tuple(body_sites().values()) if site is None else (body_site(site),)
    sided = _sided(site)
    sides: set[Laterality] = set()
    texts: list[str] = [text] if text else []
    for coding in codings:
        if coding.system in _SNOMED:
            sides |= _snomed(coding.code, sided)[1]
        elif coding.system in _ICD10CM:
            for s in sites:
                side = s.icd(coding.code)[1]
                if side is not None:
                    sides.add(side)
        if coding.display:
            texts.append(coding.display)
    if sides:
        return _combine(sides)
    return _combine(set().union(*(s.text(texts) for s in sites)))


def is_site(codings: Iterable[Coding], text: str | None, site: str) -> bool:
    """True when a coding names the site (a structure or a diagnosis of it), or the text
    names it ("knee", "eyes")."""
    s = body_site(site)
    structures = s.snomed_site | frozenset(s.snomed_sided)
    texts: list[str] = [text] if text else []
    for coding in codings:
        if coding.system in _SNOMED:
            if _snomed(coding.code, {})[0] in structures:
                return True
        elif coding.system in _ICD10CM and s.icd(coding.code)[0]:
            return True
        if coding.display:
            texts.append(coding.display)
    return any(s.text_site.search(t) for t in texts)


def foreign_site(fact: Fact, site: str) -> Coding | None:
    """The fact's first body site when its body sites are not recognised as ``site``
    (a "major joint" injection into a right shoulder: the side is known, not that it was a
    knee); None when it has no body site besides a side, or they name ``site``."""
    sites = [c for c in fact.body_site if c.code not in SIDE_QUALIFIERS]
    if sites and not is_site((*sites, *fact.codes), fact.text, site):
        return sites[0]
    return None


def side_on(fact: Fact, site: str) -> Side:
    """The side of ``site`` a fact concerns; None when its body site is not recognised as
    that site or its side is not recorded (both leave the side unknown)."""
    if foreign_site(fact, site) is not None:
        return None
    return fact.laterality or laterality_of((*fact.body_site, *fact.codes), site=site)
