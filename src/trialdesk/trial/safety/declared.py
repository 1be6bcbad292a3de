"""What a study declares about safety (``safety.yaml``: AESIs, stopping rules, the safety
contact), as the study loader read it (``Study.safety``)."""

from __future__ import annotations

from trialdesk.study.loader import Study
from trialdesk.study.safety_file import Safety

__all__ = ["safety_of"]


def safety_of(study: Study) -> Safety:
    """The study's safety declarations (empty when its folder has no ``safety.yaml``)."""
    return study.safety
