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


def positive(ctx: EvalContext, names: Sequence[str], w: DateRange) -> Outcome:
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
