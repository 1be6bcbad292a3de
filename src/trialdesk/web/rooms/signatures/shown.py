"""How a signature is shown on every page (21 CFR 11.50(a)): the instant on the site's wall
clock with its zone named unambiguously (an abbreviation such as CST names three zones),
its meaning in the reader's words, and the Jinja helpers the signature macro
(templates/_signature.html) reads."""

from __future__ import annotations

from datetime import datetime

from trialdesk.i18n import _
from trialdesk.study.schedule import Schedule
from trialdesk.study.windows import site_zone
from trialdesk.trial.accounts.signatures import Meaning
from trialdesk.web.pages import templates

__all__ = ["signature_meaning", "signed_time"]


def signed_time(moment: datetime, schedule: Schedule | None) -> str:
    """``2026-03-02 17:00 (Asia/Shanghai, UTC+08:00)``: the offset the zone had then."""
    zone = site_zone(schedule)
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} ({zone}, UTC{offset[:3]}:{offset[3:]})"


def signature_meaning(stored: str) -> str:
    """A signature's stored meaning (trial/accounts/signatures.py ``Meaning``, kept in English
    in the signed record: 21 CFR 11.50(a)(3)) in the reader's words; one this page does not
    know is shown as stored."""
    words: dict[str, str] = {
        Meaning.ELIGIBILITY: _("eligibility decision"),
        Meaning.VISIT: _("visit data review"),
        Meaning.CAUSALITY: _("causality assessment"),
        Meaning.SAFETY_REVIEW: _("safety review decision"),
        Meaning.SAE_REPORT: _("serious adverse event report"),
        Meaning.CASEBOOK: _("casebook approval"),
        Meaning.DATABASE_LOCK: _("database lock"),
        Meaning.DATABASE_UNLOCK: _("database unlock"),
    }
    return words.get(stored, stored)


templates.env.filters["signed_time"] = signed_time
templates.env.globals["signature_meaning"] = signature_meaning
