"""Evaluate a rule tree against one patient: Kleene logic over the record's facts."""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

from dateutil.relativedelta import relativedelta

from trialdesk.clinical.unit_display import quantity_shown
from trialdesk.criteria import measures, medications, participation, queries, results
from trialdesk.criteria.context import DateRange, EvalContext
from trialdesk.criteria.logic import Tri
from trialdesk.criteria.nodes import (
    Anchor,
    And,
    Arith,
    Call,
    Coalesce,
    Compare,
    Duration,
    Node,
    Not,
    Number,
    Or,
    Parameter,
    SexOf,
    String,
    Surely,
    Window,
)
from trialdesk.criteria.outcome import Evidence, Outcome, fmt_number, merge

_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def evaluate(node: Node, ctx: EvalContext) -> Outcome:
    """The outcome of one node for the patient in ``ctx`` (memoised per node)."""
    cached = ctx.memo.get(id(node))
    if cached is not None:
        assert isinstance(cached, Outcome)
        return cached
    out = _evaluate(node, ctx)
    ctx.memo[id(node)] = out
    return out


def _evaluate(node: Node, ctx: EvalContext) -> Outcome:
    if isinstance(node, And):
        return _connective(node.items, Tri.FALSE, ctx)
    if isinstance(node, Or):
        return _connective(node.items, Tri.TRUE, ctx)
    if isinstance(node, Not):
        inner = evaluate(node.item, ctx)
        return Outcome(tri=~inner.tri, evidence=inner.evidence, missing=inner.missing)
    if isinstance(node, Surely):
        inner = evaluate(node.item, ctx)
        tri = Tri.TRUE if inner.tri is Tri.TRUE else Tri.FALSE
        return Outcome(tri=tri, evidence=inner.evidence)
    if isinstance(node, Compare):
        return _compare(node, ctx)
    if isinstance(node, Number):
        return Outcome(number=(node.value, node.value))
    if isinstance(node, Parameter):
        tag = " (protocol assumption: to confirm)" if node.assumption else ""
        note = f"{node.name} = {quantity_shown(fmt_number(node.value), node.unit)}"
        note += f"; source: {node.source}{tag}"
        return Outcome(number=(node.value, node.value), evidence=(Evidence(note=note),))
    if isinstance(node, String):
        return Outcome(text=node.value)
    if isinstance(node, SexOf):
        sex = ctx.record.sex
        if sex in (None, "unknown"):
            return Outcome(missing=("the person's sex",))
        return Outcome(text=sex)
    if isinstance(node, Anchor):
        day = ctx.dates.get(node.name)
        if day is None:
            return Outcome(missing=(f"the {node.name} date",))
        return Outcome(day=day)
    if isinstance(node, Coalesce):
        for item in node.items:
            out = evaluate(item, ctx)
            if out.day is not None:
                return out
        return Outcome(missing=tuple(m for i in node.items for m in evaluate(i, ctx).missing))
    if isinstance(node, Arith):
        return _arith(node, ctx)
    if isinstance(node, Call):
        return _call(node, ctx)
    raise TypeError(f"cannot evaluate {type(node).__name__} on its own")


def _connective(items: tuple[Node, ...], decider: Tri, ctx: EvalContext) -> Outcome:
    """Kleene AND (decider FALSE) or OR (decider TRUE): the items that decide it are its
    evidence; an undecided result keeps every item's evidence and what is missing."""
    outs = [evaluate(i, ctx) for i in items]
    deciding = [o for o in outs if o.tri is decider]
    if deciding:
        ev, _ = merge(*deciding)
        return Outcome(tri=decider, evidence=ev)
    ev, missing = merge(*outs)
    if any(o.tri is Tri.UNKNOWN for o in outs):
        return Outcome(tri=Tri.UNKNOWN, evidence=ev, missing=missing)
    return Outcome(tri=~decider, evidence=ev)


def _compare(node: Compare, ctx: EvalContext) -> Outcome:
    left, right = evaluate(node.left, ctx), evaluate(node.right, ctx)
    ev, missing = merge(left, right)
    tri = Tri.UNKNOWN
    if left.number is not None and right.number is not None:
        tri = _interval_compare(node.op, left.number, right.number)
    elif left.day is not None and right.day is not None:
        tri = Tri.of(_CMP[node.op](left.day, right.day))
    elif left.text is not None and right.text is not None:
        tri = Tri.of(_CMP[node.op](left.text, right.text))
    if tri is Tri.UNKNOWN:
        # say what is missing; the threshold it would be compared with adds nothing yet
        unknown = [
            o for o in (left, right) if o.number is None and o.day is None and o.text is None
        ]
        ev, missing = merge(*(unknown or [left, right]))
    return Outcome(tri=tri, evidence=ev, missing=missing if tri is Tri.UNKNOWN else ())


def _interval_compare(op: str, a: tuple[float, float], b: tuple[float, float]) -> Tri:
    """Decide ``a op b`` for intervals: TRUE/FALSE only if every value in them agrees."""
    (alo, ahi), (blo, bhi) = a, b
    if op in ("==", "!="):
        if alo == ahi == blo == bhi:
            same = Tri.TRUE
        elif ahi < blo or bhi < alo:
            same = Tri.FALSE
        else:
            same = Tri.UNKNOWN
        return same if op == "==" else ~same
    if op in (">", ">="):
        (alo, ahi), (blo, bhi) = (blo, bhi), (alo, ahi)
        op = "<" if op == ">" else "<="
    if op == "<":
        return Tri.TRUE if ahi < blo else Tri.FALSE if alo >= bhi else Tri.UNKNOWN
    return Tri.TRUE if ahi <= blo else Tri.FALSE if alo > bhi else Tri.UNKNOWN


def _arith(node: Arith, ctx: EvalContext) -> Outcome:
    left = evaluate(node.left, ctx)
    if node.type.value == "date":
        assert isinstance(node.right, Duration)
        if left.day is None:
            return left
        return Outcome(day=shift(left.day, node.op, node.right), evidence=left.evidence)
    right = evaluate(node.right, ctx)
    ev, missing = merge(left, right)
    if left.number is None or right.number is None:
        return Outcome(evidence=ev, missing=missing)
    (alo, ahi), (blo, bhi) = left.number, right.number
    if node.op == "+":
        return Outcome(number=(alo + blo, ahi + bhi), evidence=ev)
    if node.op == "-":
        return Outcome(number=(alo - bhi, ahi - blo), evidence=ev)
    if node.op == "/":
        if blo <= 0 <= bhi:
            return Outcome(evidence=ev, missing=(*missing, "a non-zero divisor"))
        blo, bhi = 1 / bhi, 1 / blo
    products = [alo * blo, alo * bhi, ahi * blo, ahi * bhi]
    return Outcome(number=(min(products), max(products)), evidence=ev)


@lru_cache(maxsize=4096)
def shift(day: date, op: str, d: Duration) -> date:
    """A date moved by a duration; months and years clamp to the month's last day.

    Pure, and the same few windows are shifted from the same dates on every screening of
    a day, so results are remembered."""
    delta = relativedelta(
        days=d.amount if d.unit == "days" else 0,
        weeks=d.amount if d.unit == "weeks" else 0,
        months=d.amount if d.unit == "months" else 0,
        years=d.amount if d.unit == "years" else 0,
    )
    result: date = day + delta if op == "+" else day - delta
    return result


def window_of(node: Node, ctx: EvalContext) -> tuple[DateRange | None, Outcome | None]:
    assert isinstance(node, Window)
    start, end = evaluate(node.start, ctx), evaluate(node.end, ctx)
    if start.day is None or end.day is None:
        return None, Outcome(missing=start.missing + end.missing)
    return DateRange(start.day, end.day), None


def _call(node: Call, ctx: EvalContext) -> Outcome:
    names = node.valuesets
    args: dict[str, object] = {}
    for key, value in node.options:
        if isinstance(value, Window):
            w, problem = window_of(value, ctx)
            if problem is not None:
                return problem
            args[key] = w
        elif isinstance(value, Node):
            out = evaluate(value, ctx)
            if out.day is None:
                return Outcome(missing=out.missing)
            args[key] = out.day
        else:
            args[key] = value
    return _dispatch(node.name, names, args, ctx)


# Functions that read absence as "none" (closed world) or add up what is on file: over a
# record that holds no clinical data at all, they cannot say "none" (DESIGN.md).
CLOSED_WORLD = frozenset(
    {
        "history",
        "active",
        "taking",
        "taking_since",
        "dose_changed",
        "highest_daily_dose",
        "exposure_days",
        "in_other_study",
    }
)
# On a screening page the record is supplied by an upload, or by the coordinator's
# attestation that the full record was reviewed (trial/screening/checklist.py record_of).
NO_RECORD = (
    "the person's clinical record (none supplied: history cannot be searched until the "
    "record is uploaded or its full review is attested)"
)


def _dispatch(name: str, vs: tuple[str, ...], a: dict[str, object], ctx: EvalContext) -> Outcome:
    out = _dispatch_call(name, vs, a, ctx)
    if name not in CLOSED_WORLD or out.tri is Tri.TRUE or _supplied(name, ctx):
        return out
    note = (
        "no clinical record supplied (uploaded, or its full review attested): nothing on "
        "file is not the same as none"
    )
    return Outcome(evidence=(Evidence(note=note),), missing=(NO_RECORD,))


def _supplied(name: str, ctx: EvalContext) -> bool:
    """Whether the record was supplied for this function: a clinical record, or for other
    studies a ResearchSubject list (FHIR) on its own."""
    record = ctx.record
    if name == "in_other_study" and ctx.index.studies:
        return True
    return record.history_supplied


def _dispatch_call(
    name: str, vs: tuple[str, ...], a: dict[str, object], ctx: EvalContext
) -> Outcome:
    w = a.get("within")
    assert w is None or isinstance(w, DateRange)
    route = a.get("route")
    assert route is None or isinstance(route, str)
    if name == "history":
        until = a.get("until")
        excluding = a.get("excluding")
        side = a.get("side")
        return queries.history(
            ctx,
            vs,
            w,
            until if isinstance(until, date) else None,
            excluding if isinstance(excluding, str) else None,
            side if isinstance(side, str) else None,
            bool(a.get("inpatient", False)),
            route,
        )
    on = a.get("on")
    if name in ("active", "taking", "taking_since", "acr_eular_2010"):
        assert isinstance(on, date)
        if name == "active":
            return queries.active(ctx, vs, on)
        if name == "taking":
            return medications.taking(ctx, vs, on)
        if name == "taking_since":
            return medications.taking_since(ctx, vs, on)
        from trialdesk.criteria.ra_classification import acr_eular_2010

        return acr_eular_2010(ctx, on)
    if name == "age":
        at = a["at"]
        assert isinstance(at, date)
        return measures.age(ctx, at)
    if name == "consented":
        by = a["by"]
        assert isinstance(by, date)
        return participation.consented(ctx, by)
    assert w is not None, f"{name} needs a window"
    if name == "dose_changed":
        return medications.dose_changed(ctx, vs, w)
    if name == "highest_daily_dose":
        return medications.highest_daily_dose(ctx, vs, w, bool(a.get("as_prednisone")), route)
    if name == "exposure_days":
        return medications.exposure_days(ctx, vs, w, route)
    side = a.get("side")
    unsided = str(a.get("unsided") or "unknown")
    if name == "positive":
        return results.positive(ctx, vs, w, side if isinstance(side, str) else None, unsided)
    if name == "latest" and isinstance(side, str):
        return measures.latest_on_side(ctx, vs[0], w, side, unsided)
    if name in ("latest", "highest", "lowest"):
        return measures.pick(ctx, vs[0], w, name)
    if name == "highest_x_uln":
        return measures.highest_x_uln(ctx, vs[0], w)
    if name == "crcl_cockcroft_gault":
        return measures.crcl_cockcroft_gault(ctx, w)
    if name == "bmi":
        return measures.bmi(ctx, w)
    if name == "in_other_study":
        return participation.in_other_study(ctx, w)
    raise NotImplementedError(f"function {name} has a signature but no implementation")
