"""define.xml written and checked against the Define-XML 2.1 schema.

The schema is CDISC's Define-XML 2.1 XSD as odmlib ships it
(odmlib/schemas/define/2.1/define2-1-0.xsd), read through xmlschema. A document that does
not validate is never written: the error lists every schema violation, each naming the
element (its path) and the reason.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import odmlib.define_2_1.model as DEFINE
import odmlib.ns_registry
import xmlschema
from odmlib.schema_manager import get_schema_path
from xmlschema.exceptions import XMLResourceParseError

from trialdesk.errors import FieldErrors, InputError, TrialdeskError

__all__ = ["NAMESPACES", "define_schema", "schema_errors", "to_xml", "validate_define"]

# Define-XML 2.1 §2.3: the ODM default namespace, def 2.1 and xlink
ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
NAMESPACES = {
    "def": "http://www.cdisc.org/ns/def/v2.1",
    "xlink": "http://www.w3.org/1999/xlink",
}
MAX_ERRORS = 200  # a broken generator can fail every element; the first ones say why
_NS: Any = odmlib.ns_registry  # odmlib's namespace registry carries no type hints


@cache
def define_schema() -> xmlschema.XMLSchema:
    """The Define-XML 2.1 schema (loaded once: about a second)."""
    return xmlschema.XMLSchema(get_schema_path("define", "2.1"))


def to_xml(document: DEFINE.ODM) -> str:
    """The document as XML text, with the Define-XML 2.1 namespaces declared on the root.

    odmlib keeps namespaces in a process-wide registry (other exports, such as ODM 1.3.2,
    set their own); they are set here and bound to this document before it is written."""
    _NS.NamespaceRegistry(prefix="odm", uri=ODM_NS, is_default=True, is_reset=True)
    for prefix, uri in NAMESPACES.items():
        _NS.NamespaceRegistry(prefix=prefix, uri=uri)
    _NS.bind_document_namespaces(document, _NS.NamespaceRegistry().snapshot())
    return str(document.to_xml_string(xml_declaration=True))


def schema_errors(xml: str | Path) -> list[TrialdeskError]:
    """Every Define-XML 2.1 schema violation, each naming its element (path) and reason."""
    source = str(xml) if isinstance(xml, Path) else xml
    errors: list[TrialdeskError] = []
    try:
        for error in define_schema().iter_errors(source):
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


def validate_define(xml: str | Path, *, where: str = "define.xml") -> None:
    """Raise FieldErrors naming every element that breaks the Define-XML 2.1 schema."""
    errors = schema_errors(xml)
    if errors:
        raise FieldErrors(errors, resource=f"{where} (Define-XML 2.1 schema)")


def write_define_xml(document: DEFINE.ODM, path: Path) -> Path:
    """Write the document, after it validates against the Define-XML 2.1 schema."""
    xml = to_xml(document)
    validate_define(xml, where=str(path))
    path.write_text(xml, encoding="utf-8")
    return path
