"""The CONSORT flow diagram: counts from the screening log and the conduct records, their
layout, the SVG."""

from __future__ import annotations

from trialdesk.reports.consort.counts import ConsortCounts, consort_counts, consort_of
from trialdesk.reports.consort.followup import (
    SAFETY_SET,
    FollowUpCounts,
    ParticipantState,
    follow_up_counts,
    follow_up_of,
)
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
    "FollowUpCounts",
    "Line",
    "ParticipantState",
    "SAFETY_SET",
    "TextBlock",
    "consort_counts",
    "consort_of",
    "consort_layout",
    "consort_svg",
    "describe",
    "follow_up_counts",
    "follow_up_of",
    "text_width",
]
