"""Qualitative results: is a test positive, negative or unclear (open world)."""

from __future__ import annotations

from collections.abc import Sequence

from trialdesk.criteria.context import (
    DateRange,
    EvalContext,
    Hit,
    fact_evidence,
    titles,
)
from trialdesk.criteria.logic import Tri
from trialdesk.criteria.outcome import Outcome
from trialdesk.criteria.sides import on_side
from trialdesk.facts.record import Fact, FactKind

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


def positive(
    ctx: EvalContext,
    names: Sequence[str],
    w: DateRange,
    side: str | None = None,
    unsided: str = "unknown",
) -> Outcome:
    """Any positive result in the window: TRUE; else any unclear or undated one: UNKNOWN;
    else all negative: FALSE; none at all: UNKNOWN.

    With ``side`` (the target knee's ultrasound), a result of the other side does not
    count, and one that cannot be placed (sides.on_side) is unclear when it reads
    positive or unclear, and no result when it reads negative: it cannot say the side's
    result is negative. sql/functions.positive ranks rows the same way."""
    hits = ctx.index.hits(*names)
    placed: dict[int, tuple[Tri, str, list[str]]] = {}
    elsewhere = []
    if side is not None:
        for h in hits:
            placed[id(h)] = on_side(ctx, h.fact, side, unsided)
        elsewhere = [
            fact_evidence(h, f"{h.fact.label} ({placed[id(h)][1]})")
            for h in hits
            if placed[id(h)][0] is Tri.FALSE
        ]
        hits = [h for h in hits if placed[id(h)][0] is not Tri.FALSE]
    results = [h for h in hits if h.fact.start is not None and w.start <= h.fact.start <= w.end]
    # a result whose date cannot be read may lie in the window: it cannot count as negative
    undated = [h for h in hits if h.fact.start is None]
    unplaced = {id(h) for h in hits if placed.get(id(h), (Tri.TRUE,))[0] is Tri.UNKNOWN}
    signs = [(_sign(h), h) for h in results]
    pos = [h for s, h in signs if s is Tri.TRUE and id(h) not in unplaced]
    if pos:
        ev = tuple(fact_evidence(h, _said(h, "positive", placed)) for h in pos)
        return Outcome(tri=Tri.TRUE, evidence=ev)
    unclear = [h for s, h in signs if s is Tri.UNKNOWN or (s is Tri.TRUE and id(h) in unplaced)]
    negative = [h for s, h in signs if s is Tri.FALSE and id(h) not in unplaced]
    if not negative and not unclear and not undated:
        # nothing on file, or only negative results that cannot be placed on the side
        notes = [fact_evidence(h, _said(h, "negative", placed)) for _, h in signs]
        needs = [m for _, h in signs for m in placed[id(h)][2]] if side is not None else []
        missing = (f"{titles(ctx, names)} {w}", *dict.fromkeys(needs))
        return Outcome(evidence=(*notes, *elsewhere), missing=missing)
    if unclear or undated:
        notes = [
            fact_evidence(h, _said(h, "positive" if s is Tri.TRUE else "result unclear", placed))
            for s, h in signs
            if h in unclear
        ]
        notes += [fact_evidence(h, f"{h.fact.label}: date unknown") for h in undated]
        wanted = [f"the date of {h.fact.resource}" for h in undated]
        wanted += [m for h in unclear if id(h) in unplaced for m in placed[id(h)][2]]
        if any(id(h) not in unplaced for h in unclear) or not negative and not unplaced:
            wanted.insert(0, f"a readable {titles(ctx, names)} result {w}")
        return Outcome(evidence=(*notes, *elsewhere), missing=tuple(dict.fromkeys(wanted)))
    ev = tuple(fact_evidence(h, _said(h, "negative", placed)) for h in negative)
    return Outcome(tri=Tri.FALSE, evidence=(*ev, *elsewhere))


def _said(hit: Hit, what: str, placed: dict[int, tuple[Tri, str, list[str]]]) -> str:
    """The label and what the result says, with the side note when a side was read."""
    side = placed.get(id(hit))
    return f"{hit.fact.label}: {what}" + (f" ({side[1]})" if side else "")
