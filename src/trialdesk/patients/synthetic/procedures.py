"""Procedures of the general population: knee care for osteoarthritis, knee injuries,
screening colonoscopies and echocardiograms (assumed rates, per person over the records).
"""

from __future__ import annotations

import numpy as np

from trialdesk.patients.synthetic.catalog import C
from trialdesk.patients.synthetic.codes import COND, PROC
from trialdesk.patients.synthetic.frame import Array
from trialdesk.patients.synthetic.rheumatology import modifiers
from trialdesk.patients.synthetic.world import World

__all__ = ["general_procedures"]


def _on_visit(
    w: World,
    idx: Array,
    concept: int,
    lo: Array,
    hi: Array,
    *,
    sided: bool,
    visit_concept: int = C.OUTPATIENT,
) -> Array:
    c = w.c
    day = c.day_between(lo, hi)
    vid = w.visits(idx, day, None, visit_concept)
    w.procedures(idx, concept, day, modifier=modifiers(w, len(idx)) if sided else None, visit=vid)
    return day


def general_procedures(w: World, onset: dict[str, Array]) -> None:
    c, rng = w.c, w.rng
    last = c.end - 1
    # knee osteoarthritis: X-ray, injections (30%), total knee replacement (5%)
    oa = w.pick(c.has["knee_oa"] & c.flag(0.6))
    _on_visit(w, oa, PROC["knee_xray"], onset["knee_oa"][oa], last[oa], sided=False)
    oa = w.pick(c.has["knee_oa"] & c.flag(0.3))
    _on_visit(w, oa, PROC["knee_injection"], onset["knee_oa"][oa], last[oa], sided=True)
    oa = w.pick(c.has["knee_oa"] & c.flag(0.05))
    _on_visit(
        w,
        oa,
        PROC["knee_replacement"],
        onset["knee_oa"][oa],
        last[oa],
        sided=True,
        visit_concept=C.INPATIENT,
    )
    # knee injuries seen in the emergency department (0.5%)
    hurt = w.pick(c.flag(0.005))
    day = c.day_between(c.start[hurt], last[hurt])
    vid = w.visits(hurt, day, None, C.EMERGENCY)
    kinds = np.array([COND["acl_right"], COND["mcl_left"], COND["meniscus"]])
    w.conditions(hurt, kinds[rng.integers(0, 3, len(hurt))], day, day + 60, visit=vid)
    # screening colonoscopy from 45, echocardiography for heart disease
    idx = w.pick((c.age >= 45) & c.flag(0.1))
    _on_visit(w, idx, PROC["colonoscopy"], c.start[idx], last[idx], sided=False)
    idx = w.pick((c.has["coronary"] | c.has["afib"]) & c.flag(0.5))
    _on_visit(w, idx, PROC["echo"], c.start[idx], last[idx], sided=False)
