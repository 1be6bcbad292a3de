"""Every wing's tables on the one metadata, for Alembic and for schema checks."""

from __future__ import annotations

from trialdesk.trial.accounts import models as accounts_models
from trialdesk.trial.conduct import models as conduct_models
from trialdesk.trial.notify import models as notify_models
from trialdesk.trial.review import (
    casebook_models,  # noqa: F401  (casebook_signature)
    deviation_models,  # noqa: F401  (protocol_deviation)
    sdv_models,  # noqa: F401  (sdv_verification)
)
from trialdesk.trial.safety import models as safety_models  # with the store's study_hold
from trialdesk.trial.safety import proposal_models, sae_models
from trialdesk.trial.screening import models as screening_models
from trialdesk.trial.store import (
    locks,  # noqa: F401  (study_lock)
    query_records,  # below conduct, which raises check queries
)
from trialdesk.trial.store.models import Base

__all__ = ["METADATA", "WINGS"]

# imported for their tables
WINGS = (
    accounts_models,
    screening_models,
    conduct_models,
    safety_models,
    sae_models,
    proposal_models,
    notify_models,
    query_records,
)
METADATA = Base.metadata
