"""UCUM codes as people read them: ``10*3/uL`` → ``×10³/µL``, ``{score}`` → nothing.

UCUM codes are written for machines in plain ASCII (The Unified Code for Units of
Measure, https://ucum.org/ucum): ``u`` stands for the prefix micro (§2.2, table 1),
``10*N`` for a power of ten (§3.2.1), square brackets for atoms that are not SI symbols
(``[IU]``, ``mm[Hg]``), ``Cel`` for the degree Celsius, a digit after an atom for its
exponent (``m2``) and curly braces for an annotation that carries no unit of its own
(§2.4: ``{score}`` means the unit 1). The store, the criteria and the exports keep the
code; every text a person reads uses :func:`unit_shown`, the one display form: SI print
symbols (BIPM SI Brochure, 9th ed., §5.4; µ, superscript exponents, ×10ⁿ as laboratory
reports print counts), annotations as plain words, and a pure annotation for a count or
a score shown as nothing (the label already says what is counted).
"""

from __future__ import annotations

import re

from trialdesk.clinical.units import UNIT_ALIASES

__all__ = ["quantity_shown", "unit_shown"]

# Annotations that add nothing a reader needs after the number ("6.5 {score}" → "6.5").
_SILENT = frozenset({"score", "#", "count", "index", "ratio", "titer", "value"})
# Whole atoms whose UCUM code differs from the print symbol.
_ATOMS = {
    "Cel": "°C",
    "[degF]": "°F",
    "mm[Hg]": "mmHg",
    "cm[H2O]": "cmH₂O",
    "[IU]": "IU",
    "[iU]": "IU",
    "[HPF]": "HPF",
    "[LPF]": "LPF",
    "[in_i]": "in",
    "[lb_av]": "lb",
    "[ppm]": "ppm",
    "%": "%",
}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
# UCUM's micro prefix "u" before a base unit it can prefix (g, L, mol, m, s, kat, eq, IU).
_MICRO = re.compile(r"^u(?=(g|L|l|mol|m|s|kat|eq|\[IU\]|\[iU\])$)")
_TOKEN = re.compile(r"\{[^}]*\}|[./]|[^./{]+")
_POWER_OF_TEN = re.compile(r"^10[*^](-?\d+)$")
_EXPONENT = re.compile(r"^([A-Za-zµ\]]+?)(-?\d+)$")


def _annotation(text: str, alone: bool) -> str:
    inner = text[1:-1].strip()
    if alone and inner.lower() in _SILENT:
        return ""
    return inner.replace("_", " ")


def _atom(code: str) -> str:
    if code in _ATOMS:
        return _ATOMS[code]
    power = _POWER_OF_TEN.match(code)
    if power:
        return "×10" + power.group(1).translate(_SUPERSCRIPT)
    if code.startswith("u") and _MICRO.match(code):
        return "µ" + _atom(code[1:])
    exponent = _EXPONENT.match(code)
    if exponent and not code[0].isdigit():
        return _atom(exponent.group(1)) + exponent.group(2).translate(_SUPERSCRIPT)
    return code.replace("[", "").replace("]", "")


def unit_shown(code: str | None) -> str:
    """The print form of a UCUM code (aliases such as ``x10^9/L`` read as sent).

    >>> unit_shown("10*3/uL"), unit_shown("{score}"), unit_shown("kg/m2")
    ('×10³/µL', '', 'kg/m²')
    """
    if code is None:
        return ""
    text = code.strip()
    text = UNIT_ALIASES.get(text.lower(), text)
    if text in ("", "1"):
        return ""
    tokens = _TOKEN.findall(text)
    alone = len(tokens) == 1
    shown: list[str] = []
    for token in tokens:
        if token == "/":
            shown.append("/")
        elif token == ".":
            shown.append("·")
        elif token.startswith("{"):
            words = _annotation(token, alone)
            # an annotation after an atom reads as a word beside it: 10*6{cells} → ×10⁶ cells
            if words and shown and shown[-1] not in ("/", "·"):
                words = " " + words
            shown.append(words)
        else:
            shown.append(_atom(token))
    return "".join(shown).strip()


def quantity_shown(number: str, code: str | None) -> str:
    """A number and its unit as printed: ``6.2 ×10³/µL``, ``6.5`` for a score, ``37 °C``."""
    unit = unit_shown(code)
    if not unit:
        return number
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"
