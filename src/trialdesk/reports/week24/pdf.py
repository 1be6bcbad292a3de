"""The week-24 report as a PDF (A4 landscape, reportlab): the same tables, the
assumptions, the figures (PNG from matplotlib: the report must be made with ``png=True``)
and the appendix of participants and records behind each number, referred to from the
cells by their appendix number. Chinese uses Adobe's CID font STSong-Light, as the CIOMS
form does (reports/cioms/pdf.py: no font file shipped)."""

from __future__ import annotations

import base64
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from trialdesk.reports.week24.html import Appendix, check_lang
from trialdesk.reports.week24.report import Week24Report
from trialdesk.reports.week24.texts import W

__all__ = ["report_pdf"]

_PAGE = landscape(A4)
_WIDTH = _PAGE[0] - 24 * mm
_PNG = "data:image/png;base64,"
FONT = "STSong-Light"  # Adobe-GB1 CID font: the reader supplies the glyphs


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=_font(), fontSize=7.5, leading=9.5, wordWrap="CJK")
    return {
        "cell": base,
        "note": ParagraphStyle(
            "note", parent=base, fontSize=7, textColor=colors.HexColor("#555555")
        ),
        "h1": ParagraphStyle("h1", parent=base, fontSize=15, leading=19, spaceAfter=4),
        "h2": ParagraphStyle(
            "h2", parent=base, fontSize=11, leading=14, spaceBefore=8, spaceAfter=3
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def report_pdf(report: Week24Report, lang: str) -> bytes:
    """The report as PDF bytes in ``lang`` (figures drawn only if made as PNG)."""
    check_lang(lang)
    s = _styles()
    appendix = Appendix({})
    cut = report.data_cut
    story: list[Flowable] = [
        _p(report.title.get(lang), s["h1"]),
        _p(
            f"{W.data_cut.get(lang)}: {cut.strftime('%Y-%m-%d %H:%M %z')} ({W.site_time.get(lang)})"
            f" · {W.generated.get(lang)}",
            s["cell"],
        ),
        _p(W.assumptions.get(lang), s["h2"]),
        _p(W.assumption_note.get(lang), s["note"]),
    ]
    story += [_p(f"• {a.text.get(lang)} ({a.source})", s["cell"]) for a in report.assumptions]
    story += [
        _p(
            f"• {(W.primary if e.primary else W.secondary).get(lang)}: "
            f"{e.measure.get(lang)} — {e.time_frame.get(lang)}",
            s["cell"],
        )
        for e in report.endpoints
    ]
    for table in report.tables:
        story.append(_p(table.title.get(lang), s["h2"]))
        story.append(_p(table.population.get(lang), s["note"]))
        data = [[_p(c.get(lang), s["cell"]) for c in table.columns]]
        for row in table.rows:
            line = [_p("\u3000" * row.level + row.label.get(lang), s["cell"])]
            for cell in row.cells:
                anchor = appendix.of(cell)
                mark = f" [{anchor.removeprefix('who-')}]" if anchor else ""
                line.append(_p(cell.text + mark, s["cell"]))
            data.append(line)
        if len(data) > 1:
            first = _WIDTH * (0.3 if len(table.columns) > 4 else 0.45)
            rest = (_WIDTH - first) / max(1, len(table.columns) - 1)
            grid = Table(data, colWidths=[first] + [rest] * (len(table.columns) - 1), repeatRows=1)
            grid.setStyle(
                TableStyle(
                    [
                        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                        ("LINEBELOW", (0, 1), (-1, -1), 0.2, colors.grey),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(grid)
        else:
            story.append(_p(W.none.get(lang), s["note"]))
        story += [_p(n.get(lang), s["note"]) for n in table.notes]
    pictures = [(caption, body) for _, caption, body in report.figures if body.startswith(_PNG)]
    if pictures:
        story.append(_p(W.plots.get(lang), s["h2"]))
        for caption, body in pictures:
            image = Image(BytesIO(base64.b64decode(body.removeprefix(_PNG))))
            scale = min(1.0, (_WIDTH * 0.7) / image.imageWidth, (120 * mm) / image.imageHeight)
            image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
            story.append(KeepTogether([image, _p(caption, s["note"]), Spacer(1, 4 * mm)]))
    story.append(_p(W.appendix.get(lang), s["h2"]))
    for anchor, subjects, records in appendix.entries():
        story.append(
            _p(
                f"[{anchor.removeprefix('who-')}] {W.participants.get(lang)} "
                f"({len(subjects)}): {', '.join(subjects)}",
                s["cell"],
            )
        )
        story.append(_p(f"{W.records.get(lang)}: {'; '.join(records)}", s["note"]))

    def page(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(
            12 * mm,
            8 * mm,
            f"{report.study_id} · {report.title.get(lang)} · "
            f"{cut.strftime('%Y-%m-%d %H:%M %z')} · {doc.page}",
        )
        canvas.restoreState()

    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=_PAGE,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=report.title.en,
        author="trialdesk",
    )
    doc.build(story, onFirstPage=page, onLaterPages=page)
    return buffer.getvalue()
