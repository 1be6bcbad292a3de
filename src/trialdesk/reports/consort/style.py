"""How the diagram looks: fonts, sizes, spacing and colours, and its text measured in
Helvetica's advance widths, wrapped to a box and stripped of what XML 1.0 cannot carry."""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "ARROW_HEAD",
    "BASELINE",
    "BULLET_INDENT",
    "ELLIPSIS",
    "FONT_FAMILY",
    "FONT_SIZE",
    "FULL_W",
    "GAP_LAST",
    "GAP_MAIN",
    "GAP_SIDE",
    "INK",
    "ITEM_GAP",
    "LINE_HEIGHT",
    "MAIN_W",
    "MAIN_X",
    "MARGIN",
    "MAX_ITEM_LINES",
    "PAD",
    "PAPER",
    "SAFETY",
    "SHADE",
    "SIDE_BOXES",
    "SIDE_W",
    "SIDE_X",
    "SUB_BULLET",
    "SUB_BULLET_INDENT",
    "SUB_TEXT_INDENT",
    "TEXT_INDENT",
    "TRUNK_X",
    "WIDTH",
    "clean",
    "fit",
    "text_width",
    "wrap",
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
SUB_BULLET_INDENT, SUB_TEXT_INDENT = 36.0, 50.0  # a reason under an item: one level in
SUB_BULLET = "\u2013"
FULL_W = SIDE_X + SIDE_W - MAIN_X  # allocation, follow-up, analysis: one arm, full width
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
_WIDTHS.update({"\u2022": 350, SUB_BULLET: 556, ELLIPSIS: 1000})
_OTHER = 700  # unknown glyph from a fallback font: err on the wide side
SAFETY = 1.12  # the fallback (DejaVu Sans, on Linux) is wider than Helvetica


# Characters XML 1.0 forbids even when escaped, plus U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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


def clean(text: str) -> str:
    """One line of printable XML-safe text: criteria labels may carry anything."""
    return " ".join(_NOT_XML.sub("\ufffd", text).split())


def wrap(text: str, max_width: float) -> list[str]:
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


def fit(label: str, suffix: str, max_width: float) -> tuple[list[str], bool]:
    """Wrap "label suffix" in at most MAX_ITEM_LINES lines, always keeping the suffix (n=...).

    Returns the lines and whether the label had to be shortened.
    """
    lines = wrap(f"{label} {suffix}", max_width)
    if len(lines) <= MAX_ITEM_LINES:
        return lines, False
    # Wrapping the label alone gives at least as many lines, so some text is really cut.
    lines = wrap(label, max_width)[:MAX_ITEM_LINES]
    last = lines[-1]
    while last and text_width(f"{last.rstrip()}{ELLIPSIS} {suffix}") > max_width:
        last = last[:-1]
    lines[-1] = f"{last.rstrip()}{ELLIPSIS} {suffix}"
    return lines, True
