"""Case report forms as the study folder declares them: items with their type, unit,
ranges, code list, derivation and SDTM target, and edit checks in the criteria language."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from trialdesk.criteria.nodes import Node
from trialdesk.study.texts import Text

__all__ = [
    "Check",
    "Choice",
    "Derivation",
    "Form",
    "Item",
    "ItemRef",
    "ItemType",
    "SdtmTarget",
    "Severity",
]


class ItemType(StrEnum):
    INTEGER = "integer"
    DECIMAL = "decimal"
    TEXT = "text"
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Choice:
    code: str
    label: Text


@dataclass(frozen=True)
class SdtmTarget:
    """Where the item goes in the CDISC exports (SDTM IG 3.x): the domain and its test or
    variable, with the qualifiers the item fixes. ``sponsor_defined``: no CDISC CT term."""

    domain: str
    testcd: str | None = None
    test: str | None = None
    variable: str | None = None  # for a domain without tests (EX: EXDOSE, EXLOT, ...)
    cat: str | None = None
    scat: str | None = None
    orresu: str | None = None
    loc: str | None = None
    lat: str | None = None
    method: str | None = None
    tpt: str | None = None
    sponsor_defined: bool = False
    ct: str | None = None  # the NCI code of the CDISC CT term (testcd or variable value)


@dataclass(frozen=True)
class ItemRef:
    """An item named from a derivation: on this form, another form of the same visit, or
    (``baseline``) the same item at the schedule's baseline visit."""

    item: str
    form: str | None = None  # None: the same form
    baseline: bool = False

    def __str__(self) -> str:
        where = f"{self.form}.{self.item}" if self.form else self.item
        return f"baseline:{where}" if self.baseline else where


@dataclass(frozen=True)
class Derivation:
    calculator: str  # a name of trialdesk.clinical.calculators.CALCULATORS
    inputs: tuple[tuple[str, ItemRef], ...]  # calculator input -> the item that feeds it
    # calculator input -> a value fixed by the study (WOMAC's response format "LK3.1"),
    # passed with the items' values: text for a choice or a number, a bool for a flag
    constants: tuple[tuple[str, str | bool], ...] = ()


@dataclass(frozen=True)
class Item:
    id: str
    label: Text
    type: ItemType
    help: Text | None = None
    unit: str | None = None  # UCUM; values typed in another unit are converted to it
    minimum: float | None = None  # outside min..max: refused
    maximum: float | None = None
    expected_low: float | None = None  # outside: a query, the value is kept
    expected_high: float | None = None
    choices: tuple[Choice, ...] = ()
    required: bool = False
    concept: str | None = None  # a value set: the value becomes a fact of the record
    derived: Derivation | None = None  # computed on every write, never typed
    parameter: str | None = None  # must equal this declared per-participant parameter
    sdtm: SdtmTarget | None = None
    # the items of the same form that hold the laboratory report's reference limits for
    # this result (LBORNRLO/LBORNRHI; the ULN for xULN and CTCAE grades)
    reference_low: str | None = None
    reference_high: str | None = None


class Severity(StrEnum):
    """What a failed edit check does: refuse the save (the data cannot be right), or keep
    the data and raise a query (they may be right: a weight that did change)."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Check:
    """An edit check: ``rule`` (criteria language) is TRUE when the data are wrong."""

    id: str
    rule: Node
    source: str  # the rule as written
    message: Text
    items: tuple[str, ...]  # where the message is shown
    severity: Severity = Severity.ERROR


@dataclass(frozen=True)
class Form:
    id: str
    title: Text
    items: tuple[Item, ...]
    checks: tuple[Check, ...] = ()
    help: Text | None = None
    repeating: bool = False  # a log form: rows per participant, not one per visit
    plain: Text | None = None  # what a participant is told of it (the public trial page)

    def item(self, item_id: str) -> Item:
        for i in self.items:
            if i.id == item_id:
                return i
        raise KeyError(item_id)

    @property
    def derived(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.derived is not None)

    @property
    def computed(self) -> bool:
        """Every item derived: nobody enters or completes it (a score missing an input,
        such as a baseline never collected, shows as missing, and blocks nothing)."""
        return all(i.derived is not None for i in self.items)
