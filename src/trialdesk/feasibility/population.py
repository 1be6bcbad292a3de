"""Screen a whole OMOP population with one compiled query: per-person criterion statuses."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import pyarrow as pa

from trialdesk.criteria.model import CriteriaSet, Kind
from trialdesk.criteria.sql.codes import CodeTables, build_code_tables
from trialdesk.criteria.sql.query import (
    MET,
    NEEDS_REVIEW,
    NOT_MET,
    UNKNOWN,
    ScreeningQuery,
    build_query,
    code_table_arrow,
)
from trialdesk.feasibility.cdm_codes import read_cdm_codes
from trialdesk.feasibility.sources import Source
from trialdesk.study.loader import Study

Progress = Callable[[str], None]


# Verdict codes, in the order that decides: any exclusion makes a person ineligible, else
# an unknown makes them incomplete, else a criterion awaiting review, else eligible.
VERDICTS = ("eligible", "needs_review", "incomplete", "ineligible")
ELIGIBLE, REVIEW, INCOMPLETE, INELIGIBLE = range(4)


@dataclass(frozen=True)
class PopulationStatuses:
    """One row per person: the status code of every criterion, protocol order.

    ``statuses`` is laid out criterion by criterion (Fortran order): everything computed
    from it reads one criterion's column across a million people at a time."""

    person_ids: np.ndarray
    statuses: np.ndarray  # shape (persons, criteria), int8 status codes
    criteria: CriteriaSet
    query: ScreeningQuery

    @cached_property
    def excludes(self) -> np.ndarray:
        """Boolean (persons, criteria): this criterion alone makes the person ineligible."""
        inclusion = np.array([c.kind is Kind.INCLUSION for c in self.criteria.criteria])
        excluded = np.empty(self.statuses.shape, dtype=bool, order="F")
        for j, included in enumerate(inclusion):
            np.equal(self.statuses[:, j], NOT_MET if included else MET, out=excluded[:, j])
        return excluded

    @cached_property
    def verdict_codes(self) -> np.ndarray:
        """Per person, an index into VERDICTS."""
        n, k = self.statuses.shape
        review, unknown, excluded = (np.zeros(n, dtype=bool) for _ in range(3))
        for j in range(k):
            column = self.statuses[:, j]
            review |= column == NEEDS_REVIEW
            unknown |= column == UNKNOWN
            excluded |= self.excludes[:, j]
        out = np.full(n, ELIGIBLE, dtype=np.int8)
        out[review] = REVIEW
        out[unknown] = INCOMPLETE
        out[excluded] = INELIGIBLE
        return out

    @property
    def verdicts(self) -> np.ndarray:
        """Per person: 'ineligible', 'incomplete', 'needs_review' or 'eligible'."""
        names: np.ndarray = np.array(VERDICTS, dtype=object)[self.verdict_codes]
        return names

    def verdict_counts(self) -> dict[str, int]:
        counts = np.bincount(self.verdict_codes, minlength=len(VERDICTS))
        return {v: int(counts[i]) for i, v in enumerate(VERDICTS)}


def prepare_codes(source: Source, study: Study, progress: Progress | None = None) -> CodeTables:
    """Resolve the study's value sets to this CDM's concepts; register the lookup tables."""
    if progress:
        progress("reading the codes the CDM uses")
    cdm = read_cdm_codes(source)
    if progress:
        progress("matching codes to value sets")
    tables = build_code_tables(
        cdm.vocab,
        study.valuesets,
        sorted(cdm.keys),
        sorted(cdm.unit_keys),
        cdm.value_concepts,
        study.participant.sites,
    )
    codes, units = code_table_arrow(tables)
    source.register("td_codes", codes)
    source.register("td_units", units)
    return tables


def screen_population(
    source: Source,
    study: Study,
    *,
    dates: Mapping[str, date],
    parameters: Mapping[str, str | None] | None = None,
    progress: Progress | None = None,
    tables: CodeTables | None = None,
) -> PopulationStatuses:
    """Every person's criterion statuses. ``dates``: every staff-set anchor the study
    declares (defaults applied: Participant.fill_dates); ``parameters``: the declared
    parameters' values (checked by their ``parse``)."""
    values = study.participant.parse_parameters(parameters or {})
    tables = tables or prepare_codes(source, study, progress)
    query = build_query(
        study.criteria,
        tables,
        {name: vs.unit for name, vs in study.valuesets.items()},
        dates=dates,
        parameters=values,
        dialect=source.dialect,
        study_id=study.id,
        valuesets=study.valuesets,
    )
    if progress:
        progress("running the screening query")
    result: pa.Table = source.execute(query.sql, query.params)
    ids = result.column(0).to_numpy(zero_copy_only=False)
    n = result.num_rows
    statuses = np.empty((n, len(query.columns)), dtype=np.int8, order="F")
    for j in range(len(query.columns)):
        statuses[:, j] = result.column(j + 1).to_numpy(zero_copy_only=False).astype(np.int8)
    return PopulationStatuses(ids, statuses, study.criteria, query)
