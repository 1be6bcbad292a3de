"""The CIOMS I form as plain data: its four sections and numbered boxes in the form's own
layout, each label in English and Simplified Chinese, each value as text. The print page
and the PDF both draw this one structure, so they cannot disagree.

Source of the layout and the box numbers: the CIOMS I form, "Suspect adverse reaction
report" (Council for International Organizations of Medical Sciences, Working Group I,
1990): I. reaction information (1-13), II. suspect drug(s) information (14-21), III.
concomitant drug(s) and history (22-23), IV. manufacturer information (24a-25a), and box
26, the reporter's details, of the form's later edition that companies file (which also
ticks ICH E2A's congenital anomaly and other medically important criteria in 8-12). The
Chinese labels are this project's translation for the site to review.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Box", "CiomsForm", "Note", "Section", "Tick"]


@dataclass(frozen=True)
class Tick:
    """One check box of a box that asks to tick (8-12, 20, 21, 24d, 25a)."""

    en: str
    zh: str
    ticked: bool


@dataclass(frozen=True)
class Box:
    number: str  # as the form prints it: "1", "1a", "4-6", "7+13", "8-12", "24a"
    en: str
    zh: str
    value: str = ""
    width: int = 12  # twelfths of the row the box spans
    ticks: tuple[Tick, ...] = ()


@dataclass(frozen=True)
class Section:
    en: str
    zh: str
    rows: tuple[tuple[Box, ...], ...]


@dataclass(frozen=True)
class Note:
    """A line under the form (not a CIOMS box): reporter, signature, clock, assumptions."""

    en: str
    zh: str
    value: str


@dataclass(frozen=True)
class CiomsForm:
    study_id: str
    control_number: str  # box 24b: the case's identifier, the same on every follow-up
    report_en: str  # "initial report", "follow-up report 2"
    report_zh: str
    draft: bool  # not submitted: watermarked as a draft
    sections: tuple[Section, ...]
    notes: tuple[Note, ...] = field(default_factory=tuple)

    @property
    def boxes(self) -> list[Box]:
        return [box for section in self.sections for row in section.rows for box in row]

    def box(self, number: str) -> Box:
        return next(b for b in self.boxes if b.number == number)
