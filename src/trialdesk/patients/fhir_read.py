"""Reading FHIR R4 input into resources: JSON files, folders and Bulk Data NDJSON exports.

A *unit* is what is read and resolved together, and what is rejected as a whole when any part
of it is bad: one JSON file (a Bundle of any type, or a single Patient), or all the NDJSON
files of one export folder (a Bulk Data export spreads one patient over Patient.ndjson,
Observation.ndjson, ..., so a bad line in any of them leaves every patient incomplete).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from trialdesk.errors import InputError
from trialdesk.facts.codesystems import SYSTEMS, canonical_uri
from trialdesk.facts.record import Coding, Quantity

__all__ = [
    "Entry",
    "Index",
    "Unit",
    "code_of",
    "codings",
    "codings_of",
    "collect_units",
    "date_of",
    "first_of",
    "is_bulk_manifest",
    "key_of",
    "parse_date",
    "parse_json",
    "parse_ndjson",
    "period_of",
    "quantity_of",
    "read_unit",
    "reference_of",
    "text_of",
    "when",
]

Json = dict[str, Any]

_SUFFIXES = (".json", ".ndjson")
UCUM = SYSTEMS["ucum"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One resource as found in the input, with where it was found."""

    resource: Json
    full_url: str | None
    file: str
    line: int | None = None  # NDJSON line number


@dataclass(slots=True)
class Unit:
    """Files read and resolved together (one JSON file, or one folder's NDJSON files)."""

    name: str
    files: list[Path] = field(default_factory=list)
    ndjson: bool = False
    error: InputError | None = None  # the path itself is unusable (missing, empty folder)


def collect_units(paths: list[Path]) -> list[Unit]:
    """The units to read, in input order: folders walked recursively in sorted order."""
    units: list[Unit] = []
    exports: dict[Path, Unit] = {}  # NDJSON files grouped by their folder
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key in seen:
            return
        seen.add(key)
        if path.suffix.lower() == ".ndjson":
            unit = exports.get(key.parent)
            if unit is None:
                unit = exports[key.parent] = Unit(str(path.parent), ndjson=True)
                units.append(unit)
            unit.files.append(path)
        else:
            units.append(Unit(str(path), [path]))

    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.suffix.lower() in _SUFFIXES and p.is_file()
            )
            if not found:
                message = "folder holds no .json or .ndjson files"
                units.append(Unit(str(path), error=InputError(message, file=str(path))))
            for p in found:
                add(p)
        elif path.is_file():
            add(path)
        else:
            units.append(
                Unit(str(path), error=InputError("no such file or folder", file=str(path)))
            )
    return units


def _resource_or_error(value: Any, file: str, line: int | None) -> Json:
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        what = "line" if line is not None else "file"
        raise InputError(f"{what} is not a FHIR resource (no resourceType)", file=file, line=line)
    return value


def _flatten(bundle: Json, file: str, line: int | None, out: list[Entry]) -> None:
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise InputError("Bundle.entry is not a list", file=file, line=line, field="entry")
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise InputError("entry is not an object", file=file, line=line, field=f"entry[{n}]")
        resource = entry.get("resource")
        if resource is None:  # transaction-response / batch-response entries without a body
            continue
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise InputError(
                "entry resource has no resourceType", file=file, line=line, field=f"entry[{n}]"
            )
        if resource["resourceType"] == "Bundle":
            _flatten(resource, file, line, out)
            continue
        full_url = entry.get("fullUrl")
        out.append(Entry(resource, full_url if isinstance(full_url, str) else None, file, line))


def is_bulk_manifest(document: Any) -> bool:
    """A FHIR Bulk Data export manifest (saved beside the NDJSON files): not patient data."""
    return (
        isinstance(document, dict)
        and "resourceType" not in document
        and "transactionTime" in document
        and isinstance(document.get("output"), list)
    )


def parse_json(name: str, data: bytes) -> list[Entry] | None:
    """The resources of one JSON document: a Bundle (any type) or a single Patient.

    None for a Bulk Data export manifest, which holds no resources.
    """
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(
            f"not JSON: {exc.msg}", file=name, line=exc.lineno, column=exc.colno
        ) from None
    if is_bulk_manifest(document):
        return None
    resource = _resource_or_error(document, name, None)
    kind = resource["resourceType"]
    if kind == "Bundle":
        out: list[Entry] = []
        _flatten(resource, name, None, out)
        return out
    if kind == "Patient":
        return [Entry(resource, None, name)]
    raise InputError(
        f"holds a single {kind}; expected a Bundle or a Patient", file=name, field="resourceType"
    )


def parse_ndjson(name: str, data: bytes) -> list[Entry]:
    """The resources of one NDJSON file: one resource per line, blank lines ignored."""
    out: list[Entry] = []
    for n, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise InputError(f"line is not JSON: {exc.msg}", file=name, line=n) from None
        resource = _resource_or_error(value, name, n)
        if resource["resourceType"] == "Bundle":
            _flatten(resource, name, n, out)
        else:
            out.append(Entry(resource, None, name, n))
    return out


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None


def read_unit(unit: Unit) -> tuple[list[Entry] | None, list[InputError]]:
    """Every resource of a unit (None for a manifest), or the errors that make it unusable."""
    if unit.error is not None:
        return [], [unit.error]
    entries: list[Entry] = []
    errors: list[InputError] = []
    for path in unit.files:
        try:
            data = _read_bytes(path)
            if unit.ndjson:
                entries.extend(parse_ndjson(str(path), data))
            else:
                found = parse_json(str(path), data)
                if found is None:
                    return None, []
                entries.extend(found)
        except InputError as exc:
            errors.append(exc)
    return ([], errors) if errors else (entries, [])


class Index:
    """Resolves references within one unit: fullUrl, "Type/id", absolute URLs, urn:uuid."""

    __slots__ = ("by_id", "by_key", "by_url")

    def __init__(self) -> None:
        self.by_url: dict[str, str] = {}  # fullUrl -> "Type/id"
        self.by_key: dict[str, Json] = {}  # "Type/id" -> resource
        self.by_id: dict[str, str] = {}  # id -> "Type/id", for urn:uuid references without fullUrl

    def add(self, key: str, resource: Json, full_url: str | None) -> None:
        self.by_key.setdefault(key, resource)
        self.by_id.setdefault(key.partition("/")[2], key)
        if full_url:
            self.by_url.setdefault(full_url, key)

    def get(self, key: str) -> Json | None:
        return self.by_key.get(key)

    def resolve(self, reference: str) -> str | None:
        """The "Type/id" key of the resource a reference names, if it is in this unit."""
        key = self.by_url.get(reference)
        if key is not None:
            return key
        if reference.startswith("urn:uuid:"):
            return self.by_id.get(reference[9:])
        if reference.startswith("#"):
            return None
        parts = reference.split("/_history/", 1)[0].rstrip("/").rsplit("/", 2)
        if len(parts) < 2:
            return None
        key = f"{parts[-2]}/{parts[-1]}"
        return key if key in self.by_key else None


def key_of(entry: Entry) -> str | None:
    """ "Type/id" for an entry: its id, else the id its fullUrl carries; None when neither."""
    kind: str = entry.resource["resourceType"]
    rid = entry.resource.get("id")
    if isinstance(rid, str) and rid:
        return f"{kind}/{rid}"
    url = entry.full_url
    if url:
        if url.startswith("urn:"):  # urn:uuid:<id>, urn:oid:<id>
            return f"{kind}/{url.rsplit(':', 1)[-1]}"
        tail = url.split("/_history/", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        if tail:
            return f"{kind}/{tail}"
    return None


_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T.*)?)?)?", re.ASCII | re.DOTALL)

_CODING_CACHE: dict[tuple[str, str, str | None], Coding] = {}


# --- FHIR data types: tolerant readers (a value of the wrong JSON type counts as absent) ---


def coding(c: Any) -> Coding | None:
    """A Coding with a code (system made canonical), shared between equal codings."""
    if not isinstance(c, dict):
        return None
    code = c.get("code")
    if not isinstance(code, str) or not code:
        return None
    system = c.get("system")
    system = canonical_uri(system) if isinstance(system, str) else ""
    display = c.get("display")
    key = (system, code, display if isinstance(display, str) else None)
    hit = _CODING_CACHE.get(key)
    if hit is None:
        if len(_CODING_CACHE) > 100_000:
            _CODING_CACHE.clear()
        hit = _CODING_CACHE[key] = Coding(*key)
    return hit


def codings(cc: Any) -> tuple[Coding, ...]:
    """The codings of a CodeableConcept (or of a bare Coding, as R4 Encounter.class is)."""
    if not isinstance(cc, dict):
        return ()
    raw = cc.get("coding")
    if not isinstance(raw, list):
        one = coding(cc)
        return (one,) if one else ()
    return tuple(c for c in map(coding, raw) if c is not None)


def codings_of(ccs: Any) -> tuple[Coding, ...]:
    """The codings of a list of CodeableConcepts (or of one)."""
    if isinstance(ccs, list):
        return tuple(c for cc in ccs for c in codings(cc))
    return codings(ccs)


def text_of(cc: Any) -> str | None:
    """CodeableConcept.text, else the first display."""
    if isinstance(cc, list):
        cc = cc[0] if cc else None
    if not isinstance(cc, dict):
        return None
    text = cc.get("text")
    if isinstance(text, str) and text:
        return text
    raw = cc.get("coding")
    for c in raw if isinstance(raw, list) else ():
        if isinstance(c, dict) and isinstance(c.get("display"), str) and c["display"]:
            return str(c["display"])
    return None


def code_of(cc: Any) -> str | None:
    """The first code of a CodeableConcept, lower case (for statuses)."""
    for c in codings(cc):
        return c.code.lower()
    return None


def parse_date(value: str) -> date | None:
    """A FHIR date/dateTime/instant as a date (first 10 chars; "2020" and "2020-05" -> 1st)."""
    m = _DATE.fullmatch(value)
    if m is None:
        return None
    try:
        return date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        return None


def date_of(value: Any, name: str, problems: list[str]) -> date | None:
    """``value`` as a date; when it is given but not a date, say so in ``problems``."""
    if value is None:
        return None
    if isinstance(value, str):
        d = parse_date(value)
        if d is not None:
            return d
    problems.append(f"{name} {value!r} is not a date")
    return None


def period_of(p: Any, name: str, problems: list[str]) -> tuple[date | None, date | None]:
    if not isinstance(p, dict):
        return None, None
    return date_of(p.get("start"), f"{name}.start", problems), date_of(
        p.get("end"), f"{name}.end", problems
    )


def when(res: Json, base: str, problems: list[str]) -> tuple[date | None, date | None, bool]:
    """start, end and whether <base>[x] is given as a dateTime, instant or Period."""
    for suffix in ("DateTime", "Instant"):
        value = res.get(base + suffix)
        if value is not None:
            return date_of(value, base + suffix, problems), None, True
    period = res.get(base + "Period")
    if period is not None:
        return *period_of(period, base + "Period", problems), True
    return None, None, False


def quantity_of(q: Any) -> Quantity | None:
    """A Quantity with a number; unit = the UCUM code when coded in UCUM, else the unit text."""
    if not isinstance(q, dict):
        return None
    value = q.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    unit = q.get("unit")
    code = q.get("code")
    if q.get("system") == UCUM and isinstance(code, str):
        unit = code
    elif not isinstance(unit, str):
        unit = code if isinstance(code, str) else None
    comparator = q.get("comparator")
    return Quantity(float(value), unit, comparator if isinstance(comparator, str) else None)


def reference_of(value: Any) -> str | None:
    if isinstance(value, dict):
        ref = value.get("reference")
        if isinstance(ref, str) and ref:
            return ref
    return None


def first_of(value: Any) -> Json | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, dict) else None
