"""How often things happen in a simulated trial, and how the calendar is laid out.

Every figure here is a SIMULATION ASSUMPTION, chosen so that a demo store shows each
state a site meets (screen failures, refusals, late and missed visits, each way
participation can end) in plausible proportions; none is a claim about NCT06947746.
Where a figure is near a published one, the comment says which.
"""

from __future__ import annotations

from dataclasses import dataclass

from trialdesk.errors import InputError

__all__ = ["CALENDAR", "RATES", "Calendar", "Rates"]


@dataclass(frozen=True)
class Rates:
    # Screening outcomes of the candidates who come to screening. Screen failure in RA
    # trials is commonly a quarter to a half of those screened; a quarter is used so a
    # demo is not mostly failures.
    screen_fail: float = 0.22
    declined: float = 0.06  # change their mind, before consent or after screening
    # Scheduled follow-up visits: not attended, or attended outside the window.
    missed_visit: float = 0.04
    late_visit: float = 0.06
    # Forms entered some days after the visit (results awaited, a busy clinic).
    entry_lag: float = 0.08
    # Participation ended before week 24: about one in eight over 24 weeks, near the
    # discontinuation seen in 24-week RA trials (assumption).
    discontinued: float = 0.12
    # An optional item a site measures for a given participant (e.g. respiratory rate).
    optional_item: float = 0.6
    # A result outside its reference interval that is not the person's usual value (a
    # transient rise, a haemolysed sample).
    outlier: float = 0.02
    # A WOMAC or HAQ item left unanswered (the scores' missing-item rules then apply).
    unanswered: float = 0.01

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not 0.0 <= value <= 1.0:
                raise InputError(f"{name} must be between 0 and 1, got {value}", field=name)
        if self.screen_fail + self.declined >= 1.0:  # nobody would ever be enrolled
            raise InputError("screen_fail and declined leave no one to enrol", field="rates")


RATES = Rates()

# Ways participation ends early, with their weights (CDISC NCOMPLT terms; assumption).
DISCONTINUATION = (
    ("WITHDRAWAL BY SUBJECT", 0.40),
    ("LOST TO FOLLOW-UP", 0.25),
    ("ADVERSE EVENT", 0.15),
    ("PHYSICIAN DECISION", 0.12),
    ("OTHER", 0.08),
)

# What staff write when a term needs saying what happened (end_participation asks for a
# reason for ADVERSE EVENT, PHYSICIAN DECISION and OTHER).
DISCONTINUATION_REASONS = {
    "WITHDRAWAL BY SUBJECT": ("no longer wishes to attend the visits", "moved to another city"),
    "LOST TO FOLLOW-UP": ("no answer to three calls and a letter",),
    "ADVERSE EVENT": ("knee pain and swelling after the injection", "herpes zoster"),
    "PHYSICIAN DECISION": ("RA flare treated with a biologic, which the protocol prohibits",),
    "OTHER": ("pregnancy", "sponsor request"),
}

MISSED_REASONS = (
    "did not attend",
    "ill with an unrelated illness",
    "travelling",
    "could not be reached",
)

DECLINE_BEFORE_CONSENT = "decided not to take part after reading the consent form"
DECLINE_AFTER_SCREENING = "cannot commit to the visits of the next six months"


@dataclass(frozen=True)
class Calendar:
    """Where the simulated trial sits in time, counted back from the as-of date (days)."""

    consent_before_screening: tuple[int, int] = (1, 6)
    screening_before_day1: tuple[int, int] = (7, 21)  # inside a -28..-1 screening window
    entry_lag_days: tuple[int, int] = (1, 5)
    missed_noticed_after: tuple[int, int] = (1, 5)  # days after the window closed
    late_by: tuple[int, int] = (1, 7)  # days after the window closed
    # Screening runs over this many days of follow-up length ...
    accrual_per_follow_up: float = 1.5
    # ... and ends this many days before the as-of date, so the last ones are injected.
    accrual_ends_before: int = 35


CALENDAR = Calendar()
