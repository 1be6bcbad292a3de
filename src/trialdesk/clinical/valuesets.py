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
"albumin/creatinine ratio").

Matching runs on every fact of every record, so each set precomputes its lookups at load.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from trialdesk.errors import StudyError
from trialdesk.facts.codesystems import DOTTED, SYSTEMS, canonical_uri
from trialdesk.facts.record import Coding

__all__ = [
    "KINDS",
    "CodeEntry",
    "CodeInfo",
    "ValueSet",
    "ValueSetMatch",
    "bundled_valuesets",
    "load_valuesets",
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
_QUANTITY_KINDS = frozenset({"lab", "vital", "score"})

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_SET_KEYS = frozenset({"title", "kind", "unit", "sources", "codes", "text", "exclude_text"})
_CODE_KEYS = frozenset(
    {"system", "code", "display", "prefix", "ingredient", "strength_mg", "route"}
)
_BUNDLED_DIR = Path(__file__).with_name("valuesets")
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


def _normalise(system: str, code: str) -> str:
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
    return canonical, _normalise(canonical, code)


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
            norm = _normalise(entry.system, entry.code)
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


# --------------------------------------------------------------------------- loading


def load_valuesets(*paths: Path) -> dict[str, ValueSet]:
    """Read value sets from YAML files or folders of them (``*.yaml``, ``*.yml``).

    Later paths may add new sets; a name defined twice, in one file or across files, is an
    error, as is any malformed file, set or code (:class:`StudyError` naming file and field).
    """
    found: dict[str, ValueSet] = {}
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        elif path.is_file():
            files = [path]
        else:
            raise StudyError("no such value-set file or folder", file=str(path))
        for file in files:
            for name, valueset in _load_file(file).items():
                if name in found:
                    raise StudyError(
                        f"value set {name!r} is already defined in {found[name].file}",
                        file=str(file),
                        field=f"valuesets.{name}",
                    )
                found[name] = valueset
    return found


@functools.cache
def bundled_valuesets() -> dict[str, ValueSet]:
    """The value sets shipped with trialdesk (read once, then cached)."""
    return load_valuesets(_BUNDLED_DIR)


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_file(file: Path) -> dict[str, ValueSet]:
    where = str(file)
    try:
        document = yaml.load(file.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise StudyError(
            f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
            file=where,
            line=mark.line + 1 if mark is not None else None,
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise StudyError(f"cannot read value-set file: {exc}", file=where) from exc
    if not isinstance(document, dict) or not isinstance(document.get("valuesets"), dict):
        raise StudyError(
            "expected a mapping with a 'valuesets' mapping", file=where, field="valuesets"
        )
    sets: dict[str, ValueSet] = {}
    for name, body in document["valuesets"].items():
        sets[str(name)] = _parse_set(str(name), body, where)
    return sets


def _fail(message: str, file: str, name: str, path: str = "") -> StudyError:
    field_ = f"valuesets.{name}{'.' + path if path else ''}"
    return StudyError(f"value set {name!r}: {message}", file=file, field=field_)


def _parse_set(name: str, body: object, file: str) -> ValueSet:
    if not _NAME_RE.match(name):
        raise _fail("name must be snake_case (a-z, 0-9, _)", file, name)
    if not isinstance(body, dict):
        raise _fail("expected a mapping", file, name)
    unknown = sorted(set(body) - _SET_KEYS)
    if unknown:
        raise _fail(f"unknown key {unknown[0]!r}", file, name, str(unknown[0]))
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        raise _fail("'title' is missing", file, name, "title")
    kind = body.get("kind")
    if kind not in KINDS:
        raise _fail(f"'kind' must be one of {', '.join(sorted(KINDS))}", file, name, "kind")
    unit = body.get("unit")
    if unit is not None and (not isinstance(unit, str) or kind not in _QUANTITY_KINDS):
        raise _fail("'unit' is a UCUM string, for labs, vitals and scores only", file, name, "unit")
    sources = _strings(body.get("sources"), file, name, "sources")
    if not sources:
        raise _fail("'sources' must list where the codes come from", file, name, "sources")
    raw_codes = body.get("codes")
    if not isinstance(raw_codes, list) or not raw_codes:
        raise _fail("'codes' is missing or empty", file, name, "codes")
    entries: list[CodeEntry] = []
    seen: set[tuple[str, str, bool]] = set()
    for index, raw in enumerate(raw_codes):
        entry = _parse_code(raw, file, name, f"codes[{index}]")
        key = (entry.system, _normalise(entry.system, entry.code), entry.prefix)
        if key in seen:
            raise _fail(f"code {entry.code!r} is listed twice", file, name, f"codes[{index}]")
        seen.add(key)
        entries.append(entry)
    return ValueSet(
        name=name,
        title=title.strip(),
        kind=kind,
        unit=unit,
        sources=sources,
        entries=tuple(entries),
        text=_strings(body.get("text"), file, name, "text"),
        exclude_text=_strings(body.get("exclude_text"), file, name, "exclude_text"),
        file=file,
    )


def _parse_code(raw: object, file: str, name: str, path: str) -> CodeEntry:
    if not isinstance(raw, dict):
        raise _fail("a code must be a mapping with system and code", file, name, path)
    unknown = sorted(set(raw) - _CODE_KEYS)
    if unknown:
        raise _fail(f"unknown key {unknown[0]!r}", file, name, f"{path}.{unknown[0]}")
    alias = raw.get("system")
    if not isinstance(alias, str) or alias not in SYSTEMS:
        known = ", ".join(sorted(SYSTEMS))
        raise _fail(f"unknown code system {alias!r} (known: {known})", file, name, f"{path}.system")
    code = raw.get("code")
    if not isinstance(code, str) or not code.strip():
        raise _fail("'code' must be a non-empty quoted string", file, name, f"{path}.code")
    display = _optional_str(raw, "display", file, name, path)
    prefix = raw.get("prefix", False)
    if not isinstance(prefix, bool):
        raise _fail("'prefix' must be true or false", file, name, f"{path}.prefix")
    ingredient = _optional_str(raw, "ingredient", file, name, path)
    route = _optional_str(raw, "route", file, name, path)
    strength = raw.get("strength_mg")
    if strength is not None and (
        isinstance(strength, bool) or not isinstance(strength, int | float)
    ):
        raise _fail("'strength_mg' must be a number", file, name, f"{path}.strength_mg")
    info = None
    if ingredient is not None or strength is not None or route is not None:
        info = CodeInfo(
            ingredient=ingredient,
            strength_mg=float(strength) if strength is not None else None,
            route=route,
        )
    return CodeEntry(SYSTEMS[alias], code.strip(), display, prefix, info)


def _optional_str(
    raw: Mapping[str, object], key: str, file: str, name: str, path: str
) -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise _fail(f"{key!r} must be a string", file, name, f"{path}.{key}")
    return value


def _strings(value: object, file: str, name: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(f"{key!r} must be a list of strings", file, name, key)
    return tuple(value)
