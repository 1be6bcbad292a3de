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
from pathlib import Path
from typing import Any

import odmlib.odm_1_3_2.model as ODM

from trialdesk import __version__
from trialdesk.errors import TrialdeskError
from trialdesk.reports.cdisc import xml_schema
from trialdesk.reports.cdisc.odm.clinical_data import clinical_data
from trialdesk.reports.cdisc.odm.metadata import study_metadata
from trialdesk.study.loader import Study

__all__ = ["odm_document", "schema_errors", "to_xml", "validate_odm", "write_odm"]

ODM_132 = xml_schema.XmlStandard("ODM 1.3.2", "odm", "1.3.2")


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
    """The document as XML text in the ODM 1.3 namespace."""
    return xml_schema.to_xml(document, ODM_132)


def schema_errors(xml: str | Path) -> list[TrialdeskError]:
    """Every ODM 1.3.2 schema violation, each naming its element (path, OID) and reason."""
    return xml_schema.schema_errors(xml, ODM_132)


def validate_odm(xml: str | Path, *, where: str = "odm.xml") -> None:
    """Raise FieldErrors naming every element that breaks the ODM 1.3.2 schema."""
    xml_schema.validate(xml, ODM_132, where=where)


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
