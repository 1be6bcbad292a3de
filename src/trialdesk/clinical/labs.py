"""Laboratory values against their upper limit of normal (ULN).

A criterion such as "ALT > 2 x ULN" should use the ULN the laboratory reported with the
result. When a source sends no reference range, :func:`default_uln` supplies one from a
single cited table:

    Ceriotti F, Henny J, Queraltó J, Ziyu S, Özarda Y, Chen B, Boyd JC, Panteghini M.
    Common reference intervals for aspartate aminotransferase (AST), alanine
    aminotransferase (ALT) and γ-glutamyl transferase (GGT) in serum: results from an IFCC
    multicenter study. Clin Chem Lab Med 2010;48(11):1593-1601.

Adults 18-85 years, IFCC reference measurement procedures at 37 °C (with pyridoxal
phosphate): ALT 9-59 U/L in men and 8-41 U/L in women; AST 11-34 U/L in both sexes.

These are reference-interval limits, which is what a laboratory prints as ULN and what
CTCAE grades against. The ACG guideline (Kwo PY et al. Am J Gastroenterol 2017;112:18-35)
proposes lower, health-based ALT limits (33 U/L men, 25 U/L women) as the point to start
an evaluation; they are not used here because they are not what a laboratory reports as ULN.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from trialdesk.clinical.checks import finite
from trialdesk.errors import FactError

__all__ = [
    "DEFAULT_ULN",
    "DEFAULT_ULN_SOURCE",
    "check_reported_uln",
    "default_uln",
    "times_uln",
]

DEFAULT_ULN_SOURCE = (
    "Ceriotti F et al. Common reference intervals for AST, ALT and GGT in serum: results "
    "from an IFCC multicenter study. Clin Chem Lab Med 2010;48(11):1593-1601 "
    "(adults 18-85 y, IFCC method at 37 °C)"
)

#: Default adult ULN in U/L by analyte, then by sex; the key ``None`` means the source gives
#: one limit for both sexes.
DEFAULT_ULN: Mapping[str, Mapping[str | None, float]] = MappingProxyType(
    {
        "ALT": MappingProxyType({"male": 59.0, "female": 41.0}),
        "AST": MappingProxyType({None: 34.0}),
    }
)

_ANALYTE_ALIASES = {
    "alt": "ALT",
    "alanine aminotransferase": "ALT",
    "sgpt": "ALT",
    "ast": "AST",
    "aspartate aminotransferase": "AST",
    "sgot": "AST",
}


# The limits laboratories print, as published: the IFCC reference limits above (ALT 59 U/L
# men, 41 women; AST 34) and the lower health-based ALT limits of the ACG guideline (Kwo PY
# et al. Am J Gastroenterol 2017;112:18-35: 33 U/L men, 25 women).
PUBLISHED_ULN: Mapping[str, tuple[float, float]] = MappingProxyType(
    {"ALT": (25.0, 59.0), "AST": (34.0, 34.0)}
)
# A reported limit more than twice away from every published one is taken for a typing or
# unit error (an extra digit, µkat/L read as U/L): a guard on entry, not a clinical limit.
_ULN_SLACK = 2.0


def check_reported_uln(analyte: str, uln: float) -> None:
    """Refuse a laboratory's ULN (U/L) for ALT or AST that no laboratory would print: below
    half the lowest published limit or above twice the highest. Other analytes: no check.

    Raises:
        FactError: out of that band (field ``uln``), naming the published limits.
    """
    key = _ANALYTE_ALIASES.get(analyte.strip().lower())
    if key is None:
        return
    low, high = PUBLISHED_ULN[key]
    if not low / _ULN_SLACK <= uln <= high * _ULN_SLACK:
        published = f"{low:g}-{high:g}" if low != high else f"{low:g}"
        raise FactError(
            f"an upper limit of normal of {uln:g} U/L for {key} is far from the limits "
            f"laboratories print ({published} U/L): check the number and its unit",
            field="uln",
        )


def times_uln(value: float, uln: float) -> float:
    """How many times the upper limit of normal ``value`` is (``value / uln``).

    Both must be in the same unit. Computed in decimal arithmetic on the values as written,
    so 0.3 against a ULN of 0.1 is exactly 3.0 and boundaries such as "2 x ULN" are exact.

    Raises:
        FactError: ``value`` negative or not finite (field ``value``); ``uln`` not a finite
            positive number (field ``uln``).
    """
    number = finite(value, "value")
    limit = finite(uln, "uln")
    if number < 0:
        raise FactError(f"a laboratory value cannot be negative, got {number:g}", field="value")
    if limit <= 0:
        raise FactError(f"the upper limit of normal must be positive, got {limit:g}", field="uln")
    return float(Decimal(repr(number)) / Decimal(repr(limit)))


def default_uln(analyte: str, sex: str | None) -> tuple[float, str]:
    """Default adult ULN (U/L) for ``analyte`` ("ALT" or "AST") and the citation text.

    ``sex`` is ``"male"``, ``"female"`` or ``None`` (unknown). AST has one limit for both
    sexes; ALT is sex-specific, so ALT with an unknown sex raises rather than guessing.

    Raises:
        FactError: unknown analyte (field ``analyte``); sex not male/female/None, or needed
            but unknown (field ``sex``).
    """
    key = _ANALYTE_ALIASES.get(analyte.strip().lower()) if isinstance(analyte, str) else None
    if key is None:
        raise FactError(
            f"no default upper limit of normal for analyte {analyte!r} "
            f"(known: {', '.join(DEFAULT_ULN)})",
            field="analyte",
        )
    if sex is not None:
        if not isinstance(sex, str) or sex.strip().lower() not in ("male", "female"):
            raise FactError(f"sex must be 'male', 'female' or None, got {sex!r}", field="sex")
        sex = sex.strip().lower()
    limits = DEFAULT_ULN[key]
    if None in limits:
        return limits[None], DEFAULT_ULN_SOURCE
    if sex is None:
        raise FactError(
            f"the default ULN for {key} is sex-specific and the sex is unknown", field="sex"
        )
    return limits[sex], DEFAULT_ULN_SOURCE
