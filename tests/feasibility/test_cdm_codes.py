"""The coded keys a CDM uses, read once per table (feasibility/cdm_codes.py)."""

from __future__ import annotations

from datetime import date

from omopbuild import Cdm, standard_vocab
from trialdesk.criteria.sql.codes import concept_classes
from trialdesk.criteria.sql.facts import fact_sources
from trialdesk.feasibility.cdm_codes import CdmCodes, read_cdm_codes
from trialdesk.feasibility.sources import Source
from trialdesk.patients.omop import vocabulary_from

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

    def lab(concept: str, unit_concept: int, text: str | None) -> None:
        cdm.row(
            "measurement",
            person_id=1,
            measurement_concept_id=v[concept],
            measurement_date=DAY,
            value_as_number=1.0,
            unit_concept_id=unit_concept,
            unit_source_value=text,
        )

    for text in ("U/L", "IU/L", None):  # one UCUM unit concept, written three ways
        lab("alt", v["unit:U/L"], text)
    lab("creatinine", 0, "mg/dl")  # no unit concept: the text is what the adapter reads
    lab("wbc", v["positive"], "10*3/uL")  # a unit concept that is not UCUM: its text too
    cdm.row(
        "measurement",
        person_id=1,
        measurement_concept_id=v["hiv_test"],
        measurement_source_concept_id=v["hbsag"],  # a source concept of its own
        measurement_date=DAY,
        value_as_concept_id=v["negative"],
    )
    cdm.row(  # no concept, a source concept: kept, and not taken for a consent
        "observation",
        person_id=1,
        observation_concept_id=None,
        observation_source_concept_id=v["womac_pain"],
        observation_date=DAY,
        value_as_number=6.0,
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
        ("observation", v["hiv_test"], v["hbsag"], 0),
        ("observation", v["wbc"], 0, 0),
        ("observation", 0, v["womac_pain"], 0),
        ("medication", v["methotrexate"], 0, v["route:oral"]),
        ("immunization", v["cvx:mmr"], 0, v["route:oral"]),  # coded in CVX
        ("procedure", v["intra_articular_injection"], 0, v["side:left"]),
    }  # the research consent is not a clinical fact: no key


def test_a_ucum_unit_is_one_unit_row_whatever_the_source_wrote() -> None:
    cdm = _cdm()
    v = cdm.vocab
    with cdm.source() as source:
        codes = read_cdm_codes(source)
    alt, creatinine = ("observation", v["alt"], 0, 0), ("observation", v["creatinine"], 0, 0)
    wbc = ("observation", v["wbc"], 0, 0)
    assert (alt, v["unit:U/L"], "") in codes.unit_keys
    assert not any(k == alt and text for k, _, text in codes.unit_keys)
    assert (creatinine, 0, "mg/dl") in codes.unit_keys
    assert (wbc, v["positive"], "10*3/uL") in codes.unit_keys


def _facts_distinct(source: Source, codes: CdmCodes, columns: str) -> set[tuple[object, ...]]:
    """What the compiled query's fact rows carry: a DISTINCT over fact_sources' selects
    (of the tables that have a unit, when a unit is asked for)."""
    cvx, consent, ucum = concept_classes(codes.vocab)
    out: set[tuple[object, ...]] = set()
    for fact in fact_sources(consent, cvx, ucum):
        if "unit_cid" in columns and "unit_cid" not in fact.codes:
            continue
        sql = f"SELECT DISTINCT {columns} FROM ({fact.select.sql('duckdb')}) AS f"
        out |= {tuple(r.values()) for r in source.execute(sql, {}).to_pylist()}
    return out


def test_the_keys_are_exactly_those_of_the_rows_the_query_reads() -> None:
    """td_codes and td_units are joined on these keys: a row whose key was not read would
    silently match nothing."""
    with _cdm().source() as source:
        codes = read_cdm_codes(source)
        keys = _facts_distinct(source, codes, "kind, cid, sid, aux")
        units = _facts_distinct(source, codes, "kind, cid, sid, aux, unit_cid, unit_src")
    assert {tuple(k) for k in codes.keys} == keys
    assert {(*k, u, t) for k, u, t in codes.unit_keys} >= units


def test_coded_results_and_the_vocabulary_the_evaluator_reads() -> None:
    cdm = _cdm()
    v = cdm.vocab
    with cdm.source() as source:
        codes = read_cdm_codes(source)
        evaluator = vocabulary_from(source)
    assert codes.value_concepts == {v["negative"]}
    assert codes.vocab.concepts == evaluator.concepts
    assert dict(codes.vocab.mapped_from) == dict(evaluator.mapped_from)
    assert codes.vocab.mapped_from[v["rheumatoid_arthritis"]] == [v["icd:ra"]]
