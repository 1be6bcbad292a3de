from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console, Group

from trialdesk.study.ctgov import CtgovRecord, load_ctgov_record
from trialdesk.study.loader import load_study
from trialdesk.study.page import trial_page
from trialdesk.study.show import page_text, render_study, study_text

from .conftest import RECORDS_DIR, SEED_PAGE


def _render(record: CtgovRecord, criteria: list[tuple[str, str, str]] | None = None) -> str:
    console = Console(width=100, record=True, file=io.StringIO())
    group = render_study(record, criteria)
    assert isinstance(group, Group)
    console.print(group)
    return console.export_text()


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def page(bundled_record_path: Path) -> str:
    return _render(load_ctgov_record(bundled_record_path))


# The public page's headings, in its order, and the values each must show.
SECTIONS = [
    "HiSCs in the Treatment of Rheumatoid Arthritis",
    "Sponsor",
    "Status",
    "Conditions",
    "Treatments",
    "Study type",
    "Identifiers",
    "About",
    "Full description",
    "Participation requirements",
    "Enrollment",
    "Sex",
    "Ages",
    "Volunteers",
    "Inclusion criteria",
    "Exclusion criteria",
    "Study design",
    "Primary purpose",
    "Allocation",
    "Interventional model",
    "Masking",
    "15 participants in 1 patient group",
    "Central trial contact",
    "Research sites",
]

VALUES = [
    "Shanghai Changzheng Hospital",
    "Not yet recruiting",
    "Not applicable",
    "Rheumatoid Arthritis (RA)",
    "Biological: hiSCs",
    "Interventional",
    "NCT06947746",
    "15 participants (estimated)",
    "All",
    "18 Years to 65 Years",
    "Does not accept healthy volunteers",
    "Treatment",
    "Single group assignment",
    "None (open label)",
    "Experimental",
    "A single intra-articular injection of hiSCs into the target knee.",
    "Huji Xu, Ph.D, MD",
    "Shanghai",
    "China",
    "Start 2025-05-01 (estimated)",
    "Data sourced from ClinicalTrials.gov (NCT06947746, last updated 2025-04-27)",
]


def test_sections_in_page_order(page: str) -> None:
    positions = []
    for heading in SECTIONS:
        found = re.search(rf"^{re.escape(heading)}\b", page, flags=re.MULTILINE)
        assert found, f"no line starts with {heading!r}"
        positions.append(found.start())
    assert positions == sorted(positions)


@pytest.mark.parametrize("value", VALUES)
def test_key_values(page: str, value: str) -> None:
    assert value in page


def test_criteria_numbered(page: str) -> None:
    for n in range(1, 7):
        assert re.search(rf"^I{n}:\s", page, flags=re.MULTILINE)
    for n in range(1, 29):
        assert re.search(rf"^E{n}:\s", page, flags=re.MULTILINE)
    assert not re.search(r"^(I7|E29):", page, flags=re.MULTILINE)
    flat = _flat(page)
    assert "I6: Background treatment with stable-dose MTX" in flat
    assert "E12: Evidence of hematopoietic dysfunction during screening:" in flat


def test_seed_page_texts_are_shown(page: str) -> None:
    """Every text of the seed page (summary, description, criteria) is on the rendering."""
    if not SEED_PAGE.is_file():
        pytest.skip(f"no seed page at {SEED_PAGE}")
    flat = _flat(page)
    for line in SEED_PAGE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if len(line.split()) < 4:
            continue  # headings
        assert _flat(line).lower() in flat.lower(), line


def test_readable_at_100_columns(page: str) -> None:
    assert max(len(line) for line in page.splitlines()) <= 100
    assert "╭" not in page  # no boxes around whole sections


def test_criteria_given(bundled_record_path: Path) -> None:
    record = load_ctgov_record(bundled_record_path)
    text = _render(
        record,
        [("I1", "inclusion", "Adults [bold]with RA[/bold]"), ("E1", "exclusion", "HIV")],
    )
    assert "I1:  Adults [bold]with RA[/bold]" in text  # record text is never markup
    assert "E1:  HIV" in text
    assert "Voluntarily sign" not in text
    assert "Inclusion criteria (1)" in text


def test_study_text(bundled_record_path: Path) -> None:
    text = study_text(load_ctgov_record(bundled_record_path), width=80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Central trial contact" in text


def test_every_record_renders(ctgov_record_file: Path) -> None:
    record = load_ctgov_record(ctgov_record_file)
    text = _render(record)
    assert record.nct_id in text
    assert max(len(line) for line in text.splitlines()) <= 100
    if record.eligibility_criteria is None:
        assert "The record lists no eligibility criteria." in text
    if record.protocolSection.designModule is None:
        assert "The record gives no study design." in text


def test_sub_headings_shown() -> None:
    path = RECORDS_DIR / "NCT03630471.json"
    if not path.is_file():
        pytest.skip(f"no record at {path}")
    text = _render(load_ctgov_record(path))
    assert text.count("For adolescent participants:") == 2
    assert text.count("For parent participants:") == 2
    assert "I9:" in text and "E8:" in text


def test_intro_sentences_shown_above_their_lists(page: str) -> None:
    lines = [line.strip() for line in page.splitlines()]
    inclusion = lines.index("Inclusion criteria (6)")
    assert lines[inclusion + 1] == "Subjects must meet all of the following inclusion criteria"
    exclusion = lines.index("Exclusion criteria (28)")
    assert lines[exclusion + 1].startswith("Subjects who meet any of the following exclusion")


def test_the_cli_rows_and_the_page_model_render_the_same() -> None:
    """The record with its criteria rows and the web page's model agree on every section
    of the record; the protocol's sections (tests/study/test_schedule_display.py) come
    from the study folder only."""
    study = load_study()
    rows = [(c.id, c.kind.value, c.text) for c in study.criteria.criteria]
    record_only = replace(trial_page(study), taking_part=None, activities=None, endpoints=())
    assert study_text(study.record, rows) == page_text(record_only)
