WITH td_facts AS (
  SELECT
    person_id AS person_id,
    'condition' AS kind,
    CAST(COALESCE(condition_concept_id, 0) AS BIGINT) AS cid,
    CAST(COALESCE(condition_source_concept_id, 0) AS BIGINT) AS sid,
    CAST(0 AS BIGINT) AS aux,
    CAST(condition_start_date AS DATE) AS start_date,
    CASE
      WHEN CAST(condition_end_date AS DATE) IS NULL
      THEN CAST('9999-12-31' AS DATE)
      ELSE CASE
        WHEN CAST(condition_end_date AS DATE) IS NULL
        OR CAST(condition_start_date AS DATE) IS NULL
        THEN NULL
        ELSE GREATEST(CAST(condition_end_date AS DATE), CAST(condition_start_date AS DATE))
      END
    END AS end_date,
    CAST(NULL AS DOUBLE) AS value_num,
    CAST(NULL AS BIGINT) AS unit_cid,
    CAST(NULL AS TEXT) AS unit_src,
    CAST(NULL AS DOUBLE) AS range_high,
    CAST(NULL AS BIGINT) AS vcid,
    CAST(NULL AS TEXT) AS vstr,
    CAST(NULL AS DOUBLE) AS quantity,
    CAST(NULL AS BIGINT) AS days_supply,
    CAST(visit_occurrence_id AS BIGINT) AS visit_id
  FROM condition_occurrence
  UNION ALL
  SELECT
    person_id AS person_id,
    'observation' AS kind,
    CAST(COALESCE(measurement_concept_id, 0) AS BIGINT) AS cid,
    CAST(COALESCE(measurement_source_concept_id, 0) AS BIGINT) AS sid,
    CAST(0 AS BIGINT) AS aux,
    CAST(measurement_date AS DATE) AS start_date,
    CAST(measurement_date AS DATE) AS end_date,
    CAST(value_as_number AS DOUBLE) AS value_num,
    CAST(COALESCE(unit_concept_id, 0) AS BIGINT) AS unit_cid,
    CAST(COALESCE(unit_source_value, '') AS TEXT) AS unit_src,
    CAST(range_high AS DOUBLE) AS range_high,
    CAST(COALESCE(value_as_concept_id, 0) AS BIGINT) AS vcid,
    CAST(NULL AS TEXT) AS vstr,
    CAST(NULL AS DOUBLE) AS quantity,
    CAST(NULL AS BIGINT) AS days_supply,
    CAST(visit_occurrence_id AS BIGINT) AS visit_id
  FROM measurement
  UNION ALL
  SELECT
    person_id AS person_id,
    'observation' AS kind,
    CAST(COALESCE(observation_concept_id, 0) AS BIGINT) AS cid,
    CAST(COALESCE(observation_source_concept_id, 0) AS BIGINT) AS sid,
    CAST(0 AS BIGINT) AS aux,
    CAST(observation_date AS DATE) AS start_date,
    CAST(observation_date AS DATE) AS end_date,
    CAST(value_as_number AS DOUBLE) AS value_num,
    CAST(COALESCE(unit_concept_id, 0) AS BIGINT) AS unit_cid,
    CAST(COALESCE(unit_source_value, '') AS TEXT) AS unit_src,
    CAST(NULL AS DOUBLE) AS range_high,
    CAST(COALESCE(value_as_concept_id, 0) AS BIGINT) AS vcid,
    CAST(value_as_string AS TEXT) AS vstr,
    CAST(NULL AS DOUBLE) AS quantity,
    CAST(NULL AS BIGINT) AS days_supply,
    CAST(visit_occurrence_id AS BIGINT) AS visit_id
  FROM observation
  WHERE
    TRUE
  UNION ALL
  SELECT
    person_id AS person_id,
    CASE WHEN FALSE THEN 'immunization' ELSE 'medication' END AS kind,
    CAST(COALESCE(drug_concept_id, 0) AS BIGINT) AS cid,
    CAST(COALESCE(drug_source_concept_id, 0) AS BIGINT) AS sid,
    CAST(COALESCE(route_concept_id, 0) AS BIGINT) AS aux,
    CAST(drug_exposure_start_date AS DATE) AS start_date,
    CASE
      WHEN CAST(drug_exposure_end_date AS DATE) IS NULL
      THEN CAST(drug_exposure_start_date AS DATE)
      ELSE CASE
        WHEN CAST(drug_exposure_end_date AS DATE) IS NULL
        OR CAST(drug_exposure_start_date AS DATE) IS NULL
        THEN NULL
        ELSE GREATEST(CAST(drug_exposure_end_date AS DATE), CAST(drug_exposure_start_date AS DATE))
      END
    END AS end_date,
    CAST(NULL AS DOUBLE) AS value_num,
    CAST(NULL AS BIGINT) AS unit_cid,
    CAST(NULL AS TEXT) AS unit_src,
    CAST(NULL AS DOUBLE) AS range_high,
    CAST(NULL AS BIGINT) AS vcid,
    CAST(NULL AS TEXT) AS vstr,
    CAST(quantity AS DOUBLE) AS quantity,
    CAST(days_supply AS BIGINT) AS days_supply,
    CAST(visit_occurrence_id AS BIGINT) AS visit_id
  FROM drug_exposure
  UNION ALL
  SELECT
    person_id AS person_id,
    'procedure' AS kind,
    CAST(COALESCE(procedure_concept_id, 0) AS BIGINT) AS cid,
    CAST(COALESCE(procedure_source_concept_id, 0) AS BIGINT) AS sid,
    CAST(COALESCE(modifier_concept_id, 0) AS BIGINT) AS aux,
    CAST(procedure_date AS DATE) AS start_date,
    CAST(procedure_date AS DATE) AS end_date,
    CAST(NULL AS DOUBLE) AS value_num,
    CAST(NULL AS BIGINT) AS unit_cid,
    CAST(NULL AS TEXT) AS unit_src,
    CAST(NULL AS DOUBLE) AS range_high,
    CAST(NULL AS BIGINT) AS vcid,
    CAST(NULL AS TEXT) AS vstr,
    CAST(NULL AS DOUBLE) AS quantity,
    CAST(NULL AS BIGINT) AS days_supply,
    CAST(visit_occurrence_id AS BIGINT) AS visit_id
  FROM procedure_occurrence
  UNION ALL
  SELECT
    person_id AS person_id,
    'device' AS kind,
    CAST(COALESCE(device_concept_id, 0) AS BIGINT) AS cid,
    CAST(COALESCE(device_source_concept_id, 0) AS BIGINT) AS sid,
    CAST(0 AS BIGINT) AS aux,
    CAST(device_exposure_start_date AS DATE) AS start_date,
    CASE
      WHEN CAST(device_exposure_end_date AS DATE) IS NULL
      THEN CAST('9999-12-31' AS DATE)
      ELSE CASE
        WHEN CAST(device_exposure_end_date AS DATE) IS NULL
        OR CAST(device_exposure_start_date AS DATE) IS NULL
        THEN NULL
        ELSE GREATEST(CAST(device_exposure_end_date AS DATE), CAST(device_exposure_start_date AS DATE))
      END
    END AS end_date,
    CAST(NULL AS DOUBLE) AS value_num,
    CAST(NULL AS BIGINT) AS unit_cid,
    CAST(NULL AS TEXT) AS unit_src,
    CAST(NULL AS DOUBLE) AS range_high,
    CAST(NULL AS BIGINT) AS vcid,
    CAST(NULL AS TEXT) AS vstr,
    CAST(NULL AS DOUBLE) AS quantity,
    CAST(NULL AS BIGINT) AS days_supply,
    CAST(NULL AS BIGINT) AS visit_id
  FROM device_exposure
  UNION ALL
  SELECT
    person_id AS person_id,
    'encounter' AS kind,
    CAST(COALESCE(visit_concept_id, 0) AS BIGINT) AS cid,
    CAST(COALESCE(visit_source_concept_id, 0) AS BIGINT) AS sid,
    CAST(0 AS BIGINT) AS aux,
    CAST(visit_start_date AS DATE) AS start_date,
    CASE
      WHEN CAST(visit_end_date AS DATE) IS NULL
      THEN CAST(visit_start_date AS DATE)
      ELSE CASE
        WHEN CAST(visit_end_date AS DATE) IS NULL OR CAST(visit_start_date AS DATE) IS NULL
        THEN NULL
        ELSE GREATEST(CAST(visit_end_date AS DATE), CAST(visit_start_date AS DATE))
      END
    END AS end_date,
    CAST(NULL AS DOUBLE) AS value_num,
    CAST(NULL AS BIGINT) AS unit_cid,
    CAST(NULL AS TEXT) AS unit_src,
    CAST(NULL AS DOUBLE) AS range_high,
    CAST(NULL AS BIGINT) AS vcid,
    CAST(NULL AS TEXT) AS vstr,
    CAST(NULL AS DOUBLE) AS quantity,
    CAST(NULL AS BIGINT) AS days_supply,
    CAST(visit_occurrence_id AS BIGINT) AS visit_id
  FROM visit_occurrence
), td_visit AS (
  SELECT
    visit_occurrence_id AS vid,
    CASE visit_concept_id
      WHEN 9201
      THEN 'IMP'
      WHEN 262
      THEN 'IMP'
      WHEN 9203
      THEN 'EMER'
      WHEN 9202
      THEN 'AMB'
    END AS vclass
  FROM visit_occurrence
), td_rows AS (
  SELECT
    f.*,
    k.laterality,
    k.m__alt,
    k.c__alt,
    k.route__alt,
    k.ingr__alt,
    k.strength__alt,
    k.pred__alt,
    k.m__anti_ccp,
    k.c__anti_ccp,
    k.route__anti_ccp,
    k.ingr__anti_ccp,
    k.strength__anti_ccp,
    k.pred__anti_ccp,
    k.m__anti_infective,
    k.c__anti_infective,
    k.route__anti_infective,
    k.ingr__anti_infective,
    k.strength__anti_infective,
    k.pred__anti_infective,
    k.m__ast,
    k.c__ast,
    k.route__ast,
    k.ingr__ast,
    k.strength__ast,
    k.pred__ast,
    k.m__biologic_or_tsdmard,
    k.c__biologic_or_tsdmard,
    k.route__biologic_or_tsdmard,
    k.ingr__biologic_or_tsdmard,
    k.strength__biologic_or_tsdmard,
    k.pred__biologic_or_tsdmard,
    k.m__bmi,
    k.c__bmi,
    k.route__bmi,
    k.ingr__bmi,
    k.strength__bmi,
    k.pred__bmi,
    k.m__body_height,
    k.c__body_height,
    k.route__body_height,
    k.ingr__body_height,
    k.strength__body_height,
    k.pred__body_height,
    k.m__body_weight,
    k.c__body_weight,
    k.route__body_weight,
    k.ingr__body_weight,
    k.strength__body_weight,
    k.pred__body_weight,
    k.m__bp_panel,
    k.c__bp_panel,
    k.route__bp_panel,
    k.ingr__bp_panel,
    k.strength__bp_panel,
    k.pred__bp_panel,
    k.m__cardiovascular_disorder,
    k.c__cardiovascular_disorder,
    k.route__cardiovascular_disorder,
    k.ingr__cardiovascular_disorder,
    k.strength__cardiovascular_disorder,
    k.pred__cardiovascular_disorder,
    k.m__coagulation_disorder,
    k.c__coagulation_disorder,
    k.route__coagulation_disorder,
    k.ingr__coagulation_disorder,
    k.strength__coagulation_disorder,
    k.pred__coagulation_disorder,
    k.m__creatinine,
    k.c__creatinine,
    k.route__creatinine,
    k.ingr__creatinine,
    k.strength__creatinine,
    k.pred__creatinine,
    k.m__crp,
    k.c__crp,
    k.route__crp,
    k.ingr__crp,
    k.strength__crp,
    k.pred__crp,
    k.m__csdmard,
    k.c__csdmard,
    k.route__csdmard,
    k.ingr__csdmard,
    k.strength__csdmard,
    k.pred__csdmard,
    k.m__diabetes_uncontrolled,
    k.c__diabetes_uncontrolled,
    k.route__diabetes_uncontrolled,
    k.ingr__diabetes_uncontrolled,
    k.strength__diabetes_uncontrolled,
    k.pred__diabetes_uncontrolled,
    k.m__diastolic_bp,
    k.c__diastolic_bp,
    k.route__diastolic_bp,
    k.ingr__diastolic_bp,
    k.strength__diastolic_bp,
    k.pred__diastolic_bp,
    k.m__ecg_12_lead,
    k.c__ecg_12_lead,
    k.route__ecg_12_lead,
    k.ingr__ecg_12_lead,
    k.strength__ecg_12_lead,
    k.pred__ecg_12_lead,
    k.m__endocrine_disorder,
    k.c__endocrine_disorder,
    k.route__endocrine_disorder,
    k.ingr__endocrine_disorder,
    k.strength__endocrine_disorder,
    k.pred__endocrine_disorder,
    k.m__esr,
    k.c__esr,
    k.route__esr,
    k.ingr__esr,
    k.strength__esr,
    k.pred__esr,
    k.m__hbsag,
    k.c__hbsag,
    k.route__hbsag,
    k.ingr__hbsag,
    k.strength__hbsag,
    k.pred__hbsag,
    k.m__hcv_antibody,
    k.c__hcv_antibody,
    k.route__hcv_antibody,
    k.ingr__hcv_antibody,
    k.strength__hcv_antibody,
    k.pred__hcv_antibody,
    k.m__hcv_rna,
    k.c__hcv_rna,
    k.route__hcv_rna,
    k.ingr__hcv_rna,
    k.strength__hcv_rna,
    k.pred__hcv_rna,
    k.m__hemoglobin,
    k.c__hemoglobin,
    k.route__hemoglobin,
    k.ingr__hemoglobin,
    k.strength__hemoglobin,
    k.pred__hemoglobin,
    k.m__hepatic_disorder,
    k.c__hepatic_disorder,
    k.route__hepatic_disorder,
    k.ingr__hepatic_disorder,
    k.strength__hepatic_disorder,
    k.pred__hepatic_disorder,
    k.m__hepatitis_b,
    k.c__hepatitis_b,
    k.route__hepatitis_b,
    k.ingr__hepatitis_b,
    k.strength__hepatitis_b,
    k.pred__hepatitis_b,
    k.m__hepatitis_c,
    k.c__hepatitis_c,
    k.route__hepatitis_c,
    k.ingr__hepatitis_c,
    k.strength__hepatitis_c,
    k.pred__hepatitis_c,
    k.m__hiv_infection,
    k.c__hiv_infection,
    k.route__hiv_infection,
    k.ingr__hiv_infection,
    k.strength__hiv_infection,
    k.pred__hiv_infection,
    k.m__hiv_test,
    k.c__hiv_test,
    k.route__hiv_test,
    k.ingr__hiv_test,
    k.strength__hiv_test,
    k.pred__hiv_test,
    k.m__inactivated_vaccine,
    k.c__inactivated_vaccine,
    k.route__inactivated_vaccine,
    k.ingr__inactivated_vaccine,
    k.strength__inactivated_vaccine,
    k.pred__inactivated_vaccine,
    k.m__intra_articular_injection,
    k.c__intra_articular_injection,
    k.route__intra_articular_injection,
    k.ingr__intra_articular_injection,
    k.strength__intra_articular_injection,
    k.pred__intra_articular_injection,
    k.m__knee_infection,
    k.c__knee_infection,
    k.route__knee_infection,
    k.ingr__knee_infection,
    k.strength__knee_infection,
    k.pred__knee_infection,
    k.m__knee_injury,
    k.c__knee_injury,
    k.route__knee_injury,
    k.ingr__knee_injury,
    k.strength__knee_injury,
    k.pred__knee_injury,
    k.m__knee_surgery,
    k.c__knee_surgery,
    k.route__knee_surgery,
    k.ingr__knee_surgery,
    k.strength__knee_surgery,
    k.pred__knee_surgery,
    k.m__knee_ultrasound_synovitis,
    k.c__knee_ultrasound_synovitis,
    k.route__knee_ultrasound_synovitis,
    k.ingr__knee_ultrasound_synovitis,
    k.strength__knee_ultrasound_synovitis,
    k.pred__knee_ultrasound_synovitis,
    k.m__lactation,
    k.c__lactation,
    k.route__lactation,
    k.ingr__lactation,
    k.strength__lactation,
    k.pred__lactation,
    k.m__live_vaccine,
    k.c__live_vaccine,
    k.route__live_vaccine,
    k.ingr__live_vaccine,
    k.strength__live_vaccine,
    k.pred__live_vaccine,
    k.m__live_virus_vaccine,
    k.c__live_virus_vaccine,
    k.route__live_virus_vaccine,
    k.ingr__live_virus_vaccine,
    k.strength__live_virus_vaccine,
    k.pred__live_virus_vaccine,
    k.m__lymphocytes_absolute,
    k.c__lymphocytes_absolute,
    k.route__lymphocytes_absolute,
    k.ingr__lymphocytes_absolute,
    k.strength__lymphocytes_absolute,
    k.pred__lymphocytes_absolute,
    k.m__malignancy,
    k.c__malignancy,
    k.route__malignancy,
    k.ingr__malignancy,
    k.strength__malignancy,
    k.pred__malignancy,
    k.m__metastatic_disease,
    k.c__metastatic_disease,
    k.route__metastatic_disease,
    k.ingr__metastatic_disease,
    k.strength__metastatic_disease,
    k.pred__metastatic_disease,
    k.m__methotrexate,
    k.c__methotrexate,
    k.route__methotrexate,
    k.ingr__methotrexate,
    k.strength__methotrexate,
    k.pred__methotrexate,
    k.m__mri_contraindicated_device,
    k.c__mri_contraindicated_device,
    k.route__mri_contraindicated_device,
    k.ingr__mri_contraindicated_device,
    k.strength__mri_contraindicated_device,
    k.pred__mri_contraindicated_device,
    k.m__neuro_pain_disorder,
    k.c__neuro_pain_disorder,
    k.route__neuro_pain_disorder,
    k.ingr__neuro_pain_disorder,
    k.strength__neuro_pain_disorder,
    k.pred__neuro_pain_disorder,
    k.m__neurological_disorder,
    k.c__neurological_disorder,
    k.route__neurological_disorder,
    k.ingr__neurological_disorder,
    k.strength__neurological_disorder,
    k.pred__neurological_disorder,
    k.m__neutrophils_absolute,
    k.c__neutrophils_absolute,
    k.route__neutrophils_absolute,
    k.ingr__neutrophils_absolute,
    k.strength__neutrophils_absolute,
    k.pred__neutrophils_absolute,
    k.m__non_systemic_corticosteroid,
    k.c__non_systemic_corticosteroid,
    k.route__non_systemic_corticosteroid,
    k.ingr__non_systemic_corticosteroid,
    k.strength__non_systemic_corticosteroid,
    k.pred__non_systemic_corticosteroid,
    k.m__other_immune_mediated,
    k.c__other_immune_mediated,
    k.route__other_immune_mediated,
    k.ingr__other_immune_mediated,
    k.strength__other_immune_mediated,
    k.pred__other_immune_mediated,
    k.m__parenteral_anti_infective,
    k.c__parenteral_anti_infective,
    k.route__parenteral_anti_infective,
    k.ingr__parenteral_anti_infective,
    k.strength__parenteral_anti_infective,
    k.pred__parenteral_anti_infective,
    k.m__platelets,
    k.c__platelets,
    k.route__platelets,
    k.ingr__platelets,
    k.strength__platelets,
    k.pred__platelets,
    k.m__pregnancy,
    k.c__pregnancy,
    k.route__pregnancy,
    k.ingr__pregnancy,
    k.strength__pregnancy,
    k.pred__pregnancy,
    k.m__pregnancy_test,
    k.c__pregnancy_test,
    k.route__pregnancy_test,
    k.ingr__pregnancy_test,
    k.strength__pregnancy_test,
    k.pred__pregnancy_test,
    k.m__psychiatric_disorder,
    k.c__psychiatric_disorder,
    k.route__psychiatric_disorder,
    k.ingr__psychiatric_disorder,
    k.strength__psychiatric_disorder,
    k.pred__psychiatric_disorder,
    k.m__renal_disorder,
    k.c__renal_disorder,
    k.route__renal_disorder,
    k.ingr__renal_disorder,
    k.strength__renal_disorder,
    k.pred__renal_disorder,
    k.m__rheumatoid_arthritis,
    k.c__rheumatoid_arthritis,
    k.route__rheumatoid_arthritis,
    k.ingr__rheumatoid_arthritis,
    k.strength__rheumatoid_arthritis,
    k.pred__rheumatoid_arthritis,
    k.m__rheumatoid_factor,
    k.c__rheumatoid_factor,
    k.route__rheumatoid_factor,
    k.ingr__rheumatoid_factor,
    k.strength__rheumatoid_factor,
    k.pred__rheumatoid_factor,
    k.m__serious_infection,
    k.c__serious_infection,
    k.route__serious_infection,
    k.ingr__serious_infection,
    k.strength__serious_infection,
    k.pred__serious_infection,
    k.m__skin_bcc_scc,
    k.c__skin_bcc_scc,
    k.route__skin_bcc_scc,
    k.ingr__skin_bcc_scc,
    k.strength__skin_bcc_scc,
    k.pred__skin_bcc_scc,
    k.m__substance_abuse,
    k.c__substance_abuse,
    k.route__substance_abuse,
    k.ingr__substance_abuse,
    k.strength__substance_abuse,
    k.pred__substance_abuse,
    k.m__syphilis,
    k.c__syphilis,
    k.route__syphilis,
    k.ingr__syphilis,
    k.strength__syphilis,
    k.pred__syphilis,
    k.m__syphilis_test,
    k.c__syphilis_test,
    k.route__syphilis_test,
    k.ingr__syphilis_test,
    k.strength__syphilis_test,
    k.pred__syphilis_test,
    k.m__systemic_corticosteroid,
    k.c__systemic_corticosteroid,
    k.route__systemic_corticosteroid,
    k.ingr__systemic_corticosteroid,
    k.strength__systemic_corticosteroid,
    k.pred__systemic_corticosteroid,
    k.m__systolic_bp,
    k.c__systolic_bp,
    k.route__systolic_bp,
    k.ingr__systolic_bp,
    k.strength__systolic_bp,
    k.pred__systolic_bp,
    k.m__tb_test,
    k.c__tb_test,
    k.route__tb_test,
    k.ingr__tb_test,
    k.strength__tb_test,
    k.pred__tb_test,
    k.m__tb_treatment,
    k.c__tb_treatment,
    k.route__tb_treatment,
    k.ingr__tb_treatment,
    k.strength__tb_treatment,
    k.pred__tb_treatment,
    k.m__tuberculosis_active,
    k.c__tuberculosis_active,
    k.route__tuberculosis_active,
    k.ingr__tuberculosis_active,
    k.strength__tuberculosis_active,
    k.pred__tuberculosis_active,
    k.m__tuberculosis_history,
    k.c__tuberculosis_history,
    k.route__tuberculosis_history,
    k.ingr__tuberculosis_history,
    k.strength__tuberculosis_history,
    k.pred__tuberculosis_history,
    k.m__wbc,
    k.c__wbc,
    k.route__wbc,
    k.ingr__wbc,
    k.strength__wbc,
    k.pred__wbc,
    k.m__womac_pain,
    k.c__womac_pain,
    k.route__womac_pain,
    k.ingr__womac_pain,
    k.strength__womac_pain,
    k.pred__womac_pain,
    u.f__alt,
    u.f__anti_ccp,
    u.f__anti_infective,
    u.f__ast,
    u.f__biologic_or_tsdmard,
    u.f__bmi,
    u.f__body_height,
    u.f__body_weight,
    u.f__bp_panel,
    u.f__cardiovascular_disorder,
    u.f__coagulation_disorder,
    u.f__creatinine,
    u.f__crp,
    u.f__csdmard,
    u.f__diabetes_uncontrolled,
    u.f__diastolic_bp,
    u.f__ecg_12_lead,
    u.f__endocrine_disorder,
    u.f__esr,
    u.f__hbsag,
    u.f__hcv_antibody,
    u.f__hcv_rna,
    u.f__hemoglobin,
    u.f__hepatic_disorder,
    u.f__hepatitis_b,
    u.f__hepatitis_c,
    u.f__hiv_infection,
    u.f__hiv_test,
    u.f__inactivated_vaccine,
    u.f__intra_articular_injection,
    u.f__knee_infection,
    u.f__knee_injury,
    u.f__knee_surgery,
    u.f__knee_ultrasound_synovitis,
    u.f__lactation,
    u.f__live_vaccine,
    u.f__live_virus_vaccine,
    u.f__lymphocytes_absolute,
    u.f__malignancy,
    u.f__metastatic_disease,
    u.f__methotrexate,
    u.f__mri_contraindicated_device,
    u.f__neuro_pain_disorder,
    u.f__neurological_disorder,
    u.f__neutrophils_absolute,
    u.f__non_systemic_corticosteroid,
    u.f__other_immune_mediated,
    u.f__parenteral_anti_infective,
    u.f__platelets,
    u.f__pregnancy,
    u.f__pregnancy_test,
    u.f__psychiatric_disorder,
    u.f__renal_disorder,
    u.f__rheumatoid_arthritis,
    u.f__rheumatoid_factor,
    u.f__serious_infection,
    u.f__skin_bcc_scc,
    u.f__substance_abuse,
    u.f__syphilis,
    u.f__syphilis_test,
    u.f__systemic_corticosteroid,
    u.f__systolic_bp,
    u.f__tb_test,
    u.f__tb_treatment,
    u.f__tuberculosis_active,
    u.f__tuberculosis_history,
    u.f__wbc,
    u.f__womac_pain,
    v.vclass
  FROM td_facts AS f
  JOIN td_codes AS k
    ON (
      (
        (
          f.kind = k.kind
        ) AND (
          f.cid = k.cid
        )
      )
      AND (
        f.sid = k.sid
      )
    )
    AND (
      f.aux = k.aux
    )
  LEFT JOIN td_units AS u
    ON (
      f.unit_cid = u.unit_cid
    ) AND (
      f.unit_src = u.unit_src
    )
  LEFT JOIN td_visit AS v
    ON f.visit_id = v.vid
), td_agg0 AS (
  SELECT
    person_id AS td_agg0_pid,
    MAX(
      CASE
        WHEN m__live_virus_vaccine
        THEN CASE
          WHEN start_date IS NULL
          THEN 1
          WHEN (
            start_date <= CAST($d1 AS DATE)
          ) AND (
            CAST($d5 AS DATE) <= end_date
          )
          THEN 2
          ELSE 0
        END
      END
    ) AS a5
  FROM td_rows
  WHERE
    kind IN ('immunization', 'medication')
  GROUP BY
    person_id
), td_agg1 AS (
  SELECT
    person_id AS td_agg1_pid,
    MAX(
      CASE
        WHEN (
          (
            (
              m__alt AND (
                NOT (
                  (
                    value_num * f__alt
                  ) IS NULL
                )
              )
            )
            AND (
              (
                value_num * f__alt
              ) >= 0
            )
          )
          AND (
            (
              CAST($d4 AS DATE) <= start_date
            ) AND (
              start_date <= CAST($d3 AS DATE)
            )
          )
        )
        AND (
          NOT (
            range_high IS NULL
          )
        )
        THEN CASE
          WHEN (
            range_high * f__alt
          ) > 0
          THEN CAST(ROUND(CAST((
            value_num * f__alt
          ) / (
            range_high * f__alt
          ) AS DECIMAL(38, 12)), 6) AS DOUBLE)
        END
      END
    ) AS a1,
    MAX(
      CASE
        WHEN (
          (
            (
              m__alt AND (
                NOT (
                  (
                    value_num * f__alt
                  ) IS NULL
                )
              )
            )
            AND (
              (
                value_num * f__alt
              ) >= 0
            )
          )
          AND (
            (
              CAST($d4 AS DATE) <= start_date
            ) AND (
              start_date <= CAST($d3 AS DATE)
            )
          )
        )
        AND (
          range_high IS NULL
        )
        THEN value_num * f__alt
      END
    ) AS a2,
    MAX(
      CASE
        WHEN (
          (
            (
              m__ast AND (
                NOT (
                  (
                    value_num * f__ast
                  ) IS NULL
                )
              )
            )
            AND (
              (
                value_num * f__ast
              ) >= 0
            )
          )
          AND (
            (
              CAST($d4 AS DATE) <= start_date
            ) AND (
              start_date <= CAST($d3 AS DATE)
            )
          )
        )
        AND (
          NOT (
            range_high IS NULL
          )
        )
        THEN CASE
          WHEN (
            range_high * f__ast
          ) > 0
          THEN CAST(ROUND(CAST((
            value_num * f__ast
          ) / (
            range_high * f__ast
          ) AS DECIMAL(38, 12)), 6) AS DOUBLE)
        END
      END
    ) AS a3,
    MAX(
      CASE
        WHEN (
          (
            (
              m__ast AND (
                NOT (
                  (
                    value_num * f__ast
                  ) IS NULL
                )
              )
            )
            AND (
              (
                value_num * f__ast
              ) >= 0
            )
          )
          AND (
            (
              CAST($d4 AS DATE) <= start_date
            ) AND (
              start_date <= CAST($d3 AS DATE)
            )
          )
        )
        AND (
          range_high IS NULL
        )
        THEN value_num * f__ast
      END
    ) AS a4
  FROM td_rows
  WHERE
    kind IN ('observation')
  GROUP BY
    person_id
), td_agg2 AS (
  SELECT
    person_id AS td_agg2_pid,
    MAX(
      CASE
        WHEN m__intra_articular_injection
        THEN CASE
          WHEN CASE
            WHEN start_date IS NULL
            THEN 1
            WHEN (
              start_date <= CAST($d1 AS DATE)
            ) AND (
              CAST($d2 AS DATE) <= end_date
            )
            THEN 2
            ELSE 0
          END <= CASE
            WHEN laterality IS NULL
            THEN 1
            WHEN CAST($target_knee AS TEXT) IS NULL
            THEN 1
            WHEN (
              laterality = 'bilateral'
            ) OR (
              laterality = CAST($target_knee AS TEXT)
            )
            THEN 2
            ELSE 0
          END
          THEN CASE
            WHEN start_date IS NULL
            THEN 1
            WHEN (
              start_date <= CAST($d1 AS DATE)
            ) AND (
              CAST($d2 AS DATE) <= end_date
            )
            THEN 2
            ELSE 0
          END
          ELSE CASE
            WHEN laterality IS NULL
            THEN 1
            WHEN CAST($target_knee AS TEXT) IS NULL
            THEN 1
            WHEN (
              laterality = 'bilateral'
            ) OR (
              laterality = CAST($target_knee AS TEXT)
            )
            THEN 2
            ELSE 0
          END
        END
      END
    ) AS a0
  FROM td_rows
  WHERE
    kind IN ('procedure')
  GROUP BY
    person_id
), td_person AS (
  SELECT
    person_id,
    COALESCE(
      CAST(birth_datetime AS DATE),
      MAKE_DATE(
        CAST(year_of_birth AS INT),
        CAST(COALESCE(month_of_birth, 1) AS INT),
        CAST(COALESCE(day_of_birth, 1) AS INT)
      )
    ) AS birth_date,
    CASE
      WHEN gender_concept_id = 8507
      THEN 'male'
      WHEN gender_concept_id = 8532
      THEN 'female'
    END AS sex
  FROM person
), td_consent AS (
  SELECT
    person_id AS c_pid,
    MIN(observation_date) AS consent_first,
    MAX(CASE WHEN observation_date <= CAST($d0 AS DATE) THEN observation_date END) AS consent_date
  FROM observation
  WHERE
    FALSE
  GROUP BY
    person_id
), l0 AS (
  SELECT
    person_id AS l0_pid,
    v AS l0_v,
    d AS l0_d,
    a AS l0_a
  FROM (
    SELECT
      person_id,
      value_num * f__bmi AS v,
      start_date AS d,
      CASE WHEN range_high IS NULL THEN NULL WHEN value_num > range_high THEN 1 ELSE 0 END AS a,
      ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY start_date DESC, value_num * f__bmi DESC) AS rn
    FROM td_rows
    WHERE
      (
        (
          m__bmi AND (
            NOT (
              (
                value_num * f__bmi
              ) IS NULL
            )
          )
        )
        AND (
          (
            value_num * f__bmi
          ) >= 0
        )
      )
      AND (
        (
          CAST($d4 AS DATE) <= start_date
        ) AND (
          start_date <= CAST($d3 AS DATE)
        )
      )
  ) AS r
  WHERE
    rn = 1
), l1 AS (
  SELECT
    person_id AS l1_pid,
    v AS l1_v,
    d AS l1_d,
    a AS l1_a
  FROM (
    SELECT
      person_id,
      value_num * f__body_weight AS v,
      start_date AS d,
      CASE WHEN range_high IS NULL THEN NULL WHEN value_num > range_high THEN 1 ELSE 0 END AS a,
      ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY start_date DESC, value_num * f__body_weight DESC) AS rn
    FROM td_rows
    WHERE
      (
        (
          (
            (
              m__body_weight
              AND (
                NOT (
                  (
                    value_num * f__body_weight
                  ) IS NULL
                )
              )
            )
            AND (
              (
                value_num * f__body_weight
              ) >= 0
            )
          )
          AND (
            (
              value_num * f__body_weight
            ) >= 0.2
          )
        )
        AND (
          (
            value_num * f__body_weight
          ) <= 650.0
        )
      )
      AND (
        (
          CAST($d4 AS DATE) <= start_date
        ) AND (
          start_date <= CAST($d3 AS DATE)
        )
      )
  ) AS r
  WHERE
    rn = 1
), l2 AS (
  SELECT
    person_id AS l2_pid,
    v AS l2_v,
    d AS l2_d,
    a AS l2_a
  FROM (
    SELECT
      person_id,
      value_num * f__body_height AS v,
      start_date AS d,
      CASE WHEN range_high IS NULL THEN NULL WHEN value_num > range_high THEN 1 ELSE 0 END AS a,
      ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY start_date DESC, value_num * f__body_height DESC) AS rn
    FROM td_rows
    WHERE
      (
        (
          (
            (
              m__body_height
              AND (
                NOT (
                  (
                    value_num * f__body_height
                  ) IS NULL
                )
              )
            )
            AND (
              (
                value_num * f__body_height
              ) >= 0
            )
          )
          AND (
            (
              (
                value_num * f__body_height
              ) / 100.0
            ) >= 0.2
          )
        )
        AND (
          (
            (
              value_num * f__body_height
            ) / 100.0
          ) <= 2.75
        )
      )
      AND (
        (
          NOT (
            start_date IS NULL
          )
        ) AND (
          start_date <= CAST($d3 AS DATE)
        )
      )
  ) AS r
  WHERE
    rn = 1
), td_calls AS (
  SELECT
    p.person_id,
    p.sex AS sex,
    c.consent_date AS consent_date,
    CASE
      WHEN (
        (
          p.birth_date IS NULL
        )
        OR (
          COALESCE(consent_date, CAST($d0 AS DATE)) IS NULL
        )
      )
      OR (
        COALESCE(consent_date, CAST($d0 AS DATE)) < p.birth_date
      )
      THEN NULL
      WHEN (
        (
          YEAR(COALESCE(consent_date, CAST($d0 AS DATE))) - YEAR(p.birth_date)
        ) - CASE
          WHEN (
            MONTH(COALESCE(consent_date, CAST($d0 AS DATE))) < MONTH(p.birth_date)
          )
          OR (
            (
              MONTH(COALESCE(consent_date, CAST($d0 AS DATE))) = MONTH(p.birth_date)
            )
            AND (
              DAY(COALESCE(consent_date, CAST($d0 AS DATE))) < DAY(p.birth_date)
            )
          )
          THEN 1
          ELSE 0
        END
      ) > 122
      THEN NULL
      ELSE (
        YEAR(COALESCE(consent_date, CAST($d0 AS DATE))) - YEAR(p.birth_date)
      ) - CASE
        WHEN (
          MONTH(COALESCE(consent_date, CAST($d0 AS DATE))) < MONTH(p.birth_date)
        )
        OR (
          (
            MONTH(COALESCE(consent_date, CAST($d0 AS DATE))) = MONTH(p.birth_date)
          )
          AND (
            DAY(COALESCE(consent_date, CAST($d0 AS DATE))) < DAY(p.birth_date)
          )
        )
        THEN 1
        ELSE 0
      END
    END AS v0,
    CASE
      WHEN (
        (
          p.birth_date IS NULL
        )
        OR (
          COALESCE(consent_date, CAST($d0 AS DATE)) IS NULL
        )
      )
      OR (
        COALESCE(consent_date, CAST($d0 AS DATE)) < p.birth_date
      )
      THEN NULL
      WHEN (
        (
          YEAR(COALESCE(consent_date, CAST($d0 AS DATE))) - YEAR(p.birth_date)
        ) - CASE
          WHEN (
            MONTH(COALESCE(consent_date, CAST($d0 AS DATE))) < MONTH(p.birth_date)
          )
          OR (
            (
              MONTH(COALESCE(consent_date, CAST($d0 AS DATE))) = MONTH(p.birth_date)
            )
            AND (
              DAY(COALESCE(consent_date, CAST($d0 AS DATE))) < DAY(p.birth_date)
            )
          )
          THEN 1
          ELSE 0
        END
      ) > 122
      THEN NULL
      ELSE (
        YEAR(COALESCE(consent_date, CAST($d0 AS DATE))) - YEAR(p.birth_date)
      ) - CASE
        WHEN (
          MONTH(COALESCE(consent_date, CAST($d0 AS DATE))) < MONTH(p.birth_date)
        )
        OR (
          (
            MONTH(COALESCE(consent_date, CAST($d0 AS DATE))) = MONTH(p.birth_date)
          )
          AND (
            DAY(COALESCE(consent_date, CAST($d0 AS DATE))) < DAY(p.birth_date)
          )
        )
        THEN 1
        ELSE 0
      END
    END AS v1,
    CASE WHEN COALESCE(a0, 0) = 2 THEN TRUE WHEN COALESCE(a0, 0) = 0 THEN FALSE END AS v2,
    CASE
      WHEN a1 IS NULL
      THEN CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a2 / 59.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a2 / 41.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END
      WHEN CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a2 / 59.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a2 / 41.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END IS NULL
      THEN a1
      WHEN a1 >= CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a2 / 59.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a2 / 41.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END
      THEN a1
      ELSE CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a2 / 59.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a2 / 41.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END
    END AS v3,
    CASE
      WHEN a1 IS NULL
      THEN CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a2 / 59.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a2 / 41.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END
      WHEN CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a2 / 59.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a2 / 41.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END IS NULL
      THEN a1
      WHEN a1 >= CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a2 / 59.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a2 / 41.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END
      THEN a1
      ELSE CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a2 / 59.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a2 / 41.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END
    END AS v4,
    CASE
      WHEN a3 IS NULL
      THEN CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex IS NULL
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END
      WHEN CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex IS NULL
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END IS NULL
      THEN a3
      WHEN a3 >= CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex IS NULL
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END
      THEN a3
      ELSE CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex IS NULL
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END
    END AS v5,
    CASE
      WHEN a3 IS NULL
      THEN CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex IS NULL
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END
      WHEN CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex IS NULL
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END IS NULL
      THEN a3
      WHEN a3 >= CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex IS NULL
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END
      THEN a3
      ELSE CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex IS NULL
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END
    END AS v6,
    CASE
      WHEN NOT (
        l0_v IS NULL
      )
      THEN l0_v
      ELSE FLOOR(
        (
          (
            l1_v / (
              (
                l2_v / 100.0
              ) * (
                l2_v / 100.0
              )
            )
          ) * 10
        ) + 0.5
      ) / 10.0
    END AS v7,
    CASE
      WHEN NOT (
        l0_v IS NULL
      )
      THEN l0_v
      ELSE FLOOR(
        (
          (
            l1_v / (
              (
                l2_v / 100.0
              ) * (
                l2_v / 100.0
              )
            )
          ) * 10
        ) + 0.5
      ) / 10.0
    END AS v8,
    CASE WHEN COALESCE(a5, 0) = 2 THEN TRUE WHEN COALESCE(a5, 0) = 0 THEN FALSE END AS v9
  FROM td_person AS p
  LEFT JOIN td_consent AS c
    ON c.c_pid = p.person_id
  LEFT JOIN td_agg0
    ON td_agg0_pid = p.person_id
  LEFT JOIN td_agg1
    ON td_agg1_pid = p.person_id
  LEFT JOIN td_agg2
    ON td_agg2_pid = p.person_id
  LEFT JOIN l0
    ON l0_pid = p.person_id
  LEFT JOIN l1
    ON l1_pid = p.person_id
  LEFT JOIN l2
    ON l2_pid = p.person_id
)
SELECT
  person_id,
  CASE
    WHEN (
      (
        CASE WHEN 18.0 <= v0 THEN TRUE WHEN 18.0 > v1 THEN FALSE END
      )
      AND (
        CASE WHEN v1 <= 65.0 THEN TRUE WHEN v0 > 65.0 THEN FALSE END
      )
    )
    THEN 1
    WHEN (
      (
        CASE WHEN 18.0 <= v0 THEN TRUE WHEN 18.0 > v1 THEN FALSE END
      )
      AND (
        CASE WHEN v1 <= 65.0 THEN TRUE WHEN v0 > 65.0 THEN FALSE END
      )
    ) IS NULL
    THEN 2
    WHEN FALSE
    THEN 3
    WHEN FALSE IS NULL
    THEN 2
    ELSE 0
  END AS c_I2,
  CASE
    WHEN (
      v2
    )
    THEN 1
    WHEN (
      v2
    ) IS NULL
    THEN 2
    WHEN FALSE
    THEN 3
    WHEN FALSE IS NULL
    THEN 2
    ELSE 0
  END AS c_E8,
  CASE
    WHEN (
      (
        CASE WHEN 2.0 <= v3 THEN TRUE WHEN 2.0 > v4 THEN FALSE END
      )
      OR (
        CASE WHEN 2.0 <= v5 THEN TRUE WHEN 2.0 > v6 THEN FALSE END
      )
    )
    THEN 1
    WHEN (
      (
        CASE WHEN 2.0 <= v3 THEN TRUE WHEN 2.0 > v4 THEN FALSE END
      )
      OR (
        CASE WHEN 2.0 <= v5 THEN TRUE WHEN 2.0 > v6 THEN FALSE END
      )
    ) IS NULL
    THEN 2
    WHEN FALSE
    THEN 3
    WHEN FALSE IS NULL
    THEN 2
    ELSE 0
  END AS c_E10,
  CASE
    WHEN (
      CASE WHEN 30.0 < v7 THEN TRUE WHEN 30.0 >= v8 THEN FALSE END
    )
    THEN 1
    WHEN (
      CASE WHEN 30.0 < v7 THEN TRUE WHEN 30.0 >= v8 THEN FALSE END
    ) IS NULL
    THEN 2
    WHEN FALSE
    THEN 3
    WHEN FALSE IS NULL
    THEN 2
    ELSE 0
  END AS c_E15,
  CASE
    WHEN (
      v9
    )
    THEN 1
    WHEN (
      v9
    ) IS NULL
    THEN 2
    WHEN FALSE
    THEN 3
    WHEN FALSE IS NULL
    THEN 2
    ELSE 0
  END AS c_E24
FROM td_calls
ORDER BY
  person_id
