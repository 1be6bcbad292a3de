"""The public trial page model: every section of the registry's page, from the record."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from trialdesk.study.ctgov import CtgovRecord, load_ctgov_record
from trialdesk.study.loader import load_study
from trialdesk.study.page import CriterionText, TrialPage, page_from_record, trial_page
from trialdesk.study.split import split_criteria

from .conftest import SEED_PAGE


@pytest.fixture(scope="module")
def page() -> TrialPage:
    return trial_page(load_study())


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    if not SEED_PAGE.is_file():
        pytest.skip(f"no seed page at {SEED_PAGE}")
    return [line.strip() for line in SEED_PAGE.read_text(encoding="utf-8").splitlines()]


def _between(lines: list[str], start: str, end: str) -> list[str]:
    return lines[lines.index(start) + 1 : lines.index(end)]


def test_header_facts(page: TrialPage) -> None:
    assert page.nct_id == "NCT06947746"
    assert page.title == "HiSCs in the Treatment of Rheumatoid Arthritis"
    assert page.official_title is None  # the record has none distinct from the title
    assert page.sponsor == "Shanghai Changzheng Hospital"
    assert page.status == "Not yet recruiting"
    assert page.status_tone == "info"
    assert page.conditions == ("Rheumatoid Arthritis (RA)",)
    assert [t.label for t in page.treatments] == ["Biological: hiSCs"]
    assert page.study_type == "Interventional"
    assert page.phase == "Not applicable"
    assert [(i.value, i.kind) for i in page.identifiers] == [("NCT06947746", "NCT number")]
    assert [d.text for d in page.dates] == [
        "Start 2025-05-01 (estimated)",
        "Completion 2027-04-01 (estimated)",
    ]


def test_about_is_the_seed_text(page: TrialPage, seed_lines: list[str]) -> None:
    about = _between(seed_lines, "About", "Full description")
    full = _between(seed_lines, "Full description", "Enrollment")
    assert [page.brief_summary] == about
    assert list(page.detailed_description) == full


def test_participation_facts(page: TrialPage, seed_lines: list[str]) -> None:
    assert page.enrollment == "15 participants (estimated)"
    assert page.sex == "All"
    assert page.ages == "18 Years to 65 Years (Adult, Older adult)"
    assert page.healthy_volunteers == "Does not accept healthy volunteers"
    for heading in ("Enrollment", "Sex", "Ages", "Volunteers"):
        assert heading in seed_lines


def test_criteria_are_the_criteria_file_verbatim(page: TrialPage) -> None:
    study = load_study()
    assert [(c.id, c.number) for c in page.inclusion] == [(f"I{n}", n) for n in range(1, 7)]
    assert [(c.id, c.number) for c in page.exclusion] == [(f"E{n}", n) for n in range(1, 29)]
    by_id = {c.id: c.text for c in study.criteria.criteria}
    for item in page.inclusion + page.exclusion:
        assert item.text == by_id[item.id]
    e12 = page.exclusion[11]
    assert e12.lead == "Evidence of hematopoietic dysfunction during screening:"
    assert e12.sub_items == ()  # the registry lists no sub-items under E12


def test_exclusion_criteria_match_the_seed_page_in_order(
    page: TrialPage, seed_lines: list[str]
) -> None:
    seed = _between(seed_lines, "Exclusion criteria", "Primary purpose")
    intro, criteria = seed[0], seed[1:]
    assert page.exclusion_notes.before == (intro,)
    assert [c.text for c in page.exclusion] == criteria


def test_inclusion_intro_matches_the_seed_page(page: TrialPage, seed_lines: list[str]) -> None:
    seed = _between(seed_lines, "Inclusion criteria", "Exclusion criteria")
    assert page.inclusion_notes.before == tuple(seed)
    assert page.inclusion_notes.after == page.exclusion_notes.after == ()


def test_design_and_groups(page: TrialPage, seed_lines: list[str]) -> None:
    assert page.design is not None
    assert page.design.facts == (
        ("Primary purpose", "Treatment"),
        ("Allocation", "Not applicable"),
        ("Interventional model", "Single group assignment"),
        ("Masking", "None (open label)"),
    )
    start = seed_lines.index("Primary purpose")
    end = seed_lines.index("15 participants in 1 patient group")
    assert [name for name, _ in page.design.facts] == seed_lines[start:end]
    assert page.groups_summary == "15 participants in 1 patient group"
    assert page.groups_summary in seed_lines
    (group,) = page.groups
    assert (group.label, group.type, group.interventions) == (
        "hiSCs",
        "Experimental",
        ("Biological: hiSCs",),
    )
    assert group.description == "A single intra-articular injection of hiSCs into the target knee."


def test_contact_sites_and_source(page: TrialPage, seed_lines: list[str]) -> None:
    contact = page.central_contact
    assert contact is not None
    seed = _between(seed_lines, "Central trial contact", "Data sourced from clinicaltrials.gov")
    assert [contact.name] == seed
    assert (contact.role, contact.phone, contact.email) == ("Contact", None, None)
    (site,) = page.sites
    assert (site.facility, site.city, site.country, site.place) == (
        "Shanghai Changzheng Hospital",
        "Shanghai",
        "China",
        "Shanghai, China",
    )
    assert not site.located  # no geopoint in the record: a search link
    assert site.map_url == (
        "https://www.openstreetmap.org/search?query="
        "Shanghai+Changzheng+Hospital%2C+Shanghai%2C+China"
    )
    assert page.source.line.lower() == "data sourced from clinicaltrials.gov"
    assert page.source.url == "https://clinicaltrials.gov/study/NCT06947746"
    assert page.source.text == (
        "Data sourced from ClinicalTrials.gov (NCT06947746, last updated 2025-04-27)"
    )


def test_page_is_immutable(page: TrialPage) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.title = "changed"  # type: ignore[misc]


# synthetic records: the parts the bundled study does not exercise ------------------------


def _record(**protocol: Any) -> CtgovRecord:
    ident = {"nctId": "NCT00000001", "briefTitle": "A [study]", "officialTitle": "Official"}
    return CtgovRecord.model_validate(
        {"protocolSection": {"identificationModule": ident, **protocol}}
    )


CRITERIA = """Inclusion Criteria:

* Adults
* Active disease at Screening as defined by
  * BASDAI score \\>= 4
  * Spinal pain \\>= 4 on a 0 to 10 NRS

Exclusion Criteria:

For patients in cohort A:

* Prior biologic
* Pregnancy

The information listed above is not intended to contain all considerations.
"""


def test_sub_items_headings_and_remarks() -> None:
    page = page_from_record(_record(eligibilityModule={"eligibilityCriteria": CRITERIA}))
    assert page.official_title == "Official"
    active = page.inclusion[1]
    assert active.lead == "Active disease at Screening as defined by"
    assert active.sub_items == ("• BASDAI score >= 4", "• Spinal pain >= 4 on a 0 to 10 NRS")
    assert active.text.startswith(active.lead + "\n")
    assert [c.heading for c in page.exclusion] == ["For patients in cohort A:"] * 2
    assert page.exclusion_groups == (("For patients in cohort A:", page.exclusion),)
    assert page.exclusion_notes.after == (
        "The information listed above is not intended to contain all considerations.",
    )


def test_given_criteria_replace_the_split_ones_and_keep_registry_headings() -> None:
    record = _record(eligibilityModule={"eligibilityCriteria": CRITERIA})
    split = split_criteria(CRITERIA)
    given = [CriterionText(c.id, c.kind, c.text) for c in split]  # no headings given
    page = page_from_record(record, given)
    assert [c.heading for c in page.exclusion] == ["For patients in cohort A:"] * 2
    other = page_from_record(record, [CriterionText("I1", "inclusion", "Only this")])
    assert [c.text for c in other.inclusion] == ["Only this"] and other.exclusion == ()


def test_geopoint_gives_a_map_link_and_contacts_keep_extensions() -> None:
    record = _record(
        contactsLocationsModule={
            "centralContacts": [
                {"name": "Study desk", "phone": "+1 (555) 010-0000", "phoneExt": "12"}
            ],
            "locations": [
                {
                    "facility": "Clinic",
                    "city": "Paris",
                    "country": "France",
                    "status": "RECRUITING",
                    "geoPoint": {"lat": 48.85341, "lon": 2.3488},
                }
            ],
        },
        statusModule={"overallStatus": "RECRUITING"},
    )
    page = page_from_record(record)
    (site,) = page.sites
    assert site.located and site.status == "Recruiting"
    assert site.map_url == (
        "https://www.openstreetmap.org/?mlat=48.85341&mlon=2.3488#map=15/48.85341/2.3488"
    )
    contact = page.central_contact
    assert contact is not None
    assert contact.phone == "+1 (555) 010-0000 ext. 12"
    assert contact.tel == "+15550100000"
    assert page.status_tone == "ok"


def test_empty_record() -> None:
    page = page_from_record(_record())
    assert page.title == "A [study]"
    assert not page.has_criteria and page.design is None and page.groups_summary is None
    assert page.sites == () and page.central_contact is None
    assert page.ages is None and page.enrollment is None


def test_every_real_record_builds(ctgov_record_file: Path) -> None:
    record = load_ctgov_record(ctgov_record_file)
    page = page_from_record(record)
    split = split_criteria(record.eligibility_criteria or "")
    assert [c.id for c in page.inclusion + page.exclusion] == [c.id for c in split]
    for site in page.sites:
        assert site.map_url.startswith("https://www.openstreetmap.org/")
