"""Render the public trial page (:class:`~trialdesk.study.page.TrialPage`) for a terminal.

The page model is the one the web page renders, so ``trialdesk study show`` and
``/studies/<id>`` show the same sections in the same order: title, sponsor, status,
conditions, treatments, study type, identifiers; "About" and the full description;
"Participation requirements" (enrolment, sex, ages, volunteers, the numbered criteria);
"Study design" and the patient groups; the central contact; the research sites. Every text
from the record goes into a :class:`rich.text.Text`, never through rich markup, so
brackets in registry text show as written.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from trialdesk.study.ctgov import CtgovRecord
from trialdesk.study.page import (
    CriterionItem,
    CriterionText,
    SectionNotes,
    TrialPage,
    headed,
    page_from_record,
)

__all__ = ["page_text", "render_page", "render_study", "study_text"]


def render_study(record: CtgovRecord, criteria: list[tuple[str, str, str]] | None = None) -> Group:
    """The study as rich renderables; ``criteria`` as ``(id, kind, text)``, else split
    from the record's eligibility text."""
    given = None if criteria is None else [CriterionText(*row) for row in criteria]
    return render_page(page_from_record(record, given))


def study_text(
    record: CtgovRecord, criteria: list[tuple[str, str, str]] | None = None, width: int = 100
) -> str:
    """:func:`render_study` as plain text ``width`` columns wide."""
    return _text(render_study(record, criteria), width)


def page_text(page: TrialPage, width: int = 100) -> str:
    """:func:`render_page` as plain text ``width`` columns wide."""
    return _text(render_page(page), width)


def render_page(page: TrialPage) -> Group:
    parts: list[RenderableType] = []
    parts += _header(page)
    parts += _about(page)
    parts += _participation(page)
    parts += _design(page)
    parts += _contacts(page)
    parts += _sites(page)
    parts += [Text(""), Text(page.source.text, style="dim")]
    return Group(*parts)


def _text(group: Group, width: int) -> str:
    console = Console(
        width=width, record=True, file=io.StringIO(), color_system=None, force_terminal=False
    )
    console.print(group)
    return console.export_text()


# pieces --------------------------------------------------------------------------------


def _section(title: str) -> list[RenderableType]:
    return [Text(""), Rule(Text(title, style="bold"), align="left", style="dim")]


def _facts(rows: Sequence[tuple[str, str | None]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for name, value in rows:
        if value:
            table.add_row(Text(name), Text(value))
    return table


def _header(page: TrialPage) -> list[RenderableType]:
    out: list[RenderableType] = [Text(page.title, style="bold")]
    subtitle = [s for s in (page.acronym, page.official_title) if s]
    if subtitle:
        out.append(Text(" · ".join(subtitle), style="dim"))
    out.append(Text(""))
    identifiers = [
        i.value if i.kind == "NCT number" else f"{i.value} ({i.kind})" for i in page.identifiers
    ]
    rows = [
        ("Sponsor", page.sponsor),
        ("Collaborators", ", ".join(page.collaborators)),
        ("Status", page.status),
        ("Dates", " · ".join(d.text for d in page.dates)),
        ("Phase", page.phase),
        ("Conditions", "\n".join(page.conditions)),
        ("Treatments", "\n".join(t.label for t in page.treatments if t.label)),
        ("Study type", page.study_type),
        ("Identifiers", "\n".join(identifiers)),
    ]
    out.append(_facts(rows))
    return out


def _about(page: TrialPage) -> list[RenderableType]:
    out: list[RenderableType] = []
    if page.brief_summary:
        out += _section("About")
        out.append(Text(page.brief_summary))
    if page.detailed_description:
        out += _section("Full description")
        out.append(Text("\n\n".join(page.detailed_description)))
    return out


def _participation(page: TrialPage) -> list[RenderableType]:
    out = _section("Participation requirements")
    rows = [
        ("Enrollment", page.enrollment),
        ("Sex", page.sex),
        ("Ages", page.ages),
        ("Volunteers", page.healthy_volunteers),
    ]
    out.append(_facts(rows))
    if not page.has_criteria:
        out += [Text(""), Text("The record lists no eligibility criteria.", style="italic")]
    lists = (
        ("Inclusion criteria", page.inclusion, page.inclusion_notes),
        ("Exclusion criteria", page.exclusion, page.exclusion_notes),
    )
    for title, items, notes in lists:
        if items:
            out += [Text(""), Text(f"{title} ({len(items)})", style="bold")]
            out += _criteria(items, notes)
    return out


def _criteria(items: Sequence[CriterionItem], notes: SectionNotes) -> list[RenderableType]:
    out: list[RenderableType] = [Text(note, style="italic") for note in notes.before]
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for heading, group in headed(items):
        if heading is not None:
            table.add_row(Text(""), Text(heading, style="italic"))
        for item in group:
            table.add_row(Text(f"{item.id}:"), Text(item.text))
    out.append(table)
    out += [Text(note, style="italic") for note in notes.after]
    return out


def _design(page: TrialPage) -> list[RenderableType]:
    out = _section("Study design")
    if page.design is not None:
        out.append(_facts(page.design.facts))
    if page.groups_summary:
        out += [Text(""), Text(page.groups_summary, style="bold")]
    if page.groups:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
        table.add_column("Group", overflow="fold", max_width=28)
        table.add_column("Description", overflow="fold")
        table.add_column("Interventions", overflow="fold", max_width=30)
        for group in page.groups:
            name = Text(group.label, style="bold")
            if group.type:
                name.append("\n" + group.type, style="dim")
            table.add_row(name, Text(group.description or ""), Text("\n".join(group.interventions)))
        out.append(table)
    if len(out) == 2:  # only the section heading
        out.append(Text("The record gives no study design.", style="italic"))
    return out


def _contacts(page: TrialPage) -> list[RenderableType]:
    out: list[RenderableType] = []
    if page.central_contacts:
        out += _section("Central trial contact")
        for contact in page.central_contacts:
            line = [p for p in (contact.name, contact.phone, contact.email) if p]
            out.append(Text(" · ".join(line)))
    if page.officials:
        out += _section("Study officials")
        rows = []
        for official in page.officials:
            who = ", ".join(p for p in (official.name, official.affiliation) if p)
            rows.append((official.role, who or None))
        out.append(_facts(rows))
    return out


def _sites(page: TrialPage) -> list[RenderableType]:
    sites = page.sites
    if not sites:
        return []
    out = _section(f"Research sites ({len(sites)})")
    has_state = any(site.state for site in sites)
    has_status = any(site.status for site in sites)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("Facility", overflow="fold")
    table.add_column("City", overflow="fold")
    if has_state:
        table.add_column("State", overflow="fold")
    table.add_column("Country", overflow="fold")
    if has_status:
        table.add_column("Status", overflow="fold")
    for site in sites:
        cells = [Text(site.facility or ""), Text(site.city or "")]
        if has_state:
            cells.append(Text(site.state or ""))
        cells.append(Text(site.country or ""))
        if has_status:
            cells.append(Text(site.status or ""))
        table.add_row(*cells)
    out.append(table)
    return out
