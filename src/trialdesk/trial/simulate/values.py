"""The values a simulated site types into a visit's forms: every item from its role
(roles.py), measures from the person's usual values (measures.py) and their disease
(trajectories.py), and anything else from its type, range and choices.

One visit's values come from one random stream of their own, so they are the same
whatever else is simulated; a value shared by several forms of the visit (the systolic
pressure the diastolic must stay below, the joint counts) is drawn once.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from trialdesk.clinical.units import convert
from trialdesk.study.forms import Form, Item, ItemType
from trialdesk.trial.conduct.item_values import decimal_text
from trialdesk.trial.simulate.measures import LAB, VITAL, WITHIN, reference
from trialdesk.trial.simulate.population import (
    ELIGIBLE_KNEE,
    ELIGIBLE_LIMITS,
    ELIGIBLE_SYNOVITIS,
    Intended,
    Person,
)
from trialdesk.trial.simulate.rates import RATES, Rates
from trialdesk.trial.simulate.roles import Role, RoleKind, Roles
from trialdesk.trial.simulate.trajectories import (
    ACTIVITY_KEYS,
    ACTIVITY_UNITS,
    QUESTIONNAIRES,
    activity_at,
    ordinal,
)

__all__ = ["Moment", "VisitValues"]

# Values the protocol fixes for everyone, by SDTM variable and unit: the dose and volume
# are the example values of the injection form's comment ([ia]: 1-150 x10^6 cells in
# 2-10 mL); NCT06947746's own dose is not public (SIMULATION ASSUMPTION).
FIXED: dict[str, tuple[Any, str | None]] = {
    "EX.EXDOSE": ("50", "10*6{cells}"),
    "SUPPEX.EXVOL": ("5", "mL"),
    "SUPPEX.EXRELCHK": (True, None),
}
REACTION = 0.04  # an immediate reaction to the injection, recorded on its form
NOTE = "as recorded in the source document (simulated)"  # free text nobody models
# whose screening values are drawn to fit the outcome (the others' are left as drawn)
_SCREENED = (Intended.ENROL, Intended.SCREEN_FAIL)


class Moment:
    """A visit as the simulation sees it: which, when, and how long after day 1."""

    def __init__(
        self, visit_id: str, on: date, at: datetime, days: int | None, first: frozenset[str]
    ) -> None:
        self.visit_id = visit_id
        self.on = on
        self.at = at  # the site's wall clock when the assessments were done
        self.days = days  # days after the injection (None: before it)
        self.first = first  # forms entered for the first time at this visit


class VisitValues:
    """The values of every form of one visit of one person."""

    def __init__(
        self,
        person: Person,
        roles: Roles,
        moment: Moment,
        *,
        screening: bool = False,
        staff: str = "",
        day1: datetime | None = None,
        rates: Rates = RATES,
    ) -> None:
        self.person = person
        self.roles = roles
        self.moment = moment
        self.screening = screening  # the screening visit: the criteria read these values
        self.staff = staff  # who gives the injection, as the form names them
        self.day1 = day1
        self.rates = rates
        self.rng = random.Random(f"{person.seed}/{moment.visit_id}")
        activity = activity_at(person.disease, moment.days, self.rng)
        if screening and person.intended in _SCREENED:  # a knee I4 accepts
            sh = max(activity.sh, ELIGIBLE_SYNOVITIS)
            activity = replace(activity, knee=max(activity.knee, ELIGIBLE_KNEE), sh=sh)
        self.activity = activity
        self._drawn: dict[tuple[str, str], float] = {}

    # ---------------------------------------------------------------- forms and items

    def form(self, form: Form) -> dict[str, Any]:
        values: dict[str, Any] = {}
        previous: Any = None
        for item in form.items:
            role = self.roles.of(form, item)
            if self._wanted(form, item, role, previous):
                value = self._value(form, item, role)
                if value is not None:
                    values[item.id] = value
            previous = values.get(item.id)
        return values

    def _wanted(self, form: Form, item: Item, role: Role, previous: Any) -> bool:
        kind = role.kind
        if kind is RoleKind.DERIVED:
            return False
        if kind is RoleKind.INPUT and role.calculator in QUESTIONNAIRES:
            return self.rng.random() >= self.rates.unanswered
        if item.required or kind in (RoleKind.INPUT, RoleKind.REFERENCE, RoleKind.ANCHOR):
            return True
        if kind is RoleKind.MEASURE and role.name == "VS.HEIGHT":
            return form.id in self.moment.first  # measured once (the form's help says so)
        if kind is RoleKind.MEASURE and role.name == "MK.EFFUSDEP":
            return self.activity.effusion
        if kind is RoleKind.MEASURE and (role.name in LAB or role.name in VITAL):
            return self._usually(form, item)
        if item.type is ItemType.TEXT:
            return previous is True  # the details of a "yes" just before
        return self._usually(form, item)

    def _usually(self, form: Form, item: Item) -> bool:
        """Whether the site records this optional item for this person (always or never)."""
        stream = random.Random(f"{self.person.seed}/optional/{form.id}/{item.id}")
        return stream.random() < self.rates.optional_item

    def _value(self, form: Form, item: Item, role: Role) -> Any:
        kind = role.kind
        if kind is RoleKind.ANCHOR:
            return self._anchor(item)
        if kind is RoleKind.PARAMETER:
            return self.person.parameters.get(role.name)
        if kind is RoleKind.INPUT:
            found = self._input(item, role)
            if found is not None:
                return found
        if kind is RoleKind.REFERENCE and role.of in LAB:
            lab = LAB[role.of]
            limits = reference(lab, self.person.sex, self.person.age_on(self.moment.on))
            return self._number(item, limits[1] if role.high else limits[0], lab.unit, lab.places)
        if kind in (RoleKind.MEASURE, RoleKind.INPUT):
            found = self._measure(item, role.name)
            if found is not None:
                return found
        return self._generic(form, item)

    def _anchor(self, item: Item) -> Any:
        moment = self.day1 or self.moment.at
        if item.type is ItemType.DATETIME:
            return moment.strftime("%Y-%m-%dT%H:%M")
        return moment.date().isoformat()

    # ------------------------------------------------------------ RA and questionnaires

    def _input(self, item: Item, role: Role) -> Any:
        field = ACTIVITY_KEYS.get(role.name)
        if field is not None:
            return self._activity(item, field)
        driver = QUESTIONNAIRES.get(role.calculator)
        if driver is None:
            return None
        severity = float(getattr(self.activity, driver))
        if item.type is ItemType.BOOLEAN:  # an aid used, help needed
            return self.rng.random() < 0.6 * severity
        codes = _numeric_codes(item)
        if not codes:
            return None
        answer = ordinal(severity, max(codes), self.rng)
        return str(min(codes, key=lambda c: abs(c - answer)))

    def _activity(self, item: Item, field: str) -> Any:
        value = getattr(self.activity, field)
        if item.type is ItemType.BOOLEAN:
            return bool(value)
        if item.type is ItemType.CHOICE:
            codes = _numeric_codes(item)
            return str(min(codes, key=lambda c: abs(c - value))) if codes else None
        unit = ACTIVITY_UNITS.get(field, item.unit)
        return self._number(item, float(value), unit, 1 if isinstance(value, float) else 0)

    # ----------------------------------------------------------------------- measures

    def _measure(self, item: Item, key: str) -> Any:
        fixed = FIXED.get(key)
        if fixed is not None and (fixed[1] is None or fixed[1] == item.unit):
            return fixed[0]
        if key in ACTIVITY_KEYS:
            return self._activity(item, ACTIVITY_KEYS[key])
        if key == "MK.EFFUSDEP":
            return self._number(item, self.activity.effusion_mm, "mm", 1)
        if key == "EX.EXLOT":
            return f"LOT-{self.moment.on:%Y%m}"  # one lot a month (assumption)
        if key == "SUPPEX.EXPERF":
            return self.staff or None
        if key == "SUPPEX.EXREACT":
            return self.rng.random() < REACTION
        timepoint = item.sdtm.tpt if item.sdtm is not None and item.sdtm.tpt else ""
        if key in LAB:
            lab = LAB[key]
            return self._number(item, self.draw(key, timepoint), lab.unit, lab.places)
        if key in VITAL:
            vital = VITAL[key]
            return self._number(item, self.draw(key, timepoint), vital.unit, vital.places)
        return None

    def draw(self, key: str, timepoint: str = "") -> float:
        """This visit's value of a lab or vital sign (drawn once per time point)."""
        found = self._drawn.get((key, timepoint))
        if found is None:
            found = self._draws(key, timepoint)
            self._drawn[(key, timepoint)] = found
        return found

    def _draws(self, key: str, timepoint: str) -> float:
        person, rng = self.person, self.rng
        usual = person.usual[key]
        if key in LAB:
            lab = LAB[key]
            _, spread = lab.spread(person.sex, person.age_on(self.moment.on))
            value = usual * math.exp(rng.gauss(0.0, WITHIN * spread))
            if rng.random() < self.rates.outlier:
                value *= rng.uniform(1.6, 3.0) if rng.random() < 0.6 else rng.uniform(0.5, 0.75)
        elif key == "VS.WEIGHT":
            value = usual + rng.gauss(0.0, VITAL[key].within)
        else:
            value = usual + rng.gauss(0.0, VITAL[key].within)
            if key == "VS.TEMP" and 1 <= (self.moment.days or 0) <= 2 and rng.random() < 0.08:
                value += rng.uniform(0.9, 1.4)  # a febrile reaction the day after (query)
            if key == "VS.DIABP":
                value = min(value, self.draw("VS.SYSBP", timepoint) - 25)
        if self.screening:
            value = self._screened(key, value)
        return value

    def _screened(self, key: str, value: float) -> float:
        """A screening value as the person's intended outcome needs it: one failing value
        for a screen failure, every other inside what the criteria accept."""
        person, rng = self.person, self.rng
        uln = None
        if key in LAB:
            uln = reference(LAB[key], person.sex, person.age_on(self.moment.on))[1]
        if person.intended is Intended.SCREEN_FAIL:
            failure = person.failure
            if failure == "E10" and key == "LB.ALT" and uln is not None:
                return uln * rng.uniform(2.2, 3.5)
            if failure == "E12" and key == "LB.HGB":
                return rng.uniform(78, 88)
            if failure == "E14" and key == "VS.SYSBP":
                return float(rng.randint(161, 172))
            if failure == "E15" and key == "VS.WEIGHT":
                return rng.uniform(30.6, 33.5) * (self.draw("VS.HEIGHT") / 100) ** 2
        if person.intended not in _SCREENED:
            return value
        if key == "VS.WEIGHT":
            low, high = ELIGIBLE_LIMITS["VS.BMI"]
            metres2 = (self.draw("VS.HEIGHT") / 100) ** 2
            return min(max(value, (low or 0) * metres2), (high or math.inf) * metres2)
        limits = ELIGIBLE_LIMITS.get(key)
        if limits is None:
            return value
        low, high = limits
        if key in ("LB.ALT", "LB.AST") and high is not None and uln is not None:
            high *= uln
        return min(max(value, low if low is not None else -math.inf), high or math.inf)

    # ------------------------------------------------------------------------ generic

    def _generic(self, form: Form, item: Item) -> Any:
        """A value from the item's type, range and choices alone: the person keeps a
        usual value of their own, near the middle of the expected range."""
        rng = self.rng
        match item.type:
            case ItemType.BOOLEAN:
                return rng.random() < 0.1
            case ItemType.CHOICE:
                return rng.choice(item.choices).code if item.choices else None
            case ItemType.DATE:
                return self.moment.on.isoformat()
            case ItemType.DATETIME:
                return self.moment.at.strftime("%Y-%m-%dT%H:%M")
            case ItemType.TEXT:
                return NOTE
            case _:
                return self._generic_number(form, item)

    def _generic_number(self, form: Form, item: Item) -> Any:
        low = item.expected_low if item.expected_low is not None else item.minimum
        high = item.expected_high if item.expected_high is not None else item.maximum
        if low is None and high is None:
            low, high = 0.0, 10.0
        elif low is None:
            low = min(0.0, high or 0.0)
        elif high is None:
            high = low + 10.0
        assert low is not None and high is not None
        if item.expected_low is None and item.expected_high is None:
            high = low + (high - low) * 0.3  # the lower part of a plausible range
        stream = random.Random(f"{self.person.seed}/usual/{form.id}/{item.id}")
        usual = stream.gauss((low + high) / 2, (high - low) / 6)
        value = usual + self.rng.gauss(0.0, (high - low) / 30)
        places = 0 if item.type is ItemType.INTEGER else 1
        return self._number(item, value, item.unit, places)

    def _number(self, item: Item, value: float, unit: str | None, places: int) -> Any:
        """``value`` (in ``unit``) in the item's unit, rounded as reported, kept inside
        the item's plausible range."""
        if unit is not None and item.unit is not None and unit != item.unit:
            value = convert(value, unit, item.unit, item.concept)
        if item.minimum is not None:
            value = max(value, item.minimum)
        if item.maximum is not None:
            value = min(value, item.maximum)
        if item.type is ItemType.INTEGER:
            return int(round(value))
        return decimal_text(Decimal(repr(round(value, places))))


def _numeric_codes(item: Item) -> list[int]:
    return [int(c.code) for c in item.choices if c.code.lstrip("-").isdigit()]
