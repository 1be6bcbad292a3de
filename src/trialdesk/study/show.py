"""Render the public trial page (:class:`~trialdesk.study.page.TrialPage`) for a terminal.

The page model is the one the web page renders, so ``trialdesk study show`` and
``/studies/<id>`` show the same sections in the same order: title, sponsor, status,
conditions, treatments, study type, identifiers; "About" and the full description;
"Participation requirements" (enrolment, sex, ages, volunteers, the numbered criteria);
"Study design" and the patient groups; for a study with a schedule, "What taking part
involves"; the central contact; the research sites. For the site team the terminal adds,
after what taking part involves, the "Schedule of activities" (visits as columns, forms and
procedures as rows, an X where due) and the "Endpoints", which the public page leaves out;
each protocol assumption is marked so, with its source. Every text from the record or the
study folder goes into a :class:`rich.text.Text`, never through rich markup, so brackets in
them ("[reg]") show as written.
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
from trialdesk.study.page_model import (
    ASSUMPTION,
    ActivityRow,
    ActivitySchedule,
    EndpointEntry,
    TakingPart,
)

__all__ = ["MARK", "page_text", "render_page", "render_study", "study_text"]


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
    if page.taking_part is not None:
        parts += _taking_part(page.taking_part)
    if page.activities is not None:
        parts += _activities(page.activities)
    if page.endpoints:
        parts += _endpoints(page)
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


# the protocol ------------------------------------------------------------------------------

MARK = "X"  # due at this visit


def _assumed(assumption: bool, source: str | None, what: str = "") -> list[RenderableType]:
    """``(protocol assumption) <what> Source: ...`` below a section, when it is one."""
    if not assumption:
        return []
    text = Text(f"({ASSUMPTION})", style="bold")
    if what:
        text.append(f" {what}")
    if source:
        text.append(f" Source: {source}")
    return [Text(""), text]


def _taking_part(taking: TakingPart) -> list[RenderableType]:
    out = _section("What taking part involves")
    out.append(_facts([("Visits", taking.visits_text), ("How long", taking.duration_text)]))
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", overflow="fold", max_width=24)
    table.add_column(overflow="fold")
    for visit in taking.visits:
        said = Text(visit.when, style="italic")
        for activity in visit.activities:
            said.append(f"\n• {activity}")
        table.add_row(Text(visit.name), said)
    out += [Text(""), table]
    what = "This schedule is pending the site's confirmation."
    out += _assumed(taking.assumption, taking.source, what)
    return out


def _activities(grid: ActivitySchedule) -> list[RenderableType]:
    out = _section("Schedule of activities")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1))
    table.add_column("", overflow="fold", max_width=30)
    for visit in grid.visits:
        # three lines each (rich aligns headers at the bottom): id, study day, window
        head = f"{visit.id}\n{visit.day}\n{visit.window}"
        table.add_column(Text(head), justify="center")

    def rows(title: str, found: tuple[ActivityRow, ...]) -> None:
        if not found:
            return
        table.add_row(Text(title, style="bold italic"))
        for row in found:
            marks = [Text(MARK if due else "") for due in row.due]
            table.add_row(Text(row.title), *marks)

    rows("Forms", grid.forms)
    if grid.forms and grid.procedures:
        table.add_section()
    rows("Procedures", grid.procedures)
    out.append(table)
    if grid.log_forms:
        kept = "Kept throughout, not per visit: " + ", ".join(grid.log_forms)
        out += [Text(""), Text(kept)]
    legend = Table.grid(padding=(0, 2))
    legend.add_column(style="bold", no_wrap=True)
    legend.add_column(overflow="fold")
    for visit in grid.visits:
        said = Text(f"{visit.name} · {visit.when}")
        if visit.assumption:
            said.append(f"\n({ASSUMPTION})", style="dim")
            if visit.source:
                said.append(f" {visit.source}", style="dim")
        legend.add_row(Text(visit.id), said)
    out += [Text(""), legend]
    out += _assumed(
        grid.assumption, grid.source, "The schedule is pending the site's confirmation."
    )
    return out


def _endpoints(page: TrialPage) -> list[RenderableType]:
    out = _section("Endpoints")
    for title, found in (
        ("Primary", page.primary_endpoints),
        ("Secondary", page.secondary_endpoints),
    ):
        if not found:
            continue
        out += [Text(""), Text(f"{title} ({len(found)})", style="bold")]
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        for endpoint in found:
            table.add_row(Text(endpoint.id), _endpoint(endpoint))
        out.append(table)
    return out


def _endpoint(endpoint: EndpointEntry) -> Text:
    text = Text(endpoint.measure)
    text.append(f"\nTime frame: {endpoint.time_frame}")
    if endpoint.visit:
        text.append(f"\nAssessed at: {endpoint.visit}")
    if endpoint.reads:
        text.append("\nReads: " + "; ".join(r.text for r in endpoint.reads))
    if endpoint.assumption:
        text.append(f"\n({ASSUMPTION})", style="dim")
        if endpoint.source:
            text.append(f" Source: {endpoint.source}", style="dim")
    return text
