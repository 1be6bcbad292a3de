"""A Dataset-JSON 1.1 file checked against CDISC's published JSON schema, the rules of the
specification the schema cannot express, and the define.xml beside it (README.md here).

    problems = check_file(path, define=read_define_refs(folder / "define.xml"))

Sources: CDISC Dataset-JSON v1.1 specification (doc/dataset-json1-1.md of
cdisc-org/DataExchange-DatasetJson): "Column Metadata" (dataType, targetDataType,
length), "Supported Column Data Type Combinations", "Row Data" (missing values are null);
the schema ``dataset.schema.json`` beside this file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from trialdesk.errors import FieldErrors, InputError

__all__ = [
    "SCHEMA",
    "DefineRefs",
    "Problem",
    "check_file",
    "check_folder",
    "define_problems",
    "document_problems",
    "read_define_refs",
    "schema_problems",
    "validate_file",
]

SCHEMA = Path(__file__).with_name("dataset.schema.json")
MAX_PROBLEMS = 100  # per file: a broken writer would otherwise name every cell

# "Supported Column Data Type Combinations": the JSON type of a value of each dataType
# (a bool is not a JSON integer or number, though Python's bool is an int)
_JSON_TYPE: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "decimal": (str,),
    "datetime": (str,),
    "date": (str,),
    "time": (str,),
    "URI": (str,),
    "integer": (int,),
    "float": (int, float),
    "double": (int, float),
    "boolean": (bool,),
}
# define.xml DataType -> the Dataset-JSON dataTypes that hold it (partial ISO 8601
# values are strings: Dataset-JSON's date and datetime mean complete ones)
_FROM_DEFINE: dict[str, frozenset[str]] = {
    "text": frozenset({"string"}),
    "integer": frozenset({"integer"}),
    "float": frozenset({"float", "double", "decimal"}),
    "date": frozenset({"date", "string"}),
    "datetime": frozenset({"datetime", "string"}),
    "time": frozenset({"time", "string"}),
}
_ISO_TYPES = frozenset({"date", "datetime", "time"})


@cache
def _validator() -> Any:
    from jsonschema import Draft201909Validator

    schema = orjson.loads(SCHEMA.read_bytes())
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema)


Problem = tuple[str, str]  # (where in the file: a JSON path, row and column; what)


def schema_problems(document: Any) -> list[Problem]:
    """Every violation of the Dataset-JSON 1.1 JSON schema, each at its JSON path."""
    errors = sorted(_validator().iter_errors(document), key=lambda e: [str(p) for p in e.path])
    return [(error.json_path, error.message) for error in errors]


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _row_problems(columns: Sequence[Mapping[str, Any]], rows: Sequence[Any]) -> Iterator[Problem]:
    width = len(columns)
    for i, row in enumerate(rows):
        if not isinstance(row, list):
            continue  # the schema names it
        if len(row) != width:
            yield f"$.rows[{i}]", f"{len(row)} values for {width} columns"
            continue
        for column, value in zip(columns, row, strict=True):
            if value is None:  # "Missing values are represented by null"
                continue
            data_type = column.get("dataType")
            allowed = _JSON_TYPE.get(str(data_type))
            name = column.get("name")
            if allowed is None:
                continue  # an unknown dataType: the schema names it
            # a bool is an int to Python, never a JSON integer or number
            ok = isinstance(value, allowed) and (bool in allowed or not isinstance(value, bool))
            length = column.get("length")
            if not ok:
                yield (
                    f"$.rows[{i}] {name}",
                    f"{_type_name(value)} {value!r} where dataType {data_type} takes"
                    f" {' or '.join(t.__name__ for t in allowed)}",
                )
            elif isinstance(value, str) and isinstance(length, int) and len(value) > length:
                yield (
                    f"$.rows[{i}] {name}",
                    f"{len(value)} characters, longer than its length {length}",
                )


def document_problems(document: Any) -> list[Problem]:
    """What the specification says and the schema cannot check: ``records`` is the
    number of rows, every row has a value per column of the JSON type its dataType
    takes (or null), strings within ``length``, column names and OIDs unique."""
    if not isinstance(document, Mapping):
        return []  # the schema says what it should be
    columns = [c for c in document.get("columns") or () if isinstance(c, Mapping)]
    rows = document.get("rows") or []
    out: list[Problem] = []
    records = document.get("records")
    if isinstance(records, int) and isinstance(rows, list) and records != len(rows):
        out.append(("$.records", f"{records}, but the file holds {len(rows)} rows"))
    for key in ("name", "itemOID"):
        seen: set[Any] = set()
        for column in columns:
            if column.get(key) in seen:
                out.append(("$.columns", f"{key} {column.get(key)!r} is given twice"))
            seen.add(column.get(key))
    for column in columns:
        target = column.get("targetDataType")
        if target == "integer" and column.get("dataType") not in _ISO_TYPES:
            out.append((
                f"$.columns {column.get('name')}",
                "targetDataType integer is for a date, datetime or time"
                f" (dataType {column.get('dataType')})",
            ))  # fmt: skip
    if isinstance(rows, list):
        for problem in _row_problems(columns, rows):
            out.append(problem)
            if len(out) >= MAX_PROBLEMS:
                break
    return out


@dataclass(frozen=True)
class DefineRefs:
    """What a Dataset-JSON file must agree with in its define.xml: the study and metadata
    version OIDs, and per ItemGroupDef OID its variables (ItemOID, Name, DataType) in order."""

    study_oid: str
    metadata_version_oid: str
    groups: Mapping[str, tuple[tuple[str, str, str], ...]]


def read_define_refs(path: Path) -> DefineRefs:
    """The OIDs and variables of a Define-XML 2.x file (read with lxml)."""
    from lxml import etree

    odm = "{http://www.cdisc.org/ns/odm/v1.3}"
    try:
        root = etree.parse(str(path), parser=etree.XMLParser(resolve_entities=False)).getroot()
    except (OSError, etree.XMLSyntaxError) as e:
        raise InputError(f"define.xml cannot be read: {e}", file=str(path)) from None
    study = root.find(f"{odm}Study")
    mdv = study.find(f"{odm}MetaDataVersion") if study is not None else None
    if study is None or mdv is None:
        raise InputError("define.xml has no Study/MetaDataVersion", file=str(path))
    items = {
        item.get("OID"): (str(item.get("Name")), str(item.get("DataType")))
        for item in mdv.iterfind(f"{odm}ItemDef")
    }
    groups = {}
    for group in mdv.iterfind(f"{odm}ItemGroupDef"):
        refs = sorted(group.iterfind(f"{odm}ItemRef"), key=lambda r: int(r.get("OrderNumber", 0)))
        groups[str(group.get("OID"))] = tuple(
            (str(r.get("ItemOID")), *items.get(r.get("ItemOID"), ("", ""))) for r in refs
        )
    return DefineRefs(str(study.get("OID")), str(mdv.get("OID")), groups)


def define_problems(document: Mapping[str, Any], define: DefineRefs) -> list[Problem]:
    """Where the file and define.xml disagree on the study, the metadata version, the
    dataset or its variables (OID, name, order, data type)."""
    out: list[Problem] = []
    for key, expected in (
        ("studyOID", define.study_oid),
        ("metaDataVersionOID", define.metadata_version_oid),
    ):
        if document.get(key) != expected:
            out.append((f"$.{key}", f"{document.get(key)!r}, define.xml says {expected!r}"))
    group = document.get("itemGroupOID")
    variables = define.groups.get(str(group))
    if variables is None:
        return [*out, ("$.itemGroupOID", f"{group!r} is no ItemGroupDef of define.xml")]
    columns = [c for c in document.get("columns") or () if isinstance(c, Mapping)]
    given = [(c.get("itemOID"), c.get("name")) for c in columns]
    wanted = [(oid, name) for oid, name, _ in variables]
    if given != wanted:
        out.append((
            "$.columns",
            f"{[n for _, n in given]} where define.xml's {group} has"
            f" {[n for _, n in wanted]} (itemOID and name, in order)",
        ))  # fmt: skip
    types = {oid: data_type for oid, _, data_type in variables}
    for column in columns:
        defined = types.get(str(column.get("itemOID")))
        allowed = _FROM_DEFINE.get(str(defined), frozenset({"string"}))
        data_type = column.get("dataType")
        if defined is None or data_type in allowed:
            continue
        if defined == "integer" and column.get("targetDataType") == "integer":
            continue  # an ADaM numeric date given as an ISO 8601 string
        out.append((
            f"$.columns {column.get('name')}",
            f"dataType {data_type} for define.xml's DataType {defined}"
            f" (expected {' or '.join(sorted(allowed))})",
        ))  # fmt: skip
    return out


def check_file(path: Path, *, define: DefineRefs | None = None) -> list[InputError]:
    """Every problem of one Dataset-JSON file, each an InputError naming the file and
    where in it (its JSON path, the row and column)."""
    try:
        document = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as e:
        return [InputError(f"not a JSON file: {e}", file=str(path), field="$")]
    found = schema_problems(document) + document_problems(document)
    if define is not None and isinstance(document, Mapping):
        found += define_problems(document, define)
    return [
        InputError(what, file=str(path), resource="Dataset-JSON 1.1", field=where)
        for where, what in found
    ]


def check_folder(folder: Path) -> list[InputError]:
    """Every Dataset-JSON file of a package folder (``*.json``), checked with the
    folder's define.xml when there is one."""
    define_xml = folder / "define.xml"
    define = read_define_refs(define_xml) if define_xml.is_file() else None
    out: list[InputError] = []
    for path in sorted(folder.glob("*.json")):
        out += check_file(path, define=define)
    return out


def validate_file(path: Path, *, define: DefineRefs | None = None) -> None:
    """Raise FieldErrors naming every problem of the file (check_file)."""
    problems = check_file(path, define=define)
    if problems:
        raise FieldErrors(list(problems), resource=f"{path.name} (Dataset-JSON 1.1)")
