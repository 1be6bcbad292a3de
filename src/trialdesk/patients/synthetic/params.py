"""Settings of a synthetic population, and the published figures its distributions follow.

What is drawn, the figure used, and its source:

- Adult age structure: 5-year groups (:data:`AGE_GROUPS`, millions, rounded to 0.1) from the
  U.S. Census Bureau, 2020 Census, resident population by age (DHC table P12); 85+ spread
  over 85-94. Sex: 51% female among adults (2020 Census: 50.8% female, all ages).
- Rheumatoid arthritis: 0.46% point prevalence in adults (Almutairi K et al. The global
  prevalence of rheumatoid arthritis: a meta-analysis based on a systematic review.
  Rheumatol Int 2021;41:863-77), **enriched** to ``Settings.ra_share`` (default 6%: a few
  dozen per 1,000 persons, as a rheumatology referral centre sees). Women 2.5 x men, rising
  with age to a peak at 60-79 (Almutairi 2021; Safiri S et al. Ann Rheum Dis
  2019;78:1463-71, GBD 2017).
- Hypertension: 22.4% (18-39), 54.5% (40-59), 74.5% (60+) (Ostchega Y et al. NCHS Data
  Brief No. 364, 2020, NHANES 2017-18). Blood pressure: SBP 118 +/- 11, DBP 74 +/- 8 mmHg
  without, 138 +/- 16 and 84 +/- 10 with hypertension (assumption, near NHANES means).
- Obesity and BMI: log-normal BMI, median 28.5 kg/m2, sd(log) 0.21, so 41% have BMI > 30
  (Hales CM et al. NCHS Data Brief No. 360, 2020: obesity 42.4%).
- Height: men 175.4 +/- 7.6 cm, women 161.7 +/- 7.1 cm (Fryar CD et al. Anthropometric
  reference data for children and adults: United States, 2015-2018. Vital Health Stat 3(46),
  2021).
- Diagnosed diabetes: 9% of adults, rising with age (CDC National Diabetes Statistics
  Report, 2023).
- Depression: 10.4% of women, 5.5% of men (Brody DJ et al. NCHS Data Brief No. 303, 2018).
  Anxiety disorder on file: 7% (assumption; 12-month prevalence of any anxiety disorder
  19.1%, NIMH / NCS-R).
- HIV 0.4% (CDC: about 1.2 million people with HIV in the US); chronic hepatitis B 0.3%
  (Roberts H et al. Hepatology 2016;63:388-97); current hepatitis C 1.0% (Hofmeister MG et
  al. Hepatology 2019;69:1020-31); latent TB infection 4.4% (Miramontes R et al. PLoS One
  2015;10:e0140881), a fifth of it diagnosed; past active TB and syphilis on file 0.1% each
  (assumption, enriched above incidence so that a 1,000-person file holds some).
- Cancer history: 5.4%, weighted by age (American Cancer Society, Cancer Treatment &
  Survivorship Facts & Figures 2022-2024); a tenth metastatic.
- Pregnant at a given time: 4.5% of women 18-44 (CDC NVSS, Births: Final Data for 2022,
  general fertility rate 56.0 per 1,000, x 0.75 year).
- Psoriasis: 3.0% (Armstrong AW et al. JAMA Dermatol 2021;157:940-6).
- ALT, AST: log-normal, ALT medians 25 (men) and 18 (women) U/L, AST 22 U/L (assumption,
  inside the reference intervals of Ceriotti F et al. Clin Chem Lab Med
  2010;48:1593-1601). Creatinine: log-normal, medians 0.95 (men) and 0.75 (women) mg/dL.
  Haemoglobin 15.0 / 13.5 g/dL, WBC 6.8 x10^9/L, platelets 250 x10^9/L (assumptions,
  centred in common adult reference intervals).
- Influenza vaccination: 45% of adults a season (CDC FluVaxView, 2022-23: 46.9%).
- Hospital stays: 7% of adults a year (assumption, near the NHIS share of adults with an
  overnight stay).

Other rates (knee procedures, dose changes, live vaccines near baseline, missing screening
tests) are assumptions chosen so that a 2,000-person population shows every screening
status; they are named where they are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["AGE_GROUPS", "Settings"]

#: (lowest age, highest age + 1, adults in millions): 2020 Census, rounded.
AGE_GROUPS: tuple[tuple[int, int, float], ...] = (
    (18, 20, 8.5),
    (20, 25, 21.6),
    (25, 30, 22.9),
    (30, 35, 22.6),
    (35, 40, 21.9),
    (40, 45, 20.9),
    (45, 50, 20.2),
    (50, 55, 20.9),
    (55, 60, 21.8),
    (60, 65, 20.7),
    (65, 70, 17.9),
    (70, 75, 14.6),
    (75, 80, 10.0),
    (80, 85, 6.5),
    (85, 95, 6.6),
)


@dataclass(frozen=True)
class Settings:
    """What a population is generated around.

    ``screening`` and ``baseline`` are the study dates the enrichment aims at (RA patients
    have their screening work-up in the 28 days before the screening date); records end on
    ``baseline`` (the extraction date). ``ra_share`` is the enrichment: the share of persons
    with rheumatoid arthritis (0.46% in the general adult population, Almutairi 2021).
    """

    screening: date = date(2026, 3, 2)
    baseline: date = date(2026, 3, 16)
    ra_share: float = 0.06
    chunk_size: int = 50_000

    def __post_init__(self) -> None:
        if self.baseline < self.screening:
            raise ValueError("baseline is before screening")
        if not 0.0 <= self.ra_share <= 1.0:
            raise ValueError("ra_share must be between 0 and 1")
        if self.chunk_size < 1:
            raise ValueError("chunk_size must be positive")
