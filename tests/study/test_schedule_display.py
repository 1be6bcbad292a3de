"""The protocol on the trial page model and in `trialdesk study show`: the schedule of
activities (every visit of schedule.yaml as a column in order, every form and procedure as
a row, a mark exactly where the file says), the endpoints with their assumption marker and
source, and what taking part involves, all computed from the study folder: the expected
values here are read from the YAML files themselves, and a changed folder changes them."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from trialdesk.study.loader import BUNDLED, Study, load_study
from trialdesk.study.page import trial_page
from trialdesk.study.page_model import ASSUMPTION, TrialPage, span_text
from trialdesk.study.show import MARK, page_text, study_text

from .conduct_folder import FILES, conduct_folder

FOLDER = BUNDLED / "NCT06947746"
EYE_STUDY = Path(__file__).resolve().parents[1] / "data" / "studies" / "NCT09900001"


def _yaml(name: str, folder: Path = FOLDER) -> Any:
    return yaml.safe_load((folder / name).read_text(encoding="utf-8"))


def _first_named(visits: list[dict[str, Any]], key: str) -> list[str]:
    """Form or procedure ids in the order the visits first name them."""
    return list(dict.fromkeys(x for v in visits for x in v.get(key) or ()))


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def study() -> Study:
    return load_study()


@pytest.fixture(scope="module")
def page(study: Study) -> TrialPage:
    return trial_page(study)


# the schedule of activities ----------------------------------------------------------------


def test_the_grid_has_every_visit_form_and_procedure_with_marks_where_the_file_says(
    page: TrialPage,
) -> None:
    visits = _yaml("schedule.yaml")["visits"]
    grid = page.activities
    assert grid is not None
    assert [c.id for c in grid.visits] == [v["id"] for v in visits]
    for key, rows in (("forms", grid.forms), ("procedures", grid.procedures)):
        assert [r.id for r in rows] == _first_named(visits, key)
        for row in rows:
            expected = tuple(row.id in (v.get(key) or ()) for v in visits)
            assert row.due == expected, row.id


def test_the_rendered_grid_marks_the_same_cells(study: Study, page: TrialPage) -> None:
    """Read the marks back from the terminal text: each X sits under its visit's column."""
    visits = _yaml("schedule.yaml")["visits"]
    lines = page_text(page, width=200).splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("Schedule of activities"))
    header = lines[top + 1]
    centres, at = [], 0
    for visit in visits:  # the ids, left to right in the schedule's order
        found = re.compile(rf"(?<!\S){re.escape(visit['id'])}(?!\S)").search(header, at)
        assert found, visit["id"]
        centres.append((found.start() + found.end() - 1) / 2)
        at = found.end()
    first_column = int(centres[0]) - 4
    body = lines[top + 5 : next(i for i in range(top, len(lines)) if lines[i].startswith("Kept"))]
    marked = [line for line in body if MARK in line[first_column:]]
    forms = [(f, study.forms[f].title.en) for f in _first_named(visits, "forms")]
    assert study.schedule is not None
    names = study.schedule.procedures
    procedures = [(p, names[p].en) for p in _first_named(visits, "procedures")]
    assert len(marked) == len(forms) + len(procedures)
    for line, (key, (rid, title)) in zip(
        marked,
        [("forms", r) for r in forms] + [("procedures", r) for r in procedures],
        strict=True,
    ):
        assert title.startswith(line[:first_column].strip()), (line, title)
        # the visit column of each mark: the one whose id is centred nearest above it
        positions = [m.start() + first_column for m in re.finditer(MARK, line[first_column:])]
        columns = [min(range(len(centres)), key=lambda c: abs(centres[c] - p)) for p in positions]
        expected = [i for i, v in enumerate(visits) if rid in (v.get(key) or ())]
        assert columns == expected, title


def test_each_visit_is_headed_by_its_study_day_and_window(page: TrialPage) -> None:
    grid = page.activities
    assert grid is not None
    labels = {c.id: c.label for c in grid.visits}
    for visit in _yaml("schedule.yaml")["visits"]:
        label = labels[visit["id"]]
        if "days" in visit:
            assert label == f"D{visit['days']['from']} to D{visit['days']['to']}"
        elif "day" in visit:
            before, after = visit["window"]["before"], visit["window"]["after"]
            window = {(0, 0): ""}.get((before, after))
            if window is None:
                window = f"±{before}" if before == after else f"-{before}/+{after}"
                window = f"+{after}" if not before else window
            assert label == " ".join(p for p in (f"D{visit['day']}", window) if p)
        else:
            assert label == ""
    assert labels["W12"] == "D85 ±7" and labels["D2"] == "D2 +1"
    assert labels["SCR"] == "D-28 to D-1" and labels["D1"] == "D1"


def test_every_visit_and_the_schedule_show_as_a_protocol_assumption_with_its_source(
    page: TrialPage,
) -> None:
    schedule = _yaml("schedule.yaml")
    text = _flat(page_text(page, width=100))
    grid = text[text.index("Schedule of activities") : text.index("Endpoints")]
    for visit in schedule["visits"]:
        assert visit["assumption"] is True
        assert f"({ASSUMPTION}) {_flat(visit['source'])}" in grid, visit["id"]
    assert f"({ASSUMPTION}) The schedule is pending the site's confirmation." in grid
    assert f"Source: {_flat(schedule['source'])}" in grid


def test_log_forms_are_named_below_the_grid(page: TrialPage) -> None:
    assert page.activities is not None
    assert page.activities.log_forms == ("Concomitant medications",)
    assert "Kept throughout, not per visit: Concomitant medications" in page_text(page)


# endpoints ---------------------------------------------------------------------------------


def test_the_endpoints_primary_then_secondary_with_the_assumption_marker(page: TrialPage) -> None:
    declared = _yaml("endpoints.yaml")
    endpoints = declared["endpoints"]
    primary = [e["id"] for e in endpoints if e.get("primary")]
    assert [e.id for e in page.primary_endpoints] == primary
    assert [e.id for e in page.secondary_endpoints] == [
        e["id"] for e in endpoints if not e.get("primary")
    ]
    text = _flat(page_text(page, width=100))
    section = text[text.index("Endpoints ─") : text.index("Central trial contact")]
    assert section.index("Primary (1)") < section.index("teae") < section.index("Secondary (10)")
    for e in endpoints:
        shown = next(x for x in page.endpoints if x.id == e["id"])
        assert shown.assumption is True and shown.source == e["source"]
        assert _flat(e["measure"]["en"]) in section
        assert f"Time frame: {_flat(e['time_frame']['en'])}" in section
        assert f"({ASSUMPTION}) Source: {_flat(e['source'])}" in section
        for ref in e.get("reads") or ():
            assert ref in section
    assert "Assessed at: W24 (Week 24 (end of study))" in section
    assert "womac.pain_score (WOMAC 3.1 (LK3.1), target knee: WOMAC pain (0-20))" in section


# what taking part involves -----------------------------------------------------------------


def _expected_taking_part(folder: Path) -> tuple[int, int, int | None, list[str]]:
    """(visits after day 1, days from day 1 to the last visit, screening days, names),
    from schedule.yaml alone."""
    visits = [v for v in _yaml("schedule.yaml", folder)["visits"] if "kind" not in v]
    starts = [v["day"] if "day" in v else v["days"]["from"] for v in visits]
    screening = [v["days"]["from"] for v in visits if "days" in v and v["days"]["from"] < 0]
    return (
        sum(1 for s in starts if s > 1),
        max(v["day"] if "day" in v else v["days"]["to"] for v in visits) - 1,
        -min(screening) if screening else None,
        [v["name"]["en"] for v in visits],
    )


def test_taking_part_is_computed_from_the_schedule(page: TrialPage) -> None:
    after, days, screening, names = _expected_taking_part(FOLDER)
    taking = page.taking_part
    assert taking is not None
    assert (taking.visits_after_day1, taking.days, taking.screening_days) == (
        after,
        days,
        screening,
    )
    assert [v.name for v in taking.visits] == names
    assert (after, days, screening) == (7, 168, 28)  # the figures the page shows
    assert taking.visits_text == "7 visits after Day 1 (injection)"
    assert taking.duration_text == (
        "About 24 weeks from day 1 to the last visit, plus screening up to 28 days before day 1"
    )


def test_what_happens_at_a_visit_is_said_in_plain_words(page: TrialPage) -> None:
    taking = page.taking_part
    assert taking is not None
    visits = {v.name: v for v in taking.visits}
    w4, w8 = visits["Week 4"], visits["Week 8"]
    assert w4.when == "Day 29, give or take 3 days"
    assert visits["Day 2"].when == "Day 2, or up to 1 day later"
    assert visits["Screening"].when == "Up to 28 days before day 1"
    assert w4.activities.count("Blood tests") == 1  # three blood forms, said once
    assert "An ultrasound scan of the knee" in w4.activities
    assert "An ultrasound scan of the knee" not in w8.activities  # no ultrasound at W8
    every = {a for v in taking.visits for a in v.activities}
    assert "Disease activity scores" not in every  # computed: nothing is done for it
    assert "Concomitant medications" not in every  # a log form, kept throughout
    assert (
        "One injection of the study cells (hiSCs) into the knee"
        in visits["Day 1 (injection)"].activities
    )


W8 = """\
  - id: W8
    name: {en: Week 8, zh-CN: 第8周}
    visitnum: 4
    epoch: FOLLOW-UP
    day: 57
    window: {before: 2, after: 3}
    forms: [vitals, scores]
    procedures: [scan, ecg]
  - id: ET
"""


@pytest.fixture
def changed(tmp_path: Path) -> Path:
    """The small conduct folder with a week-8 visit and a 14-day screening."""
    schedule = FILES["schedule.yaml"].replace("  - id: ET\n", W8)
    schedule = schedule.replace("days: {from: -28, to: -1}", "days: {from: -14, to: -1}")
    return conduct_folder(tmp_path, {"schedule.yaml": schedule})


def test_a_changed_folder_changes_the_grid_and_what_taking_part_involves(changed: Path) -> None:
    page = trial_page(load_study(str(changed)))
    after, days, screening, names = _expected_taking_part(changed)
    assert (after, days, screening) == (2, 56, 14)
    taking, grid = page.taking_part, page.activities
    assert taking is not None and grid is not None
    assert (taking.visits_after_day1, taking.days, taking.screening_days) == (2, 56, 14)
    assert taking.duration_text == (
        "About 8 weeks from day 1 to the last visit, plus screening up to 14 days before day 1"
    )
    assert [v.name for v in taking.visits] == names == ["Screening", "Day 1", "Week 4", "Week 8"]
    week8 = taking.visits[-1]
    assert week8.when == "Day 57, from 2 days earlier to 3 days later"
    # no plain: field on these forms: their titles; the scan's plain words, the ECG's name
    assert week8.activities == ("A scan of the knee", "ECG", "Vital signs", "Scores")
    assert [c.id for c in grid.visits] == ["SCR", "D1", "W4", "W8", "ET"]
    assert [c.label for c in grid.visits] == ["D-14 to D-1", "D1", "D29 ±3", "D57 -2/+3", ""]
    assert {r.id: r.due for r in grid.forms} == {
        "vitals": (True, True, True, True, True),
        "injection": (False, True, False, False, False),
        "scores": (False, True, True, True, False),
    }
    assert {r.id: r.due for r in grid.procedures} == {
        "ecg": (True, False, False, True, False),
        "scan": (False, False, True, True, False),
    }
    assert grid.log_forms == ("Medications",)
    assert not taking.assumption and not grid.assumption  # the small folder assumes nothing
    text = page_text(page)
    assert ASSUMPTION not in text[: text.index("Endpoints ─")]
    assert "(protocol assumption) Source: a test" in text  # its endpoints do


@pytest.mark.parametrize(
    ("days", "said"),
    [
        (1, "1 day"),
        (13, "13 days"),
        (14, "2 weeks"),
        (168, "24 weeks"),
        (170, "24 weeks and 2 days"),
    ],
)
def test_a_span_is_said_in_days_then_weeks(days: int, said: str) -> None:
    assert span_text(days) == said


# languages and a study without a schedule ------------------------------------------------


def test_the_study_texts_in_chinese(study: Study) -> None:
    page = trial_page(study, "zh-CN")
    assert page.locale == "zh-CN"
    text = page_text(page, width=100)
    joined = "".join(text.split())  # a wrapped cell continues on the next line

    def shown(said: str) -> bool:
        return "".join(said.split()) in joined

    for visit in _yaml("schedule.yaml")["visits"]:
        assert shown(visit["name"]["zh-CN"]), visit["id"]
    for form in study.forms.values():
        assert form.title.zh_cn is not None and shown(form.title.zh_cn), form.id
    for e in _yaml("endpoints.yaml")["endpoints"]:
        assert shown(e["measure"]["zh-CN"]) and shown(e["time_frame"]["zh-CN"]), e["id"]
    assert page.activities is not None and page.activities.forms[0].title == "生命体征"
    assert page.taking_part is not None and page.taking_part.visits[0].name == "筛选"


def test_a_study_without_a_schedule_shows_as_before() -> None:
    study = load_study(str(EYE_STUDY))
    assert study.schedule is None
    page = trial_page(study)
    assert (page.taking_part, page.activities, page.endpoints) == (None, None, ())
    rows = [(c.id, c.kind.value, c.text) for c in study.criteria.criteria]
    text = page_text(page)
    assert text == study_text(study.record, rows)
    for heading in ("What taking part involves", "Schedule of activities", "Endpoints"):
        assert heading not in text


def test_the_record_sections_are_those_of_the_bare_record(study: Study, page: TrialPage) -> None:
    """The protocol's sections are added to the record's page, which is otherwise the one
    the bare record renders."""
    bare = replace(page, taking_part=None, activities=None, endpoints=())
    rows = [(c.id, c.kind.value, c.text) for c in study.criteria.criteria]
    assert page_text(bare) == study_text(study.record, rows)
    text = page_text(page)
    order = ["Study design", "What taking part involves", "Schedule of activities"]
    order += ["Endpoints", "Central trial contact", "Research sites"]
    at = [re.search(rf"^{re.escape(h)}\b", text, re.MULTILINE) for h in order]
    assert all(at) and [m.start() for m in at if m] == sorted(m.start() for m in at if m)
    assert max(len(line) for line in text.splitlines()) <= 100
