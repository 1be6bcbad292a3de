"""What the checker needs from define.xml (Define-XML 2.0 or 2.1, read through odmlib): per
dataset (ItemGroupDef) its domain, class and variables with label, data type, length,
whether they are mandatory, and the coded values of their code list."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from trialdesk.errors import InputError

__all__ = ["DefineDataset", "DefineMeta", "DefineVariable", "read_define"]

_DEF_21 = b"http://www.cdisc.org/ns/def/v2.1"


@dataclass(frozen=True)
class DefineVariable:
    name: str
    label: str
    data_type: str
    length: int | None
    mandatory: bool  # ItemRef Mandatory="Yes": SDTMIG core Req (Define-XML 2.0 §4.3.1)
    codelist: str | None  # the CodeList OID
    order: int | None


@dataclass(frozen=True)
class DefineDataset:
    name: str
    domain: str
    dataset_class: str
    variables: dict[str, DefineVariable]


@dataclass(frozen=True)
class DefineMeta:
    path: Path
    version: str  # "2.0" or "2.1"
    datasets: dict[str, DefineDataset]  # by dataset name, upper case
    codelists: dict[str, frozenset[str]]  # CodeList OID -> its coded values


def read_define(path: Path) -> DefineMeta:
    """define.xml's dataset and variable metadata; a file odmlib cannot read is an
    InputError naming it."""
    import odmlib.define_loader as define_loader
    import odmlib.loader as odm_loader
    from odmlib.exceptions import OdmlibError

    head = path.read_bytes()[:4096]
    version = "2.1" if _DEF_21 in head else "2.0"
    package = "define_2_1" if version == "2.1" else "define_2_0"
    loader = odm_loader.ODMLoader(define_loader.XMLDefineLoader(model_package=package))
    try:
        loader.open_odm_document(str(path))
        mdv = loader.MetaDataVersion()
    except (OdmlibError, ParseError, ValueError, TypeError) as exc:
        raise InputError(f"define.xml cannot be read: {exc}", file=str(path)) from None
    items = {item.OID: item for item in mdv.ItemDef}
    datasets: dict[str, DefineDataset] = {}
    for group in mdv.ItemGroupDef:
        variables: dict[str, DefineVariable] = {}
        for ref in group.ItemRef:
            item = items.get(ref.ItemOID)
            if item is None:
                raise InputError(
                    f"ItemRef {ref.ItemOID} in {group.Name} has no ItemDef", file=str(path)
                )
            variables[item.Name] = DefineVariable(
                name=item.Name,
                label=_text(item.Description),
                data_type=item.DataType,
                length=int(item.Length) if item.Length else None,
                mandatory=ref.Mandatory == "Yes",
                codelist=item.CodeListRef.CodeListOID if item.CodeListRef else None,
                order=int(ref.OrderNumber) if ref.OrderNumber else None,
            )
        name = str(group.Name).upper()
        datasets[name] = DefineDataset(
            name=name,
            domain=str(group.Domain or group.Name).upper(),
            dataset_class=_class(group, version),
            variables=variables,
        )
    codelists = {
        cl.OID: frozenset(
            [str(i.CodedValue) for i in cl.CodeListItem]
            + [str(i.CodedValue) for i in cl.EnumeratedItem]
        )
        for cl in mdv.CodeList
    }
    return DefineMeta(path=path, version=version, datasets=datasets, codelists=codelists)


def _text(description: Any) -> str:
    if description is None or not description.TranslatedText:
        return ""
    return str(description.TranslatedText[0]._content or "")


def _class(group: Any, version: str) -> str:
    value = group.Class
    if value is None:
        return ""
    if version == "2.1":  # def:Class is an element with a Name in 2.1
        return str(getattr(value, "Name", "") or "")
    return str(value)
