"""The registry of calculators a study's forms name in
``derived: {calculator: <name>, inputs: {<input>: <item>, ...}}``.

What a calculator is, how it validates and how it rounds: :mod:`.calculator_types`. The
formulas and their sources are in the modules each calculator calls; the units here are
the ones its inputs must arrive in (the store converts with :mod:`.units`):

* joint counts and scores are passed as they are (unit None);
* the patient's and the evaluator's global assessments are one 0-100 mm VAS each, stored
  in mm (DAS28 reads mm; CDAI and SDAI convert to cm inside, mm / 10, exactly);
* CRP in mg/L (DAS28-CRP reads mg/L; SDAI converts to mg/dL inside, mg/L / 10, exactly), so
  one CRP item feeds both; ESR in mm/h.

Each returns its value rounded as it is reported, ROUND_HALF_UP (in Decimal throughout):

* DAS28-ESR / DAS28-CRP: 2 decimals, as DAS28 is reported (the published EULAR response
  vectors, fragla/acreular's, are at 2 decimals; the EULAR response is decided on them);
* CDAI / SDAI: 1 decimal, the precision of their published cut-offs (2.8 / 10 / 22 and
  3.3 / 11 / 26, Aletaha & Smolen 2005);
* HAQ-DI: 3 decimals, a local convention (the sources read state none): exact for 8
  categories, where it is a multiple of 0.125;
* WOMAC: 2 decimals on the format's own scale, a local convention: exact unless function
  items were imputed (then n x 17 / 14..16);
* the EULAR response is a choice and the ultrasound grade an integer.

Bump a calculator's ``version`` whenever what it computes or how it rounds changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from trialdesk.clinical.calculator_types import Calculator, CalculatorInput, Function
from trialdesk.clinical.checks import MissingValueError
from trialdesk.clinical.disease_activity import (
    cdai_exact,
    das28_crp_exact,
    das28_esr_exact,
    sdai_exact,
)
from trialdesk.clinical.eular_response import EularResponse, eular_response
from trialdesk.clinical.haq import (
    HAQ_AID_CATEGORY,
    HAQ_ITEMS_PER_CATEGORY,
    HaqCategory,
    haq_aided_categories,
    haq_di_exact,
)
from trialdesk.clinical.ultrasound import combined_grade
from trialdesk.clinical.womac import (
    WOMAC_ITEM_MAX,
    WOMAC_SUBSCALES,
    WomacFormat,
    WomacSubscale,
    womac,
    womac_format,
    womac_subscale,
)
from trialdesk.errors import FactError

__all__ = ["CALCULATORS", "Calculator", "CalculatorInput", "calculator"]


def _count(name: str, high: int, *, optional: bool = False) -> CalculatorInput:
    return CalculatorInput(
        name, None, "integer", optional=optional, minimum=Decimal(0), maximum=Decimal(high)
    )


def _number(name: str, unit: str | None, high: int | None = None) -> CalculatorInput:
    top = None if high is None else Decimal(high)
    return CalculatorInput(name, unit, "decimal", minimum=Decimal(0), maximum=top)


def _flag(name: str) -> CalculatorInput:
    return CalculatorInput(name, None, "boolean", optional=True)


def _inputs(*specs: CalculatorInput) -> Mapping[str, CalculatorInput]:
    return MappingProxyType({spec.name: spec for spec in specs})


# --- DAS28, CDAI, SDAI ----------------------------------------------------------------------

_TJC28, _SJC28 = _count("tjc28", 28), _count("sjc28", 28)
_PATIENT_GLOBAL = _number("patient_global", "mm", 100)
_EVALUATOR_GLOBAL = _number("evaluator_global", "mm", 100)
_CRP = _number("crp", "mg/L")
_ESR = _number("esr", "mm/h", 200)  # and > 0, for ln(ESR): refused by das28_esr_exact
_TEN = Decimal(10)
_RENAMES = MappingProxyType(
    {
        "crp_mg_l": "crp",
        "crp_mg_dl": "crp",
        "esr_mm_h": "esr",
        "patient_global_mm": "patient_global",
        "patient_global_cm": "patient_global",
        "evaluator_global_cm": "evaluator_global",
    }
)


def _das28_crp(v: Mapping[str, Any]) -> Decimal:
    return das28_crp_exact(v["tjc28"], v["sjc28"], v["crp"], v["patient_global"])


def _das28_esr(v: Mapping[str, Any]) -> Decimal:
    return das28_esr_exact(v["tjc28"], v["sjc28"], v["esr"], v["patient_global"])


def _cdai(v: Mapping[str, Any]) -> Decimal:
    return cdai_exact(
        v["tjc28"], v["sjc28"], v["patient_global"] / _TEN, v["evaluator_global"] / _TEN
    )


def _sdai(v: Mapping[str, Any]) -> Decimal:
    pga, ega = v["patient_global"] / _TEN, v["evaluator_global"] / _TEN
    return sdai_exact(v["tjc28"], v["sjc28"], pga, ega, v["crp"] / _TEN)


_DAS28_SOURCE = "Prevoo MLL et al. Arthritis Rheum 1995;38:44-8 (DAS28); das-score.nl (DAS28-CRP)"
_CDAI_SOURCE = "Aletaha D et al. Arthritis Res Ther 2005;7:R796-806"
_SDAI_SOURCE = "Smolen JS et al. Rheumatology 2003;42:244-57"


# --- HAQ-DI ---------------------------------------------------------------------------------

# items <category>_<n> in the questionnaire's order; help or an aid per category
# (aids_or_help_<category>: help from another person, or an "other" aid the scorer
# assigned); each named aid (aid_<aid>), which raises its category (HAQ_AID_CATEGORY)
_HAQ_ITEMS = {
    category: tuple(f"{category.value}_{n}" for n in range(1, size + 1))
    for category, size in HAQ_ITEMS_PER_CATEGORY.items()
}
_HAQ_ITEM_INPUTS = tuple(
    _count(name, 3, optional=True) for names in _HAQ_ITEMS.values() for name in names
)
_HAQ_AID_INPUTS = (
    *(_flag(f"aids_or_help_{category.value}") for category in HaqCategory),
    *(_flag(f"aid_{aid}") for aid in HAQ_AID_CATEGORY),
)


def _haq(v: Mapping[str, Any], *, adjust_for_aids: bool) -> Decimal:
    items: dict[HaqCategory | str, Sequence[int | None]] = {
        category: [v[name] for name in names] for category, names in _HAQ_ITEMS.items()
    }
    aided = haq_aided_categories(
        [aid for aid in HAQ_AID_CATEGORY if v.get(f"aid_{aid}")],
        [c for c in HaqCategory if v.get(f"aids_or_help_{c.value}")],
    )
    try:
        return haq_di_exact(items, aided, adjust_for_aids=adjust_for_aids)
    except MissingValueError as error:
        unanswered = [n[0] for c, n in _HAQ_ITEMS.items() if not _haq_any_answered(items[c])]
        error.field = unanswered[0] if unanswered else error.field
        raise


def _haq_any_answered(values: Sequence[int | None]) -> bool:
    return any(value is not None for value in values)


_HAQ_SOURCE = (
    "Fries JF et al. Arthritis Rheum 1980;23:137-45; Bruce B, Fries JF. Health Qual Life "
    "Outcomes 2003;1:20; aids per category: CLINHAQ instructions, CDISC HAQ01TC"
)


# --- WOMAC ----------------------------------------------------------------------------------

_WOMAC_ITEMS = {
    subscale: tuple(f"{subscale.value}_{n}" for n in range(1, rule.items + 1))
    for subscale, rule in WOMAC_SUBSCALES.items()
}
_WOMAC_FORMAT = CalculatorInput("format", None, "choice", choices=tuple(WomacFormat))
_WOMAC_TOP = max(WOMAC_ITEM_MAX.values())


def _womac_inputs(*subscales: WomacSubscale) -> Mapping[str, CalculatorInput]:
    items = (_count(n, _WOMAC_TOP, optional=True) for s in subscales for n in _WOMAC_ITEMS[s])
    return _inputs(*items, _WOMAC_FORMAT)


def _womac_items_in_format(v: Mapping[str, Any]) -> list[FactError]:
    """Each item given within its format's own range (0-4, 0-10, 0-100 mm)."""
    fmt = womac_format(v["format"])
    top = WOMAC_ITEM_MAX[fmt]
    return [
        FactError(f"{name} must be 0-{top} in WOMAC {fmt.value}, got {value}", field=name)
        for name, value in v.items()
        if name != "format" and value is not None and value > top
    ]


def _first_missing(v: Mapping[str, Any], subscale: WomacSubscale) -> str:
    return next(name for name in _WOMAC_ITEMS[subscale] if v[name] is None)


def _womac_one(subscale: WomacSubscale) -> Function:
    def score(v: Mapping[str, Any]) -> Decimal:
        items = [v[name] for name in _WOMAC_ITEMS[subscale]]
        try:
            return womac_subscale(subscale, items, v["format"]).score
        except MissingValueError as error:
            error.field = _first_missing(v, subscale)
            raise

    return score


def _womac_total(v: Mapping[str, Any]) -> Decimal:
    items: dict[WomacSubscale | str, Sequence[int | None]] = {
        s: [v[name] for name in names] for s, names in _WOMAC_ITEMS.items()
    }
    scores = womac(items, v["format"])
    if scores.total is None:
        subscale, why = next(iter(scores.invalid.items()))
        raise MissingValueError(f"no WOMAC total: {why}", field=_first_missing(v, subscale))
    return scores.total


_WOMAC_SOURCE = (
    "Bellamy N et al. J Rheumatol 1988;15:1833-40; WOMAC 3.1 User Guide; missing items: "
    "clinical.womac.WOMAC_SUBSCALES (function: Whitehouse 2004)"
)
_STIFFNESS_ASSUMPTION = WOMAC_SUBSCALES[WomacSubscale.STIFFNESS].source


def _womac(name: str, *subscales: WomacSubscale, function: Function) -> Calculator:
    stiffness = WomacSubscale.STIFFNESS in subscales
    return Calculator(
        name=name,
        version="1",
        inputs=_womac_inputs(*subscales),
        output_unit=None,
        output_kind="decimal",
        decimals=2,
        source=_WOMAC_SOURCE,
        assumption=_STIFFNESS_ASSUMPTION if stiffness else None,
        function=function,
        cross_check=_womac_items_in_format,
    )


def _decimal(
    name: str,
    inputs: Mapping[str, CalculatorInput],
    source: str,
    function: Function,
    decimals: int,
) -> Calculator:
    return Calculator(
        name=name,
        version="1",
        inputs=inputs,
        output_unit=None,
        output_kind="decimal",
        decimals=decimals,
        source=source,
        function=function,
        renames=_RENAMES,
    )


_ALL: tuple[Calculator, ...] = (
    _decimal(
        "das28_crp", _inputs(_TJC28, _SJC28, _CRP, _PATIENT_GLOBAL), _DAS28_SOURCE, _das28_crp, 2
    ),
    _decimal(
        "das28_esr", _inputs(_TJC28, _SJC28, _ESR, _PATIENT_GLOBAL), _DAS28_SOURCE, _das28_esr, 2
    ),
    _decimal(
        "cdai", _inputs(_TJC28, _SJC28, _PATIENT_GLOBAL, _EVALUATOR_GLOBAL), _CDAI_SOURCE, _cdai, 1
    ),
    _decimal(
        "sdai",
        _inputs(_TJC28, _SJC28, _PATIENT_GLOBAL, _EVALUATOR_GLOBAL, _CRP),
        _SDAI_SOURCE,
        _sdai,
        1,
    ),
    _decimal(
        "haq_di",
        _inputs(*_HAQ_ITEM_INPUTS, *_HAQ_AID_INPUTS),
        _HAQ_SOURCE,
        lambda v: _haq(v, adjust_for_aids=True),
        3,
    ),
    _decimal(
        "haq_di_without_aids",
        _inputs(*_HAQ_ITEM_INPUTS),
        _HAQ_SOURCE + "; without the aids adjustment",
        lambda v: _haq(v, adjust_for_aids=False),
        3,
    ),
    _womac("womac_pain", WomacSubscale.PAIN, function=_womac_one(WomacSubscale.PAIN)),
    _womac(
        "womac_stiffness", WomacSubscale.STIFFNESS, function=_womac_one(WomacSubscale.STIFFNESS)
    ),
    _womac("womac_function", WomacSubscale.FUNCTION, function=_womac_one(WomacSubscale.FUNCTION)),
    _womac("womac_total", *WomacSubscale, function=_womac_total),
    Calculator(
        name="eular_response",
        version="1",
        inputs=_inputs(_number("baseline", None), _number("current", None)),
        output_unit=None,
        output_kind="choice",
        output_choices=tuple(EularResponse),
        source="van Gestel AM et al. Arthritis Rheum 1998;41:1845-50 (DAS28 version); "
        "DAS28 values of one version (ESR or CRP), rounded to 2 decimals",
        function=lambda v: eular_response(v["baseline"], v["current"]).value,
    ),
    Calculator(
        name="us_synovitis_combined",
        version="1",
        inputs=_inputs(_count("sh", 3), _count("pd", 3)),
        output_unit=None,
        output_kind="integer",
        source="D'Agostino MA et al. RMD Open 2017;3:e000428, Table 4 (EULAR-OMERACT)",
        function=lambda v: combined_grade(v["sh"], v["pd"]),
    ),
)

#: Every calculator a form may name, by name.
CALCULATORS: Mapping[str, Calculator] = MappingProxyType({c.name: c for c in _ALL})


def calculator(name: object) -> Calculator:
    """The registered calculator ``name``.

    Raises:
        FactError: no calculator of that name (field ``calculator``), listing the known.
    """
    found = CALCULATORS.get(name) if isinstance(name, str) else None
    if found is None:
        known = ", ".join(sorted(CALCULATORS))
        raise FactError(f"unknown calculator {name!r} (known: {known})", field="calculator")
    return found
