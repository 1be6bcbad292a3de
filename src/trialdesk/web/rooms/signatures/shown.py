"""How a signature is shown on every page (21 CFR 11.50(a)): the instant on the site's wall
clock with its zone named unambiguously (an abbreviation such as CST names three zones),
and the Jinja globals the signature macro (templates/_signature.html) reads."""

from __future__ import annotations

from datetime import datetime

from trialdesk.study.schedule import Schedule
from trialdesk.study.windows import site_zone
from trialdesk.web.pages import templates
from trialdesk.web.rooms.signatures.texts import MEANINGS, TEXTS

__all__ = ["signed_time"]


def signed_time(moment: datetime, schedule: Schedule | None) -> str:
    """``2026-03-02 17:00 (Asia/Shanghai, UTC+08:00)``: the offset the zone had then."""
    zone = site_zone(schedule)
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} ({zone}, UTC{offset[:3]}:{offset[3:]})"


templates.env.filters["signed_time"] = signed_time
templates.env.globals["signature_texts"] = TEXTS
templates.env.globals["signature_meanings"] = MEANINGS
