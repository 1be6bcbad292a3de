"""What each item of a study's forms is for, as the study folder says it: computed by the
server (derived), the date of an anchor (day 1), a per-participant parameter (the target
knee), an input of a calculator (named by the forms' derivations: DAS28's tjc28, WOMAC's
pain_1), a laboratory report's reference limit, a measure known by its CDISC SDTM test
(``VS.SYSBP``), or none of these: then its value comes from its type, range and choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from trialdesk.study.forms import Form, Item
from trialdesk.study.loader import Study

__all__ = ["Role", "RoleKind", "Roles", "roles_of"]


class RoleKind(StrEnum):
    DERIVED = "derived"
    ANCHOR = "anchor"
    PARAMETER = "parameter"
    INPUT = "input"
    REFERENCE = "reference"
    MEASURE = "measure"
    OTHER = "other"


@dataclass(frozen=True)
class Role:
    kind: RoleKind
    name: str = ""  # the anchor, parameter, calculator input or SDTM key
    calculator: str = ""  # an input's calculator
    high: bool = False  # a reference limit: the upper one
    of: str = ""  # a reference limit: the SDTM key of the result it belongs to


def sdtm_key(item: Item) -> str | None:
    """``DOMAIN.TESTCD`` (``VS.SYSBP``), else ``DOMAIN.VARIABLE`` (``EX.EXDOSE``)."""
    if item.sdtm is None:
        return None
    name = item.sdtm.testcd or item.sdtm.variable
    return f"{item.sdtm.domain}.{name}" if name else None


class Roles:
    """Each (form, item) of a study with its role, worked out once per study."""

    def __init__(self, study: Study) -> None:
        self._by_item: dict[tuple[str, str], Role] = {}
        anchors = {(a.form, a.item): a.name for a in study.participant.forms}
        inputs: dict[tuple[str, str], Role] = {}
        for form in study.forms.values():
            for item in form.derived:
                assert item.derived is not None
                for name, ref in item.derived.inputs:
                    if ref.baseline:
                        continue  # an earlier visit's value of an item with its own role
                    where = (ref.form or form.id, ref.item)
                    inputs.setdefault(where, Role(RoleKind.INPUT, name, item.derived.calculator))
        for form in study.forms.values():
            limits = _reference_items(form)
            for item in form.items:
                where = (form.id, item.id)
                key = sdtm_key(item)
                if item.derived is not None:
                    role = Role(RoleKind.DERIVED)
                elif where in anchors:
                    role = Role(RoleKind.ANCHOR, anchors[where])
                elif item.parameter is not None:
                    role = Role(RoleKind.PARAMETER, item.parameter)
                elif where in inputs:
                    role = inputs[where]
                elif item.id in limits:
                    role = limits[item.id]
                elif key is not None:
                    role = Role(RoleKind.MEASURE, key)
                else:
                    role = Role(RoleKind.OTHER)
                self._by_item[where] = role

    def of(self, form: Form, item: Item) -> Role:
        return self._by_item.get((form.id, item.id), _OTHER)


_OTHER = Role(RoleKind.OTHER)


def _reference_items(form: Form) -> dict[str, Role]:
    """The items holding a result's reference limits, by item id."""
    out: dict[str, Role] = {}
    for item in form.items:
        key = sdtm_key(item) or item.id
        if item.reference_low:
            out[item.reference_low] = Role(RoleKind.REFERENCE, of=key)
        if item.reference_high:
            out[item.reference_high] = Role(RoleKind.REFERENCE, of=key, high=True)
    return out


_CACHE: dict[int, tuple[Study, Roles]] = {}


def roles_of(study: Study) -> Roles:
    cached = _CACHE.get(id(study))
    if cached is None or cached[0] is not study:
        cached = _CACHE[id(study)] = (study, Roles(study))
    return cached[1]
