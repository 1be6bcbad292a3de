"""Doing at start-up what the first requests would otherwise do while others wait.

A worker serves every request on one event loop: the first self-check, the first trial
page, the first screening page each paid for compiling templates, building a study's page
model, its screener and value-set matchers, and loading the UCUM unit registry (tens to
hundreds of milliseconds), and every request in flight waited behind them. ``trialdesk
serve`` calls :func:`warm_up` before the worker accepts connections.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI

from trialdesk import selfcheck
from trialdesk.clinical.units import convert
from trialdesk.study.loader import Study
from trialdesk.study.page import trial_page
from trialdesk.trial.screening.entry_concepts import entry_concepts
from trialdesk.web.pages import templates

__all__ = ["warm_up"]


def warm_up(app: FastAPI) -> None:
    for name in templates.env.list_templates():
        templates.env.get_template(name)
    today = datetime.now(UTC).date()
    studies: dict[str, Study] = app.state.studies
    for study in studies.values():
        app.state.pages.setdefault(study.id, trial_page(study))
        selfcheck.questions(study)
        # its screener, codes and question map
        selfcheck.evaluate(study, selfcheck.parse_answers(study, {}), today)
        study.screener  # noqa: B018 (built now, not on the first screening page)
        entry_concepts(study)
    # Loads the UCUM registry (about 0.6 s) that the first unit conversion would load.
    convert(88.4, "umol/L", "mg/dL", analyte="creatinine")
