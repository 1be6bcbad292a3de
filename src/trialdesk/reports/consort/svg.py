"""The CONSORT diagram as a self-contained SVG: presentation attributes only, every
string escaped (see layout.py for why)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from trialdesk.reports.consort.counts import ConsortCounts
from trialdesk.reports.consort.layout import Arrow, Line, consort_layout, describe
from trialdesk.reports.consort.style import (
    ARROW_HEAD,
    FONT_FAMILY,
    FONT_SIZE,
    INK,
    PAPER,
    SHADE,
    SIDE_BOXES,
    clean,
)

__all__ = ["consort_svg"]


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _arrow_svg(arrow: Arrow) -> list[str]:
    """Arrowheads as plain polygons: markers would need ids that clash when inlined twice."""
    (x0, y0), (x1, y1) = arrow.points[-2], arrow.points[-1]
    length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 or 1.0
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    bx, by = x1 - ux * ARROW_HEAD, y1 - uy * ARROW_HEAD
    half = ARROW_HEAD / 2
    head = [(x1, y1), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)]
    shaft = [*arrow.points[:-1], (bx, by)]
    return [
        f'<polyline points="{" ".join(f"{_num(x)},{_num(y)}" for x, y in shaft)}"'
        f' fill="none" stroke="{INK}" stroke-width="1.5"/>',
        f'<polygon points="{" ".join(f"{_num(x)},{_num(y)}" for x, y in head)}" fill="{INK}"/>',
    ]


def _line_svg(line: Line) -> str:
    weight = ' font-weight="bold"' if line.bold else ""
    return f'<text x="{_num(line.x)}" y="{_num(line.y)}"{weight}>{escape(line.text)}</text>'


def consort_svg(counts: ConsortCounts) -> str:
    """A self-contained, CSP-safe, accessible SVG of the flow (enrolment, and after it for
    a study with a schedule).

    Scales to the page width (viewBox, width 100%); the <title> and <desc> carry the whole
    flow in words, since role="img" hides the boxes' text from screen readers.
    Raises ValueError if the counts don't add up (see ConsortCounts.check).
    """
    layout = consort_layout(counts)
    stages = "enrolment flow" if counts.follow_up is None else "flow"
    title = f"CONSORT {stages} for study {clean(counts.study_id)}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(layout.width)}'
        f' {_num(layout.height)}" width="100%" role="img" font-family="{FONT_FAMILY}"'
        f' font-size="{_num(FONT_SIZE)}" fill="{INK}">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(clean(describe(counts)))}</desc>",
        f'<rect width="{_num(layout.width)}" height="{_num(layout.height)}" fill="{PAPER}"/>',
    ]
    for arrow in layout.arrows:
        out += _arrow_svg(arrow)
    for box in layout.boxes:
        fill = SHADE if box.key in SIDE_BOXES else PAPER
        out.append(f'<g class="consort-box" data-box="{box.key}">')
        out.append(
            f'<rect x="{_num(box.x)}" y="{_num(box.y)}" width="{_num(box.width)}"'
            f' height="{_num(box.height)}" rx="4" fill="{fill}" stroke="{INK}"'
            ' stroke-width="1.5"/>'
        )
        for block in box.blocks:
            if block.full_text is None:
                out += [_line_svg(line) for line in block.lines]
            else:
                out.append(f"<g><title>{escape(block.full_text)}</title>")
                out += [_line_svg(line) for line in block.lines]
                out.append("</g>")
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
