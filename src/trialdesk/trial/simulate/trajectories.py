"""How a simulated participant's RA looks at each visit: the joint counts, CRP, ESR, the
global assessments and knee pain, the WOMAC and HAQ answers and the knee's ultrasound,
from their baseline (population.Disease) and their response to the injection.

The items are found by what feeds the study's calculators (the forms' derivations):
DAS28/CDAI/SDAI's ``tjc28``, ``sjc28``, ``crp``, ``esr``, ``patient_global`` and
``evaluator_global``; every input of a WOMAC or HAQ-DI calculator (an answer on the
item's own scale, worse with the knee or with daily function); the ultrasound grades of
``us_synovitis_combined``. The counts of 68/66 joints, the pain VAS and the knee effusion
are found by their SDTM tests (MK.TJC68, MK.SJC66, QS.PAINVAS, MK.EFFUSIND, MK.EFFUSDEP).

SIMULATION ASSUMPTION: activity after the injection is the baseline times
``1 - response * (1 - exp(-days / 28))`` (a change that settles over about two months),
with visit-to-visit noise; CRP falls faster than the counts and ESR slower; HAQ answers
move less than the knee's. In the two days after the injection the knee may hurt more
(a local reaction, the commonest event after intra-articular cell injections).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from trialdesk.trial.simulate.population import Disease

__all__ = [
    "ACTIVITY_KEYS",
    "ACTIVITY_UNITS",
    "QUESTIONNAIRES",
    "Activity",
    "activity_at",
    "ordinal",
]

SETTLE_DAYS = 28.0


@dataclass(frozen=True)
class Activity:
    """The disease at one visit, as the forms record it."""

    tjc28: int
    sjc28: int
    tjc68: int
    sjc66: int
    crp: float  # mg/L
    esr: int  # mm/h
    patient_global: int  # mm
    evaluator_global: int  # mm
    knee_pain: int  # mm
    knee: float  # 0-1: how bad the target knee is (WOMAC)
    function: float  # 0-1: how hard daily life is (HAQ-DI)
    sh: int  # synovial hypertrophy, 0-3
    pd: int  # power Doppler, 0-3, never above sh (not gradable otherwise)
    effusion: bool
    effusion_mm: float


def _bounded(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _count(value: float, rng: random.Random, top: int) -> int:
    return int(_bounded(round(value * math.exp(rng.gauss(0, 0.25))), 0, top))


def activity_at(disease: Disease, days: int | None, rng: random.Random) -> Activity:
    """The disease ``days`` after the injection (None or 0: before it)."""
    d = disease
    after = max(days or 0, 0)
    f = 1 - d.response * (1 - math.exp(-after / SETTLE_DAYS))
    flare = rng.gauss(10, 8) if 1 <= after <= 2 and rng.random() < 0.3 else 0.0
    tjc = _count(d.tjc28 * f, rng, 28)
    sjc = _count(d.sjc28 * f, rng, 28)
    sh = int(_bounded(round(d.synovitis * f + rng.gauss(0, 0.4)), 0, 3))
    effusion = rng.random() < _bounded(d.effusion * f, 0.0, 1.0)
    return Activity(
        tjc28=tjc,
        sjc28=sjc,
        tjc68=min(tjc + _count(d.tender_extra * f, rng, 40), 68),
        sjc66=min(sjc + _count(d.swollen_extra * f, rng, 38), 66),
        crp=round(_bounded(d.crp * f**1.5 * math.exp(rng.gauss(0, 0.35)), 0.2, 300), 1),
        esr=int(_bounded(round(d.esr * f**0.8 * math.exp(rng.gauss(0, 0.15))), 2, 140)),
        patient_global=int(_bounded(round(d.patient_global * f + rng.gauss(0, 8)), 0, 100)),
        evaluator_global=int(_bounded(round(d.evaluator_global * f + rng.gauss(0, 6)), 0, 100)),
        knee_pain=int(_bounded(round(d.knee_pain * f + flare + rng.gauss(0, 8)), 0, 100)),
        knee=_bounded(d.knee * f + rng.gauss(0, 0.05), 0.0, 1.0),
        function=_bounded(d.function * (1 - 0.6 * (1 - f)) + rng.gauss(0, 0.04), 0.0, 1.0),
        sh=sh,
        pd=int(_bounded(round(d.doppler * f + rng.gauss(0, 0.4)), 0, sh)),
        effusion=effusion,
        effusion_mm=round(_bounded(6 * f * math.exp(rng.gauss(0, 0.4)), 1.0, 30.0), 1),
    )


# Calculator inputs and SDTM tests read straight from the activity.
ACTIVITY_KEYS = {
    "tjc28": "tjc28",
    "sjc28": "sjc28",
    "crp": "crp",
    "esr": "esr",
    "patient_global": "patient_global",
    "evaluator_global": "evaluator_global",
    "sh": "sh",
    "pd": "pd",
    "MK.TJC28": "tjc28",
    "MK.SJC28": "sjc28",
    "MK.TJC68": "tjc68",
    "MK.SJC66": "sjc66",
    "LB.CRP": "crp",
    "LB.ESR": "esr",
    "QS.PAINVAS": "knee_pain",
    "MK.EFFUSIND": "effusion",
}

# The units of the activity's measures (the rest are counts, grades and 0-1 levels).
ACTIVITY_UNITS = {
    "crp": "mg/L",
    "esr": "mm/h",
    "patient_global": "mm",
    "evaluator_global": "mm",
    "knee_pain": "mm",
}

# Questionnaire calculators whose every input is an answer that is worse with the knee
# (WOMAC) or with daily function (HAQ-DI), and the activity field that drives them.
QUESTIONNAIRES = {
    "womac_pain": "knee",
    "womac_stiffness": "knee",
    "womac_function": "knee",
    "womac_total": "knee",
    "haq_di": "function",
    "haq_di_without_aids": "function",
}


def ordinal(severity: float, top: int, rng: random.Random) -> int:
    """An answer 0..``top`` for someone this bad (0-1), as people answer: around it."""
    return int(_bounded(round(severity * top + rng.gauss(0, 0.5)), 0, top))
