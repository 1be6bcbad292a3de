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
from trialdesk.criteria.sides import on_side
from trialdesk.facts.record import FactKind

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


def active(ctx: EvalContext, names: Sequence[str], on: date) -> Outcome:
    return history(ctx, names, DateRange(on, on), None, None, None, False, None)
