"""The casebooks the ODM and per-form CSV exports read (reports/cdisc/odm/), which may not
touch the store: every participant of a study, in subject-number order, as
review/casebook.py gives them (the content an investigator signs).

trial_extract (review/extract.py) reads these too, with demographics, consents and the
screening results beside them that SDTM needs and ODM does not; this read skips those.
"""

from __future__ import annotations

from typing import Any

from trialdesk.study.loader import Study
from trialdesk.trial.conduct.participants import list_participants
from trialdesk.trial.review.casebook import casebooks
from trialdesk.trial.store.db import Session

__all__ = ["study_casebooks"]


def study_casebooks(session: Session, study: Study) -> list[dict[str, Any]]:
    """Every participant's casebook, in subject-number order."""
    participants = list_participants(session, study.id)
    books = casebooks(session, participants)
    return [books[p.id] for p in participants]
