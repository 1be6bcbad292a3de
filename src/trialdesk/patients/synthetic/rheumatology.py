"""Rheumatoid arthritis: diagnosis, treatment, follow-up, and the screening work-up.

Treatment follows the ACR 2021 / EULAR 2022 recommendations' usual shape (assumptions for
the shares): methotrexate for 78% of patients (10-20 mg a week as 2.5 mg or 10 mg tablets),
hydroxychloroquine added for an eighth of them, leflunomide or sulfasalazine for most of the
others, prednisone 5-20 mg a day for 30%, a biologic for 20% (TB screening with an IGRA
before it for half). Methotrexate doses change in the 4 weeks before screening for 8% of
current users, earlier for 15%.

Around the screening date: RA patients who look like candidates to their rheumatologist
(18-65, on methotrexate, BMI up to 30) have a screening visit in the 14 days before it with 95%
probability (others 30%): consent,
vitals, ALT/AST, creatinine, blood count, HIV/HBsAg/HCV/syphilis serology, ECG, pregnancy
test (women), WOMAC pain, knee ultrasound, CRP/ESR; each item is missing with a small
probability (2-7%), so some screenings stay incomplete.
"""

from __future__ import annotations

import numpy as np

from trialdesk.patients.synthetic.catalog import UNIT, C
from trialdesk.patients.synthetic.codes import COND, DRUG, MEAS, PROC, VACCINE
from trialdesk.patients.synthetic.frame import NULL, Array
from trialdesk.patients.synthetic.measurements import labs, vitals
from trialdesk.patients.synthetic.medications import course
from trialdesk.patients.synthetic.world import World

__all__ = ["assign", "follow_up", "knee_events", "modifiers", "screening_workup", "treatment"]

_RA_KINDS = ("ra_seropositive", "ra_seronegative", "ra", "ra_right_knee", "ra_left_knee")


def assign(w: World) -> None:
    """RA diagnosis (kind, onset) for the persons flagged with RA; needed before any lab."""
    c, rng = w.c, w.rng
    ra = c.has["ra"]
    kind = rng.choice(len(_RA_KINDS), c.n, p=[0.55, 0.2, 0.15, 0.05, 0.05])
    c.has["ra_seropositive"] = ra & ((kind == 0) | ((kind == 2) & (rng.random(c.n) < 0.6)))
    # records long enough for the history: at least 400 days before screening
    c.start = np.where(ra, np.minimum(c.start, c.S - 400), c.start)
    recent = rng.random(c.n) < 0.06  # diagnosed less than 3 months before screening
    onset = np.where(recent, c.S - rng.integers(1, 80, c.n), c.day_between(c.start, c.S - 92))
    c.latent["ra_onset"] = np.where(ra, onset, NULL)
    idx = w.pick(ra)
    concepts = np.array([COND[k] for k in _RA_KINDS])[kind[idx]]
    w.conditions(idx, concepts, onset[idx])
    # MTX liver toxicity and cytopenias (assumptions, for E10/E12)
    lat = c.latent
    tox = ra & c.flag(0.06)
    lat["alt"] = np.where(tox, lat["alt"] * 4.5, lat["alt"])
    lat["ast"] = np.where(tox, lat["ast"] * 3.5, lat["ast"])
    lat["wbc"] = np.where(ra & c.flag(0.02), lat["wbc"] * 0.4, lat["wbc"])
    lat["platelets"] = np.where(ra & c.flag(0.015), lat["platelets"] * 0.35, lat["platelets"])
    lat["hb"] = np.where(ra & c.flag(0.02), lat["hb"] - 4.0, lat["hb"])


def _dose_choice(w: World, n: int) -> tuple[Array, Array]:
    """Methotrexate product and tablets per week."""
    small = w.rng.random(n) < 0.8
    tabs = np.where(
        small,
        w.rng.choice([4.0, 6.0, 8.0], n, p=[0.3, 0.45, 0.25]),
        w.rng.choice([1.0, 2.0], n, p=[0.6, 0.4]),
    )
    return np.where(small, DRUG["mtx_2_5"], DRUG["mtx_10"]), tabs


def treatment(w: World) -> None:
    c, rng = w.c, w.rng
    ra = c.has["ra"]
    onset = c.latent["ra_onset"]
    mtx = ra & c.flag(0.78)
    c.has["mtx"] = mtx
    idx = w.pick(mtx)
    n = len(idx)
    cs = np.minimum(onset[idx] + rng.integers(0, 120, n), c.S - 10)
    current = rng.random(n) < 0.92
    c.has["mtx_current"] = np.zeros(c.n, dtype=bool)
    c.has["mtx_current"][idx[current]] = True
    drug, tabs = _dose_choice(w, n)
    cover = cs + ((c.S - cs) // 84 + 1) * 84 - 1  # current courses run past screening
    stopped = cs + rng.integers(2, 9, n) * 84 - 1
    ce = np.where(current, cover, np.minimum(stopped, c.S - 60))
    change = rng.random(n)
    recent = current & (change < 0.08)
    earlier = current & (change >= 0.08) & (change < 0.23)
    cd = np.where(recent, c.S - rng.integers(1, 28, n), c.S - rng.integers(60, 400, n))
    split = (recent | earlier) & (cd > cs + 84)
    new_tabs = np.maximum(
        tabs
        + np.where(rng.random(n) < 0.5, -1.0, 1.0) * np.where(drug == DRUG["mtx_2_5"], 2.0, 1.0),
        1.0,
    )
    one = ~split
    course(w, idx[one], drug[one], cs[one], ce[one], tabs[one] / 7, supply=84, route=C.ORAL)
    course(
        w,
        idx[split],
        drug[split],
        cs[split],
        cd[split] - 1,
        tabs[split] / 7,
        supply=84,
        route=C.ORAL,
    )
    end2 = cd[split] + ((c.S - cd[split]) // 84 + 1) * 84 - 1
    course(
        w, idx[split], drug[split], cd[split], end2, new_tabs[split] / 7, supply=84, route=C.ORAL
    )
    # hydroxychloroquine added to methotrexate (2 x 200 mg a day)
    add = w.pick(c.has["mtx_current"] & c.flag(0.12))
    start = c.day_between(onset[add], np.full(len(add), c.S - 100))
    course(
        w,
        add,
        DRUG["hcq_200"],
        start,
        start + ((c.S - start) // 90 + 1) * 90 - 1,
        2.0,
        supply=90,
        route=C.ORAL,
    )
    # leflunomide (ingredient code: no strength, so no dose) or sulfasalazine for the others
    other = w.pick(ra & ~c.has["mtx_current"] & c.flag(0.8))
    start = c.day_between(onset[other], np.full(len(other), c.S - 30))
    leflunomide = rng.random(len(other)) < 0.7
    drug2 = np.where(leflunomide, DRUG["leflunomide"], DRUG["sulfasalazine"])
    per_day = np.where(leflunomide, 1.0, 4.0)
    course(
        w,
        other,
        drug2,
        start,
        start + ((c.S - start) // 90 + 1) * 90 - 1,
        per_day,
        supply=90,
        route=C.ORAL,
    )
    _steroids(w)
    _biologics(w)
    # a live vaccine in the 8 weeks before baseline (E24)
    idx = w.pick(ra & c.flag(0.03))
    live = np.array([VACCINE["zoster_live"], VACCINE["mmr"], VACCINE["yellow_fever"]])
    day = c.B - rng.integers(1, 56, len(idx))
    w.drugs(idx, live[rng.integers(0, len(live), len(idx))], day, day, route=C.SC)


def _steroids(w: World) -> None:
    c, rng = w.c, w.rng
    ra = c.has["ra"]
    idx = w.pick(ra & c.flag(0.3))
    n = len(idx)
    mg = rng.choice([5.0, 7.5, 10.0, 15.0, 20.0], n, p=[0.45, 0.15, 0.2, 0.1, 0.1])
    drug = np.where(mg == 20.0, DRUG["prednisone_20"], DRUG["prednisone_5"])
    tabs = np.where(mg == 20.0, 1.0, mg / 5.0)
    start = np.maximum(c.S - rng.integers(60, 900, n), c.start[idx])
    end = c.S + 27 + ((c.B - c.S) // 28) * 28
    taper = rng.random(n) < 0.1  # dose changed in the 4 weeks before baseline (E20)
    cd = c.B - rng.integers(2, 27, n)
    one = ~taper
    course(
        w,
        idx[one],
        drug[one],
        start[one],
        np.full(one.sum(), end),
        tabs[one],
        supply=28,
        route=C.ORAL,
    )
    course(
        w,
        idx[taper],
        drug[taper],
        start[taper],
        cd[taper] - 1,
        tabs[taper],
        supply=28,
        route=C.ORAL,
    )
    lower = np.maximum(tabs[taper] - 1.0, 1.0)
    course(
        w,
        idx[taper],
        np.full(taper.sum(), DRUG["prednisone_5"]),
        cd[taper],
        cd[taper] + 27,
        np.where(drug[taper] == DRUG["prednisone_20"], 2.0, lower),
        supply=28,
        route=C.ORAL,
    )
    # IV methylprednisolone pulses (3 days) and IM triamcinolone, some in the 4 weeks before
    # baseline; ingredient codes without quantity: the dose is not recorded
    pulse = w.pick(ra & c.flag(0.04))
    near = rng.random(len(pulse)) < 0.5
    day = np.where(
        near,
        c.B - rng.integers(3, 27, len(pulse)),
        np.maximum(c.S - rng.integers(60, 700, len(pulse)), c.start[pulse]),
    )
    w.drugs(pulse, DRUG["methylprednisolone"], day, day + 2, route=C.IV)
    shot = w.pick(ra & c.flag(0.03))
    near = rng.random(len(shot)) < 0.35
    day = np.where(
        near,
        c.B - rng.integers(1, 27, len(shot)),
        np.maximum(c.S - rng.integers(60, 700, len(shot)), c.start[shot]),
    )
    w.drugs(shot, DRUG["triamcinolone"], day, day, route=C.IM)


def _biologics(w: World) -> None:
    c, rng = w.c, w.rng
    idx = w.pick(c.has["ra"] & c.flag(0.2))
    n = len(idx)
    which = rng.choice(3, n, p=[0.5, 0.3, 0.2])
    drug = np.array([DRUG["adalimumab"], DRUG["etanercept"], DRUG["tocilizumab"]])[which]
    route = np.array([C.SC, C.SC, C.IV])[which]
    start = np.maximum(c.S - rng.integers(100, 1500, n), c.latent["ra_onset"][idx] + 30)
    end = start + ((c.S - start) // 28 + 1) * 28 - 1
    for r in (C.SC, C.IV):
        m = route == r
        course(w, idx[m], drug[m], start[m], end[m], 1.0, supply=28, route=r, with_dose=False)
    tested = rng.random(n) < 0.5
    labs(w, ("igra",), idx[tested], start[tested] - rng.integers(7, 30, int(tested.sum())), None)


def follow_up(w: World) -> None:
    """Rheumatology clinic every ~3 months since diagnosis (up to 12 visits), with labs."""
    c, rng = w.c, w.rng
    idx0 = w.pick(c.has["ra"] & (c.latent["ra_onset"] < c.S - 90))
    onset = c.latent["ra_onset"][idx0]
    count = np.minimum((c.S - 30 - onset) // 91, 12)
    idx = np.repeat(idx0, count)
    k = np.arange(len(idx)) - np.repeat(np.cumsum(count) - count, count) + 1
    day = c.S - 30 - k * 91 + rng.integers(-20, 0, len(idx))
    vid = w.visits(idx, day, None, C.OUTPATIENT)
    vitals(w, idx, day, vid, p_height=0.1, p_bmi=0.2)
    m = rng.random(len(idx)) < 0.7
    labs(
        w,
        ("alt", "ast", "creatinine", "hemoglobin", "wbc", "neutrophils", "platelets"),
        idx[m],
        day[m],
        vid[m],
    )
    m = rng.random(len(idx)) < 0.6
    labs(w, ("crp", "esr"), idx[m], day[m], vid[m])
    # serology at diagnosis
    first = w.pick(c.has["ra"] & c.flag(0.8))
    d = c.latent["ra_onset"][first]
    labs(w, ("rf", "anti_ccp"), first, d, None)


def screening_workup(w: World) -> None:
    c, rng = w.c, w.rng
    ra = c.has["ra"]
    # pre-screening: the rheumatologist invites patients who look eligible
    candidate = (c.age >= 18) & (c.age < 66) & c.has["mtx_current"] & (c.latent["bmi"] <= 30)
    idx = w.pick(ra & c.flag(np.where(candidate, 0.95, 0.3)))
    n = len(idx)
    day = c.S - rng.integers(0, 15, n)
    vid = w.visits(idx, day, None, C.OUTPATIENT)
    consent = rng.random(n)
    signed = consent < 0.9
    late = (consent >= 0.9) & (consent < 0.94)  # signed after the screening date
    c_day = np.where(signed, day, c.S + rng.integers(1, 10, n))
    m = signed | late
    w.observations(idx[m], C.CONSENT_RESEARCH, c_day[m], source=C.CONSENT_DOCUMENT)

    def some(p: float) -> Array:
        return rng.random(n) < p

    m = some(0.98)
    vitals(w, idx[m], day[m], vid[m], p_height=0.9, p_bmi=0.3, p_bp=0.98)
    for names, p in (
        (("alt", "ast"), 0.98),
        (("creatinine",), 0.98),
        (("hemoglobin", "wbc", "neutrophils", "platelets"), 0.98),
        (("hiv",), 0.98),
        (("hbsag",), 0.98),
        (("hcv",), 0.98),
        (("syphilis",), 0.98),
        (("ecg",), 0.95),
        (("crp", "esr"), 0.9),
    ):
        m = some(p)
        labs(w, names, idx[m], day[m], vid[m])
    m = some(0.95) & c.female[idx]
    labs(w, ("pregnancy_test",), idx[m], day[m], vid[m])
    m = some(0.95)
    invited = candidate[idx]  # knee symptoms are part of why candidates were invited
    womac = np.round(np.clip(rng.normal(np.where(invited, 6.5, 5.0), 2.0), 0.0, 10.0), 1)
    w.observations(
        idx[m], MEAS["womac_pain"], day[m], value=womac[m], unit=UNIT["{score}"], visit=vid[m]
    )
    m = some(0.93)
    synovitis = rng.random(n) < np.where(invited, 0.9, 0.7)
    w.measurements(
        idx[m],
        MEAS["knee_us"],
        day[m],
        value_concept=np.where(synovitis[m], C.POSITIVE, C.NEGATIVE),
        visit=vid[m],
    )


_SIDES = (0.45, 0.40, 0.05)  # right, left, both; the rest: side not recorded


def modifiers(w: World, n: int) -> Array:
    """Procedure laterality: right, left, both or NULL (not recorded)."""
    u = w.rng.random(n)
    r, l_, b = _SIDES
    return np.select([u < r, u < r + l_, u < r + l_ + b], [C.RIGHT, C.LEFT, C.BOTH], NULL)


def knee_events(w: World) -> None:
    """RA knees: injections, injuries, surgery and infections, some close to baseline."""
    c, rng = w.c, w.rng
    ra = c.has["ra"]
    near = ra & c.flag(0.10)
    past = ra & c.flag(0.2)
    for mask, lo, hi in ((near, 1, 89), (past, 100, 700)):
        idx = w.pick(mask)
        day = np.maximum(c.B - rng.integers(lo, hi, len(idx)), c.start[idx])
        vid = w.visits(idx, day, None, C.OUTPATIENT)
        code = np.where(
            rng.random(len(idx)) < 0.8, PROC["knee_injection"], PROC["knee_injection_us"]
        )
        w.procedures(idx, code, day, modifier=modifiers(w, len(idx)), visit=vid)
    idx = w.pick(ra & c.flag(0.03))  # knee injury in the year before baseline
    day = c.B - rng.integers(1, 360, len(idx))
    vid = w.visits(idx, day, None, C.EMERGENCY)
    kinds = np.array([COND["acl_right"], COND["mcl_left"], COND["meniscus"]])
    w.conditions(idx, kinds[rng.choice(3, len(idx), p=[0.35, 0.35, 0.3])], day, day + 60, visit=vid)
    idx = w.pick(ra & c.flag(0.02))  # knee arthroscopy in the year before baseline
    day = c.B - rng.integers(1, 360, len(idx))
    vid = w.visits(idx, day, None, C.OUTPATIENT)
    w.procedures(idx, PROC["knee_arthroscopy"], day, modifier=modifiers(w, len(idx)), visit=vid)
    idx = w.pick(ra & c.flag(0.03))  # septic arthritis of a knee in the 3 months before
    day = c.B - rng.integers(10, 88, len(idx))
    out = day + 5
    vid = w.visits(idx, day, out, C.ER_INPATIENT)
    side = np.where(
        rng.random(len(idx)) < 0.5, COND["knee_infection_right"], COND["knee_infection_left"]
    )
    w.conditions(idx, side, day, out + 21, visit=vid)
    course(w, idx, DRUG["vancomycin"], day, out, 2.0, supply=30, route=C.IV)
