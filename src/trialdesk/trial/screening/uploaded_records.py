"""The records in a FHIR upload, as the screening checklist reads them: parsed once, and
only while the upload is the file its audit entry recorded (21 CFR 11.10(a): an altered
record must be detectable; `trialdesk audit verify --data` names it too)."""

from __future__ import annotations

import threading

from cachetools import LRUCache
from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.errors import ConflictError
from trialdesk.facts.record import PatientRecord
from trialdesk.patients.fhir import read_fhir_bytes
from trialdesk.trial.screening.models import FhirUpload
from trialdesk.trial.store.audit_replay import recorded_fields, upload_checksum

__all__ = ["UploadAltered", "upload_records"]

# Parsed uploads, by (id, sha256): a screening page is viewed many times per upload.
_PARSED: LRUCache[tuple[int, str], dict[str, PatientRecord]] = LRUCache(maxsize=32)
_PARSED_LOCK = threading.Lock()  # a server may run sync work on its thread pool


class UploadAltered(ConflictError):
    """A FHIR upload no longer matches the checksum its audit entry recorded: the file was
    changed outside trialdesk, and no record is read from it (21 CFR 11.10(a): altered
    records must be detectable)."""

    code = "upload_altered"

    def __init__(self, upload_id: int, filename: str, what: str) -> None:
        super().__init__(
            f"FHIR upload {upload_id} ({filename}): {what}; it was changed outside trialdesk "
            "and no record is read from it. Run 'trialdesk audit verify --data'.",
            resource=f"fhir_upload/{upload_id}",
            field="upload",
        )


def upload_records(session: Session, upload_id: int) -> dict[str, PatientRecord]:
    """The records in an upload, parsed once: the checksum is read on every page view, and
    must be the one its audit entry recorded; the file itself (up to 10 MB) is read only
    when it is not parsed yet, and must match that checksum (an altered upload is refused,
    never read)."""
    head = session.execute(
        select(FhirUpload.sha256, FhirUpload.filename).where(FhirUpload.id == upload_id)
    ).one_or_none()
    if head is None:
        return {}
    audited = recorded_fields(session, "fhir_upload", str(upload_id)).get("sha256")
    if audited is None:
        raise UploadAltered(upload_id, head.filename, "the audit trail holds no checksum of it")
    if audited != head.sha256:
        raise UploadAltered(
            upload_id, head.filename, "its stored checksum is not the one the audit trail holds"
        )
    key = (upload_id, head.sha256)
    with _PARSED_LOCK:
        found = _PARSED.get(key)
    if found is None:
        content = session.scalar(select(FhirUpload.content).where(FhirUpload.id == upload_id))
        if upload_checksum(content or "") != audited:
            raise UploadAltered(
                upload_id, head.filename, "its content no longer matches its audited checksum"
            )
        result = read_fhir_bytes(head.filename, (content or "").encode("utf-8"))
        if result.errors:  # it was accepted on upload: the reader changed since
            raise result.errors[0]
        found = {r.id: r for r in result.records}
        with _PARSED_LOCK:
            _PARSED[key] = found
    return found
