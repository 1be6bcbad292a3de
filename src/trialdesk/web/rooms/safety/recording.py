"""Recording an adverse event, from the page and the API alike: by itself, or with its
causality assessment signed in the same act by the investigator (the password checked
by web/signing.py outside the write transaction).

Relationship and expectedness are the investigator's (trial/safety/causality.py,
Permission.SIGN_CAUSALITY). A coordinator who gives them anyway is told so at the field,
together with every problem of the event itself, and nothing is stored.
"""

from __future__ import annotations

from fastapi import Request

from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.safety import events
from trialdesk.trial.safety.causality import CausalityInput, Signing
from trialdesk.trial.safety.event_input import EventInput
from trialdesk.trial.safety.events import EventWritten
from trialdesk.trial.store.db import Session
from trialdesk.web import signing
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.rooms.conduct.changes import study_of_participant

__all__ = ["NOT_YOURS", "record"]

NOT_YOURS = (
    "the relationship and expectedness are the investigator's to assess and sign: record "
    "the event, and the investigator assesses it"
)


class _Refused(Exception):
    """Rolls the trial write back: a coordinator's event is checked, never stored."""


def _coordinator_refused(request: Request, enrolment_id: int, given: EventInput) -> None:
    """Raise the refusal of the causality with every problem of the event besides: the
    event is read by the service in a transaction that is rolled back whatever it says."""
    problems: list[TrialdeskError] = [InputError(NOT_YOURS, field="relationship_product")]
    try:
        with store_of(request).transaction() as session:
            events.record_adverse_event(
                session, actor=user_of(request).username,
                study=study_of_participant(request, session, enrolment_id),
                enrolment_id=enrolment_id, given=given, now=now(),
            )  # fmt: skip
            raise _Refused
    except FieldErrors as refused:
        problems.extend(refused.errors)
    except _Refused:
        pass
    raise FieldErrors(problems, resource="adverse event")


async def record(
    request: Request,
    enrolment_id: int,
    given: EventInput,
    causality: CausalityInput | None = None,
    password: str = "",
) -> EventWritten:
    """Record the event; with ``causality``, the investigator signs it in the same act."""
    user = user_of(request)
    if causality is None:
        with store_of(request).transaction() as session:
            return events.record_adverse_event(
                session, actor=user.username,
                study=study_of_participant(request, session, enrolment_id),
                enrolment_id=enrolment_id, given=given, now=now(),
            )  # fmt: skip
    if not user.can(Permission.SIGN_CAUSALITY):
        _coordinator_refused(request, enrolment_id, given)

    def act(session: Session, signer: User, checked: PasswordCheck) -> EventWritten:
        return events.record_adverse_event(
            session, actor=signer.username,
            study=study_of_participant(request, session, enrolment_id),
            enrolment_id=enrolment_id, given=given, now=now(), causality=causality,
            signing=Signing(signer, password, checked),
        )  # fmt: skip

    return await signing.sign(request, password, act)
