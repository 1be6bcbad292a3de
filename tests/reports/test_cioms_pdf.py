"""The CIOMS I form of an SAE report: boxes filled from the event, the report, the
participant's injection form and the registry record; the PDF opens (read back with
pypdf), draws every box of the form with its number, renders Chinese with the built-in
CID font STSong-Light, and marks a draft as such."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader

from trial.conduct_helpers import enrolled, inject
from trial.helpers import PASSWORD
from trial.screening_helpers import STUDY
from trial.test_safety_helpers import WHEN, investigator, record
from trialdesk.reports.cioms import cioms_form, cioms_pdf
from trialdesk.reports.cioms.pdf import FONT
from trialdesk.trial.safety import sae_reports
from trialdesk.trial.safety.causality import Signing
from trialdesk.trial.safety.clock import study_clocks
from trialdesk.trial.safety.sae_reports import ReportInput
from trialdesk.trial.store.db import Store

pytestmark = pytest.mark.usefixtures("cheap_argon2")

NARRATIVE = "注射后第2天右膝红肿热痛，收入院。Admitted with a hot swollen right knee."
BOXES = ("1", "1a", "2", "2a", "3", "4-6", "7+13", "8-12", "14", "15", "16", "17", "18",
         "19", "20", "21", "22", "23", "24a", "24b", "24c", "24d", "25a", "26")  # fmt: skip


@pytest.fixture
def store(db_store: Store) -> Store:
    return db_store


def text_of(pdf: bytes) -> str:
    reader = PdfReader(BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def fonts_of(pdf: bytes) -> set[str]:
    reader = PdfReader(BytesIO(pdf))
    found = set()
    for page in reader.pages:
        resources = page["/Resources"]["/Font"]
        for ref in resources.values():
            found.add(str(ref.get_object()["/BaseFont"]))
    return found


def test_the_submitted_report_as_a_cioms_i_pdf(store: Store) -> None:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    event = record(store, pid, seriousness=("hospitalisation",), grade=3, term="Arthritis").event
    with store.transaction() as session:
        report = sae_reports.start_report(
            session, actor="coord", study=STUDY, enrolment_id=pid, event_id=event.id,
            given=ReportInput(narrative=NARRATIVE, admitted_on="2026-03-19",
                              concomitant="对乙酰氨基酚 1 g prn", reporter="王丽",
                              tests="CRP 48 mg/L"), now=WHEN,
        )  # fmt: skip
    with store.transaction() as session:
        sae_reports.submit_report(
            session, signing=Signing(investigator(store), PASSWORD), study=STUDY,
            enrolment_id=pid, event_id=event.id, report_id=report.id,
            expected_version=report.version, now=WHEN + timedelta(hours=3),
        )  # fmt: skip
    with store.read() as session:
        view = sae_reports.sae_view(session, STUDY, pid, event.id)
        (clock,) = study_clocks(session, STUDY, WHEN + timedelta(hours=5))
        form = cioms_form(STUDY, view, view.reports[0], clock)
    subject = view.participant.subject_number
    assert form.box("1").value == subject  # the subject number, never initials
    assert form.box("1a").value == "China"
    assert "withheld" in form.box("2").value
    assert form.box("15").value == "50 10^6 Therapeutic Cells"  # the injection form's EXDOSE
    assert "hiSCs" in form.box("14").value and "HISC-2026-007" in form.box("14").value
    assert form.box("18").value == "2026-03-16 10:30"  # the site's wall clock
    assert [t.ticked for t in form.box("20").ticks] == [False, False, True]  # NA: one dose
    assert [t.ticked for t in form.box("8-12").ticks][:4] == [False, True, False, False]
    assert form.box("8-12").value == "Admitted 2026-03-19, discharged not yet"
    assert form.box("24a").value == "Shanghai Changzheng Hospital"
    assert form.box("24c").value == "2026-04-02"  # 11:00 UTC is 19:00 at the site
    assert [t.ticked for t in form.box("25a").ticks] == [True, False]
    assert form.box("26").value.startswith("王丽\nSubmitted and signed by")
    assert "serious adverse event report" in form.box("26").value
    assert not form.draft
    assert sorted(b.number for b in form.boxes if b.number) == sorted(BOXES)  # each once

    pdf = cioms_pdf(form)
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    assert any(FONT in f for f in fonts_of(pdf))
    assert "注射后第2天右膝红肿热痛" in text and "对乙酰氨基酚" in text and "王丽" in text
    assert "可疑不良反应报告" in text and "一、不良反应信息" in text
    for number in BOXES:
        assert re.search(rf"(^|\s){re.escape(number)}\. ", text), number
    assert subject in text and "[X] involved or prolonged inpatient hospitalisation" in text
    assert "(met)" in text and "DRAFT" not in text
    assert "CTCAE v5.0: Arthritis" in text and "grade 3" in text

    draft = cioms_pdf(replace(form, draft=True))
    assert "DRAFT, NOT SUBMITTED" in text_of(draft) and "草稿" in text_of(draft)
