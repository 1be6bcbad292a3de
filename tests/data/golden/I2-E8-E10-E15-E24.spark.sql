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
      ELSE GREATEST(CAST(condition_end_date AS DATE), CAST(condition_start_date AS DATE))
    END AS end_date,
    CAST(NULL AS DOUBLE) AS value_num,
    CAST(NULL AS BIGINT) AS unit_cid,
    CAST(NULL AS STRING) AS unit_src,
    CAST(NULL AS DOUBLE) AS range_high,
    CAST(NULL AS BIGINT) AS vcid,
    CAST(NULL AS STRING) AS vstr,
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
    CAST(COALESCE(unit_source_value, '') AS STRING) AS unit_src,
    CAST(range_high AS DOUBLE) AS range_high,
    CAST(COALESCE(value_as_concept_id, 0) AS BIGINT) AS vcid,
    CAST(NULL AS STRING) AS vstr,
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
    CAST(COALESCE(unit_source_value, '') AS STRING) AS unit_src,
    CAST(NULL AS DOUBLE) AS range_high,
    CAST(COALESCE(value_as_concept_id, 0) AS BIGINT) AS vcid,
    CAST(value_as_string AS STRING) AS vstr,
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
      ELSE GREATEST(CAST(drug_exposure_end_date AS DATE), CAST(drug_exposure_start_date AS DATE))
    END AS end_date,
    CAST(NULL AS DOUBLE) AS value_num,
    CAST(NULL AS BIGINT) AS unit_cid,
    CAST(NULL AS STRING) AS unit_src,
    CAST(NULL AS DOUBLE) AS range_high,
    CAST(NULL AS BIGINT) AS vcid,
    CAST(NULL AS STRING) AS vstr,
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
    CAST(NULL AS STRING) AS unit_src,
    CAST(NULL AS DOUBLE) AS range_high,
    CAST(NULL AS BIGINT) AS vcid,
    CAST(NULL AS STRING) AS vstr,
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
      ELSE GREATEST(CAST(device_exposure_end_date AS DATE), CAST(device_exposure_start_date AS DATE))
    END AS end_date,
    CAST(NULL AS DOUBLE) AS value_num,
    CAST(NULL AS BIGINT) AS unit_cid,
    CAST(NULL AS STRING) AS unit_src,
    CAST(NULL AS DOUBLE) AS range_high,
    CAST(NULL AS BIGINT) AS vcid,
    CAST(NULL AS STRING) AS vstr,
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
      ELSE GREATEST(CAST(visit_end_date AS DATE), CAST(visit_start_date AS DATE))
    END AS end_date,
    CAST(NULL AS DOUBLE) AS value_num,
    CAST(NULL AS BIGINT) AS unit_cid,
    CAST(NULL AS STRING) AS unit_src,
    CAST(NULL AS DOUBLE) AS range_high,
    CAST(NULL AS BIGINT) AS vcid,
    CAST(NULL AS STRING) AS vstr,
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
    k.m__ast,
    k.m__bmi,
    k.m__body_height,
    k.m__body_weight,
    k.m__intra_articular_injection,
    k.m__live_virus_vaccine,
    u.f__alt,
    u.f__ast,
    u.f__bmi,
    u.f__body_height,
    u.f__body_weight,
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
            start_date <= CAST(:d1 AS DATE)
          ) AND (
            CAST(:d5 AS DATE) <= end_date
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
              CAST(:d4 AS DATE) <= start_date
            ) AND (
              start_date <= CAST(:d3 AS DATE)
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
              CAST(:d4 AS DATE) <= start_date
            ) AND (
              start_date <= CAST(:d3 AS DATE)
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
              CAST(:d4 AS DATE) <= start_date
            ) AND (
              start_date <= CAST(:d3 AS DATE)
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
              CAST(:d4 AS DATE) <= start_date
            ) AND (
              start_date <= CAST(:d3 AS DATE)
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
              start_date <= CAST(:d1 AS DATE)
            ) AND (
              CAST(:d2 AS DATE) <= end_date
            )
            THEN 2
            ELSE 0
          END <= CASE
            WHEN laterality IS NULL
            THEN 1
            WHEN CAST(:target_knee AS STRING) IS NULL
            THEN 1
            WHEN (
              laterality = 'bilateral'
            ) OR (
              laterality = CAST(:target_knee AS STRING)
            )
            THEN 2
            ELSE 0
          END
          THEN CASE
            WHEN start_date IS NULL
            THEN 1
            WHEN (
              start_date <= CAST(:d1 AS DATE)
            ) AND (
              CAST(:d2 AS DATE) <= end_date
            )
            THEN 2
            ELSE 0
          END
          ELSE CASE
            WHEN laterality IS NULL
            THEN 1
            WHEN CAST(:target_knee AS STRING) IS NULL
            THEN 1
            WHEN (
              laterality = 'bilateral'
            ) OR (
              laterality = CAST(:target_knee AS STRING)
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
    MAX(CASE WHEN observation_date <= CAST(:d0 AS DATE) THEN observation_date END) AS consent_date
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
          CAST(:d4 AS DATE) <= start_date
        ) AND (
          start_date <= CAST(:d3 AS DATE)
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
          CAST(:d4 AS DATE) <= start_date
        ) AND (
          start_date <= CAST(:d3 AS DATE)
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
          start_date <= CAST(:d3 AS DATE)
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
          COALESCE(consent_date, CAST(:d0 AS DATE)) IS NULL
        )
      )
      OR (
        COALESCE(consent_date, CAST(:d0 AS DATE)) < p.birth_date
      )
      THEN NULL
      WHEN (
        (
          YEAR(COALESCE(consent_date, CAST(:d0 AS DATE))) - YEAR(p.birth_date)
        ) - CASE
          WHEN (
            MONTH(COALESCE(consent_date, CAST(:d0 AS DATE))) < MONTH(p.birth_date)
          )
          OR (
            (
              MONTH(COALESCE(consent_date, CAST(:d0 AS DATE))) = MONTH(p.birth_date)
            )
            AND (
              DAY(COALESCE(consent_date, CAST(:d0 AS DATE))) < DAY(p.birth_date)
            )
          )
          THEN 1
          ELSE 0
        END
      ) > 122
      THEN NULL
      ELSE (
        YEAR(COALESCE(consent_date, CAST(:d0 AS DATE))) - YEAR(p.birth_date)
      ) - CASE
        WHEN (
          MONTH(COALESCE(consent_date, CAST(:d0 AS DATE))) < MONTH(p.birth_date)
        )
        OR (
          (
            MONTH(COALESCE(consent_date, CAST(:d0 AS DATE))) = MONTH(p.birth_date)
          )
          AND (
            DAY(COALESCE(consent_date, CAST(:d0 AS DATE))) < DAY(p.birth_date)
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
          COALESCE(consent_date, CAST(:d0 AS DATE)) IS NULL
        )
      )
      OR (
        COALESCE(consent_date, CAST(:d0 AS DATE)) < p.birth_date
      )
      THEN NULL
      WHEN (
        (
          YEAR(COALESCE(consent_date, CAST(:d0 AS DATE))) - YEAR(p.birth_date)
        ) - CASE
          WHEN (
            MONTH(COALESCE(consent_date, CAST(:d0 AS DATE))) < MONTH(p.birth_date)
          )
          OR (
            (
              MONTH(COALESCE(consent_date, CAST(:d0 AS DATE))) = MONTH(p.birth_date)
            )
            AND (
              DAY(COALESCE(consent_date, CAST(:d0 AS DATE))) < DAY(p.birth_date)
            )
          )
          THEN 1
          ELSE 0
        END
      ) > 122
      THEN NULL
      ELSE (
        YEAR(COALESCE(consent_date, CAST(:d0 AS DATE))) - YEAR(p.birth_date)
      ) - CASE
        WHEN (
          MONTH(COALESCE(consent_date, CAST(:d0 AS DATE))) < MONTH(p.birth_date)
        )
        OR (
          (
            MONTH(COALESCE(consent_date, CAST(:d0 AS DATE))) = MONTH(p.birth_date)
          )
          AND (
            DAY(COALESCE(consent_date, CAST(:d0 AS DATE))) < DAY(p.birth_date)
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
