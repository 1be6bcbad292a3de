"""Persons of one chunk: sex, birth date, observation period, what they have, latent values.

Everything is drawn per chunk with numpy, one array per attribute; prevalences are those of
the table in :mod:`params`. Flags are independent draws except where noted (metastasis
needs a cancer, RA is enriched by ``Settings.ra_share``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from trialdesk.patients.synthetic.frame import Array
from trialdesk.patients.synthetic.params import AGE_GROUPS, Settings

__all__ = ["Cohort", "day_number", "make_cohort"]

_EPOCH = date(1970, 1, 1)
_YEAR = 365.2425


def day_number(d: date) -> int:
    return (d - _EPOCH).days


@dataclass
class Cohort:
    """One chunk of persons; ``S``, ``B`` are the screening and baseline day numbers."""

    rng: np.random.Generator
    settings: Settings
    pid: Array
    female: Array
    birth: Array
    age: Array  # years (fractional) on the screening date
    start: Array  # observation period, day numbers
    end: Array
    has: dict[str, Array] = field(default_factory=dict)
    latent: dict[str, Array] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.pid)

    @property
    def S(self) -> int:  # noqa: N802 - the study's own name for the date
        return day_number(self.settings.screening)

    @property
    def B(self) -> int:  # noqa: N802
        return day_number(self.settings.baseline)

    def flag(self, p: Array | float) -> Array:
        """One Bernoulli draw per person."""
        return self.rng.random(self.n) < p

    def day_between(self, lo: Array | int, hi: Array | int) -> Array:
        """A uniform day in [lo, hi] per row (hi < lo gives lo)."""
        lo_a = np.asarray(lo, dtype=np.int64)
        hi_a = np.maximum(np.asarray(hi, dtype=np.int64), lo_a)
        size = max(lo_a.size, hi_a.size)
        return lo_a + np.floor(self.rng.random(size) * (hi_a - lo_a + 1)).astype(np.int64)


def _ages(rng: np.random.Generator, n: int) -> Array:
    lows = np.array([g[0] for g in AGE_GROUPS], dtype=float)
    highs = np.array([g[1] for g in AGE_GROUPS], dtype=float)
    weight = np.array([g[2] for g in AGE_GROUPS])
    group = rng.choice(len(AGE_GROUPS), size=n, p=weight / weight.sum())
    ages: Array = lows[group] + rng.random(n) * (highs[group] - lows[group])
    return ages


def _by_age(age: Array, table: tuple[tuple[float, float], ...]) -> Array:
    """Step function of age: ((from age, value), ...) in increasing age."""
    out = np.zeros(len(age))
    for lo, value in table:
        out[age >= lo] = value
    return out


def _scaled(p: float, weight: Array) -> Array:
    """Per-person probabilities averaging ``p`` with relative weights ``weight``."""
    mean = float(weight.mean()) if len(weight) else 1.0
    out: Array = np.clip(p * weight / (mean or 1.0), 0.0, 1.0)
    return out


def make_cohort(rng: np.random.Generator, settings: Settings, first_pid: int, n: int) -> Cohort:
    female = rng.random(n) < 0.51
    age = _ages(rng, n)
    s = day_number(settings.screening)
    birth = s - np.floor(age * _YEAR).astype(np.int64)
    end = np.full(n, day_number(settings.baseline), dtype=np.int64)
    years = 1.0 + rng.random(n) * 9.0  # 1-10 years of records
    start = np.maximum(end - np.floor(years * _YEAR).astype(np.int64), birth + int(18 * _YEAR))
    c = Cohort(
        rng,
        settings,
        np.arange(first_pid, first_pid + n, dtype=np.int64),
        female,
        birth,
        age,
        start,
        end,
    )
    _conditions(c)
    _latent(c)
    return c


def _conditions(c: Cohort) -> None:
    age, fem = c.age, c.female
    h = c.has
    # RA: women 2.5 x men, rising with age to a peak at 60-79 (Almutairi 2021; Safiri 2019)
    ra_age = _by_age(age, ((18, 0.3), (30, 0.6), (40, 1.0), (50, 1.4), (60, 1.6), (80, 1.1)))
    h["ra"] = c.flag(_scaled(c.settings.ra_share, ra_age * np.where(fem, 2.5, 1.0)))
    h["hypertension"] = c.flag(_by_age(age, ((18, 0.224), (40, 0.545), (60, 0.745))))
    h["hyperlipidemia"] = c.flag(_by_age(age, ((18, 0.08), (40, 0.25), (60, 0.45))))
    h["diabetes"] = c.flag(_scaled(0.09, _by_age(age, ((18, 0.3), (45, 1.6), (65, 2.7)))))
    h["ckd3"] = c.flag(_scaled(0.05, _by_age(age, ((18, 0.2), (45, 0.8), (65, 3.0)))))
    h["hypothyroidism"] = c.flag(np.where(fem, 0.07, 0.015))
    h["coronary"] = c.flag(_by_age(age, ((18, 0.0), (45, 0.04), (65, 0.14))))
    h["afib"] = c.flag(_by_age(age, ((18, 0.0), (55, 0.02), (70, 0.08))))
    h["osteoporosis"] = c.flag(
        np.where(fem, 1.0, 0.2) * _by_age(age, ((18, 0), (50, 0.1), (70, 0.2)))
    )
    h["knee_oa"] = c.flag(_by_age(age, ((18, 0.0), (45, 0.06), (60, 0.14))))
    h["depression"] = c.flag(np.where(fem, 0.104, 0.055))
    h["anxiety"] = c.flag(np.where(fem, 0.084, 0.056))
    h["alcohol_abuse"] = c.flag(np.where(fem, 0.01, 0.03))
    h["low_back_pain"] = c.flag(0.06)
    h["sciatica"] = c.flag(0.015)
    h["psoriasis"] = c.flag(0.03)
    h["sle"] = c.flag(np.where(fem, 0.002, 0.0002))
    h["sjogren"] = c.flag(np.where(fem, 0.002, 0.0002) + 0.02 * h["ra"])
    h["coagulation"] = c.flag(0.005)
    h["hiv"] = c.flag(0.004)
    h["hepatitis_b"] = c.flag(0.003)
    h["hepatitis_c"] = c.flag(0.010)
    h["syphilis"] = c.flag(0.001)
    h["latent_tb"] = c.flag(0.044 * 0.2)  # on file: a fifth of infections are diagnosed
    tb = c.rng.random(c.n)
    h["tb_treated"] = tb < 0.0008  # past active TB with treatment on file
    h["tb_untreated"] = (tb >= 0.0008) & (tb < 0.001)  # past active TB, no treatment on file
    h["tb_active"] = (tb >= 0.001) & (tb < 0.0011)  # active TB now
    cancer_age = _by_age(age, ((18, 0.2), (40, 0.6), (55, 1.5), (70, 3.0)))
    h["cancer"] = c.flag(_scaled(0.054, cancer_age))
    h["metastasis"] = h["cancer"] & c.flag(0.1)
    h["bcc"] = c.flag(_scaled(0.01, cancer_age))
    fertile = fem & (age < 45)
    h["pregnant"] = fertile & c.flag(0.045)
    h["past_pregnancy"] = fertile & ~h["pregnant"] & c.flag(0.10)
    h["lactating"] = fertile & ~h["pregnant"] & c.flag(0.02)
    h["pacemaker"] = c.flag(_by_age(age, ((18, 0.0), (50, 0.005), (70, 0.025))))
    h["defibrillator"] = c.flag(_by_age(age, ((18, 0.0), (50, 0.002), (70, 0.006))))
    h["stent"] = h["coronary"] & c.flag(0.3)


def _latent(c: Cohort) -> None:
    """Each person's usual values, around which their measurements scatter."""
    rng, n, fem, h = c.rng, c.n, c.female, c.has
    lat = c.latent
    lat["height"] = np.where(fem, rng.normal(161.7, 7.1, n), rng.normal(175.4, 7.6, n))
    lat["bmi"] = np.clip(np.exp(rng.normal(np.log(28.5), 0.21, n)), 16.0, 60.0)
    htn = h["hypertension"]
    lat["sbp"] = np.where(htn, rng.normal(138, 16, n), rng.normal(118, 11, n))
    lat["dbp"] = np.where(htn, rng.normal(84, 10, n), rng.normal(74, 8, n))
    creat = np.exp(rng.normal(np.log(np.where(fem, 0.75, 0.95)), 0.16, n))
    lat["creatinine"] = creat * np.where(h["ckd3"], 1.9, 1.0)
    liver = h["hepatitis_b"] | h["hepatitis_c"] | h["alcohol_abuse"]
    lat["alt"] = np.exp(rng.normal(np.log(np.where(fem, 18.0, 25.0)), 0.42, n)) * np.where(
        liver, 2.5, 1.0
    )
    lat["ast"] = np.exp(rng.normal(np.log(22.0), 0.33, n)) * np.where(liver, 2.2, 1.0)
    anaemic = h["ckd3"] | h["cancer"] | h["ra"]
    lat["hb"] = np.where(fem, rng.normal(13.5, 1.1, n), rng.normal(15.0, 1.2, n)) - np.where(
        anaemic, 1.0, 0.0
    )
    lat["wbc"] = np.exp(rng.normal(np.log(6.8), 0.26, n))
    lat["platelets"] = np.exp(rng.normal(np.log(250.0), 0.24, n))
