"""What the FHIR R4 resource mappers share: status, the encounter link, references, sites.

Each ``fhir_<family>.py`` module maps its resource types to Facts with these helpers and the
field readers in :mod:`trialdesk.patients.fhir_types`; :mod:`trialdesk.patients.fhir_facts`
dispatches on resource type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trialdesk.facts.laterality import laterality_of
from trialdesk.facts.record import Coding, Fact, Laterality
from trialdesk.patients.fhir_read import Index
from trialdesk.patients.fhir_types import reference_of

__all__ = [
    "Json",
    "Mapper",
    "contained",
    "encounter_of",
    "referenced",
    "site_laterality",
    "status_of",
]

Json = dict[str, Any]
#: (resource, its key such as "Condition/123", the file's index) -> the facts it gives.
Mapper = Callable[[Json, str, Index], list[Fact]]


def status_of(resource: Json) -> str | None:
    """The resource's ``status``, lower-cased; None when absent or not a string."""
    status = resource.get("status")
    return status.lower() if isinstance(status, str) else None


def encounter_of(res: Json, index: Index) -> str | None:
    """The key of the Encounter the resource names in ``encounter`` (or R4 ``context``)."""
    ref = reference_of(res.get("encounter")) or reference_of(res.get("context"))
    if ref is None:
        return None
    key = index.resolve(ref)
    if key is not None:
        return key
    if ref.startswith("urn:"):
        return "Encounter/" + ref.rsplit(":", 1)[-1]
    return "Encounter/" + ref.split("/_history/", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def contained(res: Json, ref: str) -> Json | None:
    """The resource contained in ``res`` that the local reference ``#id`` names."""
    inner = res.get("contained")
    for c in inner if isinstance(inner, list) else ():
        if isinstance(c, dict) and c.get("id") == ref[1:]:
            return c
    return None


def referenced(res: Json, ref: str | None, index: Index, resource_type: str) -> Json | None:
    """The ``resource_type`` that ``ref`` names: contained in ``res`` (``#id``) or in the file."""
    if ref is not None and ref.startswith("#"):
        return contained(res, ref)
    target = index.resolve(ref) if ref else None
    return index.get(target) if target and target.startswith(resource_type + "/") else None


def site_laterality(sites: tuple[Coding, ...]) -> Laterality | None:
    """The side the body-site codes name; None when there are none."""
    return laterality_of(sites, None) if sites else None
