"""A small sound study folder with a conduct half (schedule, forms, endpoints), which the
loader tests break one file at a time."""

from __future__ import annotations

import shutil
from pathlib import Path

from trialdesk.study.loader import BUNDLED

DEFAULT = BUNDLED / "NCT06947746"

SCHEDULE = """\
day1: day1
baseline_visit: D1
time_zone: Asia/Shanghai
procedures:
  ecg: {en: ECG, zh-CN: 心电图}
  scan:
    name: {en: Knee scan, zh-CN: 膝关节扫描}
    plain: {en: A scan of the knee, zh-CN: 膝关节检查}
visits:
  - id: SCR
    name: {en: Screening, zh-CN: 筛选}
    visitnum: 1
    epoch: SCREENING
    days: {from: -28, to: -1}
    anchor: screening
    forms: [vitals]
    procedures: [ecg]
  - id: D1
    name: {en: Day 1, zh-CN: 第1天}
    visitnum: 2
    epoch: TREATMENT
    day: 1
    window: {before: 0, after: 0}
    anchor: day1
    forms: [vitals, injection, scores]
  - id: W4
    name: {en: Week 4, zh-CN: 第4周}
    visitnum: 3
    epoch: FOLLOW-UP
    day: 29
    window: {before: 3, after: 3}
    forms: [vitals, scores]
    procedures: [scan]
  - id: ET
    name: {en: Early termination, zh-CN: 提前终止}
    kind: early_termination
    visitnum: 99
    epoch: FOLLOW-UP
    forms: [vitals]
"""

INJECTION = """\
id: injection
title: {en: Injection, zh-CN: 注射}
items:
  - id: administered_at
    label: {en: Date and time, zh-CN: 日期和时间}
    type: datetime
    required: true
  - id: knee
    label: {en: Knee, zh-CN: 膝关节}
    type: choice
    choices:
      - {code: left, label: {en: Left, zh-CN: 左}}
      - {code: right, label: {en: Right, zh-CN: 右}}
    parameter: target_knee
"""

VITALS = """\
id: vitals
title: {en: Vital signs, zh-CN: 生命体征}
items:
  - id: sysbp
    label: {en: Systolic, zh-CN: 收缩压}
    type: integer
    unit: mm[Hg]
    range: {min: 50, max: 300}
    expected: {low: 90, high: 159}
    concept: systolic_bp
    sdtm: {domain: VS, testcd: SYSBP, ct: C25298}
  - id: diabp
    label: {en: Diastolic, zh-CN: 舒张压}
    type: integer
    unit: mm[Hg]
    concept: diastolic_bp
checks:
  - id: dbp_over_sbp
    rule: >-
      latest(diastolic_bp, within=window(visit, visit))
      >= latest(systolic_bp, within=window(visit, visit))
    message: {en: Check both, zh-CN: 请核对}
    items: [diabp, sysbp]
"""

SCORES = """\
id: scores
title: {en: Scores, zh-CN: 评分}
items:
  - id: tjc28
    label: {en: Tender, zh-CN: 压痛}
    type: integer
    range: {min: 0, max: 28}
  - id: sjc28
    label: {en: Swollen, zh-CN: 肿胀}
    type: integer
    range: {min: 0, max: 28}
  - id: crp
    label: {en: CRP, zh-CN: CRP}
    type: decimal
    unit: mg/L
    range: {min: 0, max: 1000}
  - id: ptga
    label: {en: Patient global, zh-CN: 患者总体评估}
    type: integer
    unit: mm
    range: {min: 0, max: 100}
  - id: das28
    label: {en: DAS28-CRP, zh-CN: DAS28-CRP}
    type: decimal
    derived:
      calculator: das28_crp
      inputs: {tjc28: tjc28, sjc28: sjc28, crp: crp, patient_global: ptga}
  - id: eular
    label: {en: EULAR response, zh-CN: EULAR反应}
    type: choice
    choices:
      - {code: good, label: {en: Good, zh-CN: 良好}}
      - {code: moderate, label: {en: Moderate, zh-CN: 中等}}
      - {code: none, label: {en: None, zh-CN: 无}}
    derived:
      calculator: eular_response
      inputs: {baseline: "baseline:das28", current: das28}
"""

ENDPOINTS = """\
assumption: true
source: a test
endpoints:
  - id: teae
    primary: true
    kind: teae_count
    measure: {en: TEAEs, zh-CN: 不良事件}
    time_frame: {en: Day 1 to week 4, zh-CN: 第1天至第4周}
    visit: W4
  - id: das28_change
    kind: change_from_baseline
    measure: {en: DAS28-CRP change, zh-CN: DAS28-CRP变化}
    time_frame: {en: Day 1 to week 4, zh-CN: 第1天至第4周}
    visit: W4
    reads: [scores.das28]
"""

MEDS = """\
id: meds
title: {en: Medications, zh-CN: 药物}
repeating: true
items:
  - id: dose
    label: {en: Dose, zh-CN: 剂量}
    type: decimal
    unit: mg/L
"""

FILES = {
    "schedule.yaml": SCHEDULE,
    "forms/meds.yaml": MEDS,
    "forms/injection.yaml": INJECTION,
    "forms/vitals.yaml": VITALS,
    "forms/scores.yaml": SCORES,
    "endpoints.yaml": ENDPOINTS,
}


def conduct_folder(where: Path, changes: dict[str, str | None] | None = None) -> Path:
    """A study folder (the default study's record, criteria, value sets and dates) with
    the small conduct half above; ``changes`` maps a file ("forms/vitals.yaml") to new
    text, or to None to leave it out."""
    folder = where / "study"
    folder.mkdir()
    for name in ("ctgov.json", "criteria.yaml", "valuesets.yaml", "participant.yaml"):
        shutil.copy(DEFAULT / name, folder / name)
    (folder / "forms").mkdir()
    files: dict[str, str | None] = {**FILES, **(changes or {})}
    for name, text in files.items():
        if text is not None:
            (folder / name).write_text(text, encoding="utf-8")
    return folder
