"""The technical concepts of the synthetic CDM, registered once in :data:`VOCAB`.

Gender, visit, type, CDM-version and "Meas Value" concepts, laterality qualifiers, routes,
UCUM units, the research-consent concept, and one concept per vocabulary. The clinical codes
are in :mod:`.codes`, registered after these (so concept ids do not depend on import order).
"""

from __future__ import annotations

from trialdesk.patients.synthetic.concepts import VOCABULARIES, Vocab

__all__ = ["ENCOUNTER_CLASS", "RESULT_SNOMED", "UNIT", "VOCAB", "VOCABULARY_CONCEPT", "C"]

VOCAB = Vocab()
_v = VOCAB


class C:
    """Concept ids by role (filled in below)."""

    # fixed OMOP ids
    NONE = _v.add(
        "None",
        "No matching concept",
        "No matching concept",
        "Metadata",
        "Undefined",
        standard=False,
        fixed_id=0,
    )
    MALE = _v.add("Gender", "M", "MALE", "Gender", "Gender", fixed_id=8507)
    FEMALE = _v.add("Gender", "F", "FEMALE", "Gender", "Gender", fixed_id=8532)
    INPATIENT = _v.add("Visit", "IP", "Inpatient Visit", "Visit", "Visit", fixed_id=9201)
    OUTPATIENT = _v.add("Visit", "OP", "Outpatient Visit", "Visit", "Visit", fixed_id=9202)
    EMERGENCY = _v.add("Visit", "ER", "Emergency Room Visit", "Visit", "Visit", fixed_id=9203)
    ER_INPATIENT = _v.add(
        "Visit", "ERIP", "Emergency Room and Inpatient Visit", "Visit", "Visit", fixed_id=262
    )
    EHR = _v.add(
        "Type Concept", "OMOP4976890", "EHR", "Type Concept", "Type Concept", fixed_id=32817
    )
    CDM_54 = _v.add(
        "CDM", "CDM v5.4.0", "OMOP CDM Version 5.4.0", "Metadata", "CDM", fixed_id=756265
    )

    # results of qualitative tests (read by their names: docs/omop.md)
    POSITIVE = _v.add("Meas Value", "Positive", "Positive", "Meas Value", "Meas Value")
    NEGATIVE = _v.add("Meas Value", "Negative", "Negative", "Meas Value", "Meas Value")
    NORMAL = _v.add("Meas Value", "Normal", "Normal", "Meas Value", "Meas Value")
    ABNORMAL = _v.add("Meas Value", "Abnormal", "Abnormal", "Meas Value", "Meas Value")

    # laterality qualifiers (procedure modifier_concept_id), SNOMED CT
    LEFT = _v.add("SNOMED", "7771000", "Left", "Observation", "Qualifier Value")
    RIGHT = _v.add("SNOMED", "24028007", "Right", "Observation", "Qualifier Value")
    BOTH = _v.add("SNOMED", "51440002", "Right and left", "Observation", "Qualifier Value")

    # routes of administration, SNOMED CT (FHIR R4 route-codes)
    ORAL = _v.add("SNOMED", "26643006", "Oral route", "Route", "Qualifier Value")
    IV = _v.add("SNOMED", "47625008", "Intravenous route", "Route", "Qualifier Value")
    IM = _v.add("SNOMED", "78421000", "Intramuscular route", "Route", "Qualifier Value")
    SC = _v.add("SNOMED", "34206005", "Subcutaneous route", "Route", "Qualifier Value")

    # research consent: the FHIR Consent.scope code, and LOINC 59284-0 (Consent.category)
    CONSENT_RESEARCH = _v.add(
        "HL7 consentscope", "research", "Research", "Observation", "Consent Scope"
    )
    CONSENT_DOCUMENT = _v.add(
        "LOINC", "59284-0", "Patient Consent", "Observation", "Clinical Observation", standard=False
    )


#: FHIR R4 Encounter.class (HL7 v3 ActCode) per visit concept.
ENCOUNTER_CLASS: dict[int, tuple[str, str]] = {
    C.INPATIENT: ("IMP", "inpatient encounter"),
    C.ER_INPATIENT: ("IMP", "inpatient encounter"),
    C.OUTPATIENT: ("AMB", "ambulatory"),
    C.EMERGENCY: ("EMER", "emergency"),
}

#: The SNOMED CT qualifier value FHIR sends for each coded result (same display words).
RESULT_SNOMED: dict[int, tuple[str, str]] = {
    C.POSITIVE: ("10828004", "Positive"),
    C.NEGATIVE: ("260385009", "Negative"),
    C.NORMAL: ("17621005", "Normal"),
    C.ABNORMAL: ("263654008", "Abnormal"),
}

# UCUM units: OMOP concept ids where the OMOP vocabulary has them (Synthea27Nj subset).
_UCUM_IDS = {
    "kg": 9529,
    "[in_i]": 9327,
    "cm": 8582,
    "g/dL": 8713,
    "g/L": 8636,
    "kg/m2": 9531,
    "{tbl}": 9431,
    "%": 8554,
    "10*3/uL": 8848,
    "10*9/L": 9444,
    "mg/dL": 8840,
    "mg/L": 8751,
    "mm/h": 8752,
    "mm[Hg]": 8876,
    "mmol/L": 8753,
    "umol/L": 8749,
}
_UCUM_NAMES = {
    "kg": "kilogram",
    "[lb_av]": "pound (US and British)",
    "[in_i]": "inch (international)",
    "cm": "centimeter",
    "g/dL": "gram per deciliter",
    "g/L": "gram per liter",
    "kg/m2": "kilogram per square meter",
    "{tbl}": "tablet",
    "%": "percent",
    "10*3/uL": "thousand per microliter",
    "10*9/L": "billion per liter",
    "mg/dL": "milligram per deciliter",
    "mg/L": "milligram per liter",
    "mm/h": "millimeter per hour",
    "mm[Hg]": "millimeter mercury column",
    "mmol/L": "millimole per liter",
    "umol/L": "micromole per liter",
    "U/L": "unit per liter",
    "[IU]/mL": "international unit per milliliter",
    "U/mL": "unit per milliliter",
    "{score}": "score",
    "1": "no unit",
}
UNIT: dict[str, int] = {
    code: _v.add("UCUM", code, name, "Unit", "Unit", fixed_id=_UCUM_IDS.get(code))
    for code, name in _UCUM_NAMES.items()
}


#: The concept of each vocabulary (vocabulary.vocabulary_concept_id).
VOCABULARY_CONCEPT: dict[str, int] = {
    vid: _v.add("Vocabulary", vid, name, "Metadata", "Vocabulary")
    for vid, (name, _) in VOCABULARIES.items()
}
