"""History queries: is something on file, is it going on, in which knee.

History is closed-world over the supplied record: nothing on file is FALSE, and the
evidence says what was searched. A fact that cannot be placed (no date, unknown side of
the body, unknown route) makes the answer UNKNOWN rather than silently FALSE.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from trialdesk.clinical.laterality import is_knee, laterality_of
from trialdesk.criteria.context import (
    DateRange,
    EvalContext,
    describe_window,
    fact_evidence,
    overlaps,
    span,
    titles,
)
from trialdesk.criteria.logic import Tri
from trialdesk.criteria.medications import route_of
from trialdesk.criteria.outcome import Evidence, Outcome
from trialdesk.patients.record import Fact, FactKind, Laterality

# HL7 v3 ActCode encounter classes for a stay in hospital (FHIR R4 Encounter.class).
INPATIENT_CLASSES = frozenset({"IMP", "ACUTE", "NONAC", "inpatient"})


def history(
    ctx: EvalContext,
    names: Sequence[str],
    window: DateRange | None,
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
    return history(ctx, names, DateRange(on, on), None, None, False, False, None)
