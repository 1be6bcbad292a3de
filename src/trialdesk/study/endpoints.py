"""The endpoints the study reports: what is measured, when, from which items."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from trialdesk.study.forms import ItemRef
from trialdesk.study.texts import Text

__all__ = ["Endpoint", "EndpointKind"]


class EndpointKind(StrEnum):
    TEAE_COUNT = "teae_count"  # participants with treatment-emergent adverse events
    CHANGE_FROM_BASELINE = "change_from_baseline"
    CATEGORY_AT_VISIT = "category_at_visit"  # e.g. EULAR response


@dataclass(frozen=True)
class Endpoint:
    id: str
    primary: bool
    measure: Text
    time_frame: Text
    kind: EndpointKind
    visit: str | None = None  # the visit it is assessed at (W24)
    reads: tuple[ItemRef, ...] = ()
    assumption: bool = False
    source: str | None = None
