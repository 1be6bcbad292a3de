"""Generate every table's rows for one chunk of persons, in a fixed order (determinism)."""

from __future__ import annotations

import numpy as np

from trialdesk.patients.synthetic import conditions, hospital, medications, procedures
from trialdesk.patients.synthetic import rheumatology as ra
from trialdesk.patients.synthetic.frame import Batch
from trialdesk.patients.synthetic.measurements import labs, vitals
from trialdesk.patients.synthetic.params import Settings
from trialdesk.patients.synthetic.people import make_cohort
from trialdesk.patients.synthetic.world import World

__all__ = ["generate_chunk"]


def generate_chunk(
    settings: Settings, seed: int, index: int, first_pid: int, n: int, first_ids: dict[str, int]
) -> dict[str, Batch]:
    """The rows of chunk ``index`` (persons ``first_pid`` .. ``first_pid + n - 1``).

    ``first_ids`` holds the first row id of each table (and of ``visit_occurrence``); the
    random stream depends only on ``seed`` and ``index``.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, index]))
    cohort = make_cohort(rng, settings, first_pid, n)
    w = World(cohort, first_ids.get("visit_occurrence", 1))
    ra.assign(w)
    onset = conditions.diagnoses(w)
    conditions.implants(w)
    idx, day, vid = hospital.clinic_visits(w)
    m = rng.random(len(idx)) < 0.7
    vitals(w, idx[m], day[m], vid[m])
    panel = rng.random(len(idx)) < 0.3
    for names, p in (
        (("glucose", "creatinine", "sodium", "potassium"), 0.8),
        (("alt", "ast"), 0.5),
        (("hemoglobin", "wbc", "neutrophils", "platelets"), 0.5),
        (("cholesterol",), 0.25),
    ):
        m = panel & (rng.random(len(idx)) < p)
        labs(w, names, idx[m], day[m], vid[m])
    m = panel & cohort.has["diabetes"][idx] & (rng.random(len(idx)) < 0.6)
    labs(w, ("hba1c",), idx[m], day[m], vid[m])
    hospital.hospital_stays(w)
    ra.treatment(w)
    ra.follow_up(w)
    ra.screening_workup(w)
    ra.knee_events(w)
    medications.chronic_drugs(w, onset)
    medications.vaccinations(w)
    procedures.general_procedures(w, onset)
    return w.finish(first_ids)
