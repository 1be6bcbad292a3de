"""The closed vocabularies of an adverse event: seriousness criteria, action taken with the
study treatment, outcome, and the relationship scale of a causality assessment."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ActionTaken", "Outcome", "Relationship", "Seriousness"]


class Seriousness(StrEnum):
    """ICH E2A (1994) II.B: a serious adverse event results in death, is life-threatening,
    requires inpatient hospitalisation or prolongs an existing one, results in persistent
    or significant disability/incapacity, is a congenital anomaly/birth defect, or is an
    important medical event by medical judgement. The SDTM AE flag each is stored as is
    named beside it. An event is serious when any is ticked: "serious" is never typed."""

    DEATH = "death"  # AESDTH
    LIFE_THREATENING = "life_threatening"  # AESLIFE
    HOSPITALISATION = "hospitalisation"  # AESHOSP: initial or prolonged
    DISABILITY = "disability"  # AESDISAB: persistent or significant
    CONGENITAL_ANOMALY = "congenital_anomaly"  # AESCONG
    MEDICALLY_IMPORTANT = "medically_important"  # AESMIE: other medically important

    @property
    def label(self) -> str:
        return _SERIOUSNESS_LABELS[self]


_SERIOUSNESS_LABELS = {
    Seriousness.DEATH: "Results in death",
    Seriousness.LIFE_THREATENING: "Is life-threatening",
    Seriousness.HOSPITALISATION: "Requires or prolongs hospitalisation",
    Seriousness.DISABILITY: "Results in persistent or significant disability/incapacity",
    Seriousness.CONGENITAL_ANOMALY: "Is a congenital anomaly/birth defect",
    Seriousness.MEDICALLY_IMPORTANT: "Other medically important event",
}


class ActionTaken(StrEnum):
    """Action taken with the study treatment: submission values of CDISC SDTM controlled
    terminology code list ACN (C66767, extensible), AE.AEACN. For a product given once
    before the event, nothing can be done with it: NOT APPLICABLE (ICH E2B(R3) G.k.8:
    "not applicable" when drug administration was completed before the reaction). An
    event before or during the injection may have stopped or delayed it."""

    NOT_APPLICABLE = "NOT APPLICABLE"
    DOSE_NOT_CHANGED = "DOSE NOT CHANGED"
    DRUG_INTERRUPTED = "DRUG INTERRUPTED"
    DRUG_WITHDRAWN = "DRUG WITHDRAWN"
    DOSE_REDUCED = "DOSE REDUCED"
    DOSE_INCREASED = "DOSE INCREASED"
    UNKNOWN = "UNKNOWN"


class Outcome(StrEnum):
    """Outcome of the event: CDISC SDTM CT code list OUT (C66768, not extensible),
    AE.AEOUT; the same list ICH E2B(R3) E.i.7 uses."""

    RECOVERED = "RECOVERED/RESOLVED"
    RECOVERING = "RECOVERING/RESOLVING"
    NOT_RECOVERED = "NOT RECOVERED/NOT RESOLVED"
    RECOVERED_WITH_SEQUELAE = "RECOVERED/RESOLVED WITH SEQUELAE"
    FATAL = "FATAL"
    UNKNOWN = "UNKNOWN"

    @property
    def ended(self) -> bool | None:
        """Whether an event with this outcome has ended (None: either may be)."""
        if self is Outcome.UNKNOWN:
            return None
        return self in (Outcome.RECOVERED, Outcome.RECOVERED_WITH_SEQUELAE, Outcome.FATAL)


class Relationship(StrEnum):
    """The investigator's attribution of an event to the study product or to the
    injection procedure: the five-level scale of NCI CTEP's Guidelines: Adverse Event
    Reporting Requirements (2005, section 3, Tables A-B), where possible, probable and
    definite are reported as related. Collapsed so for the TEAE tables and the stopping
    rules (ICH E2A II.A.2: a relationship that is "at least a reasonable possibility")."""

    UNRELATED = "unrelated"
    UNLIKELY = "unlikely"
    POSSIBLE = "possible"
    PROBABLE = "probable"
    DEFINITE = "definite"

    @property
    def related(self) -> bool:
        return self in (Relationship.POSSIBLE, Relationship.PROBABLE, Relationship.DEFINITE)
