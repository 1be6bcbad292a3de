"""The exported package read back (issue 16's proof): "XPT files read back with pyreadstat
equal what was written; names <= 8, labels <= 40, lengths and types as define.xml says".

The SDTM and ADaM packages of the simulated trial (simulated_trial.py) are written as XPT
by export.py (what `trialdesk export sdtm|adam` writes); each file is read back with
pyreadstat directly (not through dataset.read_xpt, so the reader under test is not the
writer's own) and compared with the Dataset written, value for value, and with the
package's define.xml, read with lxml, variable for variable: DataType against the XPT
type, Length against the XPT storage width of a text variable (define-xml 2.1 §5.3.6:
Length is the text variable's length in bytes, FDA TCG §3.3.1 the XPT width), the label
against def's Description, and the dataset's label, name and leaf file."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyreadstat
import pytest
from lxml import etree

from reports.cdisc.simulated_trial import simulated
from trialdesk.reports.cdisc.dataset import DATA_TYPES, XPT_LABEL, XPT_NAME, Dataset
from trialdesk.reports.cdisc.export import Package, write_adam, write_sdtm

pytestmark = pytest.mark.slow  # the simulated trial (~5 s) and two packages written (~3 s)

ODM = "{http://www.cdisc.org/ns/odm/v1.3}"
DEF = "{http://www.cdisc.org/ns/def/v2.1}"
XPT_TYPES = {"string": "Char", "double": "Num"}


@dataclass(frozen=True)
class ItemDef:
    name: str
    data_type: str
    length: int | None
    label: str
    sas_name: str | None


@dataclass(frozen=True)
class ItemGroup:
    name: str
    label: str
    leaf: str
    items: tuple[ItemDef, ...]


def _description(element: Any) -> str:
    texts = element.findall(f"{ODM}Description/{ODM}TranslatedText")
    return str(texts[0].text or "") if texts else ""


def read_define(path: Path) -> dict[str, ItemGroup]:
    """Each ItemGroupDef of a define.xml 2.1, its ItemDefs in ItemRef order."""
    root = etree.parse(str(path)).getroot()
    version = root.find(f"{ODM}Study/{ODM}MetaDataVersion")
    assert version is not None, f"{path}: no MetaDataVersion"
    items = {}
    for item in version.iter(f"{ODM}ItemDef"):
        length = item.get("Length")
        items[item.get("OID")] = ItemDef(
            name=str(item.get("Name")),
            data_type=str(item.get("DataType")),
            length=int(length) if length is not None else None,
            label=_description(item),
            sas_name=item.get("SASFieldName"),
        )
    groups = {}
    for group in version.iter(f"{ODM}ItemGroupDef"):
        leaf = group.find(f"{DEF}leaf")
        refs = sorted(group.iter(f"{ODM}ItemRef"), key=lambda r: int(r.get("OrderNumber") or 0))
        name = str(group.get("Name"))
        groups[name] = ItemGroup(
            name=name,
            label=_description(group),
            leaf=str(leaf.get("{http://www.w3.org/1999/xlink}href")) if leaf is not None else "",
            items=tuple(items[r.get("ItemOID")] for r in refs),
        )
    return groups


@pytest.fixture(scope="module", params=["sdtm", "adam"])
def package(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Package:
    trial = simulated()
    out = tmp_path_factory.mktemp(request.param)
    if request.param == "sdtm":
        return write_sdtm(trial.source, out, format="xpt", datasets=trial.sdtm)
    return write_adam(trial.source, out, format="xpt", sdtm=trial.sdtm)


def _read_back(path: Path) -> tuple[Any, Any]:
    return pyreadstat.read_xport(str(path), disable_datetime_conversion=True)


def test_every_file_reads_back_equal_to_its_dataset(package: Package) -> None:
    differences = []
    for written in package.written:
        dataset: Dataset = written.dataset
        frame, meta = _read_back(written.path)
        assert meta.table_name == dataset.name and meta.file_label == dataset.label
        assert list(meta.column_names) == dataset.names, dataset.name
        assert list(meta.column_labels) == [v.label for v in dataset.variables], dataset.name
        assert meta.number_rows == len(dataset.rows), dataset.name
        for v in dataset.variables:
            back: list[Any] = frame[v.name].tolist()
            written_values: list[Any] = dataset.column(v.name)
            if v.kind == "Num":  # NaN is XPT's missing number; XPT stores every number as a double
                back = [None if isinstance(x, float) and math.isnan(x) else x for x in back]
                written_values = [None if x is None else float(x) for x in written_values]
            for i, (a, b) in enumerate(zip(written_values, back, strict=True), start=1):
                if a != b:
                    differences.append(f"{dataset.name}.{v.name}[{i}]: wrote {a!r}, read {b!r}")
    assert differences == []
    assert len(package.written) >= (15 if package.kind == "sdtm" else 4)


def test_names_and_labels_fit_sas_transport_v5(package: Package) -> None:
    too_long = []
    for written in package.written:
        _, meta = pyreadstat.read_xport(str(written.path), metadataonly=True)
        table = str(meta.table_name or "")
        if not table or len(table) > XPT_NAME or len(meta.file_label or "") > XPT_LABEL:
            too_long.append(f"{written.path.name}: {table}")
        for name, label in zip(meta.column_names, meta.column_labels, strict=True):
            if len(name) > XPT_NAME or not name.isascii() or len(label or "") > XPT_LABEL:
                too_long.append(f"{table}.{name}")
    assert too_long == []


def test_define_xml_says_what_the_files_hold(package: Package) -> None:
    groups = read_define(package.define)
    files = {w.path.name: w.path for w in package.written}
    assert sorted(g.leaf for g in groups.values()) == sorted(files)  # every file, no other
    differences = []
    checked_lengths = 0
    for group in groups.values():
        _, meta = pyreadstat.read_xport(str(files[group.leaf]), metadataonly=True)
        if (meta.table_name, meta.file_label) != (group.name, group.label):
            differences.append(f"{group.name}: XPT {meta.table_name} {meta.file_label!r}")
        if [i.name for i in group.items] != list(meta.column_names):
            differences.append(f"{group.name}: define's variables are not the file's")
            continue
        labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
        for item in group.items:
            where = f"{group.name}.{item.name}"
            xpt_kind = XPT_TYPES[meta.readstat_variable_types[item.name]]
            if DATA_TYPES[item.data_type] != xpt_kind:
                differences.append(f"{where}: define {item.data_type}, XPT {xpt_kind}")
            if item.label != labels[item.name]:
                differences.append(f"{where}: define {item.label!r}, XPT {labels[item.name]!r}")
            if item.sas_name != item.name:
                differences.append(f"{where}: SASFieldName {item.sas_name}")
            if item.data_type == "text":
                width = meta.variable_storage_width[item.name]
                checked_lengths += 1
                if item.length != width:
                    differences.append(f"{where}: define Length {item.length}, XPT width {width}")
            elif DATA_TYPES[item.data_type] == "Char" and item.length is not None:
                differences.append(f"{where}: a {item.data_type} has no Length (§5.3.6)")
    assert differences == []
    assert checked_lengths > 20
