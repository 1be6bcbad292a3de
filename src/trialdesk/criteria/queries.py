"""Record queries: is something on file, is it going on, is a drug being taken.

History is closed-world over the supplied record: nothing on file is FALSE, and the
evidence says what was searched. A fact that cannot be placed (no date, unknown side of
the body, unknown route) makes the answer UNKNOWN rather than silently FALSE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from trialdesk.clinical.laterality import is_knee, laterality_of
from trialdesk.criteria.context import OPEN_END, EvalContext, Hit, describe_window, overlaps, span
from trialdesk.criteria.logic import Tri
from trialdesk.criteria.outcome import Evidence, Outcome, fmt_number
from trialdesk.patients.record import Fact, FactKind, Laterality

# HL7 v3 ActCode encounter classes for a stay in hospital (FHIR R4 Encounter.class).
INPATIENT_CLASSES = frozenset({"IMP", "ACUTE", "NONAC", "inpatient"})

# SNOMED CT route of administration codes (FHIR R4 route-codes value set) and the text
# EHRs use, grouped as the criteria ask: parenteral (IV, IM, SC) or oral.
PARENTERAL_ROUTES = frozenset(
    {
        "47625008",
        "78421000",
        "34206005",
        "intravenous",
        "intramuscular",
        "subcutaneous",
        "injection",
        "injectable",
        "iv",
        "im",
        "sc",
    }
)
ORAL_ROUTES = frozenset({"26643006", "oral", "po", "by mouth"})
# Routes that are neither (intra-articular 12130007, topical 6064005, nasal 46713006,
# ophthalmic 54485002, transdermal 45890007, rectal 37161004): a drug given this way is
# "local" even when its name says "injection" (an intra-articular steroid is not IV/IM).
LOCAL_ROUTES = frozenset(
    {
        "12130007",
        "6064005",
        "46713006",
        "54485002",
        "45890007",
        "37161004",
        "intra-articular",
        "intraarticular",
        "intra-articular route",
        "topical",
        "topical route",
        "nasal",
        "nasal route",
        "ophthalmic",
        "ophthalmic route",
        "transdermal",
        "transdermal route",
        "rectal",
        "rectal route",
        "inhalation",
        "cutaneous",
    }
)

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
    """'parenteral', 'oral', 'local' or None when neither the route nor the product says."""
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
    if words & LOCAL_ROUTES:
        return "local"
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
    ruled_out: list[Evidence] = []  # matching facts the knee, stay or route filters rule out
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
        needs: list[str] = []
        if in_target_knee:
            verdict, note, need = _target_knee(ctx, fact)
            notes.append(note)
            needs.extend(need)
        if verdict is not Tri.FALSE and inpatient:
            enc = ctx.index.encounters.get(fact.encounter or "")
            if fact.kind is FactKind.ENCOUNTER:
                enc = fact
            if enc is None or enc.encounter_class is None:
                verdict = verdict & Tri.UNKNOWN
                notes.append("not known whether in hospital")
                needs.append(f"whether {fact.resource} was treated in hospital (inpatient)")
            elif enc.encounter_class in INPATIENT_CLASSES:
                notes.append(f"inpatient stay {enc.resource}")
            else:
                verdict = Tri.FALSE
                notes.append(f"not in hospital: {enc.resource} is class {enc.encounter_class}")
        if verdict is not Tri.FALSE and route is not None:
            got = route_of(hit)
            if got is None:
                verdict = verdict & Tri.UNKNOWN
                notes.append("route not recorded")
                needs.append(f"the route of administration of {fact.resource}")
            elif got != route:
                verdict = Tri.FALSE
                notes.append(f"{got} route, not {route}")
        label = fact.label + (f" ({'; '.join(notes)})" if notes else "")
        if verdict is Tri.FALSE:
            ruled_out.append(fact_evidence(hit, label))
            continue
        (found if verdict is Tri.TRUE else undecided).append(fact_evidence(hit, label))
        if verdict is Tri.UNKNOWN:
            missing.extend(needs)
    if found:
        return Outcome(tri=Tri.TRUE, evidence=tuple(found))
    what = titles(ctx, names)
    if undecided:
        missing = list(dict.fromkeys(missing))
        return Outcome(tri=Tri.UNKNOWN, evidence=tuple(undecided), missing=tuple(missing))
    what += " in the target knee" if in_target_knee else ""
    what += " during a hospital stay" if inpatient else ""
    what += f" by the {route} route" if route else ""
    searched = f"searched the record for {what} {describe_window(start, end)}: none on file"
    return Outcome(tri=Tri.FALSE, evidence=(Evidence(note=searched), *ruled_out))


# SNOMED CT laterality qualifier values (left, right, right and left): a body site coded
# with one of these says the side, not the structure.
SIDE_QUALIFIERS = frozenset({"7771000", "24028007", "51440002"})


def _target_knee(ctx: EvalContext, fact: Fact) -> tuple[Tri, str, list[str]]:
    """Whether the fact is about the target knee, a note for the evidence, what is missing."""
    sites = [c for c in fact.body_site if c.code not in SIDE_QUALIFIERS]
    if sites and not is_knee((*sites, *fact.codes), fact.text):
        # e.g. a "major joint" injection (CPT 20610) into a right shoulder: the side is
        # known, but not that it was a knee
        site = sites[0].display or sites[0].code
        need = f"whether the body site of {fact.resource} ({site}) is a knee"
        return Tri.UNKNOWN, f"body site {site} not recognised as a knee", [need]
    side = fact.laterality or laterality_of((*fact.body_site, *fact.codes))
    if side is None:
        need = f"the side (left or right knee) of {fact.resource}"
        return Tri.UNKNOWN, "side of the body not recorded", [need]
    if ctx.target_knee is None:
        return Tri.UNKNOWN, f"{side.value} knee; target knee not given", ["the target knee"]
    if side is Laterality.BILATERAL or side is ctx.target_knee:
        return Tri.TRUE, f"{side.value} knee, the target knee", []
    return Tri.FALSE, f"{side.value} knee, not the target knee", []


def active(ctx: EvalContext, names: Sequence[str], on: date) -> Outcome:
    return history(ctx, names, Window(on, on), None, None, False, False, None)


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


# Coded results meaning positive / negative: SNOMED CT qualifier values, HL7 v3
# ObservationInterpretation codes, and the plain words labs print.
POSITIVE = frozenset(
    {
        "10828004",
        "260373001",
        "11214006",
        "52101004",
        "102594003",
        "pos",
        "det",
        "positive",
        "detected",
        "reactive",
        "present",
        "abnormal",
        "a",
    }
)
NEGATIVE = frozenset(
    {
        "260385009",
        "260415000",
        "131194007",
        "2667000",
        "neg",
        "nd",
        "negative",
        "not detected",
        "non-reactive",
        "nonreactive",
        "absent",
        "normal",
        "n",
    }
)


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


def _sign(hit: Hit) -> Tri:
    # A condition coded in a finding's value set (e.g. M65.86- knee synovitis) asserts the
    # finding; refuted or entered-in-error conditions never become facts.
    if hit.fact.kind is FactKind.CONDITION and hit.match.confidence == "code":
        return Tri.TRUE
    return result_sign(hit.fact)


def positive(ctx: EvalContext, names: Sequence[str], w: Window) -> Outcome:
    hits = ctx.index.hits(*names)
    results = [h for h in hits if h.fact.start is not None and w.start <= h.fact.start <= w.end]
    # a result whose date cannot be read may lie in the window: it cannot count as negative
    undated = [h for h in hits if h.fact.start is None]
    signs = [(_sign(h), h) for h in results]
    pos = [h for s, h in signs if s is Tri.TRUE]
    if pos:
        ev = tuple(fact_evidence(h, f"{h.fact.label}: positive") for h in pos)
        return Outcome(tri=Tri.TRUE, evidence=ev)
    if not results and not undated:
        return Outcome(missing=(f"{titles(ctx, names)} {w}",))
    unclear = [h for s, h in signs if s is Tri.UNKNOWN]
    if unclear or undated:
        notes = [fact_evidence(h, f"{h.fact.label}: result unclear") for h in unclear]
        notes += [fact_evidence(h, f"{h.fact.label}: date unknown") for h in undated]
        missing = [f"the date of {h.fact.resource}" for h in undated]
        if unclear or not results:
            missing.insert(0, f"a readable {titles(ctx, names)} result {w}")
        return Outcome(evidence=tuple(notes), missing=tuple(missing))
    ev = tuple(fact_evidence(h, f"{h.fact.label}: negative") for h in results)
    return Outcome(tri=Tri.FALSE, evidence=ev)


RESEARCH_SCOPE = frozenset({"research"})


# FHIR R4 Consent.status: draft and proposed are not a decision yet (open world: unknown);
# rejected and inactive (withdrawn, expired) are. An active consent whose base provision
# is "deny" records a refusal.
UNDECIDED_CONSENT = frozenset({"draft", "proposed"})


def research_consents(ctx: EvalContext, by: date) -> list[Fact]:
    return [
        f
        for f in ctx.index.consents
        if f.start is not None
        and f.start <= by
        and f.status not in UNDECIDED_CONSENT
        and (any(c.code in RESEARCH_SCOPE for c in f.codes) or not f.codes)
    ]


def _permits(f: Fact) -> bool:
    return f.status in (None, "active") and f.value_text != "deny"


def consented(ctx: EvalContext, by: date) -> Outcome:
    facts = research_consents(ctx, by)
    if facts:
        # the latest decision stands (a later refusal or withdrawal ends an earlier consent)
        f = max(facts, key=lambda x: (x.start or date.min, _permits(x)))
        if _permits(f):
            note = f"research consent {f.status or 'on file'}"
            ev = Evidence(note=note, resource=f.resource, date=f.start)
            return Outcome(tri=Tri.TRUE, evidence=(ev,))
        why = "refused (provision: deny)" if f.value_text == "deny" else f"is {f.status}"
        ev = Evidence(note=f"research consent {why}", resource=f.resource, date=f.start)
        return Outcome(tri=Tri.FALSE, evidence=(ev,))
    # a consent whose date cannot be read may be the one that counts: name it
    undated = [f.resource for f in ctx.index.consents if f.start is None]
    notes = tuple(Evidence(note="consent with no readable date", resource=r) for r in undated)
    missing = (f"a signed research consent on or before {by.isoformat()}",)
    return Outcome(evidence=notes, missing=missing + tuple(f"the date of {r}" for r in undated))


def consent_date(ctx_consents: list[Fact], by: date) -> date | None:
    """The date of the latest active research consent on or before ``by``."""
    dates = [
        f.start
        for f in ctx_consents
        if f.start is not None
        and f.start <= by
        and _permits(f)
        and (any(c.code in RESEARCH_SCOPE for c in f.codes) or not f.codes)
    ]
    return max(dates) if dates else None


# ResearchSubject.status (FHIR R4) that mean the person never took part, or still does.
NOT_ENROLLED = frozenset(
    {
        "candidate",
        "not-registered",
        "ineligible",
        "pending-on-study",
        "potential-candidate",
        "screening",
        "eligible",
    }
)
ONGOING_STUDY = frozenset({"on-study", "on-study-intervention", "active"})


def in_other_study(ctx: EvalContext, w: Window) -> Outcome:
    found = []
    undated: list[Fact] = []
    for f in ctx.index.studies:
        # this study itself, named in the ResearchStudy's title or identifier
        if ctx.study_id and (
            ctx.study_id in (f.text or "") or any(c.code == ctx.study_id for c in f.codes)
        ):
            continue
        if f.status in NOT_ENROLLED:
            continue
        s = span(f)
        if s is None:
            undated.append(f)
            continue
        end = s[1] if f.end is not None else OPEN_END if f.status in ONGOING_STUDY else s[1]
        if overlaps((s[0], end), w.start, w.end):
            note = f"research study: {f.text or f.resource} ({f.status})"
            found.append(Evidence(note=note, resource=f.resource, date=f.start))
    if found:
        return Outcome(tri=Tri.TRUE, evidence=tuple(found))
    if undated:
        return Outcome(
            evidence=tuple(
                Evidence(note="study participation with no dates", resource=f.resource)
                for f in undated
            ),
            missing=tuple(f"the dates of {f.resource}" for f in undated),
        )
    return Outcome(tri=Tri.FALSE, evidence=(Evidence(note=f"no other research study on file {w}"),))
