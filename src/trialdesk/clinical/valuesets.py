"""Value sets: the clinical concepts criteria name, bound to the codes real systems send.

A criterion says "ALT", "live vaccine" or "systemic corticosteroid"; a record carries LOINC
1742-6, CVX 03 or RxNorm 312617. A value set is the bridge: one named concept, the standard
codes that mean it (several per concept, because real exports use several), and where those
codes come from. The sets ship as YAML files in ``valuesets/`` beside this module::

    valuesets:
      alt:
        title: Alanine aminotransferase (ALT), serum/plasma
        kind: lab
        unit: U/L
        sources: ["LOINC 2.78, loinc.org/1742-6"]
        codes:
          - {system: loinc, code: "1742-6", display: "Alanine aminotransferase ..."}
          - {system: icd10cm, code: "M05", prefix: true}
          - {system: rxnorm, code: "312617", ingredient: prednisone, strength_mg: 5, route: oral}
        text: ["alanine aminotransferase", "SGPT"]
        exclude_text: ["ratio"]

``system`` is an alias of the code-system table (``trialdesk.facts.codesystems.SYSTEMS``).
``prefix: true`` makes the entry match every code that starts with it, ignoring dots (ICD
hierarchies: ``M05`` matches ``M05.79`` and ``M0579``). ``text`` holds display-text
patterns, matched case-insensitively on whole words only when no code matched; such a
match is low confidence and the evidence must say so. ``exclude_text`` vetoes a text match
(a display that names the concept but is about something else: "creatinine" in
"albumin/creatinine ratio"). ``routes`` names routes of ``clinical/routes.yaml``: any
medicine given by one of them is a member whatever the drug (an intra-articular injection
is an intra-articular injection, sent as a Procedure or as a MedicationAdministration
with route intra-articular).

Matching runs on every fact of every record, so each set precomputes its lookups at load.
The files are read by valueset_files.py.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from trialdesk.clinical.routes import group_of, route_named
from trialdesk.facts.codesystems import DOTTED, SYSTEMS, canonical_uri
from trialdesk.facts.record import Coding

__all__ = [
    "KINDS",
    "CodeEntry",
    "CodeInfo",
    "ValueSet",
    "ValueSetMatch",
    "normalise_code",
]

KINDS = frozenset(
    {
        "lab",
        "vital",
        "score",
        "condition",
        "medication",
        "procedure",
        "vaccine",
        "device",
        "finding",
    }
)

_TEXT_CACHE_SIZE = 50_000  # distinct display texts remembered per value set


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What a drug code says about the product: ingredient, strength per unit, route."""

    ingredient: str | None = None
    strength_mg: float | None = None
    route: str | None = None


@dataclass(frozen=True, slots=True)
class CodeEntry:
    """One code of a value set, as written in its file (``system`` is the canonical URI)."""

    system: str
    code: str
    display: str | None = None
    prefix: bool = False
    info: CodeInfo | None = None


@dataclass(frozen=True, slots=True)
class ValueSetMatch:
    """Why a fact belongs to a value set.

    ``confidence`` is ``"code"`` when one of the fact's codings is in the set, ``"text"``
    when only display text matched; then ``coding`` is the coding whose display matched, or
    a coding with empty system and code whose display is the fact's text.
    """

    coding: Coding
    confidence: Literal["code", "text"]
    info: CodeInfo | None = None
    # a medicine whose route is written but not one the route table knows may belong to a
    # set with ``routes:``: whether it does is unknown (issue 19: never a silent not met)
    route_unread: bool = False


def normalise_code(system: str, code: str) -> str:
    """The comparable form of a code: dots and case ignored for ICD/ATC, CVX without zeros."""
    code = code.strip()
    if system in DOTTED:
        return code.replace(".", "").upper()
    if system == SYSTEMS["cvx"] and code.isdigit():
        return str(int(code))
    return code


@functools.lru_cache(maxsize=1 << 16)
def _lookup_key(system: str, code: str) -> tuple[str, str]:
    """(canonical system URI, comparable code) for an incoming coding; cached, codes repeat."""
    canonical = canonical_uri(system)
    return canonical, normalise_code(canonical, code)


def _pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive regex for whole-word phrases (whitespace-flexible).

    A phrase that starts or ends with a letter or digit must not continue a longer word
    there ("ALT" does not match "salt"); punctuation edges ("/100", "%") need no boundary.
    Scripts without spaces (Chinese) match as substrings.
    """
    parts = []
    for phrase in phrases:
        words = phrase.split()
        if not words:
            continue
        body = r"\s+".join(re.escape(word) for word in words)
        head = r"(?<![0-9A-Za-z])" if words[0][0].isascii() and words[0][0].isalnum() else ""
        tail = r"(?![0-9A-Za-z])" if words[-1][-1].isascii() and words[-1][-1].isalnum() else ""
        parts.append(head + body + tail)
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE)


@dataclass(frozen=True)
class ValueSet:
    """One named clinical concept and the codes that mean it."""

    name: str
    title: str
    kind: str  # one of KINDS: lab, vital, score, condition, medication, procedure, vaccine, ...
    unit: str | None  # canonical UCUM unit quantities are normalised to (labs, vitals, scores)
    sources: tuple[str, ...]
    entries: tuple[CodeEntry, ...] = ()
    text: tuple[str, ...] = ()
    exclude_text: tuple[str, ...] = ()
    file: str | None = None
    routes: tuple[str, ...] = ()  # route names (routes.yaml): any medicine given so belongs
    _exact: dict[tuple[str, str], CodeEntry] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _prefixes: dict[str, tuple[tuple[int, dict[str, CodeEntry]], ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _text_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False, hash=False)
    _exclude_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False, hash=False)
    _text_seen: dict[str, bool] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        exact: dict[tuple[str, str], CodeEntry] = {}
        by_len: dict[str, dict[int, dict[str, CodeEntry]]] = {}
        for entry in self.entries:
            norm = normalise_code(entry.system, entry.code)
            if entry.prefix:
                by_len.setdefault(entry.system, {}).setdefault(len(norm), {})[norm] = entry
            else:
                exact[(entry.system, norm)] = entry
        prefixes = {system: tuple(sorted(lengths.items())) for system, lengths in by_len.items()}
        object.__setattr__(self, "_exact", exact)
        object.__setattr__(self, "_prefixes", prefixes)
        object.__setattr__(self, "_text_re", _pattern(self.text))
        object.__setattr__(self, "_exclude_re", _pattern(self.exclude_text))
        object.__setattr__(self, "_text_seen", {})

    def match(self, codings: Iterable[Coding], text: str | None = None) -> ValueSetMatch | None:
        """The best reason the codings (and text) belong to this set, or None.

        An exact (system, code) match wins; then a prefix entry; then, only when no coding
        matched, a text pattern against the codings' displays and ``text``.
        """
        codings = tuple(codings)
        exact = self._exact
        prefixed: list[tuple[Coding, CodeEntry]] = []
        for coding in codings:
            key = _lookup_key(coding.system, coding.code)
            entry = exact.get(key)
            if entry is not None:
                return ValueSetMatch(coding, "code", entry.info)
            if not prefixed:
                system, norm = key
                for length, table in self._prefixes.get(system, ()):
                    found = table.get(norm[:length]) if len(norm) >= length else None
                    if found is not None:
                        prefixed.append((coding, found))
                        break
        if prefixed:
            coding, entry = prefixed[0]
            return ValueSetMatch(coding, "code", entry.info)
        if self._text_re is None:
            return None
        for coding in codings:
            if coding.display and self._text_matches(coding.display):
                return ValueSetMatch(coding, "text", None)
        if text and self._text_matches(text):
            return ValueSetMatch(Coding(system="", code="", display=text), "text", None)
        return None

    def match_route(self, route: Iterable[Coding]) -> ValueSetMatch | None:
        """Whether a medicine given by ``route`` belongs to the set through ``routes``: a
        match, a match marked ``route_unread`` when no coding of the route is one the route
        table knows (it may be one of them), or None."""
        if not self.routes:
            return None
        for coding in route:
            if route_named((coding.code, coding.display or ""), self.routes) is not None:
                return ValueSetMatch(coding, "code", None)
        if group_of(w for c in route for w in (c.code, c.display or "")) is None:
            # written, but in words the route table does not know: it may be one of these
            shown = next((c for c in route if c.display or c.code), None)
            if shown is not None:
                return ValueSetMatch(shown, "code", None, route_unread=True)
        return None

    def _text_matches(self, value: str) -> bool:
        seen = self._text_seen
        result = seen.get(value)
        if result is None:
            assert self._text_re is not None
            result = self._text_re.search(value) is not None and (
                self._exclude_re is None or self._exclude_re.search(value) is None
            )
            if len(seen) >= _TEXT_CACHE_SIZE:
                seen.clear()
            seen[value] = result
        return result

    def codes_for(self, system_uri: str) -> frozenset[str]:
        """The exact (non-prefix) codes of one system, as written in the file."""
        system = canonical_uri(system_uri)
        return frozenset(e.code for e in self.entries if e.system == system and not e.prefix)

    def prefixes_for(self, system_uri: str) -> tuple[str, ...]:
        """The prefix entries of one system, as written in the file (ICD: with their dots)."""
        system = canonical_uri(system_uri)
        return tuple(e.code for e in self.entries if e.system == system and e.prefix)

    def info_for(self, coding: Coding) -> CodeInfo | None:
        """The drug attributes recorded for one exact code, if any."""
        entry = self._exact.get(_lookup_key(coding.system, coding.code))
        return entry.info if entry is not None else None
