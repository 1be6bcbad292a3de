"""The CONSORT flow diagram: counts from the screening log, their layout, the SVG."""

from __future__ import annotations

from trialdesk.reports.consort.counts import ConsortCounts, consort_counts, consort_of
from trialdesk.reports.consort.layout import (
    Arrow,
    Box,
    ConsortLayout,
    Line,
    TextBlock,
    consort_layout,
    describe,
)
from trialdesk.reports.consort.style import text_width
from trialdesk.reports.consort.svg import consort_svg

__all__ = [
    "Arrow",
    "Box",
    "ConsortCounts",
    "ConsortLayout",
    "Line",
    "TextBlock",
    "consort_counts",
    "consort_of",
    "consort_layout",
    "consort_svg",
    "describe",
    "text_width",
]
