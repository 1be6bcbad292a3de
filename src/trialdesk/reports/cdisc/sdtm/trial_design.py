"""The trial design datasets TA, TE, TV and TI (SDTMIG 3.4 §7.2-7.4), from the study folder.

- Arms: the registry's arm groups (ctgov.json). The export carries one arm: trialdesk
  runs single-arm studies (it has no randomisation); a second arm is named in TA alone.
- Elements and epochs: the schedule's visits grouped by their EPOCH, in order (timing.py):
  each epoch is one element of the arm; ETCD from the epoch (SCREENING: SCRN, TREATMENT:
  TRT, FOLLOW-UP: FU), ELEMENT the epoch's name (the treatment's name for TREATMENT).
- TV: the schedule's planned visits with their target day and window; ARMCD null, the
  visits do not depend on the arm (SDTMIG 3.4 TV assumptions). Unscheduled visits are not
  planned and not in TV.
- TI: the criteria file, one row per criterion: IETESTCD its id, IECAT INCLUSION or
  EXCLUSION (CT C66797). IETEST is at most 200 characters (SDTMIG 3.4 TI assumption: a
  longer criterion gets a meaningful shortened text; the full text stays in the protocol,
  here the criteria file), in ASCII for SAS transport.
"""

from __future__ import annotations

import re
import unicodedata

from trialdesk.criteria.model import Kind
from trialdesk.reports.cdisc.dataset import Dataset, Value
from trialdesk.reports.cdisc.sdtm.timing import Epoch, epochs, visit_label
from trialdesk.reports.cdisc.sdtm.variables import domain_variables
from trialdesk.study.loader import Study
from trialdesk.study.schedule import VisitKind

__all__ = [
    "Element",
    "ascii_text",
    "clipped",
    "elements",
    "ie_test",
    "planned_arm",
    "ta_domain",
    "te_domain",
    "ti_domain",
    "treatment_name",
    "tv_domain",
]

_ELEMENT_CODES = {"SCREENING": "SCRN", "RUN-IN": "RUNIN", "TREATMENT": "TRT",
                  "FOLLOW-UP": "FU", "BASELINE": "BASE", "WASHOUT": "WASH"}  # fmt: skip
_SYMBOLS = {"≥": ">=", "≤": "<=", "²": "^2", "³": "^3", "µ": "u", "μ": "u", "×": "x",
            "–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "°": " deg",
            "，": ", ", "；": "; ", "：": ": ", "（": "(", "）": ")"}  # fmt: skip


def ascii_text(text: str) -> str:
    """Text for a SAS transport file: symbols spelt in ASCII, accents dropped, one line.

    A character with no ASCII spelling (a Chinese term) is kept, never dropped: a value is
    not replaced by less than it says. SAS transport v5 cannot hold it, so writing XPT
    reports it (dataset.py ``xpt_problems``, naming dataset, variable and row) and
    Dataset-JSON carries it as it is."""
    for symbol, spelt in _SYMBOLS.items():
        text = text.replace(symbol, spelt)
    # compatibility forms (full-width letters) to ASCII, accents apart and dropped, the
    # rest composed again as it was
    decomposed = unicodedata.normalize("NFKD", text)
    text = unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )
    return re.sub(r"\s+", " ", text).strip()


def clipped(text: str, limit: int = 200) -> str:
    """At most ``limit`` characters, cut at a word and marked with "..."."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 3].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "..."


def _code(text: str, limit: int) -> str:
    return re.sub(r"[^A-Z0-9]", "", ascii_text(text).upper())[:limit]


def treatment_name(study: Study) -> str:
    arms = study.record.protocolSection.armsInterventionsModule
    for i in (arms.interventions or ()) if arms else ():
        if i.name:
            return ascii_text(i.name)
    return "STUDY TREATMENT"


def planned_arm(study: Study) -> tuple[str, str]:
    """ARMCD (at most 20 characters, SDTMIG 3.4 §4.1.2.2) and ARM of the study's arm."""
    arms = study.record.protocolSection.armsInterventionsModule
    for a in (arms.armGroups or ()) if arms else ():
        if a.label:
            return _code(a.label, 20) or "ARM1", ascii_text(a.label)
    name = treatment_name(study)
    return _code(name, 20) or "ARM1", name


class Element:
    """An element of the arm: its code, name, epoch and planned study days."""

    def __init__(self, study: Study, epoch: Epoch, order: int) -> None:
        self.epoch = epoch.name
        self.order = order
        self.etcd = _ELEMENT_CODES.get(epoch.name) or _code(epoch.name, 8) or f"EL{order}"
        if epoch.name == "TREATMENT":
            self.name = treatment_name(study)
        else:
            self.name = epoch.name.capitalize()
        self.first_day = epoch.first_day
        self.last_day = epoch.last_day

    @property
    def duration(self) -> str:
        """TEDUR, ISO 8601: the planned days from first to last (no study day 0)."""
        if self.last_day is None:
            return ""
        days = self.last_day - self.first_day + 1
        if self.first_day < 0 < self.last_day:
            days -= 1
        return f"P{days}D"


def elements(study: Study) -> list[Element]:
    if study.schedule is None:
        return []
    return [Element(study, e, i) for i, e in enumerate(epochs(study.schedule), start=1)]


def ta_domain(study: Study) -> Dataset:
    armcd, arm = planned_arm(study)
    rows: list[dict[str, Value]] = [
        {"STUDYID": study.id, "DOMAIN": "TA", "ARMCD": armcd, "ARM": arm, "TAETORD": e.order,
         "ETCD": e.etcd, "ELEMENT": e.name, "TABRANCH": "", "TATRANS": "", "EPOCH": e.epoch}
        for e in elements(study)
    ]  # fmt: skip
    return Dataset(
        name="TA", label="Trial Arms",
        variables=domain_variables("TA", "STUDYID DOMAIN ARMCD ARM TAETORD ETCD ELEMENT "
                                   "TABRANCH TATRANS EPOCH"),
        rows=tuple(rows), keys=("STUDYID", "ARMCD", "TAETORD"),
        structure="One record per planned Element per Arm", dataset_class="TRIAL DESIGN",
    )  # fmt: skip


def te_domain(study: Study) -> Dataset:
    found = elements(study)
    day1 = study.schedule.day1 if study.schedule else "day 1"
    rows: list[dict[str, Value]] = []
    for i, e in enumerate(found):
        if i == 0:
            start = "Informed consent"
        elif e.first_day == 1:
            start = f"Study day 1 ({day1}): {treatment_name(study)} given"
        else:
            start = f"Study day {e.first_day}"
        if i + 1 < len(found):
            end = f"End of study day {e.last_day}" if e.last_day is not None else ""
        else:
            end = "End of participation"
        rows.append({"STUDYID": study.id, "DOMAIN": "TE", "ETCD": e.etcd, "ELEMENT": e.name,
                     "TESTRL": start, "TEENRL": end, "TEDUR": e.duration})  # fmt: skip
    return Dataset(
        name="TE", label="Trial Elements",
        variables=domain_variables("TE", "STUDYID DOMAIN ETCD ELEMENT TESTRL TEENRL TEDUR"),
        rows=tuple(rows), keys=("STUDYID", "ETCD"), structure="One record per planned Element",
        dataset_class="TRIAL DESIGN",
    )  # fmt: skip


def tv_domain(study: Study) -> Dataset:
    rows: list[dict[str, Value]] = []
    for v in study.schedule.visits if study.schedule else ():
        if v.kind is VisitKind.UNSCHEDULED:
            continue
        if v.kind is VisitKind.EARLY_TERMINATION:
            start, end = "At the end of participation before the last visit", ""
        elif v.day is not None and v.first_day is not None and v.last_day is not None:
            start = f"Study day {v.day}, window day {v.first_day} to day {v.last_day}"
            end = f"End of study day {v.last_day}"
        elif v.first_day is not None and v.last_day is not None:
            start = f"Study day {v.first_day} to day {v.last_day}"
            end = f"End of study day {v.last_day}"
        else:
            start, end = f"Study day {v.day}" if v.day is not None else "", ""
        rows.append({"STUDYID": study.id, "DOMAIN": "TV", "VISITNUM": float(v.visitnum),
                     "VISIT": visit_label(v), "VISITDY": v.day, "ARMCD": "",
                     "TVSTRL": start, "TVENRL": end})  # fmt: skip
    return Dataset(
        name="TV", label="Trial Visits",
        variables=domain_variables("TV", "STUDYID DOMAIN VISITNUM VISIT VISITDY ARMCD "
                                   "TVSTRL TVENRL"),
        rows=tuple(rows), keys=("STUDYID", "VISITNUM"),
        structure="One record per planned Visit per Arm", dataset_class="TRIAL DESIGN",
    )  # fmt: skip


def ie_test(text: str) -> str:
    """IETEST of a criterion: its text in ASCII, at most 200 characters."""
    return clipped(ascii_text(text).rstrip(";"))


def ti_domain(study: Study) -> Dataset:
    rows: list[dict[str, Value]] = [
        {"STUDYID": study.id, "DOMAIN": "TI", "IETESTCD": c.id, "IETEST": ie_test(c.text),
         "IECAT": "INCLUSION" if c.kind is Kind.INCLUSION else "EXCLUSION"}
        for c in study.criteria.criteria
    ]  # fmt: skip
    return Dataset(
        name="TI", label="Trial Inclusion/Exclusion Criteria",
        variables=domain_variables("TI", "STUDYID DOMAIN IETESTCD IETEST IECAT"),
        rows=tuple(rows), keys=("STUDYID", "IETESTCD"),
        structure="One record per I/E criterion", dataset_class="TRIAL DESIGN",
    )  # fmt: skip
