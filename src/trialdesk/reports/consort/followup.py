"""The numbers of the CONSORT diagram after enrolment: allocation, follow-up and analysis,
counted from the trial's conduct records as of one day at the site.

CONSORT 2010 (Schulz KF, Altman DG, Moher D. BMJ 2010;340:c332, Figure 1) draws, for each
arm, "Allocated to intervention: received / did not receive (give reasons)", "Lost to
follow-up (give reasons) / Discontinued intervention (give reasons)" and "Analysed /
Excluded from analysis (give reasons)". This study has one arm, so there is one column.

Every participant falls in exactly one place of each box, so the boxes add up:
allocated = received + did not receive + awaiting the intervention;
received = completed + lost to follow-up + discontinued + still in follow-up;
received = analysed + excluded from analysis.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today
from trialdesk.trial.conduct.disposition import EndTerm
from trialdesk.trial.conduct.participants import Participant, list_participants
from trialdesk.trial.store.db import Session

__all__ = [
    "DISCONTINUED_TERMS",
    "FollowUpCounts",
    "ParticipantState",
    "SAFETY_SET",
    "arm_of",
    "follow_up_counts",
    "follow_up_of",
    "state_of",
]

# Discontinuation reasons always listed, in this order (zeros too, so a reader sees that
# none happened): the CDISC NCOMPLT terms a site records here (trial/conduct/disposition.py).
DISCONTINUED_TERMS = (
    EndTerm.ADVERSE_EVENT,
    EndTerm.WITHDRAWAL_BY_SUBJECT,
    EndTerm.PHYSICIAN_DECISION,
    EndTerm.DEATH,
    EndTerm.OTHER,
)
# Screening's withdrawal (trial/screening/enrolment.withdraw) without a disposition term:
# shown as it is, so the site can record the term, rather than guessed at.
NO_TERM = "Withdrawn, no disposition term recorded"

# The analysis population. PROTOCOL ASSUMPTION for a single-arm safety study: the safety
# set is everyone who received the intervention (ICH E9 (1998), section 6.3: the subjects
# whose safety and tolerability data are summarised are usually all who received at least
# one dose of the investigational product). No one who received it is expected to be
# excluded; nothing in the store excludes anyone, so "excluded from analysis" is 0.
SAFETY_SET = "Safety set: everyone who received the intervention (protocol assumption, ICH E9)"


@dataclass(frozen=True)
class ParticipantState:
    """What the diagram needs of one participant, as of the report's day."""

    received: bool  # day 1 (the intervention) recorded on or before that day
    term: str | None  # the disposition term, if participation had ended by then
    withdrawn: bool  # screening's withdrawal recorded by then


@dataclass(frozen=True)
class FollowUpCounts:
    """The allocation, follow-up and analysis boxes of one single-arm study."""

    arm: str  # the arm participants are allocated to (the record's arm group)
    as_of: date  # the site's day the counts are for
    allocated: int
    received: int
    not_received_by_reason: tuple[tuple[str, int], ...]  # reasons in term order, n > 0
    awaiting: int  # allocated, not yet given the intervention, still taking part
    completed: int
    lost: int  # lost to follow-up after the intervention
    discontinued_by_reason: tuple[tuple[str, int], ...]  # every DISCONTINUED_TERMS, then others
    ongoing: int  # received, still in follow-up on as_of
    analysed: int
    excluded_from_analysis_by_reason: tuple[tuple[str, int], ...] = ()

    @property
    def not_received(self) -> int:
        return sum(n for _, n in self.not_received_by_reason)

    @property
    def discontinued(self) -> int:
        return sum(n for _, n in self.discontinued_by_reason)

    @property
    def excluded_from_analysis(self) -> int:
        return sum(n for _, n in self.excluded_from_analysis_by_reason)

    def check(self, where: str) -> None:
        """Refuse counts whose boxes would not add up to their parent."""
        fields = {
            "allocated": self.allocated,
            "received": self.received,
            "awaiting": self.awaiting,
            "completed": self.completed,
            "lost": self.lost,
            "ongoing": self.ongoing,
            "analysed": self.analysed,
        }
        for kind, reasons in (
            ("not received", self.not_received_by_reason),
            ("discontinued", self.discontinued_by_reason),
            ("excluded from analysis", self.excluded_from_analysis_by_reason),
        ):
            fields.update({f"{kind} for {label!r}": n for label, n in reasons})
        for name, n in fields.items():
            if n < 0:
                raise ValueError(f"{where}: {name} is negative ({n})")
        sums = (
            ("allocated", self.allocated, "received + did not receive + awaiting",
             self.received + self.not_received + self.awaiting),
            ("received", self.received, "completed + lost + discontinued + ongoing",
             self.completed + self.lost + self.discontinued + self.ongoing),
            ("received", self.received, "analysed + excluded from analysis",
             self.analysed + self.excluded_from_analysis),
        )  # fmt: skip
        for parent, n, parts, total in sums:
            if n != total:
                raise ValueError(f"{where}: {parent} ({n}) != {parts} ({total})")


def arm_of(study: Study) -> str:
    """The one arm group's label from the registry record; a generic name otherwise (the
    store records no allocation to one of several arms)."""
    arms = study.record.protocolSection.armsInterventionsModule
    groups = [g.label for g in (arms.armGroups if arms else None) or ()]
    return groups[0] if len(groups) == 1 and groups[0] else "intervention"


def _term_label(term: str) -> str:
    try:
        return EndTerm(term).label
    except ValueError:  # a term this version does not know: shown as stored
        return term.capitalize()


def follow_up_counts(
    states: Iterable[ParticipantState], *, arm: str, as_of: date
) -> FollowUpCounts:
    """Each participant counted once per box (see the module's docstring)."""
    allocated = received = awaiting = completed = lost = ongoing = 0
    not_received: Counter[str] = Counter()
    discontinued: Counter[str] = Counter({t.label: 0 for t in DISCONTINUED_TERMS})
    for s in states:
        allocated += 1
        ended = _term_label(s.term) if s.term is not None else NO_TERM if s.withdrawn else None
        if not s.received:
            if ended is None:
                awaiting += 1
            else:
                not_received[ended] += 1
            continue
        received += 1
        if s.term == EndTerm.COMPLETED:
            completed += 1
        elif s.term == EndTerm.LOST_TO_FOLLOW_UP:
            lost += 1
        elif ended is not None:
            discontinued[ended] += 1
        else:
            ongoing += 1
    # reasons in DISCONTINUED_TERMS order, then the other terms, then unknown ones, then
    # a withdrawal with no term last
    order = [t.label for t in (*DISCONTINUED_TERMS, *EndTerm)]

    def rank(label: str) -> tuple[int, str]:
        known = order.index(label) if label in order else len(order)
        return (len(order) + 1 if label == NO_TERM else known, label)

    counts = FollowUpCounts(
        arm=arm,
        as_of=as_of,
        allocated=allocated,
        received=received,
        not_received_by_reason=tuple(sorted(not_received.items(), key=lambda kv: rank(kv[0]))),
        awaiting=awaiting,
        completed=completed,
        lost=lost,
        discontinued_by_reason=tuple(sorted(discontinued.items(), key=lambda kv: rank(kv[0]))),
        ongoing=ongoing,
        analysed=received,  # the safety set (SAFETY_SET)
    )
    counts.check(arm)
    return counts


def state_of(participant: Participant, study: Study, as_of: date) -> ParticipantState:
    """A participant as they stood at the end of the site's day ``as_of``: what was
    recorded as happening later does not count yet."""
    day1 = participant.day1(study)
    d = participant.disposition
    withdrawn_at = participant.enrolment.withdrawn_at
    return ParticipantState(
        received=day1 is not None and day1 <= as_of,
        term=d.term if d is not None and d.ended_on <= as_of else None,
        # screening stores the withdrawal day typed as midnight of that day (enrolment.py)
        withdrawn=withdrawn_at is not None and withdrawn_at.date() <= as_of,
    )


def follow_up_of(
    session: Session, study: Study, as_of: date | None = None
) -> FollowUpCounts | None:
    """The boxes after enrolment from the store; None for a study with no schedule
    (screening only: nothing happens after enrolment there). ``as_of``: the site's day,
    today by default (study/windows.py, site_today); the boxes above these count everyone
    enrolled so far, so a day before the last enrolment does not add up (refused by the
    counts' check)."""
    if study.schedule is None:
        return None
    day = as_of if as_of is not None else site_today(study.schedule, datetime.now(UTC))
    states = [state_of(p, study, day) for p in list_participants(session, study.id)]
    return follow_up_counts(states, arm=arm_of(study), as_of=day)
