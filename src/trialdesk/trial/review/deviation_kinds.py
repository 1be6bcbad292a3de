"""The kinds of protocol deviation, how each is classified by default, and what one is
(for deviations.py, which proposes them from the data, and deviation_decisions.py).

PROTOCOL ASSUMPTION (shown on the pages): the default classification of each kind
(:data:`KINDS`) follows ICH E3 (1995) section 10.2 and its Q&A (R1, 2012) on
"important protocol deviations": those that may significantly affect the completeness,
accuracy or reliability of key study data, or a participant's rights, safety or
well-being: consent, eligibility, the study treatment and the primary endpoint are major;
a visit a few days out of window, or a missed visit, minor. The investigator may classify
otherwise when confirming.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from trialdesk.study.texts import Text
from trialdesk.trial.review.deviation_models import ProtocolDeviation

__all__ = [
    "ASSUMPTION",
    "CATEGORIES",
    "KINDS",
    "MINOR_DAYS_OUT",
    "RANK",
    "Decision",
    "Deviation",
    "DeviationKind",
    "KindInfo",
    "Severity",
    "State",
]


class DeviationKind(StrEnum):
    VISIT_OUT_OF_WINDOW = "visit_out_of_window"
    VISIT_MISSED = "visit_missed"
    ENDPOINT_MISSING = "endpoint_missing"
    INJECTION_WINDOW = "injection_window"
    BEFORE_CONSENT = "before_consent"
    CRITERION_NOT_MET = "criterion_not_met"
    MANUAL = "manual"  # entered by hand


class Severity(StrEnum):
    MAJOR = "major"  # ICH E3 "important protocol deviation"
    MINOR = "minor"


class Decision(StrEnum):
    CONFIRM = "confirm"
    DISMISS = "dismiss"


class State(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class KindInfo:
    severity: Severity  # the default classification
    dvcat: str  # sponsor-defined category (SDTMIG v3.2 DV: DVCAT)
    dvdecod: str  # sponsor-defined coded term (DVDECOD)
    name: Text
    source: str


_E3 = "ICH E3 (1995) 10.2 and E3 Q&A (R1, 2012): important protocol deviations"
# PROTOCOL ASSUMPTION: the default class of each kind, with why (shown on the pages).
KINDS: dict[DeviationKind, KindInfo] = {
    DeviationKind.VISIT_OUT_OF_WINDOW: KindInfo(
        Severity.MINOR,
        "VISIT SCHEDULE",
        "VISIT OUT OF WINDOW",
        Text("Visit out of its window", "访视超出时间窗"),
        f"{_E3}: a visit a few days out of window does not affect key data (minor); "
        "more than MINOR_DAYS_OUT days out, major",
    ),
    DeviationKind.VISIT_MISSED: KindInfo(
        Severity.MINOR,
        "VISIT SCHEDULE",
        "MISSED VISIT",
        Text("Missed visit", "缺失访视"),
        f"{_E3}: a missed follow-up visit, or one overdue (its window closed, no date "
        "recorded); its endpoint, if any, is proposed on its own",
    ),
    DeviationKind.ENDPOINT_MISSING: KindInfo(
        Severity.MAJOR,
        "ASSESSMENT",
        "ENDPOINT ASSESSMENT NOT DONE",
        Text("Endpoint assessment missing", "终点评估缺失"),
        f"{_E3}: the primary endpoint is key study data (major); a secondary one minor",
    ),
    DeviationKind.INJECTION_WINDOW: KindInfo(
        Severity.MAJOR,
        "STUDY TREATMENT",
        "TREATMENT DEVIATION",
        Text("Injection outside the baseline window", "注射不在基线时间窗内"),
        f"{_E3}: the study treatment given outside the window in which eligibility was "
        "assessed (schedule.yaml: screening days -28..-1)",
    ),
    DeviationKind.BEFORE_CONSENT: KindInfo(
        Severity.MAJOR,
        "INFORMED CONSENT",
        "PROCEDURE BEFORE INFORMED CONSENT",
        Text("Procedure before informed consent", "知情同意前进行研究操作"),
        f"{_E3}; ICH E6(R3) 2.8: consent before any trial-specific procedure (a visit, or a "
        "screening fact entered for the candidate, dated before the first consent)",
    ),
    DeviationKind.CRITERION_NOT_MET: KindInfo(
        Severity.MAJOR,
        "ELIGIBILITY",
        "INCLUSION/EXCLUSION CRITERIA NOT MET",
        Text("Eligibility criterion not met after enrolment", "入组后发现不符合入选/排除标准"),
        f"{_E3}: deviations related to inclusion or exclusion criteria",
    ),
    DeviationKind.MANUAL: KindInfo(
        Severity.MINOR,
        "OTHER",
        "OTHER",
        Text("Entered by hand", "手工录入"),
        "classified by the person who enters it",
    ),
}
# PROTOCOL ASSUMPTION: "a few days": up to a week out of window is minor (the schedule's
# windows are +/-7 days from week 8, schedule.yaml).
MINOR_DAYS_OUT = 7
# How classes rank: a dismissed proposal whose class rises is proposed again.
RANK = {Severity.MINOR: 0, Severity.MAJOR: 1}
# The categories a deviation entered by hand may take (sponsor-defined DVCAT).
CATEGORIES = (
    "VISIT SCHEDULE",
    "ASSESSMENT",
    "STUDY TREATMENT",
    "INFORMED CONSENT",
    "ELIGIBILITY",
    "CONCOMITANT MEDICATION",
    "SAFETY REPORTING",
    "OTHER",
)

ASSUMPTION = Text(
    en=(
        "Protocol assumption: deviations are proposed from the data (visits out of window, "
        "missed or overdue, a missing endpoint assessment, the injection outside the "
        "baseline window, a visit or a screening procedure before consent, a criterion not "
        "met after enrolment); a dismissed one is proposed again if its class rises. Consent, "
        "eligibility, the injection and the primary endpoint are major by default (ICH E3 "
        "important protocol deviations); a visit up to 7 days out of window or missed is "
        "minor. DVCAT and DVDECOD are sponsor-defined terms."
    ),
    zh_cn=(
        "方案假设：系统根据数据提示方案偏离（访视超窗、缺失或逾期未做，终点评估缺失，注射不在基线时间窗内，"
        "知情同意前进行访视或筛选操作，入组后不符合标准）；已排除的偏离如分类升高将再次提示。知情同意、入选资格、注射及主要终点相关偏离默认为"
        "重大偏离（ICH E3重要方案偏离）；访视超窗不超过7天或缺失访视为轻微偏离。"
        "DVCAT和DVDECOD为申办方自定义术语。"
    ),
)


@dataclass(frozen=True)
class Deviation:
    """A deviation as shown: proposed by the data now (``standing``), decided, or entered
    by hand. The DV fields are the stored ones once a row exists, else the proposal's."""

    enrolment_id: int
    subject_number: str
    kind: DeviationKind
    what: str
    severity: Severity
    dvterm: str
    dvdecod: str | None
    dvcat: str
    dvstdtc: str | None
    epoch: str | None
    visit_key: str | None
    standing: bool  # the data show it now (always, for one entered by hand)
    row: ProtocolDeviation | None
    # decided on data that read otherwise now (a visit's date moved, still out of window)
    now_reads: str | None = None
    # proposed again: dismissed earlier (this row, as dismissed) in a lower class than now
    earlier: ProtocolDeviation | None = None

    @property
    def key(self) -> str:
        return f"{self.kind.value}/{self.enrolment_id}/{self.what}"

    @property
    def stored(self) -> ProtocolDeviation | None:
        """The row a decision on it changes (its own, or the earlier dismissal's): its
        version is what a decision names."""
        return self.row if self.row is not None else self.earlier

    @property
    def state(self) -> State:
        return State(self.row.state) if self.row is not None else State.PROPOSED

    @property
    def origin(self) -> str:
        return self.row.origin if self.row is not None else "proposed"

    @property
    def info(self) -> KindInfo:
        return KINDS[self.kind]
