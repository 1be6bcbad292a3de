"""A CDISC dataset (SDTM or ADaM) as data, and the files a submission carries it in.

One shape for every domain: a name, a label, its variables with their define.xml metadata,
and its rows. The SDTM domains (reports/cdisc/sdtm/), the ADaM datasets (reports/cdisc/adam/),
define.xml and the conformance checker all read and write this one shape.

Files:
- SAS transport v5 (XPT), the FDA's format (FDA Study Data Technical Conformance Guide
  §3.3.1): names of at most 8 characters, labels of at most 40, character values of at most
  200 bytes. A value that does not fit is an error naming the dataset, variable, row and
  limit, never a truncation. Written and read through pyreadstat.
- Dataset-JSON v1.1 (CDISC, 2024): the same data, for what XPT v5 cannot hold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, cast

import orjson

from trialdesk.errors import FieldErrors, InputError

__all__ = [
    "DATA_TYPES",
    "Dataset",
    "Value",
    "Variable",
    "read_dataset_json",
    "read_xpt",
    "with_sequence",
    "write_dataset_json",
    "write_xpt",
    "xpt_problems",
]

Value = str | float | int | None

# define.xml 2.1 DataType (define-enumerations.xsd) -> stored as character or numeric
DATA_TYPES: dict[str, Literal["Char", "Num"]] = {
    "text": "Char",
    "date": "Char",
    "datetime": "Char",
    "time": "Char",
    "partialDate": "Char",
    "partialTime": "Char",
    "partialDatetime": "Char",
    "incompleteDatetime": "Char",
    "durationDatetime": "Char",
    "integer": "Num",
    "float": "Num",
}

# Dataset-JSON v1.1 dataType for each define.xml DataType. ISO 8601 values that may be
# partial (SDTM --DTC) are strings: Dataset-JSON's date/datetime mean complete values.
_JSON_TYPES = {
    "text": "string",
    "integer": "integer",
    "float": "double",
    "date": "date",
    "datetime": "datetime",
    "time": "time",
}

XPT_NAME = 8  # FDA TCG §3.3.1 / SAS v5 transport
XPT_LABEL = 40
XPT_VALUE = 200  # bytes
XPT_ASCII = "XPT v5 holds ASCII only: write Dataset-JSON (--format json), or give an English term"


@dataclass(frozen=True)
class Variable:
    """A dataset variable with the metadata define.xml reports for it."""

    name: str
    label: str
    data_type: str = "text"  # define.xml DataType (DATA_TYPES)
    role: str | None = None  # SDTM: Identifier, Topic, Timing, ...; None in ADaM
    codelist: str | None = None  # the NCI code of its CDISC CT code list, e.g. "C66742"
    origin: str | None = None  # define.xml Origin: Collected, Derived, Assigned, Protocol, ...
    core: str | None = None  # SDTMIG core: Req, Exp, Perm
    length: int | None = None  # character length; None: the longest value (FDA SD1082)

    def __post_init__(self) -> None:
        if self.data_type not in DATA_TYPES:
            raise ValueError(f"{self.name}: data type {self.data_type!r} is not a define.xml one")

    @property
    def kind(self) -> Literal["Char", "Num"]:
        return DATA_TYPES[self.data_type]


@dataclass(frozen=True)
class Dataset:
    """A domain or analysis dataset: variables in their order, rows keyed by variable name
    (a missing key is a null: "" for character, None for numeric)."""

    name: str
    label: str
    variables: tuple[Variable, ...]
    rows: tuple[Mapping[str, Value], ...] = ()
    keys: tuple[str, ...] = ()  # define.xml KeySequence, in order
    structure: str = ""  # "One record per subject", ...
    dataset_class: str = ""  # define.xml def:Class, e.g. "EVENTS", "SUBJECT LEVEL ANALYSIS DATASET"
    extra: Mapping[str, Any] = field(default_factory=dict)  # e.g. {"domain": "AE"} for SUPPAE

    def __post_init__(self) -> None:
        names = [v.name for v in self.variables]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: a variable is listed twice")
        unknown = sorted(set().union(*self.rows) - set(names))  # every row's keys
        if unknown:
            raise ValueError(f"{self.name}: rows carry undeclared variables {unknown}")

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]

    def variable(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(f"{self.name} has no variable {name}")

    def column(self, name: str) -> list[Value]:
        return list(self._column(name))

    def records(self, only: Sequence[int] | None = None) -> list[dict[str, Value]]:
        """Every row (or the rows at the indices ``only``, in that order) with every
        variable, nulls filled ("" or None)."""
        if not self.variables:
            return [{} for _ in (self.rows if only is None else only)]
        names = self.names
        columns = [self._column(n) for n in names]
        if only is not None:
            return [dict(zip(names, [c[i] for c in columns], strict=True)) for i in only]
        return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]

    def _column(self, name: str) -> list[Value]:
        """The column, read once: define.xml's lengths, the XPT frame and ADaM's records
        all read it (the rows are read-only Mappings, so it cannot go stale). Not to be
        changed by the caller: ``column`` gives a copy."""
        kept: dict[str, list[Value]] = self.__dict__.setdefault("_columns", {})
        found = kept.get(name)
        if found is None:
            found = kept[name] = _column(self.rows, name, self.variable(name).kind)
        return found

    def with_rows(self, rows: Iterable[Mapping[str, Value]]) -> Dataset:
        return replace(self, rows=tuple(rows))


def _column(rows: Sequence[Mapping[str, Value]], name: str, kind: str) -> list[Value]:
    """A variable's values as ``_cell`` gives them, without a call per value (a package
    reads every column a few times: define.xml lengths, the XPT frame)."""
    if kind == "Char":
        return ["" if (x := row.get(name)) is None else x if type(x) is str else str(x)
                for row in rows]  # fmt: skip
    return [None if (x := row.get(name)) is None or x == "" or (isinstance(x, float) and x != x)
            else x for row in rows]  # fmt: skip


def _cell(value: Value, kind: Literal["Char", "Num"]) -> Value:
    if kind == "Char":
        return "" if value is None else str(value)
    if value is None or value == "":
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def with_sequence(
    rows: Sequence[Mapping[str, Value]], name: str, *, by: str = "USUBJID"
) -> list[dict[str, Value]]:
    """Rows numbered 1, 2, ... within each subject in the order given (--SEQ, SDTMIG 3.4
    §4.1.5: unique within a subject and domain)."""
    counters: dict[Value, int] = {}
    out: list[dict[str, Value]] = []
    for row in rows:
        n = counters[row[by]] = counters.get(row[by], 0) + 1
        out.append({**row, name: n})
    return out


def xpt_problems(dataset: Dataset) -> dict[str, str]:
    """Everything in the dataset that SAS transport v5 cannot hold, keyed by where it is
    (dataset, dataset.VARIABLE, dataset.VARIABLE[row])."""
    problems: dict[str, str] = {}
    if len(dataset.name) > XPT_NAME:
        problems[dataset.name] = f"name longer than {XPT_NAME} characters"
    if len(dataset.label) > XPT_LABEL:
        problems[f"{dataset.name}.label"] = f"label longer than {XPT_LABEL} characters"
    for v in dataset.variables:
        where = f"{dataset.name}.{v.name}"
        if len(v.name) > XPT_NAME or not v.name.isascii():
            problems[where] = f"variable name {v.name!r} longer than {XPT_NAME} ASCII characters"
        if len(v.label) > XPT_LABEL:
            problems[f"{where}.label"] = f"label {v.label!r} longer than {XPT_LABEL} characters"
        if v.kind != "Char":
            continue
        # the whole column at once (it holds every text value of the rows): when it is
        # ASCII and no value is longer than 50 characters, nothing below can be found
        texts = cast(list[str], dataset._column(v.name))
        if max(map(len, texts), default=0) <= XPT_VALUE // 4 and "".join(texts).isascii():
            continue
        for i, row in enumerate(dataset.rows, start=1):
            value = row.get(v.name)
            if not isinstance(value, str):
                continue
            found = []
            # SAS transport v5 is US-ASCII (FDA TCG §3.3.1; SAS TS-140): a Chinese term
            # would reach the reviewer as bytes of no stated encoding
            if not value.isascii():
                found.append(XPT_ASCII)
            # at most 4 bytes a character: only a value longer than 50 can exceed 200 bytes
            if len(value) > XPT_VALUE // 4 and len(value.encode("utf-8")) > XPT_VALUE:
                found.append(
                    f"value of {len(value.encode('utf-8'))} bytes; XPT v5 holds {XPT_VALUE}"
                    " (write Dataset-JSON instead)"
                )
            if found:
                problems[f"{where}[{i}]"] = "; ".join(found)
    return problems


def _frame(dataset: Dataset) -> Any:
    import pandas as pd  # imported here: only the XPT path needs it

    columns: dict[str, Any] = {}
    for v in dataset.variables:
        values = dataset._column(v.name)
        if v.kind == "Char":
            columns[v.name] = pd.Series(values, dtype="object")
        else:
            columns[v.name] = pd.Series(
                [math.nan if x is None else float(x) for x in values], dtype="float64"
            )
    return pd.DataFrame(columns, columns=dataset.names)


def write_xpt(
    dataset: Dataset, path: Path, *, checked: bool = False, created: datetime | None = None
) -> Path:
    """The dataset as a SAS transport v5 file (``path``, lower-case name by convention).
    ``checked``: the caller has found no ``xpt_problems`` in it already (a package checks
    every dataset before it writes any). ``created``: the instant the headers carry as
    created and modified (pyreadstat stamps the wall clock), so that the same data give
    the same bytes."""
    import pyreadstat

    problems = {} if checked else xpt_problems(dataset)
    if problems:
        raise FieldErrors(
            [
                InputError(f"{problem} ({path.name})", field=where, file=str(path))
                for where, problem in problems.items()
            ],
            resource=dataset.name,
        )
    pyreadstat.write_xport(
        _frame(dataset),
        str(path),
        file_label=dataset.label,
        column_labels=[v.label for v in dataset.variables],
        table_name=dataset.name,
        file_format_version=5,
        # SAS display formats (ADaM's numeric dates: DATE9., DATETIME20.), so a SAS or R
        # reader shows a date where the number is a date
        variable_format=dict(dataset.extra.get("display_formats") or {}) or None,
    )
    if created is not None:
        _stamp_xpt(path, created)
    return path


# SAS TS-140 ("The record layout of a data set in SAS transport (XPORT) format"): 80-byte
# records; the library header's 2nd record ends with the created date-time, its 3rd
# begins with the modified one, and the member header's descriptor records (6th and 7th)
# repeat them, each 16 characters "ddMMMyy:hh:mm:ss".
_XPT_STAMPS = (144, 160, 464, 480)
_XPT_STAMP = re.compile(rb"\d\d[A-Z]{3}\d\d:\d\d:\d\d:\d\d")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def _stamp_xpt(path: Path, created: datetime) -> None:
    stamp = (
        f"{created.day:02d}{_MONTHS[created.month - 1]}{created.year % 100:02d}:{created:%H:%M:%S}"
    ).encode("ascii")
    data = bytearray(path.read_bytes())
    for at in _XPT_STAMPS:
        if not _XPT_STAMP.fullmatch(bytes(data[at : at + 16])):
            raise ValueError(f"{path.name}: no XPT v5 header date-time at byte {at}")
        data[at : at + 16] = stamp
    path.write_bytes(bytes(data))


def read_xpt(path: Path, *, encoding: str | None = None) -> Dataset:
    """A SAS transport file as a Dataset: data types from the storage (text or float), each
    character variable's storage width as its length (FDA SD1082 compares it with the data),
    built column by column (a third of the time of row by row on the CDISC pilot).

    Files written by SAS on Windows may hold cp1252 bytes (the CDISC pilot's ts.xpt does);
    with no encoding given, UTF-8 is tried first, then cp1252."""
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_xport(
            str(path), encoding=encoding or "utf-8", disable_datetime_conversion=True
        )
    except pyreadstat.ReadstatError:
        if encoding is not None:
            raise
        frame, meta = pyreadstat.read_xport(
            str(path), encoding="cp1252", disable_datetime_conversion=True
        )
    types = meta.readstat_variable_types
    widths = meta.variable_storage_width
    names = [str(n) for n in meta.column_names]
    variables = []
    columns: list[list[Value]] = []
    for name, label in zip(names, meta.column_labels, strict=True):
        char = types[name] == "string"
        variables.append(
            Variable(
                name=name,
                label=label or "",
                data_type="text" if char else "float",
                length=widths.get(name) if char else None,
            )
        )
        values = frame[name].tolist()
        # NaN is the only value unequal to itself: a missing number
        columns.append(values if char else [v if v == v else None for v in values])
    rows = tuple(dict(zip(names, record, strict=True)) for record in zip(*columns, strict=True))
    return Dataset(
        name=(meta.table_name or path.stem).upper(),
        label=meta.file_label or "",
        variables=tuple(variables),
        rows=rows,
    )


def write_dataset_json(
    dataset: Dataset,
    path: Path,
    *,
    study_oid: str,
    created: datetime,
    originator: str = "trialdesk",
    metadata_version_oid: str = "MDV.1",
) -> Path:
    """The dataset as Dataset-JSON v1.1 (CDISC Dataset-JSON specification 1.1)."""
    from trialdesk import __version__

    keys = {name: i for i, name in enumerate(dataset.keys, start=1)}
    columns = []
    for v in dataset.variables:
        column: dict[str, Any] = {
            "itemOID": f"IT.{dataset.name}.{v.name}",
            "name": v.name,
            "label": v.label,
            "dataType": _JSON_TYPES.get(v.data_type, "string"),
        }
        if v.kind == "Char":
            values = [x for x in dataset.column(v.name) if isinstance(x, str)]
            column["length"] = v.length or max([len(x) for x in values] + [1])
        if v.name in keys:
            column["keySequence"] = keys[v.name]
        columns.append(column)
    document = {
        "datasetJSONCreationDateTime": created.isoformat(timespec="seconds"),
        "datasetJSONVersion": "1.1.0",
        "fileOID": f"{study_oid}.{dataset.name}",
        "originator": originator,
        "sourceSystem": {"name": "trialdesk", "version": __version__},
        "studyOID": study_oid,
        "metaDataVersionOID": metadata_version_oid,
        "itemGroupOID": f"IG.{dataset.name}",
        "records": len(dataset.rows),
        "name": dataset.name,
        "label": dataset.label,
        "columns": columns,
        "rows": [list(r.values()) for r in dataset.records()],
    }
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return path


def read_dataset_json(path: Path) -> Dataset:
    """A Dataset-JSON v1.1 file as a Dataset."""
    document = orjson.loads(path.read_bytes())
    reverse = {"string": "text", "integer": "integer", "double": "float", "decimal": "float"}
    columns = document["columns"]
    variables = tuple(
        Variable(
            name=c["name"],
            label=c.get("label", ""),
            data_type=reverse.get(c["dataType"], c["dataType"]),
            length=c.get("length"),
        )
        for c in columns
    )
    names = [c["name"] for c in columns]
    keys = tuple(
        c["name"]
        for c in sorted(columns, key=lambda c: c.get("keySequence", 0))
        if "keySequence" in c
    )
    return Dataset(
        name=document["name"],
        label=document.get("label", ""),
        variables=variables,
        rows=tuple(dict(zip(names, r, strict=True)) for r in document["rows"]),
        keys=keys,
    )
