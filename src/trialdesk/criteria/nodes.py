"""The eligibility language: small immutable expression trees.

A rule is written in a criteria file as an expression a clinician can read next to the
registry text, e.g. ``highest_x_uln(alt, within=screening_period) >= 2``. The parser turns
it into these nodes and checks every name, argument and type when the study is loaded.
The evaluator (one patient) and the SQL compiler (a population) both walk these nodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Type(StrEnum):
    """The static type of an expression, checked when a rule is built."""

    BOOL = "bool"
    NUMBER = "number"
    DATE = "date"
    DURATION = "duration"
    WINDOW = "window"
    STRING = "string"
    VALUESET = "valueset"


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every node; ``type`` is fixed per node class or computed at build."""


@dataclass(frozen=True, slots=True)
class And(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not(Node):
    item: Node


@dataclass(frozen=True, slots=True)
class Surely(Node):
    """TRUE only when the inner expression is TRUE: UNKNOWN counts as FALSE."""

    item: Node


@dataclass(frozen=True, slots=True)
class Compare(Node):
    op: str  # < <= > >= == !=
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Arith(Node):
    op: str  # + - * /
    left: Node
    right: Node
    type: Type  # NUMBER, or DATE for date ± duration


@dataclass(frozen=True, slots=True)
class Number(Node):
    value: float


@dataclass(frozen=True, slots=True)
class String(Node):
    value: str


@dataclass(frozen=True, slots=True)
class Parameter(Node):
    """A named threshold from the criteria file, shown with its source in the evidence."""

    name: str
    value: float
    unit: str | None
    source: str
    assumption: bool


@dataclass(frozen=True, slots=True)
class Anchor(Node):
    """A named study date the study declares (participant.yaml): screening, baseline..."""

    name: str


@dataclass(frozen=True, slots=True)
class Duration(Node):
    amount: int
    unit: str  # days, weeks, months, years


@dataclass(frozen=True, slots=True)
class Coalesce(Node):
    """The first of several dates that is known (e.g. consent, else screening)."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Window(Node):
    """An inclusive date range; ``name`` is set for windows defined in the criteria file."""

    start: Node
    end: Node
    name: str | None = None


@dataclass(frozen=True, slots=True)
class SexOf(Node):
    """The person's administrative sex, compared with a string."""


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A domain function over the record: ``name(valuesets..., keyword=value...)``."""

    name: str
    valuesets: tuple[str, ...]
    options: tuple[tuple[str, Node | bool | str], ...]
    type: Type

    def option(self, key: str) -> Node | bool | str | None:
        for k, v in self.options:
            if k == key:
                return v
        return None


DURATION_UNITS = ("days", "weeks", "months", "years")


def type_of(node: Node) -> Type:
    """The static type of a built node."""
    if isinstance(node, And | Or | Not | Surely | Compare):
        return Type.BOOL
    if isinstance(node, Arith | Call):
        return node.type
    if isinstance(node, Number | Parameter):
        return Type.NUMBER
    if isinstance(node, String | SexOf):
        return Type.STRING
    if isinstance(node, Anchor | Coalesce):
        return Type.DATE
    if isinstance(node, Duration):
        return Type.DURATION
    if isinstance(node, Window):
        return Type.WINDOW
    raise TypeError(f"not a rule node: {node!r}")


def walk(node: Node) -> list[Node]:
    """Every node of a tree, parents before children."""
    out: list[Node] = [node]
    children: tuple[Node, ...] = ()
    if isinstance(node, And | Or | Coalesce):
        children = node.items
    elif isinstance(node, Not | Surely):
        children = (node.item,)
    elif isinstance(node, Compare | Arith):
        children = (node.left, node.right)
    elif isinstance(node, Window):
        children = (node.start, node.end)
    elif isinstance(node, Call):
        children = tuple(v for _, v in node.options if isinstance(v, Node))
    for child in children:
        out.extend(walk(child))
    return out
