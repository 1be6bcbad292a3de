"""The enrolment part of a CONSORT flow diagram, drawn from a site's screening log.

Follows the CONSORT 2010 flow diagram (Schulz KF, Altman DG, Moher D, for the CONSORT
Group. CONSORT 2010 Statement: updated guidelines for reporting parallel group randomised
trials. BMJ 2010;340:c332, Figure 1): a trunk from "Assessed for eligibility" down to the
participants taken in, with side boxes for those who left it and why. Sponsors and ethics
committees read this shape without explanation, so we keep it.

The SVG is built as text, not via a drawing library, so that it is self-contained and safe
to inline under a strict Content Security Policy: no script, no external references, no
``style`` attributes (``style-src 'self'`` blocks them), only presentation attributes.
Reason labels come from protocol criteria text, so every string is escaped and stripped of
characters XML 1.0 cannot carry. The geometry is computed first by :func:`consort_layout`
so tests can prove that boxes never overlap, whatever the labels.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape

__all__ = [
    "Arrow",
    "Box",
    "ConsortCounts",
    "ConsortLayout",
    "Line",
    "TextBlock",
    "consort_layout",
    "consort_svg",
    "describe",
    "text_width",
]

FONT_FAMILY = "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
FONT_SIZE = 14.0
LINE_HEIGHT = 18.0
PAD = 10.0  # inside a box, around its text
BASELINE = 14.0  # from the top of a line slot to its baseline
MARGIN = 20.0
MAIN_X, MAIN_W = MARGIN, 300.0
SIDE_X, SIDE_W = 360.0, 380.0
WIDTH = SIDE_X + SIDE_W + MARGIN
TRUNK_X = MAIN_X + MAIN_W / 2
BULLET_INDENT, TEXT_INDENT = 12.0, 24.0  # hanging indent for the side boxes' items
GAP_MAIN, GAP_SIDE, GAP_LAST = 24.0, 16.0, 36.0
ITEM_GAP = 4.0  # above each bulleted item, so wrapped items stay visibly apart
MAX_ITEM_LINES = 3  # a longer reason is shortened with an ellipsis (full text as tooltip)
ELLIPSIS = "\u2026"
ARROW_HEAD = 8.0
INK, PAPER, SHADE = "#222222", "#ffffff", "#f3f4f6"
SIDE_BOXES = frozenset({"excluded", "in_screening"})  # those who left the trunk: shaded

# Advance widths in 1/1000 em, from Helvetica's metrics (Arial and Liberation Sans match).
_WIDTHS: dict[str, int] = {}
for _chars, _w in (
    ("'", 191),
    ("ijl", 222),
    (" !,./:;I[\\]ft", 278),
    ("|", 260),
    ('"()-r`{}', 333),
    ("*^", 389),
    ("ckvxyzJ", 500),
    ("0123456789abdeghnopqsu#$?_L~+<=>", 556),
    ("FTZ", 611),
    ("ABEKPSVXY&", 667),
    ("CDHNRUw", 722),
    ("GOQ", 778),
    ("mM", 833),
    ("%", 889),
    ("W", 944),
    ("@", 1015),
):
    _WIDTHS.update(dict.fromkeys(_chars, _w))
_WIDTHS.update({"\u2022": 350, ELLIPSIS: 1000})
_OTHER = 700  # unknown glyph from a fallback font: err on the wide side
SAFETY = 1.12  # the fallback (DejaVu Sans, on Linux) is wider than Helvetica

# Characters XML 1.0 forbids even when escaped, plus U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class ConsortCounts:
    """One study's screening log reduced to the numbers the diagram shows."""

    study_id: str
    assessed: int  # candidates assessed for eligibility
    excluded_by_reason: tuple[tuple[str, int], ...]  # (reason label, count), largest first
    declined: int  # declined to participate / no consent
    other_excluded: int  # other reasons (e.g. withdrawn before enrolment)
    in_screening: int  # still being screened (no outcome yet)
    enrolled: int
    withdrawn_after_enrolment: int
    target: int | None  # the study's target enrolment

    @property
    def excluded(self) -> int:
        """Everyone who left before enrolment, whatever the reason."""
        return sum(n for _, n in self.excluded_by_reason) + self.declined + self.other_excluded

    def check(self) -> None:
        """Refuse counts that would draw a diagram that does not add up."""
        fields = {
            "assessed": self.assessed,
            "declined": self.declined,
            "other_excluded": self.other_excluded,
            "in_screening": self.in_screening,
            "enrolled": self.enrolled,
            "withdrawn_after_enrolment": self.withdrawn_after_enrolment,
        }
        if self.target is not None:
            fields["target"] = self.target
        for label, n in self.excluded_by_reason:
            fields[f"excluded for {label!r}"] = n
        for name, n in fields.items():
            if n < 0:
                raise ValueError(f"{self.study_id}: {name} is negative ({n})")
        if self.withdrawn_after_enrolment > self.enrolled:
            raise ValueError(
                f"{self.study_id}: withdrawn after enrolment ({self.withdrawn_after_enrolment})"
                f" exceeds enrolled ({self.enrolled})"
            )
        total = self.excluded + self.in_screening + self.enrolled
        if self.assessed != total:
            raise ValueError(
                f"{self.study_id}: assessed ({self.assessed}) != excluded ({self.excluded})"
                f" + in screening ({self.in_screening}) + enrolled ({self.enrolled}) = {total}"
            )


@dataclass(frozen=True)
class Line:
    """One line of text, placed: x is where it starts, y its baseline."""

    text: str
    x: float
    y: float
    bold: bool = False


@dataclass(frozen=True)
class TextBlock:
    """A box's heading or one item; full_text is set when the item had to be shortened."""

    lines: tuple[Line, ...]
    full_text: str | None = None


@dataclass(frozen=True)
class Box:
    """A rectangle of the diagram with its text; key names the stage it counts."""

    key: str
    x: float
    y: float
    width: float
    height: float
    blocks: tuple[TextBlock, ...]

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(line for block in self.blocks for line in block.lines)


@dataclass(frozen=True)
class Arrow:
    """A polyline whose last point carries the arrowhead."""

    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class ConsortLayout:
    """The whole diagram's geometry, in viewBox units."""

    width: float
    height: float
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]

    def box(self, key: str) -> Box:
        return next(b for b in self.boxes if b.key == key)


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """An upper estimate of the rendered width: SVG text cannot be measured server-side."""
    em = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        if unicodedata.east_asian_width(ch) in "WF":
            em += 1000
        else:
            em += _WIDTHS.get(ch, _OTHER)
    return em * size / 1000 * SAFETY


def _clean(text: str) -> str:
    """One line of printable XML-safe text: criteria labels may carry anything."""
    return " ".join(_NOT_XML.sub("\ufffd", text).split())


def _wrap(text: str, max_width: float) -> list[str]:
    """Greedy word wrap; a word wider than a line is broken where it must be."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while text_width(word) > max_width and len(word) > 1:
            cut = 1
            while cut < len(word) and text_width(word[: cut + 1]) <= max_width:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines or [""]


def _fit(label: str, suffix: str, max_width: float) -> tuple[list[str], bool]:
    """Wrap "label suffix" in at most MAX_ITEM_LINES lines, always keeping the suffix (n=...).

    Returns the lines and whether the label had to be shortened.
    """
    lines = _wrap(f"{label} {suffix}", max_width)
    if len(lines) <= MAX_ITEM_LINES:
        return lines, False
    # Wrapping the label alone gives at least as many lines, so some text is really cut.
    lines = _wrap(label, max_width)[:MAX_ITEM_LINES]
    last = lines[-1]
    while last and text_width(f"{last.rstrip()}{ELLIPSIS} {suffix}") > max_width:
        last = last[:-1]
    lines[-1] = f"{last.rstrip()}{ELLIPSIS} {suffix}"
    return lines, True


class _BoxBuilder:
    """Stacks text blocks top-down inside one box."""

    def __init__(self, key: str, x: float, y: float, width: float) -> None:
        self.key, self.x, self.y, self.width = key, x, y, width
        self.blocks: list[TextBlock] = []
        self.next_top = y + PAD

    def _place(self, texts: list[str], indent: float, bold: bool = False) -> tuple[Line, ...]:
        placed = []
        for text in texts:
            placed.append(Line(text, self.x + indent, self.next_top + BASELINE, bold))
            self.next_top += LINE_HEIGHT
        return tuple(placed)

    def heading(self, text: str) -> None:
        lines = _wrap(text, self.width - 2 * PAD)
        self.blocks.append(TextBlock(self._place(lines, PAD, bold=True)))

    def note(self, text: str) -> None:
        self.blocks.append(TextBlock(self._place(_wrap(text, self.width - 2 * PAD), PAD)))

    def item(self, label: str, n: int) -> None:
        """A bulleted "label (n=...)" with a hanging indent."""
        texts, shortened = _fit(label, f"(n={n})", self.width - TEXT_INDENT - PAD)
        self.next_top += ITEM_GAP
        top = self.next_top
        lines = self._place(texts, TEXT_INDENT)
        bullet = Line("\u2022", self.x + BULLET_INDENT, top + BASELINE)
        self.blocks.append(TextBlock((bullet, *lines), label if shortened else None))

    def build(self) -> Box:
        height = self.next_top + PAD - self.y
        return Box(self.key, self.x, self.y, self.width, height, tuple(self.blocks))


def _enrolled_heading(counts: ConsortCounts) -> tuple[str, str]:
    if counts.target is None:
        return f"Enrolled (n={counts.enrolled})", "No target enrolment set"
    if counts.target == 0:
        return f"Enrolled (n={counts.enrolled} of target 0)", "Target enrolment is 0"
    share = f"{counts.enrolled / counts.target:.0%}"
    return (
        f"Enrolled (n={counts.enrolled} of target {counts.target})",
        f"{share} of target enrolment",
    )


def _reasons(counts: ConsortCounts) -> list[tuple[str, int]]:
    """Largest first (stable, so equal counts keep the log's order); blank labels named."""
    cleaned = [(_clean(label) or "Unspecified reason", n) for label, n in counts.excluded_by_reason]
    return sorted(cleaned, key=lambda item: -item[1])


def consort_layout(counts: ConsortCounts) -> ConsortLayout:
    """Place every box and arrow; raises ValueError (via check) if the counts don't add up."""
    counts.check()
    assessed = _BoxBuilder("assessed", MAIN_X, MARGIN, MAIN_W)
    assessed.heading(f"Assessed for eligibility (n={counts.assessed})")
    if counts.assessed == 0:
        assessed.note("No candidates assessed yet")
    assessed_box = assessed.build()

    excluded = _BoxBuilder("excluded", SIDE_X, assessed_box.bottom + GAP_MAIN, SIDE_W)
    excluded.heading(f"Excluded (n={counts.excluded})")
    for label, n in _reasons(counts):
        excluded.item(label, n)
    excluded.item("Declined to participate", counts.declined)
    excluded.item("Other reasons", counts.other_excluded)
    excluded_box = excluded.build()

    screening = _BoxBuilder("in_screening", SIDE_X, excluded_box.bottom + GAP_SIDE, SIDE_W)
    screening.heading(f"Still in screening (n={counts.in_screening})")
    screening.note("No outcome yet")
    screening_box = screening.build()

    enrolled = _BoxBuilder("enrolled", MAIN_X, screening_box.bottom + GAP_MAIN, MAIN_W)
    heading, note = _enrolled_heading(counts)
    enrolled.heading(heading)
    enrolled.note(note)
    enrolled_box = enrolled.build()

    withdrawn = _BoxBuilder("withdrawn", MAIN_X, enrolled_box.bottom + GAP_LAST, MAIN_W)
    withdrawn.heading(f"Withdrawn after enrolment (n={counts.withdrawn_after_enrolment})")
    withdrawn_box = withdrawn.build()

    def branch(box: Box) -> Arrow:
        mid = box.y + box.height / 2
        return Arrow(((TRUNK_X, mid), (box.x, mid)))

    arrows = (
        Arrow(((TRUNK_X, assessed_box.bottom), (TRUNK_X, enrolled_box.y))),
        branch(excluded_box),
        branch(screening_box),
        Arrow(((TRUNK_X, enrolled_box.bottom), (TRUNK_X, withdrawn_box.y))),
    )
    boxes = (assessed_box, excluded_box, screening_box, enrolled_box, withdrawn_box)
    return ConsortLayout(WIDTH, withdrawn_box.bottom + MARGIN, boxes, arrows)


def describe(counts: ConsortCounts) -> str:
    """The whole flow in one paragraph: what a screen reader reads instead of the boxes."""
    reasons = [f"{label}: {n}" for label, n in _reasons(counts)]
    reasons += [f"declined to participate: {counts.declined}"]
    reasons += [f"other reasons: {counts.other_excluded}"]
    if counts.target is None:
        enrolled = f"Enrolled: {counts.enrolled}; no target enrolment set."
    elif counts.target == 0:
        enrolled = f"Enrolled: {counts.enrolled} of a target of 0."
    else:
        share = f"{counts.enrolled / counts.target:.0%}"
        enrolled = f"Enrolled: {counts.enrolled} of a target of {counts.target} ({share})."
    parts = [f"Assessed for eligibility: {counts.assessed}."]
    if counts.assessed == 0:
        parts.append("No candidates assessed yet.")
    parts += [
        f"Excluded: {counts.excluded} ({'; '.join(reasons)}).",
        f"Still in screening, no outcome yet: {counts.in_screening}.",
        enrolled,
        f"Withdrawn after enrolment: {counts.withdrawn_after_enrolment}.",
    ]
    return " ".join(parts)


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
    """A self-contained, CSP-safe, accessible SVG of the enrolment flow.

    Scales to the page width (viewBox, width 100%); the <title> and <desc> carry the whole
    flow in words, since role="img" hides the boxes' text from screen readers.
    Raises ValueError if the counts don't add up (see ConsortCounts.check).
    """
    layout = consort_layout(counts)
    title = f"CONSORT enrolment flow for study {_clean(counts.study_id)}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(layout.width)}'
        f' {_num(layout.height)}" width="100%" role="img" font-family="{FONT_FAMILY}"'
        f' font-size="{_num(FONT_SIZE)}" fill="{INK}">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(_clean(describe(counts)))}</desc>",
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
