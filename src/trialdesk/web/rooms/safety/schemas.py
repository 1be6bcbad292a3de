"""The safety room's JSON shapes, and how each is made from what the pages read
(listing.py): a page and the API cannot show different things. Names of the study's
AESIs and stopping rules come in both languages, ``{"en": ..., "zh-CN": ...}``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from trialdesk.clinical.ctcae_terms import CtcaeTerm
from trialdesk.study.loader import Study
from trialdesk.study.texts import Text
from trialdesk.trial.safety.causality import CausalityInput
from trialdesk.trial.safety.declared import safety_of
from trialdesk.trial.safety.event_input import EventInput
from trialdesk.trial.safety.terms import ActionTaken, Outcome, Relationship, Seriousness
from trialdesk.trial.store.models import MAX_ROW_ID
from trialdesk.web.rooms.safety.listing import EventRow, HoldView
from trialdesk.web.schemas import Strict

__all__ = [
    "CausalityIn",
    "CausalityOut",
    "EventChangeIn",
    "EventIn",
    "EventOut",
    "EventRecordIn",
    "HoldOut",
    "ListingOut",
    "ReviewIn",
    "TermOut",
    "event_out",
    "hold_out",
    "term_out",
]

# ---- requests -------------------------------------------------------------------------

PartialDateText = Annotated[
    str | None,
    Field(max_length=32, description="ISO 8601, as known: YYYY-MM-DD, YYYY-MM or YYYY"),
]
# A grade as typed: the service reads it, so a wrong one is reported at its field with
# every other problem of the event, not by the schema alone.
GradeText = Annotated[int | str | None, Field(description="CTCAE grade 1-5")]
Version = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


class EventIn(Strict):
    """An adverse event, all of it. Every problem is reported at once (422, ``errors``:
    each at its field) and nothing is stored."""

    verbatim: Annotated[str | None, Field(max_length=400)] = Field(
        None, description="the event as the participant or the record describes it"
    )
    term: Annotated[str | None, Field(max_length=200)] = Field(
        None, description="a CTCAE v5.0 term, as the list spells it (GET /api/safety/ctcae-terms)"
    )
    onset: PartialDateText = None
    end: PartialDateText = None
    grade: GradeText = None
    seriousness: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=10)] = (
        Field(
            default_factory=list,
            description="the ICH E2A criteria met: " + ", ".join(s.value for s in Seriousness),
        )
    )
    action_taken: Annotated[str | None, Field(max_length=40)] = Field(
        None, description="CDISC ACN: " + ", ".join(a.value for a in ActionTaken)
    )
    outcome: Annotated[str | None, Field(max_length=40)] = Field(
        None, description="CDISC OUT: " + ", ".join(o.value for o in Outcome)
    )
    special_interest: Annotated[
        list[Annotated[str, Field(max_length=64)]], Field(max_length=20)
    ] = Field(
        default_factory=list,
        description="AESIs of the study staff confirm (ids of safety.yaml); those the term "
        "decides are flagged from it",
    )
    baseline_grade: GradeText = Field(
        None, description="a condition present before day 1 that worsened: its grade before"
    )
    worsened_on: PartialDateText = None

    def given(self) -> EventInput:
        return EventInput(
            verbatim=self.verbatim,
            term=self.term,
            onset=self.onset,
            end=self.end,
            grade=self.grade,
            seriousness=tuple(self.seriousness),
            action_taken=self.action_taken,
            outcome=self.outcome,
            special_interest=tuple(self.special_interest),
            baseline_grade=self.baseline_grade,
            worsened_on=self.worsened_on,
        )


class AssessmentIn(Strict):
    """Relationship and expectedness: the investigator's, signed."""

    relationship_product: Annotated[str | None, Field(max_length=20)] = Field(
        None, description=", ".join(r.value for r in Relationship)
    )
    relationship_procedure: Annotated[str | None, Field(max_length=20)] = Field(
        None, description=", ".join(r.value for r in Relationship)
    )
    expected: bool | None = Field(None, description="against the reference safety information")

    def given(self) -> CausalityInput:
        return CausalityInput(self.relationship_product, self.relationship_procedure, self.expected)


class EventRecordIn(EventIn):
    """A new adverse event; an investigator may sign its causality in the same act
    (``causality`` with ``password``). A coordinator who gives ``causality`` is refused at
    its field (422) with every other problem of the event, and nothing is stored."""

    causality: AssessmentIn | None = None
    password: Annotated[str | None, Field(max_length=1024)] = Field(
        None, description="the investigator's password, to sign ``causality``"
    )


class EventChangeIn(EventIn):
    """A correction of the whole event: the version read (changed meanwhile: 409, reload)
    and why. A change to its term, onset, grade or seriousness lapses its assessment."""

    version: Version
    reason: Annotated[str | None, Field(max_length=2000)] = None


class CausalityIn(AssessmentIn):
    """The investigator's assessment, signed with the password re-entered."""

    version: Version | None = Field(None, description="the version of the event assessed")
    password: Annotated[str, Field(max_length=1024)]


class ReviewIn(Strict):
    """The signed safety-review decision that resumes the paused study."""

    decision: Annotated[str, Field(max_length=8000)]
    password: Annotated[str, Field(max_length=1024)]
    hold: Version | None = Field(None, description="the hold reviewed (another since: 409)")


# ---- responses ------------------------------------------------------------------------


class Texts(BaseModel):
    en: str
    zh_CN: str | None = Field(None, alias="zh-CN")


def _texts(text: Text) -> Texts:
    return Texts.model_validate({"en": text.en, "zh-CN": text.zh_cn})


class CausalityOut(BaseModel):
    state: str = Field(description="unsigned, signed, or lapsed (the event changed since)")
    relationship_product: str | None
    relationship_procedure: str | None
    expected: bool | None
    related: bool | None = Field(description="possible, probable or definite to either")
    signed_by: str | None
    printed_name: str | None
    signed_at: dt.datetime | None


class AesiOut(BaseModel):
    id: str
    name: Texts


class EventOut(BaseModel):
    id: int
    enrolment_id: int
    subject_number: str
    sequence: int
    verbatim: str
    term: str
    meddra_code: str
    soc: str
    onset: str
    end: str | None
    grade: int
    serious: bool = Field(description="derived: any seriousness criterion met")
    seriousness: list[str]
    treatment_emergent: bool = Field(description="derived from day 1")
    emergent_because: str | None
    special_interest: list[AesiOut]
    action_taken: str
    outcome: str
    baseline_grade: int | None
    worsened_on: str | None
    recorded_at: dt.datetime
    recorded_by: str
    updated_at: dt.datetime
    updated_by: str
    version: int
    causality: CausalityOut
    paused_study: str | None = Field(
        None, description="this write met a stopping rule: the hold it placed, in words"
    )


def event_out(row: EventRow, study: Study, paused: str | None = None) -> EventOut:
    e, values = row.event, row.causality.values
    assessment = row.causality.assessment
    names = {a.id: a.name for a in safety_of(study).special_interest}
    return EventOut(
        id=e.id, enrolment_id=row.participant.id, subject_number=row.participant.subject_number,
        sequence=e.sequence, verbatim=e.verbatim, term=e.term, meddra_code=e.meddra_code,
        soc=e.soc, onset=e.onset_date, end=e.end_date, grade=e.grade, serious=e.serious,
        seriousness=e.seriousness, treatment_emergent=row.emergent is not None,
        emergent_because=row.emergent,
        special_interest=[
            AesiOut(id=a, name=_texts(names[a]) if a in names else Texts.model_validate({"en": a}))
            for a in e.special_interest
        ],
        action_taken=e.action_taken, outcome=e.outcome, baseline_grade=e.baseline_grade,
        worsened_on=e.worsened_on, recorded_at=e.recorded_at, recorded_by=e.recorded_by,
        updated_at=e.updated_at, updated_by=e.updated_by, version=e.version,
        causality=CausalityOut(
            state=row.state,
            relationship_product=values.product.value if values else None,
            relationship_procedure=values.procedure.value if values else None,
            expected=values.expected if values else None,
            related=row.related,
            signed_by=assessment.signature.signer if assessment else None,
            printed_name=assessment.signature.printed_name if assessment else None,
            signed_at=assessment.signature.signed_at if assessment else None,
        ),
        paused_study=paused,
    )  # fmt: skip


class ListingOut(BaseModel):
    study: str
    events: list[EventOut]


class HoldDetailOut(BaseModel):
    id: int
    rule: str
    rule_name: Texts | None
    reason: str
    held_at: dt.datetime
    held_by: str


class RuleMetOut(BaseModel):
    rule: str
    name: Texts
    events: list[str] = Field(description='the events meeting it, as "01-002 AE 1"')
    participants: int


class HoldOut(BaseModel):
    study: str
    paused: bool
    hold: HoldDetailOut | None
    rules_met: list[RuleMetOut]


def hold_out(view: HoldView, study: Study) -> HoldOut:
    hold = view.hold
    detail = None
    if hold is not None:
        name = view.rule_names.get(hold.rule)
        detail = HoldDetailOut(
            id=hold.id,
            rule=hold.rule,
            rule_name=_texts(name) if name is not None else None,
            reason=hold.reason,
            held_at=hold.held_at,
            held_by=hold.held_by,
        )
    return HoldOut(
        study=study.id,
        paused=hold is not None,
        hold=detail,
        rules_met=[
            RuleMetOut(
                rule=m.rule.id,
                name=_texts(m.rule.name),
                events=list(m.labels),
                participants=m.participants,
            )
            for m in view.met
        ],
    )


class TermOut(BaseModel):
    term: str
    meddra_code: str
    soc: str
    grades: dict[str, str | None] = Field(
        description='"1" to "5": NCI\'s text of the grade, null where the term has none'
    )


def term_out(term: CtcaeTerm) -> TermOut:
    return TermOut(
        term=term.term,
        meddra_code=term.meddra_code,
        soc=term.soc,
        grades={str(g): term.grades.get(g) for g in range(1, 6)},
    )
