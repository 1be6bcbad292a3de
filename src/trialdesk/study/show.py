"""Render a study the way its public trial page reads, for a terminal.

The order follows the public page: title, sponsor, status, conditions, treatments, study
type, identifiers; "About" and the full description; "Participation requirements"
(enrolment, sex, ages, volunteers, the numbered criteria); "Study design" and the patient
groups; the central contact; the research sites. Every text from the record goes into a
:class:`rich.text.Text`, never through rich markup, so brackets in registry text show as
written.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from trialdesk.study.ctgov import (
    CtgovRecord,
    DateStruct,
    age_range_label,
    enrollment_label,
    healthy_volunteers_label,
    label,
    phases_label,
)
from trialdesk.study.split import split_criteria, unescape_markdown

__all__ = ["render_study", "study_text"]

_Row = tuple[str, str | None, str | None]  # id, heading, text


def render_study(record: CtgovRecord, criteria: list[tuple[str, str, str]] | None = None) -> Group:
    """The study as rich renderables; ``criteria`` as ``(id, kind, text)``, else split
    from the record's eligibility text."""
    parts: list[RenderableType] = []
    parts += _header(record)
    parts += _about(record)
    parts += _participation(record, criteria)
    parts += _design(record)
    parts += _contacts(record)
    parts += _sites(record)
    parts += [Text(""), Text(_source(record), style="dim")]
    return Group(*parts)


def study_text(
    record: CtgovRecord, criteria: list[tuple[str, str, str]] | None = None, width: int = 100
) -> str:
    """:func:`render_study` as plain text ``width`` columns wide."""
    console = Console(
        width=width, record=True, file=io.StringIO(), color_system=None, force_terminal=False
    )
    console.print(render_study(record, criteria))
    return console.export_text()


def _source(record: CtgovRecord) -> str:
    status = record.protocolSection.statusModule
    updated = status.lastUpdatePostDateStruct if status else None
    when = f", last updated {updated.date}" if updated and updated.date else ""
    return f"Data sourced from ClinicalTrials.gov ({record.nct_id}{when})"


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


def _date(name: str, struct: DateStruct | None) -> str | None:
    if struct is None or not struct.date:
        return None
    kind = f" ({label('DateType', struct.type).lower()})" if struct.type else ""
    return f"{name} {struct.date}{kind}"


def _header(record: CtgovRecord) -> list[RenderableType]:
    ps = record.protocolSection
    ident = ps.identificationModule
    out: list[RenderableType] = [Text(record.title, style="bold")]
    subtitle = [s for s in (ident.acronym, ident.officialTitle) if s and s != record.title]
    if subtitle:
        out.append(Text(" · ".join(subtitle), style="dim"))
    out.append(Text(""))

    sponsors = ps.sponsorCollaboratorsModule
    sponsor = sponsors.leadSponsor.name if sponsors and sponsors.leadSponsor else None
    others = sponsors.collaborators if sponsors and sponsors.collaborators else ()
    collaborators = ", ".join(c.name for c in others if c.name)
    status = ps.statusModule
    dates = None
    if status is not None:
        found = [
            _date("Start", status.startDateStruct),
            _date("Primary completion", status.primaryCompletionDateStruct),
            _date("Completion", status.completionDateStruct),
        ]
        dates = " · ".join(d for d in found if d) or None
    conditions = ps.conditionsModule.conditions if ps.conditionsModule else None
    interventions = ps.armsInterventionsModule.interventions if ps.armsInterventionsModule else ()
    treatments = [
        f"{label('InterventionType', i.type)}: {i.name}" if i.type else (i.name or "")
        for i in interventions or ()
    ]
    design = ps.designModule
    identifiers = [ident.nctId]
    if ident.orgStudyIdInfo and ident.orgStudyIdInfo.id:
        identifiers.append(f"{ident.orgStudyIdInfo.id} (organization's study id)")
    for secondary in ident.secondaryIdInfos or ():
        if secondary.id:
            kind = label("SecondaryIdType", secondary.type) if secondary.type else "other id"
            identifiers.append(f"{secondary.id} ({kind})")
    out.append(
        _facts(
            [
                ("Sponsor", sponsor),
                ("Collaborators", collaborators or None),
                (
                    "Status",
                    label("Status", status.overallStatus)
                    if status and status.overallStatus
                    else None,
                ),
                ("Dates", dates),
                ("Phase", phases_label(design.phases) if design else None),
                ("Conditions", "\n".join(conditions or ()) or None),
                ("Treatments", "\n".join(t for t in treatments if t) or None),
                (
                    "Study type",
                    label("StudyType", design.studyType) if design and design.studyType else None,
                ),
                ("Identifiers", "\n".join(identifiers)),
            ]
        )
    )
    return out


def _about(record: CtgovRecord) -> list[RenderableType]:
    description = record.protocolSection.descriptionModule
    out: list[RenderableType] = []
    if description and description.briefSummary:
        out += _section("About")
        out.append(Text(unescape_markdown(description.briefSummary)))
    if description and description.detailedDescription:
        out += _section("Full description")
        out.append(Text(unescape_markdown(description.detailedDescription)))
    return out


def _criteria_rows(
    record: CtgovRecord, criteria: list[tuple[str, str, str]] | None
) -> dict[str, list[_Row]]:
    rows: dict[str, list[_Row]] = {"inclusion": [], "exclusion": []}
    if criteria is not None:
        for cid, kind, criterion_text in criteria:
            rows.setdefault(kind, []).append((cid, None, criterion_text))
        return rows
    heading: dict[str, str | None] = {"inclusion": None, "exclusion": None}
    for criterion in split_criteria(record.eligibility_criteria or ""):
        if criterion.heading != heading[criterion.kind]:
            heading[criterion.kind] = criterion.heading
            if criterion.heading:
                rows[criterion.kind].append(("", criterion.heading, None))
        rows[criterion.kind].append((criterion.id, None, criterion.text))
    return rows


def _criteria_table(rows: list[_Row]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for cid, heading, text in rows:
        if heading is not None:
            table.add_row(Text(""), Text(heading, style="italic"))
        else:
            table.add_row(Text(f"{cid}:"), Text(text or ""))
    return table


def _participation(
    record: CtgovRecord, criteria: list[tuple[str, str, str]] | None
) -> list[RenderableType]:
    ps = record.protocolSection
    eligibility = ps.eligibilityModule
    design = ps.designModule
    out = _section("Participation requirements")
    ages = None
    sex = None
    volunteers = None
    if eligibility is not None:
        ages = age_range_label(eligibility.minimumAge, eligibility.maximumAge)
        if eligibility.stdAges:
            ages += " (" + ", ".join(label("StandardAge", a) for a in eligibility.stdAges) + ")"
        sex = label("Sex", eligibility.sex) if eligibility.sex else None
        volunteers = healthy_volunteers_label(eligibility.healthyVolunteers)
    out.append(
        _facts(
            [
                ("Enrollment", enrollment_label(design.enrollmentInfo) if design else None),
                ("Sex", sex),
                ("Ages", ages),
                ("Volunteers", volunteers),
            ]
        )
    )
    rows = _criteria_rows(record, criteria)
    if not any(rows.values()):
        out += [Text(""), Text("The record lists no eligibility criteria.", style="italic")]
    for kind, title in (("inclusion", "Inclusion criteria"), ("exclusion", "Exclusion criteria")):
        if rows.get(kind):
            out += [Text(""), Text(f"{title} ({_count(rows[kind])})", style="bold")]
            out.append(_criteria_table(rows[kind]))
    return out


def _count(rows: list[_Row]) -> int:
    return sum(1 for _, heading, _text in rows if heading is None)


def _design(record: CtgovRecord) -> list[RenderableType]:
    ps = record.protocolSection
    design = ps.designModule
    info = design.designInfo if design else None
    out = _section("Study design")
    if info is not None:
        masking = info.maskingInfo
        who = ""
        if masking and masking.whoMasked:
            who = " (" + ", ".join(label("WhoMasked", w) for w in masking.whoMasked) + ")"
        out.append(
            _facts(
                [
                    (
                        "Primary purpose",
                        label("PrimaryPurpose", info.primaryPurpose)
                        if info.primaryPurpose
                        else None,
                    ),
                    (
                        "Allocation",
                        label("DesignAllocation", info.allocation) if info.allocation else None,
                    ),
                    (
                        "Interventional model",
                        label("InterventionalAssignment", info.interventionModel)
                        if info.interventionModel
                        else None,
                    ),
                    (
                        "Observational model",
                        label("ObservationalModel", info.observationalModel)
                        if info.observationalModel
                        else None,
                    ),
                    (
                        "Time perspective",
                        label("DesignTimePerspective", info.timePerspective)
                        if info.timePerspective
                        else None,
                    ),
                    (
                        "Masking",
                        label("DesignMasking", masking.masking) + who
                        if masking and masking.masking
                        else None,
                    ),
                ]
            )
        )
    arms = ps.armsInterventionsModule
    groups = arms.armGroups if arms and arms.armGroups else ()
    count = design.enrollmentInfo.count if design and design.enrollmentInfo else None
    noun = "patient group" if len(groups) == 1 else "patient groups"
    if groups or count is not None:
        people = f"{count} participants in " if count is not None else ""
        out += [Text(""), Text(f"{people}{len(groups)} {noun}", style="bold")]
    if groups:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
        table.add_column("Group", overflow="fold", max_width=28)
        table.add_column("Description", overflow="fold")
        table.add_column("Interventions", overflow="fold", max_width=30)
        for group in groups:
            name = Text(group.label or "", style="bold")
            if group.type:
                name.append("\n" + label("ArmGroupType", group.type), style="dim")
            table.add_row(
                name,
                Text(group.description or ""),
                Text("\n".join(group.interventionNames or ())),
            )
        out.append(table)
    if len(out) == 2:  # only the section heading
        out.append(Text("The record gives no study design.", style="italic"))
    return out


def _contacts(record: CtgovRecord) -> list[RenderableType]:
    contacts = record.protocolSection.contactsLocationsModule
    if contacts is None:
        return []
    out: list[RenderableType] = []
    if contacts.centralContacts:
        out += _section("Central trial contact")
        for contact in contacts.centralContacts:
            phone = contact.phone
            if phone and contact.phoneExt:
                phone += f" ext. {contact.phoneExt}"
            line = [p for p in (contact.name, phone, contact.email) if p]
            out.append(Text(" · ".join(line)))
    if contacts.overallOfficials:
        out += _section("Study officials")
        rows = []
        for official in contacts.overallOfficials:
            who = ", ".join(p for p in (official.name, official.affiliation) if p)
            role = label("OfficialRole", official.role) if official.role else "Official"
            rows.append((role, who or None))
        out.append(_facts(rows))
    return out


def _sites(record: CtgovRecord) -> list[RenderableType]:
    contacts = record.protocolSection.contactsLocationsModule
    locations = contacts.locations if contacts and contacts.locations else ()
    if not locations:
        return []
    out = _section(f"Research sites ({len(locations)})")
    has_state = any(loc.state for loc in locations)
    has_status = any(loc.status for loc in locations)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("Facility", overflow="fold")
    table.add_column("City", overflow="fold")
    if has_state:
        table.add_column("State", overflow="fold")
    table.add_column("Country", overflow="fold")
    if has_status:
        table.add_column("Status", overflow="fold")
    for loc in locations:
        cells = [Text(loc.facility or ""), Text(loc.city or "")]
        if has_state:
            cells.append(Text(loc.state or ""))
        cells.append(Text(loc.country or ""))
        if has_status:
            cells.append(Text(label("RecruitmentStatus", loc.status) if loc.status else ""))
        table.add_row(*cells)
    out.append(table)
    return out
