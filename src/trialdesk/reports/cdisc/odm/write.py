"""The ODM 1.3.2 document (metadata, with or without the collected data), checked against
the ODM 1.3.2 schema before it is written.

The schema is CDISC's ODM 1.3.2 XSD as odmlib ships it (odmlib/schemas/odm/1.3.2/
ODM1-3-2.xsd), read through xmlschema. A document that does not validate is never
written: the error lists every violation, each naming the element (its path, and its OID
where it has one) and the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import odmlib.ns_registry
import odmlib.odm_1_3_2.model as ODM
import xmlschema
from odmlib.schema_manager import get_schema_path
from xmlschema.exceptions import XMLResourceParseError

from trialdesk import __version__
from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.reports.cdisc.odm.clinical_data import clinical_data
from trialdesk.reports.cdisc.odm.metadata import study_metadata
from trialdesk.study.loader import Study

__all__ = ["ODM_NS", "odm_document", "odm_schema", "schema_errors", "to_xml", "write_odm"]

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
MAX_ERRORS = 200  # a broken generator can fail every element; the first ones say why
_NS: Any = odmlib.ns_registry  # odmlib's namespace registry carries no type hints


@cache
def odm_schema() -> xmlschema.XMLSchema:
    """The ODM 1.3.2 schema (loaded once)."""
    return xmlschema.XMLSchema(get_schema_path("odm", "1.3.2"))


def odm_document(
    study: Study,
    *,
    casebooks: Sequence[dict[str, Any]] | None = None,
    created: datetime | None = None,
) -> ODM.ODM:
    """The ODM document: the study's metadata, and its ClinicalData when ``casebooks``
    (review/casebook.py's, one per participant) are given, even none."""
    created = created or datetime.now(UTC)
    document = ODM.ODM(
        FileType="Snapshot",
        Granularity="Metadata" if casebooks is None else "All",
        FileOID=f"{study.id}.ODM.{created.strftime('%Y%m%dT%H%M%S')}",
        CreationDateTime=created.isoformat(timespec="seconds"),
        ODMVersion="1.3.2",
        Originator="trialdesk",
        SourceSystem="trialdesk",
        SourceSystemVersion=__version__,
        Study=[study_metadata(study)],
    )
    if casebooks is not None:
        document.ClinicalData = [clinical_data(study, casebooks)]
    return document


def to_xml(document: ODM.ODM) -> str:
    """The document as XML text in the ODM 1.3 namespace.

    odmlib keeps namespaces in a process-wide registry that other exports (define.xml)
    change; the ODM default is set here and bound to this document before it is written."""
    _NS.NamespaceRegistry(prefix="odm", uri=ODM_NS, is_default=True, is_reset=True)
    _NS.bind_document_namespaces(document, _NS.NamespaceRegistry().snapshot())
    return str(document.to_xml_string(xml_declaration=True))


def schema_errors(xml: str | Path) -> list[TrialdeskError]:
    """Every ODM 1.3.2 schema violation, each naming its element (path, OID) and reason."""
    source = str(xml) if isinstance(xml, Path) else xml
    errors: list[TrialdeskError] = []
    try:
        for error in odm_schema().iter_errors(source):
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


def validate_odm(xml: str | Path, *, where: str = "odm.xml") -> None:
    """Raise FieldErrors naming every element that breaks the ODM 1.3.2 schema."""
    errors = schema_errors(xml)
    if errors:
        raise FieldErrors(errors, resource=f"{where} (ODM 1.3.2 schema)")


def write_odm(
    study: Study,
    out_path: Path,
    *,
    casebooks: Sequence[dict[str, Any]] | None = None,
    created: datetime | None = None,
) -> Path:
    """Write ``study``'s ODM 1.3.2 file (metadata only, or with the casebooks' data) to
    ``out_path``, after it validates against the ODM 1.3.2 schema."""
    xml = to_xml(odm_document(study, casebooks=casebooks, created=created))
    validate_odm(xml, where=str(out_path))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(xml, encoding="utf-8")
    return out_path
