"""The conduct half of a study folder (schedule.yaml, forms/, endpoints.yaml): every
problem reported with its file, line, column and field, all at once; the default study's
schedule, forms and endpoints; a study that only screens has none."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.errors import StudyError
from trialdesk.study.endpoints import EndpointKind
from trialdesk.study.forms import ItemRef, ItemType, Severity
from trialdesk.study.loader import check_study, check_study_all, load_study
from trialdesk.study.schedule import VisitKind, date_of_day, shift_day, study_day

from .conduct_folder import FILES, conduct_folder

EYE_STUDY = Path(__file__).resolve().parents[1] / "data" / "studies" / "NCT09900001"


def _problems(folder: Path) -> list[str]:
    return [str(p).replace(f"{folder}/", "") for p in check_study(folder)]


def test_the_small_folder_is_sound(tmp_path: Path) -> None:
    folder = conduct_folder(tmp_path)
    assert check_study_all(folder) == ([], [])
    study = load_study(str(folder))
    assert study.schedule is not None
    assert [v.id for v in study.schedule.visits] == ["SCR", "D1", "W4", "ET"]
    w4 = study.schedule.visit("W4")
    assert (w4.day, w4.first_day, w4.last_day) == (29, 26, 32)
    assert study.schedule.procedure_plain["scan"].en == "A scan of the knee"
    assert sorted(study.forms) == ["injection", "meds", "scores", "vitals"]
    eular = study.forms["scores"].item("eular").derived
    assert eular is not None
    assert eular.inputs == (
        ("baseline", ItemRef("das28", baseline=True)),
        ("current", ItemRef("das28")),
    )
    assert [e.id for e in study.endpoints] == ["teae", "das28_change"]
    assert all(e.assumption and e.source == "a test" for e in study.endpoints)


# Each case breaks one thing in the sound folder: (file, text, replacement, the problem).
CASES = [
    pytest.param(
        "schedule.yaml",
        "day1: day1",
        "day1: dosing",
        (
            "schedule.yaml:1:7, field day1: day1 must name a date of participant.yaml "
            "(screening, baseline, consent, day1)"
        ),
        id="day1_undeclared",
    ),
    pytest.param(
        "schedule.yaml",
        "day1: day1",
        "day1: consent",
        (
            "schedule.yaml:1:7, field day1: day1 'consent' is read from the record: name a date "
            "set by staff or a form"
        ),
        id="day1_record",
    ),
    pytest.param(
        "schedule.yaml",
        "time_zone: Asia/Shanghai",
        "time_zone: Mars/Olympus",
        (
            "schedule.yaml:3:12, field time_zone: unknown time zone 'Mars/Olympus' (an IANA "
            "name, e.g. Asia/Shanghai)"
        ),
        id="time_zone",
    ),
    pytest.param(
        "schedule.yaml",
        "time_zone: Asia/Shanghai",
        "timezone: Asia/Shanghai",
        (
            "schedule.yaml:3:11, field timezone: unknown field 'timezone' (assumption, source, "
            "day1, baseline_visit, time_zone, procedures, visits)"
        ),
        id="unknown_top_field",
    ),
    pytest.param(
        "schedule.yaml",
        "  ecg: {en: ECG",
        "  ECG: {en: ECG",
        "schedule.yaml:5:8, field procedures.ECG: procedure id 'ECG' must be snake_case",
        id="procedure_id",
    ),
    pytest.param(
        "schedule.yaml",
        "  - id: W4",
        "  - id: week4",
        "schedule.yaml:26:9, field visits[2].id: 'week4' must be upper case, e.g. W4 or SCR",
        id="visit_id",
    ),
    pytest.param(
        "schedule.yaml",
        "  - id: W4",
        "  - id: D1",
        "schedule.yaml:26:9, field visits[2].id: visit D1 is declared twice",
        id="visit_twice",
    ),
    pytest.param(
        "schedule.yaml",
        "    visitnum: 3",
        "    visitnum: 2",
        "schedule.yaml:28:15, field visits.W4.visitnum: visitnum 2 is also visit D1's",
        id="visitnum_twice",
    ),
    pytest.param(
        "schedule.yaml",
        "    visitnum: 3",
        "    visitnum: three",
        "schedule.yaml:28:15, field visits.W4.visitnum: visitnum must be a number",
        id="visitnum_text",
    ),
    pytest.param(
        "schedule.yaml",
        "    epoch: FOLLOW-UP\n    day: 29",
        "    epoch: FOLLOWUP\n    day: 29",
        (
            "schedule.yaml:29:12, field visits.W4.epoch: epoch 'FOLLOWUP' is not a CDISC EPOCH "
            "term trialdesk knows (SCREENING, TREATMENT, INTERVENTION, FOLLOW-UP)"
        ),
        id="epoch",
    ),
    pytest.param(
        "schedule.yaml",
        "    kind: early_termination",
        "    kind: early",
        (
            "schedule.yaml:36:11, field visits.ET.kind: kind must be one of scheduled, "
            "early_termination, unscheduled"
        ),
        id="kind",
    ),
    pytest.param(
        "schedule.yaml",
        "    kind: early_termination",
        "    kind: early_termination\n    day: 40",
        (
            "schedule.yaml:37:10, field visits.ET.day: day is for scheduled visits: an early "
            "termination visit has no day and no window"
        ),
        id="et_has_day",
    ),
    pytest.param(
        "schedule.yaml",
        "    day: 29",
        "    day: 0",
        (
            "schedule.yaml:30:10, field visits.W4.day: there is no study day 0: the day before "
            "day 1 is day -1"
        ),
        id="day_zero",
    ),
    pytest.param(
        "schedule.yaml",
        "    window: {before: 3, after: 3}\n",
        "",
        "schedule.yaml:26:5, field visits.W4.window: a visit with a day needs its `window:`",
        id="no_window",
    ),
    pytest.param(
        "schedule.yaml",
        "    window: {before: 3, after: 3}",
        "    window: {before: -3, after: 3}",
        "schedule.yaml:31:22, field visits.W4.window.before: before must not be negative",
        id="negative_window",
    ),
    pytest.param(
        "schedule.yaml",
        "days: {from: -28, to: -1}",
        "days: {from: -1, to: -28}",
        "schedule.yaml:14:11, field visits.SCR.days: days: from must not be after to",
        id="days_reversed",
    ),
    pytest.param(
        "schedule.yaml",
        "    days: {from: -28, to: -1}",
        "    days: {from: -28, to: -1}\n    window: {before: 0, after: 0}",
        (
            "schedule.yaml:14:11, field visits.SCR.days: a visit has either days: {from, to} or "
            "a day with its window"
        ),
        id="days_and_window",
    ),
    pytest.param(
        "schedule.yaml",
        "    days: {from: -28, to: -1}\n",
        "",
        (
            "schedule.yaml:10:5, field visits.SCR.day: a scheduled visit needs a target `day:` "
            "and its `window:`, or `days: {from, to}`"
        ),
        id="no_timing",
    ),
    pytest.param(
        "schedule.yaml",
        "    day: 29",
        "    day: -30",
        (
            "schedule.yaml:26:5, field visits.W4: visit W4 comes before visit D1 in time: list "
            "scheduled visits in the order of their days"
        ),
        id="out_of_order",
    ),
    pytest.param(
        "schedule.yaml",
        "    anchor: screening",
        "    anchor: consent",
        (
            "schedule.yaml:15:13, field visits.SCR.anchor: anchor must name a date set by staff "
            "or a form (screening, baseline, day1)"
        ),
        id="anchor_unknown",
    ),
    pytest.param(
        "schedule.yaml",
        "    day: 1\n    window: {before: 0, after: 0}\n    anchor: day1",
        "    day: 2\n    window: {before: 0, after: 0}\n    anchor: day1",
        (
            "schedule.yaml:24:13, field visits.D1.anchor: the visit dated by day1 ('day1') must "
            "be on day 1"
        ),
        id="anchor_day1_not_day1",
    ),
    pytest.param(
        "schedule.yaml",
        "    procedures: [scan]",
        "    procedures: [scan, xray]",
        (
            "schedule.yaml:33:24, field visits.W4.procedures: unknown procedure 'xray' "
            "(procedures: ecg, scan)"
        ),
        id="procedure_unknown",
    ),
    pytest.param(
        "schedule.yaml",
        "    forms: [vitals, scores]",
        "    forms: [vitals, scores, vitals]",
        "schedule.yaml:32:13, field visits.W4.forms: 'vitals' is listed twice",
        id="form_twice",
    ),
    pytest.param(
        "schedule.yaml",
        "    forms: [vitals, scores]",
        "    forms: [vitals, scores, labs]",
        "schedule.yaml:32:29, field visits.W4.forms: no form 'labs' (forms/labs.yaml)",
        id="form_unknown",
    ),
    pytest.param(
        "schedule.yaml",
        "baseline_visit: D1",
        "baseline_visit: BL",
        (
            "schedule.yaml:2:17, field baseline_visit: baseline_visit 'BL' is not a visit of the "
            "schedule"
        ),
        id="baseline_unknown",
    ),
    pytest.param(
        "schedule.yaml",
        "baseline_visit: D1",
        "baseline_visit: ET",
        "schedule.yaml:2:17, field baseline_visit: baseline_visit must be a scheduled visit",
        id="baseline_unscheduled",
    ),
    pytest.param(
        "schedule.yaml",
        "day1: day1",
        "day1: day1\nassumption: true",
        ("schedule.yaml:1:1, field source: a protocol assumption must cite its source (`source:`)"),
        id="assumption_no_source",
    ),
    pytest.param(
        "schedule.yaml",
        "    name: {en: Week 4, zh-CN: 第4周}\n",
        "",
        "schedule.yaml:26:5, field visits.W4.name: visits.W4 needs `name:`",
        id="name_missing",
    ),
    pytest.param(
        "schedule.yaml",
        "{en: Week 4, zh-CN: 第4周}",
        "{en: Week 4, fr: Semaine 4}",
        "schedule.yaml:27:28, field visits.W4.name: unknown language 'fr' (en, zh-CN)",
        id="language",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "id: vitals",
        "id: vital_signs",
        (
            "forms/vitals.yaml:1:5, field id: the form in vitals.yaml must have the id 'vitals', "
            "not 'vital_signs'"
        ),
        id="form_id",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "  - id: diabp",
        "  - id: sysbp",
        "forms/vitals.yaml:12:9, field items[1].id: item sysbp is declared twice",
        id="item_twice",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "    type: integer\n    unit: mm[Hg]\n    concept",
        "    type: number\n    unit: mm[Hg]\n    concept",
        (
            "forms/vitals.yaml:14:11, field items.diabp.type: type must be one of integer, "
            "decimal, text, date, datetime, choice, boolean"
        ),
        id="item_type",
    ),
    pytest.param(
        "forms/injection.yaml",
        "    type: datetime",
        "    type: datetime\n    unit: s",
        (
            "forms/injection.yaml:7:11, field items.administered_at.unit: unit is for integer "
            "and decimal items"
        ),
        id="unit_on_text",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "range: {min: 50, max: 300}",
        "range: {min: 300, max: 50}",
        "forms/vitals.yaml:8:12, field items.sysbp.range: range: min is above max",
        id="range_reversed",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "expected: {low: 90, high: 159}",
        "expected: {low: 40, high: 159}",
        "forms/vitals.yaml:9:15, field items.sysbp.expected: expected.low is below range.min",
        id="expected_outside",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "range: {min: 50, max: 300}",
        "range: {min: 50, max: high}",
        "forms/vitals.yaml:8:27, field items.sysbp.range.max: max must be a whole number",
        id="range_text",
    ),
    pytest.param(
        "forms/injection.yaml",
        (
            "    choices:\n      - {code: left, label: {en: Left, zh-CN: 左}}\n"
            "      - {code: right, label: {en: Right, zh-CN: 右}}\n"
        ),
        "",
        "forms/injection.yaml:8:5, field items.knee.choices: a choice item needs its `choices:`",
        id="no_choices",
    ),
    pytest.param(
        "forms/scores.yaml",
        "    range: {min: 0, max: 28}\n  - id: sjc28",
        "    range: {min: 0, max: 28}\n    choices: [{code: a, label: A}]\n  - id: sjc28",
        "forms/scores.yaml:8:14, field items.tjc28.choices: choices are for choice items",
        id="choices_on_integer",
    ),
    pytest.param(
        "forms/injection.yaml",
        "{code: right,",
        "{code: left,",
        (
            "forms/injection.yaml:13:16, field items.knee.choices[1].code: code 'left' is listed "
            "twice"
        ),
        id="code_twice",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "concept: systolic_bp",
        "concept: systolic",
        "forms/vitals.yaml:10:14, field items.sysbp.concept: unknown value set 'systolic'",
        id="concept_unknown",
    ),
    pytest.param(
        "forms/injection.yaml",
        "parameter: target_knee",
        "parameter: target_eye",
        (
            "forms/injection.yaml:14:16, field items.knee.parameter: unknown parameter "
            "'target_eye' (participant.yaml: target_knee)"
        ),
        id="parameter_unknown",
    ),
    pytest.param(
        "forms/injection.yaml",
        "{code: right, label: {en: Right, zh-CN: 右}}",
        "{code: both, label: {en: Both, zh-CN: 双}}",
        (
            "forms/injection.yaml:14:16, field items.knee.parameter: an item equal to "
            "target_knee is a choice of exactly left, right"
        ),
        id="parameter_choices",
    ),
    pytest.param(
        "forms/scores.yaml",
        "    type: decimal\n    derived:\n      calculator: das28_crp",
        "    type: decimal\n    required: true\n    derived:\n      calculator: das28_crp",
        (
            "forms/scores.yaml:25:15, field items.das28.required: a derived item is computed, "
            "never typed: it cannot be required (require its inputs)"
        ),
        id="derived_required",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "domain: VS",
        "domain: vitals",
        (
            "forms/vitals.yaml:11:20, field items.sysbp.sdtm.domain: 'vitals' must be an SDTM "
            "domain (VS, LB, SUPPEX)"
        ),
        id="sdtm_domain",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "testcd: SYSBP",
        "testcd: SYSTOLICBP",
        (
            "forms/vitals.yaml:11:32, field items.sysbp.sdtm.testcd: 'SYSTOLICBP' must be an "
            "SDTM test code (8 characters)"
        ),
        id="sdtm_testcd",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "testcd: SYSBP,",
        "testcd: SYSBP, test: Systolic Blood Pressure Measured Seated After Rest,",
        ("forms/vitals.yaml:11:45, field items.sysbp.sdtm.test: test is longer than 40 characters"),
        id="sdtm_test_length",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "ct: C25298}",
        "ct: C25298, sponsor_defined: true}",
        (
            "forms/vitals.yaml:11:43, field items.sysbp.sdtm.ct: a sponsor-defined target has no "
            "CDISC CT code"
        ),
        id="sdtm_sponsor_ct",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "latest(diastolic_bp,",
        "latest(diastolic,",
        "forms/vitals.yaml:20:14, field checks.dbp_over_sbp.rule: unknown value set 'diastolic'",
        id="check_rule",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "    items: [diabp, sysbp]",
        "    items: [diabp, sbp]",
        "forms/vitals.yaml:23:20, field checks.dbp_over_sbp.items: no item 'sbp' on this form",
        id="check_item",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "    items: [diabp, sysbp]",
        "    items: [diabp, sysbp]\n    severity: fatal",
        (
            "forms/vitals.yaml:24:15, field checks.dbp_over_sbp.severity: severity is error or "
            "warning"
        ),
        id="check_severity",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "    items: [diabp, sysbp]\n",
        "",
        (
            "forms/vitals.yaml:18:5, field checks.dbp_over_sbp.items: a check names the `items:` "
            "its message is shown at"
        ),
        id="check_no_items",
    ),
    pytest.param(
        "forms/Vital-Signs.yaml",
        None,
        "id: x\n",
        "forms/Vital-Signs.yaml:1:1: form id 'Vital-Signs' (the file's name) must be snake_case",
        id="form_file_name",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "    concept: diastolic_bp\n",
        "    concept: [diastolic_bp\n",
        "forms/vitals.yaml:17:7: not valid YAML: did not find expected ',' or ']'",
        id="not_yaml",
    ),
    pytest.param(
        "forms/scores.yaml",
        "calculator: das28_crp",
        "calculator: das29",
        (
            "forms/scores.yaml:26:19, field items.das28.derived.calculator: unknown calculator "
            "'das29' (calculators: cdai, das28_crp, das28_esr, eular_response, haq_di, "
            "haq_di_without_aids, sdai, us_synovitis_combined, womac_function, womac_pain, "
            "womac_stiffness, womac_total)"
        ),
        id="calculator_unknown",
    ),
    pytest.param(
        "forms/scores.yaml",
        "patient_global: ptga}",
        "patient_global: ptga, esr: crp}",
        (
            "forms/scores.yaml:27:81, field items.das28.derived.inputs.esr: das28_crp takes no "
            "input 'esr' (inputs: tjc28, sjc28, crp, patient_global)"
        ),
        id="input_unknown",
    ),
    pytest.param(
        "forms/scores.yaml",
        ", patient_global: ptga}",
        "}",
        (
            "forms/scores.yaml:26:7, field items.das28.derived.inputs: das28_crp needs the "
            "input(s) patient_global"
        ),
        id="input_missing",
    ),
    pytest.param(
        "forms/scores.yaml",
        "crp: crp,",
        "crp: crp_mg,",
        (
            "forms/scores.yaml:27:49, field items.das28.derived.inputs.crp: no item 'crp_mg' on "
            "form scores"
        ),
        id="input_no_item",
    ),
    pytest.param(
        "forms/scores.yaml",
        "crp: crp,",
        "crp: labs.crp,",
        (
            "forms/scores.yaml:27:49, field items.das28.derived.inputs.crp: no form 'labs' "
            "(forms/labs.yaml)"
        ),
        id="input_no_form",
    ),
    pytest.param(
        "forms/scores.yaml",
        "crp: crp,",
        "crp: labs.crp.value,",
        (
            "forms/scores.yaml:27:49, field items.das28.derived.inputs.crp: 'labs.crp.value' is "
            "not an item reference (item, form.item, baseline:item or baseline:form.item)"
        ),
        id="input_ref_bad",
    ),
    pytest.param(
        "forms/scores.yaml",
        "tjc28: tjc28,",
        "tjc28: crp,",
        (
            "forms/scores.yaml:27:23, field items.das28.derived.inputs.tjc28: input tjc28 takes "
            "a whole number: crp is a decimal"
        ),
        id="input_kind",
    ),
    pytest.param(
        "forms/scores.yaml",
        "    range: {min: 0, max: 28}\n  - id: sjc28",
        "    range: {min: 0, max: 68}\n  - id: sjc28",
        (
            "forms/scores.yaml:27:23, field items.das28.derived.inputs.tjc28: tjc28 accepts "
            "values above 28, the most input tjc28 takes"
        ),
        id="input_bounds",
    ),
    pytest.param(
        "forms/scores.yaml",
        "      inputs: {baseline:",
        "      constants: {format: LK9}\n      inputs: {baseline:",
        (
            "forms/scores.yaml:36:7, field items.eular.derived.constants.format: eular_response "
            "takes no input 'format' (inputs: baseline, current)"
        ),
        id="constant_bad",
    ),
    pytest.param(
        "forms/scores.yaml",
        "  - id: das28\n    label: {en: DAS28-CRP, zh-CN: DAS28-CRP}\n    type: decimal",
        "  - id: das28\n    label: {en: DAS28-CRP, zh-CN: DAS28-CRP}\n    type: integer",
        (
            "forms/scores.yaml:26:7, field items.das28.derived: das28_crp gives a decimal value: "
            "the item must be a decimal"
        ),
        id="output_kind",
    ),
    pytest.param(
        "schedule.yaml",
        "baseline_visit: D1\n",
        "",
        (
            "endpoints.yaml:11:11, field endpoints.das28_change.kind: endpoint das28_change is a "
            "change from baseline: the schedule needs its `baseline_visit:`"
        ),
        id="no_baseline_visit",
    ),
    pytest.param(
        "forms/scores.yaml",
        "crp: crp,",
        "crp: das28,",
        (
            "forms/scores.yaml:27:49, field items.das28.derived.inputs.crp: input crp reads "
            "das28, which is in no unit, not mg/L"
        ),
        id="cycle",
    ),
    pytest.param(
        "forms/injection.yaml",
        "  - id: administered_at",
        "  - id: given_at",
        (
            "participant.yaml:12:80, field anchors.day1.item: no item 'administered_at' on form "
            "injection"
        ),
        id="anchor_form_item",
    ),
    pytest.param(
        "forms/injection.yaml",
        "    type: datetime",
        "    type: text",
        (
            "participant.yaml:12:80, field anchors.day1.item: item injection.administered_at is "
            "a text, not a date"
        ),
        id="anchor_form_type",
    ),
    pytest.param(
        "endpoints.yaml",
        "kind: teae_count",
        "kind: teae",
        (
            "endpoints.yaml:6:11, field endpoints.teae.kind: kind must be one of teae_count, "
            "change_from_baseline, category_at_visit"
        ),
        id="endpoint_kind",
    ),
    pytest.param(
        "endpoints.yaml",
        "    visit: W4\n    reads",
        "    visit: W24\n    reads",
        (
            "endpoints.yaml:14:12, field endpoints.das28_change.visit: no visit 'W24' in the "
            "schedule (D1, ET, SCR, W4)"
        ),
        id="endpoint_visit",
    ),
    pytest.param(
        "endpoints.yaml",
        "reads: [scores.das28]",
        "reads: [scores.das28_crp]",
        (
            "endpoints.yaml:15:13, field endpoints.das28_change.reads[0]: no item 'das28_crp' on "
            "form scores"
        ),
        id="endpoint_read",
    ),
    pytest.param(
        "endpoints.yaml",
        "reads: [scores.das28]",
        "reads: [das28]",
        (
            "endpoints.yaml:15:13, field endpoints.das28_change.reads[0]: an endpoint reads an "
            "item as form.item"
        ),
        id="endpoint_read_form",
    ),
    pytest.param(
        "endpoints.yaml",
        "    reads: [scores.das28]\n",
        "",
        (
            "endpoints.yaml:10:5, field endpoints.das28_change.reads: a change_from_baseline "
            "endpoint names the items it `reads:`"
        ),
        id="endpoint_no_reads",
    ),
    pytest.param(
        "endpoints.yaml",
        "  - id: das28_change",
        "  - id: teae",
        "endpoints.yaml:10:9, field endpoints[1].id: endpoint teae is declared twice",
        id="endpoint_twice",
    ),
    pytest.param(
        "endpoints.yaml",
        "source: a test\n",
        "",
        (
            "endpoints.yaml:1:1, field source: a protocol assumption must cite its source "
            "(`source:`)"
        ),
        id="endpoints_no_source",
    ),
    pytest.param(
        "forms/vitals.yaml",
        "    unit: mm[Hg]\n    range: {min: 50, max: 300}",
        "    unit: kg\n    range: {min: 50, max: 300}",
        (
            "forms/vitals.yaml:10:14, field items.sysbp.concept: the item feeds systolic_bp: it "
            "is in kg, not mm[Hg] (cannot convert kg to mm[Hg] for systolic_bp)"
        ),
        id="concept_unit",
    ),
    pytest.param(
        "forms/scores.yaml",
        "    unit: mg/L",
        "    unit: mm",
        (
            "forms/scores.yaml:27:49, field items.das28.derived.inputs.crp: input crp reads crp, "
            "which is in mm, not mg/L (cannot convert mm to mg/L)"
        ),
        id="input_unit",
    ),
    pytest.param(
        "forms/scores.yaml",
        "    unit: mg/L\n",
        "",
        (
            "forms/scores.yaml:26:49, field items.das28.derived.inputs.crp: input crp reads crp, "
            "which is in no unit, not mg/L"
        ),
        id="input_no_unit",
    ),
    pytest.param(
        "forms/womac.yaml",
        None,
        (
            "id: womac\ntitle: {en: WOMAC, zh-CN: WOMAC}\nitems:\n  - id: pain_1\n"
            "    label: {en: Pain 1, zh-CN: 疼痛1}\n"
            "    type: integer\n    range: {min: 0, max: 4}\n  - id: pain_score\n"
            "    label: {en: Pain, zh-CN: 疼痛}\n"
            "    type: decimal\n    derived:\n      calculator: womac_pain\n"
            "      constants: {format: LK9}\n      inputs: {pain_1: pain_1}\n"
        ),
        (
            "forms/womac.yaml:12:7, field items.pain_score.derived.constants.format: constant "
            "format: format must be one of LK3.1, NRS3.1, VA3.1, got 'LK9'"
        ),
        id="constant_value",
    ),
    pytest.param(
        "forms/scores.yaml",
        "crp: crp,",
        "crp: meds.dose,",
        (
            "forms/scores.yaml:27:49, field items.das28.derived.inputs.crp: form meds is a log "
            "form: it has no value per visit"
        ),
        id="log_form_input",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), CASES)
def test_each_problem_names_its_file_line_column_and_field(
    tmp_path: Path, file: str, old: str | None, new: str, expected: str
) -> None:
    text = new if old is None else FILES[file].replace(old, new)
    assert old is None or FILES[file].count(old) == 1
    folder = conduct_folder(tmp_path, {file: text})
    problems = _problems(folder)
    assert expected in problems, problems
    if "convert" in expected:
        # whether two different units convert is checked by `study check` (building the
        # UCUM registry takes seconds): loading the study for use trusts it
        load_study(str(folder))
    else:
        with pytest.raises(StudyError):
            load_study(str(folder))


def test_a_broken_folder_lists_every_problem_at_once(tmp_path: Path) -> None:
    folder = conduct_folder(
        tmp_path,
        {
            "schedule.yaml": FILES["schedule.yaml"].replace("day: 29", "day: 0"),
            "forms/vitals.yaml": FILES["forms/vitals.yaml"].replace("type: integer", "type: int"),
            "forms/scores.yaml": FILES["forms/scores.yaml"].replace("das28_crp", "das29"),
            "endpoints.yaml": FILES["endpoints.yaml"].replace("teae_count", "teae"),
        },
    )
    problems = _problems(folder)
    # in the order they are read: forms, schedule, endpoints, then what crosses them
    assert [p.split(", field")[0] for p in problems] == [
        "forms/vitals.yaml:6:11",
        "forms/vitals.yaml:14:11",
        "schedule.yaml:30:10",
        "endpoints.yaml:6:11",
        "forms/scores.yaml:26:19",
    ], problems
    assert "field visits.W4.day: there is no study day 0" in problems[2]
    assert "field items.das28.derived.calculator: unknown calculator 'das29'" in problems[4]
    with pytest.raises(StudyError) as info:
        load_study(str(folder))
    assert "(and 4 more problem(s); run `trialdesk study check`)" in str(info.value)


def test_a_text_without_its_chinese_is_a_warning_not_a_problem(tmp_path: Path) -> None:
    schedule = FILES["schedule.yaml"].replace("{en: Week 4, zh-CN: 第4周}", "Week 4")
    schedule = schedule.replace("  ecg: {en: ECG, zh-CN: 心电图}", "  ecg: {en: ECG}")
    unused = "id: spare\ntitle: Spare\nitems:\n  - {id: x, label: X, type: text}\n"
    folder = conduct_folder(tmp_path, {"schedule.yaml": schedule, "forms/spare.yaml": unused})
    problems, warnings = check_study_all(folder)
    assert problems == []
    assert [str(w).replace(f"{folder}/", "") for w in warnings] == [
        "forms/spare.yaml:2:8, field title: title has no zh-CN translation",
        "forms/spare.yaml:4:20, field items.x.label: label has no zh-CN translation",
        "schedule.yaml:5:8, field procedures.ecg: ecg has no zh-CN translation",
        "schedule.yaml:27:11, field visits.W4.name: name has no zh-CN translation",
        "forms/spare.yaml:1:1: form spare is not due at any visit of the schedule",
    ]
    assert load_study(str(folder)).schedule is not None


def test_a_date_named_visit_clashes_with_the_checks_own(tmp_path: Path) -> None:
    folder = conduct_folder(tmp_path)
    participant = (folder / "participant.yaml").read_text()
    participant = participant.replace(
        "  consent:", "  visit:     {label: V, set_by: staff}\n  consent:"
    )
    (folder / "participant.yaml").write_text(participant)
    assert any(
        "field anchors.visit: edit checks name the date of the visit being checked 'visit'" in p
        for p in _problems(folder)
    )


def test_a_date_set_by_a_form_needs_that_form(tmp_path: Path) -> None:
    folder = conduct_folder(tmp_path, {"forms/injection.yaml": None, "schedule.yaml": None})
    expected = "participant.yaml:12:63, field anchors.day1.form: no form 'injection'"
    assert any(p.startswith(expected) for p in _problems(folder))


def test_a_study_that_only_screens_has_no_conduct_half() -> None:
    study = load_study(str(EYE_STUDY))
    assert (study.schedule, dict(study.forms), study.endpoints) == (None, {}, ())
    assert check_study_all(EYE_STUDY) == ([], [])


# the default study ----------------------------------------------------------------------


def test_the_default_study_is_sound_with_every_unit_converted_and_every_text_translated() -> None:
    folder = load_study().folder
    assert check_study_all(folder) == ([], [])  # converts every unit that differs


def test_the_default_study_schedule() -> None:
    schedule = load_study().schedule
    assert schedule is not None
    assert (schedule.day1, schedule.baseline_visit, schedule.time_zone) == (
        "day1",
        "D1",
        "Asia/Shanghai",
    )
    assert schedule.assumption and schedule.source
    windows = {v.id: (v.visitnum, v.epoch, v.day, v.first_day, v.last_day) for v in schedule.visits}
    assert windows == {
        "SCR": (1, "SCREENING", None, -28, -1),
        "D1": (2, "TREATMENT", 1, 1, 1),
        "D2": (3, "FOLLOW-UP", 2, 2, 3),
        "W1": (4, "FOLLOW-UP", 8, 6, 10),
        "W2": (5, "FOLLOW-UP", 15, 12, 18),
        "W4": (6, "FOLLOW-UP", 29, 26, 32),
        "W8": (7, "FOLLOW-UP", 57, 50, 64),
        "W12": (8, "FOLLOW-UP", 85, 78, 92),
        "W24": (9, "FOLLOW-UP", 169, 162, 176),
        "ET": (99, "FOLLOW-UP", None, None, None),
        "UNS": (98, "FOLLOW-UP", None, None, None),
    }
    assert [v.kind for v in schedule.visits][-2:] == [
        VisitKind.EARLY_TERMINATION,
        VisitKind.UNSCHEDULED,
    ]
    assert (schedule.visit("SCR").anchor, schedule.visit("D1").anchor) == ("screening", "day1")
    assert all(v.assumption and v.source for v in schedule.visits)
    assert schedule.last_day == 169  # 24 weeks after day 1
    w24 = schedule.visit("W24")
    day1 = date(2026, 3, 16)
    assert w24.target_date(day1) == day1 + timedelta(weeks=24)
    assert w24.window_dates(day1) == (date(2026, 8, 24), date(2026, 9, 7))


def test_the_default_study_forms_checks_and_endpoints() -> None:
    study = load_study()
    forms = study.forms
    assert len(forms) == 13
    assert sum(len(f.items) for f in forms.values()) == 164
    assert sum(len(f.checks) for f in forms.values()) == 7
    assert [f.id for f in forms.values() if f.repeating] == ["concomitant_medications"]
    womac = forms["womac"]
    assert len([i for i in womac.items if i.id.startswith(("pain_", "stiffness_", "function_"))
                and i.derived is None]) == 24  # fmt: skip
    assert {i.id: i.derived.calculator for i in womac.derived if i.derived} == {
        "pain_score": "womac_pain",
        "stiffness_score": "womac_stiffness",
        "function_score": "womac_function",
        "total_score": "womac_total",
    }
    assert all(dict(i.derived.constants) == {"format": "LK3.1"} for i in womac.derived if i.derived)
    haq = forms["haq_di"]
    assert len([i for i in haq.items if i.type is ItemType.CHOICE]) == 20
    assert len([i for i in haq.items if i.type is ItemType.BOOLEAN]) == 8 + 13  # help, aids
    injection = forms["injection"]
    assert injection.item("dose").unit == "10*6{cells}"
    assert injection.item("knee").parameter == "target_knee"
    assert injection.item("administered_at").type is ItemType.DATETIME
    assert forms["haematology"].item("hgb").reference_high == "hgb_uln"
    # every text a person reads has its Chinese
    assert all(i.label.zh_cn for f in forms.values() for i in f.items)
    assert all(c.message.zh_cn for f in forms.values() for c in f.checks)
    assert {c.id: c.severity for f in forms.values() for c in f.checks} == {
        "crp_in_mg_dl": Severity.WARNING,
        "esr_looks_like_crp": Severity.WARNING,
        "transaminase_2x_uln": Severity.WARNING,
        "tender_28_above_68": Severity.ERROR,
        "swollen_28_above_66": Severity.ERROR,
        "diastolic_not_below_systolic": Severity.ERROR,
        "weight_changed_since_baseline": Severity.WARNING,
    }
    endpoints = study.endpoints
    assert len(endpoints) == 11
    assert [e.id for e in endpoints if e.primary] == ["teae"]
    assert endpoints[0].kind is EndpointKind.TEAE_COUNT
    assert sum(e.kind is EndpointKind.CHANGE_FROM_BASELINE for e in endpoints) == 9
    assert all(e.visit == "W24" and e.assumption and e.source for e in endpoints)


# study days ------------------------------------------------------------------------------


@given(st.integers(-400, 400).filter(bool), st.integers(-400, 400))
def test_shift_day_moves_by_calendar_days_and_steps_over_day_zero(day: int, days: int) -> None:
    day1 = date(2026, 3, 16)
    shifted = shift_day(day, days)
    assert shifted != 0
    assert date_of_day(day1, shifted) == date_of_day(day1, day) + timedelta(days=days)
    assert shifted == study_day(day1, date_of_day(day1, day) + timedelta(days=days))


def test_shift_day_at_day_one() -> None:
    assert [shift_day(1, n) for n in (-3, -1, 0, 1)] == [-3, -1, 1, 2]
    with pytest.raises(ValueError, match="no study day 0"):
        shift_day(0, 1)
