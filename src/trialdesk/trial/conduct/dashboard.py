"""The site dashboard: across participants, the visits due this week, overdue and missed,
and the visits that took place with a form still incomplete.

Each count is the sum of the participants' own badges, computed from the same calendar
rows the participant pages show (calendar.py, from the one window function), so the
dashboard and a participant's page cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from trialdesk.study.loader import Study
from trialdesk.study.windows import VisitStatus
from trialdesk.trial.conduct.calendar import CalendarRow, calendars
from trialdesk.trial.conduct.participants import Participant, list_participants
from trialdesk.trial.store.db import Session

__all__ = ["Badges", "Dashboard", "DashboardRow", "badges_of", "dashboard"]


@dataclass(frozen=True)
class Badges:
    due: tuple[CalendarRow, ...]  # open now, or opening within the week
    overdue: tuple[CalendarRow, ...]
    missed: tuple[CalendarRow, ...]
    incomplete: tuple[CalendarRow, ...]  # took place, a form not complete

    @property
    def counts(self) -> dict[str, int]:
        return {
            "due": len(self.due),
            "overdue": len(self.overdue),
            "missed": len(self.missed),
            "incomplete": len(self.incomplete),
        }


def badges_of(rows: list[CalendarRow]) -> Badges:
    """A participant's badges, from their calendar."""
    return Badges(
        due=tuple(r for r in rows if r.due_soon),
        overdue=tuple(r for r in rows if r.status is VisitStatus.OVERDUE),
        missed=tuple(r for r in rows if r.status is VisitStatus.MISSED),
        incomplete=tuple(r for r in rows if r.incomplete),
    )


@dataclass(frozen=True)
class DashboardRow:
    participant: Participant
    calendar: list[CalendarRow]
    badges: Badges


@dataclass(frozen=True)
class Dashboard:
    today: date
    rows: list[DashboardRow]

    @property
    def totals(self) -> dict[str, int]:
        totals = {"due": 0, "overdue": 0, "missed": 0, "incomplete": 0}
        for row in self.rows:
            for name, n in row.badges.counts.items():
                totals[name] += n
        return totals

    def with_badge(self, name: str) -> list[tuple[DashboardRow, CalendarRow]]:
        """Each (participant, visit) behind one count, in subject-number order."""
        return [(row, visit) for row in self.rows for visit in getattr(row.badges, name)]


def dashboard(session: Session, study: Study, today: date) -> Dashboard:
    participants = list_participants(session, study.id)
    by_id = calendars(session, study, participants, today)
    rows = [DashboardRow(p, by_id[p.id], badges_of(by_id[p.id])) for p in participants]
    return Dashboard(today, rows)
