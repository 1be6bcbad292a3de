"""Laboratory results and vital signs, scattered around each person's usual values.

Units are mixed as real exports mix them: weight in kg or [lb_av], height in cm or [in_i],
creatinine in mg/dL (LOINC 2160-0) or umol/L (LOINC 14682-9), haemoglobin in g/dL or g/L,
blood counts in 10*3/uL or 10*9/L. Reference ranges are in the result's own unit; about a
fifth of ALT/AST results come without one (the engine then uses its cited default ULN).
Qualitative tests are Positive exactly when the person has the disease on file.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from trialdesk.patients.synthetic.catalog import UNIT, C
from trialdesk.patients.synthetic.codes import MEAS
from trialdesk.patients.synthetic.frame import Array
from trialdesk.patients.synthetic.world import World

__all__ = ["QUALITATIVE", "labs", "vitals"]

_LB = 0.45359237
_IN = 2.54
_CREAT_UMOL = 88.4  # umol/L per mg/dL (creatinine 113.12 g/mol)


#: qualitative test -> the person flag that makes it Positive
QUALITATIVE = {
    "hiv": "hiv",
    "hbsag": "hepatitis_b",
    "hcv": "hepatitis_c",
    "syphilis": "syphilis",
    "pregnancy_test": "pregnant",
}


def _noise(w: World, n: int, sd: float) -> Array:
    return np.exp(w.rng.normal(0.0, sd, n))


def _either(w: World, n: int, p_first: float) -> Array:
    return w.rng.random(n) < p_first


def vitals(
    w: World,
    idx: Array,
    day: Array,
    visit: Array,
    *,
    p_height: float = 0.25,
    p_bmi: float = 0.3,
    p_bp: float = 0.85,
) -> None:
    """Weight at every call; height, BMI and blood pressure at some."""
    c, rng, n = w.c, w.rng, len(idx)
    h_cm = c.latent["height"][idx]
    kg = c.latent["bmi"][idx] * (h_cm / 100) ** 2 * _noise(w, n, 0.02)
    in_kg = _either(w, n, 0.7)
    w.measurements(
        idx,
        MEAS["weight"],
        day,
        value=np.where(in_kg, np.round(kg, 1), np.round(kg / _LB, 1)),
        unit=np.where(in_kg, UNIT["kg"], UNIT["[lb_av]"]),
        visit=visit,
    )
    m = rng.random(n) < p_height
    in_cm = _either(w, int(m.sum()), 0.75)
    cm = h_cm[m]
    w.measurements(
        idx[m],
        MEAS["height"],
        day[m],
        value=np.where(in_cm, np.round(cm, 1), np.round(cm / _IN, 1)),
        unit=np.where(in_cm, UNIT["cm"], UNIT["[in_i]"]),
        visit=visit[m],
    )
    m = rng.random(n) < p_bmi
    w.measurements(
        idx[m],
        MEAS["bmi"],
        day[m],
        value=np.round(kg[m] / (h_cm[m] / 100) ** 2, 1),
        unit=UNIT["kg/m2"],
        visit=visit[m],
    )
    m = rng.random(n) < p_bp
    i = idx[m]
    sbp = np.round(c.latent["sbp"][i] + rng.normal(0, 7, len(i)))
    dbp = np.round(c.latent["dbp"][i] + rng.normal(0, 5, len(i)))
    w.measurements(i, MEAS["sbp"], day[m], value=sbp, unit=UNIT["mm[Hg]"], visit=visit[m])
    w.measurements(i, MEAS["dbp"], day[m], value=dbp, unit=UNIT["mm[Hg]"], visit=visit[m])


def _quantity(
    w: World,
    name: str,
    idx: Array,
    day: Array,
    visit: Array | None,
    value: Array,
    unit: str,
    low: float | Array | None,
    high: float | Array | None,
    p_range: float = 1.0,
) -> None:
    n = len(idx)
    has_range = w.rng.random(n) < p_range
    lo = None if low is None else np.where(has_range, low, np.nan)
    hi = None if high is None else np.where(has_range, high, np.nan)
    w.measurements(idx, MEAS[name], day, value=value, unit=UNIT[unit], low=lo, high=hi, visit=visit)


def _counts(
    w: World,
    name: str,
    idx: Array,
    day: Array,
    visit: Array | None,
    value: Array,
    low: float,
    high: float,
    digits: int,
) -> None:
    per_ul = _either(w, len(idx), 0.7)
    for mask, unit in ((per_ul, "10*3/uL"), (~per_ul, "10*9/L")):
        _quantity(
            w,
            name,
            idx[mask],
            day[mask],
            None if visit is None else visit[mask],
            np.round(value[mask], digits),
            unit,
            low,
            high,
        )


def labs(w: World, names: Sequence[str], idx: Array, day: Array, visit: Array | None) -> None:
    """One result of each named test per row (person index, day, visit)."""
    c, rng, n = w.c, w.rng, len(idx)
    fem = c.female[idx]
    ra = c.has["ra"][idx]
    for name in names:
        if name == "alt":
            v = np.maximum(np.round(c.latent["alt"][idx] * _noise(w, n, 0.15)), 3)
            _quantity(w, name, idx, day, visit, v, "U/L", 7.0, 56.0, p_range=0.8)
        elif name == "ast":
            v = np.maximum(np.round(c.latent["ast"][idx] * _noise(w, n, 0.12)), 5)
            _quantity(w, name, idx, day, visit, v, "U/L", 10.0, 40.0, p_range=0.8)
        elif name == "creatinine":
            mg = c.latent["creatinine"][idx] * _noise(w, n, 0.06)
            low, high = np.where(fem, 0.5, 0.7), np.where(fem, 1.1, 1.3)
            mass = _either(w, n, 0.7)
            m = mass
            _quantity(
                w,
                "creatinine_mass",
                idx[m],
                day[m],
                None if visit is None else visit[m],
                np.round(mg[m], 2),
                "mg/dL",
                low[m],
                high[m],
            )
            m = ~mass
            _quantity(
                w,
                "creatinine_moles",
                idx[m],
                day[m],
                None if visit is None else visit[m],
                np.round(mg[m] * _CREAT_UMOL),
                "umol/L",
                np.round(low[m] * _CREAT_UMOL),
                np.round(high[m] * _CREAT_UMOL),
            )
        elif name == "hemoglobin":
            g_dl = c.latent["hb"][idx] + rng.normal(0, 0.4, n)
            low, high = np.where(fem, 12.0, 13.5), np.where(fem, 15.5, 17.5)
            per_dl = _either(w, n, 0.85)
            m = per_dl
            _quantity(
                w,
                name,
                idx[m],
                day[m],
                None if visit is None else visit[m],
                np.round(g_dl[m], 1),
                "g/dL",
                low[m],
                high[m],
            )
            m = ~per_dl
            _quantity(
                w,
                name,
                idx[m],
                day[m],
                None if visit is None else visit[m],
                np.round(g_dl[m] * 10),
                "g/L",
                low[m] * 10,
                high[m] * 10,
            )
        elif name == "wbc":
            _counts(
                w, name, idx, day, visit, c.latent["wbc"][idx] * _noise(w, n, 0.1), 4.0, 11.0, 1
            )
        elif name == "neutrophils":
            anc = c.latent["wbc"][idx] * _noise(w, n, 0.1) * rng.uniform(0.5, 0.72, n)
            _counts(w, name, idx, day, visit, anc, 1.8, 7.7, 2)
        elif name == "platelets":
            _counts(
                w,
                name,
                idx,
                day,
                visit,
                c.latent["platelets"][idx] * _noise(w, n, 0.08),
                150.0,
                400.0,
                0,
            )
        elif name == "crp":
            v = np.exp(rng.normal(np.log(np.where(ra, 8.0, 2.0)), 1.0))
            _quantity(w, name, idx, day, visit, np.round(v, 1), "mg/L", 0.0, 10.0)
        elif name == "esr":
            v = np.exp(rng.normal(np.log(np.where(ra, 25.0, 10.0)), 0.6))
            _quantity(w, name, idx, day, visit, np.round(v), "mm/h", 0.0, np.where(fem, 30.0, 20.0))
        elif name in ("rf", "anti_ccp"):
            pos = c.has["ra_seropositive"][idx]
            med = np.where(pos, 60.0, 8.0) if name == "rf" else np.where(pos, 120.0, 5.0)
            v = np.exp(rng.normal(np.log(med), np.where(pos, 0.8, 0.5)))
            unit, uln = ("[IU]/mL", 14.0) if name == "rf" else ("U/mL", 20.0)
            _quantity(w, name, idx, day, visit, np.round(v, 1), unit, 0.0, uln)
        elif name == "glucose":
            dm = c.has["diabetes"][idx]
            v = np.round(np.where(dm, rng.normal(160, 40, n), rng.normal(98, 12, n)))
            _quantity(w, name, idx, day, visit, np.maximum(v, 40), "mg/dL", 70.0, 99.0)
        elif name == "hba1c":
            dm = c.has["diabetes"][idx]
            v = np.round(np.where(dm, rng.normal(7.5, 1.2, n), rng.normal(5.4, 0.35, n)), 1)
            _quantity(w, name, idx, day, visit, v, "%", 4.0, 5.6)
        elif name == "cholesterol":
            _quantity(
                w, name, idx, day, visit, np.round(rng.normal(195, 38, n)), "mg/dL", 100.0, 199.0
            )
        elif name == "sodium":
            _quantity(
                w, name, idx, day, visit, np.round(rng.normal(140, 2.5, n)), "mmol/L", 136.0, 145.0
            )
        elif name == "potassium":
            _quantity(
                w, name, idx, day, visit, np.round(rng.normal(4.2, 0.35, n), 1), "mmol/L", 3.5, 5.1
            )
        elif name in QUALITATIVE:
            positive = c.has[QUALITATIVE[name]][idx]
            w.measurements(
                idx,
                MEAS[name],
                day,
                value_concept=np.where(positive, C.POSITIVE, C.NEGATIVE),
                visit=visit,
            )
        elif name == "igra":
            positive = (
                c.has["latent_tb"]
                | c.has["tb_treated"]
                | c.has["tb_untreated"]
                | c.has["tb_active"]
            )[idx]
            w.measurements(
                idx,
                MEAS[name],
                day,
                value_concept=np.where(positive, C.POSITIVE, C.NEGATIVE),
                visit=visit,
            )
        elif name == "ecg":
            p = np.where((c.has["coronary"] | c.has["afib"])[idx], 0.35, 0.06)
            w.measurements(
                idx,
                MEAS[name],
                day,
                value_concept=np.where(rng.random(n) < p, C.ABNORMAL, C.NORMAL),
                visit=visit,
            )
        else:
            raise KeyError(f"no generator for test {name!r}")
