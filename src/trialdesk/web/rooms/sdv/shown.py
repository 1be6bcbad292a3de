"""What the SDV pages and the API show of a target: its section (a form at a visit, or the
consent, eligibility and adverse-event records), its label in both languages and its
value in words, from the one read model (trial/review/sdv.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trialdesk.study.loader import Study
from trialdesk.study.texts import Text
from trialdesk.trial.review.sdv import ItemState
from trialdesk.trial.review.sdv_plan import TargetKind
from trialdesk.web.rooms.sdv.texts import KINDS

__all__ = ["Section", "label_of", "sections", "value_of"]


@dataclass(frozen=True)
class Section:
    key: str  # "consent", ..., or "W24/joint_counts#1"
    title: Text
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


def value_of(content: dict[str, Any], kind: TargetKind) -> str:
    """The content in one line, as it was stored."""
    if kind is TargetKind.ITEM:
        value = content.get("value")
        shown = "—" if value is None else str(value)
        unit = content.get("unit")
        entered = content.get("entered") or {}
        typed = entered.get("value") if isinstance(entered, dict) else None
        extra = ""
        if typed is not None and (str(typed) != shown or entered.get("unit") not in (None, unit)):
            extra = (
                f" (typed {typed}{' ' + str(entered.get('unit')) if entered.get('unit') else ''})"
            )
        return f"{shown}{' ' + unit if unit and value is not None else ''}{extra}"
    skip = {"enrolment_id", "sequence", "criterion", "judgment", "signature"}
    return "; ".join(
        f"{k}: {v}" for k, v in content.items() if k not in skip and v not in (None, "", [], False)
    )


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
                out[key] = Section(key, KINDS[key], [])
        out[key].states.append(s)
    return list(out.values())
