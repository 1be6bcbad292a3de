"""define.xml MethodDefs (Define-XML 2.1 §5.3.7): how a derived value at value level is
made, so that each ItemRef whose ItemDef is of origin Derived names its method.

- a derived test (a score the server computes on every save of its form) is described by
  its calculator (clinical/calculators.py: name, version, published source, rounding)
  and the form items that feed it, as the study folder's form declares them;
- a collected test's --STRESC/--STRESN are the collected result standardised
  (``STANDARDISED``): the store holds every value in the form item's own unit, a value
  typed in another unit converted with UCUM (clinical/units.py); findings_values.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import odmlib.define_2_1.model as DEFINE

from trialdesk.clinical.calculators import CALCULATORS

__all__ = ["STANDARDISED", "derivation_method", "standardised_method"]

STANDARDISED = "MT.STANDARDISED"


def _description(text: str) -> DEFINE.Description:
    return DEFINE.Description(TranslatedText=[DEFINE.TranslatedText(_content=text, lang="en")])


def standardised_method() -> DEFINE.MethodDef:
    """--STRESC/--STRESN of a collected result (SDTMIG 3.4 §4.5.1)."""
    method = DEFINE.MethodDef(OID=STANDARDISED, Name="Standardised result", Type="Computation")
    method.Description = _description(
        "The collected result in the form item's own unit, which the store holds every value"
        " in (a value typed in another unit is converted with UCUM when it is saved):"
        " --STRESC as plain decimal text or, for a choice, its submission value in capitals;"
        " --STRESN the same number. --ORRES/--ORRESU keep what was typed."
    )
    return method


def _source(ref: str) -> str:
    """An input as the form names it: "form.item", "item" (the same form) or
    "baseline:item" (the same item at the schedule's baseline visit)."""
    if ref.startswith("baseline:"):
        return f"{ref.removeprefix('baseline:')} at the baseline visit"
    return ref


def derivation_method(oid: str, test: str, derivation: Mapping[str, Any]) -> DEFINE.MethodDef:
    """The MethodDef of a derived test from its form item's derivation
    (``{"calculator": name, "inputs": {input: item}}``, findings_plan.test_metadata)."""
    name = str(derivation["calculator"])
    inputs = ", ".join(
        f"{key} = {_source(str(ref))}" for key, ref in dict(derivation.get("inputs", {})).items()
    )
    calculator = CALCULATORS.get(name)
    parts = [
        f"{test}: computed by the server's {name} calculator on every save of its form"
        + (f" (version {calculator.version})" if calculator else "")
        + (f", from {inputs}" if inputs else "")
        + "."
    ]
    if calculator is not None:
        if calculator.decimals is not None:
            places = "place" if calculator.decimals == 1 else "places"
            parts.append(f"Rounded half up to {calculator.decimals} decimal {places}.")
        parts.append(f"Source: {calculator.source}.")
        if calculator.assumption:
            said = re.sub(r"(?i)^protocol assumption:\s*", "", calculator.assumption)
            parts.append(f"Protocol assumption: {said}.")
    method = DEFINE.MethodDef(OID=oid, Name=f"{test} ({name})", Type="Computation")
    method.Description = _description(" ".join(parts))
    return method
