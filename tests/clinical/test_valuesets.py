"""Value sets: the bundled files, the loader's errors, and matching on real Synthea codes."""

from __future__ import annotations

import json
import re
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from trialdesk.clinical.valueset_files import bundled_valuesets, load_valuesets
from trialdesk.clinical.valuesets import KINDS, CodeInfo, ValueSet
from trialdesk.errors import StudyError
from trialdesk.facts.codesystems import SYSTEMS
from trialdesk.facts.record import Coding

BUNDLED_DIR = Path(__file__).resolve().parents[2] / "src" / "trialdesk" / "clinical" / "valuesets"
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "synthea-fhir-r4"
RA_PATIENTS = SHARED_DATA / "rheumatoid_arthritis_patients"
BUNDLES_TARBALL = SHARED_DATA / "R4_SYNTHEA_617_bundles.tar.xz"

LOINC = SYSTEMS["loinc"]
SNOMED = SYSTEMS["snomed"]
RXNORM = SYSTEMS["rxnorm"]
ICD10CM = SYSTEMS["icd10cm"]
ICD10 = SYSTEMS["icd10"]
CVX = SYSTEMS["cvx"]

# the value sets the eligibility engine is written against
REQUIRED = re.findall(
    r"\w+",
    """
alt ast creatinine hemoglobin wbc neutrophils_absolute lymphocytes_absolute platelets crp esr
rheumatoid_factor anti_ccp hiv_test hbsag hcv_antibody hcv_rna syphilis_test tb_test
pregnancy_test body_weight body_height bmi systolic_bp diastolic_bp bp_panel womac_pain
knee_ultrasound_synovitis rheumatoid_arthritis other_immune_mediated hiv_infection hepatitis_b
hepatitis_c syphilis tuberculosis_active tuberculosis_history coagulation_disorder
serious_infection knee_infection knee_injury psychiatric_disorder malignancy skin_bcc_scc
metastatic_disease pregnancy lactation cardiovascular_disorder renal_disorder hepatic_disorder
endocrine_disorder diabetes_uncontrolled substance_abuse neuro_pain_disorder methotrexate csdmard
systemic_corticosteroid parenteral_anti_infective anti_infective tb_treatment biologic_or_tsdmard
live_vaccine inactivated_vaccine intra_articular_injection knee_surgery mri_contraindicated_device
""",
)


@pytest.fixture(scope="module")
def sets() -> dict[str, ValueSet]:
    return bundled_valuesets()


def write(tmp_path: Path, text: str, name: str = "sets.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- bundled data


@pytest.mark.parametrize("path", sorted(BUNDLED_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_bundled_file_loads_on_its_own(path: Path) -> None:
    loaded = load_valuesets(path)
    assert loaded, f"{path.name} defines no value set"
    assert path.read_text(encoding="utf-8").startswith("#"), "each file opens with its sources"
    assert "SOURCES" in path.read_text(encoding="utf-8")


def test_bundled_sets_have_unique_names_and_cover_the_engine(sets: dict[str, ValueSet]) -> None:
    per_file = [load_valuesets(p) for p in sorted(BUNDLED_DIR.glob("*.yaml"))]
    names = [name for loaded in per_file for name in loaded]
    assert len(names) == len(set(names)) == len(sets)
    assert set(REQUIRED) <= set(sets)
    assert bundled_valuesets() is sets  # cached


def test_every_bundled_code_is_well_formed(sets: dict[str, ValueSet]) -> None:
    known = set(SYSTEMS.values())
    for vs in sets.values():
        assert vs.kind in KINDS
        assert vs.sources
        assert vs.entries
        for entry in vs.entries:
            assert entry.system in known, (vs.name, entry)
            assert entry.code == entry.code.strip() and entry.code, (vs.name, entry)
            if entry.system == LOINC:
                assert re.fullmatch(r"\d{1,7}-\d", entry.code), (vs.name, entry.code)
            if entry.system in (SNOMED, RXNORM, CVX):
                assert entry.code.isdigit(), (vs.name, entry.code)
            if entry.system in (ICD10CM, ICD10):
                assert re.fullmatch(r"[A-Z][0-9A-Z.]{0,7}", entry.code), (vs.name, entry.code)


def test_quantity_sets_carry_a_ucum_unit(sets: dict[str, ValueSet]) -> None:
    expected = {
        "alt": "U/L",
        "ast": "U/L",
        "creatinine": "mg/dL",
        "hemoglobin": "g/dL",
        "platelets": "10*3/uL",
        "crp": "mg/L",
        "body_weight": "kg",
        "body_height": "cm",
        "bmi": "kg/m2",
        "systolic_bp": "mm[Hg]",
        "diastolic_bp": "mm[Hg]",
    }
    assert {name: sets[name].unit for name in expected} == expected
    assert all(vs.unit is None for vs in sets.values() if vs.kind not in {"lab", "vital", "score"})


# --------------------------------------------------------------------------- matching


@pytest.mark.parametrize(
    ("name", "coding"),
    [
        ("alt", Coding(LOINC, "1742-6")),
        ("creatinine", Coding(LOINC, "38483-4")),
        ("creatinine", Coding(LOINC, "14682-9")),  # µmol/L, converted by the caller
        ("rheumatoid_arthritis", Coding(SNOMED, "69896004")),
        ("methotrexate", Coding(RXNORM, "105586")),
        ("live_vaccine", Coding(CVX, "03")),
        ("live_vaccine", Coding(CVX, "3")),  # CVX without its leading zero
        ("live_vaccine", Coding("urn:oid:2.16.840.1.113883.12.292", "21")),  # CVX by OID
        ("pregnancy", Coding(ICD10CM, "Z33.1")),
        ("pregnancy", Coding(ICD10CM, "Z331")),
    ],
)
def test_exact_code_matches_with_code_confidence(
    sets: dict[str, ValueSet], name: str, coding: Coding
) -> None:
    match = sets[name].match([coding])
    assert match is not None
    assert match.confidence == "code"
    assert match.coding == coding


@pytest.mark.parametrize(
    ("name", "system", "code"),
    [
        ("rheumatoid_arthritis", ICD10CM, "M05.79"),
        ("rheumatoid_arthritis", ICD10CM, "M0579"),
        ("rheumatoid_arthritis", ICD10, "M06.9"),
        ("rheumatoid_arthritis", ICD10, "M06.900"),  # Chinese clinical extension of WHO ICD-10
        ("malignancy", ICD10CM, "C50.911"),
        ("skin_bcc_scc", ICD10CM, "C44.311"),
        ("skin_bcc_scc", ICD10CM, "C44.92"),
        ("knee_infection", ICD10CM, "M00.062"),
        ("systemic_corticosteroid", SYSTEMS["atc"], "H02AB06"),
    ],
)
def test_prefix_entries_match_dot_insensitively(
    sets: dict[str, ValueSet], name: str, system: str, code: str
) -> None:
    match = sets[name].match([Coding(system, code)])
    assert match is not None and match.confidence == "code"


@pytest.mark.parametrize(
    ("name", "system", "code"),
    [
        ("rheumatoid_arthritis", ICD10CM, "M06.1"),  # adult-onset Still disease
        ("rheumatoid_arthritis", ICD10CM, "M06.4"),  # inflammatory polyarthropathy
        ("rheumatoid_arthritis", ICD10CM, "M0"),  # shorter than the prefix
        ("skin_bcc_scc", ICD10CM, "C44.39"),  # other malignant neoplasm of skin, face
        ("malignancy", ICD10CM, "D05.10"),  # carcinoma in situ
        ("creatinine", LOINC, "2161-8"),  # urine creatinine
    ],
)
def test_near_misses_do_not_match(
    sets: dict[str, ValueSet], name: str, system: str, code: str
) -> None:
    assert sets[name].match([Coding(system, code)]) is None


def test_a_code_from_another_system_does_not_match(sets: dict[str, ValueSet]) -> None:
    # 69896004 is RA in SNOMED CT; the same digits in LOINC or RxNorm mean nothing here
    assert sets["rheumatoid_arthritis"].match([Coding(LOINC, "69896004")]) is None
    assert sets["rheumatoid_arthritis"].match([Coding(RXNORM, "69896004")]) is None
    # an ICD-10-CM prefix is not an ICD-10 (WHO) prefix: C44.x1 exists only in CM
    assert sets["skin_bcc_scc"].codes_for(ICD10) == frozenset()
    assert sets["alt"].match([Coding(SNOMED, "1742-6")]) is None


def test_exact_match_wins_over_prefix_and_text(sets: dict[str, ValueSet]) -> None:
    codings = [
        Coding(ICD10CM, "M06.9", "Rheumatoid arthritis, unspecified"),
        Coding(SNOMED, "69896004", "Rheumatoid arthritis"),
    ]
    match = sets["rheumatoid_arthritis"].match(codings)
    assert match is not None and match.coding.code == "69896004"


def test_text_only_match_is_low_confidence(sets: dict[str, ValueSet]) -> None:
    local = Coding("http://hospital.example/lab", "ALT01", "Alanine aminotransferase, serum")
    match = sets["alt"].match([local])
    assert match is not None
    assert match.confidence == "text"
    assert match.coding == local

    match = sets["methotrexate"].match([], text="甲氨蝶呤片 2.5mg")
    assert match is not None and match.confidence == "text"
    assert match.coding.display == "甲氨蝶呤片 2.5mg" and match.coding.code == ""


def test_text_is_whole_word_and_honours_exclusions(sets: dict[str, ValueSet]) -> None:
    assert sets["alt"].match([], text="low salt diet") is None
    assert sets["creatinine"].match([], text="Microalbumin Creatinine Ratio") is None
    assert sets["creatinine"].match([], text="Creatinine") is not None
    assert sets["neutrophils_absolute"].match([], text="Neutrophils/100 leukocytes") is None
    assert sets["systemic_corticosteroid"].match([], text="hydrocortisone 1% cream") is None


def test_text_is_ignored_when_a_coding_matched(sets: dict[str, ValueSet]) -> None:
    match = sets["alt"].match([Coding(LOINC, "1742-6", "ALT")], text="ALT")
    assert match is not None and match.confidence == "code"


def test_drug_codes_carry_ingredient_strength_route(sets: dict[str, ValueSet]) -> None:
    match = sets["methotrexate"].match([Coding(RXNORM, "105586", "Methotrexate 10 MG Oral Tablet")])
    assert match is not None
    assert match.info == CodeInfo(ingredient="methotrexate", strength_mg=10.0, route="oral")
    pred = sets["systemic_corticosteroid"].match([Coding(RXNORM, "312617")])
    assert pred is not None and pred.info == CodeInfo("prednisone", 5.0, "oral")
    ingredient = sets["systemic_corticosteroid"].match([Coding(RXNORM, "8640")])
    assert ingredient is not None and ingredient.info == CodeInfo("prednisone", None, None)


def test_route_splits_systemic_from_local_steroids(sets: dict[str, ValueSet]) -> None:
    cream = Coding(RXNORM, "106258", "Hydrocortisone 10 MG/ML Topical Cream")
    inhaler = Coding(RXNORM, "895994", "Fluticasone propionate Metered Dose Inhaler")
    for coding in (cream, inhaler):
        assert sets["systemic_corticosteroid"].match([coding]) is None
        assert sets["non_systemic_corticosteroid"].match([coding]) is not None


def test_live_and_inactivated_vaccines_do_not_overlap(sets: dict[str, ValueSet]) -> None:
    live = sets["live_vaccine"].codes_for(CVX)
    assert live.isdisjoint(sets["inactivated_vaccine"].codes_for(CVX))
    assert sets["live_virus_vaccine"].codes_for(CVX) < live
    assert {"03", "21", "121", "19", "25"} <= live
    assert "187" not in live  # recombinant zoster (Shingrix) is not live


def test_codes_for_and_prefixes_for(sets: dict[str, ValueSet]) -> None:
    ra = sets["rheumatoid_arthritis"]
    assert "69896004" in ra.codes_for(SNOMED)
    assert ra.prefixes_for(SNOMED) == ()
    assert "M05" in ra.prefixes_for(ICD10CM) and "M06.9" in ra.prefixes_for(ICD10)
    assert "M06.1" not in ra.prefixes_for(ICD10CM)
    assert sets["creatinine"].codes_for(LOINC) >= {"2160-0", "38483-4", "14682-9"}


# --------------------------------------------------------------------------- loading errors


GOOD = """
valuesets:
  demo:
    title: Demo
    kind: lab
    unit: U/L
    sources: ["test"]
    codes:
      - {system: loinc, code: "1742-6"}
"""


def test_load_reads_files_and_folders(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD.replace("demo:", "other:"), "b.yml")
    assert set(load_valuesets(tmp_path)) == {"demo", "other"}
    extra = write(tmp_path / "..", GOOD.replace("demo:", "third:"), "extra.yaml")
    assert set(load_valuesets(tmp_path, extra)) == {"demo", "other", "third"}


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (GOOD.replace("system: loinc", "system: lonic"), "valuesets.demo.codes[0].system", "lonic"),
        (GOOD.replace('code: "1742-6"', "code: 1742"), "valuesets.demo.codes[0].code", "quoted"),
        (GOOD.split("    codes:")[0], "valuesets.demo.codes", "codes"),
        (
            GOOD.replace("    codes:\n", "    codes: []\n").split("      - ")[0],
            "valuesets.demo.codes",
            "codes",
        ),
        (GOOD.replace("kind: lab", "kind: labs"), "valuesets.demo.kind", "kind"),
        (GOOD.replace('sources: ["test"]', "sources: []"), "valuesets.demo.sources", "sources"),
        (GOOD.replace("title: Demo", "titel: Demo"), "valuesets.demo.titel", "titel"),
        (GOOD.replace("kind: lab", "kind: condition"), "valuesets.demo.unit", "unit"),
        (GOOD.replace("demo:", "Demo-Set:"), "valuesets.Demo-Set", "snake_case"),
        (GOOD + '      - {system: loinc, code: "1742-6"}\n', "valuesets.demo.codes[1]", "twice"),
        (
            GOOD.replace('"1742-6"}', '"1742-6", strength_mg: ten}'),
            "valuesets.demo.codes[0].strength_mg",
            "number",
        ),
        ("valuesets: [1, 2]\n", "valuesets", "mapping"),
    ],
)
def test_bad_file_names_file_set_and_field(
    tmp_path: Path, text: str, field: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(StudyError) as caught:
        load_valuesets(path)
    error = caught.value
    assert error.file == str(path)
    assert error.field == field
    assert message in error.message
    assert str(path) in str(error) and field in str(error)


def test_bad_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "valuesets:\n  demo: {title: [unclosed\n")
    with pytest.raises(StudyError) as caught:
        load_valuesets(path)
    assert caught.value.file == str(path)
    assert "YAML" in caught.value.message
    assert caught.value.line is not None


def test_duplicate_name_across_files_is_an_error(tmp_path: Path) -> None:
    first = write(tmp_path, GOOD, "a.yaml")
    second = write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(StudyError) as caught:
        load_valuesets(tmp_path)
    assert caught.value.file == str(second)
    assert caught.value.field == "valuesets.demo"
    assert str(first) in caught.value.message


def test_duplicate_of_a_bundled_name_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("demo:", "alt:"))
    with pytest.raises(StudyError, match="already defined"):
        load_valuesets(BUNDLED_DIR, path)


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StudyError) as caught:
        load_valuesets(tmp_path / "nope.yaml")
    assert caught.value.file == str(tmp_path / "nope.yaml")


# --------------------------------------------------------------------------- real Synthea data


def _codings(concept: object) -> list[Coding]:
    if not isinstance(concept, dict):
        return []
    return [
        Coding(c.get("system", ""), c.get("code", ""), c.get("display"))
        for c in concept.get("coding", [])
        if isinstance(c, dict) and c.get("code")
    ]


def _resources(bundle: dict[str, object]) -> Iterator[dict[str, object]]:
    entries = bundle.get("entry", [])
    assert isinstance(entries, list)
    for entry in entries:
        resource = entry.get("resource", {}) if isinstance(entry, dict) else {}
        if isinstance(resource, dict):
            yield resource


@pytest.mark.skipif(
    not RA_PATIENTS.is_dir(), reason=f"Synthea RA patients not present at {RA_PATIENTS}"
)
def test_codes_the_synthea_ra_patients_send_are_matched(sets: dict[str, ValueSet]) -> None:
    wanted = {
        ("Condition", "code", "rheumatoid arthritis"): "rheumatoid_arthritis",
        ("MedicationRequest", "medicationCodeableConcept", "methotrexate"): "methotrexate",
        ("Observation", "code", "creatinine"): "creatinine",
    }
    seen = dict.fromkeys(wanted.values(), 0)
    files = sorted(RA_PATIENTS.glob("*.json"))
    assert files
    for path in files:
        for resource in _resources(json.loads(path.read_text(encoding="utf-8"))):
            for (rtype, key, word), name in wanted.items():
                if resource.get("resourceType") != rtype:
                    continue
                codings = _codings(resource.get(key))
                if not any(
                    word == (c.display or "").lower() or f"{word} " in (c.display or "").lower()
                    for c in codings
                ):
                    continue
                match = sets[name].match(codings)
                assert match is not None and match.confidence == "code", (path.name, codings)
                seen[name] += 1
    assert all(seen.values()), seen


# display words of the Observation codes whose coverage is checked, per value set
COVERAGE = {
    "alt": re.compile(r"^alanine aminotransferase", re.I),
    "ast": re.compile(r"^aspartate aminotransferase", re.I),
    "creatinine": re.compile(r"^creatinine( \[|$)", re.I),
    "body_weight": re.compile(r"^body weight$", re.I),
    "body_height": re.compile(r"^body height$", re.I),
    "bmi": re.compile(r"^body mass index$", re.I),
    "bp_panel": re.compile(r"^blood pressure", re.I),
    "systolic_bp": re.compile(r"^systolic blood pressure", re.I),
    "diastolic_bp": re.compile(r"^diastolic blood pressure", re.I),
}


@pytest.mark.skipif(
    not BUNDLES_TARBALL.is_file(), reason=f"Synthea tarball not present at {BUNDLES_TARBALL}"
)
def test_all_synthea_observation_codes_for_core_labs_and_vitals_are_covered(
    sets: dict[str, ValueSet],
) -> None:
    """Reads all 617 bundles (a few seconds): every LOINC code they use for these is covered."""
    found: dict[str, set[str]] = {name: set() for name in COVERAGE}
    with tarfile.open(BUNDLES_TARBALL, "r:xz") as archive:
        for member in archive:
            handle = archive.extractfile(member) if member.isfile() else None
            if handle is None or not member.name.endswith(".json"):
                continue
            for resource in _resources(json.load(handle)):
                if resource.get("resourceType") != "Observation":
                    continue
                concepts = [resource.get("code")]
                components = resource.get("component", [])
                if isinstance(components, list):
                    concepts += [c.get("code") for c in components if isinstance(c, dict)]
                for concept in concepts:
                    for coding in _codings(concept):
                        if coding.system != LOINC:
                            continue
                        display = (coding.display or "").replace("\u200b", "")
                        for name, pattern in COVERAGE.items():
                            if pattern.search(display):
                                found[name].add(coding.code)
    assert all(found.values()), found
    missing = {name: sorted(codes - sets[name].codes_for(LOINC)) for name, codes in found.items()}
    assert not any(missing.values()), missing
