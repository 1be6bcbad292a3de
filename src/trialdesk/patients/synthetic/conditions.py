"""Diagnoses on file, from the persons' flags (:mod:`people`), with their onset dates.

Chronic conditions start at a random day of the records and stay open (``condition_end_date``
NULL: ongoing); past episodes (treated TB, syphilis, earlier pregnancies) have an end.
"""

from __future__ import annotations

import numpy as np

from trialdesk.patients.synthetic.codes import COND, DEVICE
from trialdesk.patients.synthetic.frame import NULL, Array
from trialdesk.patients.synthetic.world import World

__all__ = ["diagnoses", "implants"]

_CHRONIC = (
    "hypertension",
    "hyperlipidemia",
    "diabetes",
    "ckd3",
    "hypothyroidism",
    "coronary",
    "afib",
    "osteoporosis",
    "knee_oa",
    "depression",
    "anxiety",
    "alcohol_abuse",
    "low_back_pain",
    "sciatica",
    "psoriasis",
    "sle",
    "sjogren",
    "coagulation",
    "hiv",
    "hepatitis_b",
    "hepatitis_c",
    "latent_tb",
)


def diagnoses(w: World) -> dict[str, Array]:
    """Condition rows; returns the onset day of each flag (NULL where the person has none)."""
    c, rng = w.c, w.rng
    onset: dict[str, Array] = {}

    def add(
        flag: str, concept: Array | int, lo: Array, hi: Array, length: Array | int | None = None
    ) -> Array:
        idx = w.pick(c.has[flag])
        day = c.day_between(lo[idx], hi[idx])
        end = None if length is None else day + np.asarray(length)
        w.conditions(idx, concept if np.ndim(concept) == 0 else np.asarray(concept)[idx], day, end)
        full = np.full(c.n, NULL, dtype=np.int64)
        full[idx] = day
        onset[flag] = full
        return idx

    before = c.end - 1
    for flag in _CHRONIC:
        add(flag, COND[flag], c.start, before)
    add("syphilis", COND["syphilis"], c.start, before, 60)
    add("tb_treated", COND["tuberculosis"], c.start, np.full(c.n, c.S - 400), 180)
    add("tb_untreated", COND["tuberculosis"], c.start, np.full(c.n, c.S - 400), 180)
    add("tb_active", COND["tuberculosis"], np.full(c.n, c.S - 60), np.full(c.n, c.S - 10))
    # cancers by sex; a tenth metastatic (after the primary)
    female_kinds = np.array([COND["breast_cancer"], COND["colon_cancer"], COND["lung_cancer"]])
    male_kinds = np.array([COND["prostate_cancer"], COND["colon_cancer"], COND["lung_cancer"]])
    pick = rng.choice(3, c.n, p=[0.45, 0.3, 0.25])
    kind = np.where(c.female, female_kinds[pick], male_kinds[pick])
    add("cancer", kind, c.start, before)
    idx = w.pick(c.has["metastasis"])
    w.conditions(idx, COND["metastasis"], c.day_between(onset["cancer"][idx], before[idx]))
    add("bcc", COND["bcc"], c.start, before, 30)
    # pregnancy: current ones started up to 250 days before screening (40 weeks)
    length = 270
    idx = w.pick(c.has["pregnant"])
    day = c.S - rng.integers(0, 250, len(idx))
    due = day + length
    w.conditions(idx, COND["pregnancy"], day, np.where(due > c.end[idx], NULL, due))
    add("past_pregnancy", COND["pregnancy"], c.start, np.full(c.n, c.S - 400), length)
    add("lactating", COND["lactation"], np.full(c.n, c.S - 180), np.full(c.n, c.S - 1))
    # obesity on the problem list for two in five persons with BMI >= 30
    c.has["obese"] = (c.latent["bmi"] >= 30) & c.flag(0.4)
    add("obese", COND["obesity"], c.start, before)
    return onset


def implants(w: World) -> None:
    """Pacemakers, defibrillators and coronary stents (device_exposure, still in place)."""
    c = w.c
    for flag in ("pacemaker", "defibrillator", "stent"):
        idx = w.pick(c.has[flag])
        w.devices(idx, DEVICE[flag], c.day_between(c.start[idx], c.end[idx] - 1))
