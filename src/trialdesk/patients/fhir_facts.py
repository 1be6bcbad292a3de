"""FHIR R4 resources -> Facts: which resource types are mapped, and by which mapper.

One mapper per resource type, grouped by family: :mod:`~trialdesk.patients.fhir_clinical`
(conditions, allergies, observations, procedures, devices, encounters),
:mod:`~trialdesk.patients.fhir_medication` (medicines, vaccines) and
:mod:`~trialdesk.patients.fhir_admin` (consent, study enrolment). A mapper returns the facts a
resource gives (none when its status says it did not happen or was entered in error) and never
raises for odd content: wrong types count as absent, and an unparseable date leaves ``start``
None with a ``problems`` entry that names the field and the value.
"""

from __future__ import annotations

from trialdesk.patients.fhir_admin import consent_facts, research_subject_facts
from trialdesk.patients.fhir_clinical import (
    allergy_facts,
    condition_facts,
    device_facts,
    device_use_facts,
    diagnostic_report_facts,
    encounter_facts,
    observation_facts,
    procedure_facts,
)
from trialdesk.patients.fhir_medication import immunization_facts, medication_facts
from trialdesk.patients.fhir_shared import Mapper

__all__ = ["DIRECTORY_TYPES", "MAPPERS", "SUBJECT_FIELD"]

#: Where each mapped resource type names its patient (FHIR R4).
SUBJECT_FIELD: dict[str, str] = {
    "AllergyIntolerance": "patient",
    "Condition": "subject",
    "Consent": "patient",
    "Device": "patient",  # optional: a Device without a patient is not about anyone
    "DeviceUseStatement": "subject",
    "DiagnosticReport": "subject",
    "Encounter": "subject",
    "Immunization": "patient",
    "MedicationAdministration": "subject",
    "MedicationDispense": "subject",
    "MedicationRequest": "subject",
    "MedicationStatement": "subject",
    "Observation": "subject",
    "Procedure": "subject",
    "ResearchSubject": "individual",
}

#: Resources about no patient: a file holding only these is not missing its Patient.
DIRECTORY_TYPES = frozenset(
    {
        "Organization",
        "Practitioner",
        "PractitionerRole",
        "Location",
        "HealthcareService",
        "Endpoint",
        "Medication",
        "Substance",
        "ResearchStudy",
        "OperationOutcome",
    }
)

MAPPERS: dict[str, Mapper] = {
    "AllergyIntolerance": allergy_facts,
    "Condition": condition_facts,
    "Consent": consent_facts,
    "Device": device_facts,
    "DeviceUseStatement": device_use_facts,
    "DiagnosticReport": diagnostic_report_facts,
    "Encounter": encounter_facts,
    "Immunization": immunization_facts,
    "MedicationAdministration": medication_facts,
    "MedicationDispense": medication_facts,
    "MedicationRequest": medication_facts,
    "MedicationStatement": medication_facts,
    "Observation": observation_facts,
    "Procedure": procedure_facts,
    "ResearchSubject": research_subject_facts,
}
