"""The public trial page as data: one view model for the web page and the terminal.

:func:`trial_page` turns a :class:`~trialdesk.study.loader.Study` into a :class:`TrialPage`
whose fields follow the public ClinicalTrials.gov page, section by section, with the
registry's words (enumerations as labels, markdown escapes removed, criteria verbatim).
The web template (``web/templates/study.html``) and ``trialdesk study show``
(:mod:`trialdesk.study.show`) both render this one object, so they cannot drift apart.
A study with a conduct half adds, from its protocol files in the reader's language, what
taking part involves (the visits, how long, what happens at each), the schedule of
activities and the endpoints, each marked when it is a protocol assumption, with its
source. Everything here comes from the public registry record and the study folder; no
participant data ever does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

from trialdesk.study.ctgov import Contact as CtgovContact
from trialdesk.study.ctgov import (
    CtgovRecord,
    DateStruct,
    Location,
    StatusModule,
    age_range_label,
    enrollment_label,
    healthy_volunteers_label,
    label,
    phases_label,
)
from trialdesk.study.endpoints import Endpoint
from trialdesk.study.forms import Form
from trialdesk.study.schedule import Schedule, Visit, VisitKind
from trialdesk.study.split import SplitCriterion, split_eligibility, unescape_markdown

if TYPE_CHECKING:
    from trialdesk.study.loader import Study

from trialdesk.study.page_model import (
    CTGOV_STUDY_URL,
    ActivityRow,
    ActivitySchedule,
    Contact,
    CriterionItem,
    CriterionLike,
    CriterionText,
    Design,
    EndpointEntry,
    Group,
    Identifier,
    ItemRead,
    KeyDate,
    Official,
    SectionNotes,
    Site,
    Source,
    TakingPart,
    Treatment,
    TrialPage,
    VisitColumn,
    VisitPlan,
    headed,
)

__all__ = [
    "Contact",
    "CriterionItem",
    "CriterionLike",
    "CriterionText",
    "Design",
    "Group",
    "Identifier",
    "KeyDate",
    "Official",
    "SectionNotes",
    "Site",
    "Source",
    "Treatment",
    "TrialPage",
    "activity_schedule",
    "endpoint_entries",
    "headed",
    "page_from_record",
    "taking_part",
    "trial_page",
]


def trial_page(study: Study, locale: str = "en") -> TrialPage:
    """The public page of ``study``: its record, with the criteria of its criteria file,
    and what its protocol files say of taking part, with their texts in ``locale``."""
    page = page_from_record(study.record, study.criteria.criteria)
    schedule = study.schedule
    return replace(
        page,
        locale=locale,
        taking_part=taking_part(schedule, study.forms, locale) if schedule else None,
        activities=activity_schedule(schedule, study.forms, locale) if schedule else None,
        endpoints=endpoint_entries(study.endpoints, schedule, study.forms, locale),
    )


def page_from_record(
    record: CtgovRecord, criteria: Iterable[CriterionLike] | None = None
) -> TrialPage:
    """The public page of a bare registry record. ``criteria`` (ids, verbatim texts), when
    given, replace the criteria split from the record's eligibility text."""
    ps = record.protocolSection
    ident = ps.identificationModule
    status = ps.statusModule
    sponsors = ps.sponsorCollaboratorsModule
    description = ps.descriptionModule
    design = ps.designModule
    eligibility = ps.eligibilityModule
    contacts = ps.contactsLocationsModule
    inclusion, exclusion, notes = _criteria(record, criteria)
    official = ident.officialTitle if ident.officialTitle != record.title else None
    return TrialPage(
        nct_id=record.nct_id,
        title=record.title,
        official_title=official,
        acronym=ident.acronym if ident.acronym != record.title else None,
        sponsor=sponsors.leadSponsor.name if sponsors and sponsors.leadSponsor else None,
        collaborators=tuple(
            c.name for c in (sponsors.collaborators if sponsors else None) or () if c.name
        ),
        status=label("Status", status.overallStatus) if status and status.overallStatus else None,
        status_code=status.overallStatus if status else None,
        dates=_dates(status),
        phase=phases_label(design.phases) if design else None,
        conditions=tuple(ps.conditionsModule.conditions or ()) if ps.conditionsModule else (),
        treatments=_treatments(record),
        study_type=label("StudyType", design.studyType) if design and design.studyType else None,
        identifiers=_identifiers(record),
        brief_summary=_text(description.briefSummary if description else None),
        detailed_description=_paragraphs(description.detailedDescription if description else None),
        enrollment=enrollment_label(design.enrollmentInfo) if design else None,
        sex=label("Sex", eligibility.sex) if eligibility and eligibility.sex else None,
        ages=_ages(record),
        healthy_volunteers=(
            healthy_volunteers_label(eligibility.healthyVolunteers) if eligibility else None
        ),
        inclusion=inclusion,
        exclusion=exclusion,
        inclusion_notes=notes["inclusion"],
        exclusion_notes=notes["exclusion"],
        design=_design(record),
        groups_summary=_groups_summary(record),
        groups=_groups(record),
        central_contacts=tuple(
            _contact(c) for c in (contacts.centralContacts if contacts else None) or ()
        ),
        officials=tuple(
            Official(
                o.name,
                o.affiliation,
                label("OfficialRole", o.role) if o.role else "Official",
            )
            for o in (contacts.overallOfficials if contacts else None) or ()
        ),
        sites=tuple(_site(loc) for loc in (contacts.locations if contacts else None) or ()),
        source=Source(
            record.nct_id,
            status.lastUpdatePostDateStruct.date
            if status and status.lastUpdatePostDateStruct
            else None,
            CTGOV_STUDY_URL + record.nct_id,
        ),
    )


# sections --------------------------------------------------------------------------------


def _text(value: str | None) -> str | None:
    return unescape_markdown(value) if value else None


def _paragraphs(value: str | None) -> tuple[str, ...]:
    # Blank lines part paragraphs; single line breaks (lists in the text) stay in them.
    text = _text(value)
    if not text:
        return ()
    return tuple(p.strip("\n") for p in re.split(r"\n[ \t]*\n", text) if p.strip())


def _date(name: str, struct: DateStruct | None) -> KeyDate | None:
    if struct is None or not struct.date:
        return None
    kind = label("DateType", struct.type).lower() if struct.type else None
    return KeyDate(name, struct.date, kind)


def _dates(status: StatusModule | None) -> tuple[KeyDate, ...]:
    if status is None:
        return ()
    found = (
        _date("Start", status.startDateStruct),
        _date("Primary completion", status.primaryCompletionDateStruct),
        _date("Completion", status.completionDateStruct),
    )
    return tuple(d for d in found if d is not None)


def _treatments(record: CtgovRecord) -> tuple[Treatment, ...]:
    arms = record.protocolSection.armsInterventionsModule
    return tuple(
        Treatment(
            name=i.name or "",
            type=label("InterventionType", i.type) if i.type else None,
            description=_text(i.description),
            other_names=tuple(i.otherNames or ()),
        )
        for i in (arms.interventions if arms else None) or ()
        if i.name or i.type
    )


def _identifiers(record: CtgovRecord) -> tuple[Identifier, ...]:
    ident = record.protocolSection.identificationModule
    found = [Identifier(ident.nctId, "NCT number", CTGOV_STUDY_URL + ident.nctId)]
    org = ident.orgStudyIdInfo
    if org and org.id:
        found.append(Identifier(org.id, "organization's study id", org.link))
    for secondary in ident.secondaryIdInfos or ():
        if secondary.id:
            kind = label("SecondaryIdType", secondary.type) if secondary.type else "other id"
            found.append(Identifier(secondary.id, kind, secondary.link))
    return tuple(found)


def _ages(record: CtgovRecord) -> str | None:
    eligibility = record.protocolSection.eligibilityModule
    if eligibility is None:
        return None
    ages = age_range_label(eligibility.minimumAge, eligibility.maximumAge)
    if eligibility.stdAges:
        ages += " (" + ", ".join(label("StandardAge", a) for a in eligibility.stdAges) + ")"
    return ages


def _design(record: CtgovRecord) -> Design | None:
    design = record.protocolSection.designModule
    info = design.designInfo if design else None
    if info is None:
        return None
    masking = info.maskingInfo
    masked = None
    if masking and masking.masking:
        masked = label("DesignMasking", masking.masking)
        if masking.whoMasked:
            masked += " (" + ", ".join(label("WhoMasked", w) for w in masking.whoMasked) + ")"

    def named(kind: str, value: str | None) -> str | None:
        return label(kind, value) if value else None

    return Design(
        primary_purpose=named("PrimaryPurpose", info.primaryPurpose),
        allocation=named("DesignAllocation", info.allocation),
        interventional_model=named("InterventionalAssignment", info.interventionModel),
        observational_model=named("ObservationalModel", info.observationalModel),
        time_perspective=named("DesignTimePerspective", info.timePerspective),
        masking=masked,
    )


def _groups(record: CtgovRecord) -> tuple[Group, ...]:
    arms = record.protocolSection.armsInterventionsModule
    return tuple(
        Group(
            label=g.label or "",
            type=label("ArmGroupType", g.type) if g.type else None,
            description=_text(g.description),
            interventions=tuple(g.interventionNames or ()),
        )
        for g in (arms.armGroups if arms else None) or ()
    )


def _groups_summary(record: CtgovRecord) -> str | None:
    """``15 participants in 1 patient group``, as the page heads the groups table."""
    ps = record.protocolSection
    arms = ps.armsInterventionsModule
    groups = len(arms.armGroups or ()) if arms else 0
    design = ps.designModule
    count = design.enrollmentInfo.count if design and design.enrollmentInfo else None
    if not groups and count is None:
        return None
    noun = "patient group" if groups == 1 else "patient groups"
    people = f"{count} participants in " if count is not None else ""
    return f"{people}{groups} {noun}"


def _contact(contact: CtgovContact) -> Contact:
    phone = contact.phone
    if phone and contact.phoneExt:
        phone += f" ext. {contact.phoneExt}"
    role = label("ContactRole", contact.role) if contact.role else None
    return Contact(contact.name, role, phone, contact.email)


def _site(location: Location) -> Site:
    point = location.geoPoint
    if point is not None and point.lat is not None and point.lon is not None:
        lat, lon = _coordinate(point.lat), _coordinate(point.lon)
        url = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=15/{lat}/{lon}"
        located = True
    else:  # no geopoint: let the map search the address the registry gives
        words = (location.facility, location.city, location.state, location.country)
        query = ", ".join(w for w in words if w)
        url = f"https://www.openstreetmap.org/search?query={quote_plus(query)}"
        located = False
    return Site(
        facility=location.facility,
        city=location.city,
        state=location.state,
        country=location.country,
        status=label("RecruitmentStatus", location.status) if location.status else None,
        map_url=url,
        located=located,
        contacts=tuple(_contact(c) for c in location.contacts or ()),
    )


# criteria --------------------------------------------------------------------------------

# A registry section heading ("Inclusion Criteria:", "Key Exclusion Criteria for Cohort A:").
_SECTION_HEAD = re.compile(
    r"\W*(?:\w+\s+){0,3}?(?P<word>inclusion|exclusion|eligibility|selection)"
    r"(?:\s+(?:and|&|/)\s+exclusion)?(?:\s+criteri\w*)?(?:\s+(?:for|in)\s+[^:]{1,80})?"
    r"[\s*_]*:?[\s*_]*",
    re.IGNORECASE,
)
_BULLET = re.compile(r"[-*+•·▪◦‣●○■□➢►–—]\s+")


def _sub_item(line: str) -> str:
    # The public page renders markdown bullets as bullets; numbers and letters stay as written.
    line = line.strip()
    bullet = _BULLET.match(line)
    return f"• {line[bullet.end() :]}" if bullet else line


def _criteria(
    record: CtgovRecord, given: Iterable[CriterionLike] | None
) -> tuple[tuple[CriterionItem, ...], tuple[CriterionItem, ...], dict[str, SectionNotes]]:
    split = split_eligibility(record.eligibility_criteria or "")
    registry = {c.id: c for c in split.criteria}
    found: dict[str, list[CriterionItem]] = {"inclusion": [], "exclusion": []}
    for criterion in given if given is not None else split.criteria:
        kind = str(criterion.kind)
        rows = found.setdefault(kind, [])
        heading = criterion.heading
        same = registry.get(criterion.id)
        if heading is None and same is not None and same.text == criterion.text:
            heading = same.heading  # the registry's sub-heading for this very criterion
        lead, *rest = criterion.text.split("\n")
        subs = tuple(_sub_item(line) for line in rest if line.strip())
        rows.append(CriterionItem(criterion.id, len(rows) + 1, criterion.text, lead, subs, heading))
    notes = _notes(record.eligibility_criteria or "", split.notes, split.criteria)
    return tuple(found["inclusion"]), tuple(found["exclusion"]), notes


def _notes(
    text: str, notes: Sequence[str], criteria: Sequence[SplitCriterion]
) -> dict[str, SectionNotes]:
    """Assign each registry note (intro sentence, remark) to its section, before or after
    the list, by where it stands in the registry text."""
    plain = unescape_markdown(text)
    first: dict[str, int] = {}
    for criterion in criteria:
        at = plain.find(criterion.text.split("\n")[0][:40])
        if at >= 0 and criterion.kind not in first:
            first[criterion.kind] = at
    placed: dict[str, tuple[list[str], list[str]]] = {
        "inclusion": ([], []),
        "exclusion": ([], []),
    }
    kind = "inclusion"
    cursor = 0
    for note in notes:
        at = plain.find(note[:40], cursor)
        cursor = max(cursor, at)
        head = _SECTION_HEAD.fullmatch(note)
        if head is not None:  # our page has its own section headings
            word = head["word"].lower()
            kind = word if word in ("inclusion", "exclusion") else kind
            continue
        after = at >= 0 and kind in first and at > first[kind]
        placed[kind][1 if after else 0].append(note)
    return {k: SectionNotes(tuple(b), tuple(a)) for k, (b, a) in placed.items()}


def _coordinate(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


# the protocol ----------------------------------------------------------------------------


def taking_part(schedule: Schedule, forms: Mapping[str, Form], locale: str) -> TakingPart | None:
    """What taking part involves, computed from the schedule: the scheduled visits after
    day 1, the days from day 1 to the last visit, how early screening may start."""
    last = schedule.last_day
    if last is None:
        return None
    scheduled = schedule.scheduled
    day1 = next((v for v in scheduled if v.day == 1), None)
    after = [v for v in scheduled if (_start(v) or 0) > 1]
    before = [v.first_day for v in scheduled if v.first_day is not None and v.first_day < 0]
    return TakingPart(
        visits_after_day1=len(after),
        day1=day1.name.get(locale) if day1 else None,
        days=max(_offset(last), 0),
        screening_days=-min(before) if before else None,
        visits=tuple(
            VisitPlan(
                v.name.get(locale), _when_plain(v), _plain_activities(v, schedule, forms, locale)
            )
            for v in scheduled
        ),
        assumption=schedule.assumption or any(v.assumption for v in schedule.visits),
        source=schedule.source,
    )


def activity_schedule(
    schedule: Schedule, forms: Mapping[str, Form], locale: str
) -> ActivitySchedule:
    """The schedule of activities: every visit in the schedule's order as a column; the
    forms, then the procedures, as rows in the order the visits first name them."""
    visits = schedule.visits
    form_ids = dict.fromkeys(f for v in visits for f in v.forms)
    procedure_ids = dict.fromkeys(p for v in visits for p in v.procedures)

    def title(form_id: str) -> str:
        form = forms.get(form_id)
        return form.title.get(locale) if form else form_id

    def procedure(pid: str) -> str:
        name = schedule.procedures.get(pid)
        return name.get(locale) if name else pid

    return ActivitySchedule(
        visits=tuple(_column(v, locale) for v in visits),
        forms=tuple(
            ActivityRow(f, title(f), tuple(f in v.forms for v in visits)) for f in form_ids
        ),
        procedures=tuple(
            ActivityRow(p, procedure(p), tuple(p in v.procedures for v in visits))
            for p in procedure_ids
        ),
        log_forms=tuple(f.title.get(locale) for f in forms.values() if f.repeating),
        assumption=schedule.assumption,
        source=schedule.source,
    )


def endpoint_entries(
    endpoints: Sequence[Endpoint],
    schedule: Schedule | None,
    forms: Mapping[str, Form],
    locale: str,
) -> tuple[EndpointEntry, ...]:
    """The endpoints as the page lists them, each with its visit and the items it reads."""
    visits = {v.id: v for v in schedule.visits} if schedule else {}
    out = []
    for e in endpoints:
        visit = visits.get(e.visit) if e.visit else None
        reads = []
        for ref in e.reads:
            form = forms.get(ref.form or "")
            item = next((i for i in form.items if i.id == ref.item), None) if form else None
            reads.append(
                ItemRead(
                    str(ref),
                    item.label.get(locale) if item else ref.item,
                    form.title.get(locale) if form else str(ref.form),
                )
            )
        out.append(
            EndpointEntry(
                id=e.id,
                primary=e.primary,
                measure=e.measure.get(locale),
                time_frame=e.time_frame.get(locale),
                visit=f"{e.visit} ({visit.name.get(locale)})" if visit else e.visit,
                reads=tuple(reads),
                assumption=e.assumption,
                source=e.source,
            )
        )
    return tuple(out)


def _offset(day: int) -> int:
    """Calendar days from day 1 to study day ``day`` (there is no day 0)."""
    return day - 1 if day > 0 else day


def _start(visit: Visit) -> int | None:
    return visit.day if visit.day is not None else visit.first_day


def _window(visit: Visit) -> tuple[int, int]:
    """Days allowed before and after the target day."""
    if visit.day is None or visit.first_day is None or visit.last_day is None:
        return 0, 0
    day = _offset(visit.day)
    return day - _offset(visit.first_day), _offset(visit.last_day) - day


_UNTIMED = {
    VisitKind.EARLY_TERMINATION: "if participation ends early",
    VisitKind.UNSCHEDULED: "whenever needed",
}


def _column(visit: Visit, locale: str) -> VisitColumn:
    before, after = _window(visit)
    if visit.day is not None:
        day = f"D{visit.day}"
        if before == after:
            window = f"±{before}" if before else ""
        elif not before:
            window = f"+{after}"
        elif not after:
            window = f"-{before}"
        else:
            window = f"-{before}/+{after}"
    elif visit.first_day is not None and visit.last_day is not None:
        day, window = f"D{visit.first_day}", f"to D{visit.last_day}"
    else:
        day = window = ""
    when = " ".join(p for p in (day, window) if p) or _UNTIMED.get(visit.kind, "")
    return VisitColumn(
        visit.id, visit.name.get(locale), day, window, when, visit.assumption, visit.source
    )


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _when_plain(visit: Visit) -> str:
    """When a visit is, as a participant reads it: ``Day 85, give or take 7 days``."""
    first, last = visit.first_day, visit.last_day
    if visit.day is None:
        if first is None or last is None:
            return ""
        if last < 0:
            if last == -1:
                return f"Up to {_days(-first)} before day 1"
            return f"{_days(-first)} to {_days(-last)} before day 1"
        return f"Days {first} to {last}"
    before, after = _window(visit)
    text = f"Day {visit.day}"
    if before and before == after:
        return f"{text}, give or take {_days(before)}"
    if before and after:
        return f"{text}, from {_days(before)} earlier to {_days(after)} later"
    if before:
        return f"{text}, or up to {_days(before)} earlier"
    if after:
        return f"{text}, or up to {_days(after)} later"
    return text


def _plain_activities(
    visit: Visit, schedule: Schedule, forms: Mapping[str, Form], locale: str
) -> tuple[str, ...]:
    """What is done at a visit in plain words: each procedure's and form's ``plain:`` text,
    else its name or title. A log form (kept throughout) and a form every item of which is
    computed (nothing is done for it) say nothing; a text said twice is said once."""
    said: list[str] = []
    for pid in visit.procedures:
        text = schedule.procedure_plain.get(pid) or schedule.procedures.get(pid)
        if text is not None:
            said.append(text.get(locale))
    for form_id in visit.forms:
        form = forms.get(form_id)
        if form is None or form.repeating:
            continue
        if form.plain is not None:
            said.append(form.plain.get(locale))
        elif not form.computed:
            said.append(form.title.get(locale))
    return tuple(dict.fromkeys(said))
