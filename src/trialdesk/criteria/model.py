"""A criterion as the protocol states it, and the computable form trialdesk gives it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from trialdesk.criteria.nodes import Node, Parameter, Window


class Kind(StrEnum):
    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


@dataclass(frozen=True)
class Criterion:
    """One registry criterion.

    Exactly one way to decide it: a ``rule`` (decided from data), a ``review`` (findings
    that an investigator must judge), both (the rule decides, the review flags what is
    left), or ``judgment`` (a reason why only an investigator can decide).
    """

    id: str
    kind: Kind
    text: str
    rule: Node | None = None
    review: Node | None = None
    judgment: str | None = None
    rule_source: str | None = None
    review_source: str | None = None
    note: str | None = None  # why it is encoded this way; protocol assumptions
    heading: str | None = None
    line: int | None = None  # where the criterion starts in its file

    @property
    def short(self) -> str:
        """The first sentence-ish of the text, for tables."""
        text = " ".join(self.text.split())
        return text if len(text) <= 90 else text[:87].rstrip() + "..."


@dataclass(frozen=True)
class CriteriaSet:
    """The contents of a study's criteria file."""

    study: str
    criteria: tuple[Criterion, ...]
    windows: dict[str, Window] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    file: str | None = None

    def get(self, criterion_id: str) -> Criterion | None:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        return None
