"""The ClinicalTrials.gov API v2 study record, as far as trialdesk uses it.

Field names are the API's own (camelCase, as in the official ``ctg-oas-v2.yaml``) so a
record round-trips unchanged; ``class`` (a Python keyword) is the attribute ``class_``.
Every model keeps fields it does not declare (``extra="allow"``) and is immutable. Only
``nctId`` is required. Enumerated values stay plain strings: the registry adds values
faster than its specification lists them (locations carry ``RECRUITING``, which the
specification's ``RecruitmentStatus`` omits), and an unknown value is no reason to reject
a record. :func:`label` turns them into the words of the public trial page.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from trialdesk.errors import StudyError

__all__ = [
    "ArmGroup",
    "ArmsInterventionsModule",
    "ConditionsModule",
    "Contact",
    "ContactsLocationsModule",
    "CtgovRecord",
    "DateStruct",
    "DescriptionModule",
    "DesignInfo",
    "DesignModule",
    "EligibilityModule",
    "EnrollmentInfo",
    "LABEL_KINDS",
    "GeoPoint",
    "IdentificationModule",
    "Intervention",
    "Location",
    "MaskingInfo",
    "Official",
    "OrgStudyIdInfo",
    "Organization",
    "Outcome",
    "OutcomesModule",
    "ProtocolSection",
    "SecondaryIdInfo",
    "Sponsor",
    "SponsorCollaboratorsModule",
    "StatusModule",
    "age_range_label",
    "enrollment_label",
    "healthy_volunteers_label",
    "label",
    "load_ctgov_record",
    "phases_label",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


# identificationModule ------------------------------------------------------------------


class Organization(_Model):
    fullName: str | None = None
    class_: str | None = Field(default=None, alias="class")


class OrgStudyIdInfo(_Model):
    id: str | None = None
    type: str | None = None
    link: str | None = None


class SecondaryIdInfo(_Model):
    id: str | None = None
    type: str | None = None
    domain: str | None = None
    link: str | None = None


class IdentificationModule(_Model):
    nctId: str = Field(pattern=r"^NCT\d{8}$")
    orgStudyIdInfo: OrgStudyIdInfo | None = None
    secondaryIdInfos: tuple[SecondaryIdInfo, ...] | None = None
    briefTitle: str | None = None
    officialTitle: str | None = None
    acronym: str | None = None
    organization: Organization | None = None


# statusModule --------------------------------------------------------------------------


class DateStruct(_Model):
    """``DateStruct`` and ``PartialDateStruct``: a date (``yyyy``, ``yyyy-MM`` or
    ``yyyy-MM-dd``) and whether it is ``ACTUAL`` or ``ESTIMATED``."""

    date: str | None = None
    type: str | None = None


class StatusModule(_Model):
    statusVerifiedDate: str | None = None
    overallStatus: str | None = None
    lastKnownStatus: str | None = None
    whyStopped: str | None = None
    startDateStruct: DateStruct | None = None
    primaryCompletionDateStruct: DateStruct | None = None
    completionDateStruct: DateStruct | None = None
    studyFirstPostDateStruct: DateStruct | None = None
    lastUpdatePostDateStruct: DateStruct | None = None


# sponsorCollaboratorsModule ------------------------------------------------------------


class Sponsor(_Model):
    name: str | None = None
    class_: str | None = Field(default=None, alias="class")


class SponsorCollaboratorsModule(_Model):
    leadSponsor: Sponsor | None = None
    collaborators: tuple[Sponsor, ...] | None = None


# descriptionModule, conditionsModule ---------------------------------------------------


class DescriptionModule(_Model):
    briefSummary: str | None = None
    detailedDescription: str | None = None


class ConditionsModule(_Model):
    conditions: tuple[str, ...] | None = None
    keywords: tuple[str, ...] | None = None


# designModule --------------------------------------------------------------------------


class MaskingInfo(_Model):
    """The API's ``MaskingBlock`` (``designInfo.maskingInfo``)."""

    masking: str | None = None
    maskingDescription: str | None = None
    whoMasked: tuple[str, ...] | None = None


class DesignInfo(_Model):
    allocation: str | None = None
    interventionModel: str | None = None
    interventionModelDescription: str | None = None
    primaryPurpose: str | None = None
    observationalModel: str | None = None
    timePerspective: str | None = None
    maskingInfo: MaskingInfo | None = None


class EnrollmentInfo(_Model):
    count: int | None = None
    type: str | None = None


class DesignModule(_Model):
    studyType: str | None = None
    phases: tuple[str, ...] | None = None
    designInfo: DesignInfo | None = None
    enrollmentInfo: EnrollmentInfo | None = None


# armsInterventionsModule ---------------------------------------------------------------


class ArmGroup(_Model):
    label: str | None = None
    type: str | None = None
    description: str | None = None
    interventionNames: tuple[str, ...] | None = None


class Intervention(_Model):
    type: str | None = None
    name: str | None = None
    description: str | None = None
    armGroupLabels: tuple[str, ...] | None = None
    otherNames: tuple[str, ...] | None = None


class ArmsInterventionsModule(_Model):
    armGroups: tuple[ArmGroup, ...] | None = None
    interventions: tuple[Intervention, ...] | None = None


# outcomesModule ------------------------------------------------------------------------


class Outcome(_Model):
    measure: str | None = None
    description: str | None = None
    timeFrame: str | None = None


class OutcomesModule(_Model):
    primaryOutcomes: tuple[Outcome, ...] | None = None
    secondaryOutcomes: tuple[Outcome, ...] | None = None
    otherOutcomes: tuple[Outcome, ...] | None = None


# eligibilityModule ---------------------------------------------------------------------


class EligibilityModule(_Model):
    eligibilityCriteria: str | None = None
    healthyVolunteers: bool | None = None
    sex: str | None = None
    minimumAge: str | None = None
    maximumAge: str | None = None
    stdAges: tuple[str, ...] | None = None
    studyPopulation: str | None = None
    samplingMethod: str | None = None


# contactsLocationsModule ---------------------------------------------------------------


class Contact(_Model):
    name: str | None = None
    role: str | None = None
    phone: str | None = None
    phoneExt: str | None = None
    email: str | None = None


class Official(_Model):
    name: str | None = None
    affiliation: str | None = None
    role: str | None = None


class GeoPoint(_Model):
    lat: float | None = None
    lon: float | None = None


class Location(_Model):
    facility: str | None = None
    status: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    contacts: tuple[Contact, ...] | None = None
    geoPoint: GeoPoint | None = None


class ContactsLocationsModule(_Model):
    centralContacts: tuple[Contact, ...] | None = None
    overallOfficials: tuple[Official, ...] | None = None
    locations: tuple[Location, ...] | None = None


# the record ----------------------------------------------------------------------------


class ProtocolSection(_Model):
    identificationModule: IdentificationModule
    statusModule: StatusModule | None = None
    sponsorCollaboratorsModule: SponsorCollaboratorsModule | None = None
    descriptionModule: DescriptionModule | None = None
    conditionsModule: ConditionsModule | None = None
    designModule: DesignModule | None = None
    armsInterventionsModule: ArmsInterventionsModule | None = None
    outcomesModule: OutcomesModule | None = None
    eligibilityModule: EligibilityModule | None = None
    contactsLocationsModule: ContactsLocationsModule | None = None


class CtgovRecord(_Model):
    """One study as the API v2 returns it (``/studies/{nctId}``)."""

    protocolSection: ProtocolSection
    hasResults: bool | None = None

    @property
    def nct_id(self) -> str:
        return self.protocolSection.identificationModule.nctId

    @property
    def title(self) -> str:
        """The brief title, else the official title, else the NCT id."""
        ident = self.protocolSection.identificationModule
        return ident.briefTitle or ident.officialTitle or ident.nctId

    @property
    def eligibility_criteria(self) -> str | None:
        """The registry's free-text criteria, or None when the record carries none."""
        module = self.protocolSection.eligibilityModule
        return module.eligibilityCriteria if module is not None else None


def load_ctgov_record(path: Path) -> CtgovRecord:
    """Read one API v2 study record (JSON) from ``path``.

    Raises :class:`StudyError` naming the file, and for a record that does not validate
    the field path (``protocolSection.designModule.enrollmentInfo.count``).
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StudyError(
            f"cannot read the registry record: {exc.strerror}", file=str(path)
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StudyError(
            f"the registry record is not UTF-8 text: {exc.reason} at byte {exc.start}",
            file=str(path),
        ) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StudyError(
            f"the registry record is not JSON: {exc.msg}",
            file=str(path),
            line=exc.lineno,
            column=exc.colno,
        ) from exc
    if not isinstance(data, dict):
        raise StudyError(
            f"a registry record is a JSON object, not {type(data).__name__}", file=str(path)
        )
    try:
        return CtgovRecord.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        where = _loc_path(first["loc"])
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise StudyError(
            f"not a ClinicalTrials.gov API v2 study record: {where}: {first['msg']}{more}",
            file=str(path),
            field=where,
        ) from exc


def _loc_path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(record)"


# labels --------------------------------------------------------------------------------

# Only the values whose label is not the sentence-cased value itself.
_LABELS: dict[str, dict[str, str]] = {
    "Phase": {
        "NA": "Not applicable",
        "EARLY_PHASE1": "Early phase 1",
        "PHASE1": "Phase 1",
        "PHASE2": "Phase 2",
        "PHASE3": "Phase 3",
        "PHASE4": "Phase 4",
    },
    "DesignAllocation": {"NA": "Not applicable", "NON_RANDOMIZED": "Non-randomized"},
    "InterventionalAssignment": {
        "SINGLE_GROUP": "Single group assignment",
        "PARALLEL": "Parallel assignment",
        "CROSSOVER": "Crossover assignment",
        "FACTORIAL": "Factorial assignment",
        "SEQUENTIAL": "Sequential assignment",
    },
    "DesignMasking": {
        "NONE": "None (open label)",
        "SINGLE": "Single",
        "DOUBLE": "Double",
        "TRIPLE": "Triple",
        "QUADRUPLE": "Quadruple",
    },
    "PrimaryPurpose": {"ECT": "Educational/counseling/training"},
    "SecondaryIdType": {"EUDRACT_NUMBER": "EudraCT number"},
    "AgencyClass": {"OTHER_GOV": "Other government", "INDIV": "Individual", "FED": "Federal"},
    "InterventionType": {"DIAGNOSTIC_TEST": "Diagnostic test"},
    "Status": {"UNKNOWN": "Unknown status", "ACTIVE_NOT_RECRUITING": "Active, not recruiting"},
    "RecruitmentStatus": {"ACTIVE_NOT_RECRUITING": "Active, not recruiting"},
    "ObservationalModel": {"ECOLOGIC_OR_COMMUNITY": "Ecologic or community"},
    "Sex": {"ALL": "All", "FEMALE": "Female", "MALE": "Male"},
    "StandardAge": {"OLDER_ADULT": "Older adult"},
}

_ACRONYMS = frozenset({"NIH", "FDA", "VA", "CDC", "AHRQ", "SAMHSA"})

# The API's enumerations (schema names in ctg-oas-v2.yaml) that :func:`label` knows.
# fmt: off
LABEL_KINDS = frozenset({
    "Status", "StudyType", "Phase", "Sex", "StandardAge", "DesignAllocation",
    "InterventionalAssignment", "PrimaryPurpose", "ObservationalModel", "DesignTimePerspective",
    "DesignMasking", "WhoMasked", "EnrollmentType", "DateType", "ArmGroupType",
    "InterventionType", "ContactRole", "OfficialRole", "RecruitmentStatus", "AgencyClass",
    "SecondaryIdType", "SamplingMethod",
})
# fmt: on


def label(kind: str, value: str) -> str:
    """The public page's words for an enumerated value of the API schema ``kind``.

    ``label("Status", "NOT_YET_RECRUITING")`` is ``"Not yet recruiting"``,
    ``label("InterventionalAssignment", "SINGLE_GROUP")`` is ``"Single group assignment"``.
    ``kind`` is the enum's schema name in ``ctg-oas-v2.yaml``; values the table does not
    know are sentence-cased (``ENROLLING_BY_INVITATION`` -> ``"Enrolling by invitation"``).
    """
    if kind not in LABEL_KINDS:
        raise ValueError(f"unknown enumeration {kind!r}; expected one of {sorted(LABEL_KINDS)}")
    known = _LABELS.get(kind, {})
    if value in known:
        return known[value]
    if value in _ACRONYMS:
        return value
    words = value.replace("_", " ").strip().lower()
    return words[:1].upper() + words[1:]


def phases_label(phases: Iterable[str] | None) -> str | None:
    """``("PHASE2", "PHASE3")`` -> ``"Phase 2/Phase 3"``; None when the record has none."""
    names = [label("Phase", p) for p in phases or ()]
    return "/".join(names) if names else None


def age_range_label(minimum: str | None, maximum: str | None) -> str:
    """``("18 Years", "65 Years")`` -> ``"18 Years to 65 Years"``, as the public page."""
    if minimum and maximum:
        return f"{minimum} to {maximum}"
    if minimum:
        return f"{minimum} and older"
    if maximum:
        return f"up to {maximum}"
    return "All ages"


def healthy_volunteers_label(accepts: bool | None) -> str | None:
    if accepts is None:
        return None
    return "Accepts healthy volunteers" if accepts else "Does not accept healthy volunteers"


def enrollment_label(info: EnrollmentInfo | None) -> str | None:
    """``15 participants (estimated)``; None when the record gives no count."""
    if info is None or info.count is None:
        return None
    noun = "participant" if info.count == 1 else "participants"
    text = f"{info.count} {noun}"
    if info.type:
        text += f" ({label('EnrollmentType', info.type).lower()})"
    return text
