"""Tests for the calculator registry (trialdesk.clinical.calculators): every calculator a form
may name computes a worked example through the registry, refuses a missing or out-of-range
input naming it, and has a version.

Where the examples come from is said at each. No published item-level example was found
for HAQ-DI or WOMAC: those are hand-computed from the published rules (the modules' tests
hold more), plus the published score ranges at the extremes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from trialdesk.clinical.calculators import CALCULATORS, Calculator, CalculatorInput, calculator
from trialdesk.clinical.checks import MissingValueError
from trialdesk.errors import FactError

# --- a form's values for each calculator ------------------------------------------------------

_HAQ_ITEMS: dict[str, Any] = {
    "dressing_grooming_1": 1,
    "dressing_grooming_2": 0,  # 1
    "arising_1": 2,
    "arising_2": 1,  # 2
    "eating_1": 0,
    "eating_2": 0,
    "eating_3": 1,  # 1
    "walking_1": 1,
    "walking_2": 1,  # 1 (2 with a cane)
    "hygiene_1": 0,
    "hygiene_2": 0,
    "hygiene_3": 0,  # 0
    "reach_1": 3,
    "reach_2": 1,  # 3
    "grip_1": 1,
    "grip_2": 2,
    "grip_3": 0,  # 2
    "activities_1": 1,
    "activities_2": 1,
    "activities_3": 1,  # 1
}
_PAIN = dict(zip([f"pain_{n}" for n in range(1, 6)], [2, 3, 1, 2, 2], strict=True))
_STIFFNESS = {"stiffness_1": 2, "stiffness_2": 1}
_FUNCTION = dict(
    zip(
        [f"function_{n}" for n in range(1, 18)],
        [1, 2, 2, 1, 0, 3, 2, 1, 1, 2, 2, 1, 0, 1, 2, 3, 1],
        strict=True,
    )
)
_LK = {"format": "LK3.1"}

EXAMPLES: list[tuple[str, dict[str, Any], object]] = [
    # simonsteiger/RheumaComposites.jl test/types/das28.jl @ f857d38c: TJC 4, SJC 5, GH 12 mm,
    # ESR 44 mm/h -> 4.56 and CRP 44 mg/L -> 4.24, "calculated using
    # https://www.4s-dawn.com/DAS28/" (1.12 + 0.62610 + 0.70 ln 44 + 0.168 = 4.5631;
    # 1.12 + 0.62610 + 0.36 ln 45 + 0.168 + 0.96 = 4.2445)
    ("das28_esr", {"tjc28": 4, "sjc28": 5, "esr": 44, "patient_global": 12}, Decimal("4.56")),
    ("das28_crp", {"tjc28": 4, "sjc28": 5, "crp": 44, "patient_global": 12}, Decimal("4.24")),
    # the DAS28-CRP minimum, 0.96 (medicalalgorithms.com DAS28-CRP page)
    ("das28_crp", {"tjc28": 0, "sjc28": 0, "crp": 0, "patient_global": 0}, Decimal("0.96")),
    # research notes section 3, from components: 5.69 (ESR) and 5.07 (CRP)
    ("das28_esr", {"tjc28": 8, "sjc28": 6, "esr": 40, "patient_global": 60}, Decimal("5.69")),
    ("das28_crp", {"tjc28": 8, "sjc28": 6, "crp": 15, "patient_global": 60}, Decimal("5.07")),
    # 1.135 exactly (0.014 x 12.5 + 0.96): ROUND_HALF_UP reports 1.14
    ("das28_crp", {"tjc28": 0, "sjc28": 0, "crp": 0, "patient_global": "12.5"}, Decimal("1.14")),
    # CDAI: globals in mm, /10 inside. 1 + 0 + 0.9 + 0.9 = 2.8, the published remission
    # cut-off (Aletaha & Smolen 2005), exactly; 28 + 28 + 10 + 10 = 76, the published maximum
    ("cdai", {"tjc28": 1, "sjc28": 0, "patient_global": 9, "evaluator_global": 9}, Decimal("2.8")),
    (
        "cdai",
        {"tjc28": 28, "sjc28": 28, "patient_global": 100, "evaluator_global": 100},
        Decimal("76.0"),
    ),
    # SDAI: CRP in mg/L, /10 inside. 2.8 + 0.5 mg/dL = 3.3, the published remission cut-off
    (
        "sdai",
        {"tjc28": 1, "sjc28": 0, "patient_global": 9, "evaluator_global": 9, "crp": 5},
        Decimal("3.3"),
    ),
    # 16 + 2.34 mg/dL = 18.34, reported 18.3
    (
        "sdai",
        {"tjc28": 4, "sjc28": 3, "patient_global": 50, "evaluator_global": 40, "crp": "23.4"},
        Decimal("18.3"),
    ),
    # HAQ-DI, hand-computed (Bruce & Fries 2003 rules): highest item per category, walking
    # raised to 2 by a cane: (1 + 2 + 1 + 2 + 0 + 3 + 2 + 1) / 8 = 1.5
    ("haq_di", {**_HAQ_ITEMS, "aid_cane": True}, Decimal("1.500")),
    # help from another person with hygiene (0 -> 2) instead: 13 / 8 = 1.625
    ("haq_di", {**_HAQ_ITEMS, "aids_or_help_hygiene": True}, Decimal("1.625")),
    # hygiene unanswered: 11 / 7 = 1.571428..., reported 1.571
    (
        "haq_di",
        {**_HAQ_ITEMS, "hygiene_1": None, "hygiene_2": None, "hygiene_3": None},
        Decimal("1.571"),
    ),
    ("haq_di_without_aids", dict(_HAQ_ITEMS), Decimal("1.375")),  # 11 / 8
    # WOMAC LK3.1, hand-computed: sums 10, 3, 25; total 38 (of the published 96)
    ("womac_pain", {**_PAIN, **_LK}, Decimal("10.00")),
    ("womac_stiffness", {**_STIFFNESS, **_LK}, Decimal("3.00")),
    ("womac_function", {**_FUNCTION, **_LK}, Decimal("25.00")),
    ("womac_total", {**_PAIN, **_STIFFNESS, **_FUNCTION, **_LK}, Decimal("38.00")),
    # one pain item missing: mean of (2, 3, 2, 2) x 5 = 11.25
    ("womac_pain", {**_PAIN, "pain_3": None, **_LK}, Decimal("11.25")),
    # 3 function items missing: 19 / 14 x 17 = 23.0714..., reported 23.07
    (
        "womac_function",
        {**_FUNCTION, "function_15": None, "function_16": None, "function_17": None, **_LK},
        Decimal("23.07"),
    ),
    # the published VA3.1 maximum, 2400 mm
    (
        "womac_total",
        {**{k: 100 for k in {**_PAIN, **_STIFFNESS, **_FUNCTION}}, "format": "VA3.1"},
        Decimal("2400.00"),
    ),
    # fragla/acreular tests @ 60491f59 (research notes section 3): 1.20 is not > 1.2
    ("eular_response", {"baseline": "3.64", "current": "2.44"}, "moderate"),
    ("eular_response", {"baseline": Decimal("5.31"), "current": Decimal("1.30")}, "good"),
    ("eular_response", {"baseline": 6.00, "current": 5.35}, "none"),
    # D'Agostino 2017 Table 4: SH 1 and PD 2 -> 2; SH 2 and PD 3 -> 3; SH 0 and PD 0 -> 0
    ("us_synovitis_combined", {"sh": 1, "pd": 2}, 2),
    ("us_synovitis_combined", {"sh": 2, "pd": 3}, 3),
    ("us_synovitis_combined", {"sh": 0, "pd": 0}, 0),
]


def test_the_registry_holds_what_the_forms_name() -> None:
    assert set(CALCULATORS) == {
        "das28_crp",
        "das28_esr",
        "cdai",
        "sdai",
        "haq_di",
        "haq_di_without_aids",
        "womac_pain",
        "womac_stiffness",
        "womac_function",
        "womac_total",
        "eular_response",
        "us_synovitis_combined",
    }
    assert {name for name, _, _ in EXAMPLES} == set(CALCULATORS)


@pytest.mark.parametrize("name", sorted(CALCULATORS))
def test_each_calculator_is_described(name: str) -> None:
    calc = CALCULATORS[name]
    assert calc.name == name
    assert isinstance(calc.version, str)
    assert calc.version.strip()
    assert calc.source.strip()
    assert calc.inputs
    assert all(isinstance(spec, CalculatorInput) for spec in calc.inputs.values())
    assert all(key == spec.name for key, spec in calc.inputs.items())
    assert (calc.decimals is not None) == (calc.output_kind == "decimal")
    assert bool(calc.output_choices) == (calc.output_kind == "choice")
    assert calculator(name) is calc


@pytest.mark.parametrize(("name", "values", "expected"), EXAMPLES)
def test_worked_examples(name: str, values: dict[str, Any], expected: object) -> None:
    result = CALCULATORS[name].compute(values)
    assert result == expected
    assert type(result) is type(expected)
    if isinstance(result, Decimal):
        # reported at its precision: "1.500", not "1.5", when stored as decimal text
        assert result.as_tuple().exponent == -(CALCULATORS[name].decimals or 0)


def test_units_the_inputs_declare() -> None:
    units = {
        (name, spec.name): spec.unit
        for name, calc in CALCULATORS.items()
        for spec in calc.inputs.values()
        if spec.unit is not None
    }
    assert units == {
        ("das28_crp", "crp"): "mg/L",
        ("das28_crp", "patient_global"): "mm",
        ("das28_esr", "esr"): "mm/h",
        ("das28_esr", "patient_global"): "mm",
        ("cdai", "patient_global"): "mm",
        ("cdai", "evaluator_global"): "mm",
        ("sdai", "patient_global"): "mm",
        ("sdai", "evaluator_global"): "mm",
        ("sdai", "crp"): "mg/L",
    }


def _required(calc: Calculator) -> list[str]:
    return [name for name, spec in calc.inputs.items() if not spec.optional]


@pytest.mark.parametrize(("name", "values", "expected"), EXAMPLES)
def test_a_missing_required_input_is_named(
    name: str, values: dict[str, Any], expected: object
) -> None:
    calc = CALCULATORS[name]
    for missing in _required(calc):
        with pytest.raises(MissingValueError) as info:
            calc.compute({k: v for k, v in values.items() if k != missing})
        assert info.value.field == missing
        with pytest.raises(MissingValueError):
            calc.compute({**values, missing: None})


@pytest.mark.parametrize(
    ("name", "values", "field"),
    [
        # HAQ-DI: every item is optional; fewer than 6 categories names the first unanswered
        ("haq_di", {"walking_1": 1, "grip_2": 0}, "dressing_grooming_1"),
        ("haq_di_without_aids", {}, "dressing_grooming_1"),
        # WOMAC: two pain items missing (at most 1 may be imputed) names the first
        ("womac_pain", {**_PAIN, "pain_2": None, "pain_4": None, **_LK}, "pain_2"),
        ("womac_stiffness", {"stiffness_1": 1, **_LK}, "stiffness_2"),  # no imputation
        ("womac_function", {"function_1": 0, **_LK}, "function_2"),
        ("womac_total", {**_PAIN, **_FUNCTION, **_LK}, "stiffness_1"),
    ],
)
def test_too_few_answers_names_an_unanswered_item(
    name: str, values: dict[str, Any], field: str
) -> None:
    with pytest.raises(MissingValueError) as info:
        CALCULATORS[name].compute(values)
    assert info.value.field == field


_DAS = {"tjc28": 4, "sjc28": 5, "patient_global": 12}
_CDAI = {"tjc28": 1, "sjc28": 0, "patient_global": 9, "evaluator_global": 9}


@pytest.mark.parametrize(
    ("name", "values", "field"),
    [
        ("das28_crp", {**_DAS, "crp": 44, "tjc28": 29}, "tjc28"),  # 29 on the 28-joint form
        ("das28_crp", {**_DAS, "crp": 44, "sjc28": -1}, "sjc28"),
        ("das28_crp", {**_DAS, "crp": -0.1}, "crp"),  # a negative CRP
        ("das28_crp", {**_DAS, "crp": "NaN"}, "crp"),
        ("das28_crp", {**_DAS, "crp": 44, "patient_global": 101}, "patient_global"),
        ("das28_esr", {**_DAS, "esr": 0}, "esr"),  # ln(0): refused inside, named here
        ("das28_esr", {**_DAS, "esr": 201}, "esr"),
        ("das28_esr", {**_DAS, "esr": 20, "tjc28": 2.5}, "tjc28"),
        ("cdai", {**_CDAI, "evaluator_global": 100.5}, "evaluator_global"),
        ("cdai", {**_CDAI, "patient_global": -1}, "patient_global"),
        ("sdai", {**_CDAI, "crp": -5}, "crp"),
        ("sdai", {**_CDAI, "crp": 5, "tjc28": 30}, "tjc28"),
        ("haq_di", {**_HAQ_ITEMS, "reach_2": 4}, "reach_2"),
        ("haq_di", {**_HAQ_ITEMS, "aid_cane": "yes"}, "aid_cane"),
        ("haq_di_without_aids", {**_HAQ_ITEMS, "grip_1": -1}, "grip_1"),
        ("womac_pain", {**_PAIN, "pain_1": 5, **_LK}, "pain_1"),  # above LK3.1's 4
        ("womac_pain", {**_PAIN, "pain_1": 11, "format": "NRS3.1"}, "pain_1"),
        ("womac_stiffness", {**_STIFFNESS, "stiffness_2": 101, "format": "VA3.1"}, "stiffness_2"),
        ("womac_function", {**_FUNCTION, "format": "LK3"}, "format"),
        ("womac_total", {**_PAIN, **_STIFFNESS, **_FUNCTION, **_LK, "function_9": 7}, "function_9"),
        ("eular_response", {"baseline": -1, "current": 3}, "baseline"),
        ("eular_response", {"baseline": 5, "current": float("nan")}, "current"),
        ("us_synovitis_combined", {"sh": 4, "pd": 0}, "sh"),
        ("us_synovitis_combined", {"sh": 1, "pd": -1}, "pd"),
        ("us_synovitis_combined", {"sh": 0, "pd": 2}, "pd"),  # not gradable: never guessed
    ],
)
def test_an_impossible_input_is_named(name: str, values: dict[str, Any], field: str) -> None:
    with pytest.raises(FactError) as info:
        CALCULATORS[name].compute(values)
    assert not isinstance(info.value, MissingValueError)
    assert info.value.field == field


@pytest.mark.parametrize("value", [True, "", " ", "4.5.1", "1e3", [4], object()])
def test_a_number_is_a_number(value: object) -> None:
    with pytest.raises(FactError) as info:
        CALCULATORS["das28_crp"].compute({**_DAS, "crp": value})
    assert info.value.field == "crp"


def test_numbers_come_as_int_float_decimal_or_decimal_text() -> None:
    das28 = CALCULATORS["das28_crp"]
    expected = Decimal("4.24")
    for crp in (44, 44.0, Decimal("44"), "44", "44.00", " 44 "):
        assert das28.compute({**_DAS, "crp": crp}) == expected
    # a whole count may be written 4.0 or "4", never 4.5
    assert das28.compute({**_DAS, "tjc28": "4", "crp": 44}) == expected
    assert das28.compute({**_DAS, "tjc28": Decimal("4.0"), "crp": 44}) == expected


def test_every_problem_at_once() -> None:
    problems = CALCULATORS["das28_crp"].check(
        {"tjc28": 40, "crp": -1, "patient_global": 50, "x": 1}
    )
    assert [p.field for p in problems] == ["x", "tjc28", "sjc28", "crp"]
    assert isinstance(problems[2], MissingValueError)
    assert CALCULATORS["das28_crp"].check({**_DAS, "crp": 1}) == []


def test_an_input_the_calculator_does_not_have_is_refused() -> None:
    with pytest.raises(FactError, match="not an input") as info:
        CALCULATORS["cdai"].compute({**_CDAI, "crp": 5})
    assert info.value.field == "crp"


def test_cdai_and_sdai_take_the_globals_in_mm_and_crp_in_mg_per_l() -> None:
    # 4 + 3 + 5.5 cm + 4.4 cm = 16.9; + 12.3 mg/L = 1.23 mg/dL -> 18.13, reported 18.1
    values = {"tjc28": 4, "sjc28": 3, "patient_global": 55, "evaluator_global": 44}
    assert CALCULATORS["cdai"].compute(values) == Decimal("16.9")
    assert CALCULATORS["sdai"].compute({**values, "crp": "12.3"}) == Decimal("18.1")
    # the SDAI maximum: 76 + 10 mg/dL (100 mg/L) = 86.0
    top = {"tjc28": 28, "sjc28": 28, "patient_global": 100, "evaluator_global": 100, "crp": 100}
    assert CALCULATORS["sdai"].compute(top) == Decimal("86.0")


def test_haq_aids_individual_or_by_category() -> None:
    haq = CALCULATORS["haq_di"]
    by_aid = haq.compute({**_HAQ_ITEMS, "aid_jar_opener": True, "aid_walker": False})
    by_category = haq.compute({**_HAQ_ITEMS, "aids_or_help_grip": True})
    assert by_aid == by_category == Decimal("1.375")  # grip is already 2: unchanged
    assert haq.compute({**_HAQ_ITEMS, "aid_raised_toilet_seat": True}) == Decimal("1.625")
    assert haq.compute({**_HAQ_ITEMS, "aid_cane": False}) == Decimal("1.375")
    assert "aid_cane" not in CALCULATORS["haq_di_without_aids"].inputs


def test_the_stiffness_rule_is_shown_as_an_assumption() -> None:
    marked = {name for name, calc in CALCULATORS.items() if calc.assumption}
    assert marked == {"womac_stiffness", "womac_total"}
    assert "protocol assumption" in (CALCULATORS["womac_total"].assumption or "")


def test_eular_response_output_choices() -> None:
    assert CALCULATORS["eular_response"].output_choices == ("good", "moderate", "none")


@pytest.mark.parametrize("name", ["das28", "", None, 3])
def test_an_unknown_calculator_is_named(name: object) -> None:
    with pytest.raises(FactError, match="unknown calculator") as info:
        calculator(name)
    assert info.value.field == "calculator"
