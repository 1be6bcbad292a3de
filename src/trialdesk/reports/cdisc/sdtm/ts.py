"""TS, Trial Summary (SDTMIG 3.4 §7.6.1): the trial's parameters from its registry record
(ctgov.json) and the study folder, with the parameter codes of CDISC CT TSPARMCD (C66738)
and TSPARM (C67152), the parameters FDA's Study Data Technical Conformance Guide (§4.1.1.3,
"Trial Summary") expects. Coded values carry their NCI code (TSVALCD) from CDISC CT
sdtmct-2025-03-28 (TSVCDREF "CDISC CT"); ages are ISO 8601 durations (P18Y). A parameter
the record does not give is absent rather than guessed; SSTDTC is the first informed
consent of a participant (FDA TCG: the earliest consent date), the registry's start date
while nobody has consented."""

from __future__ import annotations

import re

from trialdesk.reports.cdisc.dataset import Dataset, Value
from trialdesk.reports.cdisc.sdtm.dm import country_codes
from trialdesk.reports.cdisc.sdtm.ex import ROUTES, route_of
from trialdesk.reports.cdisc.sdtm.source import SdtmSource
from trialdesk.reports.cdisc.sdtm.trial_design import ascii_text, clipped, treatment_name
from trialdesk.reports.cdisc.sdtm.variables import domain_variables

__all__ = ["ts_domain"]

VARIABLES = domain_variables(
    "TS", "STUDYID DOMAIN TSSEQ TSPARMCD TSPARM TSVAL TSVALNF TSVALCD TSVCDREF TSVCDVER"
)
CT_VERSION = "2025-03-28"
SDTMIG_VERSION = "3.4"
SDTM_VERSION = "2.0"  # SDTMIG 3.4 implements SDTM v2.0

# TSPARMCD -> TSPARM (CDISC CT C66738 / C67152, sdtmct-2025-03-28)
PARAMETERS = {
    "TITLE": "Trial Title", "TPHASE": "Trial Phase Classification", "STYPE": "Study Type",
    "TTYPE": "Trial Type", "INDIC": "Trial Disease/Condition Indication",
    "TINDTP": "Trial Intent Type", "TRT": "Investigational Therapy or Treatment",
    "INTTYPE": "Intervention Type", "ROUTE": "Route of Administration",
    "DOSFRQ": "Dosing Frequency", "AGEMIN": "Planned Minimum Age of Subjects",
    "AGEMAX": "Planned Maximum Age of Subjects", "SEXPOP": "Sex of Participants",
    "HLTSUBJI": "Healthy Subject Indicator", "PLANSUB": "Planned Number of Subjects",
    "ACTSUB": "Actual Number of Subjects", "RANDOM": "Trial is Randomized",
    "TBLIND": "Trial Blinding Schema", "TCNTRL": "Control Type",
    "INTMODEL": "Intervention Model", "NARMS": "Planned Number of Arms",
    "LENGTH": "Trial Length", "SSTDTC": "Study Start Date", "REGID": "Registry Identifier",
    "SPONSOR": "Clinical Study Sponsor", "FCNTRY": "Planned Country of Investigational Sites",
    "SDTIGVER": "SDTM IG Version", "SDTMVER": "SDTM Version",
}  # fmt: skip

# registry (ClinicalTrials.gov API v2 enums) -> CDISC CT submission value, NCI code
_PHASES = {
    "NA": ("NOT APPLICABLE", "C48660"), "EARLY_PHASE1": ("EARLY PHASE I", "C54721"),
    "PHASE1": ("PHASE I TRIAL", "C15600"), "PHASE2": ("PHASE II TRIAL", "C15601"),
    "PHASE3": ("PHASE III TRIAL", "C15602"), "PHASE4": ("PHASE IV TRIAL", "C15603"),
    "PHASE1/PHASE2": ("PHASE I/II TRIAL", "C15693"),
    "PHASE2/PHASE3": ("PHASE II/III TRIAL", "C15694"),
}  # fmt: skip
_STYPE = {"INTERVENTIONAL": ("INTERVENTIONAL", "C98388"),
          "OBSERVATIONAL": ("OBSERVATIONAL", "C16084"),
          "EXPANDED_ACCESS": ("EXPANDED ACCESS", "C98722")}  # fmt: skip
_MASKING = {"NONE": ("OPEN LABEL", "C49659"), "SINGLE": ("SINGLE BLIND", "C28233"),
            "DOUBLE": ("DOUBLE BLIND", "C15228"), "TRIPLE": ("DOUBLE BLIND", "C15228"),
            "QUADRUPLE": ("DOUBLE BLIND", "C15228")}  # fmt: skip
_MODEL = {"SINGLE_GROUP": ("SINGLE GROUP", "C82640"), "PARALLEL": ("PARALLEL", "C82639"),
          "CROSSOVER": ("CROSS-OVER", "C82637"), "FACTORIAL": ("FACTORIAL", "C82638"),
          "SEQUENTIAL": ("SEQUENTIAL", "C142568")}  # fmt: skip
_PURPOSE = {"TREATMENT": ("TREATMENT", "C49656"), "PREVENTION": ("PREVENTION", "C49657"),
            "DIAGNOSTIC": ("DIAGNOSIS", "C49653"), "SUPPORTIVE_CARE": ("SUPPORTIVE CARE", "C71486"),
            "SCREENING": ("SCREENING", "C71485"), "BASIC_SCIENCE": ("BASIC SCIENCE", "C15714"),
            "HEALTH_SERVICES_RESEARCH": ("HEALTH SERVICES RESEARCH", "C15245")}  # fmt: skip
_INTTYPE = {"DRUG": ("DRUG", "C1909"), "BIOLOGICAL": ("BIOLOGIC", "C307"),
            "DEVICE": ("DEVICE", "C16830"), "PROCEDURE": ("PROCEDURE", "C98769"),
            "GENETIC": ("GENETIC", "C15238"), "RADIATION": ("RADIATION", "C15313"),
            "DIETARY_SUPPLEMENT": ("DIETARY SUPPLEMENT", "C1505"),
            "BEHAVIORAL": ("BEHAVIORAL THERAPY", "C15184"),
            "COMBINATION_PRODUCT": ("COMBINATION PRODUCT", "C54696"),
            "DIAGNOSTIC_TEST": ("DIAGNOSTIC TEST", "C18020")}  # fmt: skip
_SEX = {"ALL": ("BOTH", "C49636"), "FEMALE": ("F", "C16576"), "MALE": ("M", "C20197")}
_NY = {True: ("Y", "C49488"), False: ("N", "C49487")}
# trial types named in the registry's outcome measures (CT TTYPE C66739)
_TTYPES = {
    "SAFETY": ("C49667", r"\bsafety\b|adverse event"),
    "TOLERABILITY": ("C98791", r"tolerab"),
    "EFFICACY": ("C49666", r"efficacy"),
}
_UNITS = {"year": "Y", "years": "Y", "month": "M", "months": "M", "week": "W", "weeks": "W",
          "day": "D", "days": "D"}  # fmt: skip


def _age(text: str | None) -> str:
    """ClinicalTrials.gov's "18 Years" as an ISO 8601 duration, "P18Y"."""
    m = re.fullmatch(r"\s*(\d+)\s+([A-Za-z]+)\s*", text or "")
    unit = _UNITS.get(m.group(2).lower()) if m else None
    return f"P{m.group(1)}{unit}" if m and unit else ""


def ts_domain(source: SdtmSource) -> Dataset:
    study = source.study
    p = study.record.protocolSection
    design, arms = p.designModule, p.armsInterventionsModule
    info = design.designInfo if design else None
    values: list[tuple[str, str, str, str]] = []  # TSPARMCD, TSVAL, TSVALCD, TSVCDREF

    def add(code: str, value: str | None, ct: str = "", ref: str = "CDISC CT") -> None:
        if value:
            values.append((code, value, ct, ref if ct else ""))

    def coded(code: str, table: dict[str, tuple[str, str]], key: str | None) -> None:
        if key is not None and key in table:
            add(code, *table[key])

    ident = p.identificationModule
    add("TITLE", clipped(ascii_text(ident.officialTitle or ident.briefTitle or study.title)))
    for phase in ["/".join(design.phases)] if design and design.phases else []:
        coded("TPHASE", _PHASES, phase)
    coded("STYPE", _STYPE, design.studyType if design else None)
    outcomes = p.outcomesModule
    measures = " ".join(
        f"{o.measure or ''} {o.description or ''}"
        for o in [*(outcomes.primaryOutcomes or ()), *(outcomes.secondaryOutcomes or ())]
    ) if outcomes else ""  # fmt: skip
    for ttype, (ct, pattern) in _TTYPES.items():
        if re.search(pattern, f"{measures} {study.title}", re.IGNORECASE):
            add("TTYPE", ttype, ct)
    for condition in (p.conditionsModule.conditions or ()) if p.conditionsModule else ():
        add("INDIC", ascii_text(condition))
    coded("TINDTP", _PURPOSE, info.primaryPurpose if info else None)
    add("TRT", treatment_name(study))
    for i in (arms.interventions or ())[:1] if arms else ():
        coded("INTTYPE", _INTTYPE, i.type)
    route = route_of(study)
    if route:
        add("ROUTE", route, ROUTES[route][0])
    elig = p.eligibilityModule
    add("AGEMIN", _age(elig.minimumAge if elig else None))
    add("AGEMAX", _age(elig.maximumAge if elig else None))
    coded("SEXPOP", _SEX, elig.sex if elig else None)
    if elig is not None and elig.healthyVolunteers is not None:
        add("HLTSUBJI", *_NY[elig.healthyVolunteers])
    target = study.target_enrollment
    add("PLANSUB", str(target) if target is not None else "")
    add("ACTSUB", str(len(source.participants())))
    if info is not None and info.allocation:
        add("RANDOM", *_NY[info.allocation == "RANDOMIZED"])
    coded("TBLIND", _MASKING, info.maskingInfo.masking if info and info.maskingInfo else None)
    n_arms = len(arms.armGroups or ()) if arms else 0
    if n_arms == 1:
        add("TCNTRL", "NONE", "C41132")  # a single arm has no control (CT TCNTRL C66785)
    coded("INTMODEL", _MODEL, info.interventionModel if info else None)
    add("NARMS", str(n_arms) if n_arms else "")
    last = study.schedule.last_day if study.schedule else None
    add("LENGTH", f"P{last}D" if last else "")
    consents = [s.screened.consented_on for s in source.participants() if s.screened.consented_on]
    status = p.statusModule
    start = min(consents).isoformat() if consents else (
        status.startDateStruct.date if status and status.startDateStruct else None)  # fmt: skip
    add("SSTDTC", start)
    add("REGID", f"NCT:{ident.nctId}" if ident.nctId else "")
    sponsor = p.sponsorCollaboratorsModule
    lead = sponsor.leadSponsor if sponsor else None
    add("SPONSOR", ascii_text(lead.name) if lead and lead.name else "")
    for country in country_codes(study):
        add("FCNTRY", country, country, "ISO 3166")
    add("SDTIGVER", SDTMIG_VERSION)
    add("SDTMVER", SDTM_VERSION)
    rows: list[dict[str, Value]] = []
    seq: dict[str, int] = {}
    for code, value, ct, ref in values:
        seq[code] = seq.get(code, 0) + 1
        rows.append({
            "STUDYID": study.id, "DOMAIN": "TS", "TSSEQ": seq[code], "TSPARMCD": code,
            "TSPARM": PARAMETERS[code], "TSVAL": value, "TSVALCD": ct,
            "TSVCDREF": ref, "TSVCDVER": CT_VERSION if ref == "CDISC CT" else "",
        })  # fmt: skip
    return Dataset(
        name="TS", label="Trial Summary", variables=VARIABLES, rows=tuple(rows),
        keys=("STUDYID", "TSPARMCD", "TSSEQ"),
        structure="One record per trial summary parameter value",
        dataset_class="TRIAL DESIGN",
    )  # fmt: skip
