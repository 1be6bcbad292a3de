"""What the SDV pages and the API show of a target: its section (a form at a visit, or the
consent, eligibility and adverse-event records), its label in both languages and its
value in words, from the one read model (trial/review/sdv.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trialdesk.i18n import _
from trialdesk.study.loader import Study
from trialdesk.study.schedule import Schedule
from trialdesk.study.texts import Text
from trialdesk.study.windows import site_time
from trialdesk.trial.review.sdv import ItemState
from trialdesk.trial.review.sdv_plan import TargetKind

__all__ = ["Section", "instant_at_site", "label_of", "sections", "value_of"]


def kind_title(kind: str) -> str:
    """The title of a section of records that are not a form's (consent, eligibility,
    adverse events), in the reader's language."""
    return {
        "consent": _("Informed consent"),
        "fact": _("Screening facts (eligibility evidence)"),
        "judgment": _("Signed eligibility judgments"),
        "adverse_event": _("Adverse events"),
    }[kind]


@dataclass(frozen=True)
class Section:
    key: str  # "consent", ..., or "W24/joint_counts#1"
    title: Text | str  # a form's title from the study folder, or a marked text
    states: list[ItemState]


def label_of(study: Study, state: ItemState) -> Text:
    t = state.target
    c = t.content
    if t.kind is TargetKind.ITEM and t.form_id is not None and t.item_id is not None:
        form = study.forms.get(t.form_id)
        return form.item(t.item_id).label if form is not None else Text(t.item_id)
    if t.kind is TargetKind.ADVERSE_EVENT:
        return Text(
            f"#{c.get('sequence')} {c.get('term')}", f"#{c.get('sequence')} {c.get('term')}"
        )
    if t.kind is TargetKind.JUDGMENT:
        return Text(f"{c.get('criterion')}", f"{c.get('criterion')}")
    if t.kind is TargetKind.FACT:
        return Text(f"{c.get('concept')} ({c.get('on')})", f"{c.get('concept')}（{c.get('on')}）")
    version = c.get("form_version")
    return Text(f"Consent form {version}", f"知情同意书 {version}")


def value_of(content: dict[str, Any], kind: TargetKind, schedule: Schedule | None) -> str:
    """The content in one line, as it was stored; an instant (stored in UTC, or for a
    date-and-time item with the site's offset) at the site's wall clock with its offset,
    a date as the date it is."""
    if kind is TargetKind.ITEM:
        value = content.get("value")
        shown = "—" if value is None else _shown(value, schedule)
        unit = content.get("unit")
        entered = content.get("entered") or {}
        typed = entered.get("value") if isinstance(entered, dict) else None
        extra = ""
        if typed is not None and (
            not _same(typed, value, shown, schedule) or entered.get("unit") not in (None, unit)
        ):
            extra = (
                f" (typed {typed}{' ' + str(entered.get('unit')) if entered.get('unit') else ''})"
            )
        return f"{shown}{' ' + unit if unit and value is not None else ''}{extra}"
    skip = {"enrolment_id", "sequence", "criterion", "judgment", "signature"}
    return "; ".join(
        f"{k}: {_shown(v, schedule)}"
        for k, v in content.items()
        if k not in skip and v not in (None, "", [], False)
    )


def instant_at_site(moment: datetime, schedule: Schedule | None) -> str:
    """An instant as the site's wall clock with its UTC offset, ``2026-03-16 10:00 +08:00``
    (seconds only where there are some): unambiguous where a zone's abbreviation is not."""
    local = site_time(schedule, moment)
    offset = local.strftime("%z")  # +0800
    clock = "%H:%M:%S" if local.second or local.microsecond else "%H:%M"
    return f"{local.strftime('%Y-%m-%d ' + clock)} {offset[:3]}:{offset[3:]}"


# an instant as the store writes it in JSON (datetime.isoformat(), always with an offset);
# a date alone, or a date and time without an offset, is shown as it is
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([+-]\d{2}:\d{2}|Z)")


def _moment(value: object) -> datetime | None:
    if isinstance(value, str) and _INSTANT.fullmatch(value):
        try:
            return datetime.fromisoformat(value)
        except ValueError:  # the shape of one, not a real one (month 13): shown as text
            return None
    return None


def _shown(value: object, schedule: Schedule | None) -> str:
    moment = _moment(value)
    return str(value) if moment is None else instant_at_site(moment, schedule)


def _same(typed: object, value: object, shown: str, schedule: Schedule | None) -> bool:
    """Whether what was typed is the value stored: the same text, or the same instant
    (a date and time typed at the site's wall clock, stored with its offset)."""
    if str(typed) == shown:
        return True
    stored = _moment(value)
    if stored is None or not isinstance(typed, str):
        return False
    try:
        given = datetime.fromisoformat(typed)
    except ValueError:
        return False
    return site_time(schedule, given) == stored


def sections(study: Study, states: list[ItemState], *, required_only: bool = True) -> list[Section]:
    """The page's sections in order: consent, eligibility, adverse events, then each form
    entered at a visit (or a log's row)."""
    out: dict[str, Section] = {}
    for s in states:
        if required_only and s.target.need is None:
            continue
        t = s.target
        if t.kind is TargetKind.ITEM:
            key = f"{t.visit_key}/{t.form_id}#{t.row}"
            if key not in out:
                form = study.forms.get(t.form_id or "")
                name = form.title if form is not None else Text(t.form_id or "")
                where = t.visit_key or "log"
                suffix = f" #{t.row}" if not t.visit_key else ""
                out[key] = Section(
                    key,
                    Text(
                        f"{where} · {name.en}{suffix}", f"{where} · {name.zh_cn or name.en}{suffix}"
                    ),
                    [],
                )
        else:
            key = t.kind.value
            if key not in out:
                out[key] = Section(key, kind_title(key), [])
        out[key].states.append(s)
    return list(out.values())
