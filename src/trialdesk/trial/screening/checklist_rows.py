"""The store rows a candidate's checklist is built from, read for many candidates at once.

``build_checklist`` reads a candidate's entered facts, consents and signed judgments with
one query each; a caller that builds the checklists of a whole trial (the submission
extract, trial/review/extract.py) reads them here with one query per table, in the same
order per candidate as the checklist's own queries, and hands each candidate's rows in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.trial.accounts.models import Signature
from trialdesk.trial.screening.models import Consent, EnteredFact, Judgment

__all__ = ["CHUNK", "CandidateRows", "candidate_rows"]

CHUNK = 500  # candidates a query names at once (well within any engine's bound parameters)


@dataclass(frozen=True)
class CandidateRows:
    """One candidate's rows, each list in the order the checklist reads it: entered facts
    newest date first, consents newest first, judgments newest signature first."""

    entered: list[EnteredFact] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    judgments: list[Judgment] = field(default_factory=list)


def candidate_rows(session: Session, candidate_ids: Sequence[int]) -> dict[int, CandidateRows]:
    """The rows of each of ``candidate_ids`` (every one of them has an entry)."""
    out = {i: CandidateRows() for i in candidate_ids}
    ids = list(out)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        entered = select(EnteredFact).where(EnteredFact.candidate_id.in_(chunk))
        for e in session.scalars(
            entered.order_by(EnteredFact.candidate_id, EnteredFact.on.desc(), EnteredFact.id.desc())
        ):
            out[e.candidate_id].entered.append(e)
        consents = select(Consent).where(Consent.candidate_id.in_(chunk))
        for c in session.scalars(
            consents.order_by(Consent.candidate_id, Consent.consented_at.desc(), Consent.id.desc())
        ):
            out[c.candidate_id].consents.append(c)
        judgments = (
            select(Judgment).join(Judgment.signature).where(Judgment.candidate_id.in_(chunk))
        )
        for j in session.scalars(
            judgments.order_by(
                Judgment.candidate_id, Signature.signed_at.desc(), Judgment.id.desc()
            )
        ):
            out[j.candidate_id].judgments.append(j)
    return out
