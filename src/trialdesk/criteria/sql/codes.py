"""Resolve value sets to the concept ids a CDM actually uses, with the evaluator's own code.

Everything that depends on codes (which value sets a row matches, a drug's strength and
route, the side of a body site a row concerns, a unit's conversion factor, whether a coded result
reads positive) is decided here in Python, by the same functions the per-patient
evaluator calls, and handed to the SQL as small lookup tables. So the two paths cannot
disagree about codes; the SQL only does dates, numbers and counting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trialdesk.clinical.steroids import prednisone_equivalent_mg
from trialdesk.clinical.units import convert
from trialdesk.clinical.valuesets import ValueSet
from trialdesk.criteria.context import Hit, Matcher
from trialdesk.criteria.logic import Tri
from trialdesk.criteria.measures import _dimensionless
from trialdesk.criteria.medications import ingredient_of, route_of
from trialdesk.criteria.results import result_sign
from trialdesk.errors import FactError
from trialdesk.facts.laterality import foreign_site, side_on
from trialdesk.facts.record import Fact, FactKind
from trialdesk.patients.omop import Vocabulary, qualifier_site, unit_of

# The key of a coded row: (kind, concept, source concept, auxiliary concept). The
# auxiliary is the route for drug exposures, the laterality modifier for procedures and
# the qualifier for observations, 0 otherwise; kind is the td_facts kind (condition,
# observation, medication, ...).
Key = tuple[str, int, int, int]

KINDS: dict[str, FactKind] = {
    "condition": FactKind.CONDITION,
    "observation": FactKind.OBSERVATION,
    "medication": FactKind.MEDICATION,
    "immunization": FactKind.IMMUNIZATION,
    "procedure": FactKind.PROCEDURE,
    "device": FactKind.DEVICE,
    "encounter": FactKind.ENCOUNTER,
}


@dataclass
class CodeTables:
    """Lookup tables for one CDM and one study's value sets and body sites."""

    valuesets: list[str]
    sites: tuple[str, ...] = ()  # the body sites of the study's side parameters
    rows: list[dict[str, Any]] = field(default_factory=list)  # td_codes
    units: list[dict[str, Any]] = field(default_factory=list)  # td_units
    positive_concepts: set[int] = field(default_factory=set)
    negative_concepts: set[int] = field(default_factory=set)
    consent_concepts: set[int] = field(default_factory=set)
    cvx_concepts: set[int] = field(default_factory=set)
    ucum_units: set[int] = field(default_factory=set)  # unit concepts read as UCUM codes

    @staticmethod
    def column(kind: str, vs: str) -> str:
        return f"{kind}__{vs}"

    def any_flag(self, kind: str, names: Sequence[str]) -> bool:
        """Whether any row of this CDM has the flag ``kind`` set for one of ``names`` (the
        SQL reads a flag only where it can be set)."""
        columns = [self.column(kind, vs) for vs in names]
        return any(row.get(name) for row in self.rows for name in columns)

    def side_column(self, site: str) -> str:
        """The td_codes column holding the side of ``site`` a row concerns: ``laterality``
        when the study reads the side of one body site (every study so far), else
        ``laterality__<site>``, one per site."""
        return "laterality" if self.sites == (site,) else f"laterality__{site}"


def _fact(vocab: Vocabulary, key: Key) -> Fact:
    """A fact with exactly the codes the OMOP adapter gives a row with this key."""
    kind, cid, sid, aux = key
    codes = vocab.codings(cid, sid)
    text = vocab.name(cid) or vocab.name(sid)
    fact_kind = KINDS[kind]
    if fact_kind in (FactKind.MEDICATION, FactKind.IMMUNIZATION):
        return Fact(fact_kind, "x", codes, text, route=vocab.codings(aux, None))
    if fact_kind is FactKind.PROCEDURE:
        return Fact(fact_kind, "x", codes, text, body_site=vocab.codings(aux, None))
    if fact_kind is FactKind.OBSERVATION:
        return Fact(fact_kind, "x", codes, text, body_site=qualifier_site(vocab, aux))
    return Fact(fact_kind, "x", codes, text)


def build_code_tables(
    vocab: Vocabulary,
    valuesets: Mapping[str, ValueSet],
    keys: Iterable[Key],
    unit_keys: Iterable[tuple[Key, int, str]],
    value_concepts: Iterable[int],
    sites: Sequence[str] = (),
) -> CodeTables:
    """Decide, for every distinct coded row of the CDM, what the evaluator would decide.

    ``sites``: the body sites whose side the study's side parameters read, a column each.
    ``unit_keys``: the units (concept, source value) each coded key is sent with. A unit's
    conversion factor to a value set's unit is worked out only for the value sets its
    rows match (elsewhere it is never read): a failed conversion is not cached by
    clinical.units, and asking for every unit and value set cost seconds of parsing."""
    names = sorted(valuesets)
    tables = CodeTables(valuesets=names, sites=tuple(sites))
    matcher = Matcher(valuesets)
    matched_by_key: dict[Key, set[str]] = {}
    seen: set[Key] = set()
    for key in keys:
        if key in seen:
            continue
        seen.add(key)
        fact = _fact(vocab, key)
        matched = dict(matcher.matches(fact))
        if not matched:
            continue
        matched_by_key[key] = set(matched)
        row: dict[str, Any] = {"kind": key[0], "cid": key[1], "sid": key[2], "aux": key[3]}
        for site in tables.sites:
            row[tables.side_column(site)] = side_code(fact, site)
        for vs in names:
            m = matched.get(vs)
            row[tables.column("m", vs)] = m is not None
            # a condition coded in a finding's value set asserts the finding (queries._sign)
            row[tables.column("c", vs)] = (
                m is not None and fact.kind is FactKind.CONDITION and m.confidence == "code"
            )
            # a route the table does not know: membership unknown (queries.history)
            row[tables.column("u", vs)] = m is not None and m.route_unread
            if m is None:
                row[tables.column("route", vs)] = None
                row[tables.column("strength", vs)] = None
                row[tables.column("pred", vs)] = None
                row[tables.column("ingr", vs)] = None
                continue
            hit = Hit(fact, m)
            row[tables.column("route", vs)] = route_of(hit)
            row[tables.column("ingr", vs)] = ingredient_of(hit)
            row[tables.column("strength", vs)] = m.info.strength_mg if m.info else None
            row[tables.column("pred", vs)] = _prednisone_factor(
                m.info.ingredient if m.info else None
            )
        tables.rows.append(row)
    tables.cvx_concepts, tables.consent_concepts, tables.ucum_units = concept_classes(vocab)
    for cid in set(value_concepts):
        probe = Fact(FactKind.OBSERVATION, "x", value_codes=vocab.codings(cid, None))
        sign = result_sign(probe)
        if sign is Tri.TRUE:
            tables.positive_concepts.add(cid)
        elif sign is Tri.FALSE:
            tables.negative_concepts.add(cid)
    used: dict[tuple[int, str], set[str]] = {}
    for key, unit_cid, source_value in unit_keys:
        used.setdefault((unit_cid, source_value), set()).update(matched_by_key.get(key, ()))
    for (unit_cid, source_value), with_unit in used.items():
        unit = unit_of(vocab, unit_cid, source_value or None)
        row = {"unit_cid": unit_cid, "unit_src": source_value}
        for vs in names:
            target = valuesets[vs].unit
            row[tables.column("f", vs)] = _factor(unit, target, vs) if vs in with_unit else None
        tables.units.append(row)
    return tables


# The side column's value for a row whose body site is not recognised as the parameter's
# site (a "major joint" injection into a shoulder): its side cannot be the site's.
ELSEWHERE = "elsewhere"


def side_code(fact: Fact, site: str) -> str | None:
    """The side column of a code row, as sides.on_side() reads the fact: left, right or
    bilateral; ELSEWHERE when its body site is not ``site``; None when no side is recorded
    (which ``unsided="assume"`` may take as the parameter's side)."""
    if foreign_site(fact, site) is not None:
        return ELSEWHERE
    side = side_on(fact, site)
    return side.value if side else None


def concept_classes(vocab: Vocabulary) -> tuple[set[int], set[int], set[int]]:
    """The concepts that change how a row is read: vaccines (CVX; a drug exposure coded so
    is an immunization), research consents (not a clinical fact) and UCUM units (read by
    code, not by the text the source wrote beside them)."""
    cvx, consent, ucum = set(), set(), set()
    for cid, concept in vocab.concepts.items():
        if concept.vocabulary == "CVX":
            cvx.add(cid)
        elif concept.vocabulary == "UCUM":
            ucum.add(cid)
        if vocab.is_consent(cid):
            consent.add(cid)
    return cvx, consent, ucum


def _prednisone_factor(ingredient: str | None) -> float | None:
    try:
        return prednisone_equivalent_mg(ingredient or "", 1.0)
    except FactError:
        return None


def _factor(unit: str | None, target: str | None, analyte: str) -> float | None:
    if target is None:
        return 1.0
    if _dimensionless(target) and not unit:
        return 1.0  # a score sent without a unit is taken in the score's unit (measures.py)
    try:
        return convert(1.0, unit, target, analyte=analyte)
    except FactError:
        return None
