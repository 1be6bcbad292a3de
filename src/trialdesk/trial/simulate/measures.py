"""The usual values of simulated adults with RA: vital signs, laboratory results and body
size, keyed by the item's CDISC SDTM test (``VS.SYSBP``, ``LB.ALT``), so any form whose
items name these tests gets them, whatever its ids.

Laboratory results are drawn around the reference interval a Chinese laboratory prints
(the single site is in Shanghai), which the forms store beside each result:

    [wst405] WS/T 405-2012 Reference intervals for blood cell analysis (National Health
             and Family Planning Commission of the PRC): Hb men 130-175, women 115-150
             g/L; WBC 3.5-9.5, neutrophils 1.8-6.3, lymphocytes 1.1-3.2 x10^9/L;
             platelets 125-350 x10^9/L.
    [wst404] WS/T 404.1-2012 (ALT men 9-50, women 7-40 U/L; AST men 15-40, women 13-35
             U/L; ALP men 45-125, women 20-49 y 35-100, 50-79 y 50-135 U/L) and WS/T
             404.5-2015 (creatinine, enzymatic, 20-59 y: men 57-97, women 41-73 umol/L;
             urea 20-59 y: men 3.1-8.0, women 2.6-7.5 mmol/L).
    [who]    fasting plasma glucose 3.9-6.1 mmol/L (WHO 1999: impaired fasting glucose
             from 6.1 mmol/L).
    [i]      total bilirubin 3.4-20.5 umol/L (0.2-1.2 mg/dL), as commonly printed; an
             assumption.

SIMULATION ASSUMPTION: a person's usual value is log-normal with 95% of people inside
the interval (between-person spread 85% of it, visit-to-visit 50%); vital signs are
normal around the stated centres (assumptions near Chinese adult figures: height 169.7
cm men, 158.0 cm women aged 18-44, Report on Nutrition and Chronic Diseases of Chinese
Residents 2020; BMI centred at 23.5 kg/m2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["LAB", "VITAL", "Lab", "Vital", "reference"]


@dataclass(frozen=True)
class Lab:
    """A laboratory test: its reference interval for women and men (and, when it
    changes with age, from ``older_from`` years), in ``unit``, reported to ``places``."""

    unit: str
    places: int
    female: tuple[float, float]
    male: tuple[float, float]
    older_from: int | None = None
    older_female: tuple[float, float] | None = None
    older_male: tuple[float, float] | None = None

    def spread(self, sex: str, age: int) -> tuple[float, float]:
        """(centre, sd of the log) of the population: 95% inside the interval."""
        low, high = reference(self, sex, age)
        return math.sqrt(low * high), math.log(high / low) / 3.92


def reference(lab: Lab, sex: str, age: int) -> tuple[float, float]:
    older = lab.older_from is not None and age >= lab.older_from
    if sex == "male":
        return lab.older_male if older and lab.older_male else lab.male
    return lab.older_female if older and lab.older_female else lab.female


BETWEEN = 0.85  # of the population's spread: how far people's usual values lie apart
WITHIN = 0.5  # of it: how much one person's results vary from visit to visit

LAB: dict[str, Lab] = {
    "LB.HGB": Lab("g/L", 0, (115, 150), (130, 175)),  # [wst405]
    "LB.WBC": Lab("10*9/L", 1, (3.5, 9.5), (3.5, 9.5)),
    "LB.NEUT": Lab("10*9/L", 2, (1.8, 6.3), (1.8, 6.3)),
    "LB.LYM": Lab("10*9/L", 2, (1.1, 3.2), (1.1, 3.2)),
    "LB.PLAT": Lab("10*9/L", 0, (125, 350), (125, 350)),
    "LB.ALT": Lab("U/L", 0, (7, 40), (9, 50)),  # [wst404]
    "LB.AST": Lab("U/L", 0, (13, 35), (15, 40)),
    "LB.ALP": Lab("U/L", 0, (35, 100), (45, 125), 50, (50, 135), (45, 125)),
    "LB.CREAT": Lab("umol/L", 0, (41, 73), (57, 97)),
    "LB.UREA": Lab("mmol/L", 1, (2.6, 7.5), (3.1, 8.0)),
    "LB.GLUC": Lab("mmol/L", 1, (3.9, 6.1), (3.9, 6.1)),  # [who]
    "LB.BILI": Lab("umol/L", 1, (3.4, 20.5), (3.4, 20.5)),  # [i]
}


@dataclass(frozen=True)
class Vital:
    """A vital sign or body measure: centre and spread between people (women, men),
    visit-to-visit spread, in ``unit`` to ``places``."""

    unit: str
    places: int
    female: float
    male: float
    between: float
    within: float


VITAL: dict[str, Vital] = {
    "VS.SYSBP": Vital("mm[Hg]", 0, 120, 126, 11, 7),
    "VS.DIABP": Vital("mm[Hg]", 0, 74, 78, 7, 5),
    "VS.PULSE": Vital("/min", 0, 76, 72, 8, 6),
    "VS.RESP": Vital("/min", 0, 17, 16, 1.5, 1.5),
    "VS.TEMP": Vital("Cel", 1, 36.5, 36.5, 0.2, 0.2),
    "VS.HEIGHT": Vital("cm", 1, 158.0, 169.7, 5.5, 0.3),
    "VS.BMI": Vital("kg/m2", 1, 23.5, 23.5, 2.6, 0.0),
    "VS.WEIGHT": Vital("kg", 1, 0, 0, 0, 0.6),  # from height and BMI; within: kg
}
