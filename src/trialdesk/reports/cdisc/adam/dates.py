"""ADaM dates: SDTM ISO 8601 text to numeric analysis dates, with imputation of partial dates.

ADaM keeps dates numeric (ADaMIG v1.3 §3.1.3: a variable ending in DT is a numeric date,
DTM a numeric datetime, DY a relative day), so the rows carry SAS dates (days since
1960-01-01) and SAS datetimes (seconds since 1960-01-01T00:00) and define.xml displays them
with a DATE9. / DATETIME20. format (``DISPLAY_FORMATS``). Integers compare and subtract
as the dates do, so the derivations work on them directly.

Partial dates are the same ranges of days the adverse-event pages use
(trial/safety/partial_dates.py): one definition of what ``2026-03`` means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from trialdesk.study.schedule import study_day
from trialdesk.trial.safety.partial_dates import PartialDate

__all__ = [
    "DISPLAY_FORMATS",
    "Imputed",
    "StartRule",
    "analysis_day",
    "from_sas_date",
    "impute_end",
    "impute_start",
    "sas_date",
    "sas_datetime",
    "to_sas_date",
    "to_sas_datetime",
]

SAS_EPOCH = date(1960, 1, 1)

# define.xml def:DisplayFormat of the numeric date variables (SAS formats)
DISPLAY_FORMATS = {"date": "DATE9.", "datetime": "DATETIME20."}


def sas_date(on: date) -> int:
    """Days since 1960-01-01, the SAS date of ``on``.

    >>> sas_date(date(1960, 1, 2)), sas_date(date(2014, 1, 2))
    (1, 19725)
    """
    return (on - SAS_EPOCH).days


def from_sas_date(value: float) -> date:
    """The date of a SAS date.

    >>> from_sas_date(19725)
    datetime.date(2014, 1, 2)
    """
    return SAS_EPOCH + timedelta(days=int(value))


def sas_datetime(at: datetime) -> int:
    """Seconds since 1960-01-01T00:00 of a wall-clock time (site time: SDTM --DTC carry no
    offset, SDTMIG 3.4 §4.4.2).

    >>> sas_datetime(datetime(1960, 1, 2, 0, 0, 30))
    86430
    """
    naive = at.replace(tzinfo=None)
    return int((naive - datetime(1960, 1, 1)).total_seconds())


def to_sas_date(dtc: str) -> int | None:
    """The SAS date of a complete ISO 8601 date or date-time (``2014-01-02``,
    ``2014-01-02T11:45``); None when blank or partial.

    >>> to_sas_date("2014-01-02T11:45"), to_sas_date("2014-01"), to_sas_date("")
    (19725, None, None)
    """
    text = dtc.strip()
    if len(text) < 10:
        return None
    return sas_date(date.fromisoformat(text[:10]))


def to_sas_datetime(dtc: str) -> int | None:
    """The SAS datetime of an ISO 8601 date-time with at least hours and minutes; None
    when no time was collected.

    >>> to_sas_datetime("1960-01-02T00:01")
    86460
    >>> to_sas_datetime("1960-01-02") is None
    True
    """
    text = dtc.strip()
    if len(text) < 16 or "T" not in text:
        return None
    return sas_datetime(datetime.fromisoformat(text[:19]))


def analysis_day(on: int | None, reference: int | None) -> int | None:
    """The relative day of SAS date ``on`` from the reference (TRTSDT): the SDTM study day
    (study/schedule.py study_day; day 1 is the reference, no day 0), as the pilot's
    define.xml gives ADY (ADY = ADT - TRTSDT + 1 if ADT >= TRTSDT, else ADT - TRTSDT).

    >>> analysis_day(19725, 19725), analysis_day(19724, 19725), analysis_day(None, 19725)
    (1, -1, None)
    """
    if on is None or reference is None:
        return None
    return study_day(from_sas_date(reference), from_sas_date(on))


class StartRule(StrEnum):
    """How a partial start date is imputed.

    - ``conservative``: trialdesk's. The first day the partial date may be, unless the
      first treatment date lies within it, then that date: admiral's
      ``derive_vars_dt(highest_imputation = "M", date_imputation = "first",
      min_dates = TRTSDT, max_dates = AENDT)``. An event that may have begun on or after
      the first dose is then emergent, as the adverse-event pages say
      (trial/safety/emergent.py); one that ended before it is not.
    - ``day_only``: the CDISC pilot's (adam define.xml, ADAE.ASTDT): a missing day is
      "01"; with the month missing no imputation, "as these dates clearly indicate a start
      prior to the beginning of treatment".
    """

    CONSERVATIVE = "conservative"
    DAY_ONLY = "day_only"


@dataclass(frozen=True)
class Imputed:
    """An analysis date and its imputation flag (ADaMIG v1.3 §3.1.3 *DTF: "D" the day was
    imputed, "M" month and day, "Y" year, month and day; blank none)."""

    value: int | None
    flag: str = ""


def _partial(dtc: str) -> PartialDate | None:
    text = dtc.strip()[:10]
    if not text:
        return None
    return PartialDate.parse(text)


def _flag(partial: PartialDate) -> str:
    if partial.month is None:
        return "M"
    return "" if partial.day is not None else "D"


def impute_start(
    dtc: str, rule: StartRule, *, first_dose: int | None = None, end: int | None = None
) -> Imputed:
    """ASTDT from --STDTC under ``rule``; ``first_dose`` is TRTSDT (SAS date), ``end`` the
    event's end (AENDT: complete, or the last day a partial end may be). An imputed start
    is never after the end when the end lies within the days the partial start may be
    (admiral ``derive_vars_dt(max_dates = exprs(AENDT))``): an onset "2026-03" of an event
    that ended on 4 March is 4 March at the latest, not the first dose on the 10th.

    >>> impute_start("2014-03", StartRule.CONSERVATIVE, first_dose=sas_date(date(2014, 3, 9)))
    Imputed(value=19791, flag='D')
    >>> from_sas_date(19791)
    datetime.date(2014, 3, 9)
    >>> impute_start("2014-03", StartRule.DAY_ONLY, first_dose=19791).value == 19783
    True
    >>> impute_start("2013", StartRule.DAY_ONLY, first_dose=19791)
    Imputed(value=None, flag='')
    >>> impute_start("2014-03-05", StartRule.CONSERVATIVE, first_dose=19791).flag
    ''
    >>> from_sas_date(impute_start("2014-03", StartRule.CONSERVATIVE, first_dose=19791,
    ...                            end=sas_date(date(2014, 3, 4))).value or 0)
    datetime.date(2014, 3, 4)
    """
    partial = _partial(dtc)
    if partial is None:
        return Imputed(None)
    if partial.complete:
        return Imputed(sas_date(partial.earliest))
    first, last = sas_date(partial.earliest), sas_date(partial.latest)
    if rule is StartRule.DAY_ONLY:
        if partial.month is None:
            return Imputed(None)
        imputed = first
    elif first_dose is not None and first <= first_dose <= last:
        imputed = first_dose
    else:
        imputed = first
    if end is not None and first <= end < imputed:
        imputed = end
    return Imputed(imputed, _flag(partial))


def impute_end(dtc: str, *, impute: bool = True) -> Imputed:
    """AENDT from --ENDTC: a partial end is imputed to the last day it may be (admiral
    ``derive_vars_dt(date_imputation = "last")``: an event is not shortened by a guess);
    ``impute=False`` keeps it missing, as the CDISC pilot does ("AE.AEENDTC, converted").

    >>> from_sas_date(impute_end("2024-02").value or 0), impute_end("2024-02").flag
    (datetime.date(2024, 2, 29), 'D')
    >>> impute_end("2024-02", impute=False)
    Imputed(value=None, flag='')
    """
    partial = _partial(dtc)
    if partial is None:
        return Imputed(None)
    if partial.complete:
        return Imputed(sas_date(partial.latest))
    if not impute:
        return Imputed(None)
    return Imputed(sas_date(partial.latest), _flag(partial))
