"""define.xml written and checked against the Define-XML 2.1 schema.

The schema is CDISC's Define-XML 2.1 XSD as odmlib ships it
(odmlib/schemas/define/2.1/define2-1-0.xsd), read through xmlschema. A document that does
not validate is never written: the error lists every schema violation, each naming the
element (its path) and the reason.
"""

from __future__ import annotations

from pathlib import Path

import odmlib.define_2_1.model as DEFINE

from trialdesk.errors import TrialdeskError
from trialdesk.reports.cdisc import xml_schema

__all__ = ["NAMESPACES", "schema_errors", "to_xml", "validate_define"]

# Define-XML 2.1 §2.3: the ODM default namespace, def 2.1 and xlink
NAMESPACES = {
    "def": "http://www.cdisc.org/ns/def/v2.1",
    "xlink": "http://www.w3.org/1999/xlink",
}
DEFINE_21 = xml_schema.XmlStandard("Define-XML 2.1", "define", "2.1", NAMESPACES)


def to_xml(document: DEFINE.ODM) -> str:
    """The document as XML text, with the Define-XML 2.1 namespaces declared on the root."""
    return xml_schema.to_xml(document, DEFINE_21)


def schema_errors(xml: str | Path) -> list[TrialdeskError]:
    """Every Define-XML 2.1 schema violation, each naming its element (path) and reason."""
    return xml_schema.schema_errors(xml, DEFINE_21)


def validate_define(xml: str | Path, *, where: str = "define.xml") -> None:
    """Raise FieldErrors naming every element that breaks the Define-XML 2.1 schema."""
    xml_schema.validate(xml, DEFINE_21, where=where)


def write_define_xml(document: DEFINE.ODM, path: Path) -> Path:
    """Write the document, after it validates against the Define-XML 2.1 schema."""
    xml = to_xml(document)
    validate_define(xml, where=str(path))
    path.write_text(xml, encoding="utf-8")
    return path
