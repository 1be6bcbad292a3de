"""Ultrasound synovitis: the EULAR-OMERACT combined greyscale / power Doppler grade.

Source: D'Agostino MA, Terslev L, Aegerter P, et al. Scoring ultrasound synovitis in
rheumatoid arthritis: a EULAR-OMERACT ultrasound taskforce - Part 1: definition and
development of a standardised, consensus-based scoring system. RMD Open 2017;3:e000428,
doi:10.1136/rmdopen-2016-000428, Table 4 (read in the journal's table markup; research
notes issue 13 section 4):

    0 normal    no greyscale synovial hypertrophy (SH) and no power Doppler (PD) signal
    1 minimal   SH grade 1 and PD <= grade 1
    2 moderate  SH grade 2 and PD <= grade 2, or SH grade 1 and PD grade 2
    3 severe    SH grade 3 and PD <= grade 3, or SH grade 1 or 2 and PD grade 3

"The higher of the two determines the final combined score": with SH >= 1 the grade is
max(SH, PD). The table does not grade a PD signal without synovial hypertrophy (SH 0,
PD > 0); that pair is refused, to be queried with the sonographer, never mapped.

Components, each semi-quantitative 0-3: SH 0 none, 1 minimal, 2 moderate, 3 severe; PD 0
no flow, 1 up to 3 single spots (or 2 confluent, or 1 confluent + 2 single), 2 < 50 % of
the synovial area, 3 > 50 % (RMD Open 2017 Table 1 as used in OMERACT studies).
"""

from __future__ import annotations

from trialdesk.clinical.checks import whole_count
from trialdesk.errors import FactError

__all__ = ["combined_grade"]


def combined_grade(sh: int, pd: int) -> int:
    """The EULAR-OMERACT combined synovitis grade 0-3 of one joint from its greyscale
    synovial hypertrophy grade ``sh`` and power Doppler grade ``pd`` (each 0-3).

    Raises:
        FactError: a grade that is not a whole number 0-3 (field ``sh`` or ``pd``); a PD
            signal without synovial hypertrophy (SH 0, PD > 0), which the scoring system
            does not grade (field ``pd``).
    """
    synovium = whole_count(sh, "sh", 3)
    doppler = whole_count(pd, "pd", 3)
    if synovium == 0 and doppler > 0:
        raise FactError(
            f"power Doppler grade {doppler} without synovial hypertrophy (grade 0) is not "
            "gradable by the EULAR-OMERACT combined score (D'Agostino 2017, Table 4): "
            "check both grades with the sonographer",
            field="pd",
        )
    return max(synovium, doppler)
