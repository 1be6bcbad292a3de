"""The JSON shapes of protocol deviations (the SDTM DV fields by their SDTM names)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from trialdesk.trial.review.deviation_decisions import ManualDeviation
from trialdesk.trial.review.deviation_kinds import Deviation

__all__ = [
    "DecisionIn",
    "DeviationOut",
    "DeviationsOut",
    "EarlierOut",
    "ManualIn",
    "deviation_out",
]


class EarlierOut(BaseModel):
    """The dismissal of a deviation proposed again because its class rose."""

    severity: str
    DVTERM: str
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None


class DeviationOut(BaseModel):
    key: str = Field(description="kind/participant/what: stable across reads")
    enrolment_id: int
    subject_number: str
    kind: str
    what: str
    origin: str = Field(description="proposed (by the data) or manual")
    state: str = Field(description="proposed, confirmed or dismissed")
    standing: bool = Field(description="the data show it now (a decided one may no longer)")
    severity: str = Field(description="major (ICH E3 important) or minor")
    now_reads: str | None = Field(description="decided on data that now read so (else null)")
    DVTERM: str
    DVDECOD: str | None
    DVCAT: str
    DVSTDTC: str | None
    EPOCH: str | None
    VISIT: str | None
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    version: int | None = Field(
        description="the stored row's version (one entered by hand, or the earlier "
        "dismissal of one proposed again): a decision names it"
    )
    earlier: EarlierOut | None = Field(
        description="proposed again in a higher class: the earlier dismissal (else null)"
    )


class DeviationsOut(BaseModel):
    deviations: list[DeviationOut]
    counts: dict[str, int]
    assumption: str


class DecisionIn(BaseModel):
    kind: str = Field(max_length=32)
    what: str = Field(max_length=120)
    decision: str = Field(max_length=10, description="confirm or dismiss")
    reason: str | None = Field(default=None, max_length=2000)
    severity: str | None = Field(default=None, max_length=5, description="major or minor")
    version: int | None = Field(
        default=None, ge=1, le=2**31 - 1,
        description="the deviation's ``version`` as read: required where it has one "
        "(422 at ``version`` when missing; 409 when it changed since)",
    )  # fmt: skip
    dvterm: str | None = Field(
        default=None, max_length=2000,
        description="the DVTERM as shown: required for a proposal of the data (422 at "
        "``dvterm`` when missing; 409 when the data read otherwise now)",
    )  # fmt: skip


class ManualIn(BaseModel):
    dvterm: str = Field(max_length=2000)
    dvcat: str = Field(max_length=60)
    severity: str = Field(max_length=5)
    dvstdtc: str = Field(max_length=10, description="YYYY-MM-DD")
    visit_key: str | None = Field(default=None, max_length=48)
    dvdecod: str | None = Field(default=None, max_length=60)

    def given(self) -> ManualDeviation:
        return ManualDeviation(
            self.dvterm, self.dvcat, self.severity, self.dvstdtc, self.visit_key, self.dvdecod
        )


def deviation_out(d: Deviation) -> DeviationOut:
    row, earlier = d.row, d.earlier
    stored = d.stored
    return DeviationOut(
        key=d.key, enrolment_id=d.enrolment_id, subject_number=d.subject_number,
        kind=d.kind.value, what=d.what, origin=d.origin, state=d.state.value,
        standing=d.standing, severity=d.severity.value, now_reads=d.now_reads,
        DVTERM=d.dvterm, DVDECOD=d.dvdecod,
        DVCAT=d.dvcat, DVSTDTC=d.dvstdtc, EPOCH=d.epoch, VISIT=d.visit_key,
        reason=row.reason if row else None, decided_by=row.decided_by if row else None,
        decided_at=row.decided_at if row else None, version=stored.version if stored else None,
        earlier=EarlierOut(
            severity=earlier.severity, DVTERM=earlier.dvterm, reason=earlier.reason,
            decided_by=earlier.decided_by, decided_at=earlier.decided_at,
        ) if earlier is not None else None,
    )  # fmt: skip
