"""What a calculator is (the registry of them is :mod:`trialdesk.clinical.calculators`).

A study's form names a calculator in ``derived: {calculator: <name>, inputs: {...}}``; the
store calls :meth:`Calculator.compute` on every write of a form that derives a value,
with the form's values for the calculator's inputs, each already in the input's unit (UCUM;
converted by the store with :mod:`trialdesk.clinical.units`), and stores the result with
the inputs and the calculator's ``version``. The version changes whenever what a
calculator computes changes, so a stored value always says which computation made it.

Each calculator validates its inputs (a :class:`FactError` naming the input as ``field``;
a required input not given is a :class:`MissingValueError`, so an incomplete form can be
saved without its score) and returns the value rounded as it is reported (``decimals``,
ROUND_HALF_UP; the precision of each is given in the registry).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from trialdesk.clinical.checks import MissingValueError
from trialdesk.errors import FactError

__all__ = [
    "Calculator",
    "CalculatorInput",
    "CrossCheck",
    "Function",
    "InputKind",
    "OutputKind",
    "Value",
]

InputKind = Literal["decimal", "integer", "choice", "boolean"]
OutputKind = Literal["decimal", "integer", "choice"]
#: A validated input (None: an optional input not given) or a computed value.
Value = Decimal | int | str | bool | None

_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


@dataclass(frozen=True, slots=True)
class CalculatorInput:
    """One input of a calculator: what the form item feeding it must hold.

    ``unit`` is the UCUM unit the form's value must be converted to before it is passed
    (None: a count or a dimensionless score, passed as it is). ``minimum``/``maximum``
    bound a number (inclusive); ``choices`` are the codes a choice may take.
    """

    name: str
    unit: str | None
    kind: InputKind
    optional: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    choices: tuple[str, ...] = ()

    def read(self, raw: object) -> Value:
        """The value as the calculator uses it: a Decimal, an int, a choice code or a bool
        (``None`` only for an optional input not given). Numbers may come as int, float,
        Decimal or decimal text (the store keeps them as text); a bool is never a number.

        Raises:
            MissingValueError: a required input not given (None).
            FactError: a value of the wrong kind or out of range (field: this input).
        """
        if raw is None:
            if self.optional:
                return None
            raise MissingValueError(f"{self.name} is needed", field=self.name)
        if self.kind == "boolean":
            if not isinstance(raw, bool):
                raise FactError(f"{self.name} must be true or false, got {raw!r}", field=self.name)
            return raw
        if self.kind == "choice":
            if not isinstance(raw, str) or raw not in self.choices:
                allowed = ", ".join(self.choices)
                raise FactError(
                    f"{self.name} must be one of {allowed}, got {raw!r}", field=self.name
                )
            return str(raw)
        number = self._number(raw)
        if self.kind == "integer":
            if number != number.to_integral_value():
                raise FactError(f"{self.name} must be a whole number, got {raw!r}", field=self.name)
            number = number.to_integral_value()
        self._in_range(number, raw)
        return int(number) if self.kind == "integer" else number

    def _number(self, raw: object) -> Decimal:
        if isinstance(raw, bool):
            raise self._not_a_number(raw)
        if isinstance(raw, str):
            if not _DECIMAL_TEXT.fullmatch(raw.strip()):
                raise self._not_a_number(raw)
            return Decimal(raw.strip())
        if isinstance(raw, float):
            raw = Decimal(repr(raw))  # the decimal the float is written as
        if not isinstance(raw, int | Decimal):
            raise self._not_a_number(raw)
        number = Decimal(raw)
        if not number.is_finite():
            raise FactError(f"{self.name} must be a finite number, got {raw!r}", field=self.name)
        return number

    def _not_a_number(self, raw: object) -> FactError:
        # made only when raised: every input of every derived value is read on each save
        unit = f" {self.unit}" if self.unit else ""
        return FactError(f"{self.name} must be a number{unit}, got {raw!r}", field=self.name)

    def _in_range(self, number: Decimal, raw: object) -> None:
        low, high = self.minimum, self.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            unit = f" {self.unit}" if self.unit else ""
            if low is not None and high is not None:
                bounds = f"{low}-{high}"
            else:
                bounds = f">= {low}" if low is not None else f"<= {high}"
            raise FactError(f"{self.name} must be {bounds}{unit}, got {raw!r}", field=self.name)


Function = Callable[[Mapping[str, Any]], Decimal | int | str]
CrossCheck = Callable[[Mapping[str, Any]], list[FactError]]


@dataclass(frozen=True, slots=True)
class Calculator:
    """A derivation a form can name: its inputs, what it returns and where it comes from.

    ``decimals`` is the precision a decimal output is reported at (ROUND_HALF_UP);
    ``output_choices`` the codes a choice output takes; ``assumption`` says what in it is
    a protocol assumption rather than a published rule (shown wherever its value is).
    """

    name: str
    version: str
    inputs: Mapping[str, CalculatorInput]
    output_unit: str | None
    output_kind: OutputKind
    source: str
    function: Function = field(repr=False, compare=False)
    decimals: int | None = None
    output_choices: tuple[str, ...] = ()
    assumption: str | None = None
    # checks across inputs (a WOMAC item within its format's range), after each input's own
    cross_check: CrossCheck | None = field(default=None, repr=False, compare=False)
    # a field a domain function names -> the input it came from
    renames: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def read(self, values: Mapping[str, object]) -> tuple[dict[str, Value], list[FactError]]:
        """Every input read from ``values`` (a key left out counts as not given), and every
        problem found, in input order: unknown names first."""
        problems: list[FactError] = [
            FactError(f"{key!r} is not an input of the {self.name} calculator", field=key)
            for key in values
            if key not in self.inputs
        ]
        read: dict[str, Value] = {}
        for name, spec in self.inputs.items():
            try:
                read[name] = spec.read(values.get(name))
            except FactError as problem:
                problems.append(problem)
        if not problems and self.cross_check is not None:
            problems.extend(self.cross_check(read))
        return read, problems

    def check(self, values: Mapping[str, object]) -> list[FactError]:
        """Every problem with ``values`` at once, each naming its input (empty: computable
        as far as the inputs go)."""
        return self.read(values)[1]

    def compute(self, values: Mapping[str, object]) -> Decimal | int | str:
        """The value, rounded as it is reported.

        Raises:
            MissingValueError: a required input not given, or too few answers to score.
            FactError: an input of the wrong kind or out of range, or values the
                calculator cannot score (field: the input).
        """
        read, problems = self.read(values)
        if problems:
            raise problems[0]
        try:
            result = self.function(read)
        except FactError as error:
            if error.field is not None and error.field in self.renames:
                error.field = self.renames[error.field]
            raise
        if self.output_kind == "decimal":
            if not isinstance(result, Decimal) or self.decimals is None:
                raise TypeError(f"{self.name} must give a Decimal")  # a bug, not bad input
            return result.quantize(Decimal(1).scaleb(-self.decimals), rounding=ROUND_HALF_UP)
        if self.output_kind == "integer" and not (
            isinstance(result, int) and not isinstance(result, bool)
        ):
            raise TypeError(f"{self.name} must give an int")
        if self.output_kind == "choice" and result not in self.output_choices:
            raise TypeError(f"{self.name} gave {result!r}, not one of its choices")
        return result
