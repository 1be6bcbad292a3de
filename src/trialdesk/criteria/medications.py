"""Medication queries: is a drug being taken, since when, at what daily dose, by which route."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from trialdesk.clinical.routes import LABEL_HINTS, group_of
from trialdesk.criteria.context import (
    OPEN_END,
    DateRange,
    EvalContext,
    Hit,
    fact_evidence,
    overlaps,
    span,
    titles,
)
from trialdesk.criteria.logic import Tri
from trialdesk.criteria.outcome import Evidence, Outcome, fmt_number
from trialdesk.facts.record import FactKind

# A gap of up to 30 days between two orders still counts as one continuous course, the
# usual permissible gap in pharmacoepidemiology (e.g. Andrade SE et al.,
# Pharmacoepidemiol Drug Saf 2006;15:565-74).
COURSE_GAP = timedelta(days=30)


def route_of(hit: Hit) -> str | None:
    """'parenteral', 'oral', 'local' or None when neither the route nor the product says
    (the route table: clinical/routes.yaml)."""
    words = {c.code.lower() for c in hit.fact.route} | {
        (c.display or "").lower() for c in hit.fact.route
    }
    info = hit.match.info
    if info is not None and info.route:
        words.add(info.route.lower())
    group = group_of(words)
    if group is not None:
        return group
    label = hit.fact.label.lower()
    for group, hints in LABEL_HINTS.items():
        if any(hint in label for hint in hints):
            return group
    return None


def taking(ctx: EvalContext, names: Sequence[str], on: date) -> Outcome:
    hits = [h for h in ctx.index.hits(*names) if h.fact.kind is FactKind.MEDICATION]
    covering = [h for h in hits if (s := span(h.fact)) is not None and s[0] <= on <= s[1]]
    if covering:
        return Outcome(tri=Tri.TRUE, evidence=tuple(fact_evidence(h) for h in covering))
    undated = [h for h in hits if span(h.fact) is None]
    if undated:
        return Outcome(
            evidence=tuple(fact_evidence(h, f"{h.fact.label}: date unknown") for h in undated),
            missing=tuple(f"the dates of {h.fact.resource}" for h in undated),
        )
    note = f"searched medications for {titles(ctx, names)} active on {on.isoformat()}: none"
    return Outcome(tri=Tri.FALSE, evidence=(Evidence(note=note),))


def taking_since(ctx: EvalContext, names: Sequence[str], on: date) -> Outcome:
    """The first day of the course of treatment that spans ``on``.

    Orders sorted by start join one course while each starts no more than 30 days after
    the latest end so far (COURSE_GAP); the course whose first start and latest end
    enclose ``on`` is the current one. The SQL compiler builds the same islands.
    """
    spans = sorted(
        (
            (s, h)
            for h in ctx.index.hits(*names)
            if h.fact.kind is FactKind.MEDICATION and (s := span(h.fact)) is not None and s[0] <= on
        ),
        key=lambda sh: sh[0],
    )
    courses: list[tuple[date, date, list[Hit]]] = []
    for (first, last), h in spans:
        if courses and (courses[-1][1] == OPEN_END or first <= courses[-1][1] + COURSE_GAP):
            start, end, members = courses[-1]
            courses[-1] = (start, max(end, last), [*members, h])
        else:
            courses.append((first, last, [h]))
    current = [c for c in courses if c[0] <= on <= c[1]]
    if not current:
        return Outcome(missing=(f"no current {titles(ctx, names)} on {on.isoformat()}",))
    start, _, members = current[0]
    ev = tuple(fact_evidence(h) for h in members)
    note = Evidence(note=f"continuous course since {start.isoformat()}")
    return Outcome(day=start, evidence=(*ev, note))


def ingredient_of(hit: Hit) -> str:
    """The drug a medication fact is about: the value set's ingredient for its code, else
    the code (or the name) it matched by."""
    info = hit.match.info
    if info is not None and info.ingredient:
        return info.ingredient.lower()
    return hit.match.coding.code or hit.fact.label.lower()


def daily_dose_mg(hit: Hit) -> float | None:
    """Dose in mg per day from the order's dose and frequency, or None when not recorded."""
    dose = hit.fact.dose
    if dose is None or dose.per_day is None:
        return None
    unit = (dose.quantity.unit or "").strip().lower()
    amount = dose.quantity.value
    if unit == "mg":
        per_admin = amount
    elif unit == "g":
        per_admin = amount * 1000
    elif unit in ("", "1", "{tbl}", "tablet", "tablets", "{tablet}", "tab", "{capsule}", "capsule"):
        info = hit.match.info
        if info is None or info.strength_mg is None:
            return None
        per_admin = amount * info.strength_mg
    else:
        return None
    return per_admin * dose.per_day


def _doses_in(ctx: EvalContext, names: Sequence[str], w: DateRange, route: str | None) -> list[Hit]:
    out = []
    for h in ctx.index.hits(*names):
        if h.fact.kind is not FactKind.MEDICATION:
            continue
        s = span(h.fact)
        if s is None or not overlaps(s, w.start, w.end):
            continue
        if route is not None and route_of(h) not in (route, None):
            continue
        out.append(h)
    return out


def dose_changed(ctx: EvalContext, names: Sequence[str], w: DateRange) -> Outcome:
    hits = _doses_in(ctx, names, w, None)
    if not hits:
        note = f"no {titles(ctx, names)} taken {w}: no dose to change"
        return Outcome(tri=Tri.FALSE, evidence=(Evidence(note=note),))
    # a dose change is a change of one drug's dose: methotrexate with hydroxychloroquine
    # at another mg/day is combination therapy, not a change
    doses: dict[str, dict[float, Hit]] = {}
    unknown: list[Hit] = []
    for h in hits:
        d = daily_dose_mg(h)
        if d is None:
            unknown.append(h)
        else:
            doses.setdefault(ingredient_of(h), {}).setdefault(round(d, 3), h)
    ev = tuple(
        fact_evidence(h, f"{h.fact.label}: {fmt_number(d)} mg/day")
        for by_dose in doses.values()
        for d, h in by_dose.items()
    )
    if any(len(by_dose) > 1 for by_dose in doses.values()):
        return Outcome(tri=Tri.TRUE, evidence=ev)
    if unknown:
        ev_u = tuple(fact_evidence(h, f"{h.fact.label}: dose not recorded") for h in unknown)
        return Outcome(
            tri=Tri.UNKNOWN,
            evidence=ev + ev_u,
            missing=(f"the dose and frequency of {titles(ctx, names)} {w}",),
        )
    return Outcome(tri=Tri.FALSE, evidence=ev)


def highest_daily_dose(
    ctx: EvalContext, names: Sequence[str], w: DateRange, as_prednisone: bool, route: str | None
) -> Outcome:
    from trialdesk.clinical.steroids import prednisone_equivalent_mg
    from trialdesk.errors import FactError

    hits = _doses_in(ctx, names, w, route)
    if not hits:
        note = f"no {titles(ctx, names)} taken {w}"
        return Outcome(number=(0.0, 0.0), unit="mg/d", evidence=(Evidence(note=note),))
    best = 0.0
    unknown = False
    ev: list[Evidence] = []
    for h in hits:
        d = daily_dose_mg(h)
        if d is not None and as_prednisone:
            ingredient = h.match.info.ingredient if h.match.info else None
            try:
                d = prednisone_equivalent_mg(ingredient or "", d)
            except FactError:
                d = None
        if d is None:
            unknown = True
            ev.append(fact_evidence(h, f"{h.fact.label}: daily dose not recorded"))
            continue
        best = max(best, d)
        kind = "prednisone-equivalent " if as_prednisone else ""
        ev.append(fact_evidence(h, f"{h.fact.label}: {fmt_number(d)} mg/day {kind}".strip()))
    if unknown:
        return Outcome(
            number=(best, float("inf")),
            unit="mg/d",
            evidence=tuple(ev),
            missing=(f"the daily dose of {titles(ctx, names)} {w}",),
        )
    return Outcome(number=(best, best), unit="mg/d", evidence=tuple(ev))


def exposure_days(
    ctx: EvalContext, names: Sequence[str], w: DateRange, route: str | None
) -> Outcome:
    """Days in ``w`` covered by the drugs: (days by ``route``, days that may be by it)."""
    certain: set[date] = set()
    possible: set[date] = set()
    ev = []
    unknown: list[str] = []
    for h in _doses_in(ctx, names, w, route):
        s = span(h.fact)
        assert s is not None
        first, last = max(s[0], w.start), min(s[1], w.end, ctx.dates.horizon)
        days = {first + timedelta(days=i) for i in range((last - first).days + 1)}
        possible |= days
        if route is not None and route_of(h) is None:
            unknown.append(h.fact.resource)
            ev.append(fact_evidence(h, f"{h.fact.label}: route not recorded"))
        else:
            certain |= days
            ev.append(fact_evidence(h))
    lo, hi = float(len(certain)), float(len(possible))
    if unknown and hi > lo:
        missing = tuple(f"the route of administration of {r}" for r in unknown)
        return Outcome(number=(lo, hi), evidence=tuple(ev), missing=missing)
    return Outcome(number=(lo, lo), evidence=tuple(ev) or (Evidence(note=f"none {w}"),))
