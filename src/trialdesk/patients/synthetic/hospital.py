"""Visits: outpatient clinic visits, emergency visits, hospital stays with infections.

Rates (assumptions, per person-year of records): clinic visits 0.6 a year at 18 rising to
2.0 at 88; emergency visits 0.12; hospital stays 0.07 (about 7% of adults a year, NHIS),
a third of them for an infection treated with IV antibiotics for the stay. Enrichment for
the infection criteria: 4% of RA patients had such a stay in the month before screening,
and 1% (0.2% of everyone) have an infection being treated on the screening date.
"""

from __future__ import annotations

import numpy as np

from trialdesk.patients.synthetic.catalog import C
from trialdesk.patients.synthetic.codes import COND, DRUG, PROC
from trialdesk.patients.synthetic.frame import Array
from trialdesk.patients.synthetic.measurements import labs
from trialdesk.patients.synthetic.world import World

__all__ = ["clinic_visits", "hospital_stays"]

_YEAR = 365.2425


def _per_person(w: World, rate: Array) -> Array:
    """Person index of each event, Poisson(rate x years of records) events per person."""
    c = w.c
    years = (c.end - c.start) / _YEAR
    counts = w.rng.poisson(rate * years)
    return np.repeat(np.arange(c.n), counts)


def clinic_visits(w: World) -> tuple[Array, Array, Array]:
    """Routine outpatient visits: (person index, day, visit id), with minor illnesses."""
    c, rng = w.c, w.rng
    idx = _per_person(w, 0.6 + 0.02 * (c.age - 18))
    day = c.day_between(c.start[idx], c.end[idx] - 1)
    vid = w.visits(idx, day, None, C.OUTPATIENT)
    # minor illnesses seen in clinic (sinusitis, bronchitis), some treated with amoxicillin
    ill = rng.random(len(idx)) < 0.12
    i, d, v = idx[ill], day[ill], vid[ill]
    kind = np.where(rng.random(len(i)) < 0.6, COND["sinusitis"], COND["bronchitis"])
    w.conditions(i, kind, d, d + 7 + rng.integers(0, 14, len(i)), visit=v)
    treated = rng.random(len(i)) < 0.4
    days = 10
    w.drugs(
        i[treated],
        DRUG["amoxicillin"],
        d[treated],
        d[treated] + days - 1,
        quantity=np.full(treated.sum(), 3.0 * days),
        days_supply=np.full(treated.sum(), days),
        route=C.ORAL,
        visit=v[treated],
    )
    # emergency visits, a quarter with an ankle sprain
    e_idx = _per_person(w, np.full(c.n, 0.12))
    e_day = c.day_between(c.start[e_idx], c.end[e_idx] - 1)
    e_vid = w.visits(e_idx, e_day, None, C.EMERGENCY)
    sprain = rng.random(len(e_idx)) < 0.25
    w.conditions(
        e_idx[sprain], COND["ankle_sprain"], e_day[sprain], e_day[sprain] + 28, visit=e_vid[sprain]
    )
    # treated infection going on at the screening date (E6, second clause)
    active = w.pick(c.flag(np.where(c.has["ra"], 0.01, 0.002)))
    onset = c.S - rng.integers(0, 5, len(active))
    stop = c.S + rng.integers(5, 11, len(active))
    a_vid = w.visits(active, onset, None, C.OUTPATIENT)
    w.conditions(active, COND["cellulitis"], onset, stop, visit=a_vid)
    n_days = stop - onset + 1
    w.drugs(
        active,
        DRUG["amoxicillin"],
        onset,
        stop,
        quantity=3.0 * n_days,
        days_supply=n_days,
        route=C.ORAL,
        visit=a_vid,
    )
    return idx, day, vid


_INFECTIONS = ("pneumonia", "cellulitis", "pyelonephritis", "sepsis")
_IV_DRUGS = (("piperacillin", 3.0), ("ceftriaxone", 1.0), ("vancomycin", 2.0))


def hospital_stays(w: World) -> None:
    """Hospital stays: a third for infections with IV antibiotics; labs on admission."""
    c, rng = w.c, w.rng
    idx = _per_person(w, np.full(c.n, 0.07))
    admit = c.day_between(c.start[idx], c.end[idx] - 21)
    infection = rng.random(len(idx)) < 1 / 3
    # enrichment: RA patients admitted for an infection in the month before screening
    recent = w.pick(c.has["ra"] & c.flag(0.04))
    idx = np.concatenate([idx, recent])
    admit = np.concatenate([admit, c.S - rng.integers(6, 29, len(recent))])
    infection = np.concatenate([infection, np.ones(len(recent), dtype=bool)])
    los = np.minimum(1 + rng.geometric(0.25, len(idx)), 20)
    los = np.where(infection, np.maximum(los, 3), los)
    discharge = np.minimum(admit + los, c.end[idx])
    via_er = rng.random(len(idx)) < 0.4
    vid = w.visits(idx, admit, discharge, np.where(via_er, C.ER_INPATIENT, C.INPATIENT))
    labs(
        w,
        (
            "hemoglobin",
            "wbc",
            "neutrophils",
            "platelets",
            "creatinine",
            "sodium",
            "potassium",
            "glucose",
        ),
        idx,
        admit,
        vid,
    )
    i, a, d, v = idx[infection], admit[infection], discharge[infection], vid[infection]
    which = rng.choice(len(_INFECTIONS), len(i), p=[0.4, 0.25, 0.2, 0.15])
    kinds = np.array([COND[k] for k in _INFECTIONS])[which]
    w.conditions(i, kinds, a, d + rng.integers(3, 15, len(i)), visit=v)
    pneumonia = kinds == COND["pneumonia"]
    w.procedures(i[pneumonia], PROC["chest_xray"], a[pneumonia], visit=v[pneumonia])
    drug = rng.choice(len(_IV_DRUGS), len(i), p=[0.4, 0.4, 0.2])
    concepts = np.array([DRUG[name] for name, _ in _IV_DRUGS])[drug]
    per_day = np.array([q for _, q in _IV_DRUGS])[drug]
    days = d - a + 1
    w.drugs(i, concepts, a, d, quantity=per_day * days, days_supply=days, route=C.IV, visit=v)
    oral = rng.random(len(i)) < 0.5
    w.drugs(
        i[oral],
        DRUG["amoxicillin"],
        d[oral] + 1,
        d[oral] + 7,
        quantity=np.full(oral.sum(), 21.0),
        days_supply=np.full(oral.sum(), 7),
        route=C.ORAL,
    )
    crp = rng.random(len(i)) < 0.7
    labs(w, ("crp",), i[crp], a[crp], v[crp])
