"""A CONSORT flow diagram, drawn from a site's screening log and conduct records.

Follows the CONSORT 2010 flow diagram (Schulz KF, Altman DG, Moher D, for the CONSORT
Group. CONSORT 2010 Statement: updated guidelines for reporting parallel group randomised
trials. BMJ 2010;340:c332, Figure 1): a trunk from "Assessed for eligibility" down to the
participants taken in, with side boxes for those who left it and why. Sponsors and ethics
committees read this shape without explanation, so we keep it. A study with a schedule
goes on down the trunk with the figure's allocation, follow-up and analysis boxes, one
column for its one arm; a screening-only study ends with those withdrawn after enrolment.

The SVG is built as text, not via a drawing library, so that it is self-contained and safe
to inline under a strict Content Security Policy: no script, no external references, no
``style`` attributes (``style-src 'self'`` blocks them), only presentation attributes.
Reason labels come from protocol criteria text, so every string is escaped and stripped of
characters XML 1.0 cannot carry. The geometry is computed first by :func:`consort_layout`
so tests can prove that boxes never overlap, whatever the labels.
"""

from __future__ import annotations

from dataclasses import dataclass

from trialdesk.reports.consort.counts import ConsortCounts
from trialdesk.reports.consort.followup import SAFETY_SET, FollowUpCounts
from trialdesk.reports.consort.style import (
    BASELINE,
    BULLET_INDENT,
    FULL_W,
    GAP_LAST,
    GAP_MAIN,
    GAP_SIDE,
    ITEM_GAP,
    LINE_HEIGHT,
    MAIN_W,
    MAIN_X,
    MARGIN,
    PAD,
    SIDE_W,
    SIDE_X,
    SUB_BULLET,
    SUB_BULLET_INDENT,
    SUB_TEXT_INDENT,
    TEXT_INDENT,
    TRUNK_X,
    WIDTH,
    clean,
    fit,
    wrap,
)

__all__ = ["Arrow", "Box", "ConsortLayout", "Line", "TextBlock", "consort_layout", "describe"]


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
        lines = wrap(text, self.width - 2 * PAD)
        self.blocks.append(TextBlock(self._place(lines, PAD, bold=True)))

    def note(self, text: str) -> None:
        self.blocks.append(TextBlock(self._place(wrap(text, self.width - 2 * PAD), PAD)))

    def item(self, label: str, n: int, *, sub: bool = False) -> None:
        """A bulleted "label (n=...)" with a hanging indent; ``sub``: a reason under the
        item before it, one level in."""
        indent, mark = (SUB_TEXT_INDENT, SUB_BULLET) if sub else (TEXT_INDENT, "\u2022")
        texts, shortened = fit(label, f"(n={n})", self.width - indent - PAD)
        self.next_top += ITEM_GAP
        top = self.next_top
        lines = self._place(texts, indent)
        bullet = Line(mark, self.x + (SUB_BULLET_INDENT if sub else BULLET_INDENT),
                      top + BASELINE)  # fmt: skip
        self.blocks.append(TextBlock((bullet, *lines), label if shortened else None))

    def reasons(self, reasons: tuple[tuple[str, int], ...]) -> None:
        for label, n in reasons:
            self.item(clean(label) or "Unspecified reason", n, sub=True)

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
    cleaned = [(clean(label) or "Unspecified reason", n) for label, n in counts.excluded_by_reason]
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
    excluded.reasons(counts.other_by_reason)  # e.g. eligible, not enrolled (target reached)
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

    if counts.follow_up is None:
        withdrawn = _BoxBuilder("withdrawn", MAIN_X, enrolled_box.bottom + GAP_LAST, MAIN_W)
        withdrawn.heading(f"Withdrawn after enrolment (n={counts.withdrawn_after_enrolment})")
        below = [withdrawn.build()]
    else:
        below = _after_enrolment(counts.follow_up, enrolled_box.bottom)

    def branch(box: Box) -> Arrow:
        mid = box.y + box.height / 2
        return Arrow(((TRUNK_X, mid), (box.x, mid)))

    arrows = (
        Arrow(((TRUNK_X, assessed_box.bottom), (TRUNK_X, enrolled_box.y))),
        branch(excluded_box),
        branch(screening_box),
        *(Arrow(((TRUNK_X, a.bottom), (TRUNK_X, b.y)))
          for a, b in zip([enrolled_box, *below], below, strict=False)),
    )  # fmt: skip
    boxes = (assessed_box, excluded_box, screening_box, enrolled_box, *below)
    return ConsortLayout(WIDTH, below[-1].bottom + MARGIN, boxes, arrows)


def _after_enrolment(f: FollowUpCounts, top: float) -> list[Box]:
    """The allocation, follow-up and analysis boxes, one under the other from ``top``."""
    day = f.as_of.isoformat()
    allocation = _BoxBuilder("allocation", MAIN_X, top + GAP_LAST, FULL_W)
    allocation.heading(f"Allocated to {clean(f.arm)} (n={f.allocated})")
    allocation.item("Received allocated intervention (study day 1 recorded)", f.received)
    allocation.item("Did not receive allocated intervention", f.not_received)
    allocation.reasons(f.not_received_by_reason)
    allocation.item("Awaiting allocated intervention, still taking part", f.awaiting)
    allocation_box = allocation.build()

    follow = _BoxBuilder("follow_up", MAIN_X, allocation_box.bottom + GAP_LAST, FULL_W)
    follow.heading(f"Follow-up of those who received it (n={f.received}), as of {day}")
    follow.item("Completed follow-up", f.completed)
    follow.item("Lost to follow-up", f.lost)
    follow.item("Discontinued participation", f.discontinued)
    follow.reasons(f.discontinued_by_reason)
    follow.item(f"Still in follow-up on {day}", f.ongoing)
    follow_box = follow.build()

    analysis = _BoxBuilder("analysis", MAIN_X, follow_box.bottom + GAP_LAST, FULL_W)
    analysis.heading(f"Analysed (n={f.analysed})")
    analysis.note(SAFETY_SET)
    analysis.item("Excluded from analysis", f.excluded_from_analysis)
    analysis.reasons(f.excluded_from_analysis_by_reason)
    return [allocation_box, follow_box, analysis.build()]


def _reasons_text(reasons: tuple[tuple[str, int], ...]) -> str:
    said = "; ".join(f"{clean(label) or 'Unspecified reason'}: {n}" for label, n in reasons)
    return f" ({said})" if said else ""


def _describe_follow_up(f: FollowUpCounts) -> list[str]:
    day = f.as_of.isoformat()
    return [
        f"Allocated to {clean(f.arm)}: {f.allocated}; received the allocated intervention:"
        f" {f.received}; did not receive it: {f.not_received}"
        f"{_reasons_text(f.not_received_by_reason)}; awaiting it: {f.awaiting}.",
        f"Follow-up as of {day} of the {f.received} who received it: completed {f.completed};"
        f" lost to follow-up {f.lost}; discontinued {f.discontinued}"
        f"{_reasons_text(f.discontinued_by_reason)}; still in follow-up {f.ongoing}.",
        f"Analysed: {f.analysed}. {SAFETY_SET}. Excluded from analysis:"
        f" {f.excluded_from_analysis}{_reasons_text(f.excluded_from_analysis_by_reason)}.",
    ]


def describe(counts: ConsortCounts) -> str:
    """The whole flow in one paragraph: what a screen reader reads instead of the boxes."""
    reasons = [f"{label}: {n}" for label, n in _reasons(counts)]
    reasons += [f"declined to participate: {counts.declined}"]
    reasons += [f"other reasons: {counts.other_excluded}{_reasons_text(counts.other_by_reason)}"]
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
    ]
    if counts.follow_up is None:
        parts.append(f"Withdrawn after enrolment: {counts.withdrawn_after_enrolment}.")
    else:
        parts += _describe_follow_up(counts.follow_up)
    return " ".join(parts)
