"""Synthetic people with RA who come to screening: who they are, their usual vital signs
and laboratory values, their disease (its activity at baseline and how it will respond),
their history, and how their screening is meant to end.

Everything is invented from the simulation's seed: no real person is described. Names
are made of common Chinese family and given names in pinyin, record numbers start with
``SIM-``.

How screening ends is drawn first (rates.py), and the person is drawn to fit it: an
intended participant's screening values stay inside what NCT06947746's criteria accept
(:data:`ELIGIBLE_LIMITS`), an intended screen failure has one reason (:data:`FAILURES`)
the criteria refuse. The study's own engine still decides (run.py builds the checklist
and records what it says), so a person the engine refuses all the same is screened out
and replaced. SIMULATION ASSUMPTION throughout; the RA figures are in trajectories.py.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from trialdesk.study.loader import Study
from trialdesk.trial.simulate.measures import BETWEEN, LAB, VITAL
from trialdesk.trial.simulate.rates import DISCONTINUATION, RATES, Rates

__all__ = [
    "ELIGIBLE_KNEE",
    "ELIGIBLE_LIMITS",
    "ELIGIBLE_SYNOVITIS",
    "FAILURES",
    "Disease",
    "Intended",
    "Person",
    "draw_person",
    "intended_of",
]


class Intended(StrEnum):
    ENROL = "enrol"
    SCREEN_FAIL = "screen_fail"
    DECLINE_BEFORE_CONSENT = "decline_before_consent"
    DECLINE_AFTER_SCREENING = "decline_after_screening"


# Why an intended screen failure fails, with its weight, by the NCT06947746 criterion it
# meets: transaminases >= 2 x ULN (E10), BMI > 30 (E15), blood pressure >= 160 mmHg (E14),
# haemoglobin < 9 g/dL (E12), HBsAg positive (E3), older than 65 (I2), and the
# investigator's judgment that the person could not follow the protocol (E26).
FAILURES: tuple[tuple[str, float], ...] = (
    ("E10", 0.15),
    ("E15", 0.20),
    ("E14", 0.20),
    ("E12", 0.10),
    ("E3", 0.15),
    ("I2", 0.10),
    ("E26", 0.10),
)

# The screening values an intended participant keeps within (in the measure's unit, or
# times the upper limit of normal for "xULN"), inside the criteria's limits with a margin.
ELIGIBLE_LIMITS: dict[str, tuple[float | None, float | None]] = {
    "LB.ALT": (None, 1.6),  # xULN; E10 refuses 2
    "LB.AST": (None, 1.6),
    "LB.HGB": (95.0, None),  # g/L; E12 refuses < 90
    "LB.WBC": (3.3, None),  # E12 refuses < 3.0
    "LB.NEUT": (1.4, None),  # E12 refuses < 1.2
    "LB.PLAT": (115.0, None),  # E12 refuses < 100
    "VS.SYSBP": (None, 150.0),  # E14 refuses 160
    "VS.DIABP": (None, 86.0),  # E14 refuses 90
    "VS.BMI": (18.5, 29.5),  # E15 refuses > 30
}

# The knee an intended participant brings to screening: WOMAC answers at least this bad
# (0-1 of each scale; I4 asks a WOMAC pain score of 4 of 10) and synovitis on ultrasound
# (a synovial hypertrophy grade of at least 1).
ELIGIBLE_KNEE = 0.55
ELIGIBLE_SYNOVITIS = 1

FAMILY = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
          "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo")  # fmt: skip
GIVEN = ("Wei", "Fang", "Min", "Jing", "Li", "Qiang", "Lei", "Jun", "Yan", "Hua", "Ping",
         "Hong", "Xia", "Ying", "Hui", "Ling", "Mei", "Xin", "Yu", "Jie", "Lan", "Qing",
         "Tao", "Bo", "Ning", "Rui", "Shan", "Yun")  # fmt: skip


@dataclass(frozen=True)
class Disease:
    """RA activity at baseline (before the injection) and how it will respond: counts of
    the 28 joints and the extra ones of the 68/66, CRP (mg/L), ESR (mm/h), the global
    assessments and knee pain (0-100 mm), how bad the knee is on WOMAC's items and daily
    function on HAQ's (0-1 of each scale), the knee's ultrasound grades (0-3) and effusion,
    and ``response``: the share of activity the injection removes in the long run."""

    tjc28: float
    sjc28: float
    tender_extra: float
    swollen_extra: float
    crp: float
    esr: float
    patient_global: float
    evaluator_global: float
    knee_pain: float
    knee: float
    function: float
    synovitis: int
    doppler: int
    effusion: float
    response: float


@dataclass(frozen=True)
class Person:
    index: int
    seed: str  # each visit's values come from a stream of their own: f"{seed}/{visit}"
    name: str
    sex: str
    birth_date: date
    record_number: str
    parameters: dict[str, str]  # the study's per-participant parameters (the target knee)
    intended: Intended
    failure: str | None  # the criterion an intended screen failure meets
    usual: dict[str, float]  # usual value of each measure (measures.py keys, their units)
    disease: Disease
    ra_onset: date
    mtx_start: date
    mtx_mg_weekly: int
    discontinue: tuple[str, int] | None = None  # (term, study day) when it ends early

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    names = [name for name, _ in weighted]
    return rng.choices(names, [weight for _, weight in weighted])[0]


def intended_of(seed: int, index: int, rates: Rates = RATES) -> Intended:
    """How candidate ``index``'s screening is meant to end (a stream of its own, so the
    candidates needed for N participants are known before anyone is drawn)."""
    roll = random.Random(f"{seed}/{index}/intended").random()
    if roll < rates.declined / 2:
        return Intended.DECLINE_BEFORE_CONSENT
    if roll < rates.declined:
        return Intended.DECLINE_AFTER_SCREENING
    if roll < rates.declined + rates.screen_fail:
        return Intended.SCREEN_FAIL
    return Intended.ENROL


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _usual(rng: random.Random, sex: str, age: int) -> dict[str, float]:
    usual: dict[str, float] = {}
    for key, lab in LAB.items():
        centre, spread = lab.spread(sex, age)
        usual[key] = centre * math.exp(rng.gauss(0.0, BETWEEN * spread))
    for key, vital in VITAL.items():
        centre = vital.male if sex == "male" else vital.female
        usual[key] = rng.gauss(centre, vital.between)
    usual["VS.BMI"] = _clamp(usual["VS.BMI"], 17.0, 34.0)
    usual["VS.WEIGHT"] = usual["VS.BMI"] * (usual["VS.HEIGHT"] / 100) ** 2
    # RA: neutrophils and lymphocytes as shares of the white cells, so they add up
    usual["LB.NEUT"] = usual["LB.WBC"] * rng.uniform(0.5, 0.68)
    usual["LB.LYM"] = usual["LB.WBC"] * rng.uniform(0.22, 0.35)
    usual["VS.DIABP"] = min(usual["VS.DIABP"], usual["VS.SYSBP"] - 30)
    return usual


def _disease(rng: random.Random) -> Disease:
    """Baseline activity centred near DAS28-ESR 5 (moderate to high activity, Prevoo 1995
    categories: above 5.1 high), with persistent knee synovitis; ``response`` is on average
    a modest improvement (about 30% of activity) with a wide spread, some worsening
    (SIMULATION ASSUMPTION, not a claim about the product)."""
    tjc = _clamp(round(6 * math.exp(rng.gauss(0, 0.5))), 1, 24)
    sjc = _clamp(round(4 * math.exp(rng.gauss(0, 0.5))), 1, min(tjc + 2, 20))
    synovitis = rng.choices((1, 2, 3), (0.35, 0.45, 0.20))[0]
    return Disease(
        tjc28=tjc,
        sjc28=sjc,
        tender_extra=tjc * rng.uniform(0.1, 0.6),
        swollen_extra=sjc * rng.uniform(0.05, 0.4),
        crp=8 * math.exp(rng.gauss(0, 0.8)),
        esr=_clamp(28 * math.exp(rng.gauss(0, 0.45)), 4, 110),
        patient_global=_clamp(rng.gauss(55, 15), 10, 95),
        evaluator_global=_clamp(rng.gauss(48, 13), 10, 90),
        knee_pain=_clamp(rng.gauss(60, 14), 25, 95),
        knee=_clamp(rng.gauss(0.58, 0.12), 0.45, 0.95),
        function=_clamp(rng.gauss(0.38, 0.14), 0.05, 0.9),
        synovitis=synovitis,
        doppler=rng.randint(0, synovitis),
        effusion=rng.uniform(0.4, 0.9),
        response=_clamp(rng.gauss(0.30, 0.20), -0.2, 0.85),
    )


def _discontinue(rng: random.Random, rates: Rates, follow_up: int) -> tuple[str, int] | None:
    """Whether participation will end early: in which term, on which study day."""
    if rng.random() >= rates.discontinued:
        return None
    return _pick(rng, DISCONTINUATION), rng.randint(2, max(3, follow_up))


def draw_person(
    study: Study,
    seed: int,
    index: int,
    consent_on: date,
    intended: Intended,
    rates: Rates = RATES,
) -> Person:
    """Candidate ``index`` of the simulation ``seed``, consenting on ``consent_on``; the
    same for the same arguments, whatever else the simulation does."""
    key = f"{seed}/{index}"
    rng = random.Random(key)
    failure = _pick(rng, FAILURES) if intended is Intended.SCREEN_FAIL else None
    sex = "female" if rng.random() < 0.8 else "male"  # RA: about four women in five
    age = round(rng.triangular(22, 65, 52)) if failure != "I2" else rng.randint(66, 70)
    birth = _years_before(consent_on, age) - timedelta(days=rng.randint(1, 364))
    family, given = rng.choice(FAMILY), rng.choice(GIVEN) + rng.choice(GIVEN).lower()
    parameters = {name: rng.choice(p.choices) for name, p in study.participant.parameters.items()}
    follow_up = study.schedule.last_day if study.schedule and study.schedule.last_day else 1
    ra_years = rng.uniform(0.5, 15)
    mtx_years = rng.uniform(0.35, min(ra_years, 10))
    return Person(
        index=index,
        seed=key,
        name=f"{family} {given}",
        sex=sex,
        birth_date=birth,
        record_number=f"SIM-{index + 1:06d}",
        parameters=parameters,
        intended=intended,
        failure=failure,
        usual=_usual(rng, sex, age),
        disease=_disease(rng),
        ra_onset=consent_on - timedelta(days=round(ra_years * 365.25)),
        mtx_start=consent_on - timedelta(days=round(mtx_years * 365.25)),
        # a weekly methotrexate dose as commonly prescribed (7.5-20 mg; assumption)
        mtx_mg_weekly=rng.choice((10, 12, 15, 15, 15, 17, 20)),
        discontinue=_discontinue(rng, rates, follow_up) if intended is Intended.ENROL else None,
    )
