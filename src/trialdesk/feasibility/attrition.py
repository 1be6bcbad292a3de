"""Attrition: how many people each criterion removes, in protocol order and on its own."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from trialdesk.criteria.sql.query import NEEDS_REVIEW, UNKNOWN
from trialdesk.feasibility.population import INELIGIBLE, VERDICTS, PopulationStatuses


@dataclass(frozen=True)
class AttritionRow:
    criterion: str
    kind: str
    text: str
    remaining: int  # people still in before this criterion
    removed: int  # of those, ineligible by this criterion
    unknown: int  # of those, unknown on this criterion
    alone: int  # ineligible by this criterion, counting everyone


@dataclass(frozen=True)
class Attrition:
    persons: int
    rows: list[AttritionRow]
    verdicts: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "persons": self.persons,
            "attrition": [r.__dict__ for r in self.rows],
            "verdicts": self.verdicts,
        }


def attrition(pop: PopulationStatuses) -> Attrition:
    excludes = pop.excludes
    remaining = np.ones(len(pop.person_ids), dtype=bool)
    rows = []
    for j, criterion in enumerate(pop.criteria.criteria):
        column = excludes[:, j]
        rows.append(
            AttritionRow(
                criterion=criterion.id,
                kind=criterion.kind.value,
                text=criterion.short,
                remaining=int(np.count_nonzero(remaining)),
                removed=int(np.count_nonzero(remaining & column)),
                unknown=int(np.count_nonzero(remaining & (pop.statuses[:, j] == UNKNOWN))),
                alone=int(np.count_nonzero(column)),
            )
        )
        remaining &= ~column
    return Attrition(persons=len(pop.person_ids), rows=rows, verdicts=pop.verdict_counts())


def write_candidates(pop: PopulationStatuses, path: Path) -> int:
    """One row per person who is not ineligible, with what is still open. Returns the count."""
    ids = [c.id for c in pop.criteria.criteria]
    codes = pop.verdict_codes
    written = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["person_id", "verdict", "unknown", "needs_review"])
        for i in np.flatnonzero(codes != INELIGIBLE):
            row = pop.statuses[i]
            writer.writerow(
                [
                    pop.person_ids[i],
                    VERDICTS[codes[i]],
                    " ".join(ids[j] for j in np.flatnonzero(row == UNKNOWN)),
                    " ".join(ids[j] for j in np.flatnonzero(row == NEEDS_REVIEW)),
                ]
            )
            written += 1
    return written
