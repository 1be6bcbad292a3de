"""The joint examination a record holds, read for the ACR/EULAR 2010 joint domain.

Joint counts come as FHIR Observations (LOINC 88981-6/88980-8, a site's own codes, a CDAI
panel's components), OMOP measurement or observation rows, and facts a coordinator enters;
all reach the engine as facts of the value sets below (clinical/valuesets/joints.yaml), so
they are read alike. criteria/sql/joints_sql.py reads the CDM the same way.

Only one examination is read: the latest day with a usable count in the three months up
to the screening date. Counts from different days are not combined, since the joints
involved change between examinations. On that day each value set gives its latest reading
(the higher on a tie, as ``measures.readings`` orders them). A reading that is not a whole
number within the joints its count examines is unusable, and said so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from trialdesk.clinical.acr_eular_joints import MAXIMA, JointCounts
from trialdesk.criteria.context import DateRange, EvalContext, Hit, fact_evidence
from trialdesk.criteria.measures import readings
from trialdesk.criteria.outcome import Evidence, fmt_number

__all__ = ["JOINT_VALUESETS", "LOOKBACK", "Examination", "joint_examination"]

#: Value set -> the JointCounts field its readings fill.
JOINT_VALUESETS: dict[str, str] = {
    "tender_joint_count_28": "tender_28",
    "swollen_joint_count_28": "swollen_28",
    "tender_joint_count_68": "tender_68",
    "swollen_joint_count_66": "swollen_66",
    "joints_large_involved": "large",
    "joints_small_involved": "small",
}

#: How far back an examination still describes the joints at screening (protocol
#: assumption: the registry says "at the screening visit"; three months, as before).
LOOKBACK = relativedelta(months=3)


@dataclass(frozen=True)
class Examination:
    """The counts of the latest examination on file, and the facts they come from."""

    day: date
    counts: JointCounts
    evidence: tuple[Evidence, ...]


def _whole(ctx: EvalContext, name: str, w: DateRange, bad: list[str]) -> tuple[int, Hit] | None:
    """The latest usable count of one value set in ``w``; the unusable ones go to ``bad``."""
    good, unusable = readings(ctx, name, w)
    bad.extend(unusable)
    high = MAXIMA[JOINT_VALUESETS[name]]
    title = ctx.valuesets[name].title
    latest: tuple[int, Hit] | None = None
    for value, hit in good:  # oldest first: the last whole one is the latest
        if value.is_integer() and value <= high:
            latest = (int(value), hit)
        else:
            bad.append(
                f"{hit.fact.resource}: {title} {fmt_number(value)} is not a count of "
                f"0-{high} joints"
            )
    return latest


def joint_examination(ctx: EvalContext, on: date) -> tuple[Examination | None, tuple[str, ...]]:
    """The latest examination up to ``on`` (None if no count is usable), and the readings
    that could not be used, each naming its resource."""
    w = DateRange(on - LOOKBACK, on)
    bad: list[str] = []
    latest: dict[str, tuple[int, Hit]] = {}
    for name in JOINT_VALUESETS:
        if name in ctx.valuesets:
            found = _whole(ctx, name, w, bad)
            if found is not None:
                latest[name] = found
    if not latest:
        return None, tuple(bad)
    day = max(hit.fact.start or date.min for _, hit in latest.values())
    on_day = {name: vh for name, vh in latest.items() if vh[1].fact.start == day}
    counts = JointCounts(**{JOINT_VALUESETS[name]: value for name, (value, _) in on_day.items()})
    evidence = tuple(
        fact_evidence(hit, f"{ctx.valuesets[name].title}: {value}")
        for name, (value, hit) in on_day.items()
    )
    return Examination(day, counts, evidence), tuple(bad)
