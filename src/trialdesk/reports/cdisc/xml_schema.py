"""ODM-family XML (ODM 1.3.2, Define-XML 2.1) written from odmlib models and checked against
the CDISC schema odmlib ships, read through xmlschema. One way for every such document: a
document that does not validate is never written, and the error lists every violation,
each naming the element (its path, and its OID where it has one) and the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import odmlib.ns_registry
import xmlschema
from odmlib.schema_manager import get_schema_path
from xmlschema.exceptions import XMLResourceParseError

from trialdesk.errors import FieldErrors, InputError, TrialdeskError

__all__ = ["ODM_NS", "XmlStandard", "schema_errors", "to_xml", "validate"]

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"  # the default namespace of both
MAX_ERRORS = 200  # a broken generator can fail every element; the first ones say why
_NS: Any = odmlib.ns_registry  # odmlib's namespace registry carries no type hints


@dataclass(frozen=True)
class XmlStandard:
    """A CDISC XML standard: its name for people, odmlib's schema key and version, and the
    namespaces declared besides the ODM default."""

    name: str  # "Define-XML 2.1"
    schema: str  # odmlib's schema manager key: "define", "odm"
    version: str  # "2.1", "1.3.2"
    namespaces: Mapping[str, str] = field(default_factory=dict)


@cache
def _schema(kind: str, version: str) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(get_schema_path(kind, version))  # about a second, once


def to_xml(document: Any, standard: XmlStandard) -> str:
    """The document as XML text with the standard's namespaces declared on the root.

    odmlib keeps namespaces in a process-wide registry that each export sets its own way:
    they are set here and bound to this document before it is written."""
    _NS.NamespaceRegistry(prefix="odm", uri=ODM_NS, is_default=True, is_reset=True)
    for prefix, uri in standard.namespaces.items():
        _NS.NamespaceRegistry(prefix=prefix, uri=uri)
    _NS.bind_document_namespaces(document, _NS.NamespaceRegistry().snapshot())
    return str(document.to_xml_string(xml_declaration=True))


def schema_errors(xml: str | Path, standard: XmlStandard) -> list[TrialdeskError]:
    """Every schema violation, each naming its element (path, OID) and reason."""
    source = str(xml) if isinstance(xml, Path) else xml
    errors: list[TrialdeskError] = []
    try:
        for error in _schema(standard.schema, standard.version).iter_errors(source):
            reason = error.reason or str(error.message)
            elem = error.elem
            oid = elem.get("OID") if elem is not None and hasattr(elem, "get") else None
            if oid:  # the path counts siblings; the OID says which one a person means
                reason = f"{oid}: {reason}"
            errors.append(InputError(reason, field=error.path or "/"))
            if len(errors) >= MAX_ERRORS:
                break
    except XMLResourceParseError as e:  # not well-formed XML: no element to name
        errors.append(InputError(f"not well-formed XML: {e}", field="/"))
    return errors


def validate(xml: str | Path, standard: XmlStandard, *, where: str) -> None:
    """Raise FieldErrors naming every element that breaks the standard's schema."""
    errors = schema_errors(xml, standard)
    if errors:
        raise FieldErrors(errors, resource=f"{where} ({standard.name} schema)")
