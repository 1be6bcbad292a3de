"""Entered events: a condition, medication, procedure, vaccine or device as the Fact the
FHIR adapter would build from the equivalent resource (a medication with its ``Dose`` and
SNOMED CT route, as a MedicationRequest's dosageInstruction carries them)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from trialdesk.clinical.routes import ROUTES, group_of
from trialdesk.clinical.valuesets import CodeEntry, ValueSet
from trialdesk.errors import InputError
from trialdesk.facts.codesystems import SYSTEMS
from trialdesk.facts.laterality import laterality_of
from trialdesk.facts.record import Coding, Fact, FactKind, Laterality
from trialdesk.trial.screening.entry_concepts import EVENT_KINDS, default_entry
from trialdesk.trial.screening.entry_values import TEXT_MAX, typed_dose, typed_text

if TYPE_CHECKING:
    from trialdesk.trial.screening.fact_entry import FactEntry

__all__ = ["coding_of", "event_fact"]

CODE_MAX = 100
_SNOMED = SYSTEMS["snomed"]


def event_fact(
    vs: ValueSet,
    entry: FactEntry,
    resource: str,
    start: date,
    end: date | None,
    side: Laterality | None,
) -> Fact:
    product = _chosen(vs, entry)
    codes = (coding_of(product, vs),)
    implied = laterality_of(codes, None)
    if side is not None and implied is not None and side is not implied:
        # the engine reads the entered side first; a code naming the other knee would be
        # contradicted silently
        raise InputError(
            f"The side, {side.value}, contradicts {codes[0].display} ({implied.value})",
            field="laterality",
        )
    kind = EVENT_KINDS[vs.kind]
    if kind is FactKind.MEDICATION:
        # without an end the order is still going on (FHIR R4 MedicationStatement.status)
        return Fact(
            kind,
            resource,
            codes,
            start=start,
            end=end,
            status="completed" if end is not None else "active",
            route=_route(entry, product),
            dose=typed_dose(entry.dose, entry.dose_unit, entry.per_day),
            laterality=side,
        )
    if kind is FactKind.IMMUNIZATION:
        return Fact(
            kind, resource, codes, start=start, status="completed", route=_route(entry, product)
        )
    if kind is FactKind.CONDITION:
        # FHIR R4 Condition.clinicalStatus: an abatement date means it resolved
        status = "resolved" if end is not None else "active"
    elif kind is FactKind.DEVICE:
        status = "inactive" if end is not None else "active"
    else:
        status = "completed"
    return Fact(kind, resource, codes, start=start, end=end, status=status, laterality=side)


def _chosen(vs: ValueSet, entry: FactEntry) -> CodeEntry:
    """The code of the set the event is recorded with: the one chosen, else the default,
    which a medication set naming several drugs does not have (the drug decides the dose
    arithmetic: prednisone equivalents, a dose change of one drug)."""
    key = typed_text(entry.code, "code", CODE_MAX)
    if key is None:
        drugs = sorted({e.info.ingredient for e in vs.entries if e.info and e.info.ingredient})
        if vs.kind == "medication" and len(drugs) > 1:
            shown = ", ".join(drugs[:6]) + (", ..." if len(drugs) > 6 else "")
            raise InputError(
                f"Choose which one: {vs.title} covers several drugs ({shown})",
                field="code",
            )
        return default_entry(vs)
    alias, sep, code = key.partition("|")
    system = SYSTEMS.get(alias.strip().lower(), alias.strip())
    found = next(
        (e for e in vs.entries if sep and e.system == system and e.code == code.strip()), None
    )
    if found is None:
        raise InputError(
            f"Which one: '{key}' is not one of the codes of {vs.title} (write it as system|code, "
            "e.g. rxnorm|6851)",
            field="code",
        )
    return found


def _route(entry: FactEntry, product: CodeEntry) -> tuple[Coding, ...]:
    text = typed_text(entry.route, "route", TEXT_MAX)
    if text is None:
        return ()
    route = text.lower()
    if route not in ROUTES:
        raise InputError(
            f"The route must be one of {', '.join(ROUTES)}, not '{text}'", field="route"
        )
    # a product that names its route (an oral tablet, an injection) decides how the engine
    # groups it: a contradicting route would be read as the product's
    given = product.info.route if product.info else None
    if given is not None:
        group = group_of({given.lower()})
        if group is not None and group != group_of({route}):
            raise InputError(
                f"The route, {route}, contradicts {product.display or product.code} ({given})",
                field="route",
            )
    code, display = ROUTES[route]
    return (Coding(_SNOMED, code, display),)


def coding_of(entry: CodeEntry, vs: ValueSet) -> Coding:
    return Coding(entry.system, entry.code, entry.display or vs.title)
