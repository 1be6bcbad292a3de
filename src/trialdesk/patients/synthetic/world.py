"""One chunk being generated: its persons and a row builder per CDM table.

The domain modules (``hospital``, ``rheumatology``, ``medications``, ``measurements``,
``procedures``) add rows through the helpers here, which fill the CDM's required columns the
same way everywhere (type concept EHR, source concepts, ids).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from trialdesk.patients.synthetic.catalog import C
from trialdesk.patients.synthetic.codes import CONDITION_SOURCE
from trialdesk.patients.synthetic.frame import NULL, Array, Batch, Builder
from trialdesk.patients.synthetic.people import Cohort

__all__ = ["ID_COLUMNS", "World"]

ID_COLUMNS: dict[str, str | None] = {
    "person": None,
    "observation_period": "observation_period_id",
    "visit_occurrence": None,
    "condition_occurrence": "condition_occurrence_id",
    "drug_exposure": "drug_exposure_id",
    "measurement": "measurement_id",
    "observation": "observation_id",
    "procedure_occurrence": "procedure_occurrence_id",
    "device_exposure": "device_exposure_id",
}


_START_COLUMNS = {
    "visit_occurrence": "visit_start_date",
    "condition_occurrence": "condition_start_date",
    "drug_exposure": "drug_exposure_start_date",
    "measurement": "measurement_date",
    "observation": "observation_date",
    "procedure_occurrence": "procedure_date",
    "device_exposure": "device_exposure_start_date",
}

_SRC_KEYS = np.array(sorted(CONDITION_SOURCE), dtype=np.int64)
_SRC_VALUES = np.array([CONDITION_SOURCE[k] for k in sorted(CONDITION_SOURCE)], dtype=np.int64)


def source_of(concepts: Array) -> Array:
    """The ICD-10-CM source concept of each standard condition concept (0 when none)."""
    if len(_SRC_KEYS) == 0:
        return np.zeros(len(concepts), dtype=np.int64)
    pos = np.clip(np.searchsorted(_SRC_KEYS, concepts), 0, len(_SRC_KEYS) - 1)
    return np.where(_SRC_KEYS[pos] == concepts, _SRC_VALUES[pos], 0)


def _vec(value: Any, n: int) -> Array:
    arr = np.asarray(value)
    return np.full(n, arr.item()) if arr.ndim == 0 else arr


class World:
    """Builders of one chunk; visit ids are handed out as visits are made."""

    def __init__(self, cohort: Cohort, first_visit_id: int) -> None:
        self.c = cohort
        self.rng = cohort.rng
        self.b = {table: Builder(table, col) for table, col in ID_COLUMNS.items()}
        self.next_visit = first_visit_id

    def pick(self, mask: Array) -> Array:
        """Indices of the persons where ``mask`` holds."""
        return np.flatnonzero(mask)

    def visits(self, idx: Array, start: Array, end: Array | None, concept: Any) -> Array:
        """Add visits for persons ``idx``; returns their visit_occurrence_ids."""
        n = len(idx)
        ids = np.arange(self.next_visit, self.next_visit + n, dtype=np.int64)
        self.next_visit += n
        self.b["visit_occurrence"].add(
            n,
            visit_occurrence_id=ids,
            person_id=self.c.pid[idx],
            visit_concept_id=_vec(concept, n),
            visit_start_date=start,
            visit_end_date=start if end is None else end,
            visit_type_concept_id=C.EHR,
        )
        return ids

    def conditions(
        self,
        idx: Array,
        concept: Any,
        start: Array,
        end: Array | None = None,
        visit: Array | None = None,
    ) -> None:
        n = len(idx)
        concepts = _vec(concept, n).astype(np.int64)
        self.b["condition_occurrence"].add(
            n,
            person_id=self.c.pid[idx],
            condition_concept_id=concepts,
            condition_start_date=start,
            condition_end_date=np.full(n, NULL) if end is None else end,
            condition_type_concept_id=C.EHR,
            visit_occurrence_id=visit,
            condition_source_concept_id=source_of(concepts),
        )

    def drugs(
        self,
        idx: Array,
        concept: Any,
        start: Array,
        end: Array,
        *,
        quantity: Array | None = None,
        days_supply: Array | None = None,
        route: Any = None,
        visit: Array | None = None,
    ) -> None:
        """Drug orders; orders starting after the end of a person's records are dropped."""
        n = len(idx)
        keep = np.asarray(start) <= self.c.end[idx]

        def kept(values: Any) -> Any:
            return None if values is None else _vec(values, n)[keep]

        self.b["drug_exposure"].add(
            int(keep.sum()),
            person_id=self.c.pid[idx][keep],
            drug_concept_id=kept(concept),
            drug_exposure_start_date=kept(start),
            drug_exposure_end_date=kept(end),
            drug_type_concept_id=C.EHR,
            quantity=kept(quantity),
            days_supply=kept(days_supply),
            route_concept_id=kept(route),
            visit_occurrence_id=kept(visit),
        )

    def measurements(
        self,
        idx: Array,
        concept: Any,
        day: Array,
        *,
        value: Array | None = None,
        unit: Any = None,
        low: Array | None = None,
        high: Array | None = None,
        value_concept: Array | None = None,
        visit: Array | None = None,
    ) -> None:
        n = len(idx)
        self.b["measurement"].add(
            n,
            person_id=self.c.pid[idx],
            measurement_concept_id=_vec(concept, n),
            measurement_date=day,
            measurement_type_concept_id=C.EHR,
            value_as_number=value,
            value_as_concept_id=value_concept,
            unit_concept_id=None if unit is None else _vec(unit, n),
            range_low=low,
            range_high=high,
            visit_occurrence_id=visit,
            measurement_source_concept_id=0,
        )

    def observations(
        self,
        idx: Array,
        concept: Any,
        day: Array,
        *,
        value: Array | None = None,
        unit: Any = None,
        source: Any = None,
        visit: Array | None = None,
    ) -> None:
        n = len(idx)
        self.b["observation"].add(
            n,
            person_id=self.c.pid[idx],
            observation_concept_id=_vec(concept, n),
            observation_date=day,
            observation_type_concept_id=C.EHR,
            value_as_number=value,
            unit_concept_id=None if unit is None else _vec(unit, n),
            observation_source_concept_id=0 if source is None else _vec(source, n),
            visit_occurrence_id=visit,
        )

    def procedures(
        self,
        idx: Array,
        concept: Any,
        day: Array,
        *,
        modifier: Array | None = None,
        visit: Array | None = None,
    ) -> None:
        n = len(idx)
        self.b["procedure_occurrence"].add(
            n,
            person_id=self.c.pid[idx],
            procedure_concept_id=_vec(concept, n),
            procedure_date=day,
            procedure_type_concept_id=C.EHR,
            modifier_concept_id=modifier,
            visit_occurrence_id=visit,
            procedure_source_concept_id=0,
        )

    def devices(self, idx: Array, concept: Any, start: Array) -> None:
        n = len(idx)
        self.b["device_exposure"].add(
            n,
            person_id=self.c.pid[idx],
            device_concept_id=_vec(concept, n),
            device_exposure_start_date=start,
            device_type_concept_id=C.EHR,
            device_source_concept_id=0,
        )

    def finish(self, first_ids: dict[str, int]) -> dict[str, Batch]:
        """Every table's finished batch, with person and observation-period rows.

        The observation period starts at the person's first record or earlier, so that no
        event falls outside it.
        """
        c = self.c
        batches = {
            t: b.finish(first_ids.get(t, 1))
            for t, b in self.b.items()
            if t not in ("person", "observation_period")
        }
        start = c.start.copy()
        for table, column in _START_COLUMNS.items():
            batch = batches[table]
            if batch.n:
                np.minimum.at(start, batch.cols["person_id"] - c.pid[0], batch.cols[column])
        born = c.birth.astype("datetime64[D]")
        years = born.astype("datetime64[Y]")
        months = born.astype("datetime64[M]")
        self.b["person"].add(
            c.n,
            person_id=c.pid,
            gender_concept_id=np.where(c.female, C.FEMALE, C.MALE),
            year_of_birth=years.astype(np.int64) + 1970,
            month_of_birth=months.astype(np.int64) % 12 + 1,
            day_of_birth=(born - months).astype(np.int64) + 1,
            birth_datetime=c.birth,
            race_concept_id=0,
            ethnicity_concept_id=0,
            gender_source_value=np.where(c.female, "F", "M").astype(object),
        )
        self.b["observation_period"].add(
            c.n,
            person_id=c.pid,
            observation_period_start_date=start,
            observation_period_end_date=c.end,
            period_type_concept_id=C.EHR,
        )
        for table in ("person", "observation_period"):
            batches[table] = self.b[table].finish(first_ids.get(table, 1))
        return {t: batches[t] for t in self.b}
