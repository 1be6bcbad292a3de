"""Reading FHIR R4 input into resources: JSON files, folders and Bulk Data NDJSON exports,
and resolving references within what is read together (the values inside a resource are
read by fhir_types.py).

A *unit* is what is read and resolved together, and what is rejected as a whole when any part
of it is bad: one JSON file (a Bundle of any type, or a single Patient), or all the NDJSON
files of one export folder (a Bulk Data export spreads one patient over Patient.ndjson,
Observation.ndjson, ..., so a bad line in any of them leaves every patient incomplete).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from trialdesk.errors import InputError

__all__ = [
    "collect_units",
    "Entry",
    "Index",
    "is_bulk_manifest",
    "key_of",
    "parse_json",
    "parse_ndjson",
    "read_unit",
    "Unit",
]

Json = dict[str, Any]

_SUFFIXES = (".json", ".ndjson")


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
