"""The site's clock for the screening room: staff enter and read dates and times in the
study's site time zone (schedule.yaml ``time_zone``; DESIGN.md, "Codes, units, time and
language"), the zone named wherever a time is shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today, site_zone
from trialdesk.web.deps import now

__all__ = ["SiteClock", "site_clock"]


@dataclass(frozen=True)
class SiteClock:
    """The study's site: its zone, the instant, and today there (what a date field
    defaults to and what date rules are judged on)."""

    zone: tzinfo
    today: date
    now: datetime

    @property
    def label(self) -> str:
        """The zone as staff read it: its name and its offset now, e.g.
        "Asia/Shanghai, UTC+08:00" (an abbreviation such as CST is ambiguous)."""
        offset = self.now.astimezone(self.zone).strftime("%z")
        return f"{self.zone}, UTC{offset[:3]}:{offset[3:]}"

    def local(self, moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        """A stored instant on the site's wall clock ('' for none)."""
        return moment.astimezone(self.zone).strftime(fmt) if moment is not None else ""

    def day(self, moment: datetime | None) -> str:
        return self.local(moment, "%Y-%m-%d")


def site_clock(study: Study) -> SiteClock:
    moment = now()
    return SiteClock(site_zone(study.schedule), site_today(study.schedule, moment), moment)
