"""The CIOMS I form of a serious adverse event report: its boxes as plain data
(form.py), filled from the trial store (assemble.py), drawn as a PDF (pdf.py); the
print page draws the same data (web/templates/cioms.html)."""

from __future__ import annotations

from trialdesk.reports.cioms.assemble import cioms_form, control_number, report_label
from trialdesk.reports.cioms.form import Box, CiomsForm, Note, Section, Tick
from trialdesk.reports.cioms.pdf import cioms_pdf

__all__ = [
    "Box",
    "CiomsForm",
    "Note",
    "Section",
    "Tick",
    "cioms_form",
    "cioms_pdf",
    "control_number",
    "report_label",
]
