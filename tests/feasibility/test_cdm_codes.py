"""The coded keys a CDM uses, read once per table (feasibility/cdm_codes.py)."""

from __future__ import annotations

from datetime import date

from omopbuild import Cdm, standard_vocab
from trialdesk.feasibility.cdm_codes import read_cdm_codes

DAY = date(2026, 3, 1)


def _cdm() -> Cdm:
    vocab = standard_vocab()
    vocab.add("cvx:mmr", "CVX", "03", "MMR")
    vocab.add("icd:ra", "ICD10CM", "M05.79", "Rheumatoid arthritis with rheumatoid factor")
    cdm = Cdm(vocab)
    cdm.person(1, date(1970, 1, 1), "female")
    v = cdm.vocab
    cdm.row(
        "concept_relationship",
        concept_id_1=v["icd:ra"],
        concept_id_2=v["rheumatoid_arthritis"],
        relationship_id="Maps to",
    )
    cdm.row(
        "condition_occurrence",
        person_id=1,
        condition_concept_id=v["rheumatoid_arthritis"],
        condition_source_concept_id=None,
        condition_start_date=DAY,
    )
    for text in ("U/L", "IU/L", None):  # one UCUM unit concept, written three ways
        cdm.row(
            "measurement",
            person_id=1,
            measurement_concept_id=v["alt"],
            measurement_source_concept_id=0,
            measurement_date=DAY,
            value_as_number=30.0,
            unit_concept_id=v["unit:U/L"],
            unit_source_value=text,
        )
    cdm.row(  # no unit concept: the text is what the adapter reads
        "measurement",
        person_id=1,
        measurement_concept_id=v["creatinine"],
        measurement_source_concept_id=0,
        measurement_date=DAY,
        value_as_number=1.1,
        unit_concept_id=0,
        unit_source_value="mg/dl",
    )
    cdm.row(
        "measurement",
        person_id=1,
        measurement_concept_id=v["hiv_test"],
        measurement_date=DAY,
        value_as_concept_id=v["negative"],
    )
    cdm.row("observation", person_id=1, observation_concept_id=v["consent"], observation_date=DAY)
    for drug in ("methotrexate", "cvx:mmr"):
        cdm.row(
            "drug_exposure",
            person_id=1,
            drug_concept_id=v[drug],
            drug_exposure_start_date=DAY,
            route_concept_id=v["route:oral"],
        )
    cdm.row(
        "procedure_occurrence",
        person_id=1,
        procedure_concept_id=v["intra_articular_injection"],
        procedure_date=DAY,
        modifier_concept_id=v["side:left"],
    )
    return cdm


def test_every_table_gives_its_keys_with_kind_and_auxiliary() -> None:
    cdm = _cdm()
    v = cdm.vocab
    with cdm.source() as source:
        codes = read_cdm_codes(source)
    assert codes.keys == {
        ("condition", v["rheumatoid_arthritis"], 0, 0),  # a missing source concept reads 0
        ("observation", v["alt"], 0, 0),
        ("observation", v["creatinine"], 0, 0),
        ("observation", v["hiv_test"], 0, 0),
        ("medication", v["methotrexate"], 0, v["route:oral"]),
        ("immunization", v["cvx:mmr"], 0, v["route:oral"]),  # coded in CVX
        ("procedure", v["intra_articular_injection"], 0, v["side:left"]),
    }  # the research consent is not a clinical fact: no key


def test_a_ucum_unit_is_one_unit_row_whatever_the_source_wrote() -> None:
    cdm = _cdm()
    v = cdm.vocab
    with cdm.source() as source:
        codes = read_cdm_codes(source)
    assert codes.unit_keys == {
        (("observation", v["alt"], 0, 0), v["unit:U/L"], ""),
        (("observation", v["creatinine"], 0, 0), 0, "mg/dl"),
        (("observation", v["hiv_test"], 0, 0), 0, ""),
    }


def test_coded_results_and_the_vocabulary_with_mapped_source_concepts() -> None:
    cdm = _cdm()
    v = cdm.vocab
    with cdm.source() as source:
        codes = read_cdm_codes(source)
    assert codes.value_concepts == {v["negative"]}
    assert v["icd:ra"] in codes.vocab.concepts  # maps to a concept the data uses
    assert codes.vocab.mapped_from[v["rheumatoid_arthritis"]] == [v["icd:ra"]]
    assert {v["unit:U/L"], v["route:oral"], v["side:left"]} <= set(codes.vocab.concepts)
