"""Prednisone-equivalent doses of systemic glucocorticoids.

Equivalent anti-inflammatory doses from the British National Formulary, chapter 6.3.2
"Glucocorticoid therapy", table "Equivalent anti-inflammatory doses of corticosteroids":
prednisolone 5 mg = betamethasone 750 micrograms = cortisone acetate 25 mg = deflazacort
6 mg = dexamethasone 750 micrograms = hydrocortisone 20 mg = methylprednisolone 4 mg =
triamcinolone 4 mg. Prednisone 5 mg = prednisolone 5 mg (Calcort 6 mg SmPC, section 4.2:
"6mg of deflazacort has approximately the same anti-inflammatory potency as 5mg
prednisolone or prednisone").

The table applies to oral and intravenous doses only; it ignores mineralocorticoid effects
and duration of action, and does not apply to intra-articular, inhaled or topical use. Some
published tables give betamethasone 0.6 mg; the BNF value (0.75 mg) is used here so that
every entry comes from one source.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from trialdesk.errors import FactError

__all__ = ["EQUIVALENT_DOSE_MG", "EQUIVALENT_DOSE_SOURCE", "prednisone_equivalent_mg"]

EQUIVALENT_DOSE_SOURCE = (
    "British National Formulary, 6.3.2 Glucocorticoid therapy: equivalent anti-inflammatory "
    "doses of corticosteroids; prednisone = prednisolone per Calcort SmPC 4.2"
)

#: Dose in mg of each ingredient equivalent to prednisone 5 mg (oral/IV).
EQUIVALENT_DOSE_MG: Mapping[str, float] = MappingProxyType(
    {
        "prednisone": 5.0,
        "prednisolone": 5.0,
        "methylprednisolone": 4.0,
        "triamcinolone": 4.0,
        "hydrocortisone": 20.0,
        "cortisone": 25.0,
        "dexamethasone": 0.75,
        "betamethasone": 0.75,
        "deflazacort": 6.0,
    }
)

_ALIASES = {"cortisol": "hydrocortisone", "cortisone acetate": "cortisone"}
_PREDNISONE_MG = Decimal(5)


def prednisone_equivalent_mg(ingredient: str, dose_mg: float) -> float:
    """Prednisone dose in mg equivalent to ``dose_mg`` of ``ingredient`` (BNF table).

    ``ingredient`` is the active ingredient's name (case-insensitive), e.g.
    ``"methylprednisolone"``; a salt or brand name is not recognised.

    Raises:
        FactError: unknown ingredient (field ``ingredient``); dose not a finite
            non-negative number (field ``dose_mg``).
    """
    name = ingredient.strip().lower() if isinstance(ingredient, str) else ""
    name = _ALIASES.get(name, name)
    if name not in EQUIVALENT_DOSE_MG:
        raise FactError(
            f"no prednisone-equivalent dose for {ingredient!r} "
            f"(known: {', '.join(sorted(EQUIVALENT_DOSE_MG))})",
            field="ingredient",
        )
    if isinstance(dose_mg, bool) or not isinstance(dose_mg, int | float):
        raise FactError(f"dose_mg must be a number in mg, got {dose_mg!r}", field="dose_mg")
    dose = float(dose_mg)
    if not math.isfinite(dose) or dose < 0:
        raise FactError(
            f"dose must be a finite non-negative number of mg, got {dose_mg!r}", field="dose_mg"
        )
    equivalent = Decimal(repr(EQUIVALENT_DOSE_MG[name]))
    return float(Decimal(repr(dose)) * _PREDNISONE_MG / equivalent)
