WITH td_drug_exposure AS (
  SELECT
    person_id AS td_drug_exposure_pid,
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
            WHEN laterality = 'elsewhere'
            THEN 1
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
            WHEN laterality = 'elsewhere'
            THEN 1
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
    ) AS a0_td_drug_exposure,
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
    ) AS a8
  FROM (
    SELECT
      f.end_date,
      f.person_id,
      f.start_date,
      k.m__intra_articular_injection,
      k.m__live_virus_vaccine,
      k.laterality
    FROM (
      SELECT
        *
      FROM (
        SELECT
          person_id AS person_id,
          CAST(COALESCE(drug_concept_id, 0) AS BIGINT) AS cid,
          CAST(COALESCE(drug_source_concept_id, 0) AS BIGINT) AS sid,
          CAST(COALESCE(route_concept_id, 0) AS BIGINT) AS aux,
          CAST(drug_exposure_start_date AS DATE) AS start_date,
          CASE
            WHEN CAST(drug_exposure_end_date AS DATE) IS NULL
            THEN CAST(drug_exposure_start_date AS DATE)
            ELSE GREATEST(CAST(drug_exposure_end_date AS DATE), CAST(drug_exposure_start_date AS DATE))
          END AS end_date
        FROM drug_exposure
      ) AS f0
      WHERE
        (
          start_date IS NULL
        ) OR (
          end_date >= CAST(:d2 AS DATE)
        )
    ) AS f
    JOIN (
      SELECT
        kind,
        cid,
        sid,
        aux,
        m__intra_articular_injection,
        m__live_virus_vaccine,
        laterality,
        LEAST(
          CASE WHEN m__intra_articular_injection THEN CAST(:d2 AS DATE) END,
          CASE WHEN m__live_virus_vaccine THEN CAST(:d5 AS DATE) END
        ) AS floor_date
      FROM td_codes
      WHERE
        kind IN ('immunization', 'medication')
        AND (
          m__intra_articular_injection OR m__live_virus_vaccine
        )
    ) AS k
      ON (
        (
          f.cid = k.cid
        ) AND (
          f.sid = k.sid
        )
      ) AND (
        f.aux = k.aux
      )
    WHERE
      (
        (
          f.start_date IS NULL
        ) OR (
          k.floor_date IS NULL
        )
      )
      OR (
        f.end_date >= k.floor_date
      )
  ) AS r
  GROUP BY
    person_id
), td_measurement AS (
  SELECT
    *,
    (
      a7
    )[1] AS d0,
    (
      a6
    )[1] AS d1,
    (
      a5
    )[1] AS d2
  FROM (
    SELECT
      person_id AS td_measurement_pid,
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
      ) AS a4,
      MAX(
        CASE
          WHEN (
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
          THEN ARRAY(
            CAST(DATEDIFF(DAY, CAST('1970-01-01' AS DATE), start_date) AS DOUBLE),
            CAST(value_num * f__bmi AS DOUBLE),
            CAST(CASE WHEN range_high IS NULL THEN 0 WHEN value_num > range_high THEN 2 ELSE 1 END AS DOUBLE)
          )
        END
      ) AS a5,
      MAX(
        CASE
          WHEN (
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
          THEN ARRAY(
            CAST(DATEDIFF(DAY, CAST('1970-01-01' AS DATE), start_date) AS DOUBLE),
            CAST(value_num * f__body_weight AS DOUBLE),
            CAST(CASE WHEN range_high IS NULL THEN 0 WHEN value_num > range_high THEN 2 ELSE 1 END AS DOUBLE)
          )
        END
      ) AS a6,
      MAX(
        CASE
          WHEN (
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
          THEN ARRAY(
            CAST(DATEDIFF(DAY, CAST('1970-01-01' AS DATE), start_date) AS DOUBLE),
            CAST(value_num * f__body_height AS DOUBLE),
            CAST(CASE WHEN range_high IS NULL THEN 0 WHEN value_num > range_high THEN 2 ELSE 1 END AS DOUBLE)
          )
        END
      ) AS a7
    FROM (
      SELECT
        f.end_date,
        f.person_id,
        f.range_high,
        f.start_date,
        f.value_num,
        k.m__alt,
        k.m__ast,
        k.m__bmi,
        k.m__body_height,
        k.m__body_weight,
        u.f__alt,
        u.f__ast,
        u.f__bmi,
        u.f__body_height,
        u.f__body_weight
      FROM (
        SELECT
          *
        FROM (
          SELECT
            person_id AS person_id,
            CAST(COALESCE(measurement_concept_id, 0) AS BIGINT) AS cid,
            CAST(COALESCE(measurement_source_concept_id, 0) AS BIGINT) AS sid,
            CAST(0 AS BIGINT) AS aux,
            CAST(measurement_date AS DATE) AS start_date,
            CAST(measurement_date AS DATE) AS end_date,
            CAST(value_as_number AS DOUBLE) AS value_num,
            CAST(COALESCE(unit_concept_id, 0) AS BIGINT) AS unit_cid,
            CAST(CASE
              WHEN unit_concept_id IN (3000078)
              THEN ''
              ELSE COALESCE(unit_source_value, '')
            END AS STRING) AS unit_src,
            CAST(range_high AS DOUBLE) AS range_high
          FROM measurement
          UNION ALL
          SELECT
            person_id AS person_id,
            CAST(COALESCE(observation_concept_id, 0) AS BIGINT) AS cid,
            CAST(COALESCE(observation_source_concept_id, 0) AS BIGINT) AS sid,
            CAST(COALESCE(qualifier_concept_id, 0) AS BIGINT) AS aux,
            CAST(observation_date AS DATE) AS start_date,
            CAST(observation_date AS DATE) AS end_date,
            CAST(value_as_number AS DOUBLE) AS value_num,
            CAST(COALESCE(unit_concept_id, 0) AS BIGINT) AS unit_cid,
            CAST(CASE
              WHEN unit_concept_id IN (3000078)
              THEN ''
              ELSE COALESCE(unit_source_value, '')
            END AS STRING) AS unit_src,
            CAST(NULL AS DOUBLE) AS range_high
          FROM observation
          WHERE
            TRUE
        ) AS f0
        WHERE
          (
            start_date IS NULL
          ) OR (
            end_date >= CAST(:d4 AS DATE)
          )
      ) AS f
      JOIN (
        SELECT
          kind,
          cid,
          sid,
          aux,
          m__alt,
          m__ast,
          m__bmi,
          m__body_height,
          m__body_weight,
          CASE
            WHEN (
              m__body_height
            )
            THEN NULL
            ELSE LEAST(
              CASE WHEN m__alt THEN CAST(:d4 AS DATE) END,
              CASE WHEN m__ast THEN CAST(:d4 AS DATE) END,
              CASE WHEN m__bmi THEN CAST(:d4 AS DATE) END,
              CASE WHEN m__body_weight THEN CAST(:d4 AS DATE) END
            )
          END AS floor_date
        FROM td_codes
        WHERE
          kind IN ('observation')
          AND (
            (
              (
                (
                  m__alt OR m__ast
                ) OR m__bmi
              ) OR m__body_height
            )
            OR m__body_weight
          )
      ) AS k
        ON (
          (
            f.cid = k.cid
          ) AND (
            f.sid = k.sid
          )
        ) AND (
          f.aux = k.aux
        )
      LEFT JOIN td_units AS u
        ON (
          f.unit_cid = u.unit_cid
        ) AND (
          f.unit_src = u.unit_src
        )
      WHERE
        (
          (
            f.start_date IS NULL
          ) OR (
            k.floor_date IS NULL
          )
        )
        OR (
          f.end_date >= k.floor_date
        )
    ) AS r
    GROUP BY
      person_id
  ) AS t
), td_procedure_occurrence AS (
  SELECT
    person_id AS td_procedure_occurrence_pid,
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
            WHEN laterality = 'elsewhere'
            THEN 1
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
            WHEN laterality = 'elsewhere'
            THEN 1
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
    ) AS a0_td_procedure_occurrence
  FROM (
    SELECT
      f.end_date,
      f.person_id,
      f.start_date,
      k.m__intra_articular_injection,
      k.laterality
    FROM (
      SELECT
        *
      FROM (
        SELECT
          person_id AS person_id,
          CAST(COALESCE(procedure_concept_id, 0) AS BIGINT) AS cid,
          CAST(COALESCE(procedure_source_concept_id, 0) AS BIGINT) AS sid,
          CAST(COALESCE(modifier_concept_id, 0) AS BIGINT) AS aux,
          CAST(procedure_date AS DATE) AS start_date,
          CAST(procedure_date AS DATE) AS end_date
        FROM procedure_occurrence
      ) AS f0
      WHERE
        (
          start_date IS NULL
        ) OR (
          end_date >= CAST(:d2 AS DATE)
        )
    ) AS f
    JOIN (
      SELECT
        kind,
        cid,
        sid,
        aux,
        m__intra_articular_injection,
        laterality,
        CASE WHEN m__intra_articular_injection THEN CAST(:d2 AS DATE) END AS floor_date
      FROM td_codes
      WHERE
        kind IN ('procedure') AND (
          m__intra_articular_injection
        )
    ) AS k
      ON (
        (
          f.cid = k.cid
        ) AND (
          f.sid = k.sid
        )
      ) AND (
        f.aux = k.aux
      )
    WHERE
      (
        (
          f.start_date IS NULL
        ) OR (
          k.floor_date IS NULL
        )
      )
      OR (
        f.end_date >= k.floor_date
      )
  ) AS r
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
    NULLIF(COALESCE(GREATEST(a0_td_drug_exposure, a0_td_procedure_occurrence), 0), 1) = 2 AS v1,
    GREATEST(
      a1,
      CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a2 / 59.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a2 / 41.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END
    ) AS v2,
    GREATEST(
      a3,
      CASE
        WHEN p.sex = 'male'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex = 'female'
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
        WHEN p.sex IS NULL
        THEN CAST(ROUND(CAST(a4 / 34.0 AS DECIMAL(38, 12)), 6) AS DOUBLE)
      END
    ) AS v3,
    CASE
      WHEN NOT (
        d2 IS NULL
      )
      THEN d2
      ELSE FLOOR(
        (
          (
            d1 / (
              (
                d0 / 100.0
              ) * (
                d0 / 100.0
              )
            )
          ) * 10
        ) + 0.5
      ) / 10.0
    END AS v4,
    NULLIF(COALESCE(a8, 0), 1) = 2 AS v5
  FROM td_person AS p
  LEFT JOIN td_consent AS c
    ON c.c_pid = p.person_id
  LEFT JOIN td_drug_exposure
    ON td_drug_exposure_pid = p.person_id
  LEFT JOIN td_measurement
    ON td_measurement_pid = p.person_id
  LEFT JOIN td_procedure_occurrence
    ON td_procedure_occurrence_pid = p.person_id
)
SELECT
  person_id,
  COALESCE(
    CAST((
      (
        CASE WHEN 18.0 <= v0 THEN TRUE WHEN 18.0 > v0 THEN FALSE END
      )
      AND (
        CASE WHEN v0 <= 65.0 THEN TRUE WHEN v0 > 65.0 THEN FALSE END
      )
    ) AS INT),
    2
  ) AS c_I2,
  COALESCE(CAST((
    v1
  ) AS INT), 2) AS c_E8,
  COALESCE(
    CAST((
      (
        CASE WHEN 2.0 <= v2 THEN TRUE WHEN 2.0 > v2 THEN FALSE END
      )
      OR (
        CASE WHEN 2.0 <= v3 THEN TRUE WHEN 2.0 > v3 THEN FALSE END
      )
    ) AS INT),
    2
  ) AS c_E10,
  COALESCE(CAST((
    CASE WHEN 30.0 < v4 THEN TRUE WHEN 30.0 >= v4 THEN FALSE END
  ) AS INT), 2) AS c_E15,
  COALESCE(CAST((
    v5
  ) AS INT), 2) AS c_E24
FROM td_calls
ORDER BY
  person_id
