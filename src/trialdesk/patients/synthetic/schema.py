"""OMOP CDM v5.4 columns of the tables the generator writes.

From the OHDSI CommonDataModel field-level specification (``inst/csv/OMOP_CDMv5.4_Field_Level.csv``,
as in ``shared/data/omop-cdm-v54-spec``): every column of each table, in order, with its CDM
type and whether it is required (``!``). Types: ``i`` integer (int32), ``f`` float (float64),
``d`` date, ``t`` datetime, ``s`` varchar.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CLINICAL_TABLES", "TABLES", "Column", "columns"]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: str  # i, f, d, t, s
    required: bool


_SPEC: dict[str, str] = {
    "person": (
        "person_id:i! gender_concept_id:i! year_of_birth:i! month_of_birth:i day_of_birth:i "
        "birth_datetime:t race_concept_id:i! ethnicity_concept_id:i! location_id:i "
        "provider_id:i care_site_id:i person_source_value:s gender_source_value:s "
        "gender_source_concept_id:i race_source_value:s race_source_concept_id:i "
        "ethnicity_source_value:s ethnicity_source_concept_id:i"
    ),
    "observation_period": (
        "observation_period_id:i! person_id:i! observation_period_start_date:d! "
        "observation_period_end_date:d! period_type_concept_id:i!"
    ),
    "visit_occurrence": (
        "visit_occurrence_id:i! person_id:i! visit_concept_id:i! visit_start_date:d! "
        "visit_start_datetime:t visit_end_date:d! visit_end_datetime:t "
        "visit_type_concept_id:i! provider_id:i care_site_id:i visit_source_value:s "
        "visit_source_concept_id:i admitted_from_concept_id:i admitted_from_source_value:s "
        "discharged_to_concept_id:i discharged_to_source_value:s "
        "preceding_visit_occurrence_id:i"
    ),
    "condition_occurrence": (
        "condition_occurrence_id:i! person_id:i! condition_concept_id:i! "
        "condition_start_date:d! condition_start_datetime:t condition_end_date:d "
        "condition_end_datetime:t condition_type_concept_id:i! condition_status_concept_id:i "
        "stop_reason:s provider_id:i visit_occurrence_id:i visit_detail_id:i "
        "condition_source_value:s condition_source_concept_id:i "
        "condition_status_source_value:s"
    ),
    "drug_exposure": (
        "drug_exposure_id:i! person_id:i! drug_concept_id:i! drug_exposure_start_date:d! "
        "drug_exposure_start_datetime:t drug_exposure_end_date:d! "
        "drug_exposure_end_datetime:t verbatim_end_date:d drug_type_concept_id:i! "
        "stop_reason:s refills:i quantity:f days_supply:i sig:s route_concept_id:i "
        "lot_number:s provider_id:i visit_occurrence_id:i visit_detail_id:i "
        "drug_source_value:s drug_source_concept_id:i route_source_value:s "
        "dose_unit_source_value:s"
    ),
    "measurement": (
        "measurement_id:i! person_id:i! measurement_concept_id:i! measurement_date:d! "
        "measurement_datetime:t measurement_time:s measurement_type_concept_id:i! "
        "operator_concept_id:i value_as_number:f value_as_concept_id:i unit_concept_id:i "
        "range_low:f range_high:f provider_id:i visit_occurrence_id:i visit_detail_id:i "
        "measurement_source_value:s measurement_source_concept_id:i unit_source_value:s "
        "unit_source_concept_id:i value_source_value:s measurement_event_id:i "
        "meas_event_field_concept_id:i"
    ),
    "observation": (
        "observation_id:i! person_id:i! observation_concept_id:i! observation_date:d! "
        "observation_datetime:t observation_type_concept_id:i! value_as_number:f "
        "value_as_string:s value_as_concept_id:i qualifier_concept_id:i unit_concept_id:i "
        "provider_id:i visit_occurrence_id:i visit_detail_id:i observation_source_value:s "
        "observation_source_concept_id:i unit_source_value:s qualifier_source_value:s "
        "value_source_value:s observation_event_id:i obs_event_field_concept_id:i"
    ),
    "procedure_occurrence": (
        "procedure_occurrence_id:i! person_id:i! procedure_concept_id:i! procedure_date:d! "
        "procedure_datetime:t procedure_end_date:d procedure_end_datetime:t "
        "procedure_type_concept_id:i! modifier_concept_id:i quantity:i provider_id:i "
        "visit_occurrence_id:i visit_detail_id:i procedure_source_value:s "
        "procedure_source_concept_id:i modifier_source_value:s"
    ),
    "device_exposure": (
        "device_exposure_id:i! person_id:i! device_concept_id:i! "
        "device_exposure_start_date:d! device_exposure_start_datetime:t "
        "device_exposure_end_date:d device_exposure_end_datetime:t device_type_concept_id:i! "
        "unique_device_id:s production_id:s quantity:i provider_id:i visit_occurrence_id:i "
        "visit_detail_id:i device_source_value:s device_source_concept_id:i unit_concept_id:i "
        "unit_source_value:s unit_source_concept_id:i"
    ),
    "concept": (
        "concept_id:i! concept_name:s! domain_id:s! vocabulary_id:s! concept_class_id:s! "
        "standard_concept:s concept_code:s! valid_start_date:d! valid_end_date:d! "
        "invalid_reason:s"
    ),
    "concept_relationship": (
        "concept_id_1:i! concept_id_2:i! relationship_id:s! valid_start_date:d! "
        "valid_end_date:d! invalid_reason:s"
    ),
    "cdm_source": (
        "cdm_source_name:s! cdm_source_abbreviation:s! cdm_holder:s! source_description:s "
        "source_documentation_reference:s cdm_etl_reference:s source_release_date:d! "
        "cdm_release_date:d! cdm_version:s cdm_version_concept_id:i! vocabulary_version:s!"
    ),
    "vocabulary": (
        "vocabulary_id:s! vocabulary_name:s! vocabulary_reference:s vocabulary_version:s "
        "vocabulary_concept_id:i!"
    ),
}

TABLES: tuple[str, ...] = tuple(_SPEC)
#: Tables written chunk by chunk (one row set per person chunk); the rest are written once.
CLINICAL_TABLES: tuple[str, ...] = TABLES[:9]


def columns(table: str) -> tuple[Column, ...]:
    """The columns of one CDM table, in specification order."""
    out = []
    for item in _SPEC[table].split():
        name, _, kind = item.partition(":")
        out.append(Column(name, kind.rstrip("!"), kind.endswith("!")))
    return tuple(out)
