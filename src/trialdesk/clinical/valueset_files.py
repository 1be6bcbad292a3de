"""Read value-set files (the format: valuesets.py) into checked ValueSets: the bundled ones
in ``valuesets/`` beside this module, and a study's own ``valuesets.yaml``. A malformed
file, set or code is a StudyError naming the file and the field."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from trialdesk.clinical.routes import ROUTE_WORDS
from trialdesk.clinical.valuesets import KINDS, CodeEntry, CodeInfo, ValueSet, normalise_code
from trialdesk.errors import StudyError
from trialdesk.facts.codesystems import SYSTEMS

__all__ = ["bundled_valuesets", "load_valuesets"]

_QUANTITY_KINDS = frozenset({"lab", "vital", "score"})
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_SET_KEYS = frozenset(
    {"title", "kind", "unit", "sources", "codes", "text", "exclude_text", "routes"}
)
_BUNDLED_DIR = Path(__file__).with_name("valuesets")
_CODE_KEYS = frozenset(
    {"system", "code", "display", "prefix", "ingredient", "strength_mg", "route"}
)


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
        key = (entry.system, normalise_code(entry.system, entry.code), entry.prefix)
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
        routes=_routes(body.get("routes"), file, name),
    )


def _routes(value: object, file: str, name: str) -> tuple[str, ...]:
    routes = _strings(value, file, name, "routes")
    for index, route in enumerate(routes):
        if route not in ROUTE_WORDS:
            known = ", ".join(ROUTE_WORDS)
            message = f"unknown route {route!r} (known: {known}; clinical/routes.yaml)"
            raise _fail(message, file, name, f"routes[{index}]")
    return routes


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
