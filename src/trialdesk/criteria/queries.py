"""History queries: is something on file, is it going on, on which side of the body.

History is closed-world over the supplied record: nothing on file is FALSE, and the
evidence says what was searched. A fact that cannot be placed (no date, unknown side of
the body, unknown route) makes the answer UNKNOWN rather than silently FALSE.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from trialdesk.criteria.context import (
    OPEN_END,
    DateRange,
    EvalContext,
    Hit,
    describe_window,
    fact_evidence,
    overlaps,
    present_undated,
    span,
    titles,
)
from trialdesk.criteria.logic import Tri
from trialdesk.criteria.medications import route_of
from trialdesk.criteria.outcome import Evidence, Outcome
from trialdesk.criteria.results import result_sign
from trialdesk.facts.laterality import body_site, foreign_site, laterality_of
from trialdesk.facts.record import Fact, FactKind, Laterality

# HL7 v3 ActCode encounter classes for a stay in hospital (FHIR R4 Encounter.class).
INPATIENT_CLASSES = frozenset({"IMP", "ACUTE", "NONAC", "inpatient"})


def history(
    ctx: EvalContext,
    names: Sequence[str],
    window: DateRange | None,
    until: date | None,
    excluding: str | None,
    side: str | None,
    inpatient: bool,
    route: str | None,
) -> Outcome:
    horizon = until if until is not None else ctx.dates.horizon
    start = window.start if window else date.min
    end = min(window.end, horizon) if window else horizon
    found: list[Evidence] = []
    undecided: list[Evidence] = []
    ruled_out: list[Evidence] = []  # matching facts the side, stay or route filters rule out
    missing: list[str] = []
    for hit in ctx.index.hits(*names):
        fact = hit.fact
        if excluding is not None and ctx.valuesets[excluding].match(fact.codes, fact.text):
            continue
        if device_absent(ctx, hit, names):
            ruled_out.append(fact_evidence(hit, f"{fact.label}: recorded as absent"))
            continue
        s = span(fact)
        present_from = ctx.dates.first_staff
        if s is None and present_undated(fact) and present_from is not None:
            # Reading assumption (docs/criteria.md, the fact-shape matrix): the record
            # describes the person at screening, so an active device with no date is
            # present from the screening date on; before it, when it came is unknown.
            s = (present_from, OPEN_END) if end >= present_from else None
            present = s is not None
        else:
            present = False
        if s is None:
            undecided.append(fact_evidence(hit, f"{fact.label}: date unknown"))
            missing.append(f"the date of {fact.resource}")
            continue
        if not overlaps(s, start, end):
            continue
        verdict = Tri.TRUE
        notes: list[str] = ["active, no date on file: present now"] if present else []
        needs: list[str] = []
        if side is not None:
            verdict, note, need = on_side(ctx, fact, side)
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
        if verdict is not Tri.FALSE and hit.match.route_unread:
            # a set with routes: (E8) and a route written in words the table does not know
            shown = hit.match.coding.display or hit.match.coding.code
            verdict = verdict & Tri.UNKNOWN
            notes.append(f"route {shown!r} not recognised")
            needs.append(f"the route of administration of {fact.resource} ({shown!r} not known)")
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
    what += f" in the {ctx.participant.parameters[side].words}" if side is not None else ""
    what += " during a hospital stay" if inpatient else ""
    what += f" by the {route} route" if route else ""
    searched = f"searched the record for {what} {describe_window(start, end)}: none on file"
    return Outcome(tri=Tri.FALSE, evidence=(Evidence(note=searched), *ruled_out))


def device_absent(ctx: EvalContext, hit: Hit, names: Sequence[str]) -> bool:
    """A device's "presence of" finding sent as an Observation whose value says absent
    (SNOMED CT 2667000 Absent, valueBoolean false, interpretation NEG): the device is not
    there. With no value, or any other, the finding itself says present (issue 19)."""
    if hit.fact.kind is not FactKind.OBSERVATION:
        return False
    if not any(ctx.valuesets[n].kind == "device" for n in names):
        return False
    said_false = hit.fact.value_text == "false"  # valueBoolean, as the FHIR reader keeps it
    return said_false or result_sign(hit.fact) is Tri.FALSE


def on_side(ctx: EvalContext, fact: Fact, name: str) -> tuple[Tri, str, list[str]]:
    """Whether the fact is on the side the side parameter ``name`` gives (the target knee,
    the study eye), a note for the evidence, and what is missing."""
    parameter = ctx.participant.parameters[name]
    site = body_site(parameter.site)
    other = foreign_site(fact, site.name)
    if other is not None:
        # e.g. a "major joint" injection (CPT 20610) into a right shoulder: the side is
        # known, but not that it was a knee
        shown = other.display or other.code
        need = f"whether the body site of {fact.resource} ({shown}) is {site.article}"
        return Tri.UNKNOWN, f"body site {shown} not recognised as {site.article}", [need]
    side = fact.laterality or laterality_of((*fact.body_site, *fact.codes), site=site.name)
    if side is None:
        need = f"the side (left or right {site.noun}) of {fact.resource}"
        return Tri.UNKNOWN, "side of the body not recorded", [need]
    wanted = ctx.parameters.get(name)
    label = parameter.words
    if wanted is None:
        return Tri.UNKNOWN, f"{side.value} {site.noun}; {label} not given", [f"the {label}"]
    if side is Laterality.BILATERAL or side.value == wanted:
        return Tri.TRUE, f"{side.value} {site.noun}, the {label}", []
    return Tri.FALSE, f"{side.value} {site.noun}, not the {label}", []


def active(ctx: EvalContext, names: Sequence[str], on: date) -> Outcome:
    return history(ctx, names, DateRange(on, on), None, None, None, False, None)
