"""Medication orders and vaccinations outside the RA-specific ones.

A course is a run of consecutive orders (``days_supply`` days each, the last one cut at the
course's end); each order's ``quantity`` is units per day x days, so ``quantity /
days_supply`` is the daily number of tablets (docs/omop.md). Chronic-disease drugs are the
codes the Synthea sample sends; vaccinations are CVX codes (inactivated ones
intramuscular, live ones subcutaneous).
"""

from __future__ import annotations

import numpy as np

from trialdesk.patients.synthetic.catalog import C
from trialdesk.patients.synthetic.codes import DRUG, VACCINE
from trialdesk.patients.synthetic.frame import Array
from trialdesk.patients.synthetic.world import World

__all__ = ["chronic_drugs", "course", "vaccinations"]


def course(
    w: World,
    idx: Array,
    concept: Array | int,
    start: Array,
    end: Array,
    per_day: Array | float,
    *,
    supply: int,
    route: int,
    with_dose: bool = True,
) -> None:
    """Orders tiling [start, end] for each person in ``idx`` (``end`` inclusive)."""
    n = len(idx)
    if n == 0:
        return
    concepts = np.broadcast_to(np.asarray(concept, dtype=np.int64), (n,))
    rate = np.broadcast_to(np.asarray(per_day, dtype=float), (n,))
    end = np.maximum(end, start)
    count = (end - start) // supply + 1
    row = np.repeat(np.arange(n), count)
    k = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    s = start[row] + k * supply
    e = np.minimum(s + supply - 1, end[row])
    days = e - s + 1
    w.drugs(
        idx[row],
        concepts[row],
        s,
        e,
        quantity=rate[row] * days if with_dose else None,
        days_supply=days if with_dose else None,
        route=route,
    )


_CHRONIC = (
    ("hypertension", "hctz", 0.6, "amlodipine"),
    ("hyperlipidemia", "simvastatin", 1.0, None),
    ("diabetes", "metformin", 1.0, None),
    ("hypothyroidism", "levothyroxine", 1.0, None),
)


def chronic_drugs(w: World, onset: dict[str, Array]) -> None:
    """Long-term drugs from diagnosis to the end of records, in 180-day orders."""
    c, rng = w.c, w.rng
    for condition, first, p_first, other in _CHRONIC:
        idx = w.pick(c.has[condition] & c.flag(0.8))
        drug = np.where(
            rng.random(len(idx)) < p_first, DRUG[first], DRUG[other] if other else DRUG[first]
        )
        start = onset[condition][idx]
        course(w, idx, drug, start, c.end[idx], 1.0, supply=180, route=C.ORAL)
    # TB treatment: 6 months of isoniazid and rifampin
    for flag in ("tb_treated", "tb_active"):
        idx = w.pick(c.has[flag])
        start = onset[flag][idx]
        for name in ("isoniazid", "rifampin"):
            course(
                w,
                idx,
                DRUG[name],
                start,
                start + 179,
                1.0,
                supply=30,
                route=C.ORAL,
                with_dose=False,
            )
    # pain relief for knee osteoarthritis
    idx = w.pick(c.has["knee_oa"] & c.flag(0.5))
    start = c.day_between(onset["knee_oa"][idx], c.end[idx] - 30)
    drug = np.where(rng.random(len(idx)) < 0.5, DRUG["acetaminophen"], DRUG["ibuprofen"])
    course(w, idx, drug, start, start + 29, 3.0, supply=30, route=C.ORAL)


_INACTIVATED = (
    ("tdap", 0.08, 18),
    ("zoster_recombinant", 0.25, 50),
    ("ppsv23", 0.30, 65),
    ("hepb_adult", 0.03, 18),
)
_LIVE = (
    ("zoster_live", 0.03, 60),
    ("mmr", 0.01, 18),
    ("yellow_fever", 0.005, 18),
    ("varicella", 0.005, 18),
)


def _shots(w: World, idx: Array, concept: int, day: Array, route: int) -> None:
    w.drugs(idx, concept, day, day, route=route)


def vaccinations(w: World) -> None:
    c, rng = w.c, w.rng
    if c.n == 0:
        return
    first = int(np.datetime64(int(c.start.min()), "D").astype("datetime64[Y]").astype(int)) + 1970
    last = int(np.datetime64(int(c.end.max()), "D").astype("datetime64[Y]").astype(int)) + 1970
    for year in range(first, last + 1):
        oct_1 = int(np.datetime64(f"{year}-10-01", "D").astype(np.int64))
        day = oct_1 + rng.integers(0, 75, c.n)
        idx = w.pick((c.start <= day) & (day < c.end) & (rng.random(c.n) < 0.45))
        _shots(w, idx, VACCINE["influenza"], day[idx], C.IM)
    covid_lo = int(np.datetime64("2021-01-15", "D").astype(np.int64))
    day = covid_lo + rng.integers(0, 900, c.n)
    idx = w.pick((c.start <= day) & (day < c.end) & (rng.random(c.n) < 0.55))
    _shots(w, idx, VACCINE["covid"], day[idx], C.IM)
    for table, route in ((_INACTIVATED, C.IM), (_LIVE, C.SC)):
        for name, p, min_age in table:
            idx = w.pick((c.age >= min_age) & c.flag(p))
            _shots(w, idx, VACCINE[name], c.day_between(c.start[idx], c.end[idx] - 1), route)
