"""Which side of the body a fact concerns, for a side parameter (the target knee, the
study eye): on it, on the other side, or not known, with a note for the evidence.

One reading for every function that takes ``side=`` (history, latest, positive), so a
fact of the other knee is never counted for the target knee, and a fact that cannot be
placed leaves the answer UNKNOWN, never FALSE. The SQL path reads the same side through
its code tables (sql/codes.py, sql/sides_sql.py).
"""

from __future__ import annotations

from trialdesk.criteria.context import EvalContext
from trialdesk.criteria.logic import Tri
from trialdesk.facts.laterality import body_site, foreign_site, laterality_of
from trialdesk.facts.record import Fact, Laterality

__all__ = ["on_side"]


def on_side(
    ctx: EvalContext, fact: Fact, name: str, unsided: str = "unknown"
) -> tuple[Tri, str, list[str]]:
    """Whether the fact is on the side the side parameter ``name`` gives (the target knee,
    the study eye), a note for the evidence, and what is missing.

    ``unsided="assume"``: a fact of the site whose side is not recorded is taken as the
    parameter's side, and the note says it is a protocol assumption (signatures.py)."""
    parameter = ctx.participant.parameters[name]
    site = body_site(parameter.site)
    label = parameter.words
    other = foreign_site(fact, site.name)
    if other is not None:
        # e.g. a "major joint" injection (CPT 20610) into a right shoulder: the side is
        # known, but not that it was a knee
        shown = other.display or other.code
        need = f"whether the body site of {fact.resource} ({shown}) is {site.article}"
        return Tri.UNKNOWN, f"body site {shown} not recognised as {site.article}", [need]
    side = fact.laterality or laterality_of((*fact.body_site, *fact.codes), site=site.name)
    if side is None and unsided == "assume":
        note = f"side not recorded: taken as the {label} (protocol assumption: to confirm)"
        return Tri.TRUE, note, []
    if side is None:
        need = f"the side (left or right {site.noun}) of {fact.resource}"
        return Tri.UNKNOWN, "side of the body not recorded", [need]
    wanted = ctx.parameters.get(name)
    if wanted is None:
        return Tri.UNKNOWN, f"{side.value} {site.noun}; {label} not given", [f"the {label}"]
    if side is Laterality.BILATERAL or side.value == wanted:
        return Tri.TRUE, f"{side.value} {site.noun}, the {label}", []
    return Tri.FALSE, f"{side.value} {site.noun}, not the {label}", []
