"""DM, Demographics (SDTMIG 3.4 §5.2): one record per person screened, participants and
screen failures.

- RFSTDTC/RFXSTDTC: the injection (the day-1 anchor's form item, EX's EXSTDTC); RFENDTC/
  RFXENDTC: the last exposure, the same single injection (SDTMIG 3.4 DM: RFENDTC is
  usually the last exposure); RFPENDTC: the end of participation (disposition), else the
  screen-failure outcome.
- AGE: whole years from the birth date to informed consent (RFICDTC) (protocol assumption:
  the registry's age limits are judged at screening, after consent). BRTHDTC is not
  submitted (privacy; AGE is what review needs).
- ARM/ARMCD: the study's one arm (ctgov.json armGroups); ACTARM from whether the injection
  was given. A screen failure has ARMNRS "SCREEN FAILURE", one who declined after consent
  "NOT ASSIGNED" (trial/review/extract.py Screened.arm_null_reason), a participant not yet injected
  "ASSIGNED, NOT TREATED" (CT C142179 ARMNULRS), arm variables null (SDTMIG 3.4 DM).
- RACE: not collected by the study's forms, left null (Exp).
- DTHFL "Y" whenever the death is known, dated or not (SDTMIG 3.4 DM: DTHFL is "Y" for a
  subject who died, DTHDTC the date when known): a disposition DEATH, or an adverse event
  with the death seriousness criterion (AESDTH) or outcome FATAL (CT OUT C66768).
"""

from __future__ import annotations

from datetime import date

from trialdesk.reports.cdisc.dataset import Dataset, Value
from trialdesk.reports.cdisc.sdtm.source import SdtmSource, Subject
from trialdesk.reports.cdisc.sdtm.timing import dtc
from trialdesk.reports.cdisc.sdtm.trial_design import planned_arm
from trialdesk.reports.cdisc.sdtm.variables import domain_variables
from trialdesk.study.loader import Study

__all__ = ["country_codes", "died", "dm_domain", "exposure_start", "reference_dates"]

VARIABLES = domain_variables(
    "DM",
    "STUDYID DOMAIN USUBJID SUBJID RFSTDTC RFENDTC RFXSTDTC RFXENDTC RFICDTC RFPENDTC DTHDTC "
    "DTHFL SITEID AGE AGEU SEX RACE ARMCD ARM ACTARMCD ACTARM ARMNRS ACTARMUD COUNTRY",
)

# SEX C66731 submission values
_SEX = {"male": "M", "female": "F", "m": "M", "f": "F"}
# ISO 3166-1 alpha-3 (COUNTRY, SDTMIG 3.4 DM) for country names as ClinicalTrials.gov spells
# them: the ISO 3166 Maintenance Agency's list, the entries registries commonly carry.
_COUNTRY = {
    "China": "CHN", "Taiwan": "TWN", "Hong Kong": "HKG", "Japan": "JPN",
    "Korea, Republic of": "KOR",
    "India": "IND", "United States": "USA", "Canada": "CAN", "United Kingdom": "GBR",
    "Germany": "DEU", "France": "FRA", "Italy": "ITA", "Spain": "ESP", "Netherlands": "NLD",
    "Belgium": "BEL", "Switzerland": "CHE", "Sweden": "SWE", "Denmark": "DNK", "Poland": "POL",
    "Australia": "AUS", "Brazil": "BRA", "Mexico": "MEX", "Iran, Islamic Republic of": "IRN",
    "Turkey": "TUR", "Türkiye": "TUR", "Egypt": "EGY", "Israel": "ISR", "Singapore": "SGP",
}  # fmt: skip


def exposure_start(source: SdtmSource, subject: Subject) -> str:
    """The injection's date-time (the schedule's day-1 anchor as the form recorded it)."""
    book = subject.casebook
    schedule = source.study.schedule
    if book is None or schedule is None:
        return ""
    spec = source.study.participant.anchors.get(schedule.day1)
    if spec is not None and spec.form and spec.item:
        for key, form in book["forms"].items():
            if key.split("/")[1].split("#")[0] == spec.form:
                value = form.get("values", {}).get(spec.item)
                if value:
                    return dtc(value, schedule)
    day1 = subject.day1(schedule)
    return day1.isoformat() if day1 else ""


def reference_dates(source: SdtmSource, subject: Subject) -> dict[str, str]:
    """RFSTDTC, RFENDTC, RFXSTDTC, RFXENDTC, RFICDTC, RFPENDTC, DTHDTC of one person."""
    s = subject.screened
    start = exposure_start(source, subject)
    book = subject.casebook or {}
    ended = (book.get("disposition") or {}).get("ended_on")
    end = ended or (s.outcome_on.isoformat() if s.outcome_on and not subject.enrolled else "")
    death = ""
    if (book.get("disposition") or {}).get("term") == "DEATH":
        death = ended or ""
    for ae in book.get("adverse_events", {}).values():
        if _fatal(ae) and not death:
            death = ae.get("end_date") or ""
    return {
        "RFSTDTC": start, "RFENDTC": start, "RFXSTDTC": start, "RFXENDTC": start,
        "RFICDTC": s.consented_on.isoformat() if s.consented_on else "",
        "RFPENDTC": end, "DTHDTC": death,
    }  # fmt: skip


def died(subject: Subject) -> bool:
    """Whether the death of the person is known: disposition DEATH or a fatal event."""
    book = subject.casebook or {}
    if (book.get("disposition") or {}).get("term") == "DEATH":
        return True
    return any(_fatal(ae) for ae in book.get("adverse_events", {}).values())


def _fatal(ae: dict[str, object]) -> bool:
    return bool(ae.get("death")) or ae.get("outcome") == "FATAL"


def _age(born: date | None, on: date | None) -> int | None:
    if born is None or on is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def country_codes(study: Study) -> list[str]:
    """ISO 3166-1 alpha-3 codes of the registry's site countries, in order, once each."""
    locations = study.record.protocolSection.contactsLocationsModule
    codes = [_COUNTRY.get(loc.country, "") for loc in (locations.locations or ()) if loc.country] \
        if locations else []  # fmt: skip
    return list(dict.fromkeys(c for c in codes if c))


def dm_domain(source: SdtmSource) -> Dataset:
    armcd, arm = planned_arm(source.study)
    countries = country_codes(source.study)
    country = countries[0] if len(countries) == 1 else ""  # one site country: theirs
    rows: list[dict[str, Value]] = []
    for subject in source.subjects:
        s = subject.screened
        dates = reference_dates(source, subject)
        treated = bool(dates["RFXSTDTC"])
        if not subject.enrolled:
            arms: dict[str, Value] = {"ARMNRS": s.arm_null_reason or "SCREEN FAILURE"}
        elif not treated:
            arms = {"ARMCD": armcd, "ARM": arm, "ARMNRS": "ASSIGNED, NOT TREATED"}
        else:
            arms = {"ARMCD": armcd, "ARM": arm, "ACTARMCD": armcd, "ACTARM": arm}
        rows.append(
            {
                "STUDYID": source.studyid,
                "DOMAIN": "DM",
                "USUBJID": subject.usubjid,
                "SUBJID": subject.subjid,
                **dates,
                "DTHFL": "Y" if dates["DTHDTC"] or died(subject) else "",
                "SITEID": source.site_id,
                "AGE": _age(s.birth_date, s.consented_on),
                "AGEU": "YEARS" if s.birth_date and s.consented_on else "",
                "SEX": _SEX.get((s.sex or "").lower(), "U"),
                **arms,
                "COUNTRY": country,
            }  # fmt: skip
        )
    return Dataset(
        name="DM", label="Demographics", variables=VARIABLES, rows=tuple(rows),
        keys=("STUDYID", "USUBJID"), structure="One record per subject",
        dataset_class="SPECIAL PURPOSE",
    )  # fmt: skip
