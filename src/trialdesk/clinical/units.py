"""Normalise quantities to the unit a criterion needs, with UCUM semantics.

Dimensional conversions (lb → kg, in → cm, U/L → µkat/L) come from the UCUM definitions
in ``ucumvert`` (a pint registry built from the UCUM specification). Conversions between
mass and amount of substance (creatinine mg/dL ↔ µmol/L) need the analyte's molar mass,
so they are listed per analyte with their source. An unknown or unconvertible unit is a
UnitError naming the unit, never a guess.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from trialdesk.errors import UnitError

# Unit spellings real exports send that are not UCUM codes, mapped to the UCUM code they
# mean. Only unambiguous spellings belong here. IU/L for enzymes: the international unit
# of enzyme activity is 1 µmol/min, the UCUM "U" (UCUM §4.3 table 15; IFCC).
UNIT_ALIASES: dict[str, str] = {
    "mmhg": "mm[Hg]",
    "mm hg": "mm[Hg]",
    "lb": "[lb_av]",
    "lbs": "[lb_av]",
    "[lb_us]": "[lb_av]",
    "in": "[in_i]",
    "inch": "[in_i]",
    "inches": "[in_i]",
    "iu/l": "U/L",
    "u/l": "U/L",
    "kg/m^2": "kg/m2",
    "kg/m²": "kg/m2",
    "µmol/l": "umol/L",
    "μmol/l": "umol/L",
    "umol/l": "umol/L",
    "mg/dl": "mg/dL",
    "mg/l": "mg/L",
    "g/dl": "g/dL",
    "g/l": "g/L",
    "ml/min": "mL/min",
    "x10^9/l": "10*9/L",
    "10^9/l": "10*9/L",
    "x10e9/l": "10*9/L",
    "x10^3/ul": "10*3/uL",
    "10^3/ul": "10*3/uL",
    "k/ul": "10*3/uL",
    "/hpf": "/[HPF]",
    "mm/hr": "mm/h",
    "mm/h": "mm/h",
}

# Molar masses for mass ↔ substance conversions, g/mol.
# Creatinine C4H7N3O: 113.12 g/mol (PubChem CID 588); 1 mg/dL = 88.40 µmol/L.
# Haemoglobin, as the monomer Hb(Fe) that SI reports count: 16 114.5 g/mol (ICSH 1995
# reference method for haemoglobinometry, J Clin Pathol 1996;49:271-4: tetramer
# 64 458 g/mol / 4); 1 g/dL = 0.6206 mmol/L, as CTCAE v5.0 pairs 10.0 g/dL with 6.2 mmol/L.
MOLAR_MASS_G_PER_MOL: dict[str, float] = {"creatinine": 113.12, "hemoglobin": 16114.5}

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _registry() -> Any:
    from ucumvert import PintUcumRegistry

    return PintUcumRegistry()


def canonical_unit(unit: str | None) -> str:
    """The UCUM code for a unit as received (aliases resolved), or UnitError."""
    if unit is None or not unit.strip():
        raise UnitError("the value has no unit")
    text = unit.strip()
    return UNIT_ALIASES.get(text.lower(), text)


def _factor(src: str, dst: str, analyte: str | None) -> tuple[float, float]:
    """(scale, offset) so that value_dst = value_src * scale + offset."""
    found = _factor_or_refusal(src, dst, analyte)
    if isinstance(found, UnitError):
        raise UnitError(found.message)
    return found


@lru_cache(maxsize=4096)
def _factor_or_refusal(src: str, dst: str, analyte: str | None) -> tuple[float, float] | UnitError:
    """The factor, or why there is none: a refusal is kept too (asking again would parse
    both units again, a thousand times slower than the answer)."""
    try:
        return _factor_of(src, dst, analyte)
    except UnitError as refused:
        return refused


def _factor_of(src: str, dst: str, analyte: str | None) -> tuple[float, float]:
    if src == dst:
        return 1.0, 0.0
    with _lock:  # pint registries are not thread safe while parsing
        reg = _registry()
        try:
            a = reg.from_ucum(src)
        except Exception as exc:  # noqa: BLE001 - the UCUM parser raises many types
            raise UnitError(f"unknown unit '{src}' ({type(exc).__name__})") from None
        try:
            b = reg.from_ucum(dst)
        except Exception as exc:  # noqa: BLE001
            raise UnitError(f"unknown unit '{dst}' ({type(exc).__name__})") from None
        try:
            qa = 1 * a
        except Exception:  # noqa: BLE001 - offset units (Cel) and annotations ({score})
            qa = None
        if qa is not None:
            try:
                return float(qa.to(b).magnitude), 0.0
            except Exception:  # noqa: BLE001 - pint's DimensionalityError and friends
                pass
        mass = MOLAR_MASS_G_PER_MOL.get(analyte or "")
        if mass is not None and qa is not None:
            # mass concentration <-> substance concentration through the molar mass
            candidates: tuple[Any, ...] = ()
            try:
                g_per_mol = reg.from_ucum("g/mol") * mass
                candidates = (qa * g_per_mol, qa / g_per_mol)
            except Exception:  # noqa: BLE001 - annotation units ({score}) have no magnitude
                pass
            for candidate in candidates:
                try:
                    return float(candidate.to(b).magnitude), 0.0
                except Exception:  # noqa: BLE001
                    continue
    raise UnitError(f"cannot convert {src} to {dst}" + (f" for {analyte}" if analyte else ""))


def convert(value: float, unit: str | None, to: str, analyte: str | None = None) -> float:
    """``value`` in ``unit`` expressed in ``to``; UnitError when that is not possible."""
    scale, offset = _factor(canonical_unit(unit), canonical_unit(to), analyte)
    return value * scale + offset
