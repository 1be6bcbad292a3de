"""What the safety pages, the API and the CSV read: each adverse event with its participant,
its causality state (unsigned, signed, lapsed) and whether it is treatment-emergent (derived
by trial/safety/emergent.py), the filters of the safety listing, and the study's hold.

Read through the safety services only (events_of, causality_state, rules_met, is_paused):
the pages and the API cannot show different things.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.reports.csv_cells import safe_cell
from trialdesk.study.loader import Study
from trialdesk.trial.conduct.participants import Participant, list_participants
from trialdesk.trial.safety.causality import CausalityState, causality_state
from trialdesk.trial.safety.declared import safety_of
from trialdesk.trial.safety.events import adverse_event_or_404, emergence, events_of
from trialdesk.trial.safety.models import AdverseEvent
from trialdesk.trial.safety.stopping import RuleMet, rules_met
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.holds import StudyHold, is_paused
from trialdesk.web.rooms.safety.labels import Say, vocabulary

__all__ = [
    "EventRow",
    "HoldView",
    "Listing",
    "event_row",
    "hold_view",
    "listing_csv",
    "participant_rows",
    "read_listing",
    "study_rows",
]


@dataclass(frozen=True)
class EventRow:
    participant: Participant
    event: AdverseEvent
    causality: CausalityState
    emergent: str | None  # why it is treatment-emergent; None: it is not

    @property
    def state(self) -> str:
        """``unsigned``, ``signed`` (current) or ``lapsed``."""
        if self.causality.assessment is None:
            return "unsigned"
        return "signed" if self.causality.current else "lapsed"

    @property
    def related(self) -> bool | None:
        """As the stopping rules read it: the newest assessment, lapsed or not (None: none)."""
        values = self.causality.values
        return values.related if values is not None else None


def event_row(session: Session, study: Study, participant: Participant, event_id: int) -> EventRow:
    event = adverse_event_or_404(session, participant, event_id)
    return _row(session, study, participant, event)


def _row(session: Session, study: Study, participant: Participant, event: AdverseEvent) -> EventRow:
    return EventRow(
        participant,
        event,
        causality_state(session, participant, event),
        emergence(study, participant, event),
    )


def participant_rows(session: Session, study: Study, participant: Participant) -> list[EventRow]:
    return [_row(session, study, participant, e) for e in events_of(session, participant)]


def study_rows(session: Session, study: Study) -> list[EventRow]:
    """Every adverse event of the study, by subject number and then event number."""
    rows: list[EventRow] = []
    for participant in list_participants(session, study.id):
        rows.extend(participant_rows(session, study, participant))
    return rows


# ---- the listing's filters ------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """What the safety listing is filtered by (None: any)."""

    term: str | None = None  # part of the CTCAE term or of its SOC, any case
    grade_at_least: int | None = None
    serious: bool | None = None
    teae: bool | None = None
    aesi: str | None = None  # an AESI id of the study, or "any": one of them
    related: bool | None = None
    participant: str | None = None  # subject number

    def keeps(self, row: EventRow) -> bool:
        e = row.event
        if self.term and not any(self.term.casefold() in t.casefold() for t in (e.term, e.soc)):
            return False
        if self.grade_at_least is not None and e.grade < self.grade_at_least:
            return False
        if self.serious is not None and e.serious != self.serious:
            return False
        if self.teae is not None and (row.emergent is not None) != self.teae:
            return False
        if self.related is not None and bool(row.related) != self.related:
            return False
        if self.participant is not None and row.participant.subject_number != self.participant:
            return False
        if self.aesi == "any":
            return bool(e.special_interest)
        return self.aesi is None or self.aesi in e.special_interest

    def query(self) -> dict[str, str]:
        """As URL parameters (for the CSV link of a filtered page)."""
        out: dict[str, str] = {}
        for name, value in self.__dict__.items():
            if value is None:
                continue
            out[name] = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        return out


_YES_NO = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


def read_listing(given: dict[str, str], study: Study) -> Listing:
    """The filters as typed on the listing page; every wrong one at its field at once."""
    errors: list[TrialdeskError] = []
    flags: dict[str, bool | None] = {}
    for name in ("serious", "teae", "related"):
        raw = given.get(name, "").strip().lower()
        if raw and raw not in _YES_NO:
            errors.append(InputError("choose yes, no or any", field=name))
        flags[name] = _YES_NO.get(raw)
    grade = None
    raw_grade = given.get("grade_at_least", "").strip()
    if raw_grade:
        if raw_grade.isdigit() and 1 <= int(raw_grade) <= 5:
            grade = int(raw_grade)
        else:
            errors.append(InputError("a CTCAE grade from 1 to 5", field="grade_at_least"))
    aesi = given.get("aesi", "").strip() or None
    known = {a.id for a in safety_of(study).special_interest}
    if aesi is not None and aesi != "any" and aesi not in known:
        errors.append(
            InputError(
                f"'{aesi}' is not an adverse event of special interest of this study "
                f"({', '.join(sorted(known)) or 'none declared'})",
                field="aesi",
            )
        )
    if errors:
        raise FieldErrors(errors, resource="safety listing")
    return Listing(
        term=given.get("term", "").strip()[:120] or None,
        grade_at_least=grade,
        serious=flags["serious"],
        teae=flags["teae"],
        aesi=aesi,
        related=flags["related"],
        participant=given.get("participant", "").strip()[:32] or None,
    )


# ---- the CSV --------------------------------------------------------------------------

_COLUMNS = (
    ("subject", "Subject"),
    ("sequence", "No."),
    ("verbatim", "Verbatim term"),
    ("term", "CTCAE term"),
    ("meddra_code", "MedDRA code"),
    ("soc", "System organ class"),
    ("onset", "Onset"),
    ("end", "End"),
    ("grade", "Grade"),
    ("serious", "Serious"),
    ("seriousness", "Seriousness criteria (ICH E2A)"),
    ("teae", "TEAE"),
    ("aesi", "AESI"),
    ("action_taken", "Action taken with the study treatment"),
    ("outcome", "Outcome"),
    ("product", "Relationship to the study product"),
    ("procedure", "Relationship to the injection procedure"),
    ("expected", "Expectedness"),
    ("causality", "Causality"),
)


def _safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula is kept as text (csv_cells.py)."""
    return safe_cell(text)


def listing_csv(rows: Iterable[EventRow], study: Study, say: Say, locale: str) -> bytes:
    """The listing as CSV for a spreadsheet: UTF-8 with a byte-order mark (so Excel reads
    Chinese), headers in the reader's language, values as stored (the standards' codes);
    participants named by subject number only. The verbatim term is the site's free text
    as entered (SDTM AETERM): staff are trained to keep names out of it, and the export is
    for the study's staff and monitors only (VIEW_SAFETY), never public."""
    words = vocabulary(locale)
    names = {a.id: a.name.get(locale) for a in safety_of(study).special_interest}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([say(label) if label in _SAID else label for _, label in _COLUMNS])
    for row in rows:
        e, values = row.event, row.causality.values
        cells: dict[str, Any] = {
            "subject": row.participant.subject_number,
            "sequence": e.sequence,
            "verbatim": _safe(e.verbatim),
            "term": e.term,
            "meddra_code": e.meddra_code,
            "soc": e.soc,
            "onset": e.onset_date,
            "end": e.end_date or "",
            "grade": e.grade,
            "serious": say("yes") if e.serious else say("no"),
            "seriousness": "; ".join(words["seriousness"][s] for s in e.seriousness),
            "teae": say("yes") if row.emergent is not None else say("no"),
            "aesi": "; ".join(names.get(a, a) for a in e.special_interest),
            "action_taken": e.action_taken,
            "outcome": e.outcome,
            "product": values.product.value if values else "",
            "procedure": values.procedure.value if values else "",
            "expected": ""
            if values is None
            else (say("Expected") if values.expected else say("Unexpected")),
            "causality": {"unsigned": say("not assessed"), "signed": say("signed")}.get(
                row.state, say("lapsed")
            ),
        }
        writer.writerow([cells[name] for name, _ in _COLUMNS])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


# MedDRA code is the dictionary's own name, the same in both languages.
_SAID = {label for _, label in _COLUMNS} - {"MedDRA code"}


# ---- the study's hold -----------------------------------------------------------------


@dataclass(frozen=True)
class HoldView:
    hold: StudyHold | None  # the active hold: the study is paused
    met: list[RuleMet]  # the stopping rules the events meet now
    rule_names: dict[str, Any]  # rule id -> its Text name


def hold_view(session: Session, study: Study) -> HoldView:
    rules = safety_of(study).stopping_rules
    hold = is_paused(session, study.id)
    return HoldView(hold, rules_met(session, study) if hold else [], {r.id: r.name for r in rules})
