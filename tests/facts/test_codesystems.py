"""The code-system table (facts/code_systems.yaml): one row per system, read by the value
sets, the FHIR and OMOP adapters and the side reader alike."""

from __future__ import annotations

import pytest

from trialdesk.clinical.valueset_files import bundled_valuesets
from trialdesk.facts.codesystems import (
    DOTTED,
    OMOP_VOCABULARIES,
    SYSTEMS,
    TERMINOLOGY,
    canonical_uri,
    spellings,
)
from trialdesk.patients.fhir_types import coding


@pytest.mark.parametrize(
    ("spelling", "uri"),
    [
        ("urn:oid:2.16.840.1.113883.6.1", SYSTEMS["loinc"]),
        ("urn:oid:2.16.840.1.113883.6.96", SYSTEMS["snomed"]),
        ("http://snomed.info/sct/", SYSTEMS["snomed"]),
        ("urn:oid:2.16.840.1.113883.6.90", SYSTEMS["icd10cm"]),
        ("urn:oid:2.16.840.1.113883.6.8", SYSTEMS["ucum"]),
        ("http://example.org/local", "http://example.org/local"),
    ],
)
def test_every_spelling_reads_as_the_canonical_uri(spelling: str, uri: str) -> None:
    assert canonical_uri(spelling) == uri
    # the FHIR adapter and the value sets read the same table
    read = coding({"system": spelling, "code": "x"})
    assert read is not None and read.system == uri


def test_the_table_covers_every_bundled_value_set_and_omop_vocabulary() -> None:
    known = set(SYSTEMS.values())
    for vs in bundled_valuesets().values():
        assert {e.system for e in vs.entries} <= known, vs.name
    assert OMOP_VOCABULARIES["SNOMED"] == SYSTEMS["snomed"]
    assert OMOP_VOCABULARIES["RxNorm Extension"] == SYSTEMS["rxnorm"]
    assert OMOP_VOCABULARIES["HL7 consentscope"] == TERMINOLOGY["consentscope"]
    assert SYSTEMS["icd10cm"] in DOTTED and SYSTEMS["loinc"] not in DOTTED
    assert spellings("snomed") == {
        "http://snomed.info/sct",
        "http://snomed.info/sct/",
        "urn:oid:2.16.840.1.113883.6.96",
    }
