"""participant.yaml: a study's date anchors and per-participant parameters, read with
every problem's position, and the helpers callers use (fill_dates, parse)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from trialdesk.criteria.participant import Participant
from trialdesk.errors import InputError, StudyError
from trialdesk.study.loader import BUNDLED, check_study, load_study
from trialdesk.study.participant import DEFAULT_FILE, check_participant

DEFAULT = BUNDLED / "NCT06947746"


def _folder(tmp_path: Path, participant: str | None, criteria: str | None = None) -> Path:
    folder = tmp_path / "study"
    folder.mkdir()
    shutil.copy(DEFAULT / "ctgov.json", folder / "ctgov.json")
    shutil.copy(DEFAULT / "valuesets.yaml", folder / "valuesets.yaml")
    if criteria is None:
        shutil.copy(DEFAULT / "criteria.yaml", folder / "criteria.yaml")
    else:
        (folder / "criteria.yaml").write_text(criteria)
    if participant is not None:
        (folder / "participant.yaml").write_text(participant)
    return folder


def test_the_default_study_declares_its_dates_and_the_target_knee() -> None:
    p = load_study().participant
    assert list(p.anchors) == ["screening", "baseline", "consent", "day1"]
    assert [a.name for a in p.staff] == ["screening", "baseline"]
    assert [(a.name, a.by) for a in p.record] == [("consent", "screening")]
    assert [(a.name, a.form, a.item) for a in p.forms] == [("day1", "injection", "administered_at")]
    assert p.anchors["baseline"].not_before == "screening"
    knee = p.parameters["target_knee"]
    assert (knee.site, knee.label, knee.words, knee.choices) == (
        "knee",
        "Target knee",
        "target knee",
        ("left", "right"),
    )
    assert p.sites == ("knee",)


def test_a_folder_without_the_file_reads_as_the_default(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    found = check_participant(folder)
    assert isinstance(found, Participant)
    assert list(found.anchors) == ["screening", "baseline", "consent"]
    assert dict(found.parameters) == {}
    assert DEFAULT_FILE.is_file()


BROKEN = """\
anchors:
  screening: {label: Screening date, set_by: staff}
  baseline: {label: Baseline, set_by: staf, default: screening + days(14)}
  visit: {label: Visit, set_by: staff, not_before: randomisation, default: later + days(2)}
  consent: {label: Consent, set_by: record}
  days: {label: Days, set_by: staff}
  week2: {label: Week 2, set_by: staff, default: screening * 2}
parameters:
  target_eye: {kind: side, site: elbow, label: Study eye}
  target_knee: {kind: level, site: knee, label: Target knee}
  study_eye: {kind: side, site: eye}
  verdict: {kind: side, site: eye, label: V}
  status: {kind: side, site: eye, label: S}
  d0: {kind: side, site: eye, label: D}
colour: blue
"""


def test_every_problem_is_listed_with_file_line_and_column(tmp_path: Path) -> None:
    folder = _folder(tmp_path, BROKEN)
    problems = [str(p) for p in check_study(folder)]
    file = str(folder / "participant.yaml")
    expected = [
        f"{file}:3:39, field anchors.baseline.set_by: set_by is staff, record or form",
        f"{file}:4:52, field anchors.visit.not_before: not_before must name an earlier date set"
        " by staff (screening)",
        f"{file}:4:76, field anchors.visit.default: default: unknown name 'later'",
        f"{file}:5:12, field anchors.consent.by: a date read from the record needs `by:`",
        f"{file}:6:9, field anchors.days: 'days' is a word of the criteria language",
        f"{file}:7:50, field anchors.week2.default: default: cannot compute date * number",
        f"{file}:9:34, field parameters.target_eye.site: unknown body site 'elbow'"
        " (known: knee, eye)",
        f"{file}:10:23, field parameters.target_knee.kind: kind must be side",
        f"{file}:11:14, field parameters.study_eye.label: parameters.study_eye needs `label:`",
        f"{file}:12:12, field parameters.verdict: 'verdict' would clash with a field of the"
        " candidate, their forms or the screening result",
        f"{file}:13:11, field parameters.status: 'status' would clash",
        f"{file}:14:7, field parameters.d0: 'd0' would clash",
        f"{file}:15:9, field colour: unknown field 'colour' (anchors, parameters)",
    ]
    for line in expected:
        assert any(p.startswith(line) for p in problems), (line, problems)
    # the criteria are read against the dates that could be read: baseline was not
    assert any("criterion E7: unknown name 'baseline'" in p for p in problems)
    assert not any("unknown name 'screening'" in p for p in problems)


def test_load_raises_the_first_problem_and_counts_the_rest(tmp_path: Path) -> None:
    folder = _folder(tmp_path, BROKEN)
    with pytest.raises(StudyError) as info:
        load_study(str(folder))
    assert "more problem(s); run `trialdesk study check`" in str(info.value)


UNKNOWN_SIDE = """\
study: NCT06947746
criteria:
  - id: E7
    kind: exclusion
    text: "Infection in the target knee within 3 months before baseline;"
    rule: history(knee_infection, within=before(baseline, months(3)), side=target_eye)
"""


def test_a_rule_naming_an_undeclared_side_is_refused_with_its_position(tmp_path: Path) -> None:
    folder = _folder(tmp_path, None, UNKNOWN_SIDE)  # the default participant: no parameters
    (problem,) = check_study(folder)
    assert str(problem).startswith(f"{folder / 'criteria.yaml'}:6:76, criterion E7:")
    assert "'target_eye' is not a side parameter of the study" in problem.message
    assert "none declared" in problem.message


def test_fill_dates_applies_the_declared_defaults_and_says_so() -> None:
    p = load_study().participant
    dates, notes = p.fill_dates({}, today=date(2019, 6, 1))
    assert dates == {"screening": date(2019, 6, 1), "baseline": date(2019, 6, 15)}
    assert notes == [
        "screening date not given: using today, 2019-06-01",
        "baseline date not given: using screening + 14 days, 2019-06-15",
    ]
    given = {"screening": date(2026, 3, 2), "baseline": date(2026, 3, 16)}
    assert p.fill_dates(given) == (given, [])
    # a default is worked out from the dates before it, months clamping as rules do
    assert p.fill_dates({"screening": date(2026, 1, 31)})[0]["baseline"] == date(2026, 2, 14)


def test_fill_dates_refuses_what_the_declarations_forbid() -> None:
    p = load_study().participant
    with pytest.raises(InputError, match="the baseline date is before the screening date"):
        p.fill_dates({"screening": date(2026, 3, 2), "baseline": date(2026, 3, 1)})
    with pytest.raises(InputError, match="--baseline-date is before --screening-date"):
        p.fill_dates(
            {"screening": date(2026, 3, 2), "baseline": date(2026, 3, 1)},
            named=lambda name: f"--{name}-date",
        )
    with pytest.raises(InputError, match="the screening date is not given"):
        p.fill_dates({})
    with pytest.raises(InputError, match=r"no date 'visit' in this study \(dates: screening"):
        p.fill_dates({"visit": date(2026, 3, 2)})


def test_parameters_parse_and_say_what_is_missing() -> None:
    p = load_study().participant
    knee = p.parameters["target_knee"]
    assert knee.parse(" Right ") == "right"
    assert knee.parse("") is None and knee.parse(None) is None
    with pytest.raises(InputError) as info:
        knee.parse("up")
    assert info.value.field == "target_knee"
    assert "must be left or right, got 'up'" in str(info.value)
    assert p.parse_parameters({}) == {"target_knee": None}
    assert p.missing_notes({"target_knee": None}) == [
        "target knee not given: knee criteria E7-E9 cannot place knee events"
    ]
    assert p.missing_notes({"target_knee": "left"}) == []
    with pytest.raises(InputError, match=r"no parameter 'target_eye' .*parameters: target_knee"):
        p.parse_parameters({"target_eye": "left"})


def test_a_date_named_after_a_candidate_field_is_refused(tmp_path: Path) -> None:
    text = BROKEN.replace(
        "  days: {label: Days, set_by: staff}", "  birth: {label: B, set_by: staff}"
    )
    problems = [str(p) for p in check_study(_folder(tmp_path, text))]
    assert any(
        "anchors.birth: 'birth' would clash with the candidate's field" in p for p in problems
    )


FORM_ANCHOR = """\
anchors:
  screening: {label: Screening date, set_by: staff}
  baseline:  {label: Baseline, set_by: staff, not_before: screening, default: screening + days(14)}
  consent:   {label: Informed consent, set_by: record, by: screening}
  day1:      {label: Day 1 (injection), set_by: form, form: injection, item: administered_at}
parameters:
  target_knee: {kind: side, site: knee, label: Target knee}
"""


def test_a_date_set_by_a_form_is_neither_staff_nor_record(tmp_path: Path) -> None:
    found = check_participant(_folder(tmp_path, FORM_ANCHOR))
    assert isinstance(found, Participant)
    day1 = found.anchors["day1"]
    assert (day1.set_by, day1.form, day1.item) == ("form", "injection", "administered_at")
    assert [a.name for a in found.forms] == ["day1"]
    assert [a.name for a in found.staff] == ["screening", "baseline"]
    assert [a.name for a in found.screening] == ["screening", "baseline", "consent"]
    # not asked for when dates are filled, and an unknown date when given
    dates, _ = found.fill_dates({"screening": date(2026, 3, 2)})
    assert set(dates) == {"screening", "baseline"}
    with pytest.raises(InputError, match="no date 'day1'"):
        found.fill_dates({"day1": date(2026, 3, 16)})


def test_eligibility_rules_cannot_read_a_date_set_by_a_form(tmp_path: Path) -> None:
    criteria = UNKNOWN_SIDE.replace(
        "rule: history(knee_infection, within=before(baseline, months(3)), side=target_eye)",
        "rule: history(knee_infection, within=before(day1, months(3)), side=target_knee)",
    )
    folder = _folder(tmp_path, FORM_ANCHOR, criteria)
    problems = [p for p in check_study(folder) if p.file and p.file.endswith("criteria.yaml")]
    (problem,) = problems
    assert str(problem).startswith(f"{folder / 'criteria.yaml'}:6:49, criterion E7:")
    assert problem.message == (
        "'day1' is set by the form 'injection' once the trial is under way: "
        "eligibility rules cannot read it"
    )


FORM_ANCHOR_BROKEN = """\
anchors:
  screening: {label: Screening date, set_by: staff}
  day1: {label: Day 1, set_by: form, form: injection, by: screening, default: screening}
  dosed: {label: Dosed, set_by: form, item: administered_at}
  consent: {label: Informed consent, set_by: record, by: screening, item: signed_on}
"""


def test_a_date_set_by_a_form_names_its_form_and_item_and_nothing_else(tmp_path: Path) -> None:
    problems = [str(p) for p in check_study(_folder(tmp_path, FORM_ANCHOR_BROKEN))]
    expected = [
        "3:59, field anchors.day1.by: by is not for dates set by a form",
        "3:79, field anchors.day1.default: default is not for dates set by a form",
        "3:9, field anchors.day1.item: anchors.day1 needs `item:`",
        "4:10, field anchors.dosed.form: anchors.dosed needs `form:`",
        "5:75, field anchors.consent.item: item is for dates set by a form",
    ]
    for tail in expected:
        assert any(f"participant.yaml:{tail}" in p for p in problems), (tail, problems)
