"""Record queries: is something on file, is it going on, is a drug being taken.

History is closed-world over the supplied record: nothing on file is FALSE, and the
evidence says what was searched. A fact that cannot be placed (no date, unknown side of
the body, unknown route) makes the answer UNKNOWN rather than silently FALSE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from trialdesk.clinical.laterality import laterality_of
from trialdesk.criteria.context import OPEN_END, EvalContext, Hit, describe_window, overlaps, span
from trialdesk.criteria.logic import Tri
from trialdesk.criteria.outcome import Evidence, Outcome, fmt_number
from trialdesk.patients.record import Fact, FactKind, Laterality

# HL7 v3 ActCode encounter classes for a stay in hospital (FHIR R4 Encounter.class).
INPATIENT_CLASSES = frozenset({"IMP", "ACUTE", "NONAC", "inpatient"})

# SNOMED CT route of administration codes (FHIR R4 route-codes value set) and the text
# EHRs use, grouped as the criteria ask: parenteral (IV, IM, SC) or oral.
PARENTERAL_ROUTES = frozenset(
    {"47625008", "78421000", "34206005", "intravenous", "intramuscular", "subcutaneous",
     "injection", "injectable", "iv", "im", "sc"}
)
ORAL_ROUTES = frozenset({"26643006", "oral", "po", "by mouth"})

# A gap of up to 30 days between two orders still counts as one continuous course, the
# usual permissible gap in pharmacoepidemiology (e.g. Andrade SE et al.,
# Pharmacoepidemiol Drug Saf 2006;15:565-74).
COURSE_GAP = timedelta(days=30)


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    def __str__(self) -> str:
        return describe_window(self.start, self.end)


def fact_evidence(hit: Hit, note: str | None = None) -> Evidence:
    fact = hit.fact
    coding = hit.match.coding
    value: float | str | None = None
    unit = None
    if fact.value is not None:
        value, unit = fact.value.value, fact.value.unit
    elif fact.value_codes:
        value = fact.value_codes[0].display or fact.value_codes[0].code
    elif fact.value_text is not None:
        value = fact.value_text
    text = note or fact.label
    if hit.match.confidence == "text":
        text += " (matched on display text only: lower confidence)"
    return Evidence(
        note=text,
        resource=fact.resource,
        code=f"{coding.system}|{coding.code}" if coding.code else None,
        display=coding.display or fact.label,
        value=value,
        unit=unit,
        date=fact.start,
    )


def titles(ctx: EvalContext, names: Sequence[str]) -> str:
    return " or ".join(ctx.valuesets[n].title for n in names)


def route_of(hit: Hit) -> str | None:
    """'parenteral', 'oral' or None when neither the route nor the product says."""
    words = {c.code.lower() for c in hit.fact.route} | {
        (c.display or "").lower() for c in hit.fact.route
    }
    info = hit.match.info
    if info is not None and info.route:
        words.add(info.route.lower())
    if words & PARENTERAL_ROUTES:
        return "parenteral"
    if words & ORAL_ROUTES:
        return "oral"
    label = hit.fact.label.lower()
    if "inject" in label or "intravenous" in label:
        return "parenteral"
    if "oral" in label:
        return "oral"
    return None


def history(
    ctx: EvalContext,
    names: Sequence[str],
    window: Window | None,
    until: date | None,
    excluding: str | None,
    in_target_knee: bool,
    inpatient: bool,
    route: str | None,
) -> Outcome:
    horizon = until if until is not None else ctx.dates.horizon
    start = window.start if window else date.min
    end = min(window.end, horizon) if window else horizon
    found: list[Evidence] = []
    undecided: list[Evidence] = []
    missing: list[str] = []
    for hit in ctx.index.hits(*names):
        fact = hit.fact
        if excluding is not None and ctx.valuesets[excluding].match(fact.codes, fact.text):
            continue
        s = span(fact)
        if s is None:
            undecided.append(fact_evidence(hit, f"{fact.label}: date unknown"))
            missing.append(f"the date of {fact.resource}")
            continue
        if not overlaps(s, start, end):
            continue
        verdict = Tri.TRUE
        notes: list[str] = []
        if in_target_knee:
            verdict, note = _target_knee(ctx, fact)
            notes.append(note)
        if verdict is not Tri.FALSE and inpatient:
            enc = ctx.index.encounters.get(fact.encounter or "")
            if fact.kind is FactKind.ENCOUNTER:
                enc = fact
            if enc is None or enc.encounter_class is None:
                verdict = verdict & Tri.UNKNOWN
                notes.append("not known whether in hospital")
            elif enc.encounter_class in INPATIENT_CLASSES:
                notes.append(f"inpatient stay {enc.resource}")
            else:
                verdict = Tri.FALSE
        if verdict is not Tri.FALSE and route is not None:
            got = route_of(hit)
            if got is None:
                verdict = verdict & Tri.UNKNOWN
                notes.append("route not recorded")
            elif got != route:
                verdict = Tri.FALSE
        if verdict is Tri.FALSE:
            continue
        label = fact.label + (f" ({'; '.join(notes)})" if notes else "")
        (found if verdict is Tri.TRUE else undecided).append(fact_evidence(hit, label))
        if verdict is Tri.UNKNOWN:
            missing.extend(n for n in notes if n)
    if found:
        return Outcome(tri=Tri.TRUE, evidence=tuple(found))
    what = titles(ctx, names)
    if undecided:
        return Outcome(tri=Tri.UNKNOWN, evidence=tuple(undecided), missing=tuple(dict.fromkeys(missing)))
    searched = f"searched the record for {what} {describe_window(start, end)}: none on file"
    return Outcome(tri=Tri.FALSE, evidence=(Evidence(note=searched),))


def _target_knee(ctx: EvalContext, fact: Fact) -> tuple[Tri, str]:
    side = fact.laterality or laterality_of((*fact.body_site, *fact.codes))
    if side is None:
        return Tri.UNKNOWN, "side of the body not recorded"
    if ctx.target_knee is None:
        return Tri.UNKNOWN, f"{side.value} knee; target knee not given"
    if side is Laterality.BILATERAL or side is ctx.target_knee:
        return Tri.TRUE, f"{side.value} knee, the target knee"
    return Tri.FALSE, f"{side.value} knee, not the target knee"


def active(ctx: EvalContext, names: Sequence[str], on: date) -> Outcome:
    return history(ctx, names, Window(on, on), None, None, False, False, None)


def taking(ctx: EvalContext, names: Sequence[str], on: date) -> Outcome:
    hits = [h for h in ctx.index.hits(*names) if h.fact.kind is FactKind.MEDICATION]
    covering = [h for h in hits if (s := span(h.fact)) is not None and s[0] <= on <= s[1]]
    if covering:
        return Outcome(tri=Tri.TRUE, evidence=tuple(fact_evidence(h) for h in covering))
    note = f"searched medications for {titles(ctx, names)} active on {on.isoformat()}: none"
    return Outcome(tri=Tri.FALSE, evidence=(Evidence(note=note),))


def taking_since(ctx: EvalContext, names: Sequence[str], on: date) -> Outcome:
    """The first day of the continuous course that covers ``on`` (orders ≤30 days apart)."""
    spans = sorted(
        (s, h)
        for h in ctx.index.hits(*names)
        if h.fact.kind is FactKind.MEDICATION and (s := span(h.fact)) is not None and s[0] <= on
    )
    course = [(s, h) for s, h in spans if s[1] >= on]
    if not course:
        return Outcome(missing=(f"no current {titles(ctx, names)} on {on.isoformat()}",))
    first = min(s[0] for s, _ in course)
    used = list(course)
    for s, h in reversed(spans):
        # walk back through earlier orders that join the course without a long gap
        end = s[1] if s[1] != s[0] else s[0] + COURSE_GAP
        if s[0] < first and end + COURSE_GAP >= first:
            first = s[0]
            used.append((s, h))
    ev = tuple(fact_evidence(h) for _, h in sorted(used, key=lambda x: x[0]))
    note = Evidence(note=f"continuous course since {first.isoformat()}")
    return Outcome(day=first, evidence=(*ev, note))


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


def _doses_in(ctx: EvalContext, names: Sequence[str], w: Window, route: str | None) -> list[Hit]:
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


def dose_changed(ctx: EvalContext, names: Sequence[str], w: Window) -> Outcome:
    hits = _doses_in(ctx, names, w, None)
    if not hits:
        note = f"no {titles(ctx, names)} taken {w}: no dose to change"
        return Outcome(tri=Tri.FALSE, evidence=(Evidence(note=note),))
    doses: dict[float, Hit] = {}
    unknown: list[Hit] = []
    for h in hits:
        d = daily_dose_mg(h)
        if d is None:
            unknown.append(h)
        else:
            doses.setdefault(round(d, 3), h)
    ev = tuple(fact_evidence(h, f"{h.fact.label}: {fmt_number(d)} mg/day") for d, h in doses.items())
    if len(doses) > 1:
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
    ctx: EvalContext, names: Sequence[str], w: Window, as_prednisone: bool, route: str | None
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


def exposure_days(ctx: EvalContext, names: Sequence[str], w: Window, route: str | None) -> Outcome:
    days: set[date] = set()
    ev = []
    unknown = False
    for h in _doses_in(ctx, names, w, route):
        if route is not None and route_of(h) is None:
            unknown = True
        s = span(h.fact)
        assert s is not None
        first, last = max(s[0], w.start), min(s[1], w.end, ctx.dates.horizon)
        n = (last - first).days + 1
        days.update(first + timedelta(days=i) for i in range(max(n, 0)))
        ev.append(fact_evidence(h))
    count = float(len(days))
    if unknown:
        return Outcome(number=(count, float((w.end - w.start).days + 1)), evidence=tuple(ev),
                       missing=("the route of administration",))
    return Outcome(number=(count, count), evidence=tuple(ev) or (Evidence(note=f"none {w}"),))


# Coded results meaning positive / negative: SNOMED CT qualifier values, HL7 v3
# ObservationInterpretation codes, and the plain words labs print.
POSITIVE = frozenset({"10828004", "260373001", "11214006", "52101004", "102594003", "pos", "det",
                      "positive", "detected", "reactive", "present", "abnormal", "a"})
NEGATIVE = frozenset({"260385009", "260415000", "131194007", "2667000", "neg", "nd", "negative",
                      "not detected", "non-reactive", "nonreactive", "absent", "normal", "n"})


def result_sign(fact: Fact) -> Tri:
    """TRUE positive, FALSE negative, UNKNOWN indeterminate or unreadable."""
    words = {c.code.lower() for c in fact.value_codes} | {
        (c.display or "").lower() for c in fact.value_codes
    }
    words |= {i.lower() for i in fact.interpretation}
    if fact.value_text:
        words.add(fact.value_text.strip().lower())
    if words & POSITIVE:
        return Tri.TRUE
    if words & NEGATIVE:
        return Tri.FALSE
    if fact.value is not None and fact.reference_high is not None:
        return Tri.of(fact.value.value > fact.reference_high.value)
    return Tri.UNKNOWN


def positive(ctx: EvalContext, names: Sequence[str], w: Window) -> Outcome:
    results = [
        h for h in ctx.index.hits(*names)
        if h.fact.start is not None and w.start <= h.fact.start <= w.end
    ]
    if not results:
        return Outcome(missing=(f"{titles(ctx, names)} {w}",))
    signs = [(result_sign(h.fact), h) for h in results]
    pos = [h for s, h in signs if s is Tri.TRUE]
    if pos:
        return Outcome(tri=Tri.TRUE, evidence=tuple(fact_evidence(h, f"{h.fact.label}: positive") for h in pos))
    unclear = [h for s, h in signs if s is Tri.UNKNOWN]
    if unclear:
        return Outcome(
            evidence=tuple(fact_evidence(h, f"{h.fact.label}: result unclear") for h in unclear),
            missing=(f"a readable {titles(ctx, names)} result {w}",),
        )
    return Outcome(tri=Tri.FALSE, evidence=tuple(fact_evidence(h, f"{h.fact.label}: negative") for h in results))


RESEARCH_SCOPE = frozenset({"research"})


def research_consents(ctx: EvalContext, by: date) -> list[Fact]:
    return [
        f for f in ctx.index.consents
        if f.start is not None and f.start <= by and (
            any(c.code in RESEARCH_SCOPE for c in f.codes) or not f.codes
        )
    ]


def consented(ctx: EvalContext, by: date) -> Outcome:
    facts = research_consents(ctx, by)
    active_ = [f for f in facts if f.status in (None, "active")]
    if active_:
        f = max(active_, key=lambda x: x.start or date.min)
        ev = Evidence(note=f"research consent {f.status or 'on file'}", resource=f.resource, date=f.start)
        return Outcome(tri=Tri.TRUE, evidence=(ev,))
    if facts:
        f = facts[-1]
        ev = Evidence(note=f"research consent is {f.status}", resource=f.resource, date=f.start)
        return Outcome(tri=Tri.FALSE, evidence=(ev,))
    return Outcome(missing=(f"a signed research consent on or before {by.isoformat()}",))


def consent_date(ctx_consents: list[Fact], by: date) -> date | None:
    """The date of the latest active research consent on or before ``by``."""
    dates = [
        f.start for f in ctx_consents
        if f.start is not None and f.start <= by and f.status in (None, "active")
        and (any(c.code in RESEARCH_SCOPE for c in f.codes) or not f.codes)
    ]
    return max(dates) if dates else None


def in_other_study(ctx: EvalContext, w: Window) -> Outcome:
    found = []
    for f in ctx.index.studies:
        if ctx.study_id and ctx.study_id in (f.text or ""):
            continue
        s = span(f) or None
        if s is None:
            return Outcome(evidence=(Evidence(note="study participation with no dates", resource=f.resource),),
                           missing=(f"the dates of {f.resource}",))
        if f.status in ("candidate", "not-registered", "ineligible", "pending-on-study"):
            continue
        end = s[1] if f.end is not None else OPEN_END if f.status in ("on-study", "on-study-intervention", "active") else s[1]
        if overlaps((s[0], end), w.start, w.end):
            found.append(Evidence(note=f"research study: {f.text or f.resource}", resource=f.resource, date=f.start))
    if found:
        return Outcome(tri=Tri.TRUE, evidence=tuple(found))
    return Outcome(tri=Tri.FALSE, evidence=(Evidence(note=f"no other research study on file {w}"),))
