"""The CIOMS I form as a PDF (A4), drawn with reportlab from the plain form data.

Every text uses Adobe's CID font STSong-Light (reportlab's UnicodeCIDFont, Adobe-GB1):
the PDF names the font and the reader supplies its glyphs (every PDF reader ships the
Adobe CJK fonts or a substitute), so Chinese renders with no font file shipped or
downloaded. A draft is marked as such on every page."""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from trialdesk.reports.cioms.form import Box, CiomsForm

__all__ = ["FONT", "cioms_pdf"]

FONT = "STSong-Light"
_WIDTH = A4[0] - 24 * mm


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    base = ParagraphStyle("base", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
    return {
        "label": ParagraphStyle("label", parent=base, fontSize=6.5, leading=8,
                                textColor=colors.HexColor("#333333")),
        "value": base,
        "section": ParagraphStyle("section", parent=base, fontSize=9, leading=11,
                                  textColor=colors.white),
        "title": ParagraphStyle("title", parent=base, fontSize=13, leading=16),
    }  # fmt: skip


def _text(value: str) -> str:
    return escape(value).replace("\n", "<br/>")


def _cell(box: Box, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    number = f"{box.number}. " if box.number else ""
    out: list[Flowable] = [
        Paragraph(_text(f"{number}{box.en} / {box.zh}"), styles["label"]),
    ]
    if box.value:
        out.append(Paragraph(_text(box.value), styles["value"]))
    for tick in box.ticks:  # [X]: STSong-Light has no ballot box glyph
        mark = "[X]" if tick.ticked else "[  ]"
        out.append(Paragraph(_text(f"{mark} {tick.en} {tick.zh}"), styles["value"]))
    return out


def _row(boxes: tuple[Box, ...], styles: dict[str, ParagraphStyle]) -> Table:
    total = sum(b.width for b in boxes)
    widths = [_WIDTH * b.width / total for b in boxes]
    table = Table([[_cell(b, styles) for b in boxes]], colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _band(en: str, zh: str, styles: dict[str, ParagraphStyle]) -> Table:
    table = Table([[Paragraph(_text(f"{en}  {zh}"), styles["section"])]], colWidths=[_WIDTH])
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.black)]))
    return table


def cioms_pdf(form: CiomsForm) -> bytes:
    """The form as PDF bytes."""
    styles = _styles()
    story: list[Flowable] = [
        Paragraph("CIOMS FORM · SUSPECT ADVERSE REACTION REPORT", styles["title"]),
        Paragraph(_text("CIOMS I 表 · 可疑不良反应报告"), styles["title"]),
        Paragraph(
            _text(f"{form.study_id} · {form.control_number} · {form.report_en} {form.report_zh}"
                  + (" · DRAFT, NOT SUBMITTED 草稿，未提交" if form.draft else "")),
            styles["value"],
        ),
        Spacer(1, 3 * mm),
    ]  # fmt: skip
    for section in form.sections:
        story.append(_band(section.en, section.zh, styles))
        story.extend(_row(row, styles) for row in section.rows)
        story.append(Spacer(1, 2 * mm))
    notes = Table(
        [
            [Paragraph(_text(f"{n.en} / {n.zh}"), styles["label"]),
             Paragraph(_text(n.value), styles["value"])]
            for n in form.notes
        ],
        colWidths=[_WIDTH * 0.35, _WIDTH * 0.65],
    )  # fmt: skip
    notes.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.grey)]))  # fmt: skip
    story.append(notes)

    def page(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(_font(), 7)
        footer = f"{form.control_number} · {form.report_en} · page {doc.page}"
        if form.draft:
            footer += " · DRAFT 草稿"
        canvas.drawString(12 * mm, 8 * mm, footer)
        canvas.restoreState()

    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
        bottomMargin=14 * mm, title=f"CIOMS I {form.control_number} {form.report_en}",
        author="trialdesk",
    )  # fmt: skip
    doc.build(story, onFirstPage=page, onLaterPages=page)
    return buffer.getvalue()
