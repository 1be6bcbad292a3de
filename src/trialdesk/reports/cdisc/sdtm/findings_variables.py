"""The variables of a Findings domain, in SDTMIG 3.4 order, with their SDTMIG 3.4 labels.

Source (facts, not code): SDTMIG v3.4 (CDISC, 2021-11-29), Section 6.3 (Models for
Findings Domains): the tables of VS (Vital Signs), LB (Laboratory Test Results), QS
(Questionnaires), MK (Musculoskeletal System Findings) and RS (Disease Response and Clin
Classification): variable name, label, type, role, core and code list as the domain
tables give them (read in a public variable index of SDTMIG 3.4 and checked against the
CDISC pilot's SDTMIG 3.2 labels where both have the variable). A Findings domain SDTMIG
does not model (a custom domain, SDTMIG 3.4 Section 2.6) takes the Findings class labels.

SDTMIG 3.4 Section 2.5: "Any additional Qualifier variables from the same general
observation class may be added to a domain model": QSLOC and QSLAT (the knee a knee
questionnaire is about) are such additions, with the Findings class labels.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FINDINGS_ORDER", "FindingsVariable", "findings_variable"]


@dataclass(frozen=True)
class FindingsVariable:
    """One variable of a Findings domain, its name with "--" for the domain prefix."""

    name: str  # "--TESTCD", "VISITNUM"
    label: str
    data_type: str = "text"  # define.xml DataType
    role: str = "Record Qualifier"
    core: str = "Perm"
    codelist: str | None = None  # NCI code of the CDISC CT code list

    def named(self, domain: str) -> str:
        return self.name.replace("--", domain, 1)


_V = FindingsVariable
# The Findings class in SDTMIG 3.4 order (the order every Findings domain table follows).
FINDINGS_ORDER: tuple[FindingsVariable, ...] = (
    _V("STUDYID", "Study Identifier", role="Identifier", core="Req"),
    _V("DOMAIN", "Domain Abbreviation", role="Identifier", core="Req", codelist="C66734"),
    _V("USUBJID", "Unique Subject Identifier", role="Identifier", core="Req"),
    _V("--SEQ", "Sequence Number", "integer", role="Identifier", core="Req"),
    _V("--SPID", "Sponsor-Defined Identifier", role="Identifier"),
    _V("--TESTCD", "Test or Examination Short Name", role="Topic", core="Req"),
    _V("--TEST", "Test or Examination Name", role="Synonym Qualifier", core="Req"),
    _V("--CAT", "Category", role="Grouping Qualifier"),
    _V("--SCAT", "Subcategory", role="Grouping Qualifier"),
    _V("--ORRES", "Result or Finding in Original Units", role="Result Qualifier", core="Exp"),
    _V("--ORRESU", "Original Units", role="Variable Qualifier", codelist="C71620"),
    _V("--ORNRLO", "Reference Range Lower Limit in Orig Unit", role="Variable Qualifier"),
    _V("--ORNRHI", "Reference Range Upper Limit in Orig Unit", role="Variable Qualifier"),
    _V("--STRESC", "Character Result/Finding in Std Format", role="Result Qualifier", core="Exp"),
    _V("--STRESN", "Numeric Result/Finding in Standard Units", "float", role="Result Qualifier"),
    _V("--STRESU", "Standard Units", role="Variable Qualifier", codelist="C71620"),
    _V("--STNRLO", "Reference Range Lower Limit-Std Units", "float", role="Variable Qualifier"),
    _V("--STNRHI", "Reference Range Upper Limit-Std Units", "float", role="Variable Qualifier"),
    _V("--NRIND", "Reference Range Indicator", role="Variable Qualifier", codelist="C78736"),
    _V("--STAT", "Completion Status", codelist="C66789"),
    _V("--REASND", "Reason Not Done"),
    _V("--LOC", "Location Used for the Measurement", codelist="C74456"),
    _V("--LAT", "Laterality", role="Variable Qualifier", codelist="C99073"),
    _V("--METHOD", "Method of Test or Examination", codelist="C85492"),
    _V("--LOBXFL", "Last Observation Before Exposure Flag", codelist="C66742"),
    _V("--DRVFL", "Derived Flag", codelist="C66742"),
    _V("--TOX", "Toxicity", role="Variable Qualifier"),
    _V("--TOXGR", "Standard Toxicity Grade"),
    _V("--EVAL", "Evaluator", codelist="C78735"),
    _V("VISITNUM", "Visit Number", "float", role="Timing", core="Exp"),
    _V("VISIT", "Visit Name", role="Timing"),
    _V("VISITDY", "Planned Study Day of Visit", "integer", role="Timing"),
    _V("EPOCH", "Epoch", role="Timing", codelist="C99079"),
    _V("--DTC", "Date/Time of Collection", "partialDatetime", role="Timing", core="Exp"),
    _V("--DY", "Study Day of Visit/Collection/Exam", "integer", role="Timing"),
    _V("--TPT", "Planned Time Point Name", role="Timing"),
    _V("--TPTNUM", "Planned Time Point Number", "float", role="Timing"),
)

# Per domain: what its SDTMIG 3.4 table says differently from the class (label, core,
# code list); ``None``: a class variable its table does not have, which a form may still
# add with the class's metadata (Section 2.5).
_Override = tuple[str | None, str | None, str | None]  # label, core, codelist
_DOMAINS: dict[str, dict[str, _Override | None]] = {
    "VS": {
        "--TESTCD": ("Vital Signs Test Short Name", None, "C66741"),
        "--TEST": ("Vital Signs Test Name", None, "C67153"),
        "--CAT": ("Category for Vital Signs", None, None),
        "--SCAT": ("Subcategory for Vital Signs", None, None),
        "--ORRESU": (None, "Exp", "C66770"),
        "--STRESN": (None, "Exp", None),
        "--STRESU": (None, "Exp", "C66770"),
        "--REASND": ("Reason Not Performed", None, None),
        "--LOC": ("Location of Vital Signs Measurement", None, None),
        "--LOBXFL": (None, "Exp", None),
        "--DTC": ("Date/Time of Measurements", None, None),
        "--DY": ("Study Day of Vital Signs", None, None),
        "--ORNRLO": None,
        "--ORNRHI": None,
        "--STNRLO": None,
        "--STNRHI": None,
        "--NRIND": None,
        "--METHOD": None,
        "--EVAL": None,
    },  # fmt: skip
    "LB": {
        "--TESTCD": ("Lab Test or Examination Short Name", None, "C65047"),
        "--TEST": ("Lab Test or Examination Name", None, "C67154"),
        "--CAT": ("Category for Lab Test", "Exp", None),
        "--SCAT": ("Subcategory for Lab Test", None, None),
        "--ORRESU": (None, "Exp", None),
        "--ORNRLO": (None, "Exp", None),
        "--ORNRHI": (None, "Exp", None),
        "--STRESC": (None, None, "C102580"),
        "--STRESN": (None, "Exp", None),
        "--STRESU": (None, "Exp", None),
        "--STNRLO": (None, "Exp", None),
        "--STNRHI": (None, "Exp", None),
        "--NRIND": (None, "Exp", None),
        "--REASND": ("Reason Test Not Done", None, None),
        "--LOBXFL": (None, "Exp", None),
        "--DTC": ("Date/Time of Specimen Collection", None, None),
        "--DY": ("Study Day of Specimen Collection", None, None),
        "--LOC": None,
        "--LAT": None,
        "--EVAL": None,
    },  # fmt: skip
    "QS": {
        "--TESTCD": ("Question Short Name", None, None),
        "--TEST": ("Question Name", None, None),
        "--CAT": ("Category of Question", "Req", "C100129"),
        "--SCAT": ("Subcategory for Question", None, None),
        "--ORRES": ("Finding in Original Units", None, None),
        "--STRESN": ("Numeric Finding in Standard Units", None, None),
        "--REASND": ("Reason Not Performed", None, None),
        "--METHOD": (None, None, "C158113"),
        "--LOBXFL": (None, "Exp", None),
        "--DTC": ("Date/Time of Finding", None, None),
        "--DY": ("Study Day of Finding", None, None),
        "--ORNRLO": None,
        "--ORNRHI": None,
        "--STNRLO": None,
        "--STNRHI": None,
        "--NRIND": None,
        "--TOX": None,
        "--TOXGR": None,
        "--EVAL": None,
    },  # fmt: skip
    "MK": {
        "--TESTCD": ("Short Name of Musculoskeletal Test", None, "C127269"),
        "--TEST": ("Name of Musculoskeletal Test", None, "C127270"),
        "--CAT": ("Category for Musculoskeletal Test", None, None),
        "--SCAT": ("Subcategory for Musculoskeletal Test", None, None),
        "--LOC": (None, "Exp", None),
        "--LOBXFL": (None, "Exp", None),
        "--ORNRLO": None,
        "--ORNRHI": None,
        "--STNRLO": None,
        "--STNRHI": None,
        "--NRIND": None,
        "--TOX": None,
        "--TOXGR": None,
    },  # fmt: skip
    "RS": {
        "--TESTCD": ("Assessment Short Name", None, "C96782"),
        "--TEST": ("Assessment Name", None, "C96781"),
        "--CAT": ("Category for Assessment", "Exp", "C124298"),
        "--STRESC": (None, None, "C96785"),
        "--METHOD": (None, None, "C158113"),
        "--DTC": ("Date/Time of Assessment", None, None),
        "--DY": ("Study Day of Assessment", None, None),
        "--ORNRLO": None,
        "--ORNRHI": None,
        "--STNRLO": None,
        "--STNRHI": None,
        "--NRIND": None,
        "--LOC": None,
        "--LAT": None,
        "--TOX": None,
        "--TOXGR": None,
    },  # fmt: skip
}


def findings_variable(domain: str, name: str) -> FindingsVariable:
    """The variable ``name`` ("--TESTCD", "VISIT") of Findings ``domain`` as its SDTMIG 3.4
    table gives it; the Findings class's own for a domain without a table, or a variable
    its table does not have (an addition under Section 2.5)."""
    base = next((v for v in FINDINGS_ORDER if v.name == name), None)
    if base is None:
        raise KeyError(f"{name} is not a Findings class variable trialdesk writes")
    override = _DOMAINS.get(domain, {}).get(name)
    if override is None:
        return base
    label, core, codelist = override
    return FindingsVariable(
        name=base.name,
        label=label or base.label,
        data_type=base.data_type,
        role=base.role,
        core=core or base.core,
        codelist=codelist or base.codelist,
    )
