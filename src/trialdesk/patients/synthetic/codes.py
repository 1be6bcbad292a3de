"""The clinical codes the synthetic population uses (conditions, tests, drugs, vaccines,
procedures, devices), registered in :data:`~.catalog.VOCAB` after the technical concepts.

Codes that criteria look for come from trialdesk's value sets (``clinical/valuesets/*.yaml``,
so that the default study's criteria match them); the unrelated "noise" codes (hypertension,
hyperlipidaemia, glucose, sodium, statins, ...) are codes the Synthea R4 sample in
``shared/data/synthea-fhir-r4`` sends. ICD-10-CM codes are as in the CDC/NCHS tabular list.

The sides of the knee live in the codes (lateralised ICD-10-CM codes) and, for procedures, in
``modifier_concept_id``. Because a fact gets the codes of every concept that maps to its
concept (docs/omop.md), each lateralised ICD-10-CM code maps to a SNOMED CT concept of its
own: right-knee and left-knee injuries are different injuries here, and the two septic
arthritis codes map to the broader SNOMED CT concepts 3723001 |Arthritis| and 399269003
|Arthropathy| (no lateralised SNOMED CT septic-arthritis code is in the sources above).
"""

from __future__ import annotations

from trialdesk.patients.synthetic.catalog import VOCAB
from trialdesk.patients.synthetic.concepts import Vocab

__all__ = ["COND", "CONDITION_SOURCE", "DEVICE", "DRUG", "MEAS", "PROC", "VACCINE", "vocabulary"]

_v = VOCAB


def _condition(snomed: str, name: str, icd: str | None = None, icd_name: str = "") -> int:
    cid = _v.add("SNOMED", snomed, name, "Condition", "Clinical Finding")
    if icd is not None:
        CONDITION_SOURCE[cid] = _v.add_mapped(
            "ICD10CM", icd, icd_name, "Condition", "ICD10 code", cid
        )
    return cid


#: Standard condition concept -> the ICD-10-CM concept recorded as its source.
CONDITION_SOURCE: dict[int, int] = {}

_C = _condition
COND = {
    # rheumatoid arthritis ([valuesets] rheumatoid_arthritis)
    "ra_seropositive": _C(
        "239791005",
        "Seropositive rheumatoid arthritis",
        "M05.79",
        "Rheumatoid arthritis with rheumatoid factor of multiple sites without "
        "organ or systems involvement",
    ),
    "ra": _C("69896004", "Rheumatoid arthritis", "M06.9", "Rheumatoid arthritis, unspecified"),
    "ra_seronegative": _C(
        "239792003",
        "Seronegative rheumatoid arthritis",
        "M06.09",
        "Rheumatoid arthritis without rheumatoid factor, multiple sites",
    ),
    "ra_right_knee": _C(
        "1073811000119102",
        "Rheumatoid arthritis of right knee",
        "M06.061",
        "Rheumatoid arthritis without rheumatoid factor, right knee",
    ),
    "ra_left_knee": _C(
        "1073731000119100",
        "Rheumatoid arthritis of left knee",
        "M06.062",
        "Rheumatoid arthritis without rheumatoid factor, left knee",
    ),
    # chronic conditions
    "hypertension": _C("38341003", "Hypertension", "I10", "Essential (primary) hypertension"),
    "hyperlipidemia": _C("55822004", "Hyperlipidemia", "E78.5", "Hyperlipidemia, unspecified"),
    "diabetes": _C(
        "44054006",
        "Type 2 diabetes mellitus",
        "E11.9",
        "Type 2 diabetes mellitus without complications",
    ),
    "obesity": _C("162864005", "Body mass index 30+ - obesity"),
    "prediabetes": _C("15777000", "Prediabetes", "R73.03", "Prediabetes"),
    "ckd3": _C(
        "433144002",
        "Chronic kidney disease stage 3",
        "N18.30",
        "Chronic kidney disease, stage 3 unspecified",
    ),
    "hypothyroidism": _C("40930008", "Hypothyroidism", "E03.9", "Hypothyroidism, unspecified"),
    "coronary": _C(
        "53741008",
        "Coronary arteriosclerosis",
        "I25.10",
        "Atherosclerotic heart disease of native coronary artery without angina pectoris",
    ),
    "afib": _C("49436004", "Atrial fibrillation", "I48.91", "Unspecified atrial fibrillation"),
    "osteoporosis": _C(
        "64859006",
        "Osteoporosis",
        "M81.0",
        "Age-related osteoporosis without current pathological fracture",
    ),
    "anemia": _C("271737000", "Anemia", "D64.9", "Anemia, unspecified"),
    "knee_oa": _C(
        "239873007", "Osteoarthritis of knee", "M17.0", "Bilateral primary osteoarthritis of knee"
    ),
    "depression": _C(
        "370143000",
        "Major depressive disorder",
        "F32.9",
        "Major depressive disorder, single episode, unspecified",
    ),
    "anxiety": _C(
        "21897009", "Generalized anxiety disorder", "F41.1", "Generalized anxiety disorder"
    ),
    "alcohol_abuse": _C("15167005", "Alcohol abuse", "F10.10", "Alcohol abuse, uncomplicated"),
    "low_back_pain": _C("279039007", "Low back pain", "M54.50", "Low back pain, unspecified"),
    "sciatica": _C("23056005", "Sciatica", "M54.30", "Sciatica, unspecified side"),
    "psoriasis": _C("9014002", "Psoriasis", "L40.0", "Psoriasis vulgaris"),
    "sle": _C(
        "55464009",
        "Systemic lupus erythematosus",
        "M32.9",
        "Systemic lupus erythematosus, unspecified",
    ),
    "sjogren": _C("83901003", "Sjogren's syndrome", "M35.00", "Sjogren syndrome, unspecified"),
    "coagulation": _C(
        "64779008", "Blood coagulation disorder", "D68.9", "Coagulation defect, unspecified"
    ),
    # infections
    "hiv": _C(
        "86406008",
        "Human immunodeficiency virus infection",
        "B20",
        "Human immunodeficiency virus [HIV] disease",
    ),
    "hepatitis_b": _C(
        "61977001",
        "Chronic type B viral hepatitis",
        "B18.1",
        "Chronic viral hepatitis B without delta-agent",
    ),
    "hepatitis_c": _C("128302006", "Chronic hepatitis C", "B18.2", "Chronic viral hepatitis C"),
    "syphilis": _C("76272004", "Syphilis", "A53.9", "Syphilis, unspecified"),
    "tuberculosis": _C("154283005", "Pulmonary tuberculosis", "A15.0", "Tuberculosis of lung"),
    "latent_tb": _C("11999007", "Inactive tuberculosis", "Z22.7", "Latent tuberculosis"),
    "pneumonia": _C("233604007", "Pneumonia", "J18.9", "Pneumonia, unspecified organism"),
    "cellulitis": _C("128045006", "Cellulitis", "L03.90", "Cellulitis, unspecified"),
    "pyelonephritis": _C("45816000", "Pyelonephritis", "N10", "Acute pyelonephritis"),
    "sepsis": _C("91302008", "Sepsis", "A41.9", "Sepsis, unspecified organism"),
    "sinusitis": _C("444814009", "Viral sinusitis", "J01.90", "Acute sinusitis, unspecified"),
    "bronchitis": _C("10509002", "Acute bronchitis", "J20.9", "Acute bronchitis, unspecified"),
    "knee_infection_right": _C(
        "3723001", "Arthritis", "M00.061", "Staphylococcal arthritis, right knee"
    ),
    "knee_infection_left": _C(
        "399269003", "Arthropathy", "M00.062", "Staphylococcal arthritis, left knee"
    ),
    # injuries
    "ankle_sprain": _C(
        "44465007",
        "Sprain of ankle",
        "S93.409A",
        "Sprain of unspecified ligament of unspecified ankle, initial encounter",
    ),
    "acl_right": _C(
        "444470001",
        "Injury of anterior cruciate ligament",
        "S83.511A",
        "Sprain of anterior cruciate ligament of right knee, initial encounter",
    ),
    "mcl_left": _C(
        "444448004",
        "Injury of medial collateral ligament of knee",
        "S83.412A",
        "Sprain of medial collateral ligament of left knee, initial encounter",
    ),
    "meniscus": _C(
        "239720000",
        "Tear of meniscus of knee",
        "S83.209A",
        "Unspecified tear of unspecified meniscus, current injury, unspecified knee, "
        "initial encounter",
    ),
    # cancers ([valuesets] malignancy, skin_bcc_scc, metastatic_disease)
    "breast_cancer": _C(
        "254837009",
        "Malignant tumor of breast",
        "C50.919",
        "Malignant neoplasm of unspecified site of unspecified female breast",
    ),
    "prostate_cancer": _C(
        "399068003", "Malignant tumor of prostate", "C61", "Malignant neoplasm of prostate"
    ),
    "colon_cancer": _C(
        "363406005", "Malignant tumor of colon", "C18.9", "Malignant neoplasm of colon, unspecified"
    ),
    "lung_cancer": _C(
        "254637007",
        "Non-small cell lung cancer",
        "C34.90",
        "Malignant neoplasm of unspecified part of unspecified bronchus or lung",
    ),
    "bcc": _C(
        "254701007",
        "Basal cell carcinoma of skin",
        "C44.311",
        "Basal cell carcinoma of skin of nose",
    ),
    "metastasis": _C(
        "128462008",
        "Secondary malignant neoplastic disease",
        "C79.9",
        "Secondary malignant neoplasm of unspecified site",
    ),
    # pregnancy and lactation
    "pregnancy": _C(
        "72892002",
        "Normal pregnancy",
        "Z34.90",
        "Encounter for supervision of normal pregnancy, unspecified, unspecified trimester",
    ),
    "lactation": _C(
        "169750002",
        "Mother currently breast-feeding",
        "Z39.1",
        "Encounter for care and examination of lactating mother",
    ),
}


def _loinc(code: str, name: str, domain: str = "Measurement") -> int:
    return _v.add("LOINC", code, name, domain, "Lab Test")


MEAS = {
    "weight": _loinc("29463-7", "Body weight"),
    "height": _loinc("8302-2", "Body height"),
    "bmi": _loinc("39156-5", "Body mass index (BMI) [Ratio]"),
    "sbp": _loinc("8480-6", "Systolic blood pressure"),
    "dbp": _loinc("8462-4", "Diastolic blood pressure"),
    "alt": _loinc(
        "1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma"
    ),
    "ast": _loinc(
        "1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma"
    ),
    "creatinine_mass": _loinc("2160-0", "Creatinine [Mass/volume] in Serum or Plasma"),
    "creatinine_moles": _loinc("14682-9", "Creatinine [Moles/volume] in Serum or Plasma"),
    "hemoglobin": _loinc("718-7", "Hemoglobin [Mass/volume] in Blood"),
    "wbc": _loinc("6690-2", "Leukocytes [#/volume] in Blood by Automated count"),
    "neutrophils": _loinc("751-8", "Neutrophils [#/volume] in Blood by Automated count"),
    "platelets": _loinc("777-3", "Platelets [#/volume] in Blood by Automated count"),
    "crp": _loinc("1988-5", "C reactive protein [Mass/volume] in Serum or Plasma"),
    "esr": _loinc("4537-7", "Erythrocyte sedimentation rate by Westergren method"),
    "rf": _loinc("11572-5", "Rheumatoid factor [Units/volume] in Serum or Plasma"),
    "anti_ccp": _loinc(
        "32218-0", "Cyclic citrullinated peptide Ab [Units/volume] in Serum by Immunoassay"
    ),
    "glucose": _loinc("2345-7", "Glucose [Mass/volume] in Serum or Plasma"),
    "hba1c": _loinc("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"),
    "cholesterol": _loinc("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma"),
    "sodium": _loinc("2951-2", "Sodium [Moles/volume] in Serum or Plasma"),
    "potassium": _loinc("2823-3", "Potassium [Moles/volume] in Serum or Plasma"),
    "hiv": _loinc("56888-1", "HIV 1+2 Ab+HIV1 p24 Ag [Presence] in Serum by Immunoassay"),
    "hbsag": _loinc(
        "5196-1", "Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay"
    ),
    "hcv": _loinc("13955-0", "Hepatitis C virus Ab [Presence] in Serum or Plasma by Immunoassay"),
    "syphilis": _loinc("20507-0", "Reagin Ab [Presence] in Serum by RPR"),
    "igra": _loinc(
        "71773-6", "Mycobacterium tuberculosis stimulated gamma interferon [Presence] in Blood"
    ),
    "pregnancy_test": _loinc("2106-3", "Choriogonadotropin (pregnancy test) [Presence] in Urine"),
    "ecg": _loinc("8601-7", "EKG impression"),
    "knee_us": _v.add(
        "trialdesk",
        "knee-us-synovitis",
        "Knee synovitis on ultrasound",
        "Measurement",
        "Clinical Observation",
    ),
    "womac_pain": _v.add(
        "trialdesk", "womac-pain", "WOMAC pain subscale score", "Observation", "Survey"
    ),
}


def _rx(code: str, name: str, klass: str = "Clinical Drug") -> int:
    return _v.add("RxNorm", code, name, "Drug", klass)


DRUG = {
    # csDMARDs, steroids, biologics ([valuesets] medications.yaml; strength_mg there)
    "mtx_2_5": _rx("105585", "methotrexate 2.5 MG Oral Tablet"),
    "mtx_10": _rx("105586", "methotrexate 10 MG Oral Tablet"),
    "leflunomide": _rx("27169", "leflunomide", "Ingredient"),
    "sulfasalazine": _rx("9524", "sulfasalazine", "Ingredient"),
    "hcq_200": _rx("979092", "hydroxychloroquine sulfate 200 MG Oral Tablet"),
    "prednisone_5": _rx("312617", "prednisone 5 MG Oral Tablet"),
    "prednisone_20": _rx("312615", "prednisone 20 MG Oral Tablet"),
    "methylpred_4": _rx("259966", "methylprednisolone 4 MG Oral Tablet"),
    "methylprednisolone": _rx("6902", "methylprednisolone", "Ingredient"),
    "triamcinolone": _rx("10759", "triamcinolone", "Ingredient"),
    "adalimumab": _rx("327361", "adalimumab", "Ingredient"),
    "etanercept": _rx("214555", "etanercept", "Ingredient"),
    "tocilizumab": _rx("1657981", "20 ML tocilizumab 20 MG/ML Injection"),
    # anti-infectives
    "piperacillin": _rx("1659149", "piperacillin 4000 MG / tazobactam 500 MG Injection"),
    "ceftriaxone": _rx("2193", "ceftriaxone", "Ingredient"),
    "vancomycin": _rx("1807513", "vancomycin 1000 MG Injection"),
    "amoxicillin": _rx("723", "amoxicillin", "Ingredient"),
    "isoniazid": _rx("6038", "isoniazid", "Ingredient"),
    "rifampin": _rx("9384", "rifampin", "Ingredient"),
    # noise (codes the Synthea sample sends)
    "hctz": _rx("316049", "hydrochlorothiazide 25 MG"),
    "amlodipine": _rx("197361", "amlodipine 5 MG Oral Tablet"),
    "simvastatin": _rx("316672", "simvastatin 10 MG"),
    "metformin": _rx("860975", "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet"),
    "levothyroxine": _rx("966222", "levothyroxine sodium 0.075 MG Oral Tablet"),
    "acetaminophen": _rx("313782", "acetaminophen 325 MG Oral Tablet"),
    "ibuprofen": _rx("310965", "ibuprofen 200 MG Oral Tablet"),
}


def _cvx(code: str, name: str) -> int:
    return _v.add("CVX", code, name, "Drug", "CVX")


VACCINE = {
    # inactivated ([valuesets] inactivated_vaccine)
    "influenza": _cvx("140", "Influenza, seasonal, injectable, preservative free"),
    "tdap": _cvx("115", "Tdap"),
    "zoster_recombinant": _cvx("187", "zoster recombinant"),
    "ppsv23": _cvx("33", "pneumococcal polysaccharide PPV23"),
    "covid": _cvx("208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose"),
    "hepb_adult": _cvx("43", "Hep B, adult"),
    # live ([valuesets] live_virus_vaccine)
    "zoster_live": _cvx("121", "zoster live"),
    "mmr": _cvx("03", "MMR"),
    "yellow_fever": _cvx("37", "yellow fever live"),
    "varicella": _cvx("21", "varicella"),
}

PROC = {
    # knee ([valuesets] intra_articular_injection, knee_surgery)
    "knee_injection": _v.add(
        "CPT4",
        "20610",
        "Arthrocentesis, aspiration and/or injection, "
        "major joint or bursa; without ultrasound guidance",
        "Procedure",
        "CPT4",
    ),
    "knee_injection_us": _v.add(
        "CPT4",
        "20611",
        "Arthrocentesis, aspiration and/or injection, "
        "major joint or bursa; with ultrasound guidance",
        "Procedure",
        "CPT4",
    ),
    "knee_replacement": _v.add(
        "SNOMED", "609588000", "Total knee replacement", "Procedure", "Procedure"
    ),
    "knee_arthroscopy": _v.add(
        "CPT4",
        "29881",
        "Arthroscopy, knee, surgical; with "
        "meniscectomy (medial OR lateral, including any meniscal "
        "shaving)",
        "Procedure",
        "CPT4",
    ),
    # noise
    "colonoscopy": _v.add("SNOMED", "73761001", "Colonoscopy", "Procedure", "Procedure"),
    "chest_xray": _v.add("SNOMED", "399208008", "Plain chest X-ray", "Procedure", "Procedure"),
    "echo": _v.add(
        "SNOMED", "433236007", "Transthoracic echocardiography", "Procedure", "Procedure"
    ),
    "knee_xray": _v.add("SNOMED", "74016001", "Knee X-ray", "Procedure", "Procedure"),
}

DEVICE = {
    # [valuesets] mri_contraindicated_device
    "pacemaker": _v.add(
        "SNOMED", "706004007", "Implantable cardiac pacemaker", "Device", "Physical Object"
    ),
    "defibrillator": _v.add(
        "SNOMED", "72506001", "Implantable defibrillator", "Device", "Physical Object"
    ),
    "stent": _v.add("SNOMED", "705643001", "Coronary artery stent", "Device", "Physical Object"),
}


def vocabulary() -> Vocab:
    """The registry, with every clinical code above registered."""
    return VOCAB
