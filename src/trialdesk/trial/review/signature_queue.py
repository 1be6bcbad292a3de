"""What waits for an investigator's signature across a study (issue 17, item 3): the
judgment criteria of candidates in screening, the visits and the casebooks whose sign-off
is missing or lapsed. Read only; each item names where it is signed.

A criterion waits when the checklist offers it for signing and its status is "needs
review" (no current signature: never signed, or lapsed, checklist.py). A visit waits once
it took place, its forms are complete and it has no current signature (signoff.py). A
casebook waits when its sign-off lapsed, or when it was never signed and the participant's
participation has ended. Protocol assumption (the registry and ICH E6(R3) name no moment):
the investigator signs a casebook at the end of participation, and before the lock in any
case (the lock page lists every unsigned casebook as a blocker).

A candidate whose checklist cannot be built (an upload altered outside trialdesk, or one
a changed FHIR reader now refuses) is listed with the reason instead: one such candidate
never hides the rest of the queue (review finding: it broke every investigator's home).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from trialdesk.errors import TrialdeskError
from trialdesk.study.loader import Study
from trialdesk.study.texts import Text
from trialdesk.trial.conduct.participants import list_participants
from trialdesk.trial.conduct.views import participant_view
from trialdesk.trial.review.casebook import casebook_states
from trialdesk.trial.screening.candidates import list_candidates
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.models import CandidateStatus

__all__ = [
    "WaitingCandidate",
    "WaitingCasebook",
    "WaitingVisit",
    "SignatureQueue",
    "signature_queue",
]


@dataclass(frozen=True)
class WaitingCandidate:
    candidate_id: int
    name: str
    criteria: tuple[str, ...]  # never signed
    lapsed: tuple[str, ...]  # signed once; the signature lapsed
    # why the checklist could not be built (what waits is then not known); None when read
    unreadable: str | None = None

    @property
    def count(self) -> int:
        return len(self.criteria) + len(self.lapsed)


@dataclass(frozen=True)
class WaitingVisit:
    enrolment_id: int
    subject_number: str
    visit_key: str
    visit_name: Text | str
    visit_date: date | None
    lapsed: bool


@dataclass(frozen=True)
class WaitingCasebook:
    enrolment_id: int
    subject_number: str
    lapsed: bool


@dataclass(frozen=True)
class SignatureQueue:
    candidates: tuple[WaitingCandidate, ...]
    visits: tuple[WaitingVisit, ...]
    casebooks: tuple[WaitingCasebook, ...]

    @property
    def criteria_count(self) -> int:
        return sum(c.count for c in self.candidates)

    @property
    def unreadable(self) -> int:
        """Candidates whose checklist could not be built: what they wait for is unknown."""
        return sum(1 for c in self.candidates if c.unreadable is not None)

    @property
    def total(self) -> int:
        """What waits, an unreadable candidate counted once: "nothing waits" is not known
        while one cannot be read."""
        return self.criteria_count + self.unreadable + len(self.visits) + len(self.casebooks)


def waiting_candidates(session: Session, study: Study, today: date) -> list[WaitingCandidate]:
    out = []
    for candidate in reversed(list_candidates(session, study.id, CandidateStatus.SCREENING)):
        try:
            checklist = build_checklist(session, study, candidate, today)
        except TrialdeskError as error:  # listed with why; the others still are
            out.append(WaitingCandidate(candidate.id, candidate.name, (), (), error.message))
            continue
        fresh: list[str] = []
        lapsed: list[str] = []
        for r in checklist.result.criteria:
            cid = r.criterion.id
            if not checklist.signable(cid) or r.status.value != "needs_review":
                continue
            (lapsed if checklist.judgments.get(cid) else fresh).append(cid)
        if fresh or lapsed:
            out.append(WaitingCandidate(candidate.id, candidate.name, tuple(fresh), tuple(lapsed)))
    return out


def waiting_visits(session: Session, study: Study, today: date) -> list[WaitingVisit]:
    out = []
    for participant in list_participants(session, study.id):
        view = participant_view(session, study, participant.id, today)
        for row in view.calendar:
            state = view.signatures.get(row.key)
            if state is None or state.current or row.incomplete:
                continue
            out.append(
                WaitingVisit(
                    participant.id,
                    participant.subject_number,
                    row.key,
                    row.visit.name,
                    row.date,
                    state.lapsed,
                )  # fmt: skip
            )
    return out


def waiting_casebooks(session: Session, study: Study) -> list[WaitingCasebook]:
    return [
        WaitingCasebook(s.participant.id, s.participant.subject_number, s.lapsed)
        for s in casebook_states(session, study)
        if not s.current and (s.lapsed or s.participant.ended_on is not None)
    ]


def signature_queue(session: Session, study: Study, today: date) -> SignatureQueue:
    """Everything in ``study`` that waits for an investigator's signature on ``today``."""
    return SignatureQueue(
        tuple(waiting_candidates(session, study, today)),
        tuple(waiting_visits(session, study, today)),
        tuple(waiting_casebooks(session, study)),
    )
